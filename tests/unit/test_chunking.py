"""Sentence-aligned chunking with a fake (word-count) tokenizer: no model needed."""

from __future__ import annotations

import pytest

from assistant.chunking import chunk_paper
from assistant.models import Paper
from assistant.text import sentence_spans


def words(text: str) -> int:
    return len(text.split())


def make_paper(sentences: list[str], full_text: bool = False) -> Paper:
    body = " ".join(sentences)
    return Paper(
        paper_id="p1",
        title="A Paper",
        abstract="" if full_text else body,
        full_text=body if full_text else None,
    )


SENTENCES = [
    "Medical image segmentation is hard because labels are scarce.",  # 9 words
    "We collect 32,682 annotated slices from 7 hospitals, e.g. CT and MRI.",  # 12
    "Smith et al. reported a 1.43% gain with a similar design.",  # 10
    "Our model is small.",  # 4
    "It trains in one hour on a single GPU and runs on a laptop.",  # 14
    "Code and weights are released.",  # 5
    "Future work covers ultrasound and histology slides at higher resolution.",  # 10
]


@pytest.mark.parametrize("max_tokens", [10, 15, 20, 30, 1000])
@pytest.mark.parametrize("overlap", [0, 1, 2])
def test_chunks_are_whole_sentences_and_offsets_map_back(max_tokens, overlap):
    paper = make_paper(SENTENCES)
    text = paper.text
    all_spans = sentence_spans(text)
    assert len(all_spans) == len(SENTENCES)  # the fixture sentences split as written
    chunks = chunk_paper(paper, words, max_tokens, overlap)
    assert chunks
    for position, chunk in enumerate(chunks):
        assert chunk.position == position
        assert chunk.chunk_id == f"p1:{position}"
        assert chunk.paper_id == "p1"
        assert text[chunk.start : chunk.end] == chunk.text
        # every sentence span is one of the paper's sentences, in order, contiguous
        first = all_spans.index(chunk.sentence_spans[0])
        assert chunk.sentence_spans == all_spans[first : first + len(chunk.sentence_spans)]
        assert chunk.start == chunk.sentence_spans[0][0]
        assert chunk.end == chunk.sentence_spans[-1][1]
        for s, e in chunk.sentence_spans:
            assert text[s:e] in SENTENCES


@pytest.mark.parametrize("max_tokens", [10, 15, 20, 30])
def test_chunks_respect_the_token_budget(max_tokens):
    paper = make_paper(SENTENCES)
    for chunk in chunk_paper(paper, words, max_tokens, overlap_sentences=1):
        if len(chunk.sentence_spans) > 1:
            assert words(chunk.text) <= max_tokens
        else:
            # a single sentence longer than the budget is its own chunk, never cut
            assert chunk.text in SENTENCES


def test_chunks_are_greedy_up_to_the_budget():
    paper = make_paper(SENTENCES)
    chunks = chunk_paper(paper, words, 25, overlap_sentences=0)
    # 9+12=21 (+10 would be 31); 10+4=14 (+14 = 28); 14+5=19 (+10 = 29); 10
    assert [len(c.sentence_spans) for c in chunks] == [2, 2, 2, 1]


def test_every_sentence_is_covered_in_order():
    paper = make_paper(SENTENCES)
    chunks = chunk_paper(paper, words, 20, overlap_sentences=1)
    covered = []
    for chunk in chunks:
        for span in chunk.sentence_spans:
            if span not in covered:
                covered.append(span)
    assert covered == sentence_spans(paper.text)


@pytest.mark.parametrize("overlap", [1, 2])
def test_consecutive_chunks_share_the_overlap_sentences(overlap):
    paper = make_paper(SENTENCES)
    chunks = chunk_paper(paper, words, 30, overlap_sentences=overlap)
    assert len(chunks) >= 2
    for previous, following in zip(chunks, chunks[1:]):
        shared = [span for span in following.sentence_spans if span in previous.sentence_spans]
        expected = min(overlap, len(previous.sentence_spans) - 1)
        assert shared == previous.sentence_spans[len(previous.sentence_spans) - expected :]
        # progress: each chunk starts later than the one before
        assert following.start > previous.start


def test_no_overlap_means_disjoint_chunks():
    paper = make_paper(SENTENCES)
    chunks = chunk_paper(paper, words, 20, overlap_sentences=0)
    for previous, following in zip(chunks, chunks[1:]):
        assert previous.end <= following.start


def test_oversized_sentence_is_kept_whole_and_chunking_terminates():
    long = "This sentence " + "keeps going " * 50 + "until it ends."
    paper = make_paper(["Short one.", long, "Last one."])
    chunks = chunk_paper(paper, words, 10, overlap_sentences=3)
    assert long in [c.text for c in chunks]
    assert chunks[-1].text.endswith("Last one.")
    assert len(chunks) <= 3 * 3  # overlap never stalls progress


def test_full_text_is_chunked_instead_of_abstract():
    paper = make_paper(SENTENCES, full_text=True).model_copy(update={"abstract": "Only the abstract."})
    chunks = chunk_paper(paper, words, 1000, 0)
    assert len(chunks) == 1
    assert chunks[0].text == " ".join(SENTENCES)


def test_empty_text_gives_no_chunks():
    assert chunk_paper(Paper(paper_id="e", title="Empty"), words, 100) == []


def test_offsets_hold_with_irregular_whitespace():
    paper = Paper(paper_id="w", title="W", abstract="First  sentence here.\n\nSecond   one is here.   Third.")
    chunks = chunk_paper(paper, words, 4, overlap_sentences=0)
    assert [c.text for c in chunks] == ["First  sentence here.", "Second   one is here.", "Third."]
    for chunk in chunks:
        assert paper.text[chunk.start : chunk.end] == chunk.text
