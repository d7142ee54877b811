"""File-format loaders: parsed fields, every bad-input rule, and arXiv without the network."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import requests

from assistant.errors import OfflineError
from assistant.loaders import arxiv_source, bibtex, load_sources, pdf, tabular

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal valid PDF whose pages hold the given lines in Helvetica (pypdf cannot add text)."""
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    contents = []
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 72 760 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
        stream = b"\n".join([*ops, b"ET"])
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        contents.append(len(objects))
    pages_id = len(objects) + len(pages) + 1
    kids = []
    for content in contents:
        objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 1 0 R >> >> >>" % (pages_id, content))
        kids.append(len(objects))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    trailer = b"/Root %d 0 R" % len(objects)
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
        trailer += b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


RAG_PDF_PAGES = [
    [
        "arXiv:2005.11401v4  [cs.CL]  12 Apr 2021",
        "Retrieval-Augmented   Generation for Knowledge-Intensive NLP Tasks",
        "Patrick Lewis, Ethan Perez",
        "Abstract",
        "Large pre-trained   language models store factual knowledge.",
        "We combine them with a dense retriever.",
        "1 Introduction",
        "Pre-trained neural language models learn a lot.",
    ],
    ["2 Methods", "We explore RAG models in detail."],
]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- JSONL -----------------------------------------------------------------

GOOD_JSONL = '{"title": "Good Paper One", "abstract": "First."}'
GOOD_JSONL_2 = '{"title": "Good Paper Two", "abstract": "Second."}'


def test_jsonl_happy_path_parses_every_field():
    result = tabular.load_jsonl(FIXTURES / "papers.jsonl")

    assert result.problems == []
    attention, tiny = result.papers
    assert attention.paper_id == "1706.03762"
    assert attention.arxiv_id == "1706.03762"
    assert attention.title == "Attention Is All You Need"
    assert attention.abstract.startswith("The dominant sequence transduction models")
    assert attention.authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert attention.author_count == 2
    assert attention.published == date(2017, 1, 1)
    assert attention.organisation == "Google"
    assert attention.upvotes == 120
    assert attention.url == "https://arxiv.org/abs/1706.03762"
    assert attention.source == "papers.jsonl" and attention.sources == ["papers.jsonl"]
    assert tiny.title == "Less is More: Recursive Reasoning with Tiny Networks"
    assert tiny.paper_id == "less-is-more-recursive-reasoning-with-tiny-networks"
    assert tiny.authors == ["Alexia Jolicoeur-Martineau", "Another Author"]
    assert tiny.published == date(2025, 10, 6)
    assert tiny.doi == "10.48550/arXiv.2510.04871"
    assert tiny.arxiv_id is None and tiny.upvotes is None


