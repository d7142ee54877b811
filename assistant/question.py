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
from .text import content_words, named_entities, numbers, system_names, tokens

__all__ = [
    "QuestionProfile", "profile_question", "answers_question", "answer_tokens", "restates_answer",
    "terms_match", "match_terms",
]

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
    r"\b(how much|how large|how big|how long|how fast|by how|what (?:is the |was the )?(?:\w+ )?"
    r"(percentage|percent|proportion|fraction|share|accuracy|score|auc|f1|dice|size|rate|improvement|gain|"
    r"error|sensitivity|specificity|precision|recall|value|cost|speed|latency))\b"
)
_NAME = re.compile(r"\b(?:which|what)\s+(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b|has\b|have\b)(\w[\w-]*)(?:\s+(\w[\w-]*))?")
_WEAK_VERBS = {
    "contain", "include", "comprise", "consist", "achieve", "obtain", "reach", "cover", "provide", "offer",
    "feature", "involve", "employ", "adopt", "apply", "utilize", "leverage", "build", "built", "develop",
    "evaluate", "release", "report", "contains", "includes", "achieves", "reported", "released", "compile",
}
_GENERIC_ACRONYMS = {
    "ai", "ml", "dl", "nlp", "cv", "llm", "llms", "vlm", "vlms", "lvlm", "lvlms", "mllm", "mllms", "lmm", "lmms",
    "ct", "mri", "pet", "ehr", "ehrs", "vqa", "rag", "rl", "sota", "gpu", "gpus", "api", "cnn", "cnns", "gpt",
}
_SYNONYMS = {
    "base": {"base", "based", "built", "initialized", "initialised", "backbone", "fine-tuned", "finetuned", "upon"},
    "backbone": {"backbone", "base", "based", "built", "upon"},
    "rate": {"rate", "fps", "speed"},
    "speed": {"speed", "fps", "faster", "rate"},
    "size": {"size", "parameters", "scale"},
    "dataset": {"dataset", "data", "corpus", "benchmark", "collection"},
    "data": {"data", "dataset", "corpus", "collection"},
    "benchmark": {"benchmark", "dataset", "suite"},
}
_TITLE_PHRASE = re.compile(r"(?<=[a-z,;:(] )[A-Z][a-z]+(?: [A-Z][a-z]+)+")
_PERCENT_WORDS = {"percentage", "percent", "proportion", "share", "fraction"}
_SYSTEM_NOUNS = {  # "which X" questions whose answer is a system's name ("BiomedCLIP", "Qwen2.5-VL")
    "model", "dataset", "data", "llm", "benchmark", "method", "framework", "tool", "system", "database",
    "network", "architecture", "backbone", "encoder", "decoder", "approach", "pipeline", "algorithm", "agent",
    "corpus", "vlm", "mllm",
}
_YEAR = re.compile(r"(?:19|20)\d\d")
_NAME_OF = re.compile(r"\b(?:names?|kinds?|types?|sorts?) of (?:the |this |that |a |an |its )?")
_UNITS = {
    "hour", "hours", "minute", "minutes", "second", "seconds", "day", "days", "week", "weeks", "month", "months",
    "year", "years", "times", "fold", "gb", "tb", "mb", "gpus", "gpu", "epochs", "steps",
}
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+\.(?:com|org|io|ai|net)/\S*", re.I)
_WHAT_IS_THE = re.compile(r"\bwhat (?:is|was|are|were) the (\w[\w-]*)")
_NEGATIONS = {"not", "no", "never", "without", "neither", "nor", "cannot", "fails", "fail", "lack", "lacks"}


class QuestionProfile(BaseModel):
    text: str
    kind: QuestionKind
    attribute: list[str]
    qualifiers: list[str] = []
    context: list[str]
    entities: list[str]


def _phrase_after(
    lowered: str, start: int, limit: int = 3, names: frozenset[str] = frozenset()
) -> tuple[list[str], list[str]]:
    """(head noun, its modifiers) of the phrase starting at `start`: "3D shapes" -> (["shap"], ["3d"]).

    The phrase ends before a verb or a name: in "the component MedVista3D introduces" the asked
    thing is the component, not MedVista3D.
    """
    words = []
    for tok in tokens(lowered[start:]):
        ends = tok in _WEAK_VERBS or tok.endswith("ed") or tok in names
        if tok in _BOUNDARY or len(words) >= limit or (words and ends):
            break
        words.append(tok)
    while words and not content_words(words[-1]):
        words.pop()
    if not words:
        return [], []
    return sorted(content_words(words[-1])), sorted(content_words(" ".join(words[:-1])))


