"""Hybrid retrieval: dense vectors from Chroma + BM25, fused by reciprocal rank.

Dense vectors find paraphrases; BM25 finds the exact names and numbers
("MedReason", "32,682") that dense vectors blur. Reciprocal rank fusion needs
no score calibration between the two.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from .config import Settings
from .embeddings import Embedder
from .index import PaperIndex
from .lexical import LexicalIndex, load_or_build
from .models import Chunk, Paper, SearchHit
from .text import STOPWORDS, content_words, exact_names, named_entities, numbers, sentence_spans, tokens

__all__ = ["Retriever", "ChunkHit", "SearchFilters"]

_LONG_PAPER_SENTENCES = 400  # past this a paper is read through its chunks nearest the question, not whole
_CHUNKS_PER_QUERY = 6


@dataclass(frozen=True)
class SearchFilters:
    year_from: int | None = None
    year_to: int | None = None
    source: str | None = None

    def active(self) -> bool:
        return any(v is not None for v in (self.year_from, self.year_to, self.source))

    def admits(self, paper: Paper) -> bool:
        if self.year_from is not None and (paper.year is None or paper.year < self.year_from):
            return False
        if self.year_to is not None and (paper.year is None or paper.year > self.year_to):
            return False
        if self.source is not None and self.source not in {paper.source, *paper.sources}:
            return False
        return True


@dataclass
class ChunkHit:
    chunk: Chunk
    paper: Paper
    score: float
    dense_rank: int | None
    lexical_rank: int | None


class Retriever:
    def __init__(self, settings: Settings, index: PaperIndex, embedder: Embedder) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.sentence_encoder = (index.sentence_vectors if index.sentence_vectors is not None
                                 else embedder)  # what answer selection embeds
        self._bm25: LexicalIndex | None = None
        self._bm25_version: tuple[int, int, int] | None = None
        self._bm25_lock = threading.Lock()  # the web UI searches from several threads

    def _lexical(self) -> LexicalIndex:
        """The BM25 index of the committed chunks: loaded from its saved copy, or built (and saved) when the
        index changed. Swapped whole under a lock: the web UI searches from several threads."""
        with self._bm25_lock:
            version = self.index.version()
            if self._bm25 is None or version != self._bm25_version:
                self._bm25 = load_or_build(self.index.lexical_dir(), self.index.fingerprint(), self._chunk_texts)
                self._bm25_version = version
            return self._bm25

    def _chunk_texts(self) -> tuple[list[str], list[str]]:
        papers = self.index.papers()
        chunks = self.index.all_chunks()
        return [c.chunk_id for c in chunks], [f"{papers[c.paper_id].title} {c.text}" for c in chunks]

    def _lexical_ranking(self, query: str, pool: int) -> list[Chunk]:
        return self.index.chunks_by_id(self._lexical().rank(query, pool))

    def search_chunks(self, query: str, k: int, filters: SearchFilters | None = None) -> list[ChunkHit]:
        filters = filters or SearchFilters()
        papers = self.index.papers()
        allowed = [pid for pid, p in papers.items() if filters.admits(p)] if filters.active() else None
        pool = max(self.settings.candidate_pool, k)
        vector = self.embedder.encode([query])[0]
        dense = [chunk for chunk, _ in self.index.query(vector, pool, allowed)]
        lexical = [c for c in self._lexical_ranking(query, pool * 2) if allowed is None or c.paper_id in allowed]
        lexical = lexical[:pool]
        fused: dict[str, ChunkHit] = {}
        for rank, chunk in enumerate(dense):
            hit = fused.setdefault(chunk.chunk_id, ChunkHit(chunk, papers[chunk.paper_id], 0.0, None, None))
            hit.dense_rank = rank + 1
        for rank, chunk in enumerate(lexical):
            hit = fused.setdefault(chunk.chunk_id, ChunkHit(chunk, papers[chunk.paper_id], 0.0, None, None))
            hit.lexical_rank = rank + 1
        weight = _lexical_weight(query)
        asked = {n for n in numbers(query) if len(n) >= 3}  # "32,682" is a key; the "2" of "Part 2" is not
        exact = [c for c in lexical if asked and asked <= numbers(c.text)]
        named = _naming(lexical, exact_names(query), papers)
        paper_scores = _paper_fusion(
            [(dense, 1.0), (lexical, weight), (exact, 1.0), (named, 1.0)], self.settings.rrf_k
        )
        for hit in fused.values():
            own = _rrf(hit.dense_rank, 1.0, self.settings.rrf_k) + _rrf(hit.lexical_rank, weight, self.settings.rrf_k)
            hit.score = paper_scores[hit.chunk.paper_id] + own / 100  # the paper decides; its chunks tie-break
        return sorted(fused.values(), key=lambda h: -h.score)[:k]

    def paper_spans(self, paper: Paper, queries: list[str]) -> list[tuple[int, int]]:
        """The sentences of one paper worth reading for these queries: every sentence of an abstract-sized text;
        of a long full text, those of its chunks nearest each query (the queries are embedded only then)."""
        spans = sentence_spans(paper.text)
        if len(spans) <= _LONG_PAPER_SENTENCES:
            return spans
        vectors = self.embedder.encode(queries)
        chunks = [c for vector in vectors for c, _ in self.index.query(vector, _CHUNKS_PER_QUERY, [paper.paper_id])]
        return sorted({(start, end) for c in chunks for start, end in c.sentence_spans})

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Best chunk per paper, best papers first."""
        hits = self.search_chunks(query, k * 4, filters)
        best: dict[str, ChunkHit] = {}
        for hit in hits:
            best.setdefault(hit.paper.paper_id, hit)
        return [
            SearchHit(
                paper_id=hit.paper.paper_id,
                title=hit.paper.title,
                score=round(hit.score, 6),
                year=hit.paper.year,
                snippet=_snippet(hit, query),
            )
            for hit in list(best.values())[:k]
        ]