def test_jsonl_malformed_line_is_reported_and_rest_loads(tmp_path):
    path = write(tmp_path, "p.jsonl", f'{GOOD_JSONL}\n{{"title": "Broken" "abstract": "x"}}\n{GOOD_JSONL_2}\n')

    result = tabular.load_jsonl(path)

    assert [p.title for p in result.papers] == ["Good Paper One", "Good Paper Two"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert "not valid JSON" in problem.message
    assert "Expecting ','" in problem.message
    assert "one JSON object per line" in problem.message


def test_jsonl_line_that_is_not_an_object(tmp_path):
    path = write(tmp_path, "p.jsonl", f'["Title", "Abstract"]\n{GOOD_JSONL}\n')

    result = tabular.load_jsonl(path)

    assert [p.title for p in result.papers] == ["Good Paper One"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 1)
    assert "a list, not a JSON object" in problem.message


@pytest.mark.parametrize(
    ("bad_line", "word"),
    [
        ('{"abstract": "No title here."}', "missing field 'title'"),
        ('{"title": "   ", "abstract": "Blank title."}', "empty field 'title'"),
        ('{"title": 42}', "field 'title' is 42, not text"),
    ],
)
def test_jsonl_missing_or_empty_title(tmp_path, bad_line, word):
    path = write(tmp_path, "p.jsonl", f"{GOOD_JSONL}\n\n{bad_line}\n{GOOD_JSONL_2}\n")

    result = tabular.load_jsonl(path)

    assert [p.title for p in result.papers] == ["Good Paper One", "Good Paper Two"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert word in problem.message
    assert "add the title" in problem.message


@pytest.mark.parametrize(
    ("field_json", "field", "expected"),
    [
        ('"year": "abc"', "year", "whole number"),
        ('"year": 20245', "year", "four-digit year"),
        ('"published": "06/10/2025"', "published", "YYYY-MM-DD"),
        ('"upvotes": "many"', "upvotes", "whole number"),
        ('"authors": 3', "authors", "list of names"),
        ('"abstract": ["not", "text"]', "abstract", "expected text"),
        ('"arxiv_id": "not-an-id"', "arxiv_id", "arXiv id"),
    ],
)
def test_jsonl_wrong_field_type_keeps_paper_and_names_field(tmp_path, field_json, field, expected):
    path = write(tmp_path, "p.jsonl", f'{GOOD_JSONL}\n{{"title": "Typed Wrong", {field_json}}}\n')

    result = tabular.load_jsonl(path)

    assert [p.title for p in result.papers] == ["Good Paper One", "Typed Wrong"]
    kept = result.papers[1]
    assert kept.published is None and kept.upvotes is None and kept.authors == [] and kept.arxiv_id is None
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert f"field '{field}'" in problem.message
    assert expected in problem.message


def test_jsonl_non_utf8_line_reports_byte_offset(tmp_path):
    bad = '{"title": "Caf\u00e9 paper"}'.encode("cp1252")
    path = write(tmp_path, "p.jsonl", GOOD_JSONL.encode() + b"\n" + bad + b"\n" + GOOD_JSONL_2.encode() + b"\n")

    result = tabular.load_jsonl(path)

    assert [p.title for p in result.papers] == ["Good Paper One", "Good Paper Two"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 2)
    offset = len(GOOD_JSONL) + 1 + bad.index(b"\xe9")
    assert f"byte offset {offset}" in problem.message
    assert "save the file as UTF-8" in problem.message


# --- CSV -------------------------------------------------------------------

def test_csv_happy_path_parses_every_field():
    result = tabular.load_csv(FIXTURES / "papers.csv")

    assert result.problems == []
    rag, cot = result.papers
    assert rag.paper_id == "2005.11401" and rag.arxiv_id == "2005.11401"
    assert rag.title == "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks"
    assert rag.abstract.endswith("achieve state-of-the-art results when fine-tuned.")
    assert rag.authors == ["Patrick Lewis", "Ethan Perez"]
    assert rag.published == date(2020, 1, 1)
    assert rag.organisation == "Meta AI"
    assert rag.upvotes == 55
    assert rag.doi is None
    assert rag.source == "papers.csv" and rag.sources == ["papers.csv"]
    assert cot.paper_id == "chain-of-thought-prompting-elicits-reasoning-in-large-language-models"
    assert cot.abstract == ("We explore how generating a chain of thought, a series of intermediate "
                            "reasoning steps, significantly improves reasoning.")
    assert cot.upvotes is None and cot.url is None
    assert cot.doi == "10.5555/cot"


def test_csv_without_title_column_is_one_problem_naming_columns(tmp_path):
    path = write(tmp_path, "p.csv", "name,summary,year\nA paper,Text,2020\nB paper,Text,2021\n")

    result = tabular.load_csv(path)

    assert result.papers == []
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 1)
    assert "no 'title' column" in problem.message
    assert "'name', 'summary', 'year'" in problem.message


def test_csv_empty_title_row_line_counts_multiline_cells(tmp_path):
    path = write(tmp_path, "p.csv", 'Title,Abstract\nFirst,"spans\ntwo lines"\n,orphan abstract\nLast,fine\n')

    result = tabular.load_csv(path)

    assert [p.title for p in result.papers] == ["First", "Last"]
    assert result.papers[0].abstract == "spans two lines"
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 4)
    assert "empty field 'title'" in problem.message