def profile_question(question: str) -> QuestionProfile:
    lowered = question.lower()
    names = frozenset(named_entities(question) - _GENERIC_ACRONYMS)
    kind: QuestionKind = "other"
    attribute: list[str] = []
    qualifiers: list[str] = []
    if (match := re.search(r"\bhow many\b", lowered)):
        kind = "count"
        attribute, qualifiers = _phrase_after(lowered, match.end())
    elif (match := _QUANTITY.search(lowered)):
        kind = "quantity"
        attribute = sorted(content_words(match.group(2) or "") - _QUESTION_WORDS)
    elif (match := _NAME_OF.search(lowered)):
        kind = "name"
        attribute, qualifiers = _phrase_after(lowered, match.end(), limit=3, names=names)
    elif re.search(r"\bwhat (?:is|was|are|were) (?:the )?names?\b|\bcalled\b|\bnamed\b", lowered):
        kind = "name"
    elif (match := _NAME.search(lowered)) or (match := _WHAT_IS_THE.search(lowered)):
        kind = "name"
        attribute, qualifiers = _phrase_after(lowered, match.start(1), limit=3, names=names)
    entities = sorted(
        e for e in named_entities(question) if e.lower() not in _QUESTION_WORDS and e.lower() not in _GENERIC_ACRONYMS
    )
    context = sorted(
        content_words(question) - set(attribute) - set(qualifiers) - _QUESTION_WORDS - _WEAK_VERBS
        - {e.lower() for e in entities}
    )
    return QuestionProfile(
        text=question, kind=kind, attribute=attribute, qualifiers=qualifiers, context=context, entities=entities
    )


def terms_match(term: str, words: set[str]) -> bool:
    """Equal, sharing a 5-letter prefix ("trained" ~ "training"), or a prefix of a name ("slam" ~ "slam3")."""
    if term in words or f"{term}s" in words:
        return True
    if len(term) >= 4 and any(w.startswith(term) for w in words):
        return True
    if len(term) >= 5:
        stem = term[:5]
        return any(w.startswith(stem) for w in words if len(w) >= 5)
    return False


def _attribute_in(attribute: list[str], sentence: str) -> bool:
    """The asked attribute, or a usual way papers state it ("base model" ~ "built on")."""
    words = content_words(sentence) | set(tokens(sentence))
    for term in attribute:
        if term in _PERCENT_WORDS:
            if "%" not in sentence and "percent" not in sentence.lower():
                return False
            continue
        options = _SYNONYMS.get(term, {term})
        if not any(terms_match(option, words) for option in options | {term}):
            return False
    return True


def match_terms(terms: list[str], text: str) -> float:
    """Share of terms found in the text (1.0 when there are no terms)."""
    if not terms:
        return 1.0
    words = content_words(text)
    return sum(terms_match(t, words) for t in terms) / len(terms)


def bound_numbers(attribute: list[str], sentence: str, excluded: set[str]) -> set[str]:
    """Numbers bound to the asked noun: the closest ones within a few words ("32,682 question-answer pairs").

    A number counts closer when the noun follows it ("304 challenging NEJM-CPC cases"), and a number
    measured in its own unit ("2,100 work hours to generate the QA pairs") is not the asked count.
    """
    toks = re.findall(r"[\w.,%+-]+", sentence)
    numeric = {i: numbers(t) - excluded for i, t in enumerate(toks) if any(c.isdigit() for c in t)}
    numeric = {i: found for i, found in numeric.items() if found}
    if not numeric:
        return set()
    if attribute and set(attribute) <= _PERCENT_WORDS:
        return {n for i, found in numeric.items() if "%" in toks[i] for n in found}
    if not attribute:
        return {n for found in numeric.values() for n in found}
    asked = set(attribute)
    numeric = {
        i: found for i, found in numeric.items()
        if not any(t.lower() in _UNITS and not asked & content_words(t) for t in toks[i + 1:i + 3])
        and not (_YEAR.fullmatch(toks[i].strip(".,;:")) and "year" not in asked)
    }
    options = {option for a in attribute for option in _SYNONYMS.get(a, {a})}
    positions = [i for i, t in enumerate(toks) if any(terms_match(o, content_words(t)) for o in options)]
    distance = {i: min(((j - i) / 2 if j > i else i - j for j in positions), default=99) for i in numeric}
    if not distance or min(distance.values()) > 10:
        return set()
    nearest = min(distance.values())
    return {n for i, found in numeric.items() if distance[i] <= nearest + 1 for n in found}


