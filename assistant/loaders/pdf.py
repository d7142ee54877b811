"""Paper PDFs: full text for retrieval and quoting, plus a best-effort title and abstract.

PDF text has no structure, so the abstract is found by its heading and ends
at the next heading; when a PDF has none, the opening text stands in. The
arXiv stamp in the margin, when present, gives the id that lets this copy
merge with the same paper from other sources.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ..models import LoadResult, Paper, Problem
from ..text import normalise_whitespace, slugify

__all__ = ["load"]

# pypdf logs every repaired xref to stderr; what matters reaches the user as a Problem instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_ARXIV_STAMP = re.compile(r"arXiv:(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\s+\[[\w.\-]+\]")
_ABSTRACT_HEADING = re.compile(r"^abstract\b[\s.:\u2014\u2013-]*(?P<rest>.*)$", re.IGNORECASE)
_NEXT_HEADING = re.compile(
    r"^(?:(?:\d{1,2}(?:\.\d+)*\.?|[IVX]{1,4}\.)\s+[A-Z][^.]{0,60}$"
    r"|(?:introduction|keywords|key words|index terms|ccs concepts|acm reference format|contents)\b)",
    re.IGNORECASE,
)
_TRIVIAL_TITLE = re.compile(r"^(?:untitled|microsoft word|title$|arxiv:)|\.(?:pdf|docx?|tex|dvi|ps)$", re.IGNORECASE)
_VENUE_LINE = re.compile(
    r"^(?:published as|preprint|under review|accepted (?:at|to|as|by)|(?:in )?proceedings of)", re.IGNORECASE)
_MIN_TEXT_CHARS = 20
_ABSTRACT_MAX = 3000
_FALLBACK_ABSTRACT = 1500


def _page_lines(text: str) -> list[str]:
    """Collapse spacing inside lines but keep the line breaks headings are found by."""
    return [re.sub(r"[^\S\n]+", " ", line).strip() for line in text.splitlines()]


def _abstract(lines: list[str]) -> str | None:
    for index, line in enumerate(lines):
        heading = _ABSTRACT_HEADING.match(line)
        if not heading:
            continue
        collected = [heading.group("rest")]
        for following in lines[index + 1:]:
            if not following or _NEXT_HEADING.match(following):
                if any(collected):
                    break
                continue
            collected.append(following)
        return normalise_whitespace(" ".join(collected))[:_ABSTRACT_MAX] or None
    return None


def _opening(text: str) -> str:
    """The first ~1500 characters, cut at a word boundary."""
    flat = normalise_whitespace(text)
    if len(flat) <= _FALLBACK_ABSTRACT:
        return flat
    return flat[:_FALLBACK_ABSTRACT].rsplit(" ", 1)[0] + "…"


def _title(metadata_title: str | None, first_page: list[str]) -> str:
    title = normalise_whitespace(metadata_title or "")
    if len(title.split()) >= 2 and not _TRIVIAL_TITLE.search(title):
        return title
    for line in first_page:  # skipping the margin stamp and running heads such as "Published as ... at ICLR"
        if line and re.search(r"[A-Za-z]{2}", line) and not _ARXIV_STAMP.search(line) and not _VENUE_LINE.match(line):
            return line
    return ""


def load(path: Path) -> LoadResult:
    file = str(path)
    problems: list[Problem] = []
    pages: list[list[str]] = []
    try:
        from pypdf import PdfReader  # imported on the first PDF, not by every command

        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return LoadResult(problems=[Problem(
                file=file, message="PDF is password-protected; save an unlocked copy and ingest that")])
        metadata_title = reader.metadata.title if reader.metadata else None
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(_page_lines(page.extract_text() or ""))
            except Exception as exc:  # one broken page should not cost the whole paper
                problems.append(Problem(file=file, message=f"page {number} could not be read ({exc}); skipped it"))
    except Exception as exc:  # pypdf raises many different errors on damaged files
        return LoadResult(problems=[Problem(
            file=file, message=f"cannot read this PDF ({type(exc).__name__}: {exc}); it may be damaged or "
                               "not a PDF; download it again")])

    full_text = re.sub(r"\n{3,}", "\n\n", "\n\n".join("\n".join(lines) for lines in pages)).strip()
    if sum(ch.isalnum() for ch in full_text) < _MIN_TEXT_CHARS:
        return LoadResult(problems=[*problems, Problem(
            file=file, message="no extractable text (scanned PDF?); run OCR first (e.g. ocrmypdf) and ingest the result")])

    first_page = pages[0] if pages else []
    title = _title(metadata_title, first_page)
    stamp = _ARXIV_STAMP.search("\n".join(first_page))
    arxiv_id = stamp.group("id") if stamp else None
    opening_lines = [line for lines in pages[:2] for line in lines]
    return LoadResult(
        papers=[Paper(
            paper_id=arxiv_id or slugify(title),
            title=title,
            abstract=_abstract(opening_lines) or _opening(full_text),
            full_text=full_text,
            url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None,
            arxiv_id=arxiv_id,
            source=path.name,
            sources=[path.name],
        )],
        problems=problems,
    )
