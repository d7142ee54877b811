"""Turn an Answer into what a person reads: the verified text, references, closest papers, what was removed.

The CLI and the UI both render through these functions, so an answer reads the same everywhere.
"""

from __future__ import annotations

from .models import Answer, Review

__all__ = [
    "REFERENCES_HEADING", "CLOSEST_EVIDENCE_HEADING", "CLOSEST_PAPERS_HEADING", "REMOVED_HEADING",
    "references_heading", "references_markdown", "closest_papers_markdown", "removed_markdown", "answer_to_markdown", "review_to_markdown",
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