def test_csv_wrong_field_type_names_field_and_expectation(tmp_path):
    path = write(tmp_path, "p.csv", "title,year,upvotes\nGood,2020,3\nBad year,abc,4\n")

    result = tabular.load_csv(path)

    assert [(p.title, p.published) for p in result.papers] == [("Good", date(2020, 1, 1)), ("Bad year", None)]
    assert result.papers[1].upvotes == 4
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert "field 'year' is \"abc\"" in problem.message
    assert "whole number such as 2024" in problem.message


def test_csv_non_utf8_row_reports_byte_offset(tmp_path):
    content = "title,abstract\nGood,ok\nCaf\u00e9,accents\nAlso good,ok\n,no title\n".encode("cp1252")
    path = write(tmp_path, "p.csv", content)
    offset = content.index(b"\xe9")

    result = tabular.load_csv(path)

    assert [p.title for p in result.papers] == ["Good", "Also good"]
    encoding, later = result.problems
    assert (encoding.file, encoding.line) == (str(path), 3)
    assert f"byte offset {offset}" in encoding.message
    assert "UTF-8" in encoding.message
    assert later.line == 5  # rows after the undecodable one keep their real line numbers


def test_csv_row_with_extra_values_points_at_quoting(tmp_path):
    path = write(tmp_path, "p.csv", "title,abstract\nGood,ok\nBad,one, two\n")

    result = tabular.load_csv(path)

    assert [p.title for p in result.papers] == ["Good"]
    (problem,) = result.problems
    assert problem.line == 3
    assert "3 values but the header has 2 columns" in problem.message
    assert "double quotes" in problem.message


# --- BibTeX ----------------------------------------------------------------

def test_bibtex_happy_path_parses_every_field():
    result = bibtex.load(FIXTURES / "papers.bib")

    assert result.problems == []
    attention, rag, cafe = result.papers
    assert attention.paper_id == attention.arxiv_id == "1706.03762"
    assert attention.title == "Attention Is All You Need"
    assert attention.authors == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert attention.published == date(2017, 1, 1)
    assert attention.abstract == ("The dominant sequence transduction models are based on complex "
                                  "recurrent or convolutional neural networks.")
    assert attention.url == "https://arxiv.org/abs/1706.03762"
    assert attention.source == "papers.bib" and attention.sources == ["papers.bib"]
    assert rag.title == "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks"
    assert rag.arxiv_id == "2005.11401"  # from Google Scholar's "arXiv preprint arXiv:..." journal
    assert rag.authors == ["Patrick Lewis", "Ethan Perez"]
    assert cafe.title == "Café Models for LaTeX Documents"
    assert cafe.authors == ["Jörg Müller"]
    assert cafe.doi == "10.1000/cafe.2021"
    assert cafe.paper_id == "cafe-models-for-latex-documents"


def test_bibtex_entry_without_title_names_line_and_key(tmp_path):
    path = write(tmp_path, "refs.bib", (
        "@article{good1,\n  title = {Good One},\n  year = 2020\n}\n\n"
        "@misc{untitled2019,\n  author = {Doe, Jane},\n  year = 2019\n}\n"
        "@article{good2, title = {Good Two}}\n"
    ))

    result = bibtex.load(path)

    assert [p.title for p in result.papers] == ["Good One", "Good Two"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 6)
    assert "'untitled2019'" in problem.message and "no title" in problem.message


