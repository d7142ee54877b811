"""The real bundled corpus: five HF Daily Papers dumps, two layouts, many duplicates."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from assistant.config import BUNDLED_CORPUS
from assistant.loaders import hf_daily, load_sources
from assistant.text import slugify

pytestmark = pytest.mark.e2e

FILES = sorted(BUNDLED_CORPUS.glob("*.txt"))
TITLE_ONLY_FILE = next(f for f in FILES if f.name.startswith("003_"))


@pytest.fixture(scope="module")
def corpus():
    return load_sources([str(BUNDLED_CORPUS)])


def test_five_files_are_bundled():
    assert len(FILES) == 5


def test_unique_paper_count_and_no_problems(corpus):
    assert corpus.problems == []
    assert len(corpus.papers) == 246
    ids = [p.paper_id for p in corpus.papers]
    assert len(set(ids)) == len(ids)


def test_duplicates_are_merged_across_files(corpus):
    per_file = [hf_daily.load(f) for f in FILES]
    listed = sum(len(r.papers) for r in per_file)
    assert listed > len(corpus.papers)  # the dumps overlap
    # every unique title of every file is in the merged set, exactly once
    merged_ids = {p.paper_id for p in corpus.papers}
    assert {p.paper_id for r in per_file for p in r.papers} == merged_ids
    # a paper's sources name exactly the files it was listed in
    listed_in: dict[str, set[str]] = {}
    for file, result in zip(FILES, per_file):
        for paper in result.papers:
            listed_in.setdefault(paper.paper_id, set()).add(file.name)
    for paper in corpus.papers:
        assert set(paper.sources) == listed_in[paper.paper_id]
        assert paper.source == paper.sources[0]
    assert max(len(p.sources) for p in corpus.papers) >= 3


def test_every_paper_has_title_and_abstract(corpus):
    for paper in corpus.papers:
        assert paper.title and paper.abstract
        assert paper.paper_id == slugify(paper.title)
        assert len(paper.abstract) > 100


def test_title_only_layout_file():
    result = hf_daily.load(TITLE_ONLY_FILE)
    assert result.problems == []
    assert len(result.papers) >= 60
    for paper in result.papers:
        assert paper.published is None
        assert paper.author_count is None
        assert paper.upvotes is None
    titles = {p.title for p in result.papers}
    assert "MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs" in titles


def test_layout_with_metadata_lines():
    result = hf_daily.load(BUNDLED_CORPUS / "000_157e864a4636f26b.txt")
    assert result.problems == []
    papers = {p.title: p for p in result.papers}
    first = papers["Autoregressive Models in Vision: A Survey"]
    assert first.author_count == 20
    assert first.published == date(2024, 11, 8)
    assert first.upvotes == 2
    assert first.abstract.startswith("Autoregressive modeling has been a huge success")
    assert sum(p.author_count is not None for p in result.papers) > len(result.papers) * 0.8


def test_organisation_lines_are_read():
    result = hf_daily.load(BUNDLED_CORPUS / "002_ee5f7820eede9115.txt")
    orgs = {p.title: p.organisation for p in result.papers if p.organisation}
    assert orgs["Discrete Diffusion Models with MLLMs for Unified Medical Multimodal Generation"] == "UCSC-VLAA UCSC-VLAA"
    # an organisation line never ends up as a title
    assert not any(p.title.startswith("UCSC-VLAA") for p in result.papers)


def test_merge_fills_metadata_from_the_richer_layout(corpus):
    medreason = next(p for p in corpus.papers if p.title.startswith("MedReason:"))
    assert {"001_69c3464d40c3bd0a.txt", TITLE_ONLY_FILE.name} <= set(medreason.sources)
    assert medreason.author_count == 15
    assert medreason.published == date(2025, 4, 1)
    assert "32,682 question-answer pairs" in medreason.abstract


def test_years_are_plausible(corpus):
    years = Counter(p.year for p in corpus.papers)
    dated = [y for y in years if y is not None]
    assert min(dated) >= 2015
    # year-less listing dates are inferred as the year after the newest explicit year of their file
    assert max(dated) <= 2026
    assert sum(n for y, n in years.items() if y is not None) > 150
