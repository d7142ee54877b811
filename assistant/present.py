"""Turn an Answer into what a person reads: the verified text, references, and what was removed."""

from __future__ import annotations

from .models import Answer

__all__ = ["answer_to_markdown", "references_markdown"]


def references_markdown(answer: Answer) -> str:
    lines = [f"[{c.n}] {c.title} ({c.paper_id}) — “{c.quote}”" for c in answer.citations]
    return "\n".join(lines)


def answer_to_markdown(answer: Answer, show_removed: bool = True) -> str:
    parts = [answer.answer]
    if answer.citations:
        heading = "Closest evidence (it does not state the answer):" if answer.abstained else "References:"
        parts += ["", heading, references_markdown(answer)]
    if answer.abstained and answer.closest_papers:
        parts += ["", "Closest papers:"] + [f"- {hit.title} ({hit.paper_id})" for hit in answer.closest_papers]
    if show_removed and answer.removed:
        parts += ["", "Removed by the verifier:"] + [f"- {r.sentence} ({r.reason})" for r in answer.removed]
    return "\n".join(parts)
