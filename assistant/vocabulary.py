"""The field's words, read from one replaceable data file (`assistant/data/vocabulary.json`).

Answering and verification need a few lists no paper teaches: which acronyms
name kinds of things rather than systems, which units measure, which words
negate. They live in data so a user in another field can swap them
(`ASSISTANT_VOCABULARY_PATH`) without touching code. This module imports
nothing of the project, so every layer may read it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Vocabulary", "VocabularyError", "DEFAULT_VOCABULARY", "load_vocabulary", "use_vocabulary", "vocabulary"]

DEFAULT_VOCABULARY = Path(__file__).resolve().parent / "data" / "vocabulary.json"


class Vocabulary(BaseModel):
    """Every list the code reads; all lower-case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str = ""
    kind_acronyms: frozenset[str] = Field(description="acronyms naming kinds of things (CT, LLM), never a system")
    synonyms: dict[str, frozenset[str]] = Field(description="ways papers state an asked attribute")
    units: frozenset[str] = Field(description="units a number may be measured in (hours, GB)")
    metrics: frozenset[str] = Field(description="quantities asked for with 'what is the X' (accuracy, AUC)")
    method_nouns: frozenset[str] = Field(
        default=frozenset(), description="no longer read (the kind of answer asked is read by the fitted "
        "`asked.py`); accepted so that older vocabulary files still load")
    negation_cues: frozenset[str] = Field(description="words that negate a statement")
    negative_prefixes: list[str] = Field(description="prefixes that flip a word's polarity (un-, dis-)")
    antonyms: list[tuple[str, str]] = Field(description="word pairs of opposite meaning (increase, decrease)")
    study_designs: frozenset[str] = Field(description="study-design and method terms a claim may not add")
    causal_terms: frozenset[str] = Field(
        default=frozenset(), description="words that state a cause (caused, causal): a claim may not add one to "
        "evidence that reports only an association")
    instruction_cues: frozenset[str] = Field(description="phrases that mark an instruction, not a statement")
    contribution_verbs: frozenset[str] = Field(
        default=frozenset(), description="verbs with which authors state their contribution (propose, introduce)")
    finding_cues: frozenset[str] = Field(
        default=frozenset(), description="words that state a finding (outperforms, reduced, associated): a sentence "
        "with one and no citation is an uncited claim in `assistant check`")
    data_terms: frozenset[str] = Field(
        default=frozenset(), description="kinds of data a paper may work on (modalities, data types, specimen "
        "kinds), offered as extracted values even when written in lower case (\"chest x-ray\", \"histopathology\")")

    def options(self, term: str) -> set[str]:
        """The term and the ways papers state it."""
        return {term, *self.synonyms.get(term, ())}


class VocabularyError(ValueError):
    """A vocabulary file that cannot be read; config turns it into a ConfigError."""


@lru_cache(maxsize=8)
def load_vocabulary(path: Path = DEFAULT_VOCABULARY) -> Vocabulary:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return Vocabulary.model_validate(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise VocabularyError(f"vocabulary file {path} cannot be read: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "?"
        raise VocabularyError(f"vocabulary file {path}: field '{field}' {first['msg']}") from None


_active: list[Path] = [DEFAULT_VOCABULARY]


def use_vocabulary(path: Path | None) -> Vocabulary:
    """Make the file at `path` (default: the bundled one) the vocabulary every module reads."""
    loaded = load_vocabulary(Path(path) if path else DEFAULT_VOCABULARY)
    _active[0] = Path(path) if path else DEFAULT_VOCABULARY
    return loaded


def vocabulary() -> Vocabulary:
    """The vocabulary in use."""
    return load_vocabulary(_active[0])
