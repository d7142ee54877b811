#!/usr/bin/env python
"""Indexing throughput (torch beside ONNX) and search latency and memory at growing index sizes.

Run from the project root (see bench/README.md):

    .venv/bin/python bench/index.py            # full run: both backends; 1k, 10k and 100k chunks (~15 min)
    .venv/bin/python bench/index.py --quick    # 1k and 10k chunks, fewer queries (~6 min)

1. Indexing, once per embedding backend (`--backends torch,onnx,int8`; int8 = ONNX Runtime on the int8
   quantisation, the default since session 24), side by side in one run. The bundled corpus
   (5 HF Daily Papers dumps, 246 unique papers) is ingested with `ResearchAssistant.ingest` into a fresh
   temporary index: loading, merging, chunking, encoding, Chroma writes, and (the default since session 23)
   encoding every sentence into the store answer selection reads (`vector_cache`); a spec ending in
   ":chunks" indexes without that (`keep_sentence_vectors_at_ingest=False`), as before session 23. Right
   after, the raw encoder of the same backend is timed on *exactly the texts the pipeline encoded* (every
   "title. chunk" text plus every title, and every unique sentence when they are kept; same batch size).
   ratio = raw encode seconds / pipeline seconds: the share of the encoder's own throughput the pipeline keeps
   (1.00 = the pipeline adds nothing). recall@5: share of the dev questions of evals/daily/facts.jsonl whose
   gold paper is among `ra.search(question, k=5)` on that backend's index (the test split is never read).

2. Search latency of `ResearchAssistant.search` (full hybrid path: query encoding, Chroma nearest neighbours,
   BM25, rank fusion, snippets) at each size of `--sizes` (synthetic chunks), each size in its own child
   process so that its peak resident memory (the child's own VmHWM) is its own. p50 and p95 over a fixed,
   seeded mix of title, phrase and number queries; "first ms" is the first query, which builds (and saves)
   the BM25 index; "reopen first ms" is the first query of a second ResearchAssistant over the same folder,
   which loads the saved BM25 copy instead.

Synthetic corpus (2). Papers are made by recombining real abstract sentences of the bundled corpus under new
titles (first half of one real title + second half of another). Encoding 100,000 chunks would take an hour,
so the unique sentences (at most 2,000) and the real titles are encoded once, and each synthetic chunk's
vector is the normalised sum of its title's and its sentences' vectors plus small Gaussian noise (a stand-in
for encoding "title. chunk"). These records are inserted directly through the index's own Chroma collections
(`PaperIndex.chunks` and `PaperIndex.catalog`, same metadata layout as a real ingest), so the search path
measured is exactly the production one; only the vectors are approximations. Chunk boundaries come from the
real chunker with an approximate token counter (1.3 tokens per word).

Prints two tables and writes bench/results/index.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.api import ResearchAssistant  # noqa: E402
from assistant.chunking import chunk_paper  # noqa: E402
from assistant.config import BUNDLED_CORPUS, Settings  # noqa: E402
from assistant.index import _chunk_metadata  # noqa: E402  (the index's own metadata layout)
from assistant.loaders import load_sources  # noqa: E402
from assistant.models import Paper  # noqa: E402
from assistant.text import numbers, sentence_spans, slugify, split_sentences  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "index.json"
DEV_FACTS = ROOT / "evals" / "daily" / "facts.jsonl"
ADD_BATCH = 2000


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def make_settings(index_dir: Path, backend: str = "auto", ingest_threads: int = 0,
                  sentences_at_ingest: bool = True) -> Settings:
    """Backend "int8" is ONNX Runtime on the int8 export; "onnx" and "torch" give float vectors. No automatic
    ingest of the bundled corpus: each benchmark controls what is indexed."""
    precision = "int8" if backend == "int8" else "auto" if backend == "auto" else "fp32"
    return Settings(_env_file=None, index_dir=index_dir, default_corpus=index_dir / "no-default-corpus",
                    embedding_backend="onnx" if backend == "int8" else backend, embedding_precision=precision,
                    ingest_threads=ingest_threads, keep_sentence_vectors_at_ingest=sentences_at_ingest)


# --- 1. indexing ---------------------------------------------------------------------------


def dev_questions() -> list[tuple[str, str]]:
    """(question, gold paper id) of the dev split of the Daily Papers gold set."""
    rows = [json.loads(line) for line in DEV_FACTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["question"], r["paper_id"]) for r in rows if r.get("split") == "dev"]


def bench_indexing(workdir: Path, spec: str, run: int = 0) -> tuple[ResearchAssistant, dict]:
    """`spec` is a backend (torch, onnx, int8), optionally with its indexing threads and ":chunks" (no
    sentence vectors kept at ingest): "int8", "torch@1:chunks"."""
    engine, _, mode = spec.partition(":")
    backend, _, threads = engine.partition("@")
    sentences = mode != "chunks"
    ra = ResearchAssistant(settings=make_settings(workdir / f"sample-index-{spec.replace(':', '-')}-{run}", backend,
                                                  int(threads or 0), sentences))
    t0 = time.perf_counter()
    embedder = ra.embedder
    embedder.encode_bulk(["warm-up sentence for the encoder."] * 8)  # ONNX makes its indexing session here
    model_load_s = time.perf_counter() - t0
    ra.index  # noqa: B018 - open the empty Chroma collections outside the timed part

    t0 = time.perf_counter()
    report = ra.ingest([BUNDLED_CORPUS])
    pipeline_s = time.perf_counter() - t0
    n_papers, n_chunks, _writes = ra.index.version()
    assert report.added == n_papers, report

    # the exact texts the pipeline encoded (see PaperIndex._write_papers)
    papers = load_sources([str(BUNDLED_CORPUS)]).papers
    budget = min(ra.settings.chunk_max_tokens, embedder.max_tokens)
    texts = []
    for paper in papers:
        chunks = chunk_paper(paper, embedder.count_tokens, budget, ra.settings.chunk_overlap_sentences)
        texts.extend(f"{paper.title}. {chunk.text}" for chunk in chunks)
    n_chunk_texts = len(texts)
    texts += [paper.title for paper in papers]
    assert n_chunk_texts == n_chunks, (n_chunk_texts, n_chunks)
    if sentences:  # see PaperIndex._encode: every unique sentence, into the store (vector_cache.CachedEncoder.keep)
        texts += list(dict.fromkeys(paper.text[start:end] for paper in papers
                                    for start, end in sentence_spans(paper.text)))

    t0 = time.perf_counter()
    embedder.encode_bulk(texts)  # what ingest encodes with: the same session and threads
    raw_s = time.perf_counter() - t0

    questions = dev_questions()
    found = sum(gold in {hit.paper_id for hit in ra.search(question, k=5)} for question, gold in questions)
    return ra, {
        "backend": spec,
        "ingest_threads": ra.settings.ingest_threads or os.cpu_count(),
        "sentences_kept_at_ingest": sentences,
        "papers": n_papers,
        "chunks": n_chunks,
        "encoded_texts": len(texts),
        "model_load_s": round(model_load_s, 2),
        "pipeline_s": round(pipeline_s, 2),
        "pipeline_chunks_per_s": round(n_chunks / pipeline_s, 2),
        "raw_encode_s": round(raw_s, 2),
        "raw_encode_chunks_per_s": round(n_chunks / raw_s, 2),
        "throughput_share_of_raw": round(raw_s / pipeline_s, 3),
        "recall_at_5_dev": round(found / len(questions), 4),
        "dev_questions": len(questions),
    }


def _median_row(rows: list[dict]) -> dict:
    """One backend's repeated runs: medians of the timings, the share as median raw over median pipeline, and
    every run kept."""
    if len(rows) == 1:
        return rows[0]
    row = dict(rows[0])
    for key in ("model_load_s", "pipeline_s", "raw_encode_s"):
        row[key] = round(statistics.median(r[key] for r in rows), 2)
    row["pipeline_chunks_per_s"] = round(row["chunks"] / row["pipeline_s"], 2)
    row["raw_encode_chunks_per_s"] = round(row["chunks"] / row["raw_encode_s"], 2)
    row["throughput_share_of_raw"] = round(row["raw_encode_s"] / row["pipeline_s"], 3)
    row["runs"] = [{key: r[key] for key in ("pipeline_s", "raw_encode_s", "throughput_share_of_raw")} for r in rows]
    return row


# --- 2. search latency -----------------------------------------------------------------------


def make_queries(papers: list[Paper], n: int, seed: int) -> list[str]:
    """A fixed mix: whole titles, short phrases from abstracts, and numbers found in abstracts."""
    rng = random.Random(seed)
    sentences = [s for p in papers for s in split_sentences(p.abstract) if len(s.split()) >= 8]
    with_numbers = sorted({raw for p in papers for raw in _raw_numbers(p.abstract)})
    queries = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            queries.append(rng.choice(papers).title)
        elif kind == 1:
            words = rng.choice(sentences).split()
            start = rng.randrange(0, max(1, len(words) - 7))
            queries.append(" ".join(words[start : start + 7]))
        else:
            queries.append(rng.choice(with_numbers) if with_numbers else rng.choice(papers).title)
    return queries


def _raw_numbers(text: str) -> list[str]:
    """Distinctive numbers as written ("32,682"), skipping years and small counts."""
    out = []
    for token in text.replace("(", " ").replace(")", " ").split():
        token = token.strip(".,;:")
        if any(c.isdigit() for c in token) and numbers(token) and not token.isalpha():
            digits = token.replace(",", "").replace(".", "").rstrip("%")
            if digits.isdigit() and len(digits) >= 4 and not (len(digits) == 4 and digits.startswith(("19", "20"))):
                out.append(token)
    return out


def time_searches(ra: ResearchAssistant, queries: list[str], k: int = 5) -> dict:
    t0 = time.perf_counter()
    ra.search(queries[0], k=k)  # builds BM25 over every committed chunk (and saves it)
    first_ms = (time.perf_counter() - t0) * 1000
    latencies, encode_latencies = [], []
    for query in queries[1:]:
        t0 = time.perf_counter()
        hits = ra.search(query, k=k)
        latencies.append((time.perf_counter() - t0) * 1000)
        assert hits, query
        t0 = time.perf_counter()
        ra.embedder.encode([query])  # the query-encoding share of the latency
        encode_latencies.append((time.perf_counter() - t0) * 1000)
    n_papers, n_chunks, _writes = ra.index.version()
    return {
        "papers": n_papers,
        "chunks": n_chunks,
        "queries": len(latencies),
        "first_query_ms": round(first_ms, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "query_encode_p50_ms": round(percentile(encode_latencies, 50), 1),
    }


def encode_pool(ra: ResearchAssistant, source: list[Paper], max_sentences: int, seed: int, out: Path) -> dict:
    """Encode the synthetic corpus's building blocks once: unique abstract sentences and real titles."""
    rng = random.Random(seed)
    pool = sorted({s for p in source for s in split_sentences(p.abstract) if len(s.split()) >= 4})
    rng.shuffle(pool)
    pool = pool[:max_sentences]
    titles = [p.title for p in source]
    years = [p.year or 2024 for p in source]
    t0 = time.perf_counter()
    np.savez(out, sentence_vectors=ra.embedder.encode(pool), title_vectors=ra.embedder.encode(titles),
             sentences=np.array(pool, dtype=object), titles=np.array(titles, dtype=object), years=np.array(years))
    return {"unique_sentences_encoded": len(pool), "titles_encoded": len(titles),
            "encode_s": round(time.perf_counter() - t0, 2)}


