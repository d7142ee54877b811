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


def test_a_capitalised_scale_word_is_part_of_the_number():
    from assistant.text import written_numbers

    assert written_numbers("1.3 Million images and 2 billion tokens") == [("1.3 Million", "1.3e+06"),
                                                                          ("2 billion", "2e+09")]


@pytest.mark.parametrize("text, number, marker", [
    ("three genres: 1) prompt engineering; 2) fine-tuning the whole model", "2", True),
    ("MedMASLab introduces: (1) a protocol", "1", True),
    ("young men aged 15-39 years (n = 12) in Merseyside", "12", False),
    ("a model (trained on 12 datasets) and more", "12", False),
    ("in 2019) the", "2019", False),
    ("the first (of 2) runs", "2", False),
])
def test_list_markers_are_told_from_counts(text, number, marker):
    from assistant.text import is_list_marker

    start = text.index(number)
    assert is_list_marker(text, start, start + len(number)) is marker


def test_values_are_addresses_numbers_and_runs_of_names_as_written():
    from assistant.extract import value_spans

    sentence = ("We fine-tune the 0.23B Florence-2 base model, a ResNet-50 and Stable Diffusion on 59K images "
                "from the Duke Lung Cancer Screening (DLCS) dataset; code: https://github.com/org/Repo-1.")
    found = [(value, kind) for value, kind, _, _ in value_spans(sentence)]
    assert found == [("0.23B", "number"), ("Florence-2", "name"), ("ResNet-50", "name"), ("Stable Diffusion", "name"),
                     ("59K", "number"), ("images", "term"), ("Duke Lung Cancer Screening", "name"), ("DLCS", "name"),
                     ("https://github.com/org/Repo-1", "url")]
    for value, _, start, end in value_spans(sentence):
        assert sentence[start:end] == value


def test_a_sentence_opening_word_and_list_markers_are_no_values():
    from assistant.extract import value_spans

    found = [value for value, *_ in value_spans("Three genres: 1) prompt engineering; 2) tuning with MedSAM.")]
    assert found == ["MedSAM"]


def _reading():
    from assistant.extract import FieldReading, SpanCandidate

    sentences = ["It covers CT and MRI scans.", "Code is at https://x.org/a."]
    spans = [SpanCandidate("CT", "name", 0, 10, 12), SpanCandidate("MRI", "name", 0, 17, 20),
             SpanCandidate("https://x.org/a", "url", 1, 11, 26)]
    return FieldReading(sentences, spans, {})


def test_the_best_value_brings_the_others_of_its_kind_and_sentence_that_clear_the_threshold():
    from assistant.extract import choose_span

    assert choose_span(_reading(), [0.9, 0.8, 0.85], 0.7) == ("CT, MRI", "It covers CT and MRI scans.")
    assert choose_span(_reading(), [0.9, 0.6, 0.85], 0.7) == ("CT", "It covers CT and MRI scans.")
    assert choose_span(_reading(), [0.3, 0.8, 0.95], 0.7) == ("https://x.org/a", "Code is at https://x.org/a.")


def test_nothing_is_filled_when_no_value_clears_the_threshold():
    from assistant.extract import choose_span

    assert choose_span(_reading(), [0.5, 0.4, 0.6], 0.7) == (None, None)
    assert choose_span(_reading(), [], 0.7) == (None, None)


def test_the_bundled_span_model_reads_exactly_the_features_the_code_computes():
    from assistant.extract import SPAN_FEATURES, load_span_model

    model, meta = load_span_model()
    assert model.features == SPAN_FEATURES
    assert len(model.weights) == len(model.mean) == len(model.scale) == len(SPAN_FEATURES)
    assert 0 < model.threshold < 1 and meta["fitted"]


def test_a_refit_on_the_same_day_is_a_different_model_for_the_cache(tmp_path):
    import json

    from assistant.extract import SPAN_MODEL_PATH, load_span_model

    raw = json.loads(SPAN_MODEL_PATH.read_text(encoding="utf-8"))
    refit = {**raw, "span": {**raw["span"], "bias": raw["span"]["bias"] + 0.5}}  # same "fitted" date, new weights
    (tmp_path / "refit.json").write_text(json.dumps(refit), encoding="utf-8")
    _, before = load_span_model(SPAN_MODEL_PATH)
    _, after = load_span_model(tmp_path / "refit.json")
    assert before["fitted"] == after["fitted"] and before["fingerprint"] != after["fingerprint"]
