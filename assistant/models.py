"""Typed records that cross every boundary: loaders, index, agent, CLI, API and UI.

`model_dump()` of these objects is exactly what `--json` prints, so the CLI,
the Python API and the UI cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, Field, computed_field

from .bibliography import bibtex_entries, latex_citations, latex_escape

__all__ = [
    "Paper",
    "Problem",
    "LoadResult",
    "Chunk",
    "SearchHit",
    "IngestReport",
    "RebuildReport",
    "Evidence",
    "Citation",
    "RemovedSentence",
    "Step",
    "Answer",
    "AnswerStatus",
    "RemoveReport",
    "ProviderStatus",
    "EvalRun",
    "Reference",
    "Theme",
    "ReviewParagraph",
    "ReviewStyle",
    "Review",
    "PaperFields",
    "FieldValue",
    "Extraction",
    "ComparisonRow",
    "Comparison",
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


class RebuildReport(IngestReport):
    """What `rebuild_index` did: where the old index folder was moved, and the new index's ingest counts."""

    moved_to: str | None = Field(default=None, description="the old folder, kept aside (None if there was none)")


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


class RemoveReport(BaseModel):
    """What `remove` did: ids taken out of the index, and ids that were not in it."""

    removed: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)


class ProviderStatus(BaseModel):
    """Which model answers and whether it can be reached now."""

    provider: str
    model: str = Field(description="provider label, e.g. local:<file> or openai:<model>@<base url>")
    base_url: str | None = None
    reachable: bool
    detail: str = ""


class EvalRun(BaseModel):
    """One finished eval suite: where its report and plots are, and its headline numbers per system."""

    suite: str
    corpus: str
    split: str
    provider: str
    report: str = Field(description="path of the written report (Markdown)")
    plots: list[str] = Field(default_factory=list, description="paths of the report's PNG plots")
    summary: dict[str, dict[str, float | None]] = Field(
        default_factory=dict, description="system -> metric -> value over every item of the run")


class Reference(BaseModel):
    """A cited paper as a bibliography needs it; `key` is the BibTeX key `.latex()` cites."""

    n: int
    key: str
    paper_id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    url: str | None = None


class Theme(BaseModel):
    name: str
    paper_ids: list[str]


class ReviewParagraph(BaseModel):
    theme: str
    text: str = Field(description="verified sentences with [n] markers")


ReviewStyle = Literal["related-work", "mini-review"]


class Review(BaseModel):
    """A related-work section or mini-review: one verified paragraph per theme, every sentence cited."""

    topic: str
    style: ReviewStyle = "related-work"
    text: str = Field(description="Markdown: each paragraph opens with its theme in bold; [n] markers cite")
    paragraphs: list[ReviewParagraph] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    removed: list[RemovedSentence] = Field(default_factory=list)
    status: AnswerStatus = "success"
    references: list[Reference] = Field(default_factory=list)
    provider: str = ""
    timings: dict[str, float] = Field(default_factory=dict)

    def bibtex(self) -> str:
        """The cited papers as BibTeX, keyed as `.latex()` cites them."""
        unique = {ref.key: ref for ref in reversed(self.references)}  # two quotes of one paper: one entry
        return bibtex_entries([ref.model_dump() for ref in sorted(unique.values(), key=lambda r: r.n)])

    def latex(self) -> str:
        """One \\paragraph per theme; [n] markers become \\cite{key} with the keys of `.bibtex()`."""
        keys = {ref.n: ref.key for ref in self.references}
        return "\n\n".join(
            f"\\paragraph{{{latex_escape(p.theme)}}} {latex_citations(p.text, keys)}" for p in self.paragraphs
        ) + "\n"


class PaperFields(BaseModel):
    """The default schema: what a reader of most empirical papers wants in a table. Each description is the
    question the field answers."""

    task: str | None = Field(None, description="What task or problem does the paper address?")
    modality: str | None = Field(None, description="Which data or imaging modality does it use?")
    method: str | None = Field(None, description="What method or model does the paper propose?")
    base_model: str | None = Field(None, description="Which base model is it built on or fine-tuned from?")
    datasets: str | None = Field(None, description="Which datasets does it train or evaluate on?")
    dataset_size: str | None = Field(None, description="How many samples, images, patients or cases does its data contain?")
    metrics: str | None = Field(None, description="Which metric and result does it report?")
    model_size: str | None = Field(None, description="How many parameters does the model have?")
    code_release: str | None = Field(None, description="Where are its code, data or models released?")


