"""`assistant eval`: run the gold suites through the product and the baselines, then write the report.

Exposed as a plain function so cli.py registers it with `app.command("eval")(eval_command)`.
"""

from __future__ import annotations

import time
from datetime import datetime
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
    out: Annotated[Optional[Path], typer.Option("--out", help="run folder; default eval-runs/<timestamp>-<provider>")]
    = None,
    judge: Annotated[str, typer.Option("--judge", help="extra report-only support judge: none or llm")] = "none",
    judge_model: Annotated[Optional[str], typer.Option("--judge-model", help="model for --judge llm")] = None,
) -> None:
    """Score fact accuracy, abstention, citations and latency; report.md compares every run beside this one."""
    from .api import ResearchAssistant
    from .resources import load_settings
    from .errors import InputError
    from .evaluation.corpora import corpus_named
    from .evaluation.gold import load_items
    from .evaluation.judges import LexicalJudge, LLMJudge
    from .evaluation.metrics import Context
    from .evaluation.report import HEADLINE, fmt_value, write_report
    from .evaluation.runner import run_items, score_records, summary_groups, write_results

    if suite in ("reviews", "extraction", "check"):
        _writing_suite(suite, provider, corpus, corpus_file, split, limit, out)
        return
    try:
        chosen = corpus_named(corpus)
        items = load_items(suite, split, limit, chosen.gold_dir)
        settings = chosen.settings_for(load_settings(), corpus_file)
    except FileNotFoundError as exc:
        raise InputError(str(exc), "give the PubMedQA JSONL with --pubmedqa-file") from exc
    except ValueError as exc:
        raise InputError(str(exc), "use --corpus daily|daily-v1|pubmedqa, --suite facts|unanswerable|all "
                                   "and --split dev|test|all") from exc
    names = [s.strip() for s in systems.split(",") if s.strip()]
    ra = ResearchAssistant(provider=provider, settings=settings)
    out = out or Path("eval-runs") / f"{datetime.now():%Y%m%d-%H%M%S}-{corpus}-{ra.settings.provider}"
    judges = [LexicalJudge()]
    if judge == "llm":
        settings = ra.settings.model_copy(update={"model": judge_model} if judge_model else {})
        judges.append(LLMJudge(settings, out.parent / "judge-cache.json"))
    elif judge != "none":
        raise InputError(f"unknown judge '{judge}'", "use --judge none or --judge llm")

    started = time.perf_counter()
    _console.print(f"indexing / loading models for {len(items)} questions x {len(names)} systems…")
    papers = ra.index.papers()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=_console) as bar:
        task = bar.add_task("eval", total=len(items) * len(names))

        def advance(record) -> None:
            bar.update(task, advance=1, description=f"{record.system} {record.item.id}")

        try:
            records = run_items(ra, items, names, advance)
        except ValueError as exc:
            raise InputError(str(exc), "use --systems product,extractive,plain_rag") from exc
    scored = score_records(records, Context(papers=papers, judge=judges[0]), judges[1:])
    options = {"corpus": corpus, "suite": suite, "split": split, "limit": limit, "systems": names}
    write_results(out, ra, records, scored, options, judges, time.perf_counter() - started)
    report = write_report(out)
    for system, groups in summary_groups(records, scored).items():
        values = ", ".join(f"{n}={fmt_value(n, groups['all'].get(n))}" for n in HEADLINE)
        _console.print(f"[bold]{system}[/]: {values}", highlight=False)
    _console.print(f"report: {report}")


def _writing_suite(suite: str, provider, corpus: str, corpus_file, split: str, limit: int | None,
                   out: Path | None) -> None:
    """`--suite reviews` (reviews.md: gold topics against dense top-k), `--suite extraction` (extraction.md) or
    `--suite check` (check.md: labelled cited sentences)."""
    from .api import ResearchAssistant
    from .errors import InputError
    from .evaluation.corpora import corpus_named
    from .evaluation.checks import load_checks, run_checks, write_check_report
    from .evaluation.extraction import load_extraction, run_extraction, write_extraction_report
    from .evaluation.reviews import load_reviews, run_reviews, write_review_report
    from .resources import load_settings

    load, run, write = {"reviews": (load_reviews, run_reviews, write_review_report),
                        "extraction": (load_extraction, run_extraction, write_extraction_report),
                        "check": (load_checks, run_checks, write_check_report)}[suite]
    try:
        chosen = corpus_named(corpus)
        items = load(chosen.gold_dir, split, limit)
        settings = chosen.settings_for(load_settings(), corpus_file)
    except FileNotFoundError as exc:
        raise InputError(str(exc), "the reviews suite has gold data for --corpus daily, the extraction and check "
                                   "suites for daily and pubmedqa") from exc
    except ValueError as exc:
        raise InputError(str(exc), "use --corpus daily (or pubmedqa for extraction and check) and --split dev|test|all") from exc
    ra = ResearchAssistant(provider=provider, settings=settings)
    out = out or Path("eval-runs") / f"{datetime.now():%Y%m%d-%H%M%S}-{corpus}-{suite}-{ra.settings.provider}"
    started = time.perf_counter()
    _console.print(f"indexing / loading models for {len(items)} {suite} items…")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=_console) as bar:
        task = bar.add_task(suite, total=len(items))
        result = run(ra, items, on_item=lambda row: bar.update(task, advance=1, description=row["id"]))
    meta = {"corpus": corpus, "split": split, "limit": limit, "provider": ra.settings.provider,
            "seconds": round(time.perf_counter() - started, 1)}
    report = write(out, result, meta)
    summary = {k: v for k, v in result["summary"].items() if not isinstance(v, dict)}
    _console.print(f"[bold]{suite}[/]: " + ", ".join(
        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in summary.items()), highlight=False)
    _console.print(f"report: {report}")
