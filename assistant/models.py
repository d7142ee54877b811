"""Typed records that cross every boundary: loaders, index, agent, CLI, API and UI.

`model_dump()` of these objects is exactly what `--json` prints, so the CLI,
the Python API and the UI cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, computed_field

__all__ = [
    "Paper",
    "Problem",
    "LoadResult",
    "Chunk",
    "SearchHit",
    "IngestReport",
    "Evidence",
    "Citation",
    "RemovedSentence",
    "Step",
    "Answer",
    "AnswerStatus",
]


class Paper(BaseModel):
    """One paper, however it arrived (dump, JSONL, BibTeX, PDF, arXiv)."""

    paper_id: str = Field(description="arXiv id when known, else a slug of the normalised title")
    title: str
    abstract: str = ""
    full_text: str | None = Field(default=None, description="body text when the source has it (PDF)")
    authors: list[str] = Field(default_factory=list)
    author_count: int | None = None
    organisation: str | None = None
    published: date | None = None
    upvotes: int | None = None
    source: str = Field(default="", description="file (or 'arxiv') the paper was first read from")
    sources: list[str] = Field(default_factory=list, description="every file the paper appeared in")
    url: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None

    @property
    def text(self) -> str:
        """The body that is chunked and quoted: full text when there is one, else the abstract."""
        return self.full_text or self.abstract

    def content_hash(self) -> str:
        """Changes whenever anything indexed about the paper changes; drives idempotent ingest."""
        payload = self.model_dump(mode="json", exclude={"sources", "source"})
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class Problem(BaseModel):
    """Something wrong in the input, reported to the user without stopping the batch."""

    file: str
    line: int | None = None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class LoadResult(BaseModel):
    papers: list[Paper] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)


class Chunk(BaseModel):
    """A window of a paper's text sized for the embedding model."""

    chunk_id: str
    paper_id: str
    position: int = Field(description="0-based order of the chunk within the paper")
    text: str
    start: int = Field(description="offset of the chunk in Paper.text")
    end: int
    sentence_spans: list[tuple[int, int]] = Field(
        description="(start, end) of each sentence, as offsets into Paper.text"
    )


class SearchHit(BaseModel):
    """One search result; its model_dump() is the `assistant search --json` row."""

    paper_id: str
    title: str
    score: float
    year: int | None
    snippet: str


class IngestReport(BaseModel):
    added: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[Problem] = Field(default_factory=list)


class Evidence(BaseModel):
    """An exact sentence from an indexed paper that an answer may cite."""

    n: int = Field(description="the [n] marker the answer uses for this evidence")
    paper_id: str
    title: str
    quote: str
    start: int = Field(description="offset of the quote in the paper's text")
    end: int
    score: float = 0.0


class Citation(BaseModel):
    n: int
    paper_id: str
    title: str
    quote: str


class RemovedSentence(BaseModel):
    sentence: str
    reason: str


class Step(BaseModel):
    """One tool call the agent made, shown in the UI and kept for evals."""

    tool: str
    args: dict = Field(default_factory=dict)
    summary: str = ""


AnswerStatus = Literal["success", "unsure", "fail"]


class Answer(BaseModel):
    question: str
    answer: str = Field(description="text with [n] markers that refer to citations")
    abstained: bool = False
    status: AnswerStatus = "success"
    citations: list[Citation] = Field(default_factory=list)
    removed: list[RemovedSentence] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    closest_papers: list[SearchHit] = Field(default_factory=list)
    raw_answer: str = Field(default="", description="the model's text before verification")
    evidence: list[Evidence] = Field(
        default_factory=list, description="what the model was shown, numbered as raw_answer cites it"
    )
    provider: str = ""
    timings: dict[str, float] = Field(default_factory=dict)
