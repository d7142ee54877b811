"""The verifier: nothing reaches the user that its cited evidence does not support.

Deterministic and offline (tier 0 of the design notes): a sentence survives
only if it cites evidence that exists, every number and name in it occurs in
that evidence (or the cited paper's title), it adds no negation, and most of
its content words are there too. Embedding similarity never decides support:
it cannot see a wrong number or a "not".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .evidence import EvidenceLedger
from .models import RemovedSentence
from .question import has_negation, terms_match
from .text import content_words, mentions, named_entities, numbers, split_sentences, tokens

__all__ = ["Verdict", "VerifiedSentence", "Verification", "check_support", "verify_answer", "MARKER"]

MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_MARKERS_AFTER_STOP = re.compile(r"([.!?])\s*((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)")
_MIN_CLAIM_WORDS = 2
_LABEL = re.compile(r"^\s*(?:answer|response)\s*:\s*", re.I)
_ECHO = re.compile(r"\b(?:Question|Evidence)\s*:", re.I)  # small models echo the prompt after answering
_LEADING_MARKER = re.compile(r"^\s*(\[\d+(?:\s*[,;]\s*\d+)*\])\s*")


@dataclass
class Verdict:
    supported: bool
    reason: str


@dataclass
class VerifiedSentence:
    text: str
    claim: str
    cited: list[int]


@dataclass
class Verification:
    kept: list[VerifiedSentence] = field(default_factory=list)
    removed: list[RemovedSentence] = field(default_factory=list)


def check_support(claim: str, evidence_texts: list[str], min_coverage: float) -> Verdict:
    """Is `claim` supported by these evidence texts together? (numbers, names, negation, coverage)"""
    joined = " ".join(evidence_texts)
    missing_numbers = numbers(claim) - numbers(joined)
    if missing_numbers:
        return Verdict(False, f"number {sorted(missing_numbers)[0]} is not in the cited evidence")
    evidence_lower = joined.lower()
    evidence_words = content_words(joined)
    for entity in sorted(named_entities(claim)):
        if not mentions(evidence_lower, entity) and not all(terms_match(p, evidence_words) for p in content_words(entity)):
            return Verdict(False, f"name '{entity}' is not in the cited evidence")
    if has_negation(claim) and not has_negation(joined):
        return Verdict(False, "negates what the cited evidence says")
    words = content_words(claim)
    if words:
        coverage = sum(terms_match(w, evidence_words) for w in words) / len(words)
        if coverage < min_coverage:
            return Verdict(False, f"only {coverage:.0%} of its content is in the cited evidence")
    return Verdict(True, "supported")


def _attach_markers(text: str) -> str:
    """Move "[1]" that follows a full stop in front of it, so it belongs to its own sentence."""
    return _MARKERS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)


def _move_leading_marker(sentence: str) -> str:
    """"[1] Quote." (an evidence line echoed back) is shown as "Quote [1]."."""
    match = _LEADING_MARKER.match(sentence)
    if not match:
        return sentence
    rest = sentence[match.end():].strip()
    stop = rest[-1] if rest and rest[-1] in ".!?" else "."
    return f"{rest.rstrip('.!? ')} {match.group(1)}{stop}"


def _attribute(claim: str, ledger: EvidenceLedger, min_coverage: float) -> int | None:
    """Cite an uncited sentence only if one evidence item alone passes the full support check."""
    for item in ledger.items:
        if check_support(claim, [item.quote, item.title], min_coverage).supported:
            return item.n
    return None


def verify_answer(text: str, ledger: EvidenceLedger, min_coverage: float) -> Verification:
    result = Verification()
    text = _ECHO.split(text, maxsplit=1)[0]
    for title in {item.title for item in ledger.items}:
        text = text.replace(f"({title})", " ")  # "[1] (Title) ..." echoes the evidence header, not a claim
    for sentence in split_sentences(_attach_markers(text.strip())):
        if sentence.rstrip().endswith("?"):
            continue  # a question states nothing
        cited = sorted({int(n) for group in MARKER.findall(sentence) for n in re.split(r"[,;]", group)})
        sentence = _move_leading_marker(_LABEL.sub("", sentence))
        claim = re.sub(r"\s+", " ", MARKER.sub("", sentence)).strip()
        claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
        if len([t for t in tokens(claim) if t.isalnum() or "-" in t]) < _MIN_CLAIM_WORDS and not numbers(claim):
            continue  # fragments such as "Answer:" state nothing to check or show
        if not cited:
            attributed = _attribute(claim, ledger, min_coverage)
            if attributed is None:
                result.removed.append(
                    RemovedSentence(sentence=claim, reason="states something no evidence supports, without a citation")
                )
                continue
            cited = [attributed]
            sentence = f"{claim.rstrip('.!? ')} [{attributed}]."
        unknown = [n for n in cited if ledger.get(n) is None]
        if unknown:
            result.removed.append(
                RemovedSentence(sentence=claim, reason=f"cites [{unknown[0]}], which is not in the evidence")
            )
            continue
        texts = []
        for n in cited:
            item = ledger.get(n)
            texts += [item.quote, item.title]
        verdict = check_support(claim, texts, min_coverage)
        if verdict.supported:
            result.kept.append(VerifiedSentence(text=sentence.strip(), claim=claim, cited=cited))
        else:
            result.removed.append(RemovedSentence(sentence=claim, reason=verdict.reason))
    return result