def _rrf(rank: int | None, weight: float, k: int) -> float:
    return 0.0 if rank is None else weight / (k + rank)


def _paper_fusion(rankings: list[tuple[list[Chunk], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion over papers, not chunks.

    A paper whose title chunk matches the meaning and whose second chunk holds
    the exact number must not be split into two half-scored hits. The third and
    fourth rankings, chunks holding every number and every name the query asks
    about as written, make a lookup ("32,682", "LEADS") land on the paper that
    states it.
    """
    scores: dict[str, float] = {}
    for ranking, share in rankings:
        for rank, paper_id in enumerate(dict.fromkeys(c.paper_id for c in ranking), start=1):
            scores[paper_id] = scores.get(paper_id, 0.0) + share / (k + rank)
    return scores


def _naming(ranking: list[Chunk], names: set[str], papers: dict[str, Paper]) -> list[Chunk]:
    """Chunks whose paper writes every asked name exactly as asked: "LEADS", not "leads to"."""
    if not names:
        return []
    patterns = [re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])") for name in names]
    return [c for c in ranking if all(p.search(f"{papers[c.paper_id].title} {c.text}") for p in patterns)]


def _lexical_weight(query: str) -> float:
    """Trust BM25 more when the query is made of exact names and numbers.

    A query like "32,682" or "MedReason" is a lookup, where the exact match is
    what the user wants; a descriptive question is better served by meaning.
    """
    words = [t for t in tokens(query) if t not in STOPWORDS]
    if not words:
        return 1.0
    exact = 2 * len(numbers(query)) + len(named_entities(query))  # a number is the rarest, surest key
    return 1.0 + min(1.0, exact / len(words))


def _snippet(hit: ChunkHit, query: str, limit: int = 300) -> str:
    """The chunk sentence sharing most words with the query."""
    wanted = content_words(query)
    text = hit.paper.text
    best = max(
        hit.chunk.sentence_spans,
        key=lambda span: len(wanted & content_words(text[span[0]:span[1]])),
    )
    sentence = text[best[0]:best[1]]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
