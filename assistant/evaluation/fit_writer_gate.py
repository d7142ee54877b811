"""Fit the writer gate (`assistant/data/writer_gate.json`): is the configured writer's answer worth waiting for?

    python -m assistant.evaluation.fit_writer_gate [--cache eval-runs/writer-gate-data.pkl]

On the plan path a factoid answer is the best evidence quoted unless the model writes a sentence that passes the
verifier and carries that evidence's answer. With the bundled 135M model that is rare, yet every answer waited
for generation. For every training question of the three gold sets (`fit_selector.training_items`: the sealed
test split is never read) that reaches the writer, the configured model writes its answer as in production and
the label is whether its words were shown (not the quote). A logistic model over signals known before writing
(question type, answer probability, the best evidence's features) is fitted and reported out of fold,
`GroupKFold` by paper. The agent skips writing when the fitted probability is below one half, and only for the
writer it was fitted on.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

from ..api import ResearchAssistant
from ..resources import load_settings
from ..selection import WRITER_FEATURES, WRITER_GATE_PATH, writer_features
from .corpora import CORPORA
from .fit_selector import _FOLDS, _export, _fit, _folds, _predict, cached, training_items

_RETRIEVE_K = 24


def collect(corpora: list[str]) -> list[dict]:
    """One record per training question that reaches the writer: its signals and whether the writer's words were
    shown."""
    records = []
    base = load_settings().model_copy(update={"writer_gate": False})  # the writer writes every time
    for corpus in corpora:
        ra = ResearchAssistant(settings=CORPORA[corpus].settings_for(base))
        agent = ra.agent
        for item, _ in training_items(corpus):
            hits = agent.retriever.search_chunks(item.question, _RETRIEVE_K)
            _, selection = agent._select(item.question, item.question, hits)
            if not selection.answers or selection.qtype == "yes_no":
                continue  # never reaches the writer
            answer = agent.ask(item.question, [])
            quoted = f"{selection.ranked[0].text.rstrip('.')} [1]."
            records.append({
                "corpus": corpus, "id": item.id, "group": item.paper_id or item.id,
                "features": writer_features(selection), "shown": int(not answer.abstained
                                                                      and answer.answer.strip() != quoted),
                "writer": answer.provider, "generation_s": answer.timings.get("generation", 0.0),
            })
        print(f"{corpus}: {sum(r['corpus'] == corpus for r in records)} questions reached the writer",
              file=sys.stderr)
    return records


def fit(records: list[dict]) -> tuple[dict, dict]:
    x = np.array([[r["features"][name] for name in WRITER_FEATURES] for r in records], dtype=float)
    y = np.array([r["shown"] for r in records])
    groups = [r["group"] for r in records]
    oof = np.zeros(len(records))
    for train, test in _folds(groups):
        if len(set(y[train])) > 1:
            oof[test] = _predict(_fit(x[train], y[train]), x[test])
    skipped = oof < 0.5
    report = {
        "questions": len(records), "writer_shown": int(y.sum()), "shown_share": round(float(y.mean()), 3),
        "skipped_share": round(float(skipped.mean()), 3),
        "shown_but_skipped": int((skipped & (y == 1)).sum()),
        "auc": _auc(oof, y),
        "seconds_saved_share": round(float(sum(r["generation_s"] for r, s in zip(records, skipped) if s)
                                           / max(1e-9, sum(r["generation_s"] for r in records))), 3),
    }
    return _export(_fit(x, y), WRITER_FEATURES), report


def _auc(score: np.ndarray, label: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(label, score)), 3) if len(set(label)) > 1 else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WRITER_GATE_PATH)
    parser.add_argument("--cache", type=Path, default=Path("eval-runs/writer-gate-data.pkl"),
                        help="collected records; reused when present (delete it after changing the writer)")
    parser.add_argument("--corpora", default="daily,pubmedqa,daily-v1")
    args = parser.parse_args(argv)
    corpora = [c for c in args.corpora.split(",") if c]
    records = cached(args.cache, lambda: collect(corpora))
    writers = sorted({r["writer"] for r in records})
    if len(writers) != 1:
        raise SystemExit(f"records from several writers {writers}; delete {args.cache} and collect again")
    model, report = fit(records)
    meta = {"writer": writers[0], "fitted": date.today().isoformat(), "corpora": corpora, "split": "dev",
            "folds": f"GroupKFold({_FOLDS}) by paper", "cross_validated": report,
            "command": "python -m assistant.evaluation.fit_writer_gate"}
    args.out.write_text(json.dumps({"model": model, "meta": meta}, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
