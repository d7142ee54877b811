"""Field questions from schemas, values cut from their quotes, and the comparison table's CSV and Markdown."""

from __future__ import annotations

import csv
import io

import pytest
from pydantic import BaseModel, Field

from assistant.extract import _extractive_value, field_specs
from assistant.models import PaperFields
from assistant.models import Comparison, ComparisonRow, FieldValue

QUOTE = ("Our pipeline generates detailed reasoning for various medical questions from 7 medical datasets, "
         "resulting in a dataset of 32,682 question-answer pairs, each with step-by-step explanations.")


def test_specs_come_from_a_pydantic_model_or_a_json_schema():
    class Trial(BaseModel):
        arms: str | None = Field(None, description="How many arms does the trial have?")
        drug: str | None = None

    assert [(s.name, s.question) for s in field_specs(Trial)] == [
        ("arms", "How many arms does the trial have?"), ("drug", "What is the drug of the paper?")]
    schema = {"properties": {"sample_size": {"description": "How many patients were enrolled?"}}}
    assert [(s.name, s.question) for s in field_specs(schema)] == [("sample_size", "How many patients were enrolled?")]
    assert [s.name for s in field_specs()] == list(PaperFields.model_fields)


def test_only_some_fields_and_unknown_names_are_asked_plainly():
    specs = field_specs(None, only=["base_model", "sample size"])
    assert [(s.name, s.question) for s in specs] == [
        ("base_model", "Which base model is it built on or fine-tuned from?"),
        ("sample size", "What is the sample size of the paper?")]


def test_a_schema_without_properties_is_refused():
    with pytest.raises(ValueError, match="properties"):
        field_specs({"type": "object"})


def test_values_are_the_asked_number_or_names_as_written_in_the_quote():
    assert _extractive_value("How many question-answer pairs does MedReason contain?", QUOTE) == "32,682"
    names = _extractive_value("Which model does MedReason-8B outperform?",
                              "MedReason-8B outperforms Huatuo-o1-8B by up to 4.2% on MedBullets.")
    assert names == "Huatuo-o1-8B, MedBullets"
    assert _extractive_value("How are the reasoning paths generated?", QUOTE) == QUOTE  # no number, no name asked
    assert _extractive_value("What task does the paper address?", QUOTE) is None  # a "what X" asks for names


def _comparison() -> Comparison:
    return Comparison(fields=["size", "base"], rows=[
        ComparisonRow(paper_id="a", title="Paper A | v2", cells={"size": FieldValue(value="32,682", quote=QUOTE),
                                                               "base": FieldValue()}),
        ComparisonRow(paper_id="b", title="Paper B", cells={"size": FieldValue(), "base": FieldValue()}),
    ])


def test_csv_round_trips_values_quotes_and_empty_cells():
    rows = list(csv.DictReader(io.StringIO(_comparison().to_csv())))
    assert [r["paper_id"] for r in rows] == ["a", "b"]
    assert rows[0]["size"] == "32,682" and rows[0]["size_quote"] == QUOTE
    assert rows[0]["base"] == "" and rows[1]["size"] == ""


def test_markdown_has_one_row_per_paper_and_escapes_pipes():
    lines = _comparison().to_markdown().splitlines()
    assert lines[0] == "| paper | size | base |"
    assert lines[2] == "| Paper A \\| v2 | 32,682 |  |"
    assert lines[3] == "| Paper B |  |  |"


def test_numbers_are_read_as_written_with_their_canonical_form():
    from assistant.text import written_numbers

    assert written_numbers("32,682 pairs, 61% recall and 1.6M images") == [
        ("32,682", "32682"), ("61%", "61%"), ("1.6M", "1.6e+06")]
