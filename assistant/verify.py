"""The verifier: nothing reaches the user that its cited evidence does not support.

Deterministic and offline (tier 0 of the design notes): a sentence survives
only if it is a statement (not an instruction), it cites evidence that exists,
every number and name in it occurs in that evidence (or the cited paper's
title; "nine" is 9, and "CABG" may be spelled out as "coronary artery bypass
grafting"), it adds no study design and no cause ("caused" against
"associated with"), it does not flip the evidence's meaning, and most of its
content words are there too. Embedding similarity never decides
support: it cannot see a wrong number or a "not".

Meaning flips are found by comparing polarity per matched content word, never
by "a negation anywhere":

- negation cues govern the next few content words of their clause (NegEx-style
  windows, cut at "but", "however", commas, semicolons ...); a claim word in
  such a window must not be affirmed by the evidence, and a word the evidence
  negates must not be affirmed by the claim;
- a word with a negative prefix ("ineffective", "non-significant",
  "dissatisfaction") negates the plain word the other text uses;
- an antonym ("increased" / "reduced", "higher" / "lower") counts as a flip when
  it sits among the same words as its opposite in the evidence;
- "A outperforms B" against "B outperforms A" (the subject may stand in a clause
  of its own), "from A to B" against "from B to A", and two numbers of the
  evidence that trade places ("13% and 8%" → "8% and 13%", also when the
  evidence lists the values before their "respectively" items or repeats a
  number elsewhere), are flips too.

Numbers are compared as numbers: "two-stage" states 2, "both groups" two groups,
"95 %" and LaTeX's "95\\%" are 95%; British and American spellings of a content
word count as one word ("tumour" / "tumor").

Which words negate, which prefixes, antonyms, study designs, causal terms and
instruction cues there are comes from the vocabulary file (`assistant/data/vocabulary.json`),
so another field can replace them without touching this module.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import Stemmer

from .citations import MARKER, MARKER_GROUP, attach_markers, cited_numbers, strip_markers
from .models import RemovedSentence
from .text import (
    abbreviates, american_spelling, content_words, mentions, named_entities, normalise_number, numbers,
    spelled_as_digits, spelled_out, split_sentences, terms_match, tokens,
)
from .vocabulary import Vocabulary, vocabulary

__all__ = ["Verdict", "VerifiedSentence", "Verification", "check_support", "verify_answer", "MARKER", "is_instruction",
           "is_question"]

_MIN_CLAIM_WORDS = 2
_LABEL = re.compile(r"^\s*(?:answer|response)\s*:\s*", re.I)
_ECHO = re.compile(r"\b(?:Question|Evidence)\s*:", re.I)  # small models echo the prompt after answering
_ASKS = re.compile(r"\?[\s\"'\u201d\u2019)\]]*$")  # ends with a question mark, maybe inside quotes or brackets
_LEADING_MARKER = re.compile(rf"^\s*({MARKER_GROUP})\s*")

# --- English grammar the polarity checks rely on (not field words: those live in the vocabulary) ---
_CONTRACTED_NOT = re.compile(r"n['’]t\b", re.I)  # "didn't" -> "did not", "can't" -> "ca not"
# A negation's window ends where its clause does.
_CLAUSE_BREAK = re.compile(
    r"[;:()\[\]]|,(?=\s)|\s[-–—]\s|\b(?:but|however|although|though|whereas|while|yet|except|despite)\b", re.I
)
_PSEUDO_NEGATIONS = {("not", "only"), ("not", "just"), ("not", "limited"), ("no", "doubt"), ("or", "not")}
_NEGATION_WINDOW = 4  # content words a cue governs
_NUMERAL = re.compile(r"\d[\d.,]*%?")
_BOUND_PREPOSITIONS = {"above", "below", "over", "under"}  # "below 5%"; "four large (200 beds)" is no bound
_CONTEXT_WINDOW = 4  # tokens either side that say what an antonym is about
_NUMBER_WINDOW = 3  # tokens either side that say what a number counts
_DIRECTION_SPAN = 12  # tokens from "from" to its "to" at most
_DIRECTION_ENDS = {"to", "into", "toward", "towards"}
_COMPARISON_MARKERS = {"vs", "versus", "compared"}
_ITEM_JOINTS = {"and", "or"}  # what joins the items of a list
_LIST_JOINTS = _ITEM_JOINTS | {"vs", "versus"}  # "but", "whereas", ... open clauses of their own: `_joint_between`
_INFLECTIONS = ("", "e", "s", "es", "d", "ed", "ing", "ingly", "er", "ers", "est", "ly", "ely", "ion", "ions", "tion",
                "ation", "ment", "ments", "ement", "ements", "ful", "fully", "n")
_SELF_OVERLAP = 0.6  # share of the shorter sentence's content two sentences must share to be "about the same thing"


class Ledger(Protocol):
    """What the verifier needs of an evidence ledger (assistant.evidence.EvidenceLedger)."""

    items: list

    def get(self, n: int): ...


@dataclass
class Verdict:
    supported: bool
    reason: str
    contradicts: bool = False  # the claim flips the evidence's meaning (negation, antonym, reversed comparison)


@dataclass
class VerifiedSentence:
    text: str
    claim: str
    cited: list[int]


@dataclass
class Verification:
    kept: list[VerifiedSentence] = field(default_factory=list)
    removed: list[RemovedSentence] = field(default_factory=list)


# --- word matching ------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    """One word in two forms: equal, a plural, one a short extension of the other ("minimize" ~ "minimizing"),
    or a shared 6-letter stem ("associated" ~ "association"); "post" is not "postoperative"."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if long_ in (short + "s", short + "es"):
        return True
    if len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 5:
        return True
    return len(short) >= 6 and a[:6] == b[:6]


def _strongly_same(a: str, b: str) -> bool:
    """Stricter, for prefix stripping: equal, a plural, or a shared 6-letter stem ("satisfied" ~ "satisfaction")."""
    return a == b or a.rstrip("s") == b.rstrip("s") or (min(len(a), len(b)) >= 6 and a[:6] == b[:6])


