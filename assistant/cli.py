"""`assistant` command line: a thin layer over ResearchAssistant.

`--json` output is exactly `model_dump()` of the API's return values. Any
AssistantError becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .errors import AssistantError, InputError
from .eval_cli import eval_command

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Offline research assistant for scientific papers.")
out = Console()
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print machine-readable JSON")]
ProviderOpt = Annotated[Optional[str], typer.Option("--provider", help="local or openai (default: settings)")]


_opened: list = []  # the assistants this process made, so `main` knows whether anything was written
_READ_ONLY = {"search", "ask", "papers", "status"}


def _assistant(provider: str | None = None):
    from .api import ResearchAssistant

    _opened.append(ResearchAssistant(provider=provider))
    return _opened[-1]


def _wrote_nothing() -> bool:
    """True when no assistant of this process wrote to its index (the first start builds it)."""
    return all("index" not in ra.__dict__ or ra.index.version()[2] == 0 for ra in _opened)


def _exit_without_teardown(code: int) -> None:
    """End a read-only command at once: the interpreter's teardown of chromadb's thousands of objects costs
    ~0.3 s of every cold search and answer, and there is nothing left to write or close."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _print_json(payload) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def _progress(label: str, enabled: bool) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not enabled,
        transient=True,
    )


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files, folders, arxiv:ID[,ID] or arxiv-search:QUERY")],
    as_json: JsonFlag = False,
) -> None:
    """Add papers to the index; re-ingesting the same files adds nothing."""
    ra = _assistant()
    with _progress("indexing", enabled=err.is_terminal) as bar:
        task = bar.add_task("indexing", total=None)
        report = ra.ingest(paths, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        _print_json(report.model_dump(mode="json"))
    else:
        out.print(f"added {report.added}, updated {report.updated}, skipped {report.skipped} (unchanged)")
        for problem in report.problems[1:] if _nothing_loaded(report) else report.problems:
            _print_problem(problem)
    if _nothing_loaded(report):
        raise InputError(f"nothing ingested: {report.problems[0]}", "fix the path or file named above and run again")


def _print_problem(problem) -> None:
    """One line on stderr per problem, never wrapped, so scripts and people read one problem per line."""
    err.print(f"[yellow]problem[/] {problem}", markup=True, highlight=False, soft_wrap=True)


def _nothing_loaded(report) -> bool:
    """A batch where every source failed is an error (exit 1); a partly good batch is not."""
    return bool(report.problems) and report.added + report.updated + report.skipped == 0


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="words, a title, a name or a number")],
    k: Annotated[int, typer.Option("-k", min=1, help="number of papers")] = 5,
    year_from: Annotated[Optional[int], typer.Option("--year-from", help="earliest publication year")] = None,
    year_to: Annotated[Optional[int], typer.Option("--year-to", help="latest publication year")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="only papers from this file name")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Hybrid (dense + BM25) search over the indexed papers."""
    hits = _assistant().search(query, k=k, year_from=year_from, year_to=year_to, source=source)
    if as_json:
        _print_json([hit.model_dump(mode="json") for hit in hits])
        return
    if not hits:
        out.print("no matching papers")
    for rank, hit in enumerate(hits, start=1):
        out.print(f"[bold]{rank}. {hit.title}[/] ({hit.year or 'n.d.'})  [dim]{hit.paper_id}  score {hit.score:.4f}[/]")
        out.print(f"   {hit.snippet}", highlight=False)


@app.command()
def papers(as_json: JsonFlag = False) -> None:
    """List the indexed papers."""
    listed = _assistant().papers()
    if as_json:
        _print_json([p.model_dump(mode="json", exclude={"full_text"}) for p in listed])
        return
    for paper in listed:
        out.print(f"{paper.paper_id}  [dim]({paper.year or 'n.d.'})[/]  {paper.title}", highlight=False)
    out.print(f"[dim]{len(listed)} papers[/]")


@app.command()
def remove(
    paper_ids: Annotated[list[str], typer.Argument(help="ids as `assistant papers` lists them")],
    as_json: JsonFlag = False,
) -> None:
    """Take papers (and their chunks) out of the index."""
    report = _assistant().remove(paper_ids)
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    out.print(f"removed {len(report.removed)}")
    for pid in report.unknown:
        _print_problem(f"no indexed paper has id '{pid}'")


index_app = typer.Typer(no_args_is_help=True, help="Look after the index itself.")
app.add_typer(index_app, name="index")


@index_app.command("rebuild")
def rebuild(
    paths: Annotated[Optional[list[str]], typer.Argument(help="files or folders to index besides the bundled corpus")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """Move a damaged index folder aside (kept, never deleted) and build a new one."""
    ra = _assistant()
    with _progress("rebuilding", enabled=err.is_terminal) as bar:
        task = bar.add_task("rebuilding", total=None)
        report = ra.rebuild_index(paths or [], progress=lambda done, total: bar.update(task, completed=done,
                                                                                       total=total))
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    if report.moved_to:
        out.print(f"the old index is kept in {report.moved_to}", highlight=False, soft_wrap=True)
    out.print(f"new index: added {report.added}, updated {report.updated}, skipped {report.skipped}")
    for problem in report.problems:
        _print_problem(problem)


@app.command()
def status(provider: ProviderOpt = None, as_json: JsonFlag = False) -> None:
    """Which model answers and whether it is reachable now."""
    found = _assistant(provider).provider_status()
    if as_json:
        _print_json(found.model_dump(mode="json"))
        return
    out.print(f"{found.model}: {'reachable' if found.reachable else 'NOT reachable'} ({found.detail})",
              highlight=False, soft_wrap=True)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="a question about the indexed papers")],
    provider: ProviderOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer a question; every sentence shown is checked against the evidence it cites."""
    answer = _assistant(provider).ask(question)
    if as_json:
        _print_json(answer.model_dump(mode="json"))
        return
    from .present import answer_to_markdown

    out.print(answer_to_markdown(answer, show_removed=False), highlight=False, markup=False)
    for removed in answer.removed:
        err.print(f"[dim]removed: {removed.sentence} ({removed.reason})[/]", highlight=False)


