"""The agent's tools. Their docstrings are the descriptions the model reads.

Every tool registers the sentences it shows in the question's EvidenceLedger
and prints them as "[n] ...", so whatever the model cites can be verified
against exactly what it saw. Arguments are validated by pydantic; a bad call
comes back to the model as an error message, never as an exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, Field

from .evidence import EvidenceLedger
from .models import Chunk, Paper, Step
from .retrieve import ChunkHit, Retriever, SearchFilters
from .selection import Selector
from .text import named_entities, numbers, sentence_spans

__all__ = ["build_tools", "NamesAndNumbers", "extract_paper_fields"]


class SearchArgs(BaseModel):
    query: str = Field(min_length=2, description="what to look for: words, a name, a number")
    k: int = Field(default=5, ge=1, le=20, description="how many papers")
    year_from: int | None = Field(default=None, ge=1900, le=2100)
    year_to: int | None = Field(default=None, ge=1900, le=2100)


class PaperArgs(BaseModel):
    paper_id: str = Field(min_length=1, description="a paper_id returned by search_papers")


class CompareArgs(BaseModel):
    paper_ids: list[str] = Field(min_length=2, max_length=6, description="two or more paper_ids")
    aspects: list[str] = Field(min_length=1, max_length=6, description="e.g. ['dataset size', 'base model']")


class NumberFact(BaseModel):
    value: str
    sentence_n: int


class NamesAndNumbers(BaseModel):
    """What the `extract_fields` tool shows a tool-calling model: every name and number with its numbered sentence."""

    paper_id: str
    title: str
    year: int | None
    names: list[str] = Field(description="systems, datasets and models the text names")
    numbers: list[NumberFact] = Field(description="every number with the evidence sentence stating it")


def extract_paper_fields(paper: Paper, ledger: EvidenceLedger) -> NamesAndNumbers:
    title_names = named_entities(paper.title)
    names: list[str] = []
    facts: list[NumberFact] = []
    for start, end in sentence_spans(paper.text):
        sentence = paper.text[start:end]
        found = sorted(numbers(sentence))
        ents = [e for e in named_entities(sentence) if e not in names]
        if found or ents:
            n = ledger.add(paper, start, end).n
            facts += [NumberFact(value=v, sentence_n=n) for v in found]
            names += ents
    return NamesAndNumbers(
        paper_id=paper.paper_id, title=paper.title, year=paper.year,
        names=sorted(set(names) | title_names), numbers=facts,
    )


def build_tools(retriever: Retriever, ledger: EvidenceLedger, steps: list[Step], selector: Selector,
                max_papers: int, found: list[ChunkHit] | None = None) -> list:
    """The agent's tools; what they show is numbered in `ledger`, logged in `steps` and kept in `found`.

    `found` collects every retrieved chunk and every opened paper in the order the model saw them,
    so the answer is decided over what the model actually read, without retrieving again.
    """
    papers = retriever.index.papers
    found = found if found is not None else []

    def opened(paper: Paper) -> None:
        """A paper the model read whole counts as found, once."""
        if all(hit.paper.paper_id != paper.paper_id for hit in found):
            chunk = Chunk(chunk_id=f"{paper.paper_id}#read", paper_id=paper.paper_id, position=0, text=paper.text,
                          start=0, end=len(paper.text), sentence_spans=sentence_spans(paper.text))
            found.append(ChunkHit(chunk, paper, 0.0, None, None))

    def lookup(paper_id: str) -> Paper:
        paper = papers().get(paper_id)
        if paper is None:
            raise ToolException(f"unknown paper_id '{paper_id}'; use an id returned by search_papers")
        return paper

    def record(name: str, args: dict, summary: str) -> None:
        steps.append(Step(tool=name, args=args, summary=summary))

    def search_papers(query: str, k: int = 5, year_from: int | None = None, year_to: int | None = None) -> str:
        """Search the indexed papers (meaning + exact words and numbers). Returns papers with numbered evidence sentences."""
        hits = retriever.search_chunks(query, k * 4, SearchFilters(year_from=year_from, year_to=year_to))
        found.extend(hits)
        ranked = selector.select(query, hits, retriever.embedder, papers(), max(k, max_papers)).ranked
        lines, per_paper = [], {}
        for sentence in ranked:
            shown = per_paper.setdefault(sentence.paper.paper_id, [])
            if len(shown) < 2:
                shown.append(ledger.add(sentence.paper, sentence.start, sentence.end, sentence.probability))
        for pid, items in per_paper.items():
            paper = papers()[pid]
            lines.append(f"paper_id={pid} | {paper.title} ({paper.year or 'n.d.'})")
            lines += [f"  [{e.n}] {e.quote}" for e in items]
        record("search_papers", {"query": query, "k": k, "year_from": year_from, "year_to": year_to},
               f"{len(per_paper)} papers")
        return "\n".join(lines) or "no matching papers"

    def get_paper(paper_id: str) -> str:
        """Fetch one paper: its metadata and every sentence of its text, numbered."""
        paper = lookup(paper_id)
        opened(paper)
        items = [ledger.add(paper, s, e) for s, e in sentence_spans(paper.text)]
        record("get_paper", {"paper_id": paper_id}, paper.title)
        meta = {"paper_id": paper.paper_id, "title": paper.title, "year": paper.year,
                "author_count": paper.author_count, "organisation": paper.organisation}
        return json.dumps(meta) + "\n" + "\n".join(f"[{e.n}] {e.quote}" for e in items)

    def compare_papers(paper_ids: list[str], aspects: list[str]) -> str:
        """Compare papers on named aspects: for each aspect, the sentence of each paper that best addresses it."""
        chosen = [lookup(pid) for pid in paper_ids]
        for paper in chosen:
            opened(paper)
        lines = []
        for aspect in aspects:
            lines.append(f"aspect: {aspect}")
            for paper in chosen:
                spans = sentence_spans(paper.text)
                scores = retriever.embedder.encode([aspect, *[paper.text[s:e] for s, e in spans]])
                best = int((scores[1:] @ scores[0]).argmax())
                item = ledger.add(paper, *spans[best])
                lines.append(f"  {paper.paper_id}: [{item.n}] {item.quote}")
        record("compare_papers", {"paper_ids": paper_ids, "aspects": aspects}, f"{len(chosen)} papers")
        return "\n".join(lines)

    def extract_fields(paper_id: str) -> str:
        """Extract structured fields (names, numbers with their evidence sentence) from one paper."""
        paper = lookup(paper_id)
        opened(paper)
        fields = extract_paper_fields(paper, ledger)
        record("extract_fields", {"paper_id": paper_id}, f"{len(fields.numbers)} numbers")
        quoted = {f.sentence_n for f in fields.numbers}
        evidence = "\n".join(f"[{n}] {ledger.get(n).quote}" for n in sorted(quoted))
        return fields.model_dump_json() + "\n" + evidence

    specs: list[tuple[Callable, type[BaseModel]]] = [
        (search_papers, SearchArgs), (get_paper, PaperArgs), (compare_papers, CompareArgs), (extract_fields, PaperArgs)
    ]
    return [
        StructuredTool.from_function(
            func=func, args_schema=schema, handle_tool_error=True, handle_validation_error=_validation_message
        )
        for func, schema in specs
    ]


def _validation_message(error: Exception) -> str:
    return f"invalid arguments: {error}. Fix them and call the tool again."
