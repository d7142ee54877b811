#!/usr/bin/env python
"""How many of a review topic's listed papers each ranking puts among its first k papers.

    .venv/bin/python bench/review_ranking.py [--split dev]

For the gold topics of evals/daily/reviews.jsonl (dev by default; the test topics are sealed), the share of
the listed papers among the first k distinct papers (k = 8, 12, 24, 48) of:

* hybrid: the product's retrieval (`Retriever.search_chunks`, dense chunks + BM25, fused);
* title: the topic's cosine to each paper's title embedding;
* abstract: the same to title + abstract;
* prf: title + abstract, with the topic vector moved toward the centroid of its first five papers;
* rrf: reciprocal-rank fusion of hybrid, title and abstract.

It tells how far choosing papers by ranking can go with the bundled embedding model, whatever comes after.
Writes a table to stdout and everything to bench/results/review_ranking.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.api import ResearchAssistant
from assistant.config import EVALS_DIR
from assistant.evaluation.reviews import load_reviews

_KS = (8, 12, 24, 48)
_RRF_K = 60
_PRF_PAPERS, _PRF_WEIGHT = 5, 0.7


def _recall(ranking: list[str], relevant: list[str], k: int) -> float:
    return len(set(ranking[:k]) & set(relevant)) / len(relevant)


def _fused(*rankings: list[str]) -> list[str]:
    score: dict[str, float] = {}
    for ranking in rankings:
        for rank, paper_id in enumerate(ranking):
            score[paper_id] = score.get(paper_id, 0.0) + 1.0 / (_RRF_K + rank)
    return sorted(score, key=lambda p: -score[p])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    args = parser.parse_args()
    ra = ResearchAssistant()
    papers = ra.index.papers()
    ids = sorted(papers)
    titles = ra.embedder.encode([papers[i].title for i in ids])
    abstracts = ra.embedder.encode([f"{papers[i].title}. {papers[i].text[:1000]}" for i in ids])
    results: dict[str, list[list[float]]] = {}
    for topic in load_reviews(EVALS_DIR / "daily", args.split):
        query = ra.embedder.encode([topic.topic])[0]
        hybrid = list(dict.fromkeys(hit.paper.paper_id for hit in ra.retriever.search_chunks(topic.topic, 200)))
        by_title = [ids[i] for i in np.argsort(-(titles @ query))]
        by_abstract = [ids[i] for i in np.argsort(-(abstracts @ query))]
        centroid = abstracts[np.argsort(-(abstracts @ query))[:_PRF_PAPERS]].mean(axis=0)
        prf = [ids[i] for i in np.argsort(-(abstracts @ (query + _PRF_WEIGHT * centroid)))]
        rankings = {"hybrid": hybrid, "title": by_title, "abstract": by_abstract, "prf": prf,
                    "rrf": _fused(hybrid, by_title, by_abstract)}
        for name, ranking in rankings.items():
            results.setdefault(name, []).append([_recall(ranking, topic.relevant, k) for k in _KS])
    table = {name: [round(100 * v, 1) for v in np.mean(rows, axis=0)] for name, rows in results.items()}
    print(f"| ranking ({args.split} topics) | " + " | ".join(f"first {k}" for k in _KS) + " |")
    print("|---" * (len(_KS) + 1) + "|")
    for name, values in table.items():
        print(f"| {name} | " + " | ".join(f"{v}%" for v in values) + " |")
    out = Path(__file__).resolve().parent / "results" / "review_ranking.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"split": args.split, "k": _KS, "recall_percent": table}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