def test_bibtex_unparseable_entry_is_reported_not_dropped(tmp_path):
    path = write(tmp_path, "refs.bib", (
        "@article{good1, title = {Good One}}\n"
        "@misc{broken2020,\n  title = {Never closed\n  year = 2020,\n}\n"
        "@article{good2, title = {Good Two}}\n"
    ))

    result = bibtex.load(path)

    assert [p.title for p in result.papers] == ["Good One", "Good Two"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert "'broken2020' could not be read" in problem.message


def test_bibtex_bad_year_keeps_entry_without_date(tmp_path):
    path = write(tmp_path, "refs.bib", "\n@article{odd, title = {Odd Year}, year = {forthcoming}}\n")

    result = bibtex.load(path)

    assert [(p.title, p.published) for p in result.papers] == [("Odd Year", None)]
    (problem,) = result.problems
    assert problem.line == 2
    assert "field 'year' is \"forthcoming\"" in problem.message and "four-digit year" in problem.message


def test_bibtex_non_utf8_file(tmp_path):
    content = "@article{a, title = {Good}}\n@article{b, title = {Caf\u00e9}}\n".encode("latin-1")
    path = write(tmp_path, "refs.bib", content)

    offset = content.index(b"\xe9")

    result = bibtex.load(path)

    assert result.papers == []
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert f"byte offset {offset}" in problem.message and "save the file as UTF-8" in problem.message


# --- PDF -------------------------------------------------------------------

def test_pdf_happy_path_reads_title_abstract_text_and_arxiv_stamp(tmp_path):
    path = write(tmp_path, "rag.pdf", make_pdf(RAG_PDF_PAGES, title="RAG for Knowledge-Intensive NLP"))

    result = pdf.load(path)

    assert result.problems == []
    (paper,) = result.papers
    assert paper.title == "RAG for Knowledge-Intensive NLP"
    assert paper.abstract == "Large pre-trained language models store factual knowledge. We combine them with a dense retriever."
    assert paper.paper_id == paper.arxiv_id == "2005.11401"
    assert paper.url == "https://arxiv.org/abs/2005.11401"
    assert "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks\n" in paper.full_text
    assert "Large pre-trained language models store factual knowledge.\n" in paper.full_text
    assert paper.full_text.endswith("learn a lot.\n\n2 Methods\nWe explore RAG models in detail.")
    assert paper.source == "rag.pdf" and paper.sources == ["rag.pdf"]


@pytest.mark.parametrize("metadata_title", [None, "Microsoft Word - draft3.docx", "main"])
def test_pdf_without_useful_metadata_uses_first_line_and_opening_text(tmp_path, metadata_title):
    body = "Word " * 400
    path = write(tmp_path, "draft.pdf", make_pdf(
        [["Published as a conference paper at ICLR 2024", "Sparse   Tiny Experts", body.strip()]], title=metadata_title))

    (paper,) = pdf.load(path).papers

    assert paper.title == "Sparse Tiny Experts"
    assert paper.paper_id == "sparse-tiny-experts"
    assert paper.arxiv_id is None
    assert paper.abstract.startswith("Published as a conference paper at ICLR 2024 Sparse Tiny Experts Word")
    assert paper.abstract.endswith("…") and len(paper.abstract) <= 1501


def test_pdf_without_text_asks_for_ocr(tmp_path):
    path = write(tmp_path, "scan.pdf", make_pdf([[], []]))

    result = pdf.load(path)

    assert result.papers == []
    (problem,) = result.problems
    assert problem.file == str(path)
    assert "no extractable text (scanned PDF?); run OCR first" in problem.message


@pytest.mark.parametrize("content", [b"%PDF-1.4\nthis is not really a pdf", make_pdf([["Cut short"]])[:150]])
def test_corrupt_pdf_is_a_problem_not_an_exception(tmp_path, content):
    path = write(tmp_path, "broken.pdf", content)

    result = pdf.load(path)

    assert result.papers == []
    (problem,) = result.problems
    assert problem.file == str(path)
    assert "cannot read this PDF" in problem.message and "download it again" in problem.message


# --- arXiv -----------------------------------------------------------------

class FakeArxiv:
    """Stands in for the HTTP call the arxiv client makes; records what was asked."""

    def __init__(self, *, body: bytes = b"", status: int = 200, error: Exception | None = None):
        self.body, self.status, self.error = body, status, error
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, method, url, **kwargs):  # set on the class, so it is not bound to the session
        self.calls.append((url, kwargs))
        if self.error is not None:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.url = url
        return response


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any HTTP request a test did not fake fails the test instead of reaching the internet."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the real network")
    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(arxiv_source, "DELAY_SECONDS", 0.0)


def fake_arxiv(monkeypatch, **kwargs) -> FakeArxiv:
    fake = FakeArxiv(**kwargs)
    monkeypatch.setattr(requests.Session, "request", fake)
    return fake


