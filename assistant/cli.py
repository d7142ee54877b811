"""`assistant` command line: a thin layer over ResearchAssistant.

`--json` output is exactly `model_dump()` of the API's return values. Any
AssistantError becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
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


def _assistant(provider: str | None = None):
    from .api import ResearchAssistant

    return ResearchAssistant(provider=provider)


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
            err.print(f"[yellow]problem[/] {problem}", markup=True, highlight=False)
    if _nothing_loaded(report):
        raise InputError(f"nothing ingested: {report.problems[0]}", "fix the path or file named above and run again")


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


app.command("eval")(eval_command)


def main() -> None:
    try:
        app()
    except AssistantError as exc:
        sys.stderr.write(f"error: {exc.one_line()}\n")  # never wrapped: scripts grep one line
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted; the index keeps every paper written so far")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