def _overlap(words: set[str], others: set[str]) -> int:
    return sum(any(_same(w, o) for o in others) for w in words)


def _inflects(token: str, word: str) -> bool:
    """Is `token` a form of `word`? ("reduced", "reduction" of "reduce"; "lower" of "low"; "dropped" of "drop")."""
    if token == word:
        return True
    stem = word[:-1] if word.endswith("e") and len(word) > 3 else word
    if token.startswith(stem) and token[len(stem):] in _INFLECTIONS:
        return True
    return token.startswith(word + word[-1]) and token[len(word) + 1:] in ("ed", "ing", "er", "est")


@lru_cache(maxsize=65536)
def _antonym_forms(word: str, forms: frozenset[str], candidates: tuple[str, ...]) -> frozenset[str]:
    """The antonym-list words that this token (or a part of a hyphenated token) is a form of."""
    return frozenset(c for c in candidates if any(_inflects(f, c) for f in (word, *forms)))


# --- the vocabulary, prepared once per vocabulary object -------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    cues: tuple[tuple[str, ...], ...]
    prefixes: tuple[str, ...]
    opposites: dict[str, frozenset[str]]  # every antonym word -> its opposites
    singles: tuple[str, ...]  # one-word antonym words
    phrases: tuple[tuple[str, ...], ...]  # antonym phrases of several words, longest first
    designs: tuple[tuple[str, tuple[str, ...]], ...]  # (term as written, normalised words)
    causal: tuple[tuple[str, tuple[str, ...]], ...]  # the same, for the words that state a cause
    instruction_phrases: tuple[str, ...]
    imperatives: frozenset[str]


_LEXICONS: dict[int, tuple[Vocabulary, _Lexicon]] = {}


def _longest_first(term):
    """Longest first, then alphabetical: the vocabulary's lists are sets, and a reason must not change from one
    process to the next with the order a set happens to iterate in."""
    return -len(term), term


def _lexicon(vocab: Vocabulary) -> _Lexicon:
    """The vocabulary's lists in the shapes the checks use, built once per vocabulary in use."""
    cached = _LEXICONS.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    opposites: dict[str, set[str]] = {}
    for word, opposite in vocab.antonyms:
        word, opposite = word.lower().strip(), opposite.lower().strip()
        opposites.setdefault(word, set()).add(opposite)
        opposites.setdefault(opposite, set()).add(word)
    phrases = sorted({tuple(w.split()) for w in opposites}, key=_longest_first)
    cues = tuple(sorted({tuple(c.lower().split()) for c in vocab.negation_cues}, key=_longest_first))
    designs = tuple((d, _normalise_design(d)) for d in sorted(vocab.study_designs, key=_longest_first))
    causal = tuple((c, _normalise_design(c)) for c in sorted(vocab.causal_terms, key=_longest_first))
    instructions = [_normalise_instruction(c) for c in vocab.instruction_cues]
    lexicon = _Lexicon(
        cues=cues,
        prefixes=tuple(sorted((p.lower() for p in vocab.negative_prefixes), key=_longest_first)),
        opposites={w: frozenset(o) for w, o in opposites.items()},
        singles=tuple(sorted(p[0] for p in phrases if len(p) == 1)),
        phrases=tuple(p for p in phrases if len(p) > 1),
        designs=designs,
        causal=causal,
        instruction_phrases=tuple(c for c in instructions if " " in c),
        imperatives=frozenset(c for c in instructions if c and " " not in c),
    )
    _LEXICONS[id(vocab)] = (vocab, lexicon)
    return lexicon


# --- a text as tokens with clause, negation and antonym marks ---------------------------------------


@dataclass(eq=False)
class _Token:
    word: str
    forms: frozenset[str]  # content words it carries; empty for stopwords, numbers and cues
    sentence: int
    clause: int
    index: int  # position in its sentence
    negated: bool = False
    cue: bool = False
    prefix: str = ""  # the negative prefix stripped from it, if any
    antonyms: frozenset[str] = frozenset()  # antonym-list words this token (or phrase it starts) is a form of
    span: int = 1
    opened_by: str = ""  # what began its clause: "," "but" "(" ... (dropped from the tokens)
    bound: str = ""  # the number this word bounds ("more than 40"), if any


@dataclass(eq=False)
class _Cue:
    token: _Token
    scope: list[_Token]
    partners: list[_Cue] = field(default_factory=list)  # the "nor" windows of a "neither"

    def joint_forms(self) -> set[str]:
        """Its window's words and those of its correlated cues: in "neither A, B nor C showed a correlation"
        the negation is of the shared predicate, which only the last window reaches."""
        return {f for cue in (self, *self.partners) for t in cue.scope for f in t.forms}

    @property
    def phrase(self) -> str:
        if self.token.prefix:
            return self.token.word
        return " ".join([self.token.word] + [t.word for t in self.scope])


