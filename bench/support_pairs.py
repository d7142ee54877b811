#!/usr/bin/env python
"""How often the support check accepts each kind of hand-labelled claim/evidence pair.

Run from the project root:

    .venv/bin/python bench/support_pairs.py
    .venv/bin/python bench/support_pairs.py --min-coverage 0.6
    .venv/bin/python bench/support_pairs.py --judge lexical   # the eval's own LexicalJudge instead
    git show <commit>:assistant/verify.py > /tmp/verify_old.py && \\
        .venv/bin/python bench/support_pairs.py --verifier /tmp/verify_old.py   # an older verifier, same pairs
    .venv/bin/python bench/support_pairs.py --pairs evals/support_pairs_s12.jsonl --split dev \
        --out bench/results/support_pairs_s12_dev.json   # a later batch, its dev split only

Every pair of evals/support_pairs.jsonl is judged with
`check_support(sentence, [evidence], min_coverage)`, the evidence sentence alone
(no title); `--with-title` adds the title of the paper the sentence comes from, as
answers and `assistant check` do (a claim may name the system a sentence calls
"our method" when the title names it). The table gives, per label and split, how
many pairs were judged supported. Splits: `dev` and `test` are the new pairs' `split` field (tune on dev
only); `orig` is the first 40 pairs, which have no split. Targets: at least 90%
of contradicted pairs caught (judged unsupported) and at most 5% of supported pairs
rejected, on each split. The same numbers, and every miss with its reason, go to
bench/results/support_pairs.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAIRS = ROOT / "evals" / "support_pairs.jsonl"
RESULTS = ROOT / "bench" / "results" / "support_pairs.json"
LABELS = ("supported", "unsupported", "contradicted")
SPLITS = ("dev", "test", "orig")


def load_check(verifier: str | None):
    """`check_support` of assistant/verify.py, or of another copy of that file (imported inside the package)."""
    if not verifier:
        from assistant.verify import check_support

        return check_support
    import assistant  # noqa: F401  (the copy's relative imports resolve against the package)

    spec = importlib.util.spec_from_file_location("assistant._verify_under_test", verifier)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "assistant"
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.check_support


def load_judge(min_coverage: float):
    """The eval's LexicalJudge (its own rules), wrapped to answer like check_support."""
    from types import SimpleNamespace

    from assistant.evaluation.judges import LexicalJudge

    judge = LexicalJudge(min_coverage)

    def check(sentence: str, evidence: list[str], min_coverage: float):
        reason = judge.reason(sentence, evidence)
        return SimpleNamespace(supported=reason is None, reason=reason or "")

    return check


def titles_of(pairs: list[dict]) -> dict[str, str]:
    """The title of the paper each pair's evidence sentence is taken from (bundled corpus or PubMedQA)."""
    from assistant.config import Settings
    from assistant.evaluation.corpora import pubmedqa_papers
    from assistant.loaders import load_sources

    papers = [(p.title, p.text) for p in load_sources([str(Settings().default_corpus)]).papers]
    papers += [(p["title"], p["abstract"]) for p in pubmedqa_papers()]
    titles = {}
    for pair in pairs:
        found = {title for title, text in papers if pair["evidence"] in text}
        if len(found) == 1:
            titles[pair["id"]] = found.pop()
    return titles


def load_pairs(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        row.setdefault("split", "orig")
        row.setdefault("corpus", "daily")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-coverage", type=float, default=None,
                        help="coverage threshold (default: 0.6 for the verifier, 0.7 for the lexical judge)")
    parser.add_argument("--judge", choices=["verifier", "lexical"], default="verifier",
                        help="measure the verifier's check_support (default) or the eval's LexicalJudge")
    parser.add_argument("--verifier", help="path of another verify.py to measure instead of assistant/verify.py")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all",
                        help="judge only this split's pairs (a later batch's test split stays sealed until its one run)")
    parser.add_argument("--with-title", action="store_true",
                        help="judge each claim against its evidence sentence and that paper's title")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    if args.min_coverage is None:
        args.min_coverage = 0.7 if args.judge == "lexical" else 0.6
    check_support = load_judge(args.min_coverage) if args.judge == "lexical" else load_check(args.verifier)
    checker = "LexicalJudge" if args.judge == "lexical" else "check_support"
    pairs = [p for p in load_pairs(args.pairs) if args.split in ("all", p["split"])]
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (label, split) -> [accepted, total]
    rows = []
    titles = titles_of(pairs) if args.with_title else {}
    for pair in pairs:
        evidence = [pair["evidence"]] + ([titles[pair["id"]]] if pair["id"] in titles else [])
        verdict = check_support(pair["sentence"], evidence, min_coverage=args.min_coverage)
        for split in (pair["split"], "all"):
            cell = counts[(pair["label"], split)]
            cell[0] += verdict.supported
            cell[1] += 1
        rows.append({"id": pair["id"], "label": pair["label"], "split": pair["split"], "corpus": pair["corpus"],
                     "supported": verdict.supported, "reason": verdict.reason})

    splits = [s for s in SPLITS if any(p["split"] == s for p in pairs)] + ["all"]
    context = (f"evidence sentence and its paper's title, found for {len(titles)} of {len(pairs)} pairs"
               if args.with_title else "evidence sentence only")
    print(f"share judged supported ({checker}, min_coverage={args.min_coverage}, {context})")
    print(f"{'label':<14}" + "".join(f"{s:>14}" for s in splits))
    for label in LABELS:
        cells = []
        for split in splits:
            ok, n = counts[(label, split)]
            cells.append(f"{ok}/{n} {ok / n:4.0%}" if n else "-")
        print(f"{label:<14}" + "".join(f"{c:>14}" for c in cells))

    summary = {}
    for split in splits:
        ok_c, n_c = counts[("contradicted", split)]
        ok_s, n_s = counts[("supported", split)]
        ok_u, n_u = counts[("unsupported", split)]
        summary[split] = {
            "contradicted_caught": n_c - ok_c, "contradicted": n_c,
            "contradicted_caught_share": round((n_c - ok_c) / n_c, 3) if n_c else None,
            "supported_rejected": n_s - ok_s, "supported": n_s,
            "supported_rejected_share": round((n_s - ok_s) / n_s, 3) if n_s else None,
            "unsupported_caught": n_u - ok_u, "unsupported": n_u,
        }
    print()
    print(f"{'split':<8}{'contradicted caught':>22}{'supported rejected':>22}")
    for split in splits:
        s = summary[split]
        caught = f"{s['contradicted_caught']}/{s['contradicted']} ({s['contradicted_caught_share']:.0%})"
        rejected = f"{s['supported_rejected']}/{s['supported']} ({s['supported_rejected_share']:.0%})"
        print(f"{split:<8}{caught:>22}{rejected:>22}")

    misses = [r for r in rows if r["supported"] != (r["label"] == "supported")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out if args.judge == "verifier" else args.out.with_name("support_pairs_lexical_judge.json")
    out.write_text(json.dumps({
        "verifier": args.verifier or "assistant/verify.py",
        "checker": "assistant.evaluation.judges.LexicalJudge" if args.judge == "lexical" else "check_support",
        "min_coverage": args.min_coverage,
        "with_title": args.with_title,
        "titles_found": len(titles),
        "pairs": str(args.pairs.relative_to(ROOT) if args.pairs.is_relative_to(ROOT) else args.pairs),
        "summary": summary,
        "misses": misses,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"\n{len(misses)} pairs judged against their label; details in {out}")


if __name__ == "__main__":
    main()
