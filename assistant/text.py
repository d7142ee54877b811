"""Text primitives shared by loading, retrieval and verification.

Sentence spans are character offsets into the original text, so any quote the
assistant shows can be traced back to the exact place in the paper.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from text_to_num import alpha2digit

from .vocabulary import vocabulary

__all__ = [
    "terms_match",
    "american_spelling",
    "match_terms",
    "slugify",
    "normalise_whitespace",
    "short_title",
    "sentence_spans",
    "split_sentences",
    "tokens",
    "content_words",
    "numbers",
    "spelled_as_digits",
    "abbreviates",
    "normalise_number",
    "written_numbers",
    "number_spans",
    "is_list_marker",
    "named_entities",
    "exact_names",
    "mentions",
    "STOPWORDS",
]

_ABBREVIATIONS = {
    "e.g", "i.e", "et al", "etc", "vs", "fig", "figs", "eq", "eqs", "no", "dr", "prof",
    "approx", "resp", "cf", "al", "inc", "ltd", "mr", "ms", "st", "sec", "tab", "ca",
}

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why will
    with would you your yours yourself yourselves paper papers study work propose proposed present
    presents introduce introduces introduced using use used uses based via new approach method methods
    model models show shows shown result results demonstrate demonstrates however moreover furthermore
    respectively across among within without many much well one two three first second able make made
    tell give given get got does did done kind type types named called name specific particular""".split()
)


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.%+/]*[A-Za-z0-9%+]|[A-Za-z0-9]")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:%|(?:percent|[kKMB]|(?i:million|billion|thousand))\b))?"
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}


def slugify(text: str, max_len: int = 80) -> str:
    """Stable id for a title: the same paper from two files gets the same slug."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", norm).strip("-")
    return slug[:max_len].rstrip("-")


def normalise_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def short_title(title: str, width: int = 80) -> str:
    """A title as messages show it: at most `width` characters, cut at a word."""
    short = textwrap.shorten(title, width, placeholder="…")
    return short if short.strip("…") else title[: width - 1] + "…"  # one over-long word: cut inside it


def _ends_with_abbreviation(text: str) -> bool:
    tail = re.search(r"([A-Za-z][A-Za-z\. ]{0,6})\.$", text)
    if not tail:
        return False
    word = tail.group(1).lower().strip()
    last = word.split()[-1]
    if word in _ABBREVIATIONS or last in _ABBREVIATIONS:
        return True
    return len(last) == 1  # initials such as "J."


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split into sentences, returning (start, end) offsets with whitespace trimmed.

    A boundary is ., ! or ? followed by space and an upper-case letter, digit or
    bracket, unless the period closes a known abbreviation or an initial.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[.!?](?:[\"')\]]*)\s+(?=[A-Z0-9\[(\"'])", text):
        end = match.start() + 1
        candidate = text[start:end]
        if match.group(0)[0] == "." and _ends_with_abbreviation(candidate):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        chunk = text[s:e]
        left = len(chunk) - len(chunk.lstrip())
        right = len(chunk.rstrip())
        if right > left:
            trimmed.append((s + left, s + right))
    return trimmed


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; hyphenated names stay whole ("MedSAM-2")."""
    return [t.lower().rstrip(".") for t in _WORD.findall(text)]