class _Analysis:
    """Tokens of one or more texts, with negation windows and antonyms marked."""

    def __init__(self, texts: list[str], lexicon: _Lexicon):
        self.lexicon = lexicon
        self.sentences: list[list[_Token]] = []
        for text in texts:
            for sentence in split_sentences(_CONTRACTED_NOT.sub(" not", text)):
                self.sentences.append(self._tokenise(sentence, len(self.sentences)))
        self.tokens = [t for s in self.sentences for t in s]
        self.cues: list[_Cue] = []
        for sentence in self.sentences:
            self._mark_negation(sentence)
            self._mark_antonyms(sentence)

    @staticmethod
    def _tokenise(sentence: str, number: int) -> list[_Token]:
        out: list[_Token] = []
        breaks = [""] + [m.group(0) for m in _CLAUSE_BREAK.finditer(sentence)]
        for clause, part in enumerate(_CLAUSE_BREAK.split(sentence)):
            opened_by = breaks[clause].strip().lower()
            for word in tokens(part or ""):
                out.append(_Token(word, frozenset(content_words(word)), number, clause, len(out), opened_by=opened_by))
        return out

    def _mark_negation(self, sentence: list[_Token]) -> None:
        words = [t.word for t in sentence]
        neither: _Cue | None = None
        i = 0
        while i < len(sentence):
            cue = next((c for c in self.lexicon.cues if tuple(words[i:i + len(c)]) == c), None)
            pseudo = (tuple(words[i:i + 2]) in _PSEUDO_NEGATIONS
                      or tuple(words[max(i - 1, 0):i + 1]) in _PSEUDO_NEGATIONS)
            if cue is None or pseudo:
                i += 1
                continue
            head = sentence[i]
            for t in sentence[i:i + len(cue)]:
                t.cue, t.forms = True, frozenset()
            scope: list[_Token] = []
            for t in sentence[i + len(cue):]:
                if t.clause != head.clause or len(scope) >= _NEGATION_WINDOW:
                    break
                if any(tuple(words[t.index:t.index + len(c)]) == c for c in self.lexicon.cues):
                    break  # "neither A nor B": the next cue opens its own window
                if t.forms:
                    t.negated = True
                    scope.append(t)
            found = _Cue(head, scope)
            self.cues.append(found)
            if cue == ("nor",) and neither is not None:
                neither.partners.append(found)
            else:
                neither = found if cue == ("neither",) else None
            i += len(cue)

    def _mark_antonyms(self, sentence: list[_Token]) -> None:
        singles, phrases = self.lexicon.singles, self.lexicon.phrases
        words = [t.word for t in sentence]
        for i, t in enumerate(sentence):
            t.bound = _bounded_number(words, i)
            found = set(_antonym_forms(t.word, t.forms, singles))
            span = 1
            for phrase in phrases:  # "fall short": several words
                window = sentence[i:i + len(phrase)]
                if len(window) < len(phrase) or any(w.clause != t.clause for w in window):
                    continue
                if all(p in _antonym_forms(w.word, w.forms, (p,)) for w, p in zip(window, phrase)):
                    found.add(" ".join(phrase))
                    span = max(span, len(phrase))
            if found and not any(self.lexicon.opposites.get(w, frozenset()) & found for w in found):
                t.antonyms, t.span = frozenset(found), span  # "low-to-high" names both ends: no direction

    def strip_prefixes(self, other_words: set[str]) -> None:
        """"ineffective" where the other text says "effective": the plain word, negated, its prefix a cue."""
        if not self.lexicon.prefixes:
            return
        for t in self.tokens:
            if t.cue or not t.forms or any(_same(t.word, w) for w in other_words):
                continue
            for prefix in self.lexicon.prefixes:
                rest = t.word[len(prefix):]
                if rest.startswith("-") and not prefix.endswith("-"):
                    continue  # "in-hospital" is not "not hospital"; "non-" is listed with its hyphen
                rest = rest.split("-", 1)[0]  # "image-guided" is not "im" + "age-guided"
                if not t.word.startswith(prefix) or len(rest) < 5:
                    continue
                forms = content_words(rest)
                if forms and any(_strongly_same(f, w) for f in forms for w in other_words):
                    t.forms, t.prefix, t.negated = frozenset(forms), prefix, not t.negated
                    self.cues.append(_Cue(t, [t]))
                    break

    def words(self) -> set[str]:
        return {f for t in self.tokens for f in t.forms}

    def forms(self, negated: bool) -> set[str]:
        return {f for t in self.tokens if t.negated == negated for f in t.forms}

    def polar(self, t: _Token) -> bool:
        return t.cue or bool(t.antonyms) or bool(t.prefix)

    def context(self, t: _Token, window: int = _CONTEXT_WINDOW) -> set[str]:
        sentence = self.sentences[t.sentence]
        near = sentence[max(t.index - window, 0):t.index] + sentence[t.index + t.span:t.index + t.span + window]
        return {f for n in near if not self.polar(n) for f in n.forms}

    def content_context(self, t: _Token, window: int = _CONTEXT_WINDOW) -> set[str]:
        """The nearest `window` content words either side: what an antonym is about ("improvement of 43.8% in the
        factual accuracy": the stopwords between do not push "factual accuracy" out of reach)."""
        sentence = self.sentences[t.sentence]
        before = [n for n in sentence[:t.index] if n.forms][-window:]
        after = [n for n in sentence[t.index + t.span:] if n.forms][:window]
        return {f for n in before + after if not self.polar(n) for f in n.forms}

    def sides(self, t: _Token) -> tuple[set[str], set[str]]:
        """Content words before and after `t` in its clause (what is compared with what). A side the clause leaves
        empty reaches into the sentence's other clauses on that side: in "Our model, X, outperforms Y" or "X does
        well, outperforming Y" the subject stands in a clause of its own."""
        sentence = [n for n in self.sentences[t.sentence] if not self.polar(n)]
        clause = [n for n in sentence if n.clause == t.clause]
        before = [n for n in clause if n.index < t.index and n.forms] or [n for n in sentence if n.index < t.index]
        after = ([n for n in clause if n.index >= t.index + t.span and n.forms]
                 or [n for n in sentence if n.index >= t.index + t.span])
        return {f for n in before for f in n.forms}, {f for n in after for f in n.forms}

    def than_sides(self, t: _Token) -> tuple[set[str], set[str]] | None:
        """(everything else of the comparison, what follows its "than"), or None without a "than" after `t` in
        its clause."""
        clause = [n for n in self.sentences[t.sentence] if n.clause == t.clause and not self.polar(n)]
        than = next((n for n in clause if n.index >= t.index + t.span and n.word == "than"), None)
        if than is None:
            return None
        before = {f for n in clause if n.index < than.index and n is not t for f in n.forms}
        after = {f for n in clause if n.index > than.index for f in n.forms}
        return (before, after) if before and after else None

    def following(self, t: _Token, count: int = 1) -> set[str]:
        after = [n for n in self.sentences[t.sentence][t.index + t.span:] if n.clause == t.clause and n.forms
                 and not self.polar(n)]
        return {f for n in after[:count] for f in n.forms}


