#!/usr/bin/env python
"""Seconds per review, per comparison and per extracted paper, beside seconds per answer, in one run.

    .venv/bin/python bench/review.py [--topics 9] [--papers 12] [--index-dir vectorstore]

Topics are the dev rows of evals/daily/reviews.jsonl. For each topic, in one process with the
models loaded once (a warm-up review and answer are not timed):

* `ra.review(topic, papers=N)` — wall seconds, and its stages (retrieval, writing);
* `ra.compare(query=topic, n=3)` — three papers, every default field (extractions not cached:
  the cache is a fresh folder per run);
* `ra.extract(id)` of the topic's first hit, a second time — what a cache hit costs;
* `ra.ask(topic)` — wall seconds of a factoid answer over the same index, the yardstick: each
  ratio to it says what the task costs in answers, on this machine, under this load.

Writes a table to stdout and everything to bench/results/review.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.api import ResearchAssistant  # noqa: E402
from assistant.config import EVALS_DIR  # noqa: E402
from assistant.evaluation.reviews import load_reviews  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=9)
    parser.add_argument("--papers", type=int, default=12)
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args()
    overrides = {"index_dir": args.index_dir} if args.index_dir else {}
    ra = ResearchAssistant(extraction_cache_dir=Path(tempfile.mkdtemp()), **overrides)  # cold extractions every run
    topics = load_reviews(EVALS_DIR / "daily", "dev", args.topics)
    ra.review(topics[0].topic, papers=args.papers)  # warm-up: models, BM25, selector
    ra.ask(topics[0].topic)
    load_start = os.getloadavg()
    rows = []
    for item in topics:
        started = time.perf_counter()
        review = ra.review(item.topic, papers=args.papers)
        review_s = time.perf_counter() - started
        started = time.perf_counter()
        table = ra.compare(query=item.topic, n=3)
        compare_s = time.perf_counter() - started
        started = time.perf_counter()
        cached = ra.extract(table.rows[0].paper_id)
        cached_s = time.perf_counter() - started
        started = time.perf_counter()
        ra.ask(item.topic)
        ask_s = time.perf_counter() - started
        rows.append({"id": item.id, "topic": item.topic, "review_s": review_s, "compare_s": compare_s,
                     "extract_per_paper_s": compare_s / len(table.rows), "extract_cached_s": cached_s,
                     "cache_hit": cached.cached, "ask_s": ask_s,
                     "cited_papers": len({c.paper_id for c in review.citations}), **review.timings})
    columns = ["review_s", "compare_s", "extract_per_paper_s", "extract_cached_s", "ask_s"]
    summary = {"topics": len(rows), **{f"{c}_median": statistics.median(r[c] for r in rows) for c in columns},
               **{f"{c}_over_ask_median": statistics.median(r[c] / r["ask_s"] for r in rows) for c in columns[:-1]}}
    print("| topic | review s | compare (3 papers) s | extract s / paper | cached extract s | ask s | review / ask |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['topic']} | {r['review_s']:.2f} | {r['compare_s']:.2f} | {r['extract_per_paper_s']:.2f} | "
              f"{r['extract_cached_s']:.3f} | {r['ask_s']:.2f} | {r['review_s'] / r['ask_s']:.1f} |")
    print("| **median** | " + " | ".join(f"{summary[c + '_median']:.2f}" for c in columns[:3])
          + f" | {summary['extract_cached_s_median']:.3f} | {summary['ask_s_median']:.2f} | "
          f"{summary['review_s_over_ask_median']:.1f} |")
    out = ROOT / "bench" / "results" / "review.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "rows": rows, "machine": {
        "python": platform.python_version(), "cpus": os.cpu_count(), "load_start": load_start,
        "load_end": os.getloadavg(), "provider": ra.settings.provider}}, indent=1), encoding="utf-8")
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
