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
from .text_rules import content_stems, number_spans, numbers, split_sentences, stem, words

__all__ = ["SupportJudge", "LexicalJudge", "LLMJudge"]


class SupportJudge(Protocol):
    name: str

    def supports(self, claim: str, evidence: list[str]) -> bool: ...

    def describe(self) -> dict: ...


# English, not field words: what negates a statement, what addresses the reader, and which words state a
# direction of change or its absence (superlatives left out: "best: GPT-5" names a winner, not a direction).
_NEGATION_CUES = {"not", "no", "never", "none", "neither", "nor", "without", "cannot", "unable", "lack", "lacks",
                  "lacked", "lacking", "absence", "fail", "fails", "failed"}
_NEGATIVE_PREFIXES = ("non", "un", "in", "im", "ir", "il", "dis")
_READER = {"you", "your", "yours", "yourself"}
_DIRECTION_WORDS = {
    "up": "increase increased increases increasing rise rises rose risen raise raised raises elevated higher greater larger longer "
          "improve improved improves improving improvement better superior outperform outperforms outperformed gain "
          "gains enhanced boosted exceeded surpassed widen widens widened wider positive positively",
    "down": "decrease decreased decreases decreasing reduce reduced reduces reducing reduction decline declined fall "
            "fell drop dropped lower lowered smaller shorter worsen worsened worsens worsening worse "
            "deteriorated inferior underperform underperforms underperformed impaired narrow narrows narrowed narrower negative negatively "
            "inverse inversely",
    "same": "comparable similar similarly equivalent equal unchanged",
}
_DIRECTIONS = {kind: {stem(w) for w in text.split()} for kind, text in _DIRECTION_WORDS.items()}
_CLAUSE = re.compile(r"[,;:()]|\b(?:while|whereas)\b")
_NUMBER_SIDE = 2  # words either side of a number that say what it counts
_NAME = re.compile(r"[A-Za-z0-9]*(?:[a-z][A-Z]|[A-Z]{2}|[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*")


def _names(text: str) -> set[str]:
    """Name-like tokens: an upper-case letter after the first character, or letters beside digits
    ("MedReason", "CT", "GPT-4o" -> "gpt", "4o"); a capitalised first word is no name."""
    return {m.group(0).lower() for m in _NAME.finditer(text) if not m.group(0).isdigit()}


def _sequence(text: str) -> list[tuple[str, str]]:
    """The text as ("number", value) and ("word", word) items in reading order."""
    items: list[tuple[str, str]] = []
    position = 0
    for start, end, value in number_spans(text):
        items += [("word", w) for w in words(text[position:start])] + [("number", value)]
        position = end
    return items + [("word", w) for w in words(text[position:])]


def _number_sides(text: str) -> list[tuple[str, set[str], set[str]]]:
    """(number, content stems just before it, just after it) for each number, not reaching past another number."""
    items = _sequence(text)
    out = []
    for i, (kind, value) in enumerate(items):
        if kind != "number":
            continue
        sides = []
        for step in (-1, 1):
            near: set[str] = set()
            j = i + step
            while 0 <= j < len(items) and items[j][0] == "word" and abs(j - i) <= _NUMBER_SIDE:
                near |= content_stems(items[j][1])
                j += step
            sides.append(near)
        out.append((value, sides[0], sides[1]))
    return out


def _misbound_number(claim: str, source: str) -> str | None:
    """A number of the claim whose neighbouring words sit beside another number of the source, never beside
    its own ("sensitivity by 8%" where the source says "sensitivity by 13%, specificity by 8%")."""
    stated = _number_sides(source)
    for value, before, after in _number_sides(claim):
        own = [(b, a) for v, b, a in stated if v == value]
        other = [(b, a) for v, b, a in stated if v != value]
        for side, mine in ((0, before), (1, after)):
            if mine and any(mine & o[side] for o in other) and not any(mine & o[side] for o in own):
                return f"number {value} is bound to other words than in the evidence"
    return None


def _cues(text: str) -> int:
    return sum(w in _NEGATION_CUES for w in words(text.replace("n't", " not").replace("n’t", " not")))


def _prefix_flip(claim: str, source: str) -> str | None:
    """A claim word whose negative-prefixed form the source uses instead ("significant" / "nonsignificant")."""
    said, stated = set(words(claim)), set(words(source))
    for word in said - stated:
        for prefix in _NEGATIVE_PREFIXES:
            if f"{prefix}{word}" in stated or (word.startswith(prefix) and word[len(prefix):] in stated
                                               and len(word) - len(prefix) > 3):
                return f"says '{word}' where the evidence has its opposite"
    return None


