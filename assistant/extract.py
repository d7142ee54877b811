"""Structured fields from one paper, and papers compared field by field; every value sits in its exact quote.

A field is a question ("Which base model is it built on?"). The fitted selector ranks the
paper's sentences for it and decides, as for `ask`, whether the best one states an answer;
when it does not, the field stays empty: a cell the paper does not state is never guessed.
The value is cut from the quote by what the question asks: the bound number for "how many",
the names for "which", the whole sentence otherwise. An OpenAI-compatible model may pick the
value instead; a value that does not occur in its quote is discarded and the extractive value
stands. Results are cached on disk by paper content, schema, provider and selector, so a second
run costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from .evidence import EvidenceLedger
from .llm import invoke_text, make_chat_model, provider_label
from .finalize import renumber
from .models import Citation, Comparison, ComparisonRow, Extraction, FieldValue, Paper, PaperFields
from .prompts import render
from .question import bound_numbers, profile_question
from .review import third_person
from .selection import Candidate, Selector
from .text import named_entities, normalise_whitespace, sentence_spans, written_numbers
from .verify import verify_answer

__all__ = ["FieldSpec", "field_specs", "extract_paper", "compare_papers"]

_NAME_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-+]*[A-Za-z0-9+]|[A-Za-z0-9]")
_MAX_NAMES = 4
_MAX_SENTENCES = 400  # a full text is read through its best chunks for each field, not sentence by sentence
_CHUNKS_PER_FIELD = 6
_MODEL_SENTENCES = 8  # what a model reads per field: enough of an abstract that the answer is among them


@dataclass(frozen=True)
class FieldSpec:
    name: str
    question: str


def field_specs(schema: type[BaseModel] | dict | None = None, only: list[str] | None = None) -> list[FieldSpec]:
    """Fields of a pydantic model or a JSON schema (`properties` with `description`s), optionally only some.

    A field without a description asks "What is the <name> of the paper?"; a name in `only` that the
    schema lacks is asked the same way, so `--fields "sample size"` works without a schema file.
    """
    if schema is None:
        schema = PaperFields
    properties = schema.model_json_schema()["properties"] if isinstance(schema, type) else schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        raise ValueError("the schema has no 'properties': give a JSON schema of an object with named fields")
    specs = {name: FieldSpec(name, (spec or {}).get("description") or _default_question(name))
             for name, spec in properties.items()}
    if only:
        return [specs.get(name) or FieldSpec(name, _default_question(name)) for name in only]
    return list(specs.values())


def _default_question(name: str) -> str:
    return f"What is the {name.replace('_', ' ')} of the paper?"


def schema_name(schema: type[BaseModel] | dict | None) -> str:
    if schema is None:
        return PaperFields.__name__
    return schema.__name__ if isinstance(schema, type) else str(schema.get("title") or "schema")


def extract_paper(paper: Paper, specs: list[FieldSpec], *, retriever, selector: Selector, settings,
                  schema_label: str = "PaperFields", cache_dir: Path | None = None) -> Extraction:
    """Every field of `specs` for one paper, from the on-disk cache when this paper, schema and model were done."""
    label = provider_label(settings)
    key = _cache_key(paper, specs, label, selector)
    cached = _read_cache(cache_dir, key)
    if cached is not None:
        return cached.model_copy(update={"cached": True})
    papers = retriever.index.papers()
    writer = make_chat_model(settings) if settings.provider != "local" else None
    fields = {}
    for spec in specs:
        ranked, answers = _rank(paper, spec.question, retriever, selector, papers)
        value = _extractive_value(spec.question, ranked[0].text) if answers and ranked else None
        quote = ranked[0].text if value else None
        if writer is not None and ranked:
            chosen = _model_value(spec, ranked[:_MODEL_SENTENCES], writer, settings)
            if chosen is not None:
                value, quote = chosen
        fields[spec.name] = FieldValue(value=value, quote=quote)
    result = Extraction(paper_id=paper.paper_id, title=paper.title, fields=fields, schema_name=schema_label,
                        provider=label)
    _write_cache(cache_dir, key, result)
    return result


def _rank(paper: Paper, question: str, retriever, selector: Selector, papers) -> tuple[list[Candidate], bool]:
    """The paper's sentences ranked for the question by the fitted selector, and whether the best one answers it."""
    spans = sentence_spans(paper.text)
    if len(spans) > _MAX_SENTENCES:
        vector = retriever.embedder.encode([question])[0]
        chunks = [c for c, _ in retriever.index.query(vector, _CHUNKS_PER_FIELD, [paper.paper_id])]
        spans = sorted({tuple(s) for c in chunks for s in c.sentence_spans})
    found = [Candidate(paper, start, end, 0) for start, end in spans]
    selection = selector.decide(profile_question(question), found, retriever.embedder, papers)
    return selection.ranked, selection.answers


