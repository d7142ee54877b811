"""The eval's own text rules: sentences, words, stems and numbers, apart from the product's.

The ruler must not move when the product's text utilities (assistant/text.py)
change, so the metrics and the support judge read text only through this
module. The rules are deliberately plain:

* sentences end at ".", "!" or "?" (closing quotes or brackets may follow) before
  white space and an upper-case letter, digit, bracket or quote, except after a
  listed abbreviation ("e.g.", "et al.", "vs.") or a one-letter initial;
* words are lower-cased runs of letters and digits; hyphens and slashes split
  them ("question-answer" -> "question", "answer");
* content words drop `STOPWORDS` (English function words only) and bare numbers,
  and are reduced to their Snowball English stem ("explanations" -> "explan");
* numbers are normalised so "32,682" = "32682", "1.6M" = "1.6 million" = "1600000",
  "61 percent" = "61%"; "65%" and "65" stay different; a digit inside a name
  ("Qwen2.5") is no number.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

__all__ = ["STOPWORDS", "split_sentences", "words", "stem", "content_stems", "numbers", "number_spans",
           "normalise_number"]

STOPWORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here of in on at to for from by
    with into onto upon about as per via over under between among through during before after while since until
    is are was were be been being am do does did doing done have has had having can could may might must shall
    should will would it its itself they them their theirs we us our ours he she his her him i me my you your
    which who whom whose what when where why how all any both each either every few more most other some such
    own same also only just very too not no""".split()
)
# not and no are stopwords for coverage; the judge reads negation separately

_ABBREVIATIONS = frozenset({"e.g", "i.e", "et al", "al", "vs", "fig", "figs", "eq", "etc", "approx", "cf", "ca",
                            "resp", "no", "nos", "ref", "refs", "sec", "tab", "dr", "prof", "inc", "ltd", "st"})
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[A-Z0-9\[(\"'])")
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(\s*(?:%|percent|k|K|M|B|million|billion|thousand)\b|%)?"
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
_THREAD = threading.local()  # a PyStemmer object must not be shared between threads


def _closes_abbreviation(before_stop: str) -> bool:
    last = re.search(r"([A-Za-z][A-Za-z.]*(?: al)?)$", before_stop)
    if not last:
        return False
    word = last.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and last.group(1).isupper())


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, white space trimmed, by the rule in the module docstring."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[match.start()] == "." and _closes_abbreviation(text[start:match.start()]):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if not hasattr(_THREAD, "stemmer"):
        _THREAD.stemmer = Stemmer.Stemmer("english")
    return _THREAD.stemmer.stemWord(word)


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning: no stopwords, no bare numbers, no single letters."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1 and not w.isdigit()}


def normalise_number(raw: str) -> str:
    """Canonical form of the first number in `raw` (its scale word or % included)."""
    match = _NUMBER.search(raw)
    if not match:
        return raw.strip().lower()
    value = float(match.group(1).replace(",", ""))
    unit = (match.group(2) or "").strip().lower()
    if unit in ("%", "percent"):
        return f"{value:g}%"
    value *= _SCALE.get(unit, 1)
    return f"{value:.6g}" if value < 1e15 else str(value)


def number_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised value) of every number in the text; years and list indices included."""
    return [(m.start(), m.end(), normalise_number(m.group(0))) for m in _NUMBER.finditer(text)]


def numbers(text: str) -> set[str]:
    return {value for _, _, value in number_spans(text)}