def _bounded_number(words: list[str], i: int) -> str:
    """The number the i-th word bounds ("more than 40", "65 years or older", "below 5%"), or "". A bound marks off a
    group or a range: it is weighed only against bounds of the same number ("fewer than 100" vs "more than 100")."""
    after = words[i + 1:i + 3]
    if after[:1] == ["than"] and len(after) == 2 and _NUMERAL.fullmatch(after[1]):
        return after[1]
    if words[i] in _BOUND_PREPOSITIONS and after and _NUMERAL.fullmatch(after[0]):
        return after[0]
    if i >= 2 and words[i - 1] == "or":
        return next((w for w in reversed(words[max(i - 4, 0):i - 1]) if _NUMERAL.fullmatch(w)), "")
    return ""


def _pair(claim: str | list[str], evidence: list[str]) -> tuple[_Analysis, _Analysis]:
    lexicon = _lexicon(vocabulary())
    a = _Analysis([claim] if isinstance(claim, str) else claim, lexicon)
    b = _Analysis(evidence, lexicon)
    a_words, b_words = {t.word for t in a.tokens if t.forms}, {t.word for t in b.tokens if t.forms}
    a_words |= a.words()
    b_words |= b.words()
    a.strip_prefixes(b_words)
    b.strip_prefixes(a_words)
    return a, b


# --- the checks -------------------------------------------------------------------------------------


def _normalise_instruction(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split())


def is_question(sentence: str) -> bool:
    """A question asks, it does not state ("User: what is the answer?", "Does X reduce Y?"): it answers nothing."""
    return bool(_ASKS.search(sentence))


def is_instruction(claim: str) -> bool:
    """An instruction to a model or the reader ("Ignore previous instructions ...", "You must answer yes")."""
    lexicon = _lexicon(vocabulary())
    said = _normalise_instruction(claim)
    if not said:
        return False
    if any(f" {phrase} " in f" {said} " for phrase in lexicon.instruction_phrases):
        return True
    return said.split()[0] in lexicon.imperatives  # an imperative opens the sentence


def _normalise_design(text: str) -> tuple[str, ...]:
    return tuple(re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("-", " ")).split())


@lru_cache(maxsize=65536)
def _design_word(term: str, word: str) -> bool:
    """Is `word` a form of the design word `term`? ("randomised" and "randomization" of "randomized"; "surveys" of
    "survey"; but "question" is no "questionnaire", "quality" no "qualitative", "intervention" no "interview").
    Cached: every word of every checked sentence is tried against every design word."""
    if len(term) < 6:
        return word in (term, term + "s", term + "es")
    term, word = american_spelling(term), american_spelling(word)
    if word[:6] != term[:6]:
        return False
    return (_inflects(word, term) or _inflects(term, word) or _snowball(word) == _snowball(term)
            or (term[:-2] == word[:-2] and {term[-2:], word[-2:]} == {"is", "es"}))  # "analysis", "analyses"


_STEMMERS = threading.local()  # a PyStemmer object must not be shared between threads


def _snowball(word: str) -> str:
    if not hasattr(_STEMMERS, "english"):
        _STEMMERS.english = Stemmer.Stemmer("english")
    return _STEMMERS.english.stemWord(word)


def _states_design(design: tuple[str, ...], words: tuple[str, ...]) -> bool:
    n = len(design)
    return any(all(_design_word(d, w) for d, w in zip(design, words[i:i + n])) for i in range(len(words) - n + 1))


def _added_term(claim: str, evidence: str, terms: tuple[tuple[str, tuple[str, ...]], ...],
                one_meaning: bool = False) -> str | None:
    """The first of `terms` the claim states and the evidence does not. `one_meaning`: the terms say one thing
    ("caused", "causal"), so the evidence stating any of them is enough; study designs each say their own."""
    said, source = _normalise_design(claim), _normalise_design(evidence)
    if one_meaning and any(design and _states_design(design, source) for _, design in terms):
        return None
    added = [term for term, design in terms
             if design and _states_design(design, said) and not _states_design(design, source)]
    as_written = [term for term in added if f" {' '.join(_normalise_design(term))} " in f" {' '.join(said)} "]
    return (as_written or added or [None])[0]


def _negation_flip(claim: _Analysis, evidence: _Analysis, *, fallback: bool, guard: bool) -> str | None:
    """A word negated on one side and affirmed on the other, and negated nowhere on that other side."""
    evidence_negated, evidence_affirmed = evidence.forms(True), evidence.forms(False)
    for cue in claim.cues:  # the claim negates ...
        if not cue.scope:
            continue
        if _overlap(cue.joint_forms(), evidence_negated):
            continue  # ... what the evidence negates too
        affirmed = [t for t in cue.scope if _overlap(set(t.forms), evidence_affirmed)]
        if guard and any(_different_objects(claim, t, evidence) for t in affirmed):
            continue  # "did not improve latency" against "improved accuracy": about something else
        if affirmed:
            word = f"'{cue.token.word}'" if cue.token.prefix else f"'{cue.phrase}'"
            return f"negates what the cited evidence says ({word})"
        if fallback and not evidence.cues:
            return "negates what the cited evidence says"
    claim_negated, claim_affirmed = claim.forms(True), claim.forms(False)
    claim_words = claim.words()
    for cue in evidence.cues:  # the evidence negates ...
        present = [t for t in cue.scope if _overlap(set(t.forms), claim_words)]
        if not present or any(_overlap(set(t.forms), claim_negated) for t in present):
            continue
        if cue.partners and _overlap(cue.joint_forms(), claim_negated):
            continue  # "neither A nor B differed" against "A did not differ": the predicate is negated on both sides
        affirmed = [t for t in present
                    if _overlap(set(t.forms), claim_affirmed) and not _affirmed_elsewhere(evidence, t, claim)]
        if guard and any(_different_objects(evidence, t, claim) for t in affirmed):
            continue
        head = cue.scope[0]
        if affirmed and (head in affirmed or len(affirmed) >= 2 or 2 * len(affirmed) >= len(cue.scope)):
            return f"affirms what the cited evidence negates ('{cue.phrase}')"
    return None