def _stem(word: str) -> str:
    """Plural to singular, roughly: "studies" -> "study", "patches" -> "patch", "images" -> "image"."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def content_words(text: str) -> set[str]:
    """Words that carry meaning, lightly stemmed so plurals match."""
    out = set()
    for tok in tokens(text):
        if tok in STOPWORDS or len(tok) < 2 or _NUMBER.fullmatch(tok):
            continue
        out.add(_stem(tok))
        if "-" in tok:
            out.update(_stem(part) for part in tok.split("-") if len(part) > 2 and part not in STOPWORDS)
    return out


def normalise_number(raw: str) -> str:
    """Canonical form so "32,682" = "32682" and "1.6M" = "1.6 million" = "1600000"."""
    match = _NUMBER.search(raw)
    if not match:
        return raw.strip().lower()
    value = float(match.group(1).replace(",", ""))
    unit = (match.group(2) or "").strip().lower()
    if unit in ("%", "percent"):
        return f"{value:g}%"
    value *= _SCALE.get(unit, 1)
    return f"{value:.6g}" if value < 1e15 else str(value)


def written_numbers(text: str) -> list[tuple[str, str]]:
    """Each number as written and in canonical form: "32,682 pairs, 61%" -> [("32,682", "32682"), ("61%", "61%")]."""
    return [(m.group(0).strip(), normalise_number(m.group(0))) for m in _NUMBER.finditer(text)]


def number_spans(text: str) -> list[tuple[str, int, int]]:
    """Each number as written with its offsets: "59K images" -> [("59K", 0, 3)]."""
    return [(m.group(0).strip(), m.start(), m.start() + len(m.group(0).strip())) for m in _NUMBER.finditer(text)]


def is_list_marker(text: str, start: int, end: int) -> bool:
    """A one- or two-digit number closed by ")" that opens a list item ("1) prompt engineering; 2) fine-tuning",
    "(2) an evaluator"), not a count in parentheses ("(n = 12)"): no "(" is left open before it except its own."""
    if not (text[start:end].isdigit() and len(text[start:end]) <= 2 and text[end:end + 1] == ")"):
        return False
    if text[start - 1:start] == "(":
        return True
    return text.count("(", 0, start) <= text.count(")", 0, start)


_NUMBER_WORD = ("(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)")
_SPELLED_COMPOUND = re.compile(  # "two-stage", "two- and three-year"; not "one-stage" (a lone "one" stays a
    # word), "zero-shot" (a term, often written "zero-/few-shot") nor "two-thirds"
    rf"\b(?!one-)({_NUMBER_WORD}(?:-{_NUMBER_WORD})?)-(?=[A-Za-z]|\s+(?:and|or|to)\b)"
    rf"(?!(?:half|halves|thirds?|quarters?|fifths?)\b)(?!{_NUMBER_WORD}\b)",
    re.I)


_AND_IN_NUMBER = re.compile(  # "five hundred and sixty-one" is 561 (British usage), not 500 and 61, and "three
    # hundred and fifty thousand" 350000; "one hundred and two hundred" stays two numbers
    rf"\b(hundred)\s+and\s+(?=(?!hundred){_NUMBER_WORD}(?:-{_NUMBER_WORD})?\b(?!\s+hundred\b))"
    rf"|\b(thousand|million)\s+and\s+(?=(?!hundred){_NUMBER_WORD}(?:-{_NUMBER_WORD})?\b"
    rf"(?!\s+(?:hundred|thousand|million)\b))",
    re.I)
_PRONOUN_ONE = re.compile(r"\b((?:the|this|that|each|every|which|any|no)\s+)(?=one\b)", re.I)
_SHIELD = "\ue000"  # a private-use character: no number word starts with it


def spelled_as_digits(text: str) -> str:
    """Numbers written as words in digits ("nine patients" -> "9 patients", "twenty-five" -> "25", "a two-stage
    design" -> "a 2-stage design", "five hundred and sixty-one" -> "561"), so a count restated in words is the same
    number; an isolated "one" stays a word ("one of the most common"), and so does a "one" after a determiner,
    which is a pronoun ("the one three months later" states 3, not 1 and 3)."""
    text = _PRONOUN_ONE.sub(lambda m: m.group(1) + _SHIELD, text.replace(_SHIELD, ""))
    text = _AND_IN_NUMBER.sub(lambda m: (m.group(1) or m.group(2)) + " ", text)
    text = _SPELLED_COMPOUND.sub(lambda m: alpha2digit(m.group(1), "en") + "-", text)
    return alpha2digit(text, "en").replace(_SHIELD, "")


_LINKING_WORDS = frozenset({"a", "an", "and", "by", "for", "from", "in", "of", "on", "the", "to", "with"})


def abbreviates(acronym: str, text: str) -> bool:
    """Is `acronym` the initials of consecutive words of `text`? ("CABG": "coronary artery bypass grafting";
    "NHANES": "National Health and Nutrition Examination Survey"); linking words may be skipped.
    Three letters at least: two match by chance."""
    return bool(spelled_out(acronym, text))


def spelled_out(acronym: str, text: str) -> list[str]:
    """The first run of words of `text` whose initials spell `acronym` (see `abbreviates`), or []. A plural
    acronym may be spelled out by its singular's words ("VLMs": "vision-language models")."""
    letters = acronym.lower()
    if len(letters) < 3 or not letters.isalpha():
        return []
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", text)]
    run = _initials_run(letters, words)
    if not run and len(letters) > 3 and letters.endswith("s"):
        run = _initials_run(letters[:-1], words)
    return run


def _initials_run(letters: str, words: list[str]) -> list[str]:
    for start in range(len(words)):
        matched, i = 0, start
        while i < len(words) and matched < len(letters):
            if words[i][0] == letters[matched]:
                matched += 1
            elif not (matched and words[i] in _LINKING_WORDS):
                break
            i += 1
        if matched == len(letters):
            return words[start:i]
    return []


def numbers(text: str) -> set[str]:
    """Every number in the text, in canonical form; years and bare list indices included."""
    return {normalise_number(m.group(0)) for m in _NUMBER.finditer(text)}


_ENTITY = re.compile(
    r"\b(?:[A-Z][a-z]*[A-Z0-9][A-Za-z0-9\-]*|[A-Z]{2,}[A-Za-z0-9\-]*|[A-Za-z]+-[A-Z0-9][A-Za-z0-9\-]*"
    r"|\d[A-Z]+[a-z][A-Za-z0-9\-]*"  # "3DSeg-8", but not a bare "3D"
    r"|[a-z]{1,4}[A-Z][A-Za-z0-9\-]*)\b"  # "emrQA", "mBERT", "eICU": a lower-case prefix before capitals
)


# with its hyphenated rest: "Med" of "Med-R1" is no name of its own, "Huatuo-o1-8B" is one
_CAPITALISED = re.compile(r"(?:(?<=[a-z0-9,;:(] )|(?<=\())[A-Z][a-z]{2,}(?:-[A-Za-z0-9]+)*\b")
_PARTICIPLE_TAIL = re.compile(r"-[a-z]+ed$")  # "AI-generated", "MRI-guided": the name is the acronym


def _name(token: str) -> str:
    return _PARTICIPLE_TAIL.sub("", token.strip("-"))


def system_names(text: str) -> set[str]:
    """Only the names that cannot be ordinary words: acronyms, CamelCase, digits ("BiomedCLIP", "Qwen2.5-VL")."""
    return {name.lower() for m in _ENTITY.finditer(text) if len(name := _name(m.group(0))) >= 2}


def mentions(lowered_text: str, name: str) -> bool:
    """The name as a whole word, plural or version allowed ("SLAM" in "ORB-SLAM3"); "CT" is not in "effect"."""
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?:e?s|\d+)?(?![a-z0-9])", lowered_text) is not None


