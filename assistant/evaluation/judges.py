"""Support checks behind the citation metrics: "do these evidence texts support this sentence?"

The eval must not grade the product with the product's own filter, so the
default judge, `LexicalJudge`, has its own rules (below) and imports nothing of
the answering code: a sentence the verifier let through is checked again by
different rules. It is the only judge CI gates on. `LLMJudge` asks an
OpenAI-compatible endpoint at temperature 0 and caches every verdict by prompt
hash, because judge scores drift between runs even at temperature 0; it is
optional and report-only. Both describe themselves (rules, model, threshold)
so every results.json and report records which judge produced which number.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Protocol

from langchain_core.messages import HumanMessage

from ..config import Settings
from ..llm import invoke_text, make_chat_model
from ..prompts import render
from .text_rules import content_stems, numbers, split_sentences, stem, words

__all__ = ["SupportJudge", "LexicalJudge", "LLMJudge"]


class SupportJudge(Protocol):
    name: str

    def supports(self, claim: str, evidence: list[str]) -> bool: ...

    def describe(self) -> dict: ...


# English, not field words: what negates a statement and which words state a direction.
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|without|cannot|unable|lack(?:s|ed|ing)?|absence|fail(?:s|ed)? to)\b"
    r"|n['’]t\b",
    re.I,
)
_OPPOSITES = [
    ("increase increased increases increasing rise rises rose elevated", "decrease decreased decreases decreasing "
     "reduce reduced reduces reducing reduction reductions decline declined fall fell lowered"),
    ("higher highest", "lower lowest"),
    ("more", "less fewer"),
    ("improve improved improves improving improvement", "worsen worsened worsens worsening deteriorated"),
    ("better best", "worse worst"),
    ("larger largest greater greatest", "smaller smallest"),
    ("longer longest", "shorter shortest"),
    ("superior", "inferior"),
    ("outperform outperforms outperformed", "underperform underperforms underperformed"),
    ("positive positively", "negative negatively inverse inversely"),
    ("widen widens widened wider", "narrow narrows narrowed narrower"),
]
_DIRECTIONS = [({stem(w) for w in up.split()}, {stem(w) for w in down.split()}) for up, down in _OPPOSITES]
_NAME = re.compile(r"[A-Za-z0-9]*(?:[a-z][A-Z]|[A-Z]{2}|[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*")


def _names(text: str) -> set[str]:
    """Name-like tokens: an upper-case letter after the first character, or letters beside digits
    ("MedReason", "CT", "GPT-4o" -> "gpt", "4o"); a capitalised first word is no name."""
    return {m.group(0).lower() for m in _NAME.finditer(text) if not m.group(0).isdigit()}


def _negations(text: str) -> int:
    return len(_NEGATION.findall(text))


def _direction_flip(claim: str, source: str) -> str | None:
    """A direction word of the claim whose opposite the source uses instead ("higher" vs "lower")."""
    said, stated = {stem(w) for w in words(claim)}, {stem(w) for w in words(source)}
    for up, down in _DIRECTIONS:
        for mine, other in ((up, down), (down, up)):
            if said & mine and stated & other and not stated & mine:
                return f"says '{sorted(said & mine)[0]}' where the evidence says '{sorted(stated & other)[0]}'"
    return None


class LexicalJudge:
    """Support by the eval's own lexical rules, never `assistant.verify`.

    A claim is supported by the evidence texts it cites (quotes and titles, taken together) when:

    1. there is evidence: a claim citing nothing is unsupported;
    2. every number of the claim is in the evidence, normalised ("32,682" = "32682", "1.6M" = "1.6 million");
    3. every name-like token (CamelCase, acronym, letters beside digits) is a word of the evidence
       (case-insensitive, a plural "s" either side allowed);
    4. at least `min_coverage` of the claim's content stems (own stopwords, Snowball English stemmer; see
       text_rules) are stems of the evidence;
    5. the claim and the evidence sentence covering most of its stems agree on negation: both or neither
       carry a cue (not, no, never, none, neither, nor, without, cannot, unable, lack, absence, fail to, n't);
    6. the claim states no direction (higher, increased, improved, more, better, ...) whose opposite that
       sentence states instead.

    Rules 5 and 6 compare whole sentences, not scoped windows: a claim that drops a negated clause of its
    quote is rejected, which errs towards "unsupported". Swapped numbers and reversed comparisons
    ("A beats B" for "B beats A") are not seen.
    """

    name = "lexical"

    def __init__(self, min_coverage: float = 0.7) -> None:
        self.min_coverage = min_coverage

    def reason(self, claim: str, evidence: list[str]) -> str | None:
        """Why the evidence does not support the claim, or None when it does."""
        if not evidence:
            return "cites no evidence"
        joined = " ".join(evidence)
        missing = numbers(claim) - numbers(joined)
        if missing:
            return f"number {sorted(missing)[0]} is not in the evidence"
        evidence_words = set(words(joined))
        for name in sorted(_names(claim)):
            if not {name, name.removesuffix("s"), f"{name}s"} & evidence_words:
                return f"name '{name}' is not in the evidence"
        stems = content_stems(claim)
        if not stems:
            return None
        coverage = len(stems & content_stems(joined)) / len(stems)
        if coverage < self.min_coverage:
            return f"only {coverage:.0%} of its content words are in the evidence"
        sentences = [s for text in evidence for s in split_sentences(text)]
        best = max(sentences, key=lambda s: len(stems & content_stems(s)), default="")
        if _negations(claim) != _negations(best):
            return f"{_negations(claim)} negation(s) where the evidence has {_negations(best)}"
        return _direction_flip(claim, best)

    def supports(self, claim: str, evidence: list[str]) -> bool:
        return self.reason(claim, evidence) is None

    def describe(self) -> dict:
        return {"name": self.name, "check": "assistant.evaluation.judges.LexicalJudge (own rules, not the verifier)",
                "rules": "numbers, names, content-stem coverage, negation and direction vs the best evidence sentence",
                "threshold": self.min_coverage}


class LLMJudge:
    """Yes/no support verdicts from a chat model; an unparseable reply counts as "no" and is tallied."""

    name = "llm"

    def __init__(self, settings: Settings, cache_path: Path) -> None:
        self.settings = settings.model_copy(update={"provider": "openai", "temperature": 0.0, "max_answer_tokens": 4})
        self.cache_path = cache_path
        self.cache: dict[str, str] = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
        self.unparseable = 0
        self._model = None

    def supports(self, claim: str, evidence: list[str]) -> bool:
        if not evidence:
            return False
        prompt = render("judge.user", evidence="\n".join(evidence), claim=claim)
        key = hashlib.sha256(f"{self.settings.model}\n{prompt}".encode()).hexdigest()
        reply = self.cache.get(key)
        if reply is None:
            if self._model is None:
                self._model = make_chat_model(self.settings)
            reply = invoke_text(self._model, [HumanMessage(prompt)], self.settings).strip().lower()
            self.cache[key] = reply
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self.cache_path.write_text(json.dumps(self.cache, indent=0, sort_keys=True))
        if not reply.startswith(("yes", "no")):
            self.unparseable += 1
        return reply.startswith("yes")

    def describe(self) -> dict:
        return {
            "name": self.name, "model": self.settings.model, "base_url": self.settings.openai_base_url,
            "temperature": 0.0, "threshold": "reply starts with 'yes'", "unparseable_replies": self.unparseable,
            "cache": str(self.cache_path),
        }