def _negation_flip(claim: str, source: str) -> str | None:
    """The claim carries as many negation cues as the clauses of the source it restates (more than half of
    a clause's content words; the best-covered clause when none is)."""
    said = content_stems(claim) - _NEGATION_CUES
    clauses = [(c, content_stems(c) - _NEGATION_CUES) for c in _CLAUSE.split(source) if content_stems(c) - _NEGATION_CUES]
    restated = [c for c, stems in clauses if len(stems & said) > len(stems) / 2]
    if not restated and clauses:
        restated = [max(clauses, key=lambda c: len(c[1] & said))[0]]
    mine, theirs = _cues(claim), sum(_cues(c) for c in restated)
    return f"{mine} negation(s) where the evidence it restates has {theirs}" if mine != theirs else None


def _direction_of(stems: set[str]) -> set[str]:
    return {kind for kind, kind_stems in _DIRECTIONS.items() if stems & kind_stems}


def _directed(text: str) -> dict[str, set[str]]:
    """What each direction is said of: content stems just after a direction word ("reducing errors")."""
    tokens = [stem(w) for w in words(text)]
    out: dict[str, set[str]] = {}
    for i, token in enumerate(tokens):
        for kind in _direction_of({token}):
            out.setdefault(kind, set()).update(
                t for w, t in zip(words(text)[i + 1:i + 1 + _NUMBER_SIDE], tokens[i + 1:i + 1 + _NUMBER_SIDE])
                if content_stems(w))
    return out


def _direction_flip(claim: str, source: str) -> str | None:
    """A direction of change (up, down, or none) the claim states where the source states another instead,
    for the sentence as a whole or for the words the direction is said of ("increased errors" where the
    source has "reducing errors")."""
    said, stated = {stem(w) for w in words(claim)}, {stem(w) for w in words(source)}
    for kind in _direction_of(said):
        others = {k for k in _direction_of(stated - said) if k != kind}
        if others and kind not in _direction_of(stated):
            return f"states a {kind} direction where the evidence states {sorted(others)[0]}"
    mine, theirs = _directed(claim), _directed(source)
    for kind, objects in mine.items():
        for other, their_objects in theirs.items():
            if other != kind and objects & their_objects and not objects & theirs.get(kind, set()):
                return f"states a {kind} direction for '{sorted(objects & their_objects)[0]}' where the evidence " \
                       f"states {other}"
    return None


class LexicalJudge:
    """Support by the eval's own lexical rules, never `assistant.verify`.

    A claim is supported by the evidence texts it cites (quotes and titles, taken together) when:

    1. there is evidence: a claim citing nothing is unsupported;
    2. it does not address the reader ("you", "your": an instruction, not a finding);
    3. every number of the claim is in the evidence, normalised ("32,682" = "32682", "1.6M" = "1.6 million");
    4. every name-like token (CamelCase, acronym, letters beside digits) is a word of the evidence
       (case-insensitive, a plural "s" either side allowed);
    5. at least `min_coverage` of the claim's content stems (own stopwords, Snowball English stemmer; see
       text_rules) are stems of the evidence;

    and, against the evidence sentence sharing most of its stems:

    6. each number keeps its neighbours: the words just before or after it do not sit beside another number
       there and never beside its own (swapped numbers);
    7. negation agrees: a claim with a cue (not, no, never, without, lack, fail, ...) needs a cue in the
       sentence; a claim without one must not restate a negated clause of it (half its content words or
       more); no word is flipped by a negative prefix (significant / nonsignificant);
    8. no direction of change (up: increased, higher, better...; down: reduced, lower, worse...; none:
       comparable, similar...) is stated where the sentence states another and not this one.

    Not seen: reversed comparisons ("A beats B" for "B beats A"), numbers swapped through "respectively",
    and added qualifiers whose words are few.
    """

    name = "lexical"

    def __init__(self, min_coverage: float = 0.7) -> None:
        self.min_coverage = min_coverage

    def reason(self, claim: str, evidence: list[str]) -> str | None:
        """Why the evidence does not support the claim, or None when it does."""
        if not evidence:
            return "cites no evidence"
        joined = " ".join(evidence)
        evidence_words = set(words(joined))
        if set(words(claim)) & _READER - evidence_words:
            return "addresses the reader"
        missing = numbers(claim) - numbers(joined)
        if missing:
            return f"number {sorted(missing)[0]} is not in the evidence"
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
        return (_misbound_number(claim, best) or _prefix_flip(claim, best) or _negation_flip(claim, best)
                or _direction_flip(claim, best))

    def supports(self, claim: str, evidence: list[str]) -> bool:
        return self.reason(claim, evidence) is None

    def describe(self) -> dict:
        return {"name": self.name, "check": "assistant.evaluation.judges.LexicalJudge (own rules, not the verifier)",
                "rules": "reader, numbers, names, content-stem coverage; number binding, negation, prefixes and "
                          "direction against the best evidence sentence",
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
