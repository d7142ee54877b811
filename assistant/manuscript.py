"""A user's manuscript read as sentences, each with the citation keys it carries.

Three ways of citing are read: LaTeX (`\\cite{a,b}`, `\\citep[p.~3]{a}`, `\\citet`, biblatex's
`\\parencite` and kin; `\\bibitem` lists), Markdown with pandoc citations (`[@a]`, `[@a; @b]`,
`@a says`) and numbered references (`[1]`, `[2, 4]`, `[3-5]`) with a reference list under a
"References" heading; anything else is plain text. Each citation is swapped for a placeholder
before the markup is turned into text (pylatexenc for LaTeX, markdown-it for Markdown), so the
sentence splitter never sees a key, and a citation written after the full stop belongs to the
sentence before it. Nothing here knows the index: keys are resolved in `check.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .text import normalise_whitespace, sentence_spans

__all__ = ["Manuscript", "ManuscriptSentence", "ManuscriptFormat", "detect_format", "read_manuscript"]

ManuscriptFormat = Literal["latex", "markdown", "plain"]

_PLACEHOLDER = "CITEPLACEHOLDER{}QQQQ"  # ends in a word no abbreviation list holds
_PLACEHOLDER_FOUND = re.compile(r"CITEPLACEHOLDER(\d+)QQQQ")
_LATEX_CITE = re.compile(
    r"\\(?:[Cc]ite[a-z]*|[Pp]arencite|[Tt]extcite|[Aa]utocite|[Ff]ootcite|[Ss]martcite|[Ss]upercite)\*?"
    r"(?:\s*\[[^\]]*\]){0,2}\s*\{([^}]*)\}"
)
_LATEX_BIBLIOGRAPHY = re.compile(r"\\begin\{thebibliography\}.*?(?:\\end\{thebibliography\}|$)", re.DOTALL)
_BIBITEM = re.compile(r"\\bibitem\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}(.*?)(?=\\bibitem|\\end\{thebibliography\}|$)",
                      re.DOTALL)
_PANDOC_GROUP = re.compile(r"\[([^\[\]]*?@[\w][^\[\]]*)\]")
_PANDOC_KEY = re.compile(r"(?<![\w@])-?@([\w][\w:.#$%&\-+?<>~/]*[\w])")
_NUMBERED = re.compile(r"\[(\d{1,4}(?:\s*[,;\u2013\-]\s*\d{1,4})*)\]")
_REFERENCES_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*|\\section\*?\{)?\s*(?:references|bibliography|works cited|literature cited)\s*\}?\s*:?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_REFERENCE_ENTRY = re.compile(r"^\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)])\s+(.*)$")
_LEADING_PLACEHOLDERS = re.compile(r"^((?:\s*CITEPLACEHOLDER\d+QQQQ[\s,;]*)+)")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")


@dataclass(frozen=True)
class ManuscriptSentence:
    text: str
    keys: list[str]


@dataclass
class Manuscript:
    format: ManuscriptFormat
    sentences: list[ManuscriptSentence]
    references: dict[str, str] = field(default_factory=dict)  # key -> reference text, for numbered and \bibitem lists


def detect_format(text: str, suffix: str | None = None) -> ManuscriptFormat:
    """By the file's suffix when it says, else by what the text uses."""
    suffix = (suffix or "").lower()
    if suffix in (".tex", ".latex", ".ltx"):
        return "latex"
    if suffix in (".md", ".markdown", ".qmd", ".rmd"):
        return "markdown"
    if _LATEX_CITE.search(text) or "\\begin{" in text or "\\section" in text:
        return "latex"
    if _PANDOC_GROUP.search(text) or re.search(r"^#{1,6}\s", text, re.MULTILINE):
        return "markdown"
    return "plain"


def read_manuscript(text: str, format: ManuscriptFormat | None = None) -> Manuscript:
    """Sentences with their citation keys, in order, and the reference list when the text has one."""
    chosen = format or detect_format(text)
    text = text.replace("CITEPLACEHOLDER", "CITE PLACEHOLDER")  # the text's own copy of the marker is just text
    keys: list[list[str]] = []

    def placeholder(found: list[str]) -> str:
        keys.append([k for k in (k.strip() for k in found) if k])
        return f" {_PLACEHOLDER.format(len(keys) - 1)}"

    if chosen == "latex":
        paragraphs, references = _latex(text, placeholder)
    else:
        body, references = _split_references(text)
        body = _NUMBERED.sub(lambda m: placeholder(_expand_numbers(m.group(1))), body)
        if chosen == "markdown":
            body = _PANDOC_GROUP.sub(lambda m: placeholder(_PANDOC_KEY.findall(m.group(1))), body)
            body = _PANDOC_KEY.sub(lambda m: placeholder([m.group(1)]), body)
            paragraphs = _markdown_paragraphs(body)
        else:
            paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    sentences: list[ManuscriptSentence] = []
    for paragraph in paragraphs:
        sentences += _sentences(normalise_whitespace(paragraph), keys, sentences)
    return Manuscript(chosen, sentences, references)


