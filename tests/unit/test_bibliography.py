"""BibTeX keys and entries, LaTeX escaping and citations: what `assistant review --format latex --bib` writes."""

from __future__ import annotations

import bibtexparser

from assistant.bibliography import bibtex_entries, citation_key, latex_citations, latex_escape
from assistant.models import Reference, Review, ReviewParagraph


def test_key_prefers_arxiv_id_then_doi_then_author_year_word():
    assert citation_key("p", "MedReason: Eliciting", arxiv_id="2504.00993", doi="10.1/x") == "2504.00993"
    assert citation_key("p", "MedReason: Eliciting", doi="10.1001/jama.2024.1") == "10.1001/jama.2024.1"
    assert citation_key("p", "The MedReason Dataset", year=2025, authors=["Juncheng Wu", "Ann Lee"]) == "wu2025medreason"
    assert citation_key("p", "A CT set", year=None, authors=[]) == "p"


def test_entries_parse_back_with_their_fields():
    text = bibtex_entries([
        {"key": "2504.00993", "title": "MedReason: 50% & more", "authors": ["Juncheng Wu", "Ann Lee"], "year": 2025,
         "arxiv_id": "2504.00993", "doi": None, "url": None},
        {"key": "lee2024ct", "title": "CT_Set", "authors": [], "year": None, "arxiv_id": None,
         "doi": "10.1/abc", "url": "https://doi.org/10.1/abc"},
    ])
    entries = {e["ID"]: e for e in bibtexparser.loads(text).entries}
    assert set(entries) == {"2504.00993", "lee2024ct"}
    assert entries["2504.00993"]["eprint"] == "2504.00993"
    assert entries["2504.00993"]["author"] == "Juncheng Wu and Ann Lee"
    assert entries["2504.00993"]["title"] == r"{MedReason: 50\% \& more}"
    assert entries["lee2024ct"]["doi"] == "10.1/abc"
    assert entries["lee2024ct"]["ENTRYTYPE"] == "article"


def test_latex_escape_keeps_what_the_paper_already_escaped():
    assert latex_escape(r"48\% vs 50% of R&D_1 {x}") == r"48\% vs 50\% of R\&D\_1 \{x\}"


def test_markers_become_cite_commands():
    keys = {1: "a2024", 2: "2504.00993"}
    assert latex_citations("Shown [1, 2]; also 5% [2].", keys) == r"Shown \cite{a2024,2504.00993}; also 5\% \cite{2504.00993}."


def test_review_exports_one_entry_per_paper_and_cites_its_keys():
    ref = dict(paper_id="medreason", title="MedReason", arxiv_id="2504.00993", year=2025)
    review = Review(
        topic="medical reasoning", text="**Data.** A [1]. B [2].",
        paragraphs=[ReviewParagraph(theme="Data & KG", text="A [1]. B [2].")],
        references=[Reference(n=1, key="2504.00993", **ref), Reference(n=2, key="2504.00993", **ref)],
    )
    assert [e["ID"] for e in bibtexparser.loads(review.bibtex()).entries] == ["2504.00993"]
    assert review.latex() == "\\paragraph{Data \\& KG} A \\cite{2504.00993}. B \\cite{2504.00993}.\n"


def test_citations_keep_the_order_markers_use():
    from assistant.citations import cited_numbers, numbers_in_order

    assert numbers_in_order("a [3, 1] b [1; 2].") == [3, 1, 2]
    assert cited_numbers("a [3, 1] b [1; 2].") == [1, 2, 3]
    assert latex_citations("x [2, 1].", {1: "a", 2: "b"}) == r"x \cite{b,a}."