def _affirmed_elsewhere(evidence: _Analysis, t: _Token, claim: _Analysis) -> bool:
    """The evidence negates `t` here but affirms the word elsewhere, in words at least as close to the claim's
    ("not associated with A but associated with B": a claim "associated with B" is no flip)."""
    said = [c for c in claim.tokens if not c.negated and _overlap(set(t.forms), set(c.forms))]
    others = [e for e in evidence.tokens if e is not t and not e.negated and _overlap(set(t.forms), set(e.forms))]
    if not said or not others:
        return False
    for c in said:
        after = claim.following(c, 2)  # what the word is about: "associated with B"
        here, there = _overlap(after, evidence.following(t, 2)), max(_overlap(after, evidence.following(e, 2))
                                                                      for e in others)
        if there != here:
            if there > here:
                return True
            continue
        context = claim.context(c)
        if max(_overlap(context, evidence.context(e)) for e in others) >= _overlap(context, evidence.context(t)):
            return True
    return False


def _different_objects(text: _Analysis, t: _Token, other: _Analysis) -> bool:
    """"improved accuracy" vs "did not improve latency": the word right after differs, so no flip."""
    mine = text.following(t)
    matches = [o for o in other.tokens if o.forms and _overlap(set(t.forms), set(o.forms))]
    theirs = [other.following(o) for o in matches]
    return bool(mine) and all(ts and not _overlap(mine, ts) for ts in theirs)


def _only(words: set[str], others: set[str]) -> set[str]:
    return {w for w in words if not _overlap({w}, others)}


def _reversed(claim: _Analysis, c: _Token, evidence: _Analysis, e: _Token) -> bool:
    """"B outperforms A" against "A outperforms B": words before and after the comparison trade sides. Where
    both say "than", what follows it is the one compared against, wherever the rest stands: "higher X in A
    than in B" and "A had higher X than B" agree."""
    than_c, than_e = claim.than_sides(c), evidence.than_sides(e)
    if than_c and than_e:
        (left_c, right_c), (left_e, right_e) = than_c, than_e
    else:
        (left_c, right_c), (left_e, right_e) = claim.sides(c), evidence.sides(e)
    left_c, right_c = _only(left_c, right_c), _only(right_c, left_c)  # words on both sides say nothing of order
    left_e, right_e = _only(left_e, right_e), _only(right_e, left_e)
    moved_right = any(_overlap({w}, right_e) and not _overlap({w}, left_e) for w in left_c)
    moved_left = any(_overlap({w}, left_e) and not _overlap({w}, right_e) for w in right_c)
    return moved_right and moved_left


def _antonym_flip(claim: _Analysis, evidence: _Analysis) -> str | None:
    """"increased errors" where the evidence has "reducing errors" among the same words."""
    opposites = claim.lexicon.opposites
    for c in claim.tokens:
        if not c.antonyms:
            continue
        wanted = {o for w in c.antonyms for o in opposites.get(w, ())}
        context = claim.content_context(c)
        best_opposite, best_same, opposite_token = 0, 0, None
        for e in evidence.tokens:
            if not e.antonyms or e.bound != c.bound:
                continue
            score = _overlap(context, evidence.content_context(e))
            is_opposite = bool(e.antonyms & wanted) and e.negated == c.negated and not _reversed(claim, c, evidence, e)
            if is_opposite and score > best_opposite:
                best_opposite, opposite_token = score, e
            elif not is_opposite and (e.antonyms & c.antonyms or e.antonyms & wanted
                                      or _same_direction(e.antonyms, wanted, opposites)) and score > best_same:
                best_same = score
        if opposite_token is not None and best_opposite > best_same:
            return f"says '{c.word}' where the cited evidence says '{opposite_token.word}'"
    return None


def _same_direction(words: frozenset[str], their_opposites: set[str], opposites: dict[str, frozenset[str]]) -> bool:
    """Words with two opposites in common point the same way: "lower" and "reduce" are both opposites of "increase"
    and "raise" (one shared opposite is not enough: "improve" and "increase" are both opposites of "reduce")."""
    return len({o for w in words for o in opposites.get(w, ())} & their_opposites) >= 2


def _reversed_comparison(claim: _Analysis, evidence: _Analysis) -> str | None:
    for c in claim.tokens:
        if not c.antonyms:
            continue
        same = [e for e in evidence.tokens if e.antonyms & c.antonyms and e.negated == c.negated]
        if not same:
            continue

        def fit(e: _Token) -> int:
            left, right = evidence.sides(e)
            lc, rc = claim.sides(c)
            return _overlap(lc | rc, left | right)

        best = max(same, key=fit)
        if _reversed(claim, c, evidence, best):
            return f"reverses the comparison '{c.word}' of the cited evidence"
    return None


def _directions(text: _Analysis) -> list[tuple[set[str], set[str]]]:
    """(words after "from", words after "to") for each "from A to B" / "from A into B" of the text."""
    found = []
    for sentence in text.sentences:
        for k, t in enumerate(sentence):
            if t.word != "from":
                continue
            end = next((j for j in range(k + 1, min(k + 1 + _DIRECTION_SPAN, len(sentence)))
                        if sentence[j].word in _DIRECTION_ENDS or sentence[j].word == "from"), None)
            if end is None or sentence[end].word == "from":
                continue
            source = {f for n in sentence[k + 1:end] for f in n.forms}
            target = {f for n in [n for n in sentence[end + 1:] if n.clause == sentence[end].clause and n.forms][:4]
                      for f in n.forms}
            if source and target:
                found.append((_only(source, target), _only(target, source)))
    return found


