"""Turn files (and arXiv references) into Papers plus a list of problems.

Every loader returns a `LoadResult` and never raises for bad content: one bad
line or entry becomes a `Problem` naming file and line, and the rest of the
batch still loads. `load_sources` dispatches by file type and merges the same
paper seen in several files into one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..models import LoadResult, Paper, Problem
from ..text import normalise_whitespace, short_title, slugify
from . import bibtex, hf_daily, pdf, tabular

__all__ = ["load_sources", "merge_papers", "ARXIV_PREFIX", "ARXIV_SEARCH_PREFIX", "SUPPORTED_SUFFIXES"]

_BLOCK = 1 << 20

ARXIV_PREFIX = "arxiv:"
ARXIV_SEARCH_PREFIX = "arxiv-search:"

_BY_SUFFIX: dict[str, Callable[[Path], LoadResult]] = {
    ".txt": hf_daily.load,
    ".jsonl": tabular.load_jsonl,
    ".csv": tabular.load_csv,
    ".bib": bibtex.load,
    ".pdf": pdf.load,
}
SUPPORTED_SUFFIXES = tuple(_BY_SUFFIX)


def _expand(source: str) -> tuple[list[Path], list[Problem]]:
    path = Path(source).expanduser()
    if not path.exists():
        return [], [Problem(file=source, message="no such file or folder; check the path")]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _BY_SUFFIX)
        if not files:
            supported = ", ".join(sorted(_BY_SUFFIX))
            return [], [Problem(file=source, message=f"folder holds no supported files ({supported})")]
        return files, []
    if path.suffix.lower() not in _BY_SUFFIX:
        supported = ", ".join(sorted(_BY_SUFFIX))
        return [], [Problem(file=source, message=f"unsupported file type '{path.suffix}'; expected one of {supported}")]
    return [path], []


def _check_readable(path: Path, max_line_chars: int | None) -> Problem | None:
    """Catch empty and binary files, and text files with a line no paper file has, before a format loader sees
    them (a multi-megabyte single line would otherwise become one junk "paper" and minutes of indexing)."""
    size = path.stat().st_size
    if size == 0:
        return Problem(file=str(path), message="file is empty")
    if path.suffix.lower() == ".pdf":
        return None
    with path.open("rb") as handle:
        if b"\x00" in handle.read(8192):
            return Problem(file=str(path), message="file is binary, not text; expected UTF-8 text")
    long_line = _first_long_line(path, max_line_chars) if max_line_chars else None
    if long_line:
        return Problem(file=str(path), line=long_line,
                       message=f"line is longer than {max_line_chars:,} characters, which no paper file has; check "
                               "it is the right file, or raise ASSISTANT_MAX_LINE_CHARS")
    return None


def _first_long_line(path: Path, limit: int) -> int | None:
    """The number of the first line longer than `limit` bytes, reading in blocks (a line is never held whole)."""
    line, length = 1, 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            start = 0
            while (end := block.find(b"\n", start)) >= 0:
                if length + end - start > limit:
                    return line
                line, length, start = line + 1, 0, end + 1
            length += len(block) - start
            if length > limit:
                return line
    return None


def _titled(papers: list[Paper], problems: list[Problem]) -> list[Paper]:
    """Leave out entries whose title has no letter or digit (no id can be made from it; it is not a title)."""
    kept = []
    for paper in papers:
        if paper.title and not paper.paper_id:
            problems.append(Problem(file=paper.source, message=f"entry titled {paper.title[:20]!r} has no letter or "
                                    "digit in its title; skipped it; give it a real title"))
            continue
        kept.append(paper)
    return kept


def _within_size(papers: list[Paper], max_paper_chars: int | None, problems: list[Problem]) -> list[Paper]:
    """Leave out papers longer than any real paper, each named in one short line."""
    if not max_paper_chars:
        return papers
    kept = []
    for paper in papers:
        size = len(paper.title) + len(paper.abstract) + len(paper.full_text or "")
        if size > max_paper_chars:
            problems.append(Problem(file=paper.source, message=f"paper '{short_title(paper.title)}' is {size:,} "
                                    f"characters, over the limit of {max_paper_chars:,}; left it out (raise "
                                    "ASSISTANT_MAX_PAPER_CHARS if it is real)"))
            continue
        kept.append(paper)
    return kept


def load_sources(sources: Iterable[str], max_line_chars: int | None = None,
                 max_paper_chars: int | None = None) -> LoadResult:
    """Load files, folders and `arxiv:ID` / `arxiv-search:QUERY` references; with limits (the settings'
    `max_line_chars`, `max_paper_chars`), files with over-long lines and over-long papers are reported and left out."""
    result = LoadResult()
    for source in sources:
        if source.startswith((ARXIV_PREFIX, ARXIV_SEARCH_PREFIX)):
            from . import arxiv_source  # the network client, imported only when arXiv is asked

            if source.startswith(ARXIV_PREFIX):
                loaded = arxiv_source.load_ids([i for i in source[len(ARXIV_PREFIX):].split(",") if i.strip()])
            else:
                loaded = arxiv_source.load_query(source[len(ARXIV_SEARCH_PREFIX):])
        else:
            files, problems = _expand(source)
            result.problems.extend(problems)
            loaded = LoadResult()
            for file in files:
                problem = _check_readable(file, max_line_chars)
                if problem:
                    loaded.problems.append(problem)
                    continue
                one = _BY_SUFFIX[file.suffix.lower()](file)
                loaded.papers.extend(one.papers)
                loaded.problems.extend(one.problems)
        result.papers.extend(loaded.papers)
        result.problems.extend(loaded.problems)
    papers = _within_size(_titled(result.papers, result.problems), max_paper_chars, result.problems)
    result.papers = merge_papers(_resolve_untitled(papers, result.problems), result.problems)
    return result


def _resolve_untitled(papers: list[Paper], problems: list[Problem]) -> list[Paper]:
    """Give an entry that lost its title line the title of the same abstract elsewhere."""
    titled = {normalise_whitespace(p.abstract).lower(): p for p in papers if p.title}
    resolved = []
    for paper in papers:
        if paper.title:
            resolved.append(paper)
            continue
        twin = titled.get(normalise_whitespace(paper.abstract).lower())
        if twin is not None:
            resolved.append(paper.model_copy(update={"title": twin.title, "paper_id": twin.paper_id}))
            continue
        words = paper.abstract.split()
        title = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
        if not slugify(title):
            problems.append(Problem(file=paper.source, message="entry without a title line, and its text has no "
                                    "words to name it by; skipped it"))
            continue
        problems.append(Problem(file=paper.source,
                                message=f"entry without a title line; titled it '{short_title(title)}'"))
        resolved.append(paper.model_copy(update={"title": title, "paper_id": slugify(title)}))
    return resolved


def merge_papers(papers: list[Paper], problems: list[Problem]) -> list[Paper]:
    """Fold duplicates (same paper_id) into one paper, filling gaps from later copies.

    The same paper in two dumps is expected and silent; two *different* texts
    under one id are reported, and the longer text wins.
    """
    merged: dict[str, Paper] = {}
    for paper in papers:
        kept = merged.get(paper.paper_id)
        if kept is None:
            merged[paper.paper_id] = paper.model_copy(
                update={"sources": list(dict.fromkeys(paper.sources or [paper.source]))}
            )
            continue
        updates: dict = {}
        for field in ("author_count", "organisation", "published", "upvotes", "url", "arxiv_id", "doi", "full_text"):
            if getattr(kept, field) in (None, "") and getattr(paper, field) not in (None, ""):
                updates[field] = getattr(paper, field)
        if not kept.authors and paper.authors:
            updates["authors"] = paper.authors
        if paper.upvotes is not None and kept.upvotes is not None:
            updates["upvotes"] = max(kept.upvotes, paper.upvotes)
        if paper.abstract and kept.abstract and paper.abstract != kept.abstract:
            if len(paper.abstract) > len(kept.abstract):
                updates["abstract"] = paper.abstract
            problems.append(
                Problem(
                    file=paper.source,
                    message=f"duplicate id '{paper.paper_id}' with a different abstract than in "
                    f"{kept.source}; kept the longer one",
                )
            )
        elif paper.abstract and not kept.abstract:
            updates["abstract"] = paper.abstract
        updates["sources"] = list(dict.fromkeys([*kept.sources, *(paper.sources or [paper.source])]))
        merged[paper.paper_id] = kept.model_copy(update=updates)
    return list(merged.values())
