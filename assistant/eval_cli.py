"""`assistant eval`: run the gold suites through the product and the baselines, then write the report.

Exposed as a plain function so cli.py registers it with `app.command("eval")(eval_command)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

__all__ = ["eval_command"]

_console = Console(stderr=True)


def eval_command(
    provider: Annotated[Optional[str], typer.Option("--provider", help="local or openai (default: settings)")] = None,
    corpus: Annotated[str, typer.Option("--corpus", help="daily (fresh gold set), daily-v1 (first gold set) or "
                                        "pubmedqa (its own index; a quarter of papers withheld)")] = "daily",
    corpus_file: Annotated[Optional[Path], typer.Option("--pubmedqa-file", help="PubMedQA JSONL for --corpus "
                                                        "pubmedqa (default: ../shared/corpus/pubmedqa-dev)")] = None,
    suite: Annotated[str, typer.Option("--suite", help="facts, unanswerable, all (both), reviews, extraction or check")] = "all",
    split: Annotated[str, typer.Option("--split", help="dev, test or all")] = "all",
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="at most N questions per suite")] = None,
    systems: Annotated[str, typer.Option("--systems", help="comma list of product, extractive, plain_rag")]
    = "product,extractive,plain_rag",
    out: Annotated[Optional[Path], typer.Option("--out", help="run folder; default <ASSISTANT_EVAL_DIR, eval-runs>/"
                                                "<timestamp>-<corpus>[-<suite>]-<provider>")]
    = None,
    judge: Annotated[str, typer.Option("--judge", help="extra report-only support judge: none or llm")] = "none",
    judge_model: Annotated[Optional[str], typer.Option("--judge-model", help="model for --judge llm")] = None,
    batch: Annotated[Optional[str], typer.Option("--batch", help="one batch of gold questions: first, s12, ... "
                                                 "(the suffix of its files; default: every batch)")] = None,
) -> None:
    """Score fact accuracy, abstention, citations and latency; report.md compares every run beside this one."""
    from .errors import InputError
    from .evaluation.report import HEADLINE, fmt_value
    from .evaluation.suites import WRITING_SUITES, run_suite
    from .resources import load_settings

    settings = load_settings()
    if provider is not None:
        if provider not in ("local", "openai"):
            raise InputError(f"unknown provider '{provider}'", "use --provider local or --provider openai")
        settings = settings.model_copy(update={"provider": provider})
    _console.print(f"indexing / loading models for the {suite} suite…")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=_console) as bar:
        task = bar.add_task(suite, total=None)
        run = run_suite(settings, suite=suite, corpus=corpus, split=split, limit=limit,
                        systems=[s.strip() for s in systems.split(",") if s.strip()], out=out,
                        corpus_file=corpus_file, judge=judge, judge_model=judge_model, batch=batch,
                        progress=lambda done, total, item: bar.update(task, completed=done, total=total,
                                                                      description=item))
    for system, values in run.summary.items():
        if suite in WRITING_SUITES:
            shown = ", ".join(f"{k}={_number(v)}" for k, v in values.items())
        else:
            shown = ", ".join(f"{n}={fmt_value(n, values.get(n))}" for n in HEADLINE)
        _console.print(f"[bold]{system if suite not in WRITING_SUITES else suite}[/]: {shown}", highlight=False)
    _console.print(f"report: {run.report}")


def _number(value: float | None) -> str:
    """Counts as integers, rates with three decimals."""
    if value is None:
        return "n/a"
    return f"{int(value)}" if float(value).is_integer() else f"{value:.3f}"