def _extractive_value(question: str, quote: str) -> str | None:
    """The part of the quote that answers: the asked number as written, the names for a "which", else the quote."""
    profile = profile_question(question)
    if profile.kind in ("count", "quantity"):
        bound = bound_numbers(profile, quote)
        written = [surface for surface, canonical in written_numbers(quote) if canonical in bound]
        return ", ".join(dict.fromkeys(written)) or None
    if profile.kind == "name":
        asked = {w.lower() for w in named_entities(question)}
        names = named_entities(quote) - asked
        written = [t for t in _NAME_TOKEN.findall(quote)
                   if any(t.lower() == n or t.lower().startswith(f"{n}-") for n in names)]  # "Huatuo-o1-8B" whole
        return ", ".join(list(dict.fromkeys(written))[:_MAX_NAMES]) or None
    return normalise_whitespace(quote)


def _model_value(spec: FieldSpec, ranked: list[Candidate], writer, settings) -> tuple[str, str] | None:
    """The model's value when it occurs, as written, in the sentence it names; None otherwise."""
    from langchain_core.messages import HumanMessage, SystemMessage

    numbered = "\n".join(f"[{i}] {c.text}" for i, c in enumerate(ranked, start=1))
    reply = invoke_text(writer, [SystemMessage(render("extract.system")),
                                 HumanMessage(render("extract.user", question=spec.question, sentences=numbered))],
                        settings)
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    try:
        parsed = json.loads(match.group(0)) if match else {}
        value, number = str(parsed.get("value") or "").strip(), int(parsed.get("sentence") or 0)
    except (ValueError, TypeError, AttributeError):
        return None
    if not value or not 1 <= number <= len(ranked):
        return None
    quote = ranked[number - 1].text
    return (value, quote) if value.lower() in quote.lower() else None


def _cache_key(paper: Paper, specs: list[FieldSpec], label: str, selector: Selector) -> str:
    payload = json.dumps({"paper": paper.content_hash(), "fields": [(s.name, s.question) for s in specs],
                          "model": label, "selector": selector.meta.get("fitted")}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _read_cache(cache_dir: Path | None, key: str) -> Extraction | None:
    path = cache_dir / f"{key}.json" if cache_dir else None
    if path is None or not path.is_file():
        return None
    try:
        return Extraction.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a damaged cache entry is recomputed, never an error


def _write_cache(cache_dir: Path | None, key: str, result: Extraction) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / f"{key}.tmp"
        temporary.write_text(result.model_dump_json(), encoding="utf-8")
        temporary.replace(cache_dir / f"{key}.json")
    except OSError:
        pass  # a read-only disk costs a recomputation next time, nothing else


def compare_papers(extractions: list[Extraction], papers: dict[str, Paper], fields: list[str],
                   min_coverage: float) -> Comparison:
    """Rows of cells, and a summary built from the cells' quotes (one verified sentence per paper and field
    that at least two papers state), numbered as citations."""
    rows = [ComparisonRow(paper_id=e.paper_id, title=e.title, cells={f: e.fields.get(f, FieldValue()) for f in fields})
            for e in extractions]
    ledger = EvidenceLedger()
    sentences = []
    for name in fields:
        stated = [(row, row.cells[name]) for row in rows if row.cells[name].quote]
        if len(stated) < 2:
            continue
        for row, cell in stated:
            paper = papers[row.paper_id]
            start = paper.text.find(cell.quote)
            if start < 0:
                continue
            item = ledger.add(paper, start, start + len(cell.quote))
            sentences.append(third_person(cell.quote, f"[{item.n}]"))
    checked = verify_answer(" ".join(dict.fromkeys(sentences)), ledger, min_coverage)
    order: dict[int, int] = {}
    summary = " ".join(renumber(kept, order) for kept in checked.kept)
    citations = [Citation(n=new, paper_id=ledger.get(old).paper_id, title=ledger.get(old).title,
                          quote=ledger.get(old).quote) for old, new in order.items()]
    return Comparison(fields=fields, rows=rows, summary=summary, citations=citations, removed=checked.removed)
