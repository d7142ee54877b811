"""The check suite: does `assistant check` flag flawed citations with the right verdict, and leave faithful ones?

Gold (`evals/{daily,pubmedqa}/check.jsonl`): sentences written for this suite about indexed papers, each citing
papers by id (or an outside title, `external:...`), labelled `faithful`, `wrong_number`, `overclaim` (a system,
dataset or study design the paper does not state), `swapped_citation` (a faithful sentence cited to another
paper), `reversed` (a finding stated the wrong way round) or `not_indexed`, with the verdict each should get.
Each sentence is checked on its own as a Markdown paragraph with pandoc keys, resolved through a BibTeX file
the suite writes from the cited papers' titles, so key resolution is tested too. Scored from outside:

* flawed sentences flagged with the right verdict (the bar: >= 90%), and flagged at all;
* faithful sentences flagged (the bar: <= 10%);
* per label, the verdicts given.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from .gold import gold_files, read_jsonl
from .report import write_suite_json

__all__ = ["CheckItem", "load_checks", "run_checks", "write_check_report"]

Label = Literal["faithful", "wrong_number", "overclaim", "swapped_citation", "reversed", "not_indexed"]


class CheckItem(BaseModel):
    id: str
    split: Literal["dev", "test"]
    about: str
    sentence: str
    cites: list[str]
    label: Label
    verdict: Literal["supported", "unsupported", "contradicted", "not_indexed"]
    gold_file: str = ""


def load_checks(evals_dir: Path, split: str = "all", limit: int | None = None) -> list[CheckItem]:
    """Every batch (`check.jsonl`, `check_s12.jsonl`, ...) of the chosen split; each item knows its file."""
    paths = gold_files(evals_dir, "check")
    if not paths:
        raise FileNotFoundError(
            f"{evals_dir / 'check.jsonl'} does not exist: this corpus has no labelled citation checks")
    items = [r.model_copy(update={"gold_file": path.stem}) for path in paths for r in read_jsonl(path, CheckItem)]
    return [r for r in items if split in ("all", r.split)][:limit]


def _bibtex(cites: list[str], papers: dict) -> tuple[str, dict[str, str]]:
    """One entry per cited paper, keyed c1, c2, ...; indexed papers by title (and arXiv id or DOI when known)."""
    keys, entries = {}, []
    for cite in dict.fromkeys(cites):
        key = keys[cite] = f"c{len(keys) + 1}"
        paper = papers.get(cite)
        title = cite.removeprefix("external:") if paper is None else paper.title
        fields = [f"title = {{{title}}}"]
        if paper is not None and paper.arxiv_id:
            fields.append(f"eprint = {{{paper.arxiv_id}}}")
        if paper is not None and paper.doi:
            fields.append(f"doi = {{{paper.doi}}}")
        entries.append(f"@article{{{key},\n  " + ",\n  ".join(fields) + "\n}")
    return "\n\n".join(entries) + "\n", keys


def run_checks(ra, items: list[CheckItem], on_item=None) -> dict:
    papers = ra.index.papers()
    bib, keys = _bibtex([c for item in items for c in item.cites], papers)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        bib_path = Path(folder) / "refs.bib"
        bib_path.write_text(bib, encoding="utf-8")
        for item in items:
            cited = "; ".join(f"@{keys[c]}" for c in item.cites)
            text = f"{item.sentence.rstrip('.')} [{cited}]."
            started = time.perf_counter()
            report = ra.check(text, bib=bib_path, format="markdown")
            seconds = time.perf_counter() - started
            found = report.sentences[0] if len(report.sentences) == 1 else None
            rows.append({"id": item.id, "split": item.split, "gold_file": item.gold_file, "label": item.label,
                         "sentence": item.sentence,
                         "expected": item.verdict, "verdict": found.verdict if found else "not_one_sentence",
                         "reason": found.reason if found else "", "hint": found.hint if found else None,
                         "seconds": seconds})
            if on_item:
                on_item(rows[-1])
    by_batch = {}
    for row in rows:
        by_batch.setdefault(f"{row['gold_file']} / {row['split']}", []).append(row)
    summary = _summarise(rows) | {"by_gold_file": {k: _summarise(v) for k, v in sorted(by_batch.items())}}
    return {"items": rows, "summary": summary}


def _summarise(rows: list[dict]) -> dict:
    flawed = [r for r in rows if r["label"] != "faithful"]
    faithful = [r for r in rows if r["label"] == "faithful"]
    per_label = {}
    for row in rows:
        stats = per_label.setdefault(row["label"], {"n": 0, "right_verdict": 0, "verdicts": Counter()})
        stats["n"] += 1
        stats["right_verdict"] += row["verdict"] == row["expected"]
        stats["verdicts"][row["verdict"]] += 1
    for stats in per_label.values():
        stats["verdicts"] = dict(stats["verdicts"])
    return {
        "sentences": len(rows),
        "flawed": len(flawed),
        "flawed_right_verdict": sum(r["verdict"] == r["expected"] for r in flawed) / len(flawed) if flawed else None,
        "flawed_flagged": sum(r["verdict"] != "supported" for r in flawed) / len(flawed) if flawed else None,
        "faithful": len(faithful),
        "faithful_flagged": sum(r["verdict"] != "supported" for r in faithful) / len(faithful) if faithful else None,
        "per_label": per_label,
        "seconds_per_sentence": sum(r["seconds"] for r in rows) / len(rows) if rows else None,
    }


def write_check_report(out_dir: Path, result: dict, meta: dict) -> Path:
    write_suite_json(out_dir, "check", result, meta)
    s = result["summary"]

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.1f}%"

    lines = [f"# Check suite — {meta.get('corpus')} {meta.get('split')} ({s['sentences']} cited sentences)", "",
             f"- flawed sentences flagged with the right verdict: {pct(s['flawed_right_verdict'])} of {s['flawed']} "
             f"(bar: >= 90%); flagged at all: {pct(s['flawed_flagged'])}",
             f"- faithful sentences flagged: {pct(s['faithful_flagged'])} of {s['faithful']} (bar: <= 10%)", "",
             "| label | n | right verdict | verdicts given |", "|---|---|---|---|"]
    for label, stats in s["per_label"].items():
        given = ", ".join(f"{v} {n}" for v, n in sorted(stats["verdicts"].items()))
        lines.append(f"| {label} | {stats['n']} | {stats['right_verdict']} | {given} |")
    lines += ["", "Each batch of gold sentences on its own (a batch's test split is an estimate until it is read):", "",
              "| gold file / split | flawed, right verdict | faithful flagged |", "|---|---|---|"]
    for batch, part in s.get("by_gold_file", {}).items():
        lines.append(f"| {batch} | {pct(part['flawed_right_verdict'])} of {part['flawed']} "
                     f"| {pct(part['faithful_flagged'])} of {part['faithful']} |")
    path = out_dir / "check.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
