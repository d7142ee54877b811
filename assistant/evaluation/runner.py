"""Run systems over gold items, score every record, and write results.json.

results.json keeps each full Record next to its readable fields, so a metric
added later can re-score an old run without asking any model again.
"""

from __future__ import annotations

import json
import platform
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from ..config import IN_CHECKOUT, PROJECT_ROOT
from ..errors import AssistantError
from ..llm import provider_label
from ..models import Answer, Evidence
from ..selection import SELECTOR_PATH, load_selector
from .baselines import ExtractiveBaseline, PlainRagBaseline
from .gold import EvalItem
from .judges import SupportJudge
from .metrics import METRICS, Context, Record, Verdict, score_record, summarise

__all__ = ["SYSTEMS", "run_items", "score_records", "summary_groups", "write_results"]

SYSTEMS = ("product", "extractive", "plain_rag")
System = Callable[[str], tuple[Answer, list[Evidence] | None]]


def _systems(ra, names: list[str]) -> dict[str, System]:
    unknown = set(names) - set(SYSTEMS)
    if unknown:
        raise ValueError(f"unknown system(s) {sorted(unknown)}: choose from {', '.join(SYSTEMS)}")
    def product(question: str) -> tuple[Answer, list[Evidence] | None]:
        answer = ra.ask(question)
        return answer, answer.evidence or None

    built: dict[str, System] = {"product": product}
    if "extractive" in names:
        built["extractive"] = ExtractiveBaseline(ra).answer
    if "plain_rag" in names:
        built["plain_rag"] = PlainRagBaseline(ra).answer
    return {name: built[name] for name in names}


def run_items(ra, items: list[EvalItem], systems: list[str],
              on_record: Callable[[Record], None] | None = None) -> list[Record]:
    """Ask every system every item; a provider failure is recorded (as an abstention), not raised."""
    records = []
    for name, system in _systems(ra, systems).items():
        for item in items:
            started = time.perf_counter()
            try:
                answer, shown = system(item.question)
                error = None
            except AssistantError as exc:
                answer, shown, error = Answer(question=item.question, answer="", abstained=True, status="fail"), None, exc.one_line()
            record = Record(system=name, item=item, answer=answer, shown_evidence=shown,
                            wall_seconds=time.perf_counter() - started, error=error)
            records.append(record)
            if on_record:
                on_record(record)
    return records


def score_records(records: list[Record], ctx: Context, extra_judges: list[SupportJudge] = ()) -> list[dict]:
    """Every metric with the default judge, plus judge-based metrics again as "<name>@<judge>" per extra judge."""
    judged = [name for name, m in METRICS.items() if m.uses_judge]
    scored = []
    for record in records:
        verdicts = score_record(record, ctx)
        for judge in extra_judges:
            other = Context(papers=ctx.papers, judge=judge)
            verdicts |= {f"{k}@{judge.name}": v for k, v in score_record(record, other, judged).items()}
        scored.append(verdicts)
    return scored


def summary_groups(records: list[Record], scored: list[dict]) -> dict[str, dict[str, dict]]:
    """summary[system][group] = {metric: value}; groups: all, dev, test, kind:<style or kind> and
    file:<gold file> / <split>."""
    out: dict[str, dict[str, dict]] = {}
    for system in dict.fromkeys(r.system for r in records):
        rows = [(r, s) for r, s in zip(records, scored, strict=True) if r.system == system]
        groups = {"all": rows}
        for r, s in rows:
            groups.setdefault(r.item.split, []).append((r, s))
            groups.setdefault(f"kind:{r.item.kind}", []).append((r, s))
            if r.item.gold_file:
                groups.setdefault(f"file:{r.item.gold_file} / {r.item.split}", []).append((r, s))
        out[system] = {g: summarise([s for _, s in members]) for g, members in groups.items()}
    return out


def _git_commit() -> str | None:
    if not IN_CHECKOUT:
        return None  # an installed package has no repository to name
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=5).stdout.strip() or None
    except OSError:
        return None


def _verdict_json(verdict: Verdict | None) -> dict | None:
    return None if verdict is None else {"num": verdict.num, "den": verdict.den, "detail": verdict.detail}


def write_results(out_dir: Path, ra, records: list[Record], scored: list[dict], options: dict,
                  judges: list[SupportJudge], seconds: float) -> Path:
    settings = ra.settings
    meta = {
        "run": out_dir.name,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "provider": settings.provider,
        "model": provider_label(settings),
        "agent_mode": settings.effective_agent_mode(),
        "settings": settings.model_dump(mode="json", include={
            "evidence_k", "evidence_papers", "support_min_coverage", "vocabulary_path", "selector_path",
            "max_answer_tokens", "temperature", "local_threads"}),
        "judges": [j.describe() for j in judges],
        "selector": {k: load_selector(settings.selector_path or SELECTOR_PATH).meta.get(k)
                     for k in ("fitted", "corpora", "wrong_cost", "folds")},
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        **options,
    }
    items = [
        {
            "system": r.system, "id": r.item.id, "suite": r.item.suite, "split": r.item.split, "kind": r.item.kind,
            "question": r.item.question, "answer": r.answer.answer, "abstained": r.answer.abstained,
            "citations": [c.model_dump() for c in r.answer.citations],
            "removed": [x.model_dump() for x in r.answer.removed],
            "raw_answer": r.answer.raw_answer, "error": r.error,
            "timing": {"wall": r.wall_seconds, **r.answer.timings},
            "verdicts": {name: _verdict_json(v) for name, v in s.items()},
            "record": r.model_dump(mode="json"),
        }
        for r, s in zip(records, scored, strict=True)
    ]
    payload = {"meta": meta, "summary": summary_groups(records, scored), "items": items}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