def exact_names(text: str) -> set[str]:
    """System names as written ("LEADS", "UniT"): lower-cased they collide with words ("leads", "unit")."""
    found = {_name(m.group(0)) for m in _ENTITY.finditer(text)}
    return {name for name in found if len(name) >= 3 and name.lower() not in vocabulary().kind_acronyms}


def named_entities(text: str) -> set[str]:
    """Names a sentence commits to: acronyms, CamelCase systems, hyphenated names, capitalised words mid-sentence."""
    found = {m.group(0).lower() for m in _CAPITALISED.finditer(text)}
    for match in _ENTITY.finditer(text):
        name = _name(match.group(0))
        if len(name) >= 2 and not name.isdigit():
            found.add(name.lower())
    return found


_BRITISH = ((re.compile(r"our(?=s?$|ed$|ing$|al$)"), "or"), (re.compile(r"(?<=[a-z])ae|^ae(?=m)"), "e"),
            (re.compile(r"(?<=[a-z])oe(?=[a-z])|^oe(?=[a-z])"), "e"), (re.compile(r"is(?=ation|ing$|e[ds]?$)"), "iz"),
            (re.compile(r"tre(?=s?$)"), "ter"))


def american_spelling(word: str) -> str:
    """One spelling for words that British and American English spell apart ("tumour" / "tumor", "haemorrhage" /
    "hemorrhage", "oedema" / "edema", "randomisation" / "randomization", "centre" / "center"); both sides of a
    comparison go through it, so a word that merely looks British is harmless."""
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


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


def match_terms(terms: list[str], text: str) -> float:
    """Share of terms found in the text (1.0 when there are no terms)."""
    if not terms:
        return 1.0
    words = content_words(text)
    return sum(terms_match(t, words) for t in terms) / len(terms)


_DEFINED_SHORT_FORM = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,9})\s*[;,)]")


def acronym_definitions(text: str) -> dict[str, str]:
    """Short forms a text defines in parentheses, each with its long form ("viral load (VL)" -> {"vl": "viral
    load"}), by the Schwartz-Hearst rule: every letter of the short form occurs in order in the words just before
    the parenthesis, the first one starting a word. Lets "undetectable VL" match a question about an
    undetectable viral load. (The `abbreviations` package implements the same rule but configures the root
    logger on import and is unmaintained since 2019.)"""
    found: dict[str, str] = {}
    for match in _DEFINED_SHORT_FORM.finditer(text):
        short = match.group(1)
        letters = [c.lower() for c in short if c.isalnum()]
        if sum(c.isupper() for c in short) < 2 or not letters[0].isalpha():
            continue
        before = re.split(r"[.;:()\[\]]", text[max(0, match.start() - 200):match.start()])[-1].split()
        window = before[-min(len(letters) + 5, 2 * len(letters)):]
        long_form = _long_form(letters, " ".join(window))
        if long_form and long_form.lower() != short.lower():
            found.setdefault(short.lower(), long_form)
    return found


def _long_form(letters: list[str], words: str) -> str | None:
    """The shortest tail of `words` that spells `letters` (Schwartz and Hearst, 2003), or None."""
    lowered = words.lower()
    position = len(lowered) - 1
    for i in range(len(letters) - 1, -1, -1):
        while position >= 0 and (lowered[position] != letters[i]
                                 or (i == 0 and position > 0 and lowered[position - 1].isalnum())):
            position -= 1
        if position < 0:
            return None
        position -= 1
    start = lowered.rfind(" ", 0, position + 1) + 1
    return words[start:].strip() or None