def _sentences(paragraph: str, keys: list[list[str]], before: list[ManuscriptSentence]) -> list[ManuscriptSentence]:
    """Split, give each sentence its keys; a citation that opens a sentence closes the one before it."""
    out: list[ManuscriptSentence] = []
    for start, end in sentence_spans(paragraph):
        raw = paragraph[start:end]
        leading = _LEADING_PLACEHOLDERS.match(raw)
        earlier = out or before
        if leading and earlier and earlier[-1].text:
            moved = [k for n in _PLACEHOLDER_FOUND.findall(leading.group(1)) for k in keys[int(n)]]
            earlier[-1] = ManuscriptSentence(earlier[-1].text, list(dict.fromkeys(earlier[-1].keys + moved)))
            raw = raw[leading.end():]
        found = [k for n in _PLACEHOLDER_FOUND.findall(raw) for k in keys[int(n)]]
        clean = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", normalise_whitespace(_PLACEHOLDER_FOUND.sub(" ", raw)))
        clean = re.sub(r"\(\s*\)|\[\s*\]", "", clean).strip()
        clean = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", clean)
        if re.search(r"[A-Za-z]{2,}", clean):
            out.append(ManuscriptSentence(clean, list(dict.fromkeys(found))))
    return out


def _expand_numbers(group: str) -> list[str]:
    """"2, 4-6" -> ["2", "4", "5", "6"] (a range longer than 50 is kept as its two ends)."""
    out: list[str] = []
    for part in re.split(r"\s*[,;]\s*", group):
        ends = [int(n) for n in re.split(r"\s*[\u2013\-]\s*", part) if n.strip().isdigit()]
        if len(ends) == 2 and 0 < ends[1] - ends[0] <= 50:
            out += [str(n) for n in range(ends[0], ends[1] + 1)]
        else:
            out += [str(n) for n in ends]
    return out


def _split_references(text: str) -> tuple[str, dict[str, str]]:
    """The text before a "References" heading, and the numbered entries after it."""
    headings = list(_REFERENCES_HEADING.finditer(text))
    if not headings:
        return text, {}
    heading = headings[-1]  # the last such heading starts the list
    entries: dict[str, str] = {}
    current = None
    for line in text[heading.end():].splitlines():
        match = _REFERENCE_ENTRY.match(line)
        if match:
            current = match.group(1) or match.group(2)
            entries[current] = match.group(3).strip()
        elif current and line.strip():
            entries[current] = f"{entries[current]} {line.strip()}"  # an entry wrapped over several lines
    return text[:heading.start()], entries


def _latex(text: str, placeholder) -> tuple[list[str], dict[str, str]]:
    from pylatexenc.latex2text import LatexNodes2Text

    converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
    text = re.sub(r"(?<!\\)%.*", "", text)  # comments, before a commented-out \cite is read
    body = text
    if "\\begin{document}" in body:
        body = body.split("\\begin{document}", 1)[1].split("\\end{document}", 1)[0]
    references = {m.group(1).strip(): normalise_whitespace(converter.latex_to_text(m.group(2)))
                  for block in _LATEX_BIBLIOGRAPHY.findall(body) for m in _BIBITEM.finditer(block)}
    body = _LATEX_BIBLIOGRAPHY.sub("", body)
    body = re.sub(r"\\(?:bibliography|bibliographystyle|printbibliography|label|ref|eqref)\b(?:\[[^\]]*\])?(?:\{[^}]*\})?",
                  " ", body)
    body = re.sub(r"\\(?:sub)*section\*?\{[^}]*\}|\\(?:paragraph|chapter|title|caption)\*?\{[^}]*\}", "\n\n", body)
    body = _LATEX_CITE.sub(lambda m: placeholder(m.group(1).split(",")), body)
    plain = converter.latex_to_text(body)
    return [p for p in re.split(r"\n\s*\n", plain) if p.strip()], references


def _markdown_paragraphs(text: str) -> list[str]:
    """The prose of paragraphs and list items; headings, code and tables are not claims."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    paragraphs, skip = [], 0
    for token in tokens:
        if token.type == "heading_open":
            skip += 1
        elif token.type == "heading_close":
            skip -= 1
        elif token.type == "inline" and not skip:
            words = [child.content for child in token.children or [] if child.type in ("text", "code_inline")]
            paragraphs.append(" ".join(words))
    return [p for p in paragraphs if p.strip()]
