"""Citation keys resolved to indexed papers, and which uncited sentences are claims."""

from __future__ import annotations

import pytest

from assistant.check import KeyResolver, _is_claim
from assistant.models import Paper

MEDREASON = Paper(paper_id="2504.00993", arxiv_id="2504.00993", title="MedReason: Eliciting Factual Medical "
                  "Reasoning Steps in LLMs via Knowledge Graphs", authors=["Juncheng Wu"])
TRIAL = Paper(paper_id="aspirin-after-stroke", title="Aspirin after Stroke: A Randomised Trial", doi="10.1000/xyz.1",
              authors=["Ann Lee"])
INDEXED = {p.paper_id: p for p in (MEDREASON, TRIAL)}


def test_bibtex_entries_resolve_by_arxiv_id_doi_then_title():
    bib = {"wu25": Paper(paper_id="x", arxiv_id="2504.00993", title="Another spelling of the title"),
           "lee": Paper(paper_id="y", doi="10.1000/XYZ.1", title="Aspirin"),
           "titled": Paper(paper_id="z", title="aspirin after stroke - a randomised trial"),
           "absent": Paper(paper_id="w", title="A Paper Nobody Indexed")}
    resolver = KeyResolver(INDEXED, bib, {})
    assert [resolver.resolve(k)[0] for k in ("wu25", "lee", "titled")] == ["2504.00993", "aspirin-after-stroke",
                                                                          "aspirin-after-stroke"]
    paper_id, why = resolver.resolve("absent")
    assert paper_id is None and "A Paper Nobody Indexed" in why and "not indexed" in why
    assert resolver.resolve("typo")[0] is None and "not in the BibTeX file" in resolver.resolve("typo")[1]
    assert resolver.key_of("2504.00993") == "wu25"  # a hint names the user's own key


def test_numbered_references_resolve_by_their_text():
    references = {"1": "J. Wu et al. MedReason. arXiv preprint arXiv:2504.00993, 2025.",
                  "2": "A. Lee. Aspirin after stroke: a randomised trial. Lancet 2020.",
                  "3": "Someone. A title we do not have. 2021."}
    resolver = KeyResolver(INDEXED, None, references)
    assert [resolver.resolve(k)[0] for k in ("1", "2", "3")] == ["2504.00993", "aspirin-after-stroke", None]


def test_without_a_bibtex_file_keys_may_be_ids_or_the_keys_review_writes():
    resolver = KeyResolver(INDEXED, None, {})
    assert resolver.resolve("2504.00993")[0] == "2504.00993"
    assert resolver.resolve("10.1000/xyz.1")[0] == "aspirin-after-stroke"
    assert resolver.resolve("aspirin-after-stroke")[0] == "aspirin-after-stroke"
    assert "pass --bib" in resolver.resolve("smith2020")[1]
    assert resolver.key_of("aspirin-after-stroke") == "10.1000/xyz.1"


@pytest.mark.parametrize("sentence, claim", [
    ("Medical VLMs hallucinate in 45% of cases.", True),
    ("Retrieval augmentation significantly reduces hallucination.", True),
    ("We improve accuracy by 5% over our baseline.", False),  # the authors' own work
    ("The field has grown since 2019.", False),  # a year is no claim
    ("Section 2 reviews prior work, as Fig. 3 shows.", False),  # pointers into the text
    ("Retrieval augmentation is a popular idea.", False),
])
def test_uncited_claims_state_numbers_or_findings(sentence, claim):
    assert _is_claim(sentence) is claim
