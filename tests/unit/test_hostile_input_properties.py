"""Property-based: no input crashes a loader or the manuscript citation parser, and every rejection is a clear message.

Inputs are built from the formats' own syntax (braces, keys, separators, reference lists) mixed with arbitrary text
and bytes, so the search reaches the parsers' corners rather than only their "not this format" exits.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.loaders import SUPPORTED_SUFFIXES, load_sources
from assistant.manuscript import detect_format, read_manuscript
from assistant.verify import check_support

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

FRAGMENTS = {
    ".txt": ["\n", "\n\n", "Title", "Authors: A, B", "· 3 authors", "Submitted by x", "Published on Mar 3", "Abstract",
             "Upvote 12", "AI-generated summary", "Mar 32", "2025-13-01", "ORG", "\t", "\r\n"],
    ".jsonl": ["\n", "{", "}", '"title"', '"abstract"', '"year"', ":", ",", '"x"', "null", "[]", "1e309", "-1",
               '"published": "2025-02-30"', '"authors": "a"', "\\u0000", '"'],
    ".csv": ["\n", ",", '"', "title,abstract,year", "title", "abstract", "year", "2025", "x", ";", "\r\n", '""'],
    ".bib": ["@article{", "@misc{", "}", "{", "key,", "title = {", "abstract = {", "year = {2025}", "eprint = {2501.1}",
             "doi = {10.1/x}", ",", '"', "@string{a = b}", "@comment{", "\\", "%", "\n"],
    ".pdf": ["%PDF-1.4\n", "1 0 obj", "endobj", "stream\n", "endstream", "xref", "trailer", "<<", ">>", "/Type /Page",
             "%%EOF", "\x00", "\xff"],
}


def _assembled(fragments: list[str]):
    return st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=30)), max_size=40).map("".join)


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_no_file_content_crashes_a_loader_and_every_problem_names_its_file(suffix, tmp_path_factory):
    assert suffix in FRAGMENTS, f"add syntax fragments for {suffix}"
    folder = tmp_path_factory.mktemp("prop")

    @PROPERTY
    @given(text=_assembled(FRAGMENTS[suffix]), raw=st.binary(max_size=200), as_bytes=st.booleans())
    def check(text: str, raw: bytes, as_bytes: bool) -> None:
        path = folder / f"input{suffix}"
        if as_bytes:
            path.write_bytes(text.encode("utf-8", "surrogatepass") + raw)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = load_sources([str(path)], max_line_chars=5_000, max_paper_chars=20_000)
        for problem in result.problems:
            assert Path(problem.file).name == path.name or problem.file == str(path), problem
            assert problem.message.strip() and len(problem.message) < 400, problem
            assert "Traceback" not in problem.message
        for paper in result.papers:
            assert paper.title.strip() and paper.paper_id.strip(), paper
            assert len(paper.title) + len(paper.abstract) + len(paper.full_text or "") <= 20_000

    check()


MANUSCRIPT_FRAGMENTS = [
    "\\cite{", "\\citep{", "\\citet[p.~3]{", "}", "{", ",", "key", "smith24", "\\%", "%", "$x$", "\\section{Intro}",
    "\\begin{thebibliography}{9}", "\\bibitem{a}", "\\end{thebibliography}", "\\begin{document}", "\\emph{", "[@",
    "@key", "; @other", "]", "[-@x]", "[1]", "[1, 3-5]", "[2-1]", "[99999999999]", "References", "\n\n", "\n",
    "1. ", "[3] Title of a paper. 2024.", "# Heading", "`code`", ". ", "? ", "CITEPLACEHOLDER0QQQQ", "e.g. ", "Fig. 2",
]


@PROPERTY
@given(text=_assembled(MANUSCRIPT_FRAGMENTS), chosen=st.sampled_from([None, "latex", "markdown", "plain"]))
def test_no_text_crashes_the_manuscript_citation_parser(text: str, chosen):
    manuscript = read_manuscript(text, chosen)
    assert manuscript.format == (chosen or detect_format(text))
    for sentence in manuscript.sentences:
        assert sentence.text.strip()
        assert all(isinstance(key, str) and key.strip() and key == key.strip() for key in sentence.keys)
        assert not re.search(r"CITEPLACEHOLDER\d+QQQQ", sentence.text) or "CITEPLACEHOLDER" in text
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in manuscript.references.items())


CLAIM_FRAGMENTS = ["one", "nine", "twenty-five", "a hundred", "thousand", "million", "point", "zero", "first", "5",
                   "0.5", "50%", "%", " ", " and ", ", ", "respectively", " vs ", "not", "no", "un", "caused", "NHANES",
                   "III", "-", "National Health and Nutrition", "increased", "reduced", "than"]


@PROPERTY
@given(claim=_assembled(CLAIM_FRAGMENTS), evidence=_assembled(CLAIM_FRAGMENTS))
def test_no_sentence_crashes_the_support_check(claim: str, evidence: str):
    verdict = check_support(claim, [evidence], 0.6)
    assert verdict.reason and (verdict.supported or verdict.reason != "supported")


# --- what the search found, kept as plain regressions ---------------------------------------------
def test_a_title_without_letters_or_digits_is_skipped_with_a_problem(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text('title,abstract,year\n"{",text,2024\nReal Title,text,2024\n', encoding="utf-8")
    result = load_sources([str(path)])
    assert [paper.title for paper in result.papers] == ["Real Title"]
    assert [problem.message for problem in result.problems] == [
        "entry titled '{' has no letter or digit in its title; skipped it; give it a real title"]


def test_a_manuscript_containing_the_parsers_own_marker_is_read_as_text():
    manuscript = read_manuscript("We cite CITEPLACEHOLDER0QQQQ here [1].\n\nReferences\n[1] A paper. 2024.")
    assert [(s.text, s.keys) for s in manuscript.sentences] == [("We cite CITE PLACEHOLDER0QQQQ here.", ["1"])]
