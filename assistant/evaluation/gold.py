"""Typed loaders for the hand-checked gold files in evals/ (see evals/README.md).

Facts and unanswerable questions become one `EvalItem` shape so the runner and
every metric treat both suites alike; the suite decides what "correct" means.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from ..config import PROJECT_ROOT

__all__ = ["EVALS_DIR", "FactItem", "UnanswerableItem", "SupportPair", "EvalItem", "load_items", "load_support_pairs"]

EVALS_DIR = PROJECT_ROOT / "evals"
Split = Literal["dev", "test"]
Suite = Literal["facts", "unanswerable"]


class FactItem(BaseModel):
    id: str
    question: str
    answers: list[str]
    paper_id: str
    title: str
    style: Literal["named", "described"]
    split: Split


class UnanswerableItem(BaseModel):
    id: str
    question: str
    kind: Literal["near_miss", "wrong_detail", "not_in_corpus"]
    near_paper_id: str | None
    why: str
    split: Split


class SupportPair(BaseModel):
    id: str
    sentence: str
    evidence: str
    label: Literal["supported", "unsupported", "contradicted"]
    note: str


class EvalItem(BaseModel):
    """One question of either suite; `answers`/`paper_id` are empty for unanswerable ones."""

    id: str
    suite: Suite
    question: str
    split: Split
    kind: str  # fact style (named/described) or unanswerable kind
    answers: list[str] = []
    paper_id: str | None = None

    @property
    def answerable(self) -> bool:
        return self.suite == "facts"


def _read_jsonl(path: Path, model: type[BaseModel]) -> list:
    return [model.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_items(
    suite: str = "all", split: str = "all", limit: int | None = None, evals_dir: Path = EVALS_DIR
) -> list[EvalItem]:
    """Items of the chosen suite(s) and split, in file order; `limit` applies per suite."""
    if suite not in ("facts", "unanswerable", "all") or split not in ("dev", "test", "all"):
        raise ValueError(f"unknown suite '{suite}' or split '{split}'")
    items: list[EvalItem] = []
    if suite in ("facts", "all"):
        facts = [
            EvalItem(id=f.id, suite="facts", question=f.question, split=f.split, kind=f.style,
                     answers=f.answers, paper_id=f.paper_id)
            for f in _read_jsonl(evals_dir / "facts.jsonl", FactItem) if split in ("all", f.split)
        ]
        items += facts[:limit]
    if suite in ("unanswerable", "all"):
        unanswerable = [
            EvalItem(id=u.id, suite="unanswerable", question=u.question, split=u.split, kind=u.kind,
                     paper_id=u.near_paper_id)
            for u in _read_jsonl(evals_dir / "unanswerable.jsonl", UnanswerableItem) if split in ("all", u.split)
        ]
        items += unanswerable[:limit]
    return items


def load_support_pairs(evals_dir: Path = EVALS_DIR) -> list[SupportPair]:
    return _read_jsonl(evals_dir / "support_pairs.jsonl", SupportPair)
