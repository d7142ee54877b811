"""Hugging Face Daily Papers dump parser, on small inline dumps in the real files' layouts."""

from __future__ import annotations

from datetime import date

from assistant.loaders import hf_daily, load_sources

HEADER = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Apr 20
"""

# Long enough (>= 300 characters) to be recognised as an abstract even without a title line.
LONG_ABSTRACT = (
    "Coral reef surveys are slow because divers annotate every frame by hand. We collect 5,120 underwater "
    "video clips from 14 reefs and train a segmentation network that labels live coral, bleached coral and "
    "sand. The network reaches 88.2% pixel accuracy and cuts annotation time per clip from 40 minutes to "
    "3 minutes, which makes yearly whole-reef surveys affordable."
)


def _dump(*entries: str) -> str:
    return HEADER + "\n" + "\n\n".join(e.strip("\n") for e in entries) + "\n"


def _parse(text: str, source: str = "010_test.txt"):
    return hf_daily.parse(text, source=source)


def test_layout_with_authors_date_and_upvotes():
    text = _dump(
        """
Quokka-Net: Counting Marsupials in Aerial Thermal Images

We present Quokka-Net, a detector that counts marsupials. It reaches 91.7% recall.

  • 4 authors
·
Mar 3, 2024 7
""",
        """
Second Paper Without Votes

Another abstract sentence here.

  • 1 author
·
Nov 12, 2022
""",
    )
    result = _parse(text)
    assert result.problems == []
    first, second = result.papers
    assert first.title == "Quokka-Net: Counting Marsupials in Aerial Thermal Images"
    assert first.paper_id == "quokka-net-counting-marsupials-in-aerial-thermal-images"
    assert first.abstract == "We present Quokka-Net, a detector that counts marsupials. It reaches 91.7% recall."
    assert first.author_count == 4
    assert first.published == date(2024, 3, 3)
    assert first.year == 2024
    assert first.upvotes == 7
    assert first.source == "010_test.txt" and first.sources == ["010_test.txt"]
    assert second.author_count == 1
    assert second.published == date(2022, 11, 12)
    assert second.upvotes is None


def test_layout_with_title_and_abstract_only():
    text = _dump(
        """
Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting

Lichen Atlas is a benchmark of 1,250 time-lapse sequences of lichen colonies.

Tidal Sonar Transformer for Estuary Mapping

Tidal Sonar Transformer maps estuary beds from side-scan sonar.
"""
    )
    result = _parse(text)
    assert result.problems == []
    assert [p.title for p in result.papers] == [
        "Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting",
        "Tidal Sonar Transformer for Estuary Mapping",
    ]
    assert result.papers[1].abstract == "Tidal Sonar Transformer maps estuary beds from side-scan sonar."
    for paper in result.papers:
        assert paper.published is None and paper.author_count is None and paper.upvotes is None


def test_header_lines_and_page_date_are_not_papers():
    result = _parse(HEADER)
    assert result.papers == [] and result.problems == []


def test_organisation_line_is_kept():
    text = _dump(
        """
Discrete Diffusion for Reef Imaging

An abstract about diffusion on reefs.

Example-Org Example University
·
Oct 7, 2025 2
"""
    )
    (paper,) = _parse(text).papers
    assert paper.organisation == "Example-Org Example University"
    assert paper.abstract == "An abstract about diffusion on reefs."
    assert paper.published == date(2025, 10, 7)
    assert paper.upvotes == 2
    assert paper.author_count is None


def test_year_less_dates_get_the_year_after_the_newest_explicit_year():
    text = _dump(
        """
Old Paper

Old abstract.

  • 2 authors
·
Dec 8, 2024

Older Paper

Older abstract.

  • 3 authors
·
May 1, 2023

Current Year Paper

Current abstract.

  • 5 authors
·
Jan 9 12
"""
    )
    papers = {p.title: p for p in _parse(text).papers}
    assert papers["Current Year Paper"].published == date(2025, 1, 9)
    assert papers["Current Year Paper"].upvotes == 12
    assert papers["Old Paper"].published == date(2024, 12, 8)
    assert papers["Older Paper"].published == date(2023, 5, 1)


def test_year_less_date_without_any_explicit_year_stays_empty():
    text = _dump("Lonely Paper\n\nAn abstract.\n\n  • 2 authors\n·\nJan 9")
    (paper,) = _parse(text).papers
    assert paper.published is None
    assert paper.author_count == 2


def test_entry_without_abstract_is_a_problem_with_its_line(tmp_path):
    text = _dump(
        """
