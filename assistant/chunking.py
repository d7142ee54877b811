"""Split a paper's text into sentence-aligned chunks that fit the embedding window.

Chunks never cut a sentence (a sentence longer than the window becomes its own
chunk and is truncated only by the encoder), so every evidence quote is a
whole sentence with exact offsets.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Chunk, Paper
from .text import sentence_spans

__all__ = ["chunk_paper"]


def chunk_paper(
    paper: Paper,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    text = paper.text
    spans = sentence_spans(text)
    if not spans:
        return []
    sizes = [count_tokens(text[s:e]) for s, e in spans]
    chunks: list[Chunk] = []
    first = 0
    while first < len(spans):
        last = first
        used = sizes[first]
        while last + 1 < len(spans) and used + sizes[last + 1] <= max_tokens:
            last += 1
            used += sizes[last]
        members = spans[first : last + 1]
        start, end = members[0][0], members[-1][1]
        chunks.append(
            Chunk(
                chunk_id=f"{paper.paper_id}:{len(chunks)}",
                paper_id=paper.paper_id,
                position=len(chunks),
                text=text[start:end],
                start=start,
                end=end,
                sentence_spans=list(members),
            )
        )
        if last + 1 >= len(spans):
            break
        first = max(last + 1 - overlap_sentences, first + 1)
    return chunks
