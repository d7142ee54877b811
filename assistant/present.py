"""Turn results into what a person reads: an answer's verified text, references, closest papers and what was
removed; a review; a comparison's quotes; an extraction; a citation check.

The CLI and the UI both render through these functions, so an answer reads the same everywhere.
"""

from __future__ import annotations

from .models import CHECK_VERDICTS, Answer, CheckReport, Comparison, Extraction, Review

__all__ = [
    "REFERENCES_HEADING", "CLOSEST_EVIDENCE_HEADING", "CLOSEST_PAPERS_HEADING", "REMOVED_HEADING",
    "references_heading", "references_markdown", "closest_papers_markdown", "removed_markdown", "answer_to_markdown",
    "review_to_markdown", "comparison_quotes_markdown", "extraction_markdown", "check_markdown",
]

REFERENCES_HEADING = "References"
CLOSEST_EVIDENCE_HEADING = "Closest evidence (it does not state the answer)"
CLOSEST_PAPERS_HEADING = "Closest papers"
REMOVED_HEADING = "Removed by the verifier"


def references_heading(answer: Answer) -> str:
    """Quotes shown with an abstention are the closest evidence, never references of an answer."""
    return CLOSEST_EVIDENCE_HEADING if answer.abstained else REFERENCES_HEADING


def references_markdown(answer: Answer) -> str:
    return "\n".join(f"[{c.n}] {c.title} ({c.paper_id}) — “{c.quote}”" for c in answer.citations)


def closest_papers_markdown(answer: Answer) -> str:
    return "\n".join(f"- {hit.title} ({hit.paper_id}{f', {hit.year}' if hit.year else ''})"
                     for hit in answer.closest_papers)


def removed_markdown(answer: Answer) -> str:
    return "\n".join(f"- {removed.sentence} ({removed.reason})" for removed in answer.removed)


def answer_to_markdown(answer: Answer, show_removed: bool = True) -> str:
    parts = [answer.answer]
    if answer.citations:
        parts += ["", f"{references_heading(answer)}:", references_markdown(answer)]
    if answer.abstained and answer.closest_papers:
        parts += ["", f"{CLOSEST_PAPERS_HEADING}:", closest_papers_markdown(answer)]
    if show_removed and answer.removed:
        parts += ["", f"{REMOVED_HEADING}:", removed_markdown(answer)]
    return "\n".join(parts)


def review_to_markdown(review: Review) -> str:
    """The paragraphs, then every citation with its paper and the exact quote it rests on."""
    parts = [review.text]
    if review.citations:
        parts += ["", f"{REFERENCES_HEADING}:"]
        parts += [f"[{c.n}] {c.title} ({c.paper_id}) — “{c.quote}”" for c in review.citations]
    return "\n".join(parts)


def comparison_quotes_markdown(table: Comparison) -> str:
    """Each paper's filled cells with the quotes they come from, folded per paper (the table shows values only)."""
    blocks = []
    for row in table.rows:
        cells = [f"- **{name}**: {cell.value} — “{cell.quote}”" for name, cell in row.cells.items() if cell.value]
        body = "\n".join(cells) or "- no field stated"
        blocks.append(f"<details><summary>{row.title}</summary>\n\n{body}\n\n</details>")
    return "\n\n".join(blocks)


def extraction_markdown(result: Extraction) -> str:
    lines = [f"**{result.title}** ({result.paper_id})", ""]
    for name, cell in result.fields.items():
        lines.append(f"- **{name}**: {cell.value} — “{cell.quote}”" if cell.value else f"- **{name}**: not stated")
    return "\n".join(lines)


def check_markdown(report: CheckReport) -> str:
    """The totals, then each flagged sentence with its verdict, reason, hint and the cited papers' best quotes."""
    totals = report.totals
    lines = [f"**{totals.get('checked', 0)} of {totals.get('sentences', 0)} sentences checked** ({report.format}): "
             + ", ".join(f"{totals.get(v, 0)} {v.replace('_', ' ')}" for v in
                         CHECK_VERDICTS), ""]
    for sentence in report.flagged():
        keys = f" [{', '.join(sentence.keys)}]" if sentence.keys else ""
        lines.append(f"- **{sentence.verdict.replace('_', ' ')}**{keys}: “{sentence.text}” — {sentence.reason}")
        if sentence.hint:
            lines.append(f"  - {sentence.hint}")
        lines += [f"  - {quote.paper_id}: “{quote.quote}”" for quote in sentence.evidence]
    if report.suggestion:
        lines += ["", f"Not indexed: {', '.join(report.unresolved_keys)}; {report.suggestion}"]
    lines += [f"- problem: {p.file.rsplit('/', 1)[-1]}:{p.line or '?'}: {p.message}" for p in report.problems]
    return "\n".join(lines)