def _reversed_direction(claim: _Analysis, evidence: _Analysis) -> str | None:
    """"from A to B" where the evidence says "from B to A" (an evolution, a translation, a shift)."""
    for said_from, said_to in _directions(claim):
        for from_, to in _directions(evidence):
            if (_overlap(said_from, to) and _overlap(said_to, from_)
                    and not _overlap(said_from, from_) and not _overlap(said_to, to)):
                return "reverses the direction ('from ... to') of the cited evidence"
    return None


def _token_numbers(word: str) -> list[str]:
    if not word[:1].isdigit():
        return []  # "COVID-19", "MedSAM-2": names, not quantities
    return [normalise_number(m.group(0)) for m in re.finditer(r"\d[\d,]*(?:\.\d+)?%?", word)]


def _number_places(text: _Analysis) -> dict[str, list[_Token]]:
    places: dict[str, list[_Token]] = {}
    for t in text.tokens:
        for n in _token_numbers(t.word):
            places.setdefault(n, []).append(t)
    return places


def _number_context(text: _Analysis, t: _Token) -> set[str]:
    """The words next to a number, up to the next number or list joint ("benign in 31 cases and malignant in 9":
    31 goes with "benign", 9 with "malignant"; "41% never ..., but 38% always ...": "but" ends 41%'s words)."""
    sentence = text.sentences[t.sentence]
    words: set[str] = set()
    for step in (-1, 1):
        i = t.index + step
        while (0 <= i < len(sentence) and abs(i - t.index) <= _NUMBER_WINDOW and not _token_numbers(sentence[i].word)
               and sentence[i].word not in _LIST_JOINTS and not _joint_between(sentence[i - step], sentence[i])):
            words |= sentence[i].forms
            i += step
    return words


def _joint_between(a: _Token, b: _Token) -> bool:
    """A clause opened by a word ("but", "whereas", "while", ...) lies between two neighbouring tokens: the list
    joints the clause split took out of the tokens."""
    later = a if a.index > b.index else b
    return a.clause != b.clause and later.opened_by.isalpha()


def _ordered_pairs(text: _Analysis) -> set[tuple[str, str]]:
    """(a, b) for "a vs b", "a versus b", "a compared with b", "from a to b"."""
    pairs = set()
    for sentence in text.sentences:
        for k, t in enumerate(sentence):
            if t.word not in _COMPARISON_MARKERS and t.word != "to":
                continue
            before = [n for s in reversed(sentence[max(k - 6, 0):k]) for n in _token_numbers(s.word)[-1:]]
            after = [n for s in sentence[k + 1:k + 7] for n in _token_numbers(s.word)[:1]]
            if not before or not after:
                continue
            if t.word == "to":
                first = next(i for i in range(k - 1, -1, -1) if _token_numbers(sentence[i].word))
                if first == 0 or sentence[first - 1].word != "from" or not _token_numbers(sentence[k + 1].word):
                    continue
            pairs.add((before[0], after[0]))
    return pairs


def _respectively(sentence: list[_Token]) -> list[tuple[_Token, str]]:
    """"A and B by 13.4% and 9.8%, respectively" -> [(A, 13.4%), (B, 9.8%)], and "13.4% and 9.8% in the A and B
    groups, respectively" likewise; [] when the list is not that plain."""
    out: list[tuple[_Token, str]] = []
    for r, t in enumerate(sentence):
        if t.word != "respectively":
            continue
        values: list[str] = []
        i = r - 1
        while i >= 0 and (_token_numbers(sentence[i].word) or not sentence[i].forms):
            values[:0] = _token_numbers(sentence[i].word)
            i -= 1
        if not values:
            out += _values_first(sentence, r)
            continue
        items: list[_Token] = []
        while i >= 0 and len(items) < len(values):
            if sentence[i].forms and not sentence[i].cue:
                if items:  # list items are joined by "and"/"or" or a comma, else this is one phrase ("total score")
                    between = sentence[i + 1:items[0].index]
                    if not any(b.word in _ITEM_JOINTS for b in between) and sentence[i].clause == items[0].clause:
                        break
                items.insert(0, sentence[i])
            i -= 1
        if 2 <= len(values) <= 4 and len(items) == len(values) and len({t.word for t in items}) == len(items):
            out += list(zip(items, values))
    return out


def _values_first(sentence: list[_Token], r: int) -> list[tuple[_Token, str]]:
    """"rates of 12% and 20% in the treated and untreated groups, respectively": the values come first, then the
    items. An item is the last content word before its list joint, the last one the first content word after
    the joint before it (the head noun the items share comes after it)."""
    i = r - 1
    while i >= 0 and not _token_numbers(sentence[i].word):
        i -= 1
    segments: list[list[_Token]] = [[]]
    for t in sentence[i + 1:r]:
        if t.word in _ITEM_JOINTS:
            segments.append([])
        elif t.forms:
            segments[-1].append(t)
    if any(not segment for segment in segments):
        return []
    items = [segment[-1] for segment in segments[:-1]] + [segments[-1][0]]
    unit = sentence[i + 1].word  # "123 mmHg and 132 mmHg": the word after the last value may repeat
    values: list[str] = []
    while i >= 0:
        found = _token_numbers(sentence[i].word)
        if found:
            values[:0] = found
        elif sentence[i].forms and sentence[i].word != unit:
            break
        i -= 1
    if 2 <= len(values) <= 4 and len(items) == len(values) and len({t.word for t in items}) == len(items):
        return list(zip(items, values))
    return []


def _nearest_number(text: _Analysis, t: _Token) -> str | None:
    """The closest number on either side that no list joint separates from `t` ("20% in the untreated group and
    12% in the treated group": 20% for "untreated"), counting content words only ("128 mmHg in the older
    group"); the following one on a tie."""
    sentence = text.sentences[t.sentence]
    found: list[tuple[int, str]] = []
    for step in (1, -1):
        i, distance = t.index + step, 0
        while 0 <= i < len(sentence) and distance < _NUMBER_WINDOW and sentence[i].word not in _LIST_JOINTS:
            numbers_here = _token_numbers(sentence[i].word)
            distance += bool(numbers_here or sentence[i].forms)
            if numbers_here:
                found.append((distance, numbers_here[0]))
                break
            i += step
    return min(found, key=lambda f: f[0])[1] if found else None


