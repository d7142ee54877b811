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
from ..text import normalise_whitespace, slugify
from . import arxiv_source, bibtex, hf_daily, pdf, tabular

__all__ = ["load_sources", "merge_papers", "ARXIV_PREFIX", "ARXIV_SEARCH_PREFIX", "SUPPORTED_SUFFIXES"]

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


def _check_readable(path: Path) -> Problem | None:
    """Catch empty and binary files before a format loader sees them."""
    size = path.stat().st_size
    if size == 0:
        return Problem(file=str(path), message="file is empty")
    if path.suffix.lower() == ".pdf":
        return None
    head = path.read_bytes()[:8192]
    if b"\x00" in head:
        return Problem(file=str(path), message="file is binary, not text; expected UTF-8 text")
    return None


def load_sources(sources: Iterable[str]) -> LoadResult:
    """Load files, folders and `arxiv:ID` / `arxiv-search:QUERY` references."""
    result = LoadResult()
    for source in sources:
        if source.startswith(ARXIV_PREFIX):
            ids = [i for i in source[len(ARXIV_PREFIX):].split(",") if i.strip()]
            loaded = arxiv_source.load_ids(ids)
        elif source.startswith(ARXIV_SEARCH_PREFIX):
            loaded = arxiv_source.load_query(source[len(ARXIV_SEARCH_PREFIX):])
        else:
            files, problems = _expand(source)
            result.problems.extend(problems)
            loaded = LoadResult()
            for file in files:
                problem = _check_readable(file)
                if problem:
                    loaded.problems.append(problem)
                    continue
                one = _BY_SUFFIX[file.suffix.lower()](file)
                loaded.papers.extend(one.papers)
                loaded.problems.extend(one.problems)
        result.papers.extend(loaded.papers)
        result.problems.extend(loaded.problems)
    result.papers = merge_papers(_resolve_untitled(result.papers, result.problems), result.problems)
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
        problems.append(Problem(file=paper.source, message=f"entry without a title line; titled it '{title}'"))
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
