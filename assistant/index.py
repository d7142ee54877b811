"""The Chroma index: chunks with their vectors, and a catalog of papers.

Two collections per index name: `<name>` holds chunks, `<name>-catalog` holds
one record per paper (the Paper as JSON plus its content hash). A paper's
catalog record is written *after* its chunks, so it doubles as a commit
marker: an interrupted ingest leaves at most orphan chunks, which search
ignores and the next ingest of that paper replaces. Both collections live in
Chroma, so the embedded index and a Chroma server behave the same.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .config import Settings
from .embeddings import Embedder
from .errors import IndexStoreError
from .lexical import stamp
from .models import Chunk, IngestReport, Paper
from .vector_cache import CachedEncoder

__all__ = ["PaperIndex", "open_client", "forget_clients", "indexed_precisions"]

_BATCH = 256
_PAPERS_PER_WRITE = 128  # fewer, fuller encoder calls: groups of 32 cost 24% of throughput with 2 threads
_FIRST_BUILD = "first_build"  # catalog metadata key: "started" while the bundled corpus is indexed, then "done"
_READ_PAGE = 5000
_COUNTS_FRESH_S = 1.0


def _import_chromadb():
    """chromadb, imported without the `overrides` package's signature checks.

    chromadb marks ~160 methods with `@override`, which inspects the caller's frames and compares signatures
    when each class is created: 0.3-0.45 s of every cold start, guarding chromadb's own development. The
    decorator is swapped for one that only marks the method (as `@override` does) while chromadb's modules
    load, then put back, so nothing else in the process is affected.
    """
    import sys

    if "chromadb" in sys.modules:
        return sys.modules["chromadb"]
    import overrides

    def mark_only(method=None, **_checks):
        if method is None:
            return mark_only
        method.__override__ = True
        return method

    original = overrides.override, overrides.overrides
    overrides.override = overrides.overrides = mark_only
    try:
        import chromadb
    finally:
        overrides.override, overrides.overrides = original
    return chromadb


def open_client(settings: Settings):
    """Embedded PersistentClient by default; HttpClient when a Chroma server is configured."""
    chromadb = _import_chromadb()
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
            return client
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises many unrelated types for "cannot open"
        where = (
            f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else f"index folder {settings.index_dir}"
        )
        hint = (
            "start it with `chroma run` or unset ASSISTANT_CHROMA_HOST to use the embedded index"
            if settings.chroma_host
            else "if it is damaged, `assistant index rebuild` moves it aside and builds a new one; otherwise check "
            "the folder is writable or set ASSISTANT_INDEX_DIR"
        )
        raise IndexStoreError(f"cannot open the {where}: {exc}", hint) from exc


def forget_clients() -> None:
    """Drop the clients Chroma keeps per folder, so a folder replaced on disk is opened afresh."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _search_with_ef(collection, ef_search: int) -> None:
    """Give an existing collection the configured search breadth (a new one gets it at creation): Chroma keeps
    the value in the collection, and `get_or_create_collection` leaves an existing one's as it was."""
    configured = ((collection.configuration_json or {}).get("hnsw") or {}).get("ef_search")
    if configured != ef_search:
        collection.modify(configuration={"hnsw": {"ef_search": ef_search}})


def indexed_precisions(settings: Settings) -> set[str]:
    """The precisions ("fp32", "int8") an index under these settings already holds papers with: each has its own
    collection, and `embedding_precision=auto` keeps what an index was built with, so an index made before int8
    existed goes on working with its float vectors."""
    from chromadb.errors import NotFoundError

    client = open_client(settings)
    held = set()
    for precision in ("int8", "fp32"):
        try:
            if client.get_collection(f"{settings.collection_name(precision)}-catalog").count():
                held.add(precision)
        except NotFoundError:
            continue
    return held