def build_synthetic(ra: ResearchAssistant, pool_file: Path, target_chunks: int, seed: int) -> dict:
    """Insert ~target_chunks synthetic chunks with precomputed vectors into ra's (empty) index."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    index = ra.index
    blocks = np.load(pool_file, allow_pickle=True)
    pool, titles, years = list(blocks["sentences"]), list(blocks["titles"]), [int(y) for y in blocks["years"]]
    vector_of = dict(zip(pool, blocks["sentence_vectors"]))
    title_vectors = blocks["title_vectors"]

    def approx_tokens(text: str) -> int:
        return int(len(text.split()) * 1.3) + 1

    budget = min(ra.settings.chunk_max_tokens, 256)
    overlap = ra.settings.chunk_overlap_sentences
    pending_chunks: list[tuple] = []
    pending_papers: list[tuple] = []
    written_chunks = 0
    n_papers = 0
    t0 = time.perf_counter()

    def flush() -> None:
        nonlocal pending_chunks, pending_papers
        if pending_chunks:
            index.chunks.add(
                ids=[c.chunk_id for c, _, _ in pending_chunks],
                documents=[c.text for c, _, _ in pending_chunks],
                embeddings=[v.tolist() for _, _, v in pending_chunks],
                metadatas=[_chunk_metadata(c, p) for c, p, _ in pending_chunks],
            )
        if pending_papers:
            index.catalog.upsert(
                ids=[p.paper_id for p, _ in pending_papers],
                documents=[p.title for p, _ in pending_papers],
                embeddings=[v.tolist() for _, v in pending_papers],
                metadatas=[
                    {"paper": p.model_dump_json(), "content_hash": p.content_hash(), "year": p.year or 0}
                    for p, _ in pending_papers
                ],
            )
        pending_chunks, pending_papers = [], []

    while written_chunks < target_chunks:
        a, b = rng.randrange(len(titles)), rng.randrange(len(titles))
        left, right = titles[a].split(), titles[b].split()
        title = " ".join(left[: max(1, len(left) // 2)] + right[len(right) // 2 :]) + f" (synthetic {n_papers})"
        title_vector = title_vectors[a] + title_vectors[b]
        sentences = rng.sample(pool, rng.randint(6, 14))
        paper = Paper(
            paper_id=f"synthetic-{n_papers:06d}-{slugify(title, 40)}",
            title=title,
            abstract=" ".join(sentences),
            published=date(rng.choice(years), rng.randint(1, 12), rng.randint(1, 28)),
            source="synthetic.txt",
            sources=["synthetic.txt"],
        )
        chunks = chunk_paper(paper, approx_tokens, budget, overlap)
        chunks = chunks[: target_chunks - written_chunks]
        for chunk in chunks:
            # re-splitting joined sentences can merge or cut a few, so match pool sentences by containment
            vector = title_vector + sum((vector_of[s] for s in sentences if s in chunk.text), np.zeros_like(title_vector))
            vector = vector / np.linalg.norm(vector)
            vector = vector + np_rng.normal(0.0, 0.01, size=vector.shape).astype(np.float32)
            pending_chunks.append((chunk, paper, vector / np.linalg.norm(vector)))
        pending_papers.append((paper, (title_vector / np.linalg.norm(title_vector))))
        written_chunks += len(chunks)
        n_papers += 1
        if len(pending_chunks) >= ADD_BATCH:
            flush()
    flush()
    index._papers = None  # the catalog changed behind PaperIndex's cache
    index._writes += 1
    index._counted = None
    return {"synthetic_papers": n_papers, "synthetic_chunks": written_chunks,
            "insert_s": round(time.perf_counter() - t0, 2)}


def search_at_size(size: int, pool_file: Path, workdir: Path, n_queries: int, seed: int) -> dict:
    """Child process: build a synthetic index of `size` chunks, then time searches on it and on a reopening."""
    folder = workdir / f"synthetic-{size}"
    ra = ResearchAssistant(settings=make_settings(folder))
    ra.embedder.encode(["warm-up"])
    build = build_synthetic(ra, pool_file, size, seed)
    queries = make_queries(list(ra.index.papers().values()), n_queries, seed + 1)
    timed = time_searches(ra, queries)
    from assistant.index import forget_clients

    forget_clients()
    reopened = ResearchAssistant(settings=make_settings(folder))
    reopened.embedder.encode(["warm-up"])
    t0 = time.perf_counter()
    reopened.search(queries[1], k=5)
    return {"size": size, **build, **timed, "reopen_first_query_ms": round((time.perf_counter() - t0) * 1000, 1),
            "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory (VmHWM, which starts afresh at exec, unlike a child's ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run_child(size: int, pool_file: Path, workdir: Path, n_queries: int, seed: int) -> dict:
    """One size in its own process, so that its peak memory is its own."""
    command = [sys.executable, __file__, "--child-size", str(size), "--pool-file", str(pool_file),
               "--workdir", str(workdir), "--queries", str(n_queries), "--seed", str(seed)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the {size}-chunk search benchmark failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report ------------------------------------------------------------------------------------


def print_table(result: dict) -> None:
    print()
    first = result["indexing"][0]
    print(f"Indexing the bundled corpus ({first['papers']} papers, {first['chunks']} chunks), side by side")
    header = (f"{'backend':<16}{'threads':>8}{'texts':>7}{'ingest s':>9}{'chunks/s':>10}{'raw enc s':>10}"
              f"{'raw chunks/s':>13}{'share of raw':>13}{'vs row 1':>9}{'recall@5 dev':>13}")
    print(header)
    print("-" * len(header))
    torch_rate = result["indexing"][0]["pipeline_chunks_per_s"]  # the first row is the baseline
    for row in result["indexing"]:
        speedup = f"{row['pipeline_chunks_per_s'] / torch_rate:.2f}x" if torch_rate else "-"
        print(f"{row['backend']:<16}{row['ingest_threads']:>8}{row['encoded_texts']:>7}{row['pipeline_s']:>9.2f}{row['pipeline_chunks_per_s']:>10.2f}"
              f"{row['raw_encode_s']:>10.2f}{row['raw_encode_chunks_per_s']:>13.2f}"
              f"{row['throughput_share_of_raw']:>13.2f}{speedup:>9}{row['recall_at_5_dev']:>13.3f}")
    print()
    print("Search latency, ResearchAssistant.search(k=5), hybrid dense + BM25, synthetic indexes")
    header = (f"{'chunks':>8}{'papers':>8}{'insert s':>9}{'first ms':>10}{'reopen ms':>10}{'p50 ms':>8}{'p95 ms':>8}"
              f"{'encode p50':>11}{'peak MB':>9}")
    print(header)
    print("-" * len(header))
    for row in result["search"]:
        print(f"{row['chunks']:>8}{row['papers']:>8}{row['insert_s']:>9.1f}{row['first_query_ms']:>10.1f}"
              f"{row['reopen_first_query_ms']:>10.1f}{row['p50_ms']:>8.1f}{row['p95_ms']:>8.1f}"
              f"{row['query_encode_p50_ms']:>11.1f}{row['peak_rss_mb']:>9.0f}")
    machine = result["machine"]
    print(f"{machine['cpus']} CPUs, embedding threads {result['settings']['embedding_threads']}, load average at "
          f"start/end {machine['load_average_start']}/{machine['load_average_end']} (other work slows every row)")
    print(f"total {result['total_s']:.0f}s; JSON in {RESULTS.relative_to(ROOT)}")


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k chunks, fewer queries")
    parser.add_argument("--backends", default="torch@1:chunks,torch:chunks,onnx:chunks,onnx,int8:chunks,int8",
                        help="backends to index with, in order (torch, onnx: float vectors; int8: ONNX on the "
                             "int8 export); @N sets the indexing threads (default: every core); "
                             "':chunks' indexes without keeping sentence vectors; "
                             "the first row is the baseline of the 'vs row 1' column")
    parser.add_argument("--sizes", default=None, help="synthetic index sizes in chunks (default 1000,10000,100000)")
    parser.add_argument("--queries", type=int, default=None, help="search queries per index")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=1,
                        help="index the corpus this many times per backend; the table shows medians")
    parser.add_argument("--child-size", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--pool-file", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n_queries = args.queries or (31 if args.quick else 101)
    if args.child_size:
        print(json.dumps(search_at_size(args.child_size, args.pool_file, args.workdir, n_queries, args.seed)))
        return 0

    chosen = args.sizes if args.sizes is not None else ("1000,10000" if args.quick else "1000,10000,100000")
    sizes = [int(size) for size in chosen.split(",") if size.strip()]  # --sizes "": indexing only
    load_start = _load_average()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ra-bench-") as tmp:
        workdir = Path(tmp)
        runs: dict[str, list[dict]] = {backend: [] for backend in args.backends.split(",")}
        for run in range(args.repeat):  # interleaved, so a slow spell of the machine falls on every backend
            for backend in runs:
                print(f"indexing the bundled corpus ({backend}, run {run + 1}/{args.repeat}) ...", flush=True)
                ra, row = bench_indexing(workdir, backend, run)
                runs[backend].append(row)
        indexing = [_median_row(rows) for rows in runs.values()]
        pool_file = workdir / "pool.npz"
        pool = encode_pool(ra, list(ra.index.papers().values()), 2_000, args.seed, pool_file) if sizes else {}
        search = []
        for size in sizes:
            print(f"search latency at {size} chunks ...", flush=True)
            search.append(run_child(size, pool_file, workdir, n_queries, args.seed))

    result = {
        "mode": "quick" if args.quick else "full",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_start": load_start,
            "load_average_end": _load_average(),
        },
        "settings": {
            "chunk_max_tokens": ra.settings.chunk_max_tokens,
            "chunk_overlap_sentences": ra.settings.chunk_overlap_sentences,
            "embedding_batch_size": ra.settings.embedding_batch_size,
            "embedding_threads": ra.settings.embedding_threads,
            "candidate_pool": ra.settings.candidate_pool,
        },
        "indexing": indexing,
        "synthetic_pool": pool,
        "search": search,
        "total_s": round(time.perf_counter() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
