"""Evidence: exact sentences of indexed papers, numbered for citation.

The ledger hands every sentence a tool or the plan shows the model a stable
number; the verifier later checks each cited [n] against exactly that text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Evidence, Paper

__all__ = ["EvidenceLedger"]


@dataclass
class EvidenceLedger:
    """Numbers evidence in the order it is first shown; the same sentence keeps its number."""

    items: list[Evidence] = field(default_factory=list)
    papers: dict[str, Paper] = field(default_factory=dict)

    def add(self, paper: Paper, start: int, end: int, score: float = 0.0) -> Evidence:
        for item in self.items:
            if item.paper_id == paper.paper_id and item.start == start and item.end == end:
                return item
        item = Evidence(
            n=len(self.items) + 1,
            paper_id=paper.paper_id,
            title=paper.title,
            quote=paper.text[start:end],
            start=start,
            end=end,
            score=score,
        )
        self.items.append(item)
        self.papers[paper.paper_id] = paper
        return item

    def get(self, n: int) -> Evidence | None:
        return self.items[n - 1] if 1 <= n <= len(self.items) else None
