"""`assistant check` end to end: a draft's citations judged against the real index with the real embedding model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.e2e

# Written from the two abstracts: MedReason states 32,682 question-answer pairs; MMed-RAG an average improvement
# of 43.8% in the factual accuracy of Med-LVLMs.
DRAFT = """# Related work

MedReason builds a dataset of 32,682 question-answer pairs from knowledge graphs [@medreason].
MedReason contains 23,682 question-answer pairs [@medreason].
MMed-RAG reduces the factual accuracy of Med-LVLMs [@mmedrag].
MedReason contains 32,682 question-answer pairs [@mmedrag].
Retrieval augmentation is explored widely [@unknown2023].
Medical VLMs hallucinate in 45% of cases.
We propose a new method that improves accuracy by 5%.
"""
BIB = """@misc{medreason, title = {MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs},
  year = {2025}}
@article{mmedrag, title = {{MMed-RAG}: Versatile Multimodal {RAG} System for Medical Vision Language Models},
  year = {2024}}
@article{unknown2023, title = {A Survey Nobody Indexed}, year = {2023}}
"""


@pytest.fixture(scope="module")
def ids(ra) -> dict[str, str]:
    papers = ra.index.papers()
    return {"medreason": next(p for p in papers if p.startswith("medreason-")),
            "mmedrag": next(p for p in papers if p.startswith("mmed-rag-"))}


def _latex(markdown: str) -> str:
    """The same draft as a LaTeX section: pandoc keys become \\cite commands."""
    import re

    body = re.sub(r"\s*\[@(\w+)\]", r" \\cite{\1}", markdown.replace("# Related work", "\\section{Related work}"))
    return "\\documentclass{article}\n\\begin{document}\n" + body.replace("%", "\\%") + "\\end{document}\n"


@pytest.mark.parametrize("suffix", [".md", ".tex"])
def test_a_draft_gets_a_verdict_and_reason_per_sentence(ra, corpus_settings, ids, tmp_path, suffix):
    draft = tmp_path / f"draft{suffix}"
    draft.write_text(DRAFT if suffix == ".md" else _latex(DRAFT), encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    env = {"ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir)}
    args = ["check", str(draft), "--bib", str(tmp_path / "refs.bib")]
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["format"] == ("markdown" if suffix == ".md" else "latex")
    verdicts = {s["text"]: s for s in report["sentences"]}

    right = verdicts["MedReason builds a dataset of 32,682 question-answer pairs from knowledge graphs."]
    assert right["verdict"] == "supported" and right["papers"] == [ids["medreason"]]
    assert "32,682" in right["evidence"][0]["quote"]

    wrong_number = verdicts["MedReason contains 23,682 question-answer pairs."]
    assert wrong_number["verdict"] == "unsupported" and "23682" in wrong_number["reason"]

    flipped = verdicts["MMed-RAG reduces the factual accuracy of Med-LVLMs."]
    assert flipped["verdict"] == "contradicted" and "reduces" in flipped["reason"]

    neighbour = verdicts["MedReason contains 32,682 question-answer pairs."]
    assert neighbour["verdict"] == "unsupported" and neighbour["papers"] == [ids["mmedrag"]]
    assert ids["medreason"] in neighbour["supported_by"] and "[medreason]" in neighbour["hint"]

    missing = verdicts["Retrieval augmentation is explored widely."]
    assert missing["verdict"] == "not_indexed" and missing["papers"] == [None]
    assert report["unresolved_keys"] == ["unknown2023"] and "assistant ingest" in report["suggestion"]

    assert verdicts["Medical VLMs hallucinate in 45% of cases."]["verdict"] == "uncited_claim"
    assert not any(text.startswith("We propose") for text in verdicts)  # the authors' own work needs no citation
    assert report["totals"] == {"sentences": 7, "checked": 6, "supported": 1, "unsupported": 2, "contradicted": 1,
                                "not_indexed": 1, "uncited_claim": 1}

    compact = CliRunner().invoke(app, args, env=env)
    assert compact.exit_code == 0
    lines = compact.stdout.splitlines()
    assert lines[0].startswith(f"6 of 7 sentences checked ({report['format']})")
    assert sum(line.startswith(("unsupported", "contradicted", "not indexed", "uncited claim")) for line in lines) == 5


def test_an_entry_without_a_title_is_one_line_and_the_rest_is_checked(ra, corpus_settings, tmp_path):
    (tmp_path / "draft.md").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB + "@article{untitled, year = {2020}}\n", encoding="utf-8")
    env = {"ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir)}
    result = CliRunner().invoke(app, ["check", str(tmp_path / "draft.md"), "--bib", str(tmp_path / "refs.bib")],
                                env=env)
    assert result.exit_code == 0
    problems = [line for line in result.stderr.splitlines() if "untitled" in line]
    assert len(problems) == 1 and "has no title" in problems[0] and "refs.bib:" in problems[0]
    assert result.stdout.startswith("6 of 7 sentences checked")


def test_a_latex_review_checked_against_its_own_bibtex_is_all_supported(ra, tmp_path):
    review = ra.review("retrieval-augmented generation for medical AI", papers=5)
    (tmp_path / "refs.bib").write_text(review.bibtex(), encoding="utf-8")
    report = ra.check(review.latex(), bib=tmp_path / "refs.bib")
    cited = {c.paper_id for c in review.citations}
    assert report.format == "latex" and report.totals["checked"] >= 3
    assert report.flagged() == [] and report.unresolved_keys == []
    assert {p for s in report.sentences for p in s.papers} <= cited


def test_numbered_references_resolve_by_their_titles(ra, ids):
    text = ("MedReason builds a dataset of 32,682 question-answer pairs [1].\n\nReferences\n"
            "[1] J. Wu et al. MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs. 2025.\n")
    report = ra.check(text)
    assert report.format == "plain"
    assert [(s.keys, s.papers, s.verdict) for s in report.sentences] == [(["1"], [ids["medreason"]], "supported")]
