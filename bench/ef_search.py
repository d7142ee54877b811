#!/usr/bin/env python
"""Search latency at two nearest-neighbour search breadths, side by side on one synthetic index.

    .venv/bin/python bench/ef_search.py [--size 100000] [--queries 120] [--breadths 100,400]

Builds one synthetic index the way `bench/index.py` does (its pool, papers and queries), then times
`ResearchAssistant.search(q, k=5)` for every query at each breadth in turn (`ef_search` set on the collection
before each query), so machine noise falls on all alike. Prints p50/p95 per breadth and writes
bench/results/ef_search.json. Chroma's default breadth is 100; the assistant's (`ASSISTANT_HNSW_EF_SEARCH`) 400.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import index as index_bench  # noqa: E402  (bench/index.py: the synthetic corpus and its queries)

from assistant.api import ResearchAssistant  # noqa: E402
from assistant.config import BUNDLED_CORPUS  # noqa: E402
from assistant.loaders import load_sources  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="synthetic chunks")
    parser.add_argument("--queries", type=int, default=120)
    parser.add_argument("--breadths", default="100,400")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ef_search.json")
    args = parser.parse_args(argv)
    breadths = [int(b) for b in args.breadths.split(",")]
    with tempfile.TemporaryDirectory(prefix="ra-ef-") as tmp:
        work = Path(tmp)
        source = ResearchAssistant(settings=index_bench.make_settings(work / "source"))
        papers = load_sources([str(BUNDLED_CORPUS)]).papers
        index_bench.encode_pool(source, papers, 2_000, args.seed, work / "pool.npz")
        ra = ResearchAssistant(settings=index_bench.make_settings(work / "synthetic"))
        ra.embedder.encode(["warm-up"])
        build = index_bench.build_synthetic(ra, work / "pool.npz", args.size, args.seed)
        queries = index_bench.make_queries(list(ra.index.papers().values()), args.queries, args.seed + 1)
        ra.search(queries[0], k=5)  # builds BM25 outside the timed part
        timings: dict[int, list[float]] = {b: [] for b in breadths}
        for query in queries[1:]:
            for breadth in breadths:
                ra.index.chunks.modify(configuration={"hnsw": {"ef_search": breadth}})
                started = time.perf_counter()
                ra.search(query, k=5)
                timings[breadth].append((time.perf_counter() - started) * 1000)
    rows = [{"ef_search": b, "p50_ms": round(statistics.median(t), 1),
             "p95_ms": round(sorted(t)[int(0.95 * len(t))], 1), "queries": len(t)} for b, t in timings.items()]
    print(f"{args.size} chunks ({build['synthetic_papers']} papers)")
    for row in rows:
        print(f"ef_search {row['ef_search']:>5}: p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"size": args.size, **build, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
