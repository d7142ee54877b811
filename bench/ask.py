#!/usr/bin/env python
"""Question-answering latency of the Research Assistant, split by stage.

Run from the project root:

    .venv/bin/python bench/ask.py                      # index into a temp dir, 40 facts + 10 unanswerable
    .venv/bin/python bench/ask.py --index-dir vectorstore   # reuse (or build) an index folder
    .venv/bin/python bench/ask.py --facts 4 --unanswerable 2  # quicker run

Questions: the first N `split == "dev"` rows of evals/daily/facts.jsonl (N = --facts, default 40) plus the
first --unanswerable (default 10) dev rows of evals/daily/unanswerable.jsonl (test splits are never read);
only the `id` and `question` fields are used. The provider is the bundled local SmolLM2 (plan path) unless
ASSISTANT_* settings say otherwise.

Two assistants over the same index answer every question in turn, side by side in one run: "writer gate"
(the default: the bundled writer is skipped when the fitted gate expects the quoted evidence to be shown anyway)
and "always written" (`writer_gate=False`, the behaviour before the gate). Per question and assistant, in two
passes (all asks, then all streams, so llama.cpp's prompt cache never speeds a stream up with its own ask):

1. `ra.ask(q)` — `total` is its wall time; `retrieval` (hybrid search), `selection` (ranking every candidate
   sentence and deciding answer / unsure / abstain), `generation` (streaming the model's reply, with the
   per-sentence verification done while streaming) and `verification` (the final check) are the stage times
   the agent records in `Answer.timings`; `first_text` is the time from the start of the plan to the first
   verified text. A stage a question never reached counts as 0, so every question contributes to every row.
2. `ra.stream(q)` — `first chunk` is the time from calling `ra.stream(q)` to its first yielded chunk (what a
   user waits for before text appears).

Before timing, the index is built (or opened) and one warm-up question per assistant loads the embedding
model, the BM25 index and the GGUF model; none of that is timed. The table gives p50 and p95 (nearest-rank)
in milliseconds for both assistants and the ratio of their medians; the run also counts identical answers.
Results (per-question rows, summary, machine details) go to bench/results/ask.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.api import ResearchAssistant  # noqa: E402
from assistant.config import Settings  # noqa: E402

STAGES = ["retrieval", "selection", "generation", "verification", "first_text", "total", "first_chunk"]


def _dev_rows(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("split") == "dev"]


def _load_questions(n_facts: int, n_unanswerable: int) -> list[dict]:
    facts = _dev_rows(ROOT / "evals/daily/facts.jsonl")[:n_facts]
    unanswerable = _dev_rows(ROOT / "evals/daily/unanswerable.jsonl")[:n_unanswerable]
    rows = [{"id": f["id"], "question": f["question"], "kind": "fact"} for f in facts]
    rows += [{"id": u["id"], "question": u["question"], "kind": "unanswerable"} for u in unanswerable]
    return rows


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _time_stream(ra: ResearchAssistant, question: str) -> float | None:
    stream_started = time.perf_counter()
    first_chunk = None
    for _chunk in ra.stream(question):
        if first_chunk is None:
            first_chunk = time.perf_counter() - stream_started
    return first_chunk


def _time_question(ra: ResearchAssistant, question: str) -> dict:
    started = time.perf_counter()
    answer = ra.ask(question)
    total = time.perf_counter() - started
    first_chunk = None  # filled in by the second pass
    timings = answer.timings
    return {
        "retrieval": timings.get("retrieval", 0.0),
        "selection": timings.get("selection", 0.0),
        "generation": timings.get("generation", 0.0),
        "verification": timings.get("verification", 0.0),
        "first_text": timings.get("first_text"),
        "total": total,
        "first_chunk": first_chunk,
        "called_model": "generation" in timings,
        "abstained": answer.abstained,
        "answer": answer.answer,
        "provider": answer.provider,
    }


def _summary(rows: list[dict]) -> dict:
    out = {}
    for stage in STAGES:
        values = [r[stage] for r in rows if r.get(stage) is not None]
        out[stage] = {"n": len(values), "p50_ms": _ms(_percentile(values, 50)), "p95_ms": _ms(_percentile(values, 95))}
    return out


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


MODES = {"writer gate": True, "always written": False}  # name: Settings.writer_gate
LABELS = {"retrieval": "retrieval", "selection": "selection", "generation": "generation",
          "verification": "verification", "first_text": "first verified text (ask)",
          "first_chunk": "first chunk (stream)", "total": "total (ask)"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None, help="index folder (default: a temp dir)")
    parser.add_argument("--facts", type=int, default=40, help="dev fact questions")
    parser.add_argument("--unanswerable", type=int, default=10, help="dev unanswerable questions")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/ask.json")
    args = parser.parse_args(argv)

    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="bench-ask-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "vectorstore"
        assistants = {mode: ResearchAssistant(settings=Settings(index_dir=index_dir, writer_gate=gate))
                      for mode, gate in MODES.items()}
        t0 = time.perf_counter()
        papers = len(assistants["writer gate"].index.papers())
        index_seconds = time.perf_counter() - t0
        print(f"index: {papers} papers in {index_dir} ({index_seconds:.1f}s to build/open)", flush=True)
        questions = _load_questions(args.facts, args.unanswerable)
        for ra in assistants.values():  # warm-up, not timed: loads the embedder, BM25 and (if written) the GGUF
            ra.ask("How many question-answer pairs does MedReason contain?")
        rows: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for i, q in enumerate(questions, 1):  # the two modes in turn, so machine noise falls on both alike
            for mode, ra in assistants.items():
                rows[mode].append({**q, **_time_question(ra, q["question"])})
            print(f"ask    [{i:2d}/{len(questions)}] {q['id']:<12} "
                  + "  ".join(f"{mode} {rows[mode][-1]['total'] * 1000:6.0f} ms" for mode in MODES), flush=True)
        for i in range(len(questions)):  # second pass, so llama.cpp's prompt cache never holds this prompt
            for mode, ra in assistants.items():
                rows[mode][i]["first_chunk"] = _time_stream(ra, rows[mode][i]["question"])
        provider = rows["writer gate"][0]["provider"] if questions else ""
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else None

    summary = {mode: {"all": _summary(mode_rows),
                      "facts": _summary([r for r in mode_rows if r["kind"] == "fact"]),
                      "unanswerable": _summary([r for r in mode_rows if r["kind"] == "unanswerable"])}
               for mode, mode_rows in rows.items()}
    same = sum(a["answer"] == b["answer"] for a, b in zip(rows["writer gate"], rows["always written"], strict=True))
    print()
    print(f"provider: {provider}   questions: {len(questions)} dev ({args.facts} facts asked, "
          f"{args.unanswerable} unanswerable); model called: "
          + ", ".join(f"{mode} {sum(r['called_model'] for r in rows[mode])}" for mode in MODES)
          + f"; identical answers {same}/{len(questions)}")
    print("| stage | " + " | ".join(f"{mode} p50 ms | {mode} p95 ms" for mode in MODES) + " | p50 ratio |")
    print("|---|" + "---|" * (2 * len(MODES) + 1))
    for stage in ["retrieval", "selection", "generation", "verification", "first_text", "first_chunk", "total"]:
        cells = [summary[mode]["all"][stage] for mode in MODES]
        ratio = (f"{cells[0]['p50_ms'] / cells[1]['p50_ms']:.2f}"
                 if cells[0]["p50_ms"] and cells[1]["p50_ms"] else "-")
        print(f"| {LABELS[stage]} | " + " | ".join(f"{_fmt(c['p50_ms'])} | {_fmt(c['p95_ms'])}" for c in cells)
              + f" | {ratio} |")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "provider": provider,
        "index": {"papers": papers, "dir": str(args.index_dir) if args.index_dir else "(temp)",
                  "build_or_open_seconds": round(index_seconds, 2)},
        "identical_answers": same,
        "summary": summary,
        "questions": rows,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_start": load_start, "loadavg_end": load_end},
    }, indent=2))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
