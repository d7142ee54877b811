#!/usr/bin/env python
"""Seconds per review, beside seconds per answer on the same topics, measured in one run.

    .venv/bin/python bench/review.py [--topics 9] [--papers 12] [--index-dir vectorstore]

Topics are the dev rows of evals/daily/reviews.jsonl. For each topic, in one process with the
models loaded once (a warm-up review and answer are not timed):

* `ra.review(topic, papers=N)` — wall seconds, and its stages (retrieval, writing);
* `ra.ask(topic)` — wall seconds of a factoid answer over the same index, the yardstick: the
  ratio review / ask says what a review costs in answers, on this machine, under this load.

Writes a table to stdout and everything to bench/results/review.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
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
    ra = ResearchAssistant(**({"index_dir": args.index_dir} if args.index_dir else {}))
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
        ra.ask(item.topic)
        ask_s = time.perf_counter() - started
        rows.append({"id": item.id, "topic": item.topic, "review_s": review_s, "ask_s": ask_s,
                     "cited_papers": len({c.paper_id for c in review.citations}), **review.timings})
    summary = {
        "topics": len(rows),
        "review_s_median": statistics.median(r["review_s"] for r in rows),
        "ask_s_median": statistics.median(r["ask_s"] for r in rows),
        "review_over_ask_median": statistics.median(r["review_s"] / r["ask_s"] for r in rows),
    }
    print("| topic | review s | ask s | review / ask | papers cited |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['topic']} | {r['review_s']:.2f} | {r['ask_s']:.2f} | {r['review_s'] / r['ask_s']:.1f} | "
              f"{r['cited_papers']} |")
    print(f"| **median** | {summary['review_s_median']:.2f} | {summary['ask_s_median']:.2f} | "
          f"{summary['review_over_ask_median']:.1f} | |")
    out = ROOT / "bench" / "results" / "review.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "rows": rows, "machine": {
        "python": platform.python_version(), "cpus": os.cpu_count(), "load_start": load_start,
        "load_end": os.getloadavg(), "provider": ra.settings.provider}}, indent=1), encoding="utf-8")
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