def test_arxiv_ids_from_recorded_feed(monkeypatch):
    fake = fake_arxiv(monkeypatch, body=(FIXTURES / "arxiv_feed.xml").read_bytes())

    result = arxiv_source.load_ids(["1706.03762", "https://arxiv.org/abs/2005.11401v4", "arXiv:1706.03762v7"])

    assert result.problems == []
    attention, rag = result.papers
    assert attention.paper_id == attention.arxiv_id == "1706.03762"
    assert attention.title == "Attention Is All You Need"
    assert attention.abstract.startswith("The dominant sequence transduction models are based on complex recurrent or convolutional")
    assert "\n" not in attention.abstract
    assert attention.authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert attention.published == date(2017, 6, 12)
    assert attention.url == "https://arxiv.org/abs/1706.03762"
    assert attention.source == "arxiv" and attention.sources == ["arxiv"]
    assert rag.doi == "10.5555/rag.2020"
    (url, kwargs), = fake.calls
    assert "id_list=1706.03762%2C2005.11401" in url
    assert kwargs["timeout"] == arxiv_source.TIMEOUT_SECONDS


def test_arxiv_query_from_recorded_feed(monkeypatch):
    fake = fake_arxiv(monkeypatch, body=(FIXTURES / "arxiv_feed.xml").read_bytes())

    result = arxiv_source.load_query("retrieval augmented generation", max_results=2)

    assert [p.paper_id for p in result.papers] == ["1706.03762", "2005.11401"]
    assert "search_query=retrieval+augmented+generation" in fake.calls[0][0]
    assert "max_results=2" in fake.calls[0][0]


def test_arxiv_id_missing_from_response_is_a_problem(monkeypatch):
    fake_arxiv(monkeypatch, body=(FIXTURES / "arxiv_feed.xml").read_bytes())

    result = arxiv_source.load_ids(["1706.03762", "2005.11401", "2401.99999"])

    assert len(result.papers) == 2
    (problem,) = result.problems
    assert problem.file == "arxiv" and "no paper 2401.99999" in problem.message


def test_malformed_arxiv_ids_are_problems_without_a_request(monkeypatch):
    fake = fake_arxiv(monkeypatch, body=(FIXTURES / "arxiv_feed.xml").read_bytes())

    result = arxiv_source.load_ids(["attention-paper", "12345"])

    assert result.papers == []
    assert [p.message.split(";")[0] for p in result.problems] == [
        "'attention-paper' is not an arXiv id", "'12345' is not an arXiv id"]
    assert "2401.12345" in result.problems[0].message
    assert fake.calls == []


@pytest.mark.parametrize("error", [requests.exceptions.ConnectionError("DNS failure"),
                                   requests.exceptions.ReadTimeout("read timed out")])
def test_no_network_raises_offline_error_after_bounded_retries(monkeypatch, error):
    fake = fake_arxiv(monkeypatch, error=error)

    with pytest.raises(OfflineError) as raised:
        arxiv_source.load_ids(["1706.03762"])

    assert "cannot reach arXiv (no network?)" in raised.value.message
    assert raised.value.hint == "download the papers as PDF or BibTeX and ingest the files instead"
    assert 1 <= len(fake.calls) <= 1 + arxiv_source.RETRIES


def test_arxiv_server_error_is_a_problem(monkeypatch):
    fake_arxiv(monkeypatch, status=503)

    result = arxiv_source.load_query("diffusion")

    assert result.papers == []
    (problem,) = result.problems
    assert "HTTP 503" in problem.message and "try again" in problem.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2401.12345", "2401.12345"),
        ("2401.12345v3", "2401.12345"),
        ("arXiv:1706.03762", "1706.03762"),
        ("https://arxiv.org/pdf/1706.03762v7.pdf", "1706.03762"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("2401.123", None),
        ("attention", None),
    ],
)
def test_normalise_arxiv_id(raw, expected):
    assert arxiv_source.normalise_arxiv_id(raw) == expected


# --- load_sources end to end ------------------------------------------------

