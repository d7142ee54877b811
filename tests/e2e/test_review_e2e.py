"""`review` end to end with the real embedding model, the real selector and a real Chroma index.

Every check reads the output from outside: sentences are split by the eval's own rules, citations
are resolved against the index, quotes are found in the papers' text, LaTeX citations are matched
to the BibTeX keys parsed back with bibtexparser.
"""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation.text_rules import split_sentences

pytestmark = pytest.mark.e2e

TOPIC = "reducing hallucination in medical vision-language models"
MARKER = re.compile(r"\[(\d+(?:,\s*\d+)*)\]")


@pytest.fixture(scope="module")
def review(ra):
    return ra.review(TOPIC, papers=6)


def test_every_sentence_cites_indexed_papers_whose_quotes_exist(ra, review):
    assert review.status == "success"
    papers = ra.index.papers()
    numbers = {c.n for c in review.citations}
    assert len({c.paper_id for c in review.citations}) >= 3
    assert len({c.paper_id for c in review.citations}) <= 6
    for citation in review.citations:
        assert citation.paper_id in papers
        assert citation.quote in papers[citation.paper_id].text
    for paragraph in review.paragraphs:
        for sentence in split_sentences(paragraph.text):
            cited = MARKER.findall(sentence)
            assert cited, f"sentence without a citation: {sentence}"
            assert {int(n) for group in cited for n in group.split(",")} <= numbers


def test_themes_group_the_cited_papers_and_the_text_shows_them(review):
    assert 1 <= len(review.themes) <= 4
    themed = {pid for theme in review.themes for pid in theme.paper_ids}
    assert {c.paper_id for c in review.citations} <= themed
    for paragraph in review.paragraphs:
        assert f"**{paragraph.theme}.** {paragraph.text}" in review.text
    for removed in review.removed:
        assert removed.sentence not in review.text


def test_latex_cites_exactly_the_keys_of_the_bibtex(review):
    latex = review.latex()
    assert not MARKER.search(latex)
    cited = {key for group in re.findall(r"\\cite\{([^}]*)\}", latex) for key in group.split(",")}
    entries = bibtexparser.loads(review.bibtex()).entries
    assert cited == {entry["ID"] for entry in entries}
    titles = {entry["title"].strip("{}") for entry in entries}
    assert {c.title for c in review.citations} <= {t.replace("\\&", "&").replace("\\%", "%") for t in titles}
    assert latex.count("\\paragraph{") == len(review.paragraphs)


def test_from_abstract_ends_each_theme_by_positioning_the_users_work(ra):
    abstract = ("Vision-language models for radiology often state findings that the image does not show. "
                "We propose CheckRad, a retrieval-augmented report generator that verifies every finding "
                "against similar annotated cases.")
    review = ra.review("", papers=5, from_abstract=abstract)
    assert review.status == "success"
    for paragraph in review.paragraphs:
        last = split_sentences(paragraph.text)[-1]
        assert last.startswith("Unlike [")
        assert "we propose CheckRad" in last


def test_a_topic_no_paper_is_about_cites_nothing(ra):
    review = ra.review("crop yield forecasting from satellite images of wheat fields", papers=5)
    assert review.status == "fail"
    assert review.citations == [] and review.paragraphs == []


def test_cli_writes_latex_and_a_bib_that_parses_back(ra, corpus_settings, tmp_path):
    bib = tmp_path / "refs.bib"
    env = {"ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir)}
    result = CliRunner().invoke(app, ["review", TOPIC, "--papers", "4", "--format", "latex", "--bib", str(bib)],
                                env=env)
    assert result.exit_code == 0, result.output
    keys = {entry["ID"] for entry in bibtexparser.loads(bib.read_text(encoding="utf-8")).entries}
    cited = {key for group in re.findall(r"\\cite\{([^}]*)\}", result.stdout) for key in group.split(",")}
    assert cited and cited == keys
    as_json = CliRunner().invoke(app, ["review", TOPIC, "--papers", "4", "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    dumped = json.loads(as_json.stdout)
    assert {"text", "citations", "themes", "removed", "status"} <= set(dumped)
    assert set(dumped["citations"][0]) == {"n", "paper_id", "title", "quote"}


def test_a_broad_question_gets_a_cited_overview_of_several_papers(ra):
    answer = ra.ask("What are the main approaches to reducing hallucination in medical vision-language models?")
    assert answer.status == "success" and not answer.abstained
    assert len({c.paper_id for c in answer.citations}) >= 3
    assert [s.tool for s in answer.steps] == ["review_papers"]
    numbers = {c.n for c in answer.citations}
    for paragraph in answer.answer.split("\n\n"):
        body = paragraph.split(".** ", 1)[-1]
        for sentence in split_sentences(body):
            cited = MARKER.findall(sentence)
            assert cited, f"sentence without a citation: {sentence}"
            assert {int(n) for group in cited for n in group.split(",")} <= numbers


def test_a_factoid_question_keeps_its_single_answer_path(ra):
    answer = ra.ask("How many question-answer pairs does MedReason contain?")
    assert "review_papers" not in [s.tool for s in answer.steps]
    assert "32,682" in answer.answer