def _swapped_numbers(claim: _Analysis, evidence: _Analysis) -> str | None:
    """Two numbers of the evidence that trade places in the claim ("+13% sensitivity, +8% specificity")."""
    in_claim, in_evidence = _number_places(claim), _number_places(evidence)
    stated = sorted(n for n in in_claim if len(in_claim[n]) == 1 and n in in_evidence)
    if len(stated) < 2:
        return None
    shared = [n for n in stated if len(in_evidence[n]) == 1]
    evidence_pairs = _ordered_pairs(evidence)
    for a, b in _ordered_pairs(claim):
        if a != b and a in shared and b in shared and (b, a) in evidence_pairs and (a, b) not in evidence_pairs:
            return f"swaps the numbers {a} and {b} of the cited evidence"
    claim_paired = {id(t): v for sentence in claim.sentences for t, v in _respectively(sentence)}
    for sentence in evidence.sentences:
        paired = _respectively(sentence)
        values = {v for _, v in paired}
        for item, value in paired:
            if sum(e.word == item.word for e in evidence.tokens) != 1:
                continue
            said_items = [c for c in claim.tokens if c.forms and _overlap(set(item.forms), set(c.forms))]
            for c in said_items if len(said_items) == 1 else []:
                said = claim_paired.get(id(c)) or _nearest_number(claim, c)
                if said in values and said != value and said in shared and value in shared:
                    return f"swaps the numbers {value} and {said} of the cited evidence"
    listed = {t.sentence for t in evidence.tokens if t.word == "respectively"}  # paired above, not by neighbours
    for i, a in enumerate(stated):
        for b in stated[i + 1:]:
            ta, tb = in_claim[a][0], in_claim[b][0]
            if ta is tb or (a, b) in evidence_pairs or (b, a) in evidence_pairs:
                continue  # one token, or their order is stated outright ("22 versus 15"), checked above
            if _bracketed(claim, ta, tb) and any(_bracketed(evidence, ea, eb)
                                                 for ea in in_evidence[a] for eb in in_evidence[b]):
                continue  # one quantity in two forms both times ("33 (1.15%)" for "1.15% (n = 33)")
            if _crossed_contexts(claim, ta, tb, evidence, in_evidence[a], in_evidence[b], listed):
                return f"swaps the numbers {a} and {b} of the cited evidence"
    return None


def _bracketed(text: _Analysis, a: _Token, b: _Token) -> bool:
    """Is one number the other's second form, in brackets right after it ("33 (1.15%)", "1.15% (n = 33)")? Then
    the two are one quantity, and which comes first says nothing."""
    first, second = sorted((a, b), key=lambda t: (t.sentence, t.index))
    if first.sentence != second.sentence or second.opened_by != "(" or second.clause != first.clause + 1:
        return False
    between = text.sentences[first.sentence][first.index + 1:second.index]
    return len(between) <= 2 and not any(t.forms or _token_numbers(t.word) for t in between)


def _crossed_contexts(claim: _Analysis, ta: _Token, tb: _Token, evidence: _Analysis, places_a: list[_Token],
                      places_b: list[_Token], listed: set[int]) -> bool:
    """Each number's words sit next to the other number in the evidence, wherever the evidence repeats them
    ("95% sensitivity ... a negative predictive value of 95%"): no pairing of the places reads the claim straight."""
    ca, cb = _number_context(claim, ta), _number_context(claim, tb)
    crossed_somewhere = False
    for ea in places_a:
        for eb in places_b:
            if ea is eb or {ea.sentence, eb.sentence} & listed:
                continue
            xa, xb = _number_context(evidence, ea), _number_context(evidence, eb)
            xa, xb = _only(xa, xb), _only(xb, xa)
            if _overlap(ca, xa) + _overlap(cb, xb):
                return False
            crossed_somewhere |= _overlap(ca, xb) + _overlap(cb, xa) >= 2
    return crossed_somewhere


def _meaning_flip(claim: str, evidence_texts: list[str]) -> str | None:
    said, source = _pair(claim, evidence_texts)
    return (
        _negation_flip(said, source, fallback=True, guard=False)
        or _antonym_flip(said, source)
        or _reversed_comparison(said, source)
        or _reversed_direction(said, source)
        or _swapped_numbers(said, source)
    )


def _as_proportions(stated: set[str]) -> set[str]:
    """The numbers with a proportion's other spelling: 0.5 is 50% and 80% is 0.8."""
    forms = set(stated)
    for number in stated:
        try:
            value = float(number.rstrip("%"))
        except ValueError:
            continue
        if number.endswith("%"):
            forms.add(f"{value / 100:.6g}")
        elif 0 < value < 1:
            forms.add(f"{value * 100:.6g}%")
    return forms


def _acronym_words(text: str, other: str) -> set[str]:
    """Content words of `other` that an acronym of `text` stands for, and those acronyms themselves: "GFR" in
    `text` covers "glomerular filtration rate" in `other`."""
    out: set[str] = set()
    for acronym in set(re.findall(r"\b[A-Z]{3,}s?\b", text)):
        run = spelled_out(acronym, other)
        if run:
            out |= content_words(" ".join(run)) | {acronym.lower()}
    return out


def _plain_numbers(text: str) -> str:
    """Numbers as digits, and LaTeX's escaped percent sign ("4.11\\%", as abstracts often carry it) as "%"."""
    return spelled_as_digits(text.replace("\\%", "%"))


def _implied_counts(text: str) -> set[str]:
    """Counts a word states without a digit: "both groups" are two groups."""
    return {"2"} if re.search(r"\bboth\b", text, re.I) else set()


