"""report.md and PNG plots for one run, compared with every other run beside it.

Comparison rule: report.md's first table lists every `*/results.json` found
under the parent of the run's folder (eval-runs/ by default), so runs of other
providers or settings land side by side without a separate ledger file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .metrics import METRICS, MIN_CITATION_SENTENCE_CHARS

__all__ = ["HEADLINE", "write_report", "fmt_value"]

HEADLINE = [
    "fact_accuracy", "abstention_recall", "false_abstention", "precision", "citation_recall", "citation_precision",
    "unsupported_claims", "contradicts_fact", "fabricated_citations", "latency_p50", "latency_p95",
]
_VERIFIER_EFFECT = ["fact_accuracy", "raw_answer_present", "unsupported_claims", "raw_unsupported_claims",
                    "raw_unsupported_numbers", "removed_sentences"]
_SHORT = {
    "fact_accuracy": "fact acc", "abstention_recall": "abst. recall", "false_abstention": "false abst.",
    "precision": "precision", "citation_recall": "cite R", "citation_precision": "cite P",
    "unsupported_claims": "unsupported", "contradicts_fact": "contradicts", "fabricated_citations": "fabricated",
    "latency_p50": "p50", "latency_p95": "p95",
}


def fmt_value(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    fmt = METRICS[name.split("@")[0]].fmt
    if fmt == "pct":
        return f"{value:.1%}"
    if fmt == "count":
        return f"{value:g}"
    if fmt == "seconds":
        return f"{value:.2f} s"
    return f"{value:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _metric_rows(summary: dict, group: str, names: list[str], label: Callable | None = None) -> list[list[str]]:
    rows = []
    for system, groups in summary.items():
        if group in groups:
            rows.append([label(system) if label else system] + [fmt_value(n, groups[group].get(n)) for n in names])
    return rows


def _failure_category(detail: str) -> str:
    """Group failures by kind: quoted names and numbers vary per question, the reason does not."""
    return re.sub(r"\d[\d.,]*", "N", re.sub(r"'[^']*'", "'…'", detail))


def _plots(out_dir: Path, runs: list[dict], current: dict) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [n for n in HEADLINE if METRICS[n].fmt == "pct"]
    series = [(f"{run['meta']['run']}/{system}", groups["all"])
              for run in runs for system, groups in run["summary"].items()]
    fig, ax = plt.subplots(figsize=(max(8, len(shown) * 1.3), 4.5))
    width = 0.8 / max(1, len(series))
    for i, (label, values) in enumerate(series):
        xs = [j + i * width for j in range(len(shown))]
        ax.bar(xs, [values.get(n) or 0 for n in shown], width, label=label)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(shown))], [_SHORT[n] for n in shown], rotation=20)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share (n/a drawn as 0)")
    ax.set_title("Metrics per run/system (all splits)")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(out_dir / "metrics.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    by_system: dict[str, list[float]] = {}
    for item in current["items"]:
        by_system.setdefault(item["system"], []).append(item["timing"]["wall"])
    for system, walls in by_system.items():
        ax.hist(walls, bins=30, alpha=0.6, label=system)
    ax.set_xlabel("wall seconds per question")
    ax.set_ylabel("questions")
    ax.set_title(f"Latency ({current['meta']['run']})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "latency.png", dpi=110)
    plt.close(fig)
    return ["metrics.png", "latency.png"]


def _load_runs(out_dir: Path) -> list[dict]:
    runs = []
    for path in sorted(out_dir.parent.glob("*/results.json")):
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue  # a run still being written or a broken file must not stop the report
    return runs


def write_report(out_dir: Path) -> Path:
    current = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    runs = _load_runs(out_dir) or [current]
    meta, summary = current["meta"], current["summary"]
    header = ["system"] + [_SHORT[n] for n in HEADLINE]
    lines = [f"# Eval report: {meta['run']}", ""]
    lines += [f"- model: `{meta['model']}` (agent mode {meta['agent_mode']}); suite {meta['suite']}, split "
              f"{meta['split']}, limit {meta['limit']}; {len(current['items'])} answers in {meta['seconds']} s",
              f"- support judge behind unsupported claims and citation precision/recall: "
              f"`{meta['judges'][0]['name']}` ({meta['judges'][0].get('check', '')}); every judge: "
              + "; ".join(json.dumps(j) for j in meta["judges"]),
              f"- git {meta['git_commit']}, settings {json.dumps(meta['settings'])}", ""]
    lines += ["## All runs under " + f"`{out_dir.parent.name}/` (split: all)", ""]
    rows = []
    for run in runs:
        label = run["meta"]["run"]
        rows += _metric_rows(run["summary"], "all", HEADLINE, lambda s, label=label: f"{label} / {s}")
    lines += _table(["run / system"] + header[1:], rows) + [""]
    for group in ("dev", "test", "all"):
        group_rows = _metric_rows(summary, group, HEADLINE)
        if group_rows:
            lines += [f"## This run, split {group}", ""] + _table(header, group_rows) + [""]
    lines += ["## Verifier effect (raw model text vs what is shown)", ""]
    lines += _table(["system"] + _VERIFIER_EFFECT, _metric_rows(summary, "all", _VERIFIER_EFFECT)) + [""]
    judged = sorted({k for groups in summary.values() for k in groups["all"] if "@" in k})
    if judged:
        lines += ["## Optional judge (report only, never gated)", ""]
        lines += _table(["system"] + judged, _metric_rows(summary, "all", judged)) + [""]
    batches = sorted({g for groups in summary.values() for g in groups if g.startswith("file:")})
    if batches:
        lines += ["## By gold file and split (each batch's test split is an estimate only until it is read)", ""]
        batch_rows = []
        for batch in batches:
            batch_rows += _metric_rows(summary, batch, HEADLINE, lambda s, batch=batch: f"{batch[5:]} / {s}")
        lines += _table(["gold file / split / system"] + header[1:], batch_rows) + [""]
    kinds = sorted({g for groups in summary.values() for g in groups if g.startswith("kind:")})
    lines += ["## By question kind", ""]
    kind_rows = []
    for system, groups in summary.items():
        for kind in kinds:
            if kind in groups:
                values = groups[kind]
                metric = "fact_accuracy" if values.get("fact_accuracy") is not None else "abstention_recall"
                kind_rows.append([system, kind[5:], metric, fmt_value(metric, values.get(metric))])
    lines += _table(["system", "kind", "metric", "value"], kind_rows) + [""]
    lines += _failures(current) + [""]
    lines += ["## Plots", ""] + [f"![{name}]({name})" for name in _plots(out_dir, runs, current)] + [""]
    lines += ["## Metric definitions", ""] + [f"- `{m.name}`: {m.description}" + ("" if m.gated else " (not gated)")
                                              for m in METRICS.values()]
    lines += ["", f"Edge cases: abstentions and errors are excluded from answer-quality metrics; citation "
              f"recall/precision skip sentences under {MIN_CITATION_SENTENCE_CHARS} characters; uncited sentences "
              "are unsupported; a denominator of 0 is reported as n/a."]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _failures(current: dict) -> list[str]:
    """Why the product missed: most common reasons, then every failed item."""
    failed = []
    for item in current["items"]:
        if item["system"] != "product":
            continue
        verdict = item["verdicts"].get("fact_accuracy") or item["verdicts"].get("abstention_recall")
        if verdict and verdict["num"] == 0:
            detail = verdict["detail"] if item["suite"] == "facts" else f"answered an unanswerable ({item['kind']})"
            failed.append((item, detail))
    if not failed:
        return ["## Product failures", "", "none"]
    counts = Counter(_failure_category(detail) for _, detail in failed)
    lines = ["## Product failures: most common reasons", ""]
    lines += _table(["reason", "count"], [[reason, str(n)] for reason, n in counts.most_common(10)]) + [""]
    lines += ["## Product failures: every item", ""]
    lines += _table(["id", "split", "question", "answer", "why"], [
        [item["id"], item["split"], item["question"].replace("|", "/"),
         item["answer"].replace("|", "/").replace("\n", " ")[:160], detail.replace("|", "/")]
        for item, detail in failed
    ])
    return lines


def write_suite_json(out_dir: Path, name: str, result: dict, meta: dict) -> None:
    """`<name>.json` of a writing or checking suite: its meta, every item and the summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.json").write_text(json.dumps({"meta": meta, **result}, indent=1, ensure_ascii=False),
                                          encoding="utf-8")
