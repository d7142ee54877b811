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
from .text import (
    GENERIC_ACRONYMS,
    STOPWORDS,
    content_words,
    mentions,
    named_entities,
    numbers,
    system_names,
    tokens,
)

__all__ = [
    "QuestionProfile", "profile_question", "answers_question", "answer_tokens", "restates_answer",
    "terms_match", "match_terms", "keyword_share",
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
_SYNONYMS = {
    "base": {"base", "based", "built", "initialized", "initialised", "backbone", "fine-tuned", "finetuned", "upon"},
    "backbone": {"backbone", "base", "based", "built", "upon"},
    "rate": {"rate", "fps", "speed"},
    "speed": {"speed", "fps", "faster", "rate"},
    "size": {"size", "parameters", "scale"},
    "dataset": {"dataset", "data", "corpus", "benchmark", "collection"},
    "data": {"data", "dataset", "corpus", "collection"},
    "benchmark": {"benchmark", "dataset", "suite"},
    "scan": {"scan", "image", "volume"},
}
_TITLE_PHRASE = re.compile(r"(?<=[a-z,;:(] )[A-Z][a-z]+(?: [A-Z][a-z]+)+")
_PERCENT_WORDS = {"percentage", "percent", "proportion", "share", "fraction"}
_SYSTEM_NOUNS = {  # "which X" questions whose answer is a system's name ("BiomedCLIP", "Qwen2.5-VL")
    "model", "dataset", "data", "llm", "benchmark", "method", "framework", "tool", "system", "database",
    "network", "architecture", "backbone", "encoder", "decoder", "approach", "pipeline", "algorithm", "agent",
    "corpus", "vlm", "mllm",
}
_PHRASE_SCAN = 6
_TELLING_STOPWORDS = {"based", "one", "two", "three", "first", "second"}  # "two GP agents based on Qwen2.5-VL"
_YEAR = re.compile(r"(?:19|20)\d\d")
_NAME_OF = re.compile(r"\b(?:names?|kinds?|types?|sorts?) of (?:the |this |that |a |an |its )?")
_UNITS = {
    "hour", "hours", "minute", "minutes", "second", "seconds", "day", "days", "week", "weeks", "month", "months",
    "year", "years", "times", "fold", "gb", "tb", "mb", "gpus", "gpu", "epochs", "steps",
}
_SCALE_WORDS = {"thousand", "million", "billion"}
_MULTIPLIERS = {"k", "m", "b"} | _SCALE_WORDS
_ADJECTIVE_ENDINGS = ("ing", "ly", "al", "ic", "ive", "ous", "ful", "able")
_METRIC_UNITS = {"point", "points", "pp", "percent", "percentage", "percentages"}
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
    names = frozenset(found_names - GENERIC_ACRONYMS)
    kind: QuestionKind = "other"
    attribute: list[str] = []
    qualifiers: list[str] = []
    if (match := re.search(r"\bhow many\b(?: of (?:the |these |those |its |their )?)?", lowered)):
        kind = "count"
        attribute, qualifiers = _phrase_after(lowered, match.end(), limit=4)
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
        e for e in found_names if e.lower() not in _QUESTION_WORDS and e.lower() not in GENERIC_ACRONYMS
    )
    context = sorted(
        content_words(question) - set(attribute) - set(qualifiers) - _QUESTION_WORDS - _WEAK_VERBS
        - {e.lower() for e in entities}
    )
    return QuestionProfile(
        text=question, kind=kind, attribute=attribute, qualifiers=qualifiers, context=context, entities=entities
    )


def _word_forms(text: str) -> set[str]:
    """Every token and its stem, stopwords included: what a question term may match ("based", "images")."""
    return content_words(text) | set(tokens(text))


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
    words = _word_forms(sentence)
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


