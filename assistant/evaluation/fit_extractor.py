"""Fit the field-extraction span model (`assistant/data/extractor.json`) on dev papers only, cross-validated by paper.

    python -m assistant.evaluation.fit_extractor [--out assistant/data/extractor.json]

Training data: the dev split of every corpus's `extraction.jsonl` (hand-labelled fields, null where the
abstract is silent). Every candidate value of a labelled field is labelled right when it contains an
accepted value, the same rule the extraction suite scores by; every candidate of a null field is wrong,
which is what teaches the model to leave a field empty. Test splits are never read here. The threshold
is the one that does best out of fold, a value filled wrongly costing as much as two found (precision
first, as for answers), averaged over corpora so each counts the same. Every candidate is one unweighted
sample, so the model's probability is the chance that a candidate like this one is a right value. Reported figures are out-of-fold predictions of `GroupKFold` by paper.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ..api import ResearchAssistant
from ..extract import SPAN_FEATURES, SPAN_MODEL_PATH, FieldReading, choose_span, field_specs, read_paper
from ..resources import load_settings
from .corpora import CORPORA
from .extraction import _verdict, load_extraction
from .fit_selector import _export, _fit, _predict

_CORPORA = ("daily", "pubmedqa")
_FOLDS = 5
_WRONG_COST = 2.0


@dataclass
class Cell:
    corpus: str
    paper_id: str
    field: str
    gold: list[str] | None
    reading: FieldReading
    labels: list[int]


def collect() -> list[Cell]:
    cells = []
    base = load_settings()
    for corpus in _CORPORA:
        chosen = CORPORA[corpus]
        items = load_extraction(chosen.gold_dir, "dev")
        ra = ResearchAssistant(settings=chosen.settings_for(base))
        papers = ra.index.papers()
        for item in items:
            specs = field_specs(None, only=list(item.fields))
            reading = read_paper(papers[item.paper_id], specs, ra.retriever)
            for name, gold in item.fields.items():
                cells.append(Cell(corpus, item.paper_id, name, gold, reading,
                                  [int(_verdict(gold, span.value) == "right_value") for span in reading.spans]))
        print(f"{corpus}: {len(items)} dev papers", file=sys.stderr)
    return cells


def _score(cells: list[Cell], probabilities: list[np.ndarray], threshold: float) -> dict[str, dict[str, int]]:
    """Verdict counts per corpus, the way the extraction suite counts them."""
    counts: dict[str, dict[str, int]] = {}
    for cell, p in zip(cells, probabilities, strict=True):
        value, _ = choose_span(cell.reading, list(p), threshold)
        tally = counts.setdefault(cell.corpus, {"right_value": 0, "right_empty": 0, "missed": 0,
                                                "filled_wrongly": 0, "stated": 0, "cells": 0})
        tally[_verdict(cell.gold, value)] += 1
        tally["stated"] += cell.gold is not None
        tally["cells"] += 1
    return counts


def _utility(counts: dict[str, dict[str, int]]) -> float:
    """Mean over corpora of (right cells - cost x wrong fills) per cell: every corpus counts the same."""
    return float(np.mean([(c["right_value"] + c["right_empty"] - _WRONG_COST * c["filled_wrongly"]) / c["cells"]
                          for c in counts.values()]))


def fit(cells: list[Cell]) -> tuple[dict, dict]:
    rows = [(ci, row, label) for ci, cell in enumerate(cells)
            for row, label in zip(cell.reading.rows[cell.field], cell.labels, strict=True)]
    x = np.array([[row[n] for n in SPAN_FEATURES] for _, row, _ in rows], dtype=float)
    y = np.array([label for _, _, label in rows])
    cell_of_row = np.array([ci for ci, _, _ in rows])
    groups = [f"{cells[ci].corpus}:{cells[ci].paper_id}" for ci in cell_of_row]
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=_FOLDS).split(x, y, groups=groups):
        oof[test] = _predict(_fit(x[train], y[train]), x[test])
    per_cell = [oof[cell_of_row == ci] for ci in range(len(cells))]
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    utilities = {float(t): _utility(_score(cells, per_cell, t)) for t in grid}
    threshold = max(utilities, key=lambda t: (utilities[t], t))
    report = {"threshold": threshold, "out_of_fold": _score(cells, per_cell, threshold),
              "never_fill": _score(cells, [np.zeros(len(p)) for p in per_cell], 1.0),
              "utility_by_threshold": utilities, "rows": len(rows), "positives": int(y.sum())}
    return {"span": _export(_fit(x, y), SPAN_FEATURES, threshold)}, report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SPAN_MODEL_PATH)
    args = parser.parse_args(argv)
    cells = collect()
    models, report = fit(cells)
    models["meta"] = {"fitted": date.today().isoformat(), "cells": len(cells),
                      "papers": len({(c.corpus, c.paper_id) for c in cells}), "cross_validated": report}
    args.out.write_text(json.dumps(models, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "utility_by_threshold"}, indent=1))


if __name__ == "__main__":
    main()