def answers_question(
    profile: QuestionProfile, sentence: str, paper: Paper, min_context: float = 0.5
) -> tuple[bool, str]:
    """Does this sentence of this paper answer the question? Returns (verdict, reason)."""
    paper_text = f"{paper.title} {paper.text}".lower()
    for entity in profile.entities:
        if entity not in paper_text:
            return False, f"the paper does not mention '{entity}'"
    if profile.attribute and not _attribute_in(profile.attribute, sentence) and not _names_new_system(profile, sentence):
        return False, f"no evidence sentence states the {' '.join(profile.attribute)}"
    paper_words = content_words(paper_text)
    missing = [q for q in profile.qualifiers
               if not any(c.isdigit() for c in q)  # "7-billion-parameter" is written "7B" as often as not
               and not terms_match(q, paper_words)
               and not all(terms_match(part, paper_words) for part in q.split("-") if part)]
    if missing:
        return False, f"the paper does not mention '{missing[0]}'"
    question_numbers = numbers(profile.text)
    if profile.kind in ("count", "quantity") and not bound_numbers(profile.attribute, sentence, question_numbers):
        return False, f"the evidence gives no number for the {' '.join(profile.attribute) or 'quantity asked'}"
    if profile.kind == "name" and not answer_tokens(profile, sentence, paper):
        return False, "the evidence names nothing the question does not already name"
    if not _covers(profile.context, paper_text, min_context):
        return False, f"the paper does not cover the question's terms ({', '.join(profile.context)})"
    if profile.kind == "other" and not _covers(profile.context, f"{paper.title} {sentence}", min_context):
        return False, "the evidence sentence is not about what was asked"
    return True, "answers the question"


def _names_new_system(profile: QuestionProfile, sentence: str) -> bool:
    """"Which model does BiomedCoOp adapt?" is answered by "BiomedCoOp ... adapts BiomedCLIP" without the word.

    Only for name questions, only with a system name the question does not give, and only in a sentence
    about the question's subject when it names one.
    """
    if profile.kind != "name" or not set(profile.attribute) & _SYSTEM_NOUNS:
        return False
    lowered = sentence.lower()
    if profile.entities and not any(entity in lowered for entity in profile.entities):
        return False
    known = {e.lower() for e in profile.entities} | _GENERIC_ACRONYMS
    return any(name not in known and _first_word(name) not in known for name in system_names(sentence))


def answer_tokens(profile: QuestionProfile, sentence: str, paper: Paper) -> set[str]:
    """What in this sentence would be the answer: numbers for quantities, new names for "which"."""
    if profile.kind in ("count", "quantity"):
        return bound_numbers(profile.attribute, sentence, numbers(profile.text))
    if profile.kind == "name":
        title_names = named_entities(paper.title)
        asked_names = named_entities(profile.text)
        subject = title_names if title_names & asked_names else set()
        known = {e.lower() for e in profile.entities} | set(profile.context) | subject | asked_names | _GENERIC_ACRONYMS
        sentence = _URL.sub(" ", sentence)  # a repository path is not the dataset or model asked for
        phrases = {m.group(0).lower() for m in _TITLE_PHRASE.finditer(sentence)}
        names = named_entities(sentence) | phrases | _modifiers(profile, sentence)
        return {e for e in names if e not in known and _first_word(e) not in profile.attribute}
    return set()


def _first_word(name: str) -> str:
    """"llm-as-a-judge" is a kind of LLM use, not an LLM's name; "DeepSeek-OCR" is an OCR model's name."""
    return next(iter(sorted(content_words(re.split(r"[\s-]", name)[0]))), "")


def _modifiers(profile: QuestionProfile, sentence: str) -> set[str]:
    """Lower-case answers to "which X": the words naming this X ("a uterine fibroid treatment scenario")."""
    if not profile.attribute:
        return set()
    asked = set(profile.attribute) | set(profile.qualifiers) | set(profile.context) | _QUESTION_WORDS
    toks = tokens(sentence)
    found = set()
    for i, tok in enumerate(toks):
        if not terms_match(profile.attribute[-1], content_words(tok)):
            continue
        words = []
        for before in reversed(toks[max(0, i - 4):i]):
            if before in _BOUNDARY or not before[0].isalpha():
                break
            if not terms_match(before, asked) and content_words(before):
                words.insert(0, before)
            elif words:
                break
        if words:
            found.add(" ".join(words))
    return found


def restates_answer(profile: QuestionProfile, claim: str, quote: str, paper: Paper) -> bool:
    """A written claim answers only if it carries the answer its answering evidence sentence states."""
    if not answers_question(profile, quote, paper)[0]:
        return False
    expected = answer_tokens(profile, quote, paper)
    if profile.kind == "other" or not expected:
        return profile.kind == "other"
    if profile.kind in ("count", "quantity"):
        return bool(expected & bound_numbers(profile.attribute, claim, numbers(profile.text)))
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", claim.lower()) for name in expected)


def _covers(terms: list[str], text: str, share: float) -> bool:
    """Most terms occur in the text; one miss is always forgiven (questions paraphrase)."""
    if not terms:
        return True
    found = match_terms(terms, text) * len(terms)
    return found >= share * len(terms) - 1


def has_negation(text: str) -> bool:
    return bool(_NEGATIONS & set(tokens(text)))
