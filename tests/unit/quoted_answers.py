"""What an answer that quotes its evidence looks like, shared by the plan-path and tool-calling agent tests."""

from __future__ import annotations


def assert_quoted_answer(answer) -> None:
    """The best quote [1], and beside it at most the runner-up sentence of the same paper [2], both verbatim."""
    assert len(answer.citations) in (1, 2) and len({c.paper_id for c in answer.citations}) == 1
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert answer.answer == " ".join(f"{c.quote.rstrip('.')} [{c.n}]." for c in answer.citations)
