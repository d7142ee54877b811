#!/usr/bin/env python
"""Retrieval recall with float beside int8 vectors, on the eval indexes and every batch's dev questions.

    .venv/bin/python bench/recall.py [--out bench/results/recall.json]

For each corpus (Daily Papers, PubMedQA), every dev `facts` question of every gold batch is searched with
`ResearchAssistant.search(question, k=5)` twice: on the index's float collection and on its int8 one (each is
built in the eval folders on first use, as `assistant eval` builds them; both live side by side since the
precision is part of the collection name). recall@k = share of questions whose gold paper is among the first k
hits. `bench/index.py` reports recall@5 on the first gold set's 52 dev questions, which both reach; this asks
the 700-odd dev questions of all batches. Test splits are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.api import ResearchAssistant  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation.corpora import CORPORA  # noqa: E402
from assistant.evaluation.gold import load_items  # noqa: E402

PRECISIONS = ("fp32", "int8")


def recall(corpus: str, precision: str) -> dict:
    settings = CORPORA[corpus].settings_for(Settings()).model_copy(update={"embedding_precision": precision})
    ra = ResearchAssistant(settings=settings)
    items = [i for i in load_items(suite="facts", split="dev", evals_dir=CORPORA[corpus].gold_dir) if i.paper_id]
    ranks = []
    for item in items:
        ids = [hit.paper_id for hit in ra.search(item.question, k=5)]
        ranks.append(ids.index(item.paper_id) + 1 if item.paper_id in ids else None)
    return {"corpus": corpus, "precision": precision, "collection": ra.index.chunks.name, "questions": len(items),
            "recall_at_1": round(sum(r == 1 for r in ranks) / len(items), 4),
            "recall_at_5": round(sum(r is not None for r in ranks) / len(items), 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "recall.json")
    args = parser.parse_args(argv)
    rows = [recall(corpus, precision) for corpus in ("daily", "pubmedqa") for precision in PRECISIONS]
    print(f"{'corpus':<10}{'vectors':>8}{'questions':>10}{'recall@1':>10}{'recall@5':>10}")
    for row in rows:
        print(f"{row['corpus']:<10}{row['precision']:>8}{row['questions']:>10}{row['recall_at_1']:>10.4f}"
              f"{row['recall_at_5']:>10.4f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
