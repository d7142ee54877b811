"""Structured fields from one paper, and papers compared field by field; every value sits in its exact quote.

A field is a question ("Which base model is it built on?"). Every value the paper could give (a web
address, a number as written, a run of name-like words, a data term of the vocabulary) is a candidate, scored for the field by a
logistic model fitted on hand-labelled papers of both corpora (`python -m assistant.evaluation.fit_extractor`,
`data/extractor.json`): how close the question is to the sentence and to the words around the value,
which kind of value the question asks for, whether the value is the paper's own name. The best
candidate fills the field when its probability clears the fitted threshold; otherwise the answer
selector may still accept a whole sentence, as for `ask`; else the field stays empty: a cell the
paper does not state is never guessed. An OpenAI-compatible model may pick the value instead; a value
that does not occur in its quote is discarded and the extractive value stands. Results are cached on
disk by paper content, schema, provider and fitted models, so a second run costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from .evidence import EvidenceLedger
from .llm import invoke_text, make_chat_model, provider_label
from .finalize import renumber
from .models import Citation, Comparison, ComparisonRow, Extraction, FieldValue, Paper, PaperFields
from .prompts import render
from .question import bound_numbers, profile_question
from .review import third_person
from .selection import Candidate, LinearModel, Selector
from .text import (
    content_words, is_list_marker, named_entities, normalise_number, normalise_whitespace, number_spans,
    terms_match, written_numbers,
)
from .verify import verify_answer
from .vocabulary import vocabulary

__all__ = [
    "FieldSpec", "FieldReading", "SpanCandidate", "field_specs", "value_spans", "span_candidates", "read_paper",
    "choose_span", "cache_dir_for", "extract_paper", "compare_papers", "SPAN_FEATURES", "SPAN_MODEL_PATH",
    "load_span_model",
]

SPAN_MODEL_PATH = Path(__file__).resolve().parent / "data" / "extractor.json"

_NAME_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-+]*[A-Za-z0-9+]|[A-Za-z0-9]")
_MAX_NAMES = 4
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
        return [FieldSpec(name, (specs.get(name) or specs.get(_field_key(name))
                                 or FieldSpec(name, _default_question(name))).question) for name in only]
    return list(specs.values())


def _field_key(name: str) -> str:
    """"base model" and "Base-Model" name the schema field `base_model`."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _default_question(name: str) -> str:
    return f"What is the {name.replace('_', ' ')} of the paper?"


def schema_name(schema: type[BaseModel] | dict | None) -> str:
    if schema is None:
        return PaperFields.__name__
    return schema.__name__ if isinstance(schema, type) else str(schema.get("title") or "schema")


# --- candidate values and their features ------------------------------------------------------
_URL = re.compile(r"(?:https?://|www\.)[^\s()<>\"']+[^\s()<>\"'.,;:]"
                  r"|\b(?:github|gitlab|huggingface)\.(?:com|co)/[^\s()<>\"']+[^\s()<>\"'.,;:]", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9][\w.\-+/]*[\w+]|[A-Za-z0-9]")
_WINDOW = 80  # characters either side of a value that say what it is ("trained on", "parameters")
_YEAR = re.compile(r"(?:19|20)\d\d")
_ADJACENT = 30  # the few words right next to it ("the MIMIC-CXR dataset", "800,000 images")
_QUESTION_KINDS = ("count", "name", "other")
_SPAN_KINDS = ("url", "number", "name", "term")
SPAN_FEATURES = [
    "cos_sentence", "sentence_rank", "cos_gap", "cos_window", "question_terms_near", "in_title", "log_frequency",
    "position", "log_length", "question_terms_adjacent", "bound_number", "is_percent", "is_year",
    "log_magnitude", "in_parentheses",
] + [f"asks_{q}_gets_{k}" for q in _QUESTION_KINDS for k in _SPAN_KINDS]


@dataclass(frozen=True)
class SpanCandidate:
    """A value a field could take: its text as written, its kind, and where it sits in the sentences read."""

    value: str
    kind: str
    sentence: int
    start: int
    end: int


def _name_like(token: str, first: bool) -> bool:
    """Acronyms, CamelCase and names with digits anywhere; a capitalised word only when it does not open the
    sentence ("Stable Diffusion", "Florence-2", "MRI", not "We")."""
    if not any(ch.isalpha() for ch in token):
        return False
    if any(ch.isupper() or ch.isdigit() for ch in token[1:]):
        return True
    return token[0].isupper() and not first