def _named_in(entity: str, evidence: str, evidence_lower: str, evidence_words: set[str]) -> bool:
    """The name as written or in the singular ("AUCs" for "AUC"; not a two-letter singular: "ORs" would find the
    word "or"), its words, or each hyphenated part as written or spelled out ("NHANES-III" in "National Health and
    Nutrition Examination Survey III")."""
    if mentions(evidence_lower, entity) or all(terms_match(p, evidence_words) for p in content_words(entity)):
        return True
    if len(entity) > 3 and entity.endswith("s") and mentions(evidence_lower, entity[:-1]):
        return True
    parts = [p for p in entity.split("-") if p]
    return bool(parts) and all(mentions(evidence_lower, p) or abbreviates(p, evidence) for p in parts)


def check_support(claim: str, evidence_texts: list[str], min_coverage: float,
                  setting: Sequence[str] = ()) -> Verdict:
    """Is `claim` supported by these evidence texts together?

    In order: a statement, not an instruction; numbers (spelled-out ones as digits); names (an acronym may be
    spelled out); no added study design; no meaning flip (negation, negative prefix, antonym, reversed comparison
    or direction, swapped numbers); content coverage. `setting`: texts that vouch for names only, such as a
    paper's aims ("whether X helps night-shift nurses" says whom it studied, not what it found).
    """
    if is_instruction(claim):
        return Verdict(False, "is an instruction, not a statement")
    claim, evidence_texts = _plain_numbers(claim), [_plain_numbers(t) for t in evidence_texts]
    joined = " ".join(evidence_texts)
    missing_numbers = numbers(claim) - _as_proportions(numbers(joined)) - _implied_counts(joined)
    if missing_numbers:
        return Verdict(False, f"number {sorted(missing_numbers)[0]} is not in the cited evidence")
    evidence_words = content_words(joined)
    named = " ".join([joined, *setting])
    named_words = evidence_words | content_words(" ".join(setting)) if setting else evidence_words
    named_lower = named.lower()
    for entity in sorted(named_entities(claim)):
        if not _named_in(entity, named, named_lower, named_words):
            return Verdict(False, f"name '{entity}' is not in the cited evidence")
    lexicon = _lexicon(vocabulary())
    design = _added_term(claim, joined, lexicon.designs)
    if design:
        return Verdict(False, f"adds the study design '{design}' the evidence does not state")
    cause = _added_term(claim, joined, lexicon.causal, one_meaning=True)
    if cause:
        return Verdict(False, f"states a cause ('{cause}') where the cited evidence does not")
    flip = _meaning_flip(claim, evidence_texts)
    if flip:
        return Verdict(False, flip, contradicts=True)
    words = content_words(claim)
    if words:
        spelled = {american_spelling(w) for w in evidence_words | _acronym_words(joined, claim)}
        covered = _acronym_words(claim, joined)
        coverage = sum(w in covered or terms_match(american_spelling(w), spelled) for w in words) / len(words)
        if coverage < min_coverage:
            return Verdict(False, f"only {coverage:.0%} of its content is in the cited evidence")
    return Verdict(True, "supported")


def _contradicts(earlier: str, later: str) -> bool:
    """Two sentences about the same thing with opposite polarity ("X does not ..." / "X is a significant ...")."""
    later_a, earlier_a = _pair(later, [earlier])
    mine = {f for t in later_a.tokens if not later_a.polar(t) for f in t.forms}
    theirs = {f for t in earlier_a.tokens if not earlier_a.polar(t) for f in t.forms}
    if not mine or not theirs:
        return False
    shared = _overlap(mine, theirs) if len(mine) <= len(theirs) else _overlap(theirs, mine)
    if shared < 2 or shared < _SELF_OVERLAP * min(len(mine), len(theirs)):
        return False
    return bool(_negation_flip(later_a, earlier_a, fallback=False, guard=True) or _antonym_flip(later_a, earlier_a))


def _move_leading_marker(sentence: str) -> str:
    """"[1] Quote." (an evidence line echoed back) is shown as "Quote [1]."."""
    match = _LEADING_MARKER.match(sentence)
    if not match:
        return sentence
    rest = sentence[match.end():].strip()
    stop = rest[-1] if rest and rest[-1] in ".!?" else "."
    return f"{rest.rstrip('.!? ')} {match.group(1)}{stop}"


def _attribute(claim: str, ledger: Ledger, min_coverage: float) -> int | None:
    """Cite an uncited sentence only if one evidence item alone passes the full support check."""
    for item in ledger.items:
        if check_support(claim, [item.quote, item.title], min_coverage).supported:
            return item.n
    return None


def verify_answer(text: str, ledger: Ledger, min_coverage: float) -> Verification:
    result = Verification()
    text = _ECHO.split(text, maxsplit=1)[0]
    for title in {item.title for item in ledger.items}:
        text = text.replace(f"({title})", " ")  # "[1] (Title) ..." echoes the evidence header, not a claim
    for sentence in split_sentences(attach_markers(text.strip())):
        if sentence.rstrip().endswith("?"):
            continue  # a question states nothing
        cited = cited_numbers(sentence)
        sentence = _move_leading_marker(_LABEL.sub("", sentence))
        claim = strip_markers(sentence)
        if len([t for t in tokens(claim) if t.isalnum() or "-" in t]) < _MIN_CLAIM_WORDS and not numbers(claim):
            continue  # fragments such as "Answer:" state nothing to check or show
        if is_instruction(claim):
            result.removed.append(RemovedSentence(sentence=claim, reason="is an instruction, not a statement"))
            continue
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
        if not verdict.supported:
            result.removed.append(RemovedSentence(sentence=claim, reason=verdict.reason))
            continue
        earlier = next((k for k in result.kept if _contradicts(k.claim, claim)), None)
        if earlier is not None:
            result.removed.append(RemovedSentence(
                sentence=claim, reason=f"contradicts an earlier sentence of this answer ('{earlier.claim}')"
            ))
            continue
        result.kept.append(VerifiedSentence(text=sentence.strip(), claim=claim, cited=cited))
    return result