@app.command()
def review(
    topic: Annotated[str, typer.Argument(help="what the section is about (may be empty with --from-abstract)")],
    papers: Annotated[int, typer.Option("--papers", min=1, help="at most this many papers are cited")] = 8,
    style: Annotated[str, typer.Option("--style", help="related-work or mini-review")] = "related-work",
    from_abstract: Annotated[Optional[Path], typer.Option(
        "--from-abstract", help="a file with your paper's abstract: the topic comes from it and each theme "
                                "ends by positioning your work")] = None,
    output_format: Annotated[str, typer.Option("--format", help="markdown or latex")] = "markdown",
    bib: Annotated[Optional[Path], typer.Option("--bib", help="write the cited papers' BibTeX here")] = None,
    provider: ProviderOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Write a related-work section or mini-review; every sentence cites the papers it describes and was verified."""
    if output_format not in ("markdown", "latex"):
        raise InputError(f"unknown --format '{output_format}'", "use --format markdown or --format latex")
    abstract = _read_text(from_abstract, "--from-abstract", "put your abstract in the file") if from_abstract else None
    result = _assistant(provider).review(topic, papers=papers, style=style, from_abstract=abstract)
    if bib:
        try:
            bib.write_text(result.bibtex(), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {bib}: {exc.strerror}", "choose a writable path for --bib") from None
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    from .present import review_to_markdown

    out.print(result.latex() if output_format == "latex" else review_to_markdown(result),
              highlight=False, markup=False, soft_wrap=True)
    for removed in result.removed:
        err.print(f"[dim]removed: {removed.sentence} ({removed.reason})[/]", highlight=False)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="the manuscript: LaTeX, Markdown (pandoc [@key]) or text with [1] "
                                              "references")],
    bib: Annotated[Optional[Path], typer.Option("--bib", help="the BibTeX file its citation keys come from")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check a manuscript's citations: does each cited indexed paper say what the sentence claims?"""
    from .manuscript import detect_format
    from .models import CHECK_VERDICTS

    text = _read_text(file, "manuscript", "put the text whose citations should be checked in the file")
    report = _assistant().check(text, bib=bib, format=detect_format(text, file.suffix))
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    totals = report.totals
    out.print(f"{totals['checked']} of {totals['sentences']} sentences checked ({report.format}): "
              + ", ".join(f"{totals[v]} {v.replace('_', ' ')}" for v in
                          CHECK_VERDICTS),
              highlight=False, markup=False, soft_wrap=True)
    for sentence in report.flagged():
        shown = sentence.text if len(sentence.text) <= 90 else sentence.text[:87] + "..."
        keys = f" [{', '.join(sentence.keys)}]" if sentence.keys else ""
        hint = f"; {sentence.hint}" if sentence.hint else ""
        out.print(f"{sentence.verdict.replace('_', ' ')}{keys}: \"{shown}\" - {sentence.reason}{hint}",
                  highlight=False, markup=False, soft_wrap=True)
    for problem in report.problems:
        err.print(f"{problem.file}:{problem.line or '?'}: {problem.message}", highlight=False, markup=False,
                  soft_wrap=True)
    if report.suggestion:
        err.print(f"not indexed: {', '.join(report.unresolved_keys)}; {report.suggestion}", highlight=False,
                  markup=False, soft_wrap=True)


def _read_text(path: Path, option: str, what_to_put: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {option} file {path}: {getattr(exc, 'strerror', None) or exc}",
                         "give a UTF-8 text file") from None
    if not text.strip():
        raise InputError(f"{option} file {path} is empty", what_to_put)
    return text


@app.command()
def extract(
    paper_id: Annotated[str, typer.Argument(help="an indexed paper's id (see `assistant papers`)")],
    schema: Annotated[Optional[Path], typer.Option("--schema", help="a JSON schema whose properties' descriptions "
                                                   "are the questions (default: task, modality, method, ...)")] = None,
    provider: ProviderOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Fields of one paper, each with the sentence it comes from; what the paper does not state stays empty."""
    loaded = _read_json(schema, "--schema") if schema else None
    result = _assistant(provider).extract(paper_id, schema=loaded)
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    out.print(f"{result.title} ({result.paper_id})", highlight=False, markup=False)
    for name, field in result.fields.items():
        out.print(f"  {name}: {field.value if field.value is not None else '—'}", highlight=False, markup=False)
        if field.quote and field.quote != field.value:
            out.print(f"      “{field.quote}”", highlight=False, markup=False, style="dim")


@app.command()
def compare(
    paper_ids: Annotated[Optional[list[str]], typer.Argument(help="two or more paper ids")] = None,
    fields: Annotated[Optional[str], typer.Option("--fields", help="comma list of fields (default: all)")] = None,
    query: Annotated[Optional[str], typer.Option("--query", help="compare the first -n search hits instead")] = None,
    n: Annotated[int, typer.Option("-n", min=2, help="papers taken from --query")] = 5,
    output_format: Annotated[str, typer.Option("--format", help="markdown, csv or json")] = "markdown",
    provider: ProviderOpt = None,
) -> None:
    """Papers side by side: each filled cell carries its exact quote; a cell the paper does not state is empty."""
    if output_format not in ("markdown", "csv", "json"):
        raise InputError(f"unknown --format '{output_format}'", "use --format markdown, csv or json")
    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    result = _assistant(provider).compare(paper_ids or [], fields=chosen, query=query, n=n)
    if output_format == "json":
        _print_json(result.model_dump(mode="json"))
    elif output_format == "csv":
        sys.stdout.write(result.to_csv())
    else:
        out.print(result.to_markdown(), highlight=False, markup=False, soft_wrap=True)
        for citation in result.citations:
            out.print(f"[{citation.n}] {citation.title} — “{citation.quote}”", highlight=False, markup=False)


def _read_json(path: Path, option: str):
    text = _read_text(path, option, "put a JSON schema with 'properties' in the file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{option} file {path} is not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         "fix the file (a JSON schema with 'properties')") from None


app.command("eval")(eval_command)


def main() -> None:
    try:
        app()
    except SystemExit as done:
        if done.code in (0, None) and sys.argv[1:2] and sys.argv[1] in _READ_ONLY and _wrote_nothing():
            _exit_without_teardown(0)
        raise
    except AssistantError as exc:
        sys.stderr.write(f"error: {exc.one_line()}\n")  # never wrapped: scripts grep one line
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted; the index keeps every paper written so far")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
