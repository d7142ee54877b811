#!/usr/bin/env python
"""Sentence splitting: the assistant's splitter beside pysbd and syntok, on both corpora.

    .venv/bin/python -m pip install pysbd syntok     # not dependencies of the assistant
    .venv/bin/python bench/sentence_splitters.py [--pubmedqa-file PATH] [--pubmedqa-limit 500]

For every abstract, each library's sentence ends (character offsets) are compared with
`assistant.text.sentence_spans`: boundaries only ours has, boundaries only the library has
(with examples), and the time per 1,000 sentences, measured side by side in one run. The
numbers go to bench/results/sentence_splitters.json. A library missing from the environment
is skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import BUNDLED_CORPUS  # noqa: E402
from assistant.loaders import load_sources  # noqa: E402
from assistant.text import sentence_spans  # noqa: E402

PUBMEDQA = ROOT.parent / "shared" / "corpus" / "pubmedqa-dev" / "pubmedqa_dev.jsonl"
RESULTS = ROOT / "bench" / "results" / "sentence_splitters.json"
EXAMPLES = 5


def _ours(text: str) -> set[int]:
    return {end for _, end in sentence_spans(text)}


def _pysbd():
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: {len(text[:span.end].rstrip()) for span in segmenter.segment(text)}


def _syntok():
    from syntok import segmenter

    def ends(text: str) -> set[int]:
        return {sentence[-1].offset + len(sentence[-1].value) for paragraph in segmenter.analyze(text)
                for sentence in paragraph}

    return ends


def _pubmedqa(path: Path, limit: int) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [" ".join(row.get("contexts") or []) for row in rows][:limit]


def _timed(split, texts: list[str]) -> tuple[list[set[int]], float]:
    started = time.perf_counter()
    ends = [split(text) for text in texts]
    return ends, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pubmedqa-file", type=Path, default=PUBMEDQA)
    parser.add_argument("--pubmedqa-limit", type=int, default=500)
    args = parser.parse_args()
    corpora = {"daily": [p.text for p in load_sources([str(BUNDLED_CORPUS)]).papers]}
    if args.pubmedqa_file.is_file():
        corpora["pubmedqa"] = _pubmedqa(args.pubmedqa_file, args.pubmedqa_limit)
    libraries = {name: make for name, make in (("pysbd", _pysbd), ("syntok", _syntok))
                 if importlib.util.find_spec(name)}
    results: dict = {}
    print(f"{'corpus':<10}{'splitter':<10}{'sentences':>10}{'only ours':>11}{'only theirs':>13}{'ms/1000':>10}")
    for corpus, texts in corpora.items():
        ours, our_seconds = _timed(_ours, texts)
        n = sum(len(e) for e in ours)
        results[corpus] = {"ours": {"sentences": n, "ms_per_1000": round(our_seconds / n * 1e6, 1)}}
        print(f"{corpus:<10}{'ours':<10}{n:>10}{'':>11}{'':>13}{our_seconds / n * 1e6:>10.0f}")
        for name, make in libraries.items():
            theirs, seconds = _timed(make(), texts)
            only_ours = [(t, e) for t, o, th in zip(texts, ours, theirs) for e in sorted(o - th)]
            only_theirs = [(t, e) for t, o, th in zip(texts, ours, theirs) for e in sorted(th - o)]
            results[corpus][name] = {
                "only_ours": len(only_ours), "only_theirs": len(only_theirs),
                "ms_per_1000": round(seconds / n * 1e6, 1), "ratio_to_ours": round(seconds / our_seconds, 1),
                "examples_only_ours": [t[max(0, e - 50):e + 30] for t, e in only_ours[:EXAMPLES]],
                "examples_only_theirs": [t[max(0, e - 50):e + 30] for t, e in only_theirs[:EXAMPLES]],
            }
            print(f"{corpus:<10}{name:<10}{n:>10}{len(only_ours):>11}{len(only_theirs):>13}{seconds / n * 1e6:>10.0f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\ndetails and examples in {RESULTS}")


if __name__ == "__main__":
    main()