def value_spans(sentence: str) -> list[tuple[str, str, int, int]]:
    """(value, kind, start, end) of every web address, number as written, run of name-like words and data term of
    the vocabulary (`data_terms`: modalities and data types, which papers write in lower case)."""
    found = [(m.group(0), "url", m.start(), m.end()) for m in _URL.finditer(sentence)]
    taken = [(start, end) for _, _, start, end in found]
    numbers = {(start, end): surface for surface, start, end in number_spans(sentence)
               if not any(a <= start < b for a, b in taken) and not is_list_marker(sentence, start, end)}
    names: list[list[int]] = []
    joinable = False
    for m in _TOKEN.finditer(sentence):
        if any(a <= m.start() < b for a, b in taken) or (m.start(), m.end()) in numbers:
            joinable = False  # "0.23B Florence-2": the size is a number, the name starts after it
            continue
        if not _name_like(m.group(0), m.start() == 0):
            joinable = False
            continue
        if joinable and sentence[names[-1][1]:m.start()] == " ":
            names[-1][1] = m.end()
        else:
            names.append([m.start(), m.end()])
        joinable = True
    for (start, end), surface in numbers.items():
        if not any(a <= start and end <= b for a, b in names):  # "50" of "ResNet-50" is part of a name
            found.append((surface, "number", start, end))
    terms = [(m.start(), m.end()) for m in _term_pattern(vocabulary().data_terms).finditer(sentence)
             if not any(a <= m.start() < b for a, b in taken)] if vocabulary().data_terms else []
    found += [(sentence[a:b], "name", a, b) for a, b in names if (a, b) not in terms]  # "MRI" is a kind of data
    found += [(sentence[a:b], "term", a, b) for a, b in terms]
    return sorted(found, key=lambda f: (f[2], -f[3]))


@lru_cache(maxsize=4)
def _term_pattern(terms: frozenset[str]) -> re.Pattern:
    """The vocabulary's data terms as whole words, longest first ("chest x-rays" before "x-ray")."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _question_kind(question: str) -> str:
    kind = profile_question(question).kind
    return "count" if kind in ("count", "quantity") else kind if kind in _QUESTION_KINDS else "other"


def span_candidates(sentences: list[str]) -> list[SpanCandidate]:
    return [SpanCandidate(value, kind, i, start, end)
            for i, sentence in enumerate(sentences) for value, kind, start, end in value_spans(sentence)]


def span_features(question: str, question_vector: np.ndarray, sentences: list[str], sentence_vectors: np.ndarray,
                  spans: list[SpanCandidate], window_vectors: np.ndarray, title: str, text: str) -> list[dict]:
    """One feature row per candidate value for one field; general signals, no field names or word lists."""
    profile = profile_question(question)
    asked = _question_kind(question)
    terms = sorted(content_words(question) - {"paper", "does", "it", "its"})
    cosines = sentence_vectors @ question_vector
    order = {i: rank for rank, i in enumerate(np.argsort(-cosines))}
    best = float(cosines.max()) if len(cosines) else 0.0
    lowered_title, lowered_text = title.lower(), text.lower()
    bound = {i: bound_numbers(profile, sentence) for i, sentence in enumerate(sentences)} if asked == "count" else {}
    near_question = window_vectors @ question_vector
    rows = []
    for index, span in enumerate(spans):
        sentence = sentences[span.sentence]
        near = content_words(sentence[max(0, span.start - _WINDOW):span.end + _WINDOW])
        adjacent = content_words(sentence[max(0, span.start - _ADJACENT):span.end + _ADJACENT])
        value = span.value.lower()
        canonical = normalise_number(span.value) if span.kind == "number" else ""
        magnitude = float(canonical.rstrip("%")) if canonical and _is_float(canonical.rstrip("%")) else 0.0
        row = {
            "cos_sentence": float(cosines[span.sentence]),
            "sentence_rank": 1.0 / (1 + order[span.sentence]),
            "cos_gap": float(cosines[span.sentence]) - best,
            "cos_window": float(near_question[index]),
            "question_terms_near": _share(terms, near),
            "question_terms_adjacent": _share(terms, adjacent),
            "in_title": float(value in lowered_title),
            "log_frequency": math.log1p(lowered_text.count(value)),
            "position": span.sentence / max(1, len(sentences) - 1),
            "log_length": math.log1p(len(span.value.split())),
            "bound_number": float(bool(canonical) and canonical in bound.get(span.sentence, set())),
            "is_percent": float(canonical.endswith("%")),
            "is_year": float(bool(_YEAR.fullmatch(span.value))),
            "log_magnitude": math.log10(1 + abs(magnitude)),
            "in_parentheses": float(sentence[span.start - 1:span.start] == "(" and sentence[span.end:span.end + 1] == ")"),
        }
        row.update({f"asks_{q}_gets_{k}": float(q == asked and k == span.kind)
                    for q in _QUESTION_KINDS for k in _SPAN_KINDS})
        rows.append(row)
    return rows


def _share(terms: list[str], words: set[str]) -> float:
    return sum(terms_match(t, words) for t in terms) / len(terms) if terms else 0.0


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _windows(sentences: list[str], spans: list[SpanCandidate]) -> list[str]:
    """The words around each value, the value masked so the window says what it is, not which it is."""
    return [sentences[s.sentence][max(0, s.start - _WINDOW):s.start] + " _ "
            + sentences[s.sentence][s.end:s.end + _WINDOW] for s in spans]


@lru_cache(maxsize=4)
def load_span_model(path: Path = SPAN_MODEL_PATH) -> tuple[LinearModel, dict]:
    """The fitted span model; `meta["fingerprint"]` hashes the file, so the extraction cache notices a refit."""
    text = Path(path).read_text(encoding="utf-8")
    raw = json.loads(text)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    return LinearModel(**raw["span"]), {**raw.get("meta", {}), "fingerprint": fingerprint}


@dataclass(frozen=True)
class FieldReading:
    """What the span model sees of one paper: the sentences read, their candidate values, and per field one
    feature row per candidate. Shared by extraction and by the fitter, so both see the same signals."""

    sentences: list[str]
    spans: list[SpanCandidate]
    rows: dict[str, list[dict]]


def read_paper(paper: Paper, specs: list[FieldSpec], retriever) -> FieldReading:
    text = paper.text
    spans = retriever.paper_spans(paper, [spec.question for spec in specs])
    sentences = [text[start:end] for start, end in spans]
    candidates = span_candidates(sentences)
    if not candidates:
        return FieldReading(sentences, [], {spec.name: [] for spec in specs})
    vectors = retriever.embedder.encode([spec.question for spec in specs] + sentences
                                        + _windows(sentences, candidates))
    questions, rest = vectors[:len(specs)], vectors[len(specs):]
    sentence_vectors, window_vectors = rest[:len(sentences)], rest[len(sentences):]
    rows = {spec.name: span_features(spec.question, question, sentences, sentence_vectors, candidates,
                                     window_vectors, paper.title, text)
            for spec, question in zip(specs, questions, strict=True)}
    return FieldReading(sentences, candidates, rows)


def cache_dir_for(settings) -> Path:
    return settings.extraction_cache_dir or Path(settings.index_dir) / "extractions"


def extract_paper(paper: Paper, specs: list[FieldSpec], *, retriever, selector: Selector, settings,
                  schema_label: str = "PaperFields", cache_dir: Path | None = None,
                  use_model: bool = True) -> Extraction:
    """Every field of `specs` for one paper, from the on-disk cache when this paper, schema and model were done.

    `use_model=False` keeps to the fitted extractive decision even with an OpenAI-compatible provider: the
    agent's tools use it, because the model calling them reads the quotes itself."""
    label = provider_label(settings) if use_model else "extractive"
    span_model, span_meta = load_span_model(settings.extractor_path or SPAN_MODEL_PATH)
    key = _cache_key(paper, specs, label, selector, span_meta)
    cached = _read_cache(cache_dir, key)
    if cached is not None:
        return cached.model_copy(update={"cached": True})
    papers = retriever.index.papers()
    writer = make_chat_model(settings) if settings.provider != "local" and use_model else None
    reading = read_paper(paper, specs, retriever)
    fields = {}
    for spec in specs:
        value, quote = span_value(reading, spec.name, span_model)
        ranked: list[Candidate] = []
        if value is None or writer is not None:
            ranked, answers = _rank(paper, spec.question, retriever, selector, papers)
            if value is None and answers and ranked:
                value = _extractive_value(spec.question, ranked[0].text)
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


