"""Evidence: exact sentences of indexed papers, numbered for citation.

The ledger hands every sentence a tool or the plan shows the model a stable
number; the verifier later checks each cited [n] against exactly that text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .embeddings import Embedder
from .models import Evidence, Paper
from .question import QuestionProfile, answer_tokens, answers_question, keyword_share, match_terms
from .retrieve import ChunkHit

__all__ = ["EvidenceLedger", "ScoredSentence", "rank_sentences"]


@dataclass
class EvidenceLedger:
    """Numbers evidence in the order it is first shown; the same sentence keeps its number."""

    items: list[Evidence] = field(default_factory=list)
    papers: dict[str, Paper] = field(default_factory=dict)

    def add(self, paper: Paper, start: int, end: int, score: float = 0.0) -> Evidence:
        for item in self.items:
            if item.paper_id == paper.paper_id and item.start == start and item.end == end:
                return item
        item = Evidence(
            n=len(self.items) + 1,
            paper_id=paper.paper_id,
            title=paper.title,
            quote=paper.text[start:end],
            start=start,
            end=end,
            score=score,
        )
        self.items.append(item)
        self.papers[paper.paper_id] = paper
        return item

    def get(self, n: int) -> Evidence | None:
        return self.items[n - 1] if 1 <= n <= len(self.items) else None


@dataclass
class ScoredSentence:
    paper: Paper
    start: int
    end: int
    score: float
    answers: bool
    reason: str

    @property
    def text(self) -> str:
        return self.paper.text[self.start:self.end]


def _candidate_spans(hits: list[ChunkHit], max_papers: int) -> list[tuple[Paper, float, list[tuple[int, int]]]]:
    """Per paper (best first): every sentence of its retrieved chunks."""
    by_paper: dict[str, tuple[Paper, float, list[tuple[int, int]]]] = {}
    for hit in hits:
        pid = hit.paper.paper_id
        if pid not in by_paper:
            if len(by_paper) >= max_papers:
                continue
            by_paper[pid] = (hit.paper, hit.score, [])
        spans = by_paper[pid][2]
        for span in hit.chunk.sentence_spans:
            if tuple(span) not in spans:
                spans.append(tuple(span))
    return list(by_paper.values())


def rank_sentences(
    profile: QuestionProfile,
    hits: list[ChunkHit],
    embedder: Embedder,
    max_papers: int,
    min_context: float,
) -> list[ScoredSentence]:
    """Score every candidate sentence; sentences that answer the question come first.

    Score = meaning (cosine to the question) + the asked attribute's presence +
    the names the question asks about + the question's own wording in the
    sentence + the paper's retrieval strength, so a sentence about the
    question's subject beats background from a neighbour or the same paper.
    """
    candidates = _candidate_spans(hits, max_papers)
    flat = [(paper, rank, span) for rank, (paper, _, spans) in enumerate(candidates) for span in spans]
    if not flat:
        return []
    texts = [paper.text[s:e] for paper, _, (s, e) in flat]
    vectors = embedder.encode([profile.text, *texts])
    similarity = vectors[1:] @ vectors[0]
    scored = []
    for (paper, rank, (start, end)), text, cosine in zip(flat, texts, similarity, strict=True):
        ok, reason = answers_question(profile, text, paper, min_context)
        attribute = match_terms(profile.attribute, text) if profile.attribute else 0.0
        context = match_terms(profile.context, f"{paper.title} {text}")
        bound = 0.2 if profile.kind in ("count", "quantity") and answer_tokens(profile, text, paper) else 0.0
        subject = 0.3 * match_terms(profile.entities, text) if profile.entities else 0.0
        wording = 0.3 * keyword_share(profile, text)
        score = float(cosine) + 0.4 * attribute + 0.3 * context + subject + wording + 0.15 / (1 + rank) + bound
        scored.append(ScoredSentence(paper, start, end, score, ok, reason))
    scored.sort(key=lambda s: (not s.answers, -s.score))
    return scored
