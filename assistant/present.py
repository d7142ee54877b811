"""Turn results into what a person reads: an answer's verified text, references, closest papers and what was
removed; a review; a comparison's quotes; an extraction; a citation check.

The CLI and the UI both render through these functions, so an answer reads the same everywhere.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import PurePath

from .citations import MARKER
from .models import CHECK_VERDICTS, Answer, CheckReport, Citation, Comparison, Extraction, Paper, Review

__all__ = [
    "REFERENCES_HEADING", "CLOSEST_EVIDENCE_HEADING", "CLOSEST_PAPERS_HEADING", "REMOVED_HEADING",
    "references_heading", "references_markdown", "closest_papers_markdown", "removed_markdown", "answer_to_markdown",
    "review_to_markdown", "comparison_quotes_markdown", "extraction_markdown", "check_markdown", "STATUS_LABELS",
    "status_label", "linked_markers", "unlinked_markers", "citation_cards_html",
]

REFERENCES_HEADING = "References"
CLOSEST_EVIDENCE_HEADING = "Closest evidence (it does not state the answer)"
CLOSEST_PAPERS_HEADING = "Closest papers"
REMOVED_HEADING = "Removed by the verifier"
STATUS_LABELS = {"unsure": "❔ Unsure", "fail": "🚫 Not answered"}
_CARD_LINK = re.compile(r'<a class="ra-cite" href="#[^"]*">(\d+)</a>')


def status_label(answer: Answer) -> str | None:
    """'Unsure' or 'Not answered' for an answer that is not a plain success, so it is never read as one."""
    return STATUS_LABELS.get(answer.status)


def linked_markers(text: str, anchor: str) -> str:
    """`[1, 2]` -> links to the citation cards `{anchor}-1` and `{anchor}-2` (the web UI opens the card)."""
    def link(match: re.Match) -> str:
        numbers = re.split(r"\s*[,;]\s*", match.group(1))
        return "[" + ", ".join(f'<a class="ra-cite" href="#{anchor}-{n}">{n}</a>' for n in numbers) + "]"

    return MARKER.sub(link, text)


def unlinked_markers(text: str) -> str:
    """The inverse of `linked_markers`: plain `[1]` markers again (what the agent reads as history)."""
    return _CARD_LINK.sub(r"\1", text)


def _highlighted(abstract: str, quote: str) -> str:
    """The abstract with the quote marked; a quote from the full text is shown marked above the abstract."""
    at = abstract.find(quote) if quote else -1
    if at < 0:
        marked = f"<mark>{escape(quote)}</mark>" if quote else ""
        return marked + (f"<br><br>{escape(abstract)}" if abstract else "")
    end = at + len(quote)
    return f"{escape(abstract[:at])}<mark>{escape(quote)}</mark>{escape(abstract[end:])}"


def citation_cards_html(citations: list[Citation], papers: dict[str, Paper], anchor: str) -> str:
    """One folded card per citation: title and year, id and source, the abstract with the exact quote marked.

    Paper text is escaped: it is shown as data, never as markup. Each card is one line, so Markdown leaves it as
    a single HTML block.
    """
    cards = []
    for citation in citations:
        paper = papers.get(citation.paper_id)
        year = f" ({paper.year})" if paper and paper.year else ""
        source = PurePath(paper.source).name if paper and paper.source else ""  # a file name, never a server path
        where = " · ".join(escape(part) for part in (citation.paper_id, source) if part)
        body = _highlighted(paper.abstract if paper else "", citation.quote)
        cards.append(f'<details class="ra-card" id="{anchor}-{citation.n}"><summary>[{citation.n}] '
                     f'{escape(citation.title)}{year}</summary><p class="ra-card-meta">{where}</p>'
                     f'<blockquote>{body}</blockquote></details>')
    return "\n\n".join(cards)


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


def check_markdown(report: CheckReport, mark: bool = False) -> str:
    """The totals, then each flagged sentence with its verdict, reason, hint and the cited papers' best quotes.

    `mark` highlights each flagged sentence (HTML `<mark>`, for the web UI)."""
    totals = report.totals
    lines = [f"**{totals.get('checked', 0)} of {totals.get('sentences', 0)} sentences checked** ({report.format}): "
             + ", ".join(f"{totals.get(v, 0)} {v.replace('_', ' ')}" for v in
                         CHECK_VERDICTS), ""]
    for sentence in report.flagged():
        keys = f" [{', '.join(sentence.keys)}]" if sentence.keys else ""
        text = f"<mark>{escape(sentence.text)}</mark>" if mark else f"“{sentence.text}”"
        lines.append(f"- **{sentence.verdict.replace('_', ' ')}**{keys}: {text} — {sentence.reason}")
        if sentence.hint:
            lines.append(f"  - {sentence.hint}")
        lines += [f"  - {quote.paper_id}: “{quote.quote}”" for quote in sentence.evidence]
    if report.suggestion:
        lines += ["", f"Not indexed: {', '.join(report.unresolved_keys)}; {report.suggestion}"]
    lines += [f"- problem: {p.file.rsplit('/', 1)[-1]}:{p.line or '?'}: {p.message}" for p in report.problems]
    return "\n".join(lines)
