"""BibTeX files as exported by Zotero, Google Scholar, arXiv or a paper's .bib.

bibtexparser silently drops entries it cannot parse, so the raw text is also
scanned for entry keys: every entry the user wrote is either loaded or
reported with its line.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..models import LoadResult, Paper, Problem
from ..text import normalise_whitespace, slugify
from .arxiv_ids import find_arxiv_id, normalise_arxiv_id

__all__ = ["load", "load_keyed"]

_ENTRY_START = re.compile(r"@\s*(?P<type>\w+)\s*[{(]\s*(?P<key>[^,\s]+)\s*,")
_NOT_PAPERS = {"comment", "string", "preamble"}
_LOGO = re.compile(r"\\((?:La)?TeX)\b(?:\{\})?")


def _entry_lines(text: str) -> dict[str, int]:
    return {
        m.group("key"): text.count("\n", 0, m.start()) + 1
        for m in _ENTRY_START.finditer(text)
        if m.group("type").lower() not in _NOT_PAPERS
    }


def _unicode(entry: dict) -> dict:
    """Turn LaTeX accents into characters, after rescuing logos the converter would mangle (\\LaTeX -> ŁaTeX)."""
    for name, value in entry.items():
        if name not in ("ID", "ENTRYTYPE"):
            entry[name] = _LOGO.sub(r"\1", value)
    from bibtexparser.customization import convert_to_unicode

    return convert_to_unicode(entry)


def _clean(value: str | None) -> str:
    return normalise_whitespace(re.sub(r"[{}$]", "", value or ""))


def _authors(value: str | None) -> list[str]:
    """'Vaswani, Ashish and Shazeer, Noam and others' -> ['Ashish Vaswani', 'Noam Shazeer']."""
    names = []
    for part in re.split(r"\s+and\s+", _clean(value)):
        last, _, first = part.partition(",")
        name = normalise_whitespace(f"{first} {last}" if first.strip() else last)
        if name and name.lower() != "others":
            names.append(name)
    return names


def _published(entry: dict) -> date | None:
    """Jan 1 of `year`, or biblatex's `date` (YYYY, YYYY-MM or YYYY-MM-DD); ValueError names the field."""
    year, full = _clean(entry.get("year")), _clean(entry.get("date"))
    if year:
        if not re.fullmatch(r"\d{4}", year):
            raise ValueError(f"field 'year' is \"{year}\"; expected a four-digit year such as 2024")
        return date(int(year), 1, 1)
    if full:
        if match := re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", full):
            try:
                return date(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
            except ValueError:
                pass
        raise ValueError(f"field 'date' is \"{full}\"; expected YYYY-MM-DD such as 2024-01-31")
    return None


def _arxiv_id(entry: dict) -> str | None:
    if entry.get("eprint") and (arxiv_id := normalise_arxiv_id(_clean(entry["eprint"]))):
        return arxiv_id
    for name in ("url", "journal", "note", "howpublished"):
        if entry.get(name) and (arxiv_id := find_arxiv_id(entry[name])):
            return arxiv_id
    return None


def load(path: Path) -> LoadResult:
    return load_keyed(path)[0]


def load_keyed(path: Path) -> tuple[LoadResult, dict[str, Paper]]:
    """The load result, and each loaded paper under its entry key (what a manuscript cites it by)."""
    keyed: dict[str, Paper] = {}
    file = str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return LoadResult(problems=[Problem(
            file=file, line=line,
            message=f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte offset {exc.start}); save the file as UTF-8",
        )]), keyed
    import bibtexparser  # with pyparsing ~50 ms, paid only when a .bib file is read
    from bibtexparser.bparser import BibTexParser

    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    parser.customization = _unicode
    try:
        entries = bibtexparser.loads(text, parser).entries
    except Exception as exc:  # bibtexparser/pyparsing raise assorted errors on broken input
        return LoadResult(problems=[Problem(file=file, message=f"could not parse BibTeX ({exc}); check braces and quotes")]), keyed

    lines = _entry_lines(text)
    result = LoadResult()
    for entry in entries:
        key = entry["ID"]
        line = lines.get(key)
        title = _clean(entry.get("title"))
        if not title:
            result.problems.append(Problem(
                file=file, line=line, message=f"entry '{key}' has no title; skipped it; add a title field"))
            continue
        try:
            published = _published(entry)
        except ValueError as exc:
            result.problems.append(Problem(file=file, line=line, message=f"entry '{key}': {exc}; left the date empty"))
            published = None
        arxiv_id = _arxiv_id(entry)
        authors = _authors(entry.get("author"))
        keyed[key] = Paper(
            paper_id=arxiv_id or slugify(title),
            title=title,
            abstract=_clean(entry.get("abstract")),
            authors=authors,
            author_count=len(authors) or None,
            published=published,
            url=_clean(entry.get("url")) or None,
            arxiv_id=arxiv_id,
            doi=_clean(entry.get("doi")) or None,
            source=path.name,
            sources=[path.name],
        )
        result.papers.append(keyed[key])

    parsed = {entry["ID"] for entry in entries}
    result.problems.extend(
        Problem(file=file, line=line,
                message=f"entry '{key}' could not be read; check its braces, quotes and commas")
        for key, line in lines.items() if key not in parsed
    )
    if not entries and not result.problems:
        result.problems.append(Problem(file=file, message="no BibTeX entries found; expected entries like @article{key, title = {...}}"))
    return result, keyed
