"""What a question asks for: its kind, the asked attribute, its names, and which number answers it.

A question is reduced to its *attribute* (the thing asked for: "question-answer
pairs", "base model"), its *context* (the other key terms), the names it
mentions, and its *focus*: the words from its question word on ("what
percentage had an abnormal ECG" in "In 109 infants ..., what percentage had
an abnormal ECG?"), which say what is asked while the rest sets the scene.
These are signals for the fitted selector (selection.py), which
decides which sentence answers; `bound_numbers` finds the number a sentence
gives for the asked noun, so a written answer can be checked against it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from .text import (
    STOPWORDS, content_words, is_list_marker, match_terms, named_entities, numbers, terms_match, tokens,
)
from .vocabulary import vocabulary

__all__ = ["QuestionProfile", "profile_question", "focus_phrase", "bound_numbers", "terms_match", "match_terms",
           "has_negation", "is_overview"]

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
_QUANTITY = re.compile(r"\b(how much|how large|how big|how long|how fast|by how)\b")
_WHAT_METRIC = re.compile(  # the metric may follow up to two modifiers: "what labor supply elasticity"
    r"\bwhat (?:is |was |are |were )?(?:the |its |their )?(\w[\w-]*)(?: (\w[\w-]*))?(?: (\w[\w-]*))?")
_NAME = re.compile(r"\b(?:which|what)\s+(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b|has\b|have\b)(\w[\w-]*)(?:\s+(\w[\w-]*))?")
_WEAK_VERBS = {
    "contain", "include", "comprise", "consist", "achieve", "obtain", "reach", "cover", "provide", "offer",
    "feature", "involve", "employ", "adopt", "apply", "utilize", "leverage", "build", "built", "develop",
    "evaluate", "release", "report", "contains", "includes", "achieves", "reported", "released", "compile",
}
_PERCENT_WORDS = {"percentage", "percent", "proportion", "share", "fraction"}
_SYSTEM_NOUNS = {  # "which X" questions whose answer is a system's name ("BiomedCLIP", "Qwen2.5-VL")
    "model", "dataset", "data", "llm", "benchmark", "method", "framework", "tool", "system", "database",
    "network", "architecture", "backbone", "encoder", "decoder", "approach", "pipeline", "algorithm", "agent",
    "corpus", "vlm", "mllm",
}
_PHRASE_SCAN = 6
_FOCUS_WORDS = 8  # the asked part of a question: its question word and the words after it
_ASKING = {"what", "which", "how", "who", "whom", "whose", "when", "where", "why"}
_AUXILIARIES = {"did", "does", "do", "is", "are", "was", "were", "can", "could", "has", "have", "had", "will",
                "would", "should"}
_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+[-\u2013\u2014]\s+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_NAME_OF = re.compile(r"\b(?:names?|kinds?|types?|sorts?) of (?:the |this |that |a |an |its )?")
_SCALE_WORDS = {"thousand", "million", "billion"}
_MULTIPLIERS = {"k", "m", "b"} | _SCALE_WORDS
_ADJECTIVE_ENDINGS = ("ing", "ly", "al", "ic", "ive", "ous", "ful", "able")
_METRIC_UNITS = {"point", "points", "pp", "percent", "percentage", "percentages"}
_WHAT_IS_THE = re.compile(r"\bwhat (?:is|was|are|were) the (\w[\w-]*)")
_OVERVIEW = re.compile(  # questions about a field, not a fact: answered by a cited overview of several papers
    r"^(?:what|which) (?:are|were) (?:the |some )?(?:\w+ )?(?:approaches|methods|ways|strategies|techniques|"
    r"lines of work|directions|trends)\b"
    r"|^how (?:do|does|did) .+ and .+ (?:differ|compare)\b"
    r"|^what (?:is|has been) (?:known|reported|done) (?:about|on)\b"
    r"|^(?:give|write) (?:me )?an? (?:overview|summary|review) of\b",
    re.IGNORECASE,
)


class QuestionProfile(BaseModel):
    text: str
    kind: QuestionKind
    attribute: list[str]
    qualifiers: list[str] = []
    context: list[str]
    entities: list[str]
    focus: str = ""


def focus_phrase(question: str) -> str:
    """The asked part of a question: from the first question word (or a clause-opening "did", "is", ...) on,
    `_FOCUS_WORDS` words long. Written questions often set the scene first ("In 190 patients ..., how long
    was the median survival"), and a sentence that only restates the scene matches the whole question well."""
    for clause in _CLAUSE_BREAK.split(question.strip().rstrip("?")):
        words = clause.split()
        for i, word in enumerate(words):
            bare = word.lower().strip("()\"'")
            if bare in _ASKING or (i == 0 and bare in _AUXILIARIES):
                return " ".join(words[i:i + _FOCUS_WORDS])
    return " ".join(question.split()[:_FOCUS_WORDS])


def _phrase_after(
    lowered: str, start: int, limit: int = 3, names: frozenset[str] = frozenset()
) -> tuple[list[str], list[str]]:
    """(head noun, its modifiers) of the phrase starting at `start`: "3D shapes" -> (["shap"], ["3d"]).

    The phrase ends before a verb, and before a name unless a system noun follows it: in "the
    component MedVista3D introduces" the asked thing is the component, in "which visual SLAM
    system" it is the system. A system noun is the head even past `limit` words: "the largest
    open-access low-dose CT dataset" asks for a dataset.
    """
    words = []
    first_name = None
    for tok in tokens(lowered[start:]):
        if tok in _BOUNDARY or len(words) >= _PHRASE_SCAN or (words and (tok in _WEAK_VERBS or tok.endswith("ed"))):
            break
        if tok in names and first_name is None and words:
            first_name = len(words)
        words.append(tok)
    heads = [i for i, word in enumerate(words) if word in _SYSTEM_NOUNS]
    if heads and (first_name is None or heads[-1] > first_name):
        words = words[:heads[-1] + 1]
    else:
        words = words[:min(limit, first_name if first_name is not None else limit)]
    while words and not content_words(words[-1]) and words[-1] not in _SYSTEM_NOUNS:
        words.pop()
    if not words:
        return [], []
    return sorted(content_words(words[-1])) or [words[-1]], sorted(content_words(" ".join(words[:-1])))


def profile_question(question: str) -> QuestionProfile:
    lowered = question.lower()
    found_names = named_entities(question)
    names = frozenset(found_names - vocabulary().kind_acronyms)
    kind: QuestionKind = "other"
    attribute: list[str] = []
    qualifiers: list[str] = []
    if (match := re.search(r"\bhow many\b(?: of (?:the |these |those |its |their )?)?", lowered)):
        kind = "count"
        attribute, qualifiers = _phrase_after(lowered, match.end(), limit=4)
    elif _QUANTITY.search(lowered):
        kind = "quantity"
    elif (match := _WHAT_METRIC.search(lowered)) and (metric := next(
            (w for w in match.groups() if w in vocabulary().metrics), None)):
        kind = "quantity"
        attribute = sorted(content_words(metric) - _QUESTION_WORDS) or [metric]
    elif (match := _NAME_OF.search(lowered)):
        kind = "name"
        attribute, qualifiers = _phrase_after(lowered, match.end(), limit=3, names=names)
    elif re.search(r"\bwhat (?:is|was|are|were) (?:the )?names?\b|\bcalled\b|\bnamed\b", lowered):
        kind = "name"
    elif (match := _NAME.search(lowered)) or (match := _WHAT_IS_THE.search(lowered)):
        kind = "name"
        attribute, qualifiers = _phrase_after(lowered, match.start(1), limit=3, names=names)
    entities = sorted(
        e for e in found_names if e.lower() not in _QUESTION_WORDS and e.lower() not in vocabulary().kind_acronyms
    )
    context = sorted(
        content_words(question) - set(attribute) - set(qualifiers) - _QUESTION_WORDS - _WEAK_VERBS
        - {e.lower() for e in entities}
    )
    return QuestionProfile(
        text=question, kind=kind, attribute=attribute, qualifiers=qualifiers, context=context, entities=entities,
        focus=focus_phrase(question),
    )


def _word_forms(text: str) -> set[str]:
    """Every token and its stem, stopwords included: what a question term may match ("based", "images")."""
    return content_words(text) | set(tokens(text))


def bound_numbers(profile: QuestionProfile, sentence: str) -> set[str]:
    """Numbers bound to the asked noun: the closest ones within a few words ("32,682 question-answer pairs").

    A number is not the asked one when it is measured in its own unit ("2,100 work hours to write
    the QA pairs"), counts another noun ("934 cases" is no accuracy, "4K surgical videos" no
    procedure types) or, for a count, is a percentage. Among the rest, a number followed by the
    asked noun itself beats one near it ("6+ million images from 15,331 CTs" for CT scans), then
    the one whose clause carries the question's words, then the closest; a number counts closer
    when the noun follows it.
    """
    attribute = profile.attribute
    found = list(re.finditer(r"[\w.,%+-]+", sentence))
    toks = [m.group(0) for m in found]
    excluded = numbers(profile.text)
    numeric = {
        i: numbers(f"{t} {toks[i + 1]}" if i + 1 < len(toks) and toks[i + 1].lower() in _SCALE_WORDS else t) - excluded
        for i, t in enumerate(toks) if _is_quantity_token(t) and not is_list_marker(sentence, found[i].start(),
                                                                                     found[i].end())
    }
    numeric = {i: found for i, found in numeric.items() if found}
    if profile.kind == "count" and not set(attribute) & _PERCENT_WORDS:
        numeric = {i: found for i, found in numeric.items() if "%" not in toks[i]}
    if not numeric:
        return set()
    if attribute and set(attribute) <= _PERCENT_WORDS:
        return {n for i, found in numeric.items() if "%" in toks[i] for n in found}
    if not attribute:
        return {n for found in numeric.values() for n in found}
    asked = set(attribute)
    options = {option for a in attribute for option in vocabulary().options(a)}
    tier = {}
    for i in numeric:
        if any(t.lower() in vocabulary().units and not asked & content_words(t) for t in toks[i + 1:i + 3]):
            continue
        if _YEAR.fullmatch(toks[i].strip(".,;:")) and "year" not in asked:
            continue
        noun = _counted_noun(toks, i)
        if noun is None:
            tier[i] = 1
        elif _names_any(noun, asked | set(profile.qualifiers)):
            tier[i] = 0
        elif _names_any(noun, options):
            tier[i] = 1
    positions = [i for i, t in enumerate(toks) if any(terms_match(o, content_words(t)) for o in options)]
    distance = {i: min(((j - i) / 2 if j > i else i - j for j in positions), default=99) for i in tier}
    distance = {i: d for i, d in distance.items() if d <= 10}
    if not distance:
        return set()
    keys = set(profile.context) | {e.lower() for e in profile.entities}
    rank = {i: (tier[i], d - 2 * _keys_before(toks, i, keys)) for i, d in distance.items()}
    best_tier = min(r[0] for r in rank.values())
    best = min(r[1] for r in rank.values() if r[0] == best_tier)
    return {n for i, (t, closeness) in rank.items() if t == best_tier and closeness <= best + 1 for n in numeric[i]}


def _keys_before(toks: list[str], i: int, keys: set[str]) -> int:
    """Question words in the clause leading to the number: "we train and evaluate BrLP on 11,730 MRIs"
    answers "how many MRIs to train BrLP", not "... an external test set comprising 2,257 MRIs"."""
    window = _word_forms(" ".join(toks[max(0, i - 6):i]))
    return sum(terms_match(key, window) for key in keys)


def _counted_noun(toks: list[str], i: int) -> str | None:
    """The noun the number counts, when the short phrase after it shows it: "934 cases", "4K surgical videos",
    "18-submissions". None when unclear: "304 diagnostically challenging New England ...", "61% (95% CI".
    """
    glued = re.fullmatch(r"[\d.,]+-([a-z]+)", toks[i].lower().strip(".,;:"))
    if glued:
        return glued.group(1)
    words = []
    for tok in toks[i + 1:]:
        low = tok.lower().strip(".,;:")
        if low in _MULTIPLIERS and not words:
            continue
        if (not low or low in _BOUNDARY or low in STOPWORDS or _is_quantity_token(low)
                or (low.endswith("ed") and "-" not in low)):  # "T1-weighted" describes, "paired" ends
            break
        if low.endswith("ing") and any(not word.endswith("ly") for word in words):  # "patients including"
            break
        words.append(low)
        if len(words) > 4:
            return None
        if tok.endswith((",", ";", ":", ".")):
            break
    if not words or words[-1] in _METRIC_UNITS or words[-1].endswith(_ADJECTIVE_ENDINGS):
        return None
    return words[-1]


def _names_any(noun: str, terms: set[str]) -> bool:
    return any(terms_match(term, _word_forms(noun)) for term in terms)


def _is_quantity_token(tok: str) -> bool:
    """"3,142", "4K" and "9-teams" are quantities; "3D", "T1w" and "Surg-3M" are names."""
    tok = tok.lower().strip(".,;:")
    if not tok or not tok[0].isdigit():
        return False
    return bool(re.fullmatch(r"[\d.,%+]+(?:k|m|b|x)?|[\d.,]+-[a-z]+", tok))


def is_overview(question: str) -> bool:
    """"What are the main approaches to X?", "How do X and Y differ?", "What is known about X?"."""
    return bool(_OVERVIEW.search(question.strip()))


def has_negation(text: str) -> bool:
    return bool(vocabulary().negation_cues & set(tokens(text)))
