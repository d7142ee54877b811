"""The extraction suite: per field, is the value right, and is an unstated field left empty?

Gold (`evals/daily/extraction.jsonl`): for each paper, the accepted values of each labelled field as
the abstract writes them, or null when the abstract does not state it. Scored from outside:

* accuracy per field: a stated field is right when the extracted value contains an accepted value
  (case-insensitive); an unstated field is right when nothing was extracted;
* filled wrongly: a value where the gold is null, or a value matching no accepted one;
* values without a quote, and values that do not occur in their quote (both must be 0);
* quotes that are not the paper's own text (must be 0).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from .gold import read_jsonl
from .report import write_suite_json

__all__ = ["ExtractionItem", "load_extraction", "run_extraction", "write_extraction_report"]


class ExtractionItem(BaseModel):
    id: str
    split: Literal["dev", "test"]
    paper_id: str
    fields: dict[str, list[str] | None]


def load_extraction(evals_dir: Path, split: str = "all", limit: int | None = None) -> list[ExtractionItem]:
    path = evals_dir / "extraction.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: this corpus has no labelled extraction")
    return [r for r in read_jsonl(path, ExtractionItem) if split in ("all", r.split)][:limit]


def _verdict(gold: list[str] | None, value: str | None) -> str:
    if gold is None:
        return "right_empty" if value is None else "filled_wrongly"
    if value is None:
        return "missed"
    return "right_value" if any(g.lower() in value.lower() for g in gold) else "filled_wrongly"


def run_extraction(ra, items: list[ExtractionItem], on_item=None) -> dict:
    papers = ra.index.papers()
    rows = []
    for item in items:
        started = time.perf_counter()
        result = ra.extract(item.paper_id)
        seconds = time.perf_counter() - started
        text = papers[item.paper_id].text
        fields = {}
        for name, gold in item.fields.items():
            cell = result.fields.get(name)
            value, quote = (cell.value, cell.quote) if cell else (None, None)
            fields[name] = {"gold": gold, "value": value, "quote": quote, "verdict": _verdict(gold, value),
                            "value_without_quote": value is not None and not quote,
                            "value_not_in_quote": bool(value and quote and not all(
                                part.lower() in quote.lower() for part in value.split(", "))),
                            "quote_not_in_paper": bool(quote and quote not in text)}
        rows.append({"id": item.id, "split": item.split, "paper_id": item.paper_id, "seconds": seconds,
                     "cached": result.cached, "fields": fields})
        if on_item:
            on_item(rows[-1])
    return {"items": rows, "summary": _summarise(rows)}


def _summarise(rows: list[dict]) -> dict:
    cells = [(name, cell) for row in rows for name, cell in row["fields"].items()]
    per_field: dict[str, dict] = {}
    for name, cell in cells:
        stats = per_field.setdefault(name, {"n": 0, "right": 0, "stated": 0, "stated_right": 0, "filled_wrongly": 0})
        stats["n"] += 1
        stats["right"] += cell["verdict"] in ("right_value", "right_empty")
        stats["stated"] += cell["gold"] is not None
        stats["stated_right"] += cell["verdict"] == "right_value"
        stats["filled_wrongly"] += cell["verdict"] == "filled_wrongly"
    return {
        "papers": len(rows),
        "cells": len(cells),
        "accuracy": sum(s["right"] for s in per_field.values()) / len(cells) if cells else None,
        "stated_found": (sum(s["stated_right"] for s in per_field.values())
                         / max(1, sum(s["stated"] for s in per_field.values()))),
        "filled_wrongly": sum(s["filled_wrongly"] for s in per_field.values()),
        "values_without_quote": sum(c["value_without_quote"] for _, c in cells),
        "values_not_in_quote": sum(c["value_not_in_quote"] for _, c in cells),
        "quotes_not_in_paper": sum(c["quote_not_in_paper"] for _, c in cells),
        "per_field": per_field,
        "seconds_per_paper": sum(r["seconds"] for r in rows) / len(rows) if rows else None,
    }


def write_extraction_report(out_dir: Path, result: dict, meta: dict) -> Path:
    write_suite_json(out_dir, "extraction", result, meta)
    s = result["summary"]

    def pct(num: int, den: int) -> str:
        return f"{100 * num / den:.1f}% ({num}/{den})" if den else "—"

    lines = [f"# Extraction suite — {meta.get('corpus')} {meta.get('split')} ({s['papers']} papers, {s['cells']} cells)",
             "", "| field | accuracy | stated values found | filled wrongly |", "|---|---|---|---|"]
    for name, f in s["per_field"].items():
        lines.append(f"| {name} | {pct(f['right'], f['n'])} | {pct(f['stated_right'], f['stated'])} | "
                     f"{f['filled_wrongly']} |")
    lines += ["", f"- values without a quote: {s['values_without_quote']}; values not in their quote: "
              f"{s['values_not_in_quote']}; quotes not in the paper: {s['quotes_not_in_paper']}"]
    path = out_dir / "extraction.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
