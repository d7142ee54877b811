"""Typed loaders for the hand-checked gold files in evals/ (see evals/README.md).

Facts and unanswerable questions become one `EvalItem` shape so the runner and
every metric treat both suites alike; the suite decides what "correct" means.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError, model_validator

from ..config import EVALS_DIR

__all__ = [
    "EVALS_DIR", "FactItem", "UnanswerableItem", "SupportPair", "EvalItem", "batch_of", "gold_files", "load_items",
    "load_support_pairs", "read_jsonl", "sealed_batch",
]

Split = Literal["dev", "test"]
Suite = Literal["facts", "unanswerable"]


class FactItem(BaseModel):
    """A question with a known answer. The first gold set has `style`; later sets name the `kind` of question.

    `evidence` lists exact sentences that state the answer (for yes/no questions, the finding); `findings`
    further sentences that also settle it; `decision` the yes/no/maybe a yes/no question has.
    """

    id: str
    question: str
    answers: list[str] = []
    paper_id: str
    title: str
    style: Literal["named", "described"] | None = None
    kind: Literal["described", "which_system", "number", "method", "yes_no"] | None = None
    decision: Literal["yes", "no", "maybe"] | None = None
    evidence: list[str] = []
    findings: list[str] = []
    split: Split

    @model_validator(mode="after")
    def _has_a_kind(self):
        if (self.style or self.kind) is None:
            raise ValueError("a fact needs a 'style' or a 'kind'")
        if not self.answers and not self.evidence:
            raise ValueError("a fact needs accepted 'answers' or 'evidence' sentences")
        return self


class UnanswerableItem(BaseModel):
    id: str
    question: str
    kind: Literal["near_miss", "wrong_detail", "false_premise", "not_in_corpus"]
    near_paper_id: str | None
    why: str
    split: Split


class SupportPair(BaseModel):
    id: str
    sentence: str
    evidence: str
    label: Literal["supported", "unsupported", "contradicted"]
    note: str
    corpus: Literal["daily", "pubmedqa"] = "daily"
    split: Literal["dev", "test"] | None = None  # None: the first 40 pairs, read while the checker was written


class EvalItem(BaseModel):
    """One question of either suite; `answers`/`paper_id` are empty for unanswerable ones."""

    id: str
    suite: Suite
    question: str
    split: Split
    kind: str  # fact style or kind (named, described, number, yes_no, ...) or unanswerable kind
    answers: list[str] = []
    paper_id: str | None = None
    decision: str | None = None
    evidence: list[str] = []
    gold_file: str = ""  # the file's stem: each batch of gold questions is reported on its own

    @property
    def answerable(self) -> bool:
        return self.suite == "facts"


def read_jsonl(path: Path, model: type[BaseModel]) -> list:
    """Every line as `model`; a bad line is a ValueError naming the file, line and field."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "line"
            raise ValueError(f"{path}:{number}: field '{field}': {first['msg']}") from None
    return rows


def gold_files(evals_dir: Path, kind: str) -> list[Path]:
    """`kind.jsonl` and its later batches (`kind_s12.jsonl`, ...), in name order.

    Each batch is written at once before any output on it is read, so a batch's test split stays an honest
    estimate even after an earlier batch's test split has been read.
    """
    return sorted(evals_dir.glob(f"{kind}.jsonl")) + sorted(evals_dir.glob(f"{kind}_*.jsonl"))


def batch_of(gold_file: str) -> str:
    """The batch a gold file (its stem) was written in: "s12" for `facts_s12`, "first" for the unsuffixed files
    and the files added to them (`unanswerable_written`)."""
    suffix = gold_file.split("_", 1)[1] if "_" in gold_file else ""
    return suffix if re.fullmatch(r"s\d+", suffix) else "first"


def sealed_batch(evals_dir: Path) -> str:
    """The newest batch of a gold folder ("s19"; "first" when it has no later batch). Its test split stays sealed
    until its one run at the end of the session that wrote it; every older batch's test split has been run and
    read, so it is no longer a test and may be fitted on."""
    return max(_batches(evals_dir), key=lambda b: 0 if b == "first" else int(b[1:]), default="first")


def _batches(evals_dir: Path) -> set[str]:
    """Every batch (`batch_of`) that has a facts or unanswerable file in the folder."""
    return {batch_of(path.stem) for kind in ("facts", "unanswerable") for path in gold_files(evals_dir, kind)}


def load_items(
    suite: str = "all", split: str = "all", limit: int | None = None, evals_dir: Path = EVALS_DIR,
    batch: str | None = None,
) -> list[EvalItem]:
    """Items of the chosen suite(s), split and batch (`batch_of`; None: every batch), in file order; `limit`
    applies per suite."""
    if suite not in ("facts", "unanswerable", "all") or split not in ("dev", "test", "all"):
        raise ValueError(f"unknown suite '{suite}' or split '{split}'")
    if batch is not None:
        batches = _batches(evals_dir)
        if batch not in batches:
            raise ValueError(f"unknown batch '{batch}' in {evals_dir}: choose from {', '.join(sorted(batches))}")
    items: list[EvalItem] = []
    if suite in ("facts", "all"):
        facts = [
            EvalItem(id=f.id, suite="facts", question=f.question, split=f.split, kind=f.kind or f.style,
                     answers=f.answers, paper_id=f.paper_id, decision=f.decision, evidence=f.evidence + f.findings,
                     gold_file=path.stem)
            for path in gold_files(evals_dir, "facts") if batch in (None, batch_of(path.stem))
            for f in read_jsonl(path, FactItem) if split in ("all", f.split)
        ]
        items += facts[:limit]
    if suite in ("unanswerable", "all"):
        unanswerable = [
            EvalItem(id=u.id, suite="unanswerable", question=u.question, split=u.split, kind=u.kind,
                     paper_id=u.near_paper_id, gold_file=path.stem)
            for path in gold_files(evals_dir, "unanswerable") if batch in (None, batch_of(path.stem))
            for u in read_jsonl(path, UnanswerableItem) if split in ("all", u.split)
        ]
        items += unanswerable[:limit]
    return items


def load_support_pairs(evals_dir: Path = EVALS_DIR) -> list[SupportPair]:
    return read_jsonl(evals_dir / "support_pairs.jsonl", SupportPair)
