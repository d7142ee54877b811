"""The review suite: does a related-work section find the papers a researcher would cite, and only say what they say?

Each gold topic (`evals/daily/reviews.jsonl`) lists the papers picked by hand, before the
review code was tuned, as the ones a related-work section on it should cite. Scored from outside:

* relevant recall: share of those papers the review cites (with at most `papers` cited);
* precision: share of cited papers that are on the list;
* uncited sentences: sentences of the text (split by the eval's own rules) without a marker;
* citations outside the index: a cited paper that is not indexed, or a quote not in its text;
* unsupported sentences shown: sentences the independent lexical judge finds unsupported by
  the quotes they cite;
* beside it, dense top-k: the first k distinct papers of plain embedding search, for k = 8,
  12 and the number of papers the review cited (same budget).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from ..citations import cited_numbers, strip_markers
from .gold import read_jsonl
from .judges import LexicalJudge
from .report import write_suite_json
from .text_rules import split_sentences

__all__ = ["ReviewItem", "load_reviews", "run_reviews", "write_review_report"]

_BASELINE_K = (8, 12)


class ReviewItem(BaseModel):
    id: str
    split: Literal["dev", "test"]
    topic: str
    relevant: list[str]


def load_reviews(evals_dir: Path, split: str = "all", limit: int | None = None) -> list[ReviewItem]:
    path = evals_dir / "reviews.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: this corpus has no review topics")
    return [r for r in read_jsonl(path, ReviewItem) if split in ("all", r.split)][:limit]


def _dense_papers(ra, topic: str, k: int) -> list[str]:
    """The first k distinct papers of plain embedding search: the baseline a reader gets without the review."""
    vector = ra.embedder.encode([topic])[0]
    found: list[str] = []
    for chunk, _ in ra.index.query(vector, k * 6, None):
        if chunk.paper_id not in found:
            found.append(chunk.paper_id)
    return found[:k]


def _score(item: ReviewItem, review, papers: dict, judge: LexicalJudge) -> dict:
    cited = list(dict.fromkeys(c.paper_id for c in review.citations))
    relevant = set(item.relevant)
    quotes = {c.n: c.quote for c in review.citations}
    sentences = [s for p in review.paragraphs for s in split_sentences(p.text)]
    uncited, unsupported = [], []
    for sentence in sentences:
        numbers = cited_numbers(sentence)
        if not numbers:
            uncited.append(sentence)
            continue
        if not judge.supports(strip_markers(sentence), [quotes[n] for n in numbers if n in quotes]):
            unsupported.append(sentence)
    outside = [c.paper_id for c in review.citations
               if c.paper_id not in papers or c.quote not in papers[c.paper_id].text]
    return {
        "cited": cited,
        "relevant_cited": sorted(relevant & set(cited)),
        "relevant_recall": len(relevant & set(cited)) / len(relevant),
        "precision": len(relevant & set(cited)) / len(cited) if cited else None,
        "sentences": len(sentences),
        "uncited_sentences": uncited,
        "unsupported_sentences": unsupported,
        "citations_outside_index": outside,
    }


def run_reviews(ra, items: list[ReviewItem], papers_per_review: int = 12, on_item=None) -> dict:
    """Review every topic, score it, and score dense top-k beside it."""
    indexed = ra.index.papers()
    judge = LexicalJudge()
    rows = []
    for item in items:
        started = time.perf_counter()
        review = ra.review(item.topic, papers=papers_per_review)
        seconds = time.perf_counter() - started
        row = {"id": item.id, "split": item.split, "topic": item.topic, "relevant": item.relevant,
               "status": review.status, "seconds": seconds, "themes": [t.model_dump() for t in review.themes],
               "text": review.text, **_score(item, review, indexed, judge)}
        relevant = set(item.relevant)
        budgets = (*_BASELINE_K, len(row["cited"]))
        ranked = _dense_papers(ra, item.topic, max(budgets))  # one search; each budget reads its first k
        for k in budgets:
            row[f"dense_top{k}_recall"] = len(relevant & set(ranked[:k])) / len(relevant)
        row["dense_same_budget_recall"] = row[f"dense_top{len(row['cited'])}_recall"]
        rows.append(row)
        if on_item:
            on_item(row)
    return {"items": rows, "summary": _summarise(rows)}


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _summarise(rows: list[dict]) -> dict:
    return {
        "topics": len(rows),
        "relevant_recall": _mean([r["relevant_recall"] for r in rows]),
        "precision": _mean([r["precision"] for r in rows]),
        "cited_papers_max": max((len(r["cited"]) for r in rows), default=0),
        "dense_top8_recall": _mean([r["dense_top8_recall"] for r in rows]),
        "dense_top12_recall": _mean([r["dense_top12_recall"] for r in rows]),
        "dense_same_budget_recall": _mean([r["dense_same_budget_recall"] for r in rows]),
        "uncited_sentences": sum(len(r["uncited_sentences"]) for r in rows),
        "unsupported_sentences_shown": sum(len(r["unsupported_sentences"]) for r in rows),
        "citations_outside_index": sum(len(r["citations_outside_index"]) for r in rows),
        "sentences": sum(r["sentences"] for r in rows),
        "seconds_per_review": _mean([r["seconds"] for r in rows]),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def write_review_report(out_dir: Path, result: dict, meta: dict) -> Path:
    """reviews.json (everything) and reviews.md (the table a reader compares runs by)."""
    write_suite_json(out_dir, "reviews", result, meta)
    s = result["summary"]
    lines = [
        f"# Review suite — {meta.get('corpus')} {meta.get('split')} ({s['topics']} topics)", "",
        "Scored from outside: sentences split by the eval's own rules, support by the independent lexical judge.", "",
        "| metric | review | dense top-8 | dense top-12 | dense, same number of papers |", "|---|---|---|---|---|",
        f"| relevant papers cited (recall) | {_pct(s['relevant_recall'])} | {_pct(s['dense_top8_recall'])} | "
        f"{_pct(s['dense_top12_recall'])} | {_pct(s['dense_same_budget_recall'])} |",
        f"| cited papers on the list (precision) | {_pct(s['precision'])} | | | |", "",
        f"- most papers cited by one review: {s['cited_papers_max']}",
        f"- sentences: {s['sentences']}; without a citation: {s['uncited_sentences']}; "
        f"unsupported (lexical judge): {s['unsupported_sentences_shown']}; "
        f"citations outside the index: {s['citations_outside_index']}",
        f"- seconds per review: {s['seconds_per_review']:.1f}" if s["seconds_per_review"] is not None else "", "",
        "| topic | split | recall | precision | cited | dense same budget |", "|---|---|---|---|---|---|",
    ]
    lines += [f"| {r['topic']} | {r['split']} | {_pct(r['relevant_recall'])} | {_pct(r['precision'])} | "
              f"{len(r['cited'])} | {_pct(r['dense_same_budget_recall'])} |" for r in result["items"]]
    path = out_dir / "reviews.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
