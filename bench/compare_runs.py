"""Two eval runs side by side: the headline metrics, and every question whose outcome changed.

    .venv/bin/python bench/compare_runs.py eval-runs/BEFORE eval-runs/AFTER [--system product]

A change to text handling (stemmer, tokenizer, splitter) must leave the answers as good on
both corpora; this prints what moved so the difference can be explained, not just summed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HEADLINE = ["fact_accuracy", "abstention_recall", "false_abstention", "precision", "wrong_answers_shown",
            "citation_precision", "citation_recall", "unsupported_claims", "decision_accuracy"]
OUTCOME = ["fact_accuracy", "abstention_recall", "wrong_answers_shown", "unsupported_claims"]


def _load(run: Path) -> dict:
    return json.loads((run / "results.json").read_text(encoding="utf-8"))


def _score(item: dict, metric: str) -> float | None:
    verdict = item["verdicts"].get(metric)
    return None if verdict is None else verdict["num"] / verdict["den"]


def compare(before: dict, after: dict, system: str) -> list[str]:
    lines = [f"| metric ({system}, split all) | before | after |", "|---|---|---|"]
    old, new = before["summary"][system]["all"], after["summary"][system]["all"]
    for metric in HEADLINE:
        fmt = (lambda v: "—" if v is None else f"{100 * v:.1f}%")
        lines.append(f"| {metric} | {fmt(old.get(metric))} | {fmt(new.get(metric))} |")
    items = {i["id"]: i for i in before["items"] if i["system"] == system}
    changed = same_answer = 0
    for item in (i for i in after["items"] if i["system"] == system):
        prior = items.get(item["id"])
        if prior is None:
            continue
        same_answer += prior["answer"] == item["answer"]
        moved = [m for m in OUTCOME if _score(prior, m) != _score(item, m)]
        if moved:
            changed += 1
            lines.append(f"\n{item['id']} ({', '.join(f'{m} {_score(prior, m)} -> {_score(item, m)}' for m in moved)})"
                         f"\n  Q: {item['question']}\n  before: {prior['answer'][:200]}\n  after:  {item['answer'][:200]}")
    lines.insert(0, f"{same_answer}/{len(items)} answers identical, {changed} outcomes changed\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--system", default="product")
    args = parser.parse_args()
    print("\n".join(compare(_load(args.before), _load(args.after), args.system)))


if __name__ == "__main__":
    main()
