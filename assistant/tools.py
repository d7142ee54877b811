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
from .extract import cache_dir_for, extract_paper, field_specs
from .models import Chunk, Extraction, Paper, Step
from .retrieve import ChunkHit, Retriever, SearchFilters
from .selection import Selector
from .text import sentence_spans

__all__ = ["build_tools"]


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


class ExtractArgs(BaseModel):
    paper_id: str = Field(min_length=1, description="a paper_id returned by search_papers")
    fields: list[str] | None = Field(default=None, max_length=9, description="e.g. ['datasets', 'model size']; "
                                     "default: task, modality, method, base model, datasets, sizes, metrics, code")


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
        ranked = selector.select(query, hits, retriever.sentence_encoder, papers(), max(k, max_papers)).ranked
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

    def extracted(paper: Paper, fields: list[str] | None) -> Extraction:
        """The fields of `extract` (same fitted decision and cache), without asking a model again."""
        return extract_paper(paper, field_specs(None, only=fields), retriever=retriever, selector=selector,
                             settings=retriever.settings, cache_dir=cache_dir_for(retriever.settings),
                             use_model=False)

    def show(paper: Paper, name: str, result: Extraction, fallback: bool) -> str:
        """One field as "value [n]" with its quote numbered; unstated fields say so, with the closest sentence
        when `fallback` (a comparison needs something to compare)."""
        cell = result.fields[name]
        if cell.value and cell.quote:
            start = paper.text.find(cell.quote)
            item = ledger.add(paper, start, start + len(cell.quote))
            return f"{cell.value} [{item.n}] {item.quote}"
        if not fallback:
            return "not stated"
        spans = sentence_spans(paper.text)
        vectors = retriever.embedder.encode([name.replace("_", " "), *[paper.text[a:b] for a, b in spans]])
        item = ledger.add(paper, *spans[int((vectors[1:] @ vectors[0]).argmax())])
        return f"no value stated; closest sentence [{item.n}] {item.quote}"

    def compare_papers(paper_ids: list[str], aspects: list[str]) -> str:
        """Compare papers on named aspects: for each aspect, each paper's stated value with its numbered sentence."""
        chosen = [lookup(pid) for pid in paper_ids]
        results = {}
        for paper in chosen:
            opened(paper)
            results[paper.paper_id] = extracted(paper, aspects)
        lines = []
        for aspect in aspects:
            lines.append(f"aspect: {aspect}")
            lines += [f"  {paper.paper_id}: {show(paper, aspect, results[paper.paper_id], fallback=True)}"
                      for paper in chosen]
        record("compare_papers", {"paper_ids": paper_ids, "aspects": aspects}, f"{len(chosen)} papers")
        return "\n".join(lines)

    def extract_fields(paper_id: str, fields: list[str] | None = None) -> str:
        """Extract structured fields from one paper: each stated value with its numbered evidence sentence."""
        paper = lookup(paper_id)
        opened(paper)
        result = extracted(paper, fields)
        stated = sum(cell.value is not None for cell in result.fields.values())
        record("extract_fields", {"paper_id": paper_id, "fields": fields}, f"{stated} of {len(result.fields)} stated")
        return f"paper_id={paper.paper_id} | {paper.title} ({paper.year or 'n.d.'})\n" + "\n".join(
            f"  {name}: {show(paper, name, result, fallback=False)}" for name in result.fields)

    specs: list[tuple[Callable, type[BaseModel]]] = [
        (search_papers, SearchArgs), (get_paper, PaperArgs), (compare_papers, CompareArgs), (extract_fields, ExtractArgs)
    ]
    return [
        StructuredTool.from_function(
            func=func, args_schema=schema, handle_tool_error=True, handle_validation_error=_validation_message
        )
        for func, schema in specs
    ]


def _validation_message(error: Exception) -> str:
    return f"invalid arguments: {error}. Fix them and call the tool again."
