"""What a question asks for, and whether a piece of evidence actually answers it.

"Is this sentence in the evidence" is not enough: a quote from the right paper
that does not state the asked detail must not pass as an answer. A question is
reduced to its *attribute* (the thing asked for: "question-answer pairs",
"base model"), its *context* (the other key terms, which may be spread over
the paper) and the names it mentions; evidence answers it only when the
attribute and an answer of the right type sit in one sentence, the names
occur in the paper and the context mostly does.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from .models import Paper
from .text import content_words, named_entities, numbers, tokens

__all__ = ["QuestionProfile", "profile_question", "answers_question", "terms_match", "match_terms"]

QuestionKind = Literal["count", "quantity", "name", "other"]

_QUESTION_WORDS = {
    "what", "which", "how", "many", "much", "who", "whom", "whose", "when", "where", "why", "large", "big",
    "number", "amount", "total", "exactly", "approximately", "roughly", "report", "reported", "reports",
    "according", "mention", "mentioned", "state", "stated", "paper", "study", "authors", "author",
}
_BOUNDARY = {
    "does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "in", "of", "for", "on", "used",
    "can", "will", "were", "from", "with", "by", "the", "a", "an", "that", "to", "at", "its", "their", "this",
}
_QUANTITY = re.compile(
    r"\b(how much|how large|how big|how long|how fast|by how|what (?:is the |was the )?"
    r"(percentage|percent|proportion|fraction|share|accuracy|score|auc|f1|dice|size|rate|improvement|gain|"
    r"error|sensitivity|specificity|precision|recall|value|cost|speed|latency))\b"
)
_NAME = re.compile(r"\b(?:which|what)\s+(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b|has\b|have\b)(\w[\w-]*)(?:\s+(\w[\w-]*))?")
_WEAK_VERBS = {
    "contain", "include", "comprise", "consist", "achieve", "obtain", "reach", "cover", "provide", "offer",
    "feature", "involve", "employ", "adopt", "apply", "utilize", "leverage", "build", "built", "develop",
    "evaluate", "release", "report", "contains", "includes", "achieves", "reported", "released", "compile",
}
_NEGATIONS = {"not", "no", "never", "without", "neither", "nor", "cannot", "fails", "fail", "lack", "lacks"}


class QuestionProfile(BaseModel):
    text: str
    kind: QuestionKind
    attribute: list[str]
    context: list[str]
    entities: list[str]


def _phrase_after(lowered: str, start: int, limit: int = 3) -> tuple[list[str], list[str]]:
    """(head noun, its modifiers) of the phrase starting at `start`: "3D shapes" -> (["shap"], ["3d"])."""
    words = []
    for tok in tokens(lowered[start:]):
        if tok in _BOUNDARY or len(words) >= limit:
            break
        words.append(tok)
    while words and not content_words(words[-1]):
        words.pop()
    if not words:
        return [], []
    return sorted(content_words(words[-1])), sorted(content_words(" ".join(words[:-1])))


def profile_question(question: str) -> QuestionProfile:
    lowered = question.lower()
    kind: QuestionKind = "other"
    attribute: list[str] = []
    if (match := re.search(r"\bhow many\b", lowered)):
        kind = "count"
        attribute, _ = _phrase_after(lowered, match.end())
    elif (match := _QUANTITY.search(lowered)):
        kind = "quantity"
        attribute = sorted(content_words(match.group(2) or "") - _QUESTION_WORDS)
    elif (match := _NAME.search(lowered)):
        kind = "name"
        attribute, _ = _phrase_after(lowered, match.start(1), limit=2)
    entities = sorted(e for e in named_entities(question) if e.lower() not in _QUESTION_WORDS)
    context = sorted(
        content_words(question) - set(attribute) - _QUESTION_WORDS - _WEAK_VERBS - {e.lower() for e in entities}
    )
    return QuestionProfile(text=question, kind=kind, attribute=attribute, context=context, entities=entities)


def terms_match(term: str, words: set[str]) -> bool:
    """Equal, or sharing a 5-letter prefix ("trained" ~ "training"), or a part of a hyphenated word."""
    if term in words:
        return True
    if len(term) >= 5:
        stem = term[:5]
        return any(w.startswith(stem) for w in words if len(w) >= 5)
    return False


def match_terms(terms: list[str], text: str) -> float:
    """Share of terms found in the text (1.0 when there are no terms)."""
    if not terms:
        return 1.0
    words = content_words(text)
    return sum(terms_match(t, words) for t in terms) / len(terms)


def _number_near(attribute: list[str], sentence: str, excluded: set[str]) -> bool:
    """A number within a few words of the asked noun ("32,682 question-answer pairs")."""
    toks = re.findall(r"[\w.,%+-]+", sentence)
    numeric = [i for i, t in enumerate(toks) if numbers(t) - excluded and any(c.isdigit() for c in t)]
    if not numeric:
        return False
    if not attribute:
        return True
    attribute_positions = [
        i for i, t in enumerate(toks) if any(terms_match(a, content_words(t)) for a in attribute)
    ]
    return any(abs(i - j) <= 6 for i in numeric for j in attribute_positions)


def answers_question(
    profile: QuestionProfile, sentence: str, paper: Paper, min_context: float = 0.5
) -> tuple[bool, str]:
    """Does this sentence of this paper answer the question? Returns (verdict, reason)."""
    paper_text = f"{paper.title} {paper.text}".lower()
    for entity in profile.entities:
        if entity not in paper_text:
            return False, f"the paper does not mention '{entity}'"
    if profile.attribute and match_terms(profile.attribute, sentence) < 1.0:
        return False, f"no evidence sentence states the {' '.join(profile.attribute)}"
    question_numbers = numbers(profile.text)
    if profile.kind in ("count", "quantity") and not _number_near(profile.attribute, sentence, question_numbers):
        return False, f"the evidence gives no number for the {' '.join(profile.attribute) or 'quantity asked'}"
    if profile.kind == "name":
        asked = {e.lower() for e in profile.entities} | set(profile.context)
        new_names = {e for e in named_entities(sentence) if e not in asked}
        if not new_names and not (numbers(sentence) - question_numbers):
            return False, "the evidence names nothing new"
    if not _covers(profile.context, paper_text, min_context):
        return False, f"the paper does not cover the question's terms ({', '.join(profile.context)})"
    if profile.kind == "other" and not _covers(profile.context, f"{paper.title} {sentence}", min_context):
        return False, "the evidence sentence is not about what was asked"
    return True, "answers the question"


def _covers(terms: list[str], text: str, share: float) -> bool:
    """Most terms occur in the text; one miss is always forgiven (questions paraphrase)."""
    if not terms:
        return True
    found = match_terms(terms, text) * len(terms)
    return found >= share * len(terms) - 1


def has_negation(text: str) -> bool:
    return bool(_NEGATIONS & set(tokens(text)))
