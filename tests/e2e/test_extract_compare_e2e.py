"""`extract` and `compare` end to end with the real embedding model, the fitted selector and a real Chroma index."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.e2e

MEDREASON_SCHEMA = {"title": "DatasetCard", "properties": {
    "pairs": {"description": "How many question-answer pairs does MedReason contain?"},
    "venue": {"description": "At which conference was MedReason presented?"},
}}


@pytest.fixture(scope="module")
def medreason(ra) -> str:
    return next(pid for pid in ra.index.papers() if pid.startswith("medreason-"))


def _assert_cells_quote_the_paper(fields: dict, text: str) -> None:
    for name, cell in fields.items():
        if cell.value is None:
            assert cell.quote is None, f"{name}: an empty cell carries no quote"
            continue
        assert cell.quote in text, f"{name}: the quote is not the paper's sentence"
        for part in cell.value.split(", "):
            assert part in cell.quote, f"{name}: value '{part}' is not in its quote"


def test_extract_fills_what_the_paper_states_and_leaves_the_rest_empty(ra, medreason, tmp_path):
    result = ra.extract(medreason, schema=MEDREASON_SCHEMA)
    assert result.schema_name == "DatasetCard" and set(result.fields) == {"pairs", "venue"}
    assert result.fields["pairs"].value == "32,682"
    assert result.fields["venue"].value is None  # the abstract names no conference
    _assert_cells_quote_the_paper(result.fields, ra.index.papers()[medreason].text)


def test_default_schema_values_all_sit_in_their_quotes_and_the_second_run_is_cached(ra, medreason):
    first = ra.extract(medreason)
    second = ra.extract(medreason)
    assert set(first.fields) >= {"task", "modality", "method", "base_model", "datasets", "dataset_size", "metrics",
                                 "model_size", "code_release"}
    _assert_cells_quote_the_paper(first.fields, ra.index.papers()[medreason].text)
    assert second.cached and second.fields == first.fields


def test_compare_by_query_gives_rows_with_quoted_cells_and_a_verified_summary(ra):
    table = ra.compare(query="medical reasoning datasets built from knowledge graphs", n=3,
                       fields=["dataset_size", "base_model"])
    papers = ra.index.papers()
    assert len(table.rows) == 3 and table.fields == ["dataset_size", "base_model"]
    for row in table.rows:
        _assert_cells_quote_the_paper(row.cells, papers[row.paper_id].text)
    for citation in table.citations:
        assert f"[{citation.n}]" in table.summary and citation.quote in papers[citation.paper_id].text


def test_cli_compare_csv_and_json_agree(ra, corpus_settings, medreason):
    env = {"ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir)}
    other = next(pid for pid in ra.index.papers() if pid.startswith("medtrinity-25m"))
    args = ["compare", medreason, other, "--fields", "dataset_size,model_size"]
    as_csv = CliRunner().invoke(app, [*args, "--format", "csv"], env=env)
    as_json = CliRunner().invoke(app, [*args, "--format", "json"], env=env)
    assert as_csv.exit_code == 0 and as_json.exit_code == 0, (as_csv.output, as_json.output)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    dumped = json.loads(as_json.stdout)
    assert [r["paper_id"] for r in rows] == [medreason, other] == [r["paper_id"] for r in dumped["rows"]]
    for row, full in zip(rows, dumped["rows"]):
        assert row["dataset_size"] == (full["cells"]["dataset_size"]["value"] or "")
        assert row["dataset_size_quote"] == (full["cells"]["dataset_size"]["quote"] or "")


def test_agent_extract_and_compare_tools_show_fitted_values_with_numbered_quotes(ra):
    """The tool-calling path reads the same fitted extraction: a stated code address comes back with the number of
    its sentence, and a comparison shows every paper for every aspect."""
    import re

    from assistant.evidence import EvidenceLedger
    from assistant.tools import build_tools

    papers = ra.index.papers()
    prism = next(pid for pid in papers if pid.startswith("prism-a-promptable"))
    address = re.search(r"https://github\.com/\S+[^.\s]", papers[prism].text).group(0)  # stated in the abstract
    ledger, steps = EvidenceLedger(), []
    tools = {tool.name: tool for tool in build_tools(ra.retriever, ledger, steps, ra.selector, 4)}

    shown = tools["extract_fields"].invoke({"paper_id": prism, "fields": ["code release"]})
    line = next(row for row in shown.splitlines() if row.strip().startswith("code release:"))
    number = int(re.search(r"\[(\d+)\]", line).group(1))
    assert address in line and address in ledger.get(number).quote and ledger.get(number).paper_id == prism

    other = next(pid for pid in papers if pid.startswith("medreason-"))
    compared = tools["compare_papers"].invoke({"paper_ids": [prism, other], "aspects": ["code release", "base model"]})
    for aspect in ("code release", "base model"):
        block = compared.split(f"aspect: {aspect}")[1].split("aspect:")[0]
        assert f"{prism}:" in block and f"{other}:" in block
    assert [s.tool for s in steps] == ["extract_fields", "compare_papers"]