class FieldValue(BaseModel):
    """One extracted field: the value as the paper writes it and the exact sentence it occurs in; both None when
    the paper does not state it (never guessed)."""

    value: str | None = None
    quote: str | None = None


class Extraction(BaseModel):
    paper_id: str
    title: str
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    schema_name: str = Field(default="PaperFields", description="the schema the fields follow")
    provider: str = ""
    cached: bool = Field(default=False, description="read from the on-disk cache, not computed again")


class ComparisonRow(BaseModel):
    paper_id: str
    title: str
    cells: dict[str, FieldValue] = Field(default_factory=dict)


class Comparison(BaseModel):
    """Papers side by side: a row per paper, a cell per field with its quote, and a verified summary."""

    fields: list[str]
    rows: list[ComparisonRow] = Field(default_factory=list)
    summary: str = Field(default="", description="verified sentences with [n] markers on where the papers agree and differ")
    citations: list[Citation] = Field(default_factory=list)
    removed: list[RemovedSentence] = Field(default_factory=list)

    def to_csv(self) -> str:
        """One row per paper: paper_id, title, then each field's value and its quote."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["paper_id", "title", *[c for f in self.fields for c in (f, f"{f}_quote")]])
        for row in self.rows:
            cells = [row.cells.get(f, FieldValue()) for f in self.fields]
            writer.writerow([row.paper_id, row.title, *[v for c in cells for v in (c.value or "", c.quote or "")]])
        return buffer.getvalue()

    def to_markdown(self) -> str:
        """A table of values (empty where the paper is silent), then the summary."""
        def cell(text: str | None) -> str:
            return (text or "").replace("|", "\\|").replace("\n", " ")

        lines = ["| paper | " + " | ".join(self.fields) + " |", "|---" * (len(self.fields) + 1) + "|"]
        for row in self.rows:
            lines.append(f"| {cell(row.title)} | " + " | ".join(cell(row.cells.get(f, FieldValue()).value)
                                                           for f in self.fields) + " |")
        return "\n".join(lines) + (f"\n\n{self.summary}" if self.summary else "")


CheckVerdict = Literal["supported", "unsupported", "contradicted", "not_indexed", "uncited_claim"]
CHECK_VERDICTS: tuple[str, ...] = get_args(CheckVerdict)  # the order totals are counted and shown in


class CheckEvidence(BaseModel):
    """The best-matching sentence of one paper for a manuscript sentence."""

    paper_id: str
    title: str
    quote: str


class CheckedSentence(BaseModel):
    text: str
    keys: list[str] = Field(default_factory=list, description="citation keys the sentence carries, as written")
    papers: list[str | None] = Field(default_factory=list, description="the indexed paper of each key; null when "
                                     "the key resolves to no indexed paper")
    verdict: CheckVerdict
    reason: str = Field(default="", description="the number, name or term at fault, or why it was not judged")
    evidence: list[CheckEvidence] = Field(default_factory=list, description="the best quote of each cited paper")
    supported_by: list[str] = Field(default_factory=list, description="indexed papers, not cited, that do support "
                                    "the sentence")
    hint: str | None = Field(default=None, description="e.g. 'cited [smith24], but this number is stated by [lee25]'")


class CheckReport(BaseModel):
    """Every cited sentence of a manuscript judged against the papers it cites, and its uncited claims."""

    format: str = Field(description="latex, markdown or plain")
    sentences: list[CheckedSentence] = Field(default_factory=list)
    totals: dict[str, int] = Field(default_factory=dict, description="sentences read, checked, and per verdict")
    unresolved_keys: list[str] = Field(default_factory=list, description="keys that match no indexed paper")
    suggestion: str | None = Field(default=None, description="what to do about keys that are not indexed")
    problems: list[Problem] = Field(default_factory=list, description="BibTeX entries that could not be read")

    def flagged(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.verdict != "supported"]