def test_load_sources_on_mixed_folder_merges_formats(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("papers.jsonl", "papers.csv", "papers.bib"):
        shutil.copy(FIXTURES / name, folder / name)
    write(folder, "rag.pdf", make_pdf(RAG_PDF_PAGES, title="Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks"))
    write(folder, "scan.pdf", make_pdf([[]]))
    write(folder, "notes.md", "ignored: not a supported type")

    result = load_sources([str(folder)])

    by_id = {p.paper_id: p for p in result.papers}
    assert sorted(by_id) == sorted([
        "1706.03762", "2005.11401", "less-is-more-recursive-reasoning-with-tiny-networks",
        "chain-of-thought-prompting-elicits-reasoning-in-large-language-models", "cafe-models-for-latex-documents",
    ])
    attention = by_id["1706.03762"]
    assert attention.sources == ["papers.bib", "papers.jsonl"]
    assert attention.upvotes == 120  # filled in from the JSONL copy
    assert attention.abstract.endswith("based solely on attention mechanisms.")  # the longer abstract won
    rag = by_id["2005.11401"]
    assert rag.sources == ["papers.bib", "papers.csv", "rag.pdf"]
    assert rag.organisation == "Meta AI"
    assert "We explore RAG models in detail." in rag.full_text
    assert rag.abstract.startswith("Large pre-trained language models have been shown")  # CSV's, longer than the PDF's
    messages = sorted((Path(p.file).name, p.message.split(";")[0]) for p in result.problems)
    assert messages == [
        ("papers.jsonl", "duplicate id '1706.03762' with a different abstract than in papers.bib"),
        ("rag.pdf", "duplicate id '2005.11401' with a different abstract than in papers.bib"),
        ("scan.pdf", "no extractable text (scanned PDF?)"),
    ]


# --- size limits -------------------------------------------------------------------------------
def test_a_file_with_a_line_over_the_limit_is_one_short_problem_and_the_rest_of_the_folder_loads(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "junk.txt").write_text("x" * 3_000_000, encoding="utf-8")  # one 3 MB line
    (folder / "good.jsonl").write_text('{"title": "A Real Paper", "abstract": "It is short."}\n', encoding="utf-8")
    result = load_sources([str(folder)], max_line_chars=1_000_000, max_paper_chars=2_000_000)
    assert [paper.title for paper in result.papers] == ["A Real Paper"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (Path(problem.file).name, problem.line) == ("junk.txt", 1)
    assert problem.message.startswith("line is longer than 1,000,000 characters") and len(str(problem)) < 250


def test_the_long_line_is_found_across_read_blocks(tmp_path):
    path = tmp_path / "later.jsonl"
    row = '{"title": "T%d", "abstract": "A short abstract."}\n'
    path.write_text("".join(row % i for i in range(40_000)) + "y" * 1_500_000 + "\n", encoding="utf-8")
    result = load_sources([str(path)], max_line_chars=1_200_000)
    assert result.papers == []
    assert [(problem.line, problem.message[:28]) for problem in result.problems] == [
        (40_001, "line is longer than 1,200,00")]


def test_a_paper_over_the_size_limit_is_left_out_with_its_title_cut_to_80_characters(tmp_path):
    path = tmp_path / "papers.jsonl"
    title = "An Extremely Long Title " * 10
    path.write_text(f'{{"title": "{title}", "abstract": "{"word " * 2000}"}}\n'
                    '{"title": "Fits", "abstract": "A normal abstract."}\n', encoding="utf-8")
    result = load_sources([str(path)], max_paper_chars=5_000)
    assert [paper.title for paper in result.papers] == ["Fits"]
    [problem] = result.problems
    quoted = problem.message.split("'")[1]
    assert len(quoted) <= 80 and quoted.endswith("…") and title.startswith(quoted[:-1].rstrip())
    assert "over the limit of 5,000; left it out" in problem.message


def test_without_limits_nothing_is_left_out_for_size(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text(f'{{"title": "Long", "abstract": "{"word " * 3000}"}}\n', encoding="utf-8")
    assert [paper.title for paper in load_sources([str(path)]).papers] == ["Long"]
