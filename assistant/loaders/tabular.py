"""JSON Lines and CSV paper lists: one paper per line (JSONL) or row (CSV).

Fields (names are case-insensitive; unknown fields are ignored):

- `title` (required)
- `abstract`
- `authors`: JSONL a list of strings or one string "A; B"; CSV "A; B"
- `year` (e.g. 2024, read as 1 January) or `published` (YYYY-MM-DD; wins over `year`)
- `organisation`, `url`, `doi`
- `upvotes` (whole number)
- `arxiv_id` (e.g. 2401.12345; a version suffix or `arXiv:` prefix is dropped)
- `paper_id` (default: the arXiv id when given, else a slug of the title)

A bad line costs only that line (or that field, which is then left empty); it
becomes a `Problem` with the line number and the rest of the file still loads.
Keep docs/input-formats.md in step with this list.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ..models import LoadResult, Paper, Problem
from ..text import normalise_whitespace, slugify
from .arxiv_ids import normalise_arxiv_id

__all__ = ["load_jsonl", "load_csv"]

_STRING_FIELDS = ("abstract", "organisation", "url", "doi", "paper_id")
_JSONL_EXAMPLE = '{"title": "...", "abstract": "..."}'


class _FieldError(ValueError):
    """A value of the wrong type or shape; the message names what was expected."""


def _decoded_lines(path: Path, problems: list[Problem]) -> Iterator[tuple[int, str]]:
    """Yield (line number, text); a line that is not UTF-8 becomes a Problem and an empty line.

    Decoding line by line keeps the rest of a mostly-UTF-8 file (say, one pasted
    from a Windows editor) loadable and keeps line numbers exact.
    """
    offset = 0
    for number, raw in enumerate(path.read_bytes().splitlines(keepends=True), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(
                file=str(path), line=number,
                message=f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte offset {offset + exc.start}); "
                        "skipped this line; save the file as UTF-8 and load it again",
            ))
            text = "\n"
        if number == 1:
            text = text.removeprefix("\ufeff")
        offset += len(raw)
        yield number, text


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _FieldError(f"field '{field}' is {json.dumps(value)}; expected text")
    return normalise_whitespace(value) or None


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [a for a in (normalise_whitespace(part) for part in value.split(";")) if a]
    if isinstance(value, list) and all(isinstance(a, str) for a in value):
        return [a for a in (normalise_whitespace(part) for part in value) if a]
    raise _FieldError(f"field 'authors' is {json.dumps(value)}; expected a list of names or one string \"A; B\"")


def _whole_number(value: Any, field: str, example: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _FieldError(f"field '{field}' is {json.dumps(value)}; expected a whole number such as {example}")


def _published(record: dict[str, Any]) -> date | None:
    raw = record.get("published")
    if raw not in (None, ""):
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            raise _FieldError(f"field 'published' is {json.dumps(raw)}; expected a date YYYY-MM-DD such as 2024-01-31") from None
    year = _whole_number(record.get("year"), "year", "2024")
    if year is None:
        return None
    if not 1000 <= year <= 9999:
        raise _FieldError(f"field 'year' is {year}; expected a four-digit year such as 2024")
    return date(year, 1, 1)


def _paper(record: dict[str, Any], path: Path, line: int, problems: list[Problem]) -> Paper | None:
    """Build one Paper; a bad optional field is reported and left empty, a missing title skips the row."""
    record = {str(k).strip().lower(): v for k, v in record.items()}

    def problem(message: str) -> None:
        problems.append(Problem(file=str(path), line=line, message=message))

    def field(parse, *args):
        try:
            return parse(*args)
        except _FieldError as exc:
            problem(f"{exc}; left it empty; fix the value to keep it")
            return None

    raw_title = record.get("title")
    if not isinstance(raw_title, str) or not raw_title.strip():
        if "title" not in record:
            what = "missing field 'title'"
        elif isinstance(raw_title, str):
            what = "empty field 'title'"
        else:
            what = f"field 'title' is {json.dumps(raw_title)}, not text"
        problem(f"{what}; every paper needs a title, so this row was skipped; add the title")
        return None
    title = normalise_whitespace(raw_title)

    values = {name: field(_text, record.get(name), name) for name in _STRING_FIELDS}
    arxiv_id = None
    raw_arxiv = field(_text, record.get("arxiv_id"), "arxiv_id")
    if raw_arxiv:
        arxiv_id = normalise_arxiv_id(raw_arxiv)
        if arxiv_id is None:
            problem(f"field 'arxiv_id' is \"{raw_arxiv}\"; expected an arXiv id such as 2401.12345; left it empty")
    authors = field(_authors, record.get("authors")) or []
    return Paper(
        paper_id=values["paper_id"] or arxiv_id or slugify(title),
        title=title,
        abstract=values["abstract"] or "",
        authors=authors,
        author_count=len(authors) or None,
        organisation=values["organisation"],
        published=field(_published, record),
        upvotes=field(_whole_number, record.get("upvotes"), "upvotes", "42"),
        url=values["url"],
        arxiv_id=arxiv_id,
        doi=values["doi"],
        source=path.name,
        sources=[path.name],
    )


def _finish(path: Path, papers: list[Paper], problems: list[Problem], expected: str) -> LoadResult:
    if not papers and not problems:
        problems.append(Problem(file=str(path), message=f"no papers found; expected {expected}"))
    return LoadResult(papers=papers, problems=problems)


def load_jsonl(path: Path) -> LoadResult:
    papers: list[Paper] = []
    problems: list[Problem] = []
    for number, line in _decoded_lines(path, problems):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(
                file=str(path), line=number,
                message=f"not valid JSON ({exc.msg} at column {exc.colno}); expected one JSON object per line "
                        f"like {_JSONL_EXAMPLE}; fix or remove this line",
            ))
            continue
        if not isinstance(record, dict):
            kind = {list: "a list", str: "a string"}.get(type(record), f"the value {line.strip()[:40]}")
            problems.append(Problem(
                file=str(path), line=number,
                message=f"line is {kind}, not a JSON object; write each paper as {_JSONL_EXAMPLE}",
            ))
            continue
        if (paper := _paper(record, path, number, problems)) is not None:
            papers.append(paper)
    return _finish(path, papers, problems, f"one JSON object per line like {_JSONL_EXAMPLE}")


def load_csv(path: Path) -> LoadResult:
    papers: list[Paper] = []
    problems: list[Problem] = []
    reader = csv.reader(line for _, line in _decoded_lines(path, problems))
    header: list[str] | None = None
    row_end = 0
    for row in reader:
        row_start, row_end = row_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            if "title" not in header:
                found = ", ".join(f"'{c}'" for c in row)
                problems.append(Problem(
                    file=str(path), line=row_start,
                    message=f"no 'title' column; the header has {found}; the first row must name the columns, "
                            "one of them 'title'",
                ))
                return LoadResult(problems=problems)
            continue
        if len(row) > len(header):
            problems.append(Problem(
                file=str(path), line=row_start,
                message=f"row has {len(row)} values but the header has {len(header)} columns; a value probably "
                        "contains an unquoted comma; wrap that value in double quotes",
            ))
            continue
        record = {name: value for name, value in zip(header, row) if name}
        if (paper := _paper(record, path, row_start, problems)) is not None:
            papers.append(paper)
    return _finish(path, papers, problems, "a header row naming the columns (one of them 'title') and one paper per row")
