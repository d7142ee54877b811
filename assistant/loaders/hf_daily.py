"""Hugging Face Daily Papers listing dumps (plain text copied from the web page).

Two layouts occur: entries with author/organisation and date lines, and
entries with only a title and an abstract. Listing pages omit the year for the
current year; such dates get the year after the newest explicit year in the
same file, since every dated entry of an earlier year carries its year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..models import LoadResult, Paper, Problem
from ..text import normalise_whitespace, short_title, slugify

__all__ = ["load", "parse"]

_HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DATE = re.compile(r"^(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+(?P<votes>\d+))?$")
_AUTHORS = re.compile(r"^•\s*(?P<n>\d+)\s+authors?$")
_MIN_UNTITLED_ABSTRACT = 300


@dataclass
class _Entry:
    line: int
    title: str = ""
    abstract: str = ""
    author_count: int | None = None
    organisation: str | None = None
    month_day: tuple[int, int] | None = None
    year: int | None = None
    upvotes: int | None = None
    meta_started: bool = False
    extra: list[str] = field(default_factory=list)


def _is_date(line: str) -> re.Match | None:
    match = _DATE.match(line)
    return match if match and match.group("mon").lower() in _MONTHS else None


def parse(text: str, source: str, file: str | None = None) -> LoadResult:
    """Parse one dump; `source` is stored on papers, `file` names the file in problems."""
    file = file or source
    lines = [(i, raw.strip()) for i, raw in enumerate(text.splitlines(), start=1)]
    lines = [(i, s) for i, s in lines if s]
    entries: list[_Entry] = []
    problems: list[Problem] = []
    current: _Entry | None = None

    for idx, (number, line) in enumerate(lines):
        following = lines[idx + 1][1] if idx + 1 < len(lines) else ""
        if line.lower() in _HEADER_LINES:
            continue
        if current is None and _is_date(line):
            continue  # the page date in the header
        if line == "·":
            if current is not None:
                current.meta_started = True
            continue
        if (authors := _AUTHORS.match(line)) and current is not None:
            current.author_count = int(authors.group("n"))
            current.meta_started = True
            continue
        if (dated := _is_date(line)) and current is not None and current.meta_started:
            current.month_day = (_MONTHS[dated.group("mon").lower()], int(dated.group("day")))
            current.year = int(dated.group("year")) if dated.group("year") else None
            current.upvotes = int(dated.group("votes")) if dated.group("votes") else None
            continue
        if current is not None and current.abstract and following == "·" and not current.meta_started:
            current.organisation = line
            continue
        if current is not None and current.title and not current.abstract and not current.meta_started:
            current.abstract = line
            continue
        if len(line) >= _MIN_UNTITLED_ABSTRACT:
            current = _Entry(line=number, abstract=line)
        else:
            current = _Entry(line=number, title=line)
        entries.append(current)

    explicit_years = [e.year for e in entries if e.year]
    inferred_year = max(explicit_years) + 1 if explicit_years else None
    papers = []
    for entry in entries:
        if not entry.abstract:
            problems.append(Problem(file=file, line=entry.line,
                                    message=f"entry '{short_title(entry.title)}' has no abstract line; skipped it"))
            continue
        published = None
        if entry.month_day:
            year = entry.year or inferred_year
            if year:
                try:
                    published = date(year, *entry.month_day)
                except ValueError:
                    problems.append(Problem(file=file, line=entry.line, message="impossible date; left it empty"))
        title = normalise_whitespace(entry.title)
        papers.append(
            Paper(
                paper_id=slugify(title) if title else "",
                title=title,
                abstract=normalise_whitespace(entry.abstract),
                author_count=entry.author_count,
                organisation=entry.organisation,
                published=published,
                upvotes=entry.upvotes,
                source=source,
                sources=[source],
            )
        )
    return LoadResult(papers=papers, problems=problems)


def load(path: Path) -> LoadResult:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return LoadResult(problems=[Problem(file=str(path), message=f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")])
    result = parse(text, source=path.name, file=str(path))
    if not result.papers and not result.problems:
        result.problems.append(Problem(file=str(path), message="no paper entries found; expected a Daily Papers listing"))
    return result