Good Paper

Good abstract.

Title Without Abstract

  • 3 authors
·
Feb 2, 2024

Another Good Paper

Another abstract.
"""
    )
    result = hf_daily.parse(text, source="bad.txt", file="/data/bad.txt")
    assert [p.title for p in result.papers] == ["Good Paper", "Another Good Paper"]
    (problem,) = result.problems
    expected_line = text.splitlines().index("Title Without Abstract") + 1
    assert problem.line == expected_line
    assert problem.file == "/data/bad.txt"
    assert "Title Without Abstract" in problem.message
    assert str(problem).startswith(f"/data/bad.txt:{expected_line}: ")


def test_title_less_abstract_takes_the_title_of_its_twin_in_another_file(tmp_path):
    titled = tmp_path / "001_titled.txt"
    untitled = tmp_path / "002_untitled.txt"
    titled.write_text(_dump(f"Reef Segmentation at Scale\n\n{LONG_ABSTRACT}\n\n  • 6 authors\n·\nJun 2, 2024 4"))
    # the title line is missing; the abstract follows the previous entry's date directly
    untitled.write_text(
        _dump(f"First Paper\n\nFirst abstract.\n\n  • 2 authors\n·\nMay 5, 2024\n\n{LONG_ABSTRACT}\n\n  • 6 authors\n·\nJun 2, 2024 9")
    )
    raw = hf_daily.parse(untitled.read_text(), source=untitled.name)
    assert [p.title for p in raw.papers] == ["First Paper", ""]

    result = load_sources([str(untitled), str(titled)])
    assert result.problems == []
    papers = {p.paper_id: p for p in result.papers}
    assert set(papers) == {"first-paper", "reef-segmentation-at-scale"}
    reef = papers["reef-segmentation-at-scale"]
    assert reef.title == "Reef Segmentation at Scale"
    assert sorted(reef.sources) == ["001_titled.txt", "002_untitled.txt"]
    assert reef.upvotes == 9  # the higher count of the two listings
    assert reef.author_count == 6


def test_title_less_abstract_without_twin_is_titled_from_its_words_and_reported(tmp_path):
    path = tmp_path / "003_alone.txt"
    path.write_text(_dump(f"First Paper\n\nFirst abstract.\n\n  • 2 authors\n·\nMay 5, 2024\n\n{LONG_ABSTRACT}"))
    result = load_sources([str(path)])
    assert len(result.papers) == 2
    untitled = next(p for p in result.papers if p.paper_id != "first-paper")
    assert untitled.title.startswith("Coral reef surveys are slow")
    assert untitled.paper_id and untitled.paper_id.startswith("coral-reef-surveys-are-slow")
    assert any("without a title line" in p.message for p in result.problems)


def test_same_paper_in_two_files_is_merged_and_gaps_filled(tmp_path):
    with_meta = tmp_path / "000_meta.txt"
    title_only = tmp_path / "003_plain.txt"
    with_meta.write_text(_dump("Shared Paper\n\nShared abstract text.\n\n  • 15 authors\n·\nApr 1, 2025"))
    title_only.write_text(_dump("Shared Paper\n\nShared abstract text.\n\nOther Paper\n\nOther abstract."))
    result = load_sources([str(title_only), str(with_meta)])
    assert result.problems == []
    papers = {p.paper_id: p for p in result.papers}
    assert len(papers) == 2
    shared = papers["shared-paper"]
    assert shared.author_count == 15
    assert shared.published == date(2025, 4, 1)
    assert shared.sources == ["003_plain.txt", "000_meta.txt"]


def test_non_utf8_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(_dump("Caf\xe9 Paper\n\nAbstract.").encode("latin-1"))
    result = hf_daily.load(path)
    assert result.papers == []
    assert len(result.problems) == 1 and "UTF-8" in result.problems[0].message