def span_value(reading: FieldReading, field: str, model: LinearModel) -> tuple[str | None, str | None]:
    """The field's value and quote by the fitted span model; (None, None) when no candidate clears its threshold."""
    rows = reading.rows.get(field) or []
    return choose_span(reading, [model.probability(row) for row in rows], model.threshold)


def choose_span(reading: FieldReading, probabilities: list[float], threshold: float) -> tuple[str | None, str | None]:
    """The best candidate when it clears the threshold, with the other values of its kind in the same sentence
    that clear it too ("MRI, CT")."""
    if not probabilities or max(probabilities) < threshold:
        return None, None
    top = reading.spans[int(np.argmax(probabilities))]
    values = [reading.spans[i].value for i in np.argsort(probabilities)[::-1]
              if probabilities[i] >= threshold and reading.spans[i].sentence == top.sentence
              and reading.spans[i].kind == top.kind]
    return ", ".join(list(dict.fromkeys(values))[:_MAX_NAMES]), reading.sentences[top.sentence]


def _rank(paper: Paper, question: str, retriever, selector: Selector, papers) -> tuple[list[Candidate], bool]:
    """The paper's sentences ranked for the question by the fitted selector, and whether the best one answers it."""
    found = [Candidate(paper, start, end, 0) for start, end in retriever.paper_spans(paper, [question])]
    selection = selector.decide(profile_question(question), found, retriever.sentence_encoder, papers)
    return selection.ranked, selection.best_answers


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


def _cache_key(paper: Paper, specs: list[FieldSpec], label: str, selector: Selector, span_meta: dict) -> str:
    payload = json.dumps({"paper": paper.content_hash(), "fields": [(s.name, s.question) for s in specs],
                          "model": label, "selector": selector.meta.get("fingerprint"),
                          "spans": span_meta.get("fingerprint"), "terms": sorted(vocabulary().data_terms)},
                         sort_keys=True)
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
