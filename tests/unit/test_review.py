"""Evidence-built review sentences: the authors' first person turned to the third, still passing the verifier."""

from __future__ import annotations

import re

import pytest

from assistant.evidence import EvidenceLedger
from assistant.models import Paper
from assistant.review import _contribution, third_person
from assistant.selection import Candidate
from assistant.text import sentence_spans
from assistant.verify import verify_answer

ABSTRACT = (
    "Medical vision-language models hallucinate findings that are not in the image. "
    "In this paper, we propose MMed-RAG, a versatile multimodal retrieval-augmented system that improves "
    "factual accuracy by 43.8% on five medical datasets. "
    "We then calibrate how many retrieved contexts our model reads. "
    "Our code is available at https://github.com/example/mmed-rag."
)
PAPER = Paper(paper_id="mmed-rag", title="MMed-RAG: Versatile Multimodal RAG System for Medical VLMs", abstract=ABSTRACT)


def _candidates() -> list[Candidate]:
    """Ranked as the selector might: the code link first, the contribution last."""
    found = [Candidate(PAPER, s, e, 0) for s, e in sentence_spans(PAPER.text)]
    return list(reversed(found))


@pytest.mark.parametrize(("sentence", "expected_start"), [
    ("We propose MMed-RAG, a versatile multimodal system.", "The authors of [1] propose MMed-RAG"),
    ("In this paper, we propose MMed-RAG, a system that we train on our data.", "The authors of [1] propose MMed-RAG"),
    ("Our method improves factual accuracy by 43.8%.", "Their method improves factual accuracy by 43.8% [1]."),
    ("This work introduces MMed-RAG.", "The work in [1] introduces MMed-RAG."),
    ("MMed-RAG improves accuracy by 43.8%.", "MMed-RAG improves accuracy by 43.8% [1]."),
])
def test_first_person_becomes_third(sentence, expected_start):
    rewritten = third_person(sentence, "[1]")
    assert rewritten.startswith(expected_start)
    assert not re.search(r"\b(?:we|our|We|Our)\b", rewritten)


def test_rewritten_contribution_passes_the_verifier_against_its_quote():
    ledger = EvidenceLedger()
    picked = _contribution(_candidates(), "mini-review")
    texts = []
    for candidate in picked:
        item = ledger.add(candidate.paper, candidate.start, candidate.end)
        texts.append(third_person(candidate.text, f"[{item.n}]"))
    checked = verify_answer(" ".join(texts), ledger, 0.6)
    assert checked.removed == []
    assert [k.cited for k in checked.kept] == [[1]]
    assert checked.kept[0].text.startswith("The authors of [1] propose MMed-RAG")


def test_contribution_is_the_first_we_propose_sentence_never_a_code_link_or_a_later_step():
    picked = _contribution(_candidates(), "related-work")
    assert [c.text for c in picked] == [PAPER.text[sentence_spans(PAPER.text)[1][0]:sentence_spans(PAPER.text)[1][1]]]
