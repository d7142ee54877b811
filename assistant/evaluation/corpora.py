"""The corpora the eval runs on, each with its own index and gold folder.

* `daily`: the bundled Daily Papers corpus, gold in `evals/daily/` (the fresh
  set, written before any output was read; its test split stays sealed).
* `daily-v1`: the same corpus with the team's first gold set (`evals/*.jsonl`),
  read while tuning, so a regression check, not an estimate.
* `pubmedqa`: the PubMedQA development items (clinical yes/no research
  questions). A quarter of the papers is withheld from the index, so their
  questions test abstention on papers that are not there; gold is generated
  from the source file (`python -m assistant.evaluation.corpora pubmedqa`).

A paper's split (dev/test) follows from a hash of its id, so every question
about one paper lands on the same side.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import BUNDLED_CORPUS, PROJECT_ROOT, Settings
from ..text import split_sentences
from .gold import EVALS_DIR

__all__ = [
    "EvalCorpus", "CORPORA", "corpus_named", "split_of", "pubmedqa_withheld", "pubmedqa_papers",
    "pubmedqa_gold", "DEFAULT_PUBMEDQA",
]

DEFAULT_PUBMEDQA = PROJECT_ROOT.parent / "shared" / "corpus" / "pubmedqa-dev" / "pubmedqa_dev.jsonl"


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def split_of(paper_or_item_id: str) -> str:
    """dev or test, by paper: every question about one paper is on the same side."""
    return "test" if _hash(f"split:{paper_or_item_id}") % 2 else "dev"


def pubmedqa_withheld(pmid: str) -> bool:
    """A quarter of the PubMedQA papers is never indexed: their questions must be abstained on."""
    return _hash(pmid) % 4 == 0


@dataclass(frozen=True)
class EvalCorpus:
    name: str
    gold_dir: Path
    description: str

    def settings_for(self, settings: Settings, source: Path | None = None) -> Settings:
        """Settings whose index holds this corpus (built on first use, in its own folder)."""
        if self.name in ("daily", "daily-v1"):
            return settings.model_copy(update={"default_corpus": BUNDLED_CORPUS})
        papers_file = _write_pubmedqa_papers(source or DEFAULT_PUBMEDQA, settings.index_dir)
        return settings.model_copy(update={
            "index_dir": settings.index_dir.parent / f"{settings.index_dir.name}-pubmedqa",
            "collection": f"{settings.collection}-pubmedqa",
            "default_corpus": papers_file,
        })


CORPORA = {
    "daily": EvalCorpus("daily", EVALS_DIR / "daily", "bundled Daily Papers corpus, fresh gold set"),
    "daily-v1": EvalCorpus("daily-v1", EVALS_DIR, "bundled Daily Papers corpus, first gold set (read while tuning)"),
    "pubmedqa": EvalCorpus("pubmedqa", EVALS_DIR / "pubmedqa", "PubMedQA dev items, a quarter of papers withheld"),
}


def corpus_named(name: str) -> EvalCorpus:
    if name not in CORPORA:
        raise ValueError(f"unknown corpus '{name}': choose from {', '.join(CORPORA)}")
    return CORPORA[name]


# --- PubMedQA -----------------------------------------------------------------------------------
def _read_source(source: Path) -> list[dict]:
    if not source.is_file():
        raise FileNotFoundError(f"PubMedQA file {source} not found")
    return [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]


def _abstract(item: dict) -> str:
    return " ".join([*item["contexts"], item["conclusion"]])


def pubmedqa_papers(source: Path = DEFAULT_PUBMEDQA) -> list[dict]:
    """Indexed papers as JSONL rows of the product's own input format; the items carry no titles."""
    return [
        {"paper_id": f"pubmed-{item['pmid']}", "title": f"PubMed {item['pmid']}", "abstract": _abstract(item),
         "year": int(item["year"]) if str(item.get("year", "")).isdigit() else None}
        for item in _read_source(source) if not pubmedqa_withheld(item["pmid"])
    ]


def _write_pubmedqa_papers(source: Path, index_dir: Path) -> Path:
    """The indexed papers as a JSONL file the ordinary ingest reads (rewritten only when they change)."""
    rows = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in pubmedqa_papers(source))
    path = index_dir.parent / f"{index_dir.name}-pubmedqa-papers" / "pubmedqa_indexed.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != rows:
        path.write_text(rows, encoding="utf-8")
    return path


def pubmedqa_gold(source: Path = DEFAULT_PUBMEDQA) -> tuple[list[dict], list[dict]]:
    """(facts, unanswerable) rows: the dataset's own questions; withheld papers make unanswerable ones.

    A fact's `evidence` is its results and conclusion sentences (the finding), `decision` the experts'
    yes/no/maybe.
    """
    facts, unanswerable = [], []
    for item in _read_source(source):
        paper_id = f"pubmed-{item['pmid']}"
        if pubmedqa_withheld(item["pmid"]):
            unanswerable.append({
                "id": f"p-unans-h-{item['pmid']}", "question": item["question"], "kind": "not_in_corpus",
                "near_paper_id": None, "why": "the paper that studies this is withheld from the index",
                "split": split_of(paper_id),
            })
            continue
        results = [text for text, label in zip(item["contexts"], item["labels"], strict=False)
                   if "RESULT" in label.upper() or "FINDING" in label.upper()]
        facts.append({
            "id": f"p-fact-{item['pmid']}", "question": item["question"], "kind": "yes_no", "answers": [],
            "decision": item["final_decision"], "evidence": split_sentences(item["conclusion"]),
            "findings": [s for text in results for s in split_sentences(text)],
            "paper_id": paper_id, "title": f"PubMed {item['pmid']}", "split": split_of(paper_id),
        })
    return facts, unanswerable


def _write_pubmedqa_gold(source: Path) -> None:
    facts, unanswerable = pubmedqa_gold(source)
    out = CORPORA["pubmedqa"].gold_dir
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("facts.jsonl", facts), ("unanswerable.jsonl", unanswerable)):
        (out / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(facts)} facts, {len(unanswerable)} unanswerable -> {out}")


if __name__ == "__main__":
    if sys.argv[1:2] != ["pubmedqa"]:
        sys.exit("usage: python -m assistant.evaluation.corpora pubmedqa [PUBMEDQA_JSONL]")
    _write_pubmedqa_gold(Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_PUBMEDQA)
