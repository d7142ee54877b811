"""Run one eval suite end to end and write its report: the one entry point of `assistant eval` and the web UI.

Answer suites (facts, unanswerable, all) run the product beside the baselines and write report.md with plots;
writing suites (reviews, extraction, check) write their own report. Both return an `EvalRun` naming the report,
its plots and a summary table of the headline numbers per system.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..config import Settings
from ..errors import InputError
from ..models import EvalRun

__all__ = ["SUITES", "ANSWER_SUITES", "WRITING_SUITES", "SYSTEMS", "run_suite"]

ANSWER_SUITES = ("all", "facts", "unanswerable")
WRITING_SUITES = ("reviews", "extraction", "check")
SUITES = ANSWER_SUITES + WRITING_SUITES
SYSTEMS = ("product", "extractive", "plain_rag")

Progress = Callable[[int, int, str], None]


def run_suite(settings: Settings, suite: str = "all", corpus: str = "daily", split: str = "all",
              limit: int | None = None, systems: list[str] | tuple[str, ...] = SYSTEMS, out: Path | None = None,
              corpus_file: Path | None = None, judge: str = "none", judge_model: str | None = None,
              progress: Progress | None = None, batch: str | None = None) -> EvalRun:
    """Run `suite` on `corpus` with the model `settings` name; `progress(done, total, item)` after each item.
    `batch` keeps one batch of gold questions (`gold.batch_of`: "first", "s12", ...), so a sealed batch's test
    split can be run once without re-running every earlier batch."""
    from ..api import ResearchAssistant
    from .corpora import corpus_named

    if suite not in SUITES:
        raise InputError(f"unknown suite '{suite}'", f"use one of {', '.join(SUITES)}")
    if batch is not None and suite in WRITING_SUITES:
        raise InputError("--batch applies to the answer suites only", "drop --batch, or use --suite all")
    try:
        chosen = corpus_named(corpus)
        corpus_settings = chosen.settings_for(settings, corpus_file)
    except FileNotFoundError as exc:
        raise InputError(str(exc), "give the PubMedQA JSONL with --pubmedqa-file") from exc
    except ValueError as exc:
        raise InputError(str(exc), "use --corpus daily, daily-v1 or pubmedqa") from exc
    ra = ResearchAssistant(settings=corpus_settings)
    label = f"{corpus}-{suite}" if suite in WRITING_SUITES else corpus  # the run folder names of earlier runs
    out = out or settings.eval_dir / f"{datetime.now():%Y%m%d-%H%M%S}-{label}-{ra.settings.provider}"
    tick = progress or (lambda done, total, item: None)
    if suite in WRITING_SUITES:
        return _writing_suite(ra, suite, chosen, split, limit, out, tick)
    return _answer_suite(ra, suite, chosen, split, limit, list(systems), out, judge, judge_model, tick, batch)


def _answer_suite(ra, suite: str, chosen, split: str, limit: int | None, systems: list[str], out: Path,
                  judge: str, judge_model: str | None, tick: Progress, batch: str | None) -> EvalRun:
    from .gold import load_items
    from .judges import LexicalJudge, LLMJudge
    from .metrics import Context
    from .report import HEADLINE, write_report
    from .runner import run_items, score_records, summary_groups, write_results

    try:
        items = load_items(suite, split, limit, chosen.gold_dir, batch)
    except FileNotFoundError as exc:
        raise InputError(str(exc), "give the PubMedQA JSONL with --pubmedqa-file") from exc
    except ValueError as exc:
        raise InputError(str(exc), "use --suite facts|unanswerable|all, --split dev|test|all and a batch "
                                   "named by the gold files (first, s12, ...)") from exc
    unknown = [name for name in systems if name not in SYSTEMS]
    if unknown or not systems:
        raise InputError(f"unknown systems {unknown or '(none given)'}", f"use a comma list of {', '.join(SYSTEMS)}")
    judges = [LexicalJudge()]
    if judge == "llm":
        judge_settings = ra.settings.model_copy(update={"model": judge_model} if judge_model else {})
        judges.append(LLMJudge(judge_settings, out.parent / "judge-cache.json"))
    elif judge != "none":
        raise InputError(f"unknown judge '{judge}'", "use --judge none or --judge llm")

    started = time.perf_counter()
    papers = ra.index.papers()
    total, done = len(items) * len(systems), 0

    def advance(record) -> None:
        nonlocal done
        done += 1
        tick(done, total, f"{record.system} {record.item.id}")

    records = run_items(ra, items, systems, advance)
    scored = score_records(records, Context(papers=papers, judge=judges[0]), judges[1:])
    options = {"corpus": chosen.name, "suite": suite, "split": split, "limit": limit, "systems": systems,
               "batch": batch}
    write_results(out, ra, records, scored, options, judges, time.perf_counter() - started)
    report = write_report(out)
    summary = {system: {name: groups["all"].get(name) for name in HEADLINE}
               for system, groups in summary_groups(records, scored).items()}
    plots = [str(path) for path in sorted(out.glob("*.png"))]
    return EvalRun(suite=suite, corpus=chosen.name, split=split, provider=ra.settings.provider, report=str(report),
                   plots=plots, summary=summary)


def _writing_suite(ra, suite: str, chosen, split: str, limit: int | None, out: Path, tick: Progress) -> EvalRun:
    from .checks import load_checks, run_checks, write_check_report
    from .extraction import load_extraction, run_extraction, write_extraction_report
    from .reviews import load_reviews, run_reviews, write_review_report

    load, run, write = {"reviews": (load_reviews, run_reviews, write_review_report),
                        "extraction": (load_extraction, run_extraction, write_extraction_report),
                        "check": (load_checks, run_checks, write_check_report)}[suite]
    try:
        items = load(chosen.gold_dir, split, limit)
    except FileNotFoundError as exc:
        raise InputError(str(exc), "the reviews suite has gold data for --corpus daily, the extraction and check "
                                   "suites for daily and pubmedqa") from exc
    except ValueError as exc:
        raise InputError(str(exc), "use --split dev|test|all") from exc
    started = time.perf_counter()
    done = 0

    def advance(row) -> None:
        nonlocal done
        done += 1
        tick(done, len(items), row["id"])

    result = run(ra, items, on_item=advance)
    meta = {"corpus": chosen.name, "split": split, "limit": limit, "provider": ra.settings.provider,
            "seconds": round(time.perf_counter() - started, 1)}
    report = write(out, result, meta)
    summary = {"product": {key: value for key, value in result["summary"].items()
                           if isinstance(value, (int, float)) or value is None}}
    return EvalRun(suite=suite, corpus=chosen.name, split=split, provider=ra.settings.provider, report=str(report),
                   plots=[str(path) for path in sorted(out.glob("*.png"))], summary=summary)
