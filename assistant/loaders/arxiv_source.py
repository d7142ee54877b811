"""Papers fetched from the arXiv API by id or by search query.

This is the only loader that needs the network. Requests are bounded (a
timeout and one retry) so an offline machine fails in seconds with an
`OfflineError` that points at the file-based alternative, instead of hanging.
"""

from __future__ import annotations


import arxiv
import requests

from ..errors import OfflineError
from ..models import LoadResult, Paper, Problem
from ..text import normalise_whitespace
from .arxiv_ids import find_arxiv_id, normalise_arxiv_id

__all__ = ["load_ids", "load_query", "normalise_arxiv_id", "find_arxiv_id", "SOURCE"]

SOURCE = "arxiv"
TIMEOUT_SECONDS = (5, 20)  # (connect, read)
RETRIES = 1
DELAY_SECONDS = 3.0  # arXiv's terms ask for one request every three seconds

class _BoundedSession(requests.Session):
    """The arxiv client sends requests without a timeout; this adds one."""

    def request(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def _client(page_size: int) -> arxiv.Client:
    client = arxiv.Client(page_size=page_size, delay_seconds=DELAY_SECONDS, num_retries=RETRIES)
    client._session = _BoundedSession()
    return client


def _fetch(search: arxiv.Search, page_size: int) -> list[arxiv.Result]:
    try:
        return list(_client(page_size).results(search))
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise OfflineError(
            f"cannot reach arXiv (no network?): {type(exc).__name__}",
            hint="download the papers as PDF or BibTeX and ingest the files instead",
        ) from exc


def _to_paper(result: arxiv.Result) -> Paper | None:
    """None for the error entries arXiv returns in place of unknown ids."""
    arxiv_id = normalise_arxiv_id(result.entry_id)
    if arxiv_id is None:
        return None
    return Paper(
        paper_id=arxiv_id,
        title=normalise_whitespace(result.title),
        abstract=normalise_whitespace(result.summary),
        authors=[a.name for a in result.authors if a.name],
        author_count=len(result.authors) or None,
        published=result.published.date(),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        doi=result.doi or None,
        source=SOURCE,
        sources=[SOURCE],
    )


def _api_problem(exc: arxiv.ArxivError) -> Problem:
    return Problem(file=SOURCE, message=f"arXiv did not answer properly ({exc.message}); try again in a minute")


def load_ids(ids: list[str]) -> LoadResult:
    """Fetch papers by id ('2401.12345', 'arXiv:2401.12345v2' or an abs URL)."""
    result = LoadResult()
    wanted: list[str] = []
    for raw in ids:
        arxiv_id = normalise_arxiv_id(raw)
        if arxiv_id is None:
            result.problems.append(Problem(
                file=SOURCE,
                message=f"'{raw.strip()}' is not an arXiv id; expected e.g. 2401.12345 or hep-th/9901001",
            ))
        elif arxiv_id not in wanted:
            wanted.append(arxiv_id)
    if not wanted:
        return result
    try:
        fetched = _fetch(arxiv.Search(id_list=wanted, max_results=len(wanted)), page_size=min(len(wanted), 100))
    except arxiv.ArxivError as exc:
        result.problems.append(_api_problem(exc))
        return result
    papers = [p for p in map(_to_paper, fetched) if p is not None]
    result.papers = papers
    found = {p.paper_id for p in papers}
    result.problems.extend(
        Problem(file=SOURCE, message=f"arXiv has no paper {missing}; check the id")
        for missing in wanted if missing not in found
    )
    return result


def load_query(query: str, max_results: int = 10) -> LoadResult:
    """Fetch the best matches for an arXiv search query (arXiv query syntax, e.g. 'ti:diffusion')."""
    query = query.strip()
    if not query:
        return LoadResult(problems=[Problem(file=SOURCE, message="empty arXiv search; give some words to search for")])
    try:
        fetched = _fetch(arxiv.Search(query=query, max_results=max_results), page_size=max_results)
    except arxiv.ArxivError as exc:
        return LoadResult(problems=[_api_problem(exc)])
    papers = [p for p in map(_to_paper, fetched) if p is not None]
    if not papers:
        return LoadResult(problems=[Problem(file=SOURCE, message=f"arXiv found nothing for '{query}'; try fewer or broader words")])
    return LoadResult(papers=papers)