class PaperIndex:
    """Idempotent storage of papers and their chunks in Chroma."""

    def __init__(self, settings: Settings, embedder: Embedder, client=None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = client or open_client(settings)
        name = settings.collection_name(embedder.precision)
        space = {"hnsw": {"space": "cosine", "ef_search": settings.hnsw_ef_search}}
        self.chunks = self.client.get_or_create_collection(name, configuration=space, embedding_function=None)
        self.catalog = self.client.get_or_create_collection(
            f"{name}-catalog", configuration=space, embedding_function=None
        )
        for collection in (self.chunks, self.catalog):
            _search_with_ef(collection, settings.hnsw_ef_search)
        self.sentence_vectors = (CachedEncoder(embedder, self.sentence_vectors_path())
                                 if settings.keep_sentence_vectors else None)
        # the store is this machine's: with a Chroma server, the machine that ingests may not be the one asking
        self._keep_at_ingest = (self.sentence_vectors is not None and settings.keep_sentence_vectors_at_ingest
                                and not settings.chroma_host)
        self._papers: dict[str, Paper] | None = None
        self._fingerprint = ""
        self._writes = 0
        self._counted: tuple[float, int, int] | None = None  # (when, papers, chunks)

    # --- reading ------------------------------------------------------------
    def papers(self) -> dict[str, Paper]:
        """Every committed paper, by id (cached until the next write)."""
        if self._papers is None:
            records = _get_all(self.catalog, ["metadatas"])
            pairs = list(zip(records["ids"], records["metadatas"], strict=True))
            self._papers = {pid: Paper.model_validate_json(meta["paper"]) for pid, meta in pairs}
            self._fingerprint = stamp(self.chunks.name, [(pid, meta["content_hash"]) for pid, meta in pairs])
        return self._papers

    def fingerprint(self) -> str:
        """Names exactly the committed content (papers and chunking), for caches kept across processes."""
        self.papers()
        return self._fingerprint

    def lexical_dir(self) -> Path:
        """Where the saved BM25 copies of this collection live (beside the embedded index, or in the index
        folder when a Chroma server holds the vectors)."""
        return self.settings.index_dir / "lexical" / self.chunks.name

    def sentence_vectors_path(self) -> Path:
        """The SQLite file of sentence vectors kept for answer selection (`vector_cache`): one per collection,
        whose name changes with the embedding model."""
        return self.settings.index_dir / "sentence_vectors" / f"{self.chunks.name}.sqlite"

    def derived_dir(self) -> Path:
        """The folder of data derived from exactly the committed content (the saved BM25 copy and what
        selection keeps beside it): named by `fingerprint()`, so it is replaced when the content changes. It
        exists once the lexical index was saved."""
        return self.lexical_dir() / self.fingerprint()

    def is_empty(self) -> bool:
        return self.catalog.count() == 0

    def first_build_unfinished(self) -> bool:
        """Was the first build from the bundled corpus interrupted (a first `assistant search` killed or stopped
        with Ctrl-C)? The index then holds only the papers committed so far, and the next start completes it."""
        return (self.catalog.metadata or {}).get(_FIRST_BUILD) == "started"

    def mark_first_build(self, state: str) -> None:
        """Record the first build's state ("started", "done") in the catalog's metadata, beside the papers."""
        self.catalog.modify(metadata={**(self.catalog.metadata or {}), _FIRST_BUILD: state})

    def all_chunks(self) -> list[Chunk]:
        """Chunks of committed papers, for the lexical index."""
        return self._committed_chunks(_get_all(self.chunks, ["documents", "metadatas"]))

    def chunks_by_id(self, chunk_ids: list[str]) -> list[Chunk]:
        """These chunks of committed papers, in the order asked."""
        if not chunk_ids:
            return []
        records = self.chunks.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        found = {chunk.chunk_id: chunk for chunk in self._committed_chunks(records)}
        return [found[cid] for cid in chunk_ids if cid in found]

    def _committed_chunks(self, records: dict) -> list[Chunk]:
        """The chunk records of committed papers; orphans of an interrupted write are left out."""
        committed = self.papers()
        return [_chunk_from_record(cid, text, meta)
                for cid, text, meta in zip(records["ids"], records["documents"], records["metadatas"], strict=True)
                if meta["paper_id"] in committed]

    def query(self, vector, n: int, paper_ids: list[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity, optionally restricted to some papers."""
        total = self._counts()[1]
        if total == 0 or n <= 0:
            return []
        where = {"paper_id": {"$in": paper_ids}} if paper_ids is not None else None
        if paper_ids is not None and not paper_ids:
            return []
        result = self.chunks.query(
            query_embeddings=[list(map(float, vector))],
            n_results=min(n, total),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        committed = self.papers()
        hits = []
        for cid, text, meta, dist in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        ):
            if meta["paper_id"] in committed:
                hits.append((_chunk_from_record(cid, text, meta), 1.0 - float(dist)))
        return hits

    def version(self) -> tuple[int, int, int]:
        """Changes with every write through this index (and with the counts, when another process writes), so
        caches know to rebuild."""
        return *self._counts(), self._writes

    def _counts(self) -> tuple[int, int]:
        """(papers, chunks) stored, re-read after every write of this process and otherwise at most every
        `_COUNTS_FRESH_S` seconds: a count is a scan in Chroma (8 ms at 100k chunks), and a search needs it."""
        now = time.monotonic()
        if self._counted is None or now - self._counted[0] > _COUNTS_FRESH_S:
            self._counted = (now, self.catalog.count(), self.chunks.count())
        return self._counted[1], self._counted[2]

    # --- writing ------------------------------------------------------------
    def ingest(
        self,
        papers: Iterable[Paper],
        chunker: Callable[[Paper], list[Chunk]],
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Add new papers, replace changed ones, skip unchanged ones.

        Papers are embedded in groups so the encoder sees full batches; each group's chunks are written before
        its catalog records. The encoder works on a second thread (it releases the GIL) and goes from one group
        to the next without a gap: each group is chunked here while the one before it is encoded, and written
        while the one after it is encoded, so neither chunking nor Chroma's writes wait for the encoder or
        keep it waiting.
        """
        report = IngestReport()
        existing = self._stored_hashes()

        def groups() -> Iterator[list[tuple[Paper, str]]]:
            pending: list[tuple[Paper, str]] = []
            for paper in papers:
                digest = paper.content_hash()
                previous = existing.get(paper.paper_id)
                if previous == digest:
                    report.skipped += 1
                    if progress:
                        progress(1)
                    continue
                if previous is None:
                    report.added += 1
                else:
                    report.updated += 1
                existing[paper.paper_id] = digest
                pending.append((paper, digest))
                if len(pending) >= _PAPERS_PER_WRITE:
                    yield pending
                    pending = []
            if pending:
                yield pending

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode") as encoder:
            in_flight = None
            for group in groups():
                chunks = [(paper, chunk) for paper, _ in group for chunk in chunker(paper)]
                prepared = encoder.submit(self._encode, group, chunks)
                if in_flight:
                    self._write_papers(*in_flight, progress)
                in_flight = (group, prepared)
            if in_flight:
                self._write_papers(*in_flight, progress)
        return report

    def remove(self, paper_ids: list[str]) -> None:
        """Delete papers: catalog records first (the commit marker), then their chunks, so an interruption
        leaves only orphan chunks that search ignores and the next removal or ingest clears."""
        if not paper_ids:
            return
        try:
            self.catalog.delete(ids=list(paper_ids))
            self.chunks.delete(where={"paper_id": {"$in": list(paper_ids)}})
        except Exception as exc:
            raise IndexStoreError(f"removing {len(paper_ids)} papers from the index failed: {exc}",
                                  "run the removal again; papers not yet removed are still searchable") from exc
        finally:
            self._papers = None
            self._writes += 1
            self._counted = None

    def _stored_hashes(self) -> dict[str, str]:
        records = _get_all(self.catalog, ["metadatas"])
        return {pid: meta["content_hash"] for pid, meta in zip(records["ids"], records["metadatas"], strict=True)}

    def _encode(self, group: list[tuple[Paper, str]], chunks: list[tuple[Paper, Chunk]]):
        """The vectors of the group's chunks and titles; every sentence's vector goes into the store answer
        selection reads (when kept at ingest), so no first question about these papers waits for them."""
        texts = [f"{paper.title}. {chunk.text}" for paper, chunk in chunks] + [paper.title for paper, _ in group]
        vectors = self.embedder.encode_bulk(texts)
        if self._keep_at_ingest:
            self.sentence_vectors.keep(list(dict.fromkeys(
                paper.text[start:end] for paper, chunk in chunks for start, end in chunk.sentence_spans)))
        return chunks, vectors

    def _write_papers(
        self,
        group: list[tuple[Paper, str]],
        prepared: Future,
        progress: Callable[[int], None] | None,
    ) -> None:
        try:
            chunks, vectors = prepared.result()
            chunk_vectors, title_vectors = vectors[: len(chunks)], vectors[len(chunks):]
            self.chunks.delete(where={"paper_id": {"$in": [paper.paper_id for paper, _ in group]}})
            for start in range(0, len(chunks), _BATCH):
                part = chunks[start : start + _BATCH]
                self.chunks.add(
                    ids=[c.chunk_id for _, c in part],
                    documents=[c.text for _, c in part],
                    embeddings=chunk_vectors[start : start + _BATCH],
                    metadatas=[_chunk_metadata(c, paper) for paper, c in part],
                )
            self.catalog.upsert(
                ids=[paper.paper_id for paper, _ in group],
                documents=[paper.title for paper, _ in group],
                embeddings=title_vectors,
                metadatas=[
                    {"paper": paper.model_dump_json(), "content_hash": digest, "year": paper.year or 0}
                    for paper, digest in group
                ],
            )
        except Exception as exc:
            first = group[0][0].paper_id
            raise IndexStoreError(
                f"writing {len(group)} papers (from '{first}') to the index failed: {exc}",
                "papers written before them are kept; fix the cause and run ingest again",
            ) from exc
        finally:
            self._papers = None
            self._writes += 1
            self._counted = None
        if progress:
            progress(len(group))


def _get_all(collection, include: list[str]) -> dict[str, list]:
    """Every record of a collection, read in pages: one unpaged `get` of tens of thousands of records fails in
    Chroma's SQLite layer ("too many SQL variables")."""
    records: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    while True:
        page = collection.get(include=include, limit=_READ_PAGE, offset=len(records["ids"]))
        for field in records:
            records[field].extend(page[field])
        if len(page["ids"]) < _READ_PAGE:
            return records


def _chunk_metadata(chunk: Chunk, paper: Paper) -> dict:
    return {
        "paper_id": chunk.paper_id,
        "position": chunk.position,
        "start": chunk.start,
        "end": chunk.end,
        "sentence_spans": json.dumps(chunk.sentence_spans),
        "year": paper.year or 0,
    }


def _chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        paper_id=meta["paper_id"],
        position=int(meta["position"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        sentence_spans=[tuple(span) for span in json.loads(meta["sentence_spans"])],
    )