def keyword_share(profile: QuestionProfile, sentence: str) -> float:
    """Share of the question's own words in the sentence, including the telling small ones content words drop."""
    keys = {
        t for t in tokens(profile.text)
        if t not in _BOUNDARY and t not in _QUESTION_WORDS and (t not in STOPWORDS or t in _TELLING_STOPWORDS)
        and not any(c.isdigit() for c in t)
    }
    if not keys:
        return 0.0
    words = _word_forms(sentence)
    return sum(terms_match(k, words) for k in keys) / len(keys)


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
    toks = re.findall(r"[\w.,%+-]+", sentence)
    excluded = numbers(profile.text)
    numeric = {
        i: numbers(f"{t} {toks[i + 1]}" if i + 1 < len(toks) and toks[i + 1].lower() in _SCALE_WORDS else t) - excluded
        for i, t in enumerate(toks) if _is_quantity_token(t)
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
    options = {option for a in attribute for option in _SYNONYMS.get(a, {a})}
    tier = {}
    for i in numeric:
        if any(t.lower() in _UNITS and not asked & content_words(t) for t in toks[i + 1:i + 3]):
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


def answers_question(
    profile: QuestionProfile, sentence: str, paper: Paper, min_context: float = 0.5
) -> tuple[bool, str]:
    """Does this sentence of this paper answer the question? Returns (verdict, reason)."""
    paper_text = f"{paper.title} {paper.text}".lower()
    for entity in profile.entities:
        if not mentions(paper_text, entity):
            return False, f"the paper does not mention '{entity}'"
    if (profile.attribute and not _attribute_in(profile.attribute, sentence)
            and not _names_new_system(profile, sentence) and not _describes_system(profile, sentence)):
        return False, f"no evidence sentence states the {' '.join(profile.attribute)}"
    paper_words = _word_forms(paper_text)
    missing = [q for q in profile.qualifiers
               if not any(c.isdigit() for c in q)  # "7-billion-parameter" is written "7B" as often as not
               and q not in GENERIC_ACRONYMS  # "CT" is spelled out ("computed tomography") as often as not
               and not any(terms_match(option, paper_words) for option in _SYNONYMS.get(q, {q}))
               and not all(terms_match(part, paper_words) for part in q.split("-") if part)]
    if missing:
        return False, f"the paper does not mention '{missing[0]}'"
    if profile.kind in ("count", "quantity") and not bound_numbers(profile, sentence):
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
    if profile.entities and not any(mentions(lowered, entity) for entity in profile.entities):
        return False
    known = {e.lower() for e in profile.entities} | GENERIC_ACRONYMS
    return any(name not in known and _first_word(name) not in known for name in system_names(sentence))


def _describes_system(profile: QuestionProfile, sentence: str) -> bool:
    """"The CT volume compression model" is stated by "CT-ViT, which compresses CT volumes": every modifier, no noun."""
    if not set(profile.attribute) & _SYSTEM_NOUNS or not profile.qualifiers:
        return False
    words = _word_forms(sentence)
    return all(terms_match(q, words) for q in profile.qualifiers)


def answer_tokens(profile: QuestionProfile, sentence: str, paper: Paper) -> set[str]:
    """What in this sentence would be the answer: numbers for quantities, new names for "which"."""
    if profile.kind in ("count", "quantity"):
        return bound_numbers(profile, sentence)
    if profile.kind == "name":
        title_names = named_entities(paper.title)
        asked_names = named_entities(profile.text)
        subject = title_names if title_names & asked_names else set()
        known = ({e.lower() for e in profile.entities} | set(profile.context) | set(profile.qualifiers)
                 | subject | asked_names | GENERIC_ACRONYMS | STOPWORDS)  # "(Few-shot Text-driven ...)" spells the name out
        sentence = _URL.sub(" ", sentence)  # a repository path is not the dataset or model asked for
        phrases = {m.group(0).lower() for m in _TITLE_PHRASE.finditer(sentence)}
        names = named_entities(sentence) | phrases | _modifiers(profile, sentence)
        return {e for e in names if e not in known and _first_word(e) not in profile.attribute}
    return set()


def _first_word(name: str) -> str:
    """"llm-as-a-judge" is a kind of LLM use, not an LLM's name; "DeepSeek-OCR" is an OCR model's name."""
    return next(iter(sorted(content_words(re.split(r"[\s-]", name)[0]))), "")


def _modifiers(profile: QuestionProfile, sentence: str) -> set[str]:
    """Lower-case answers to "which X": the words naming this X ("a uterine fibroid treatment scenario").

    Not for systems: a dataset or model has a proper name, and "a sufficiently large dataset" is none.
    """
    if not profile.attribute or set(profile.attribute) & _SYSTEM_NOUNS:
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
        return bool(expected & bound_numbers(profile, claim))
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", claim.lower()) for name in expected)


def _covers(terms: list[str], text: str, share: float) -> bool:
    """Most terms occur in the text; one miss is always forgiven (questions paraphrase)."""
    if not terms:
        return True
    found = match_terms(terms, text) * len(terms)
    return found >= share * len(terms) - 1


def has_negation(text: str) -> bool:
    return bool(_NEGATIONS & set(tokens(text)))
