"""`assistant eval --suite reviews|extraction|check` on a slice of the gold data, with the real models and index."""

from __future__ import annotations

import pytest

from assistant.config import EVALS_DIR
from assistant.evaluation.checks import CheckItem, load_checks, run_checks, write_check_report
from assistant.evaluation.extraction import _verdict, load_extraction, run_extraction, write_extraction_report
from assistant.evaluation.reviews import load_reviews, run_reviews, write_review_report

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("gold", "value", "verdict"), [
    (None, None, "right_empty"), (None, "2", "filled_wrongly"), (["32,682"], None, "missed"),
    (["32,682"], "32,682 pairs", "right_value"), (["T5-large"], "t5-large", "right_value"),
    (["T5-large"], "BERT", "filled_wrongly"),
])
def test_extraction_verdicts(gold, value, verdict):
    assert _verdict(gold, value) == verdict


def test_extraction_suite_scores_cells_and_finds_no_value_outside_its_quote(ra, tmp_path):
    items = load_extraction(EVALS_DIR / "daily", "dev", limit=2)
    result = run_extraction(ra, items)
    summary = result["summary"]
    assert summary["papers"] == 2 and summary["cells"] == sum(len(i.fields) for i in items)
    assert summary["values_without_quote"] == summary["values_not_in_quote"] == summary["quotes_not_in_paper"] == 0
    report = write_extraction_report(tmp_path, result, {"corpus": "daily", "split": "dev"})
    assert "| field | accuracy |" in report.read_text(encoding="utf-8")


def test_review_suite_scores_a_topic_beside_dense_retrieval(ra, tmp_path):
    items = load_reviews(EVALS_DIR / "daily", "dev", limit=1)
    result = run_reviews(ra, items, papers_per_review=6)
    row = result["items"][0]
    assert 0 < len(row["cited"]) <= 6
    assert row["relevant_cited"] == sorted(set(items[0].relevant) & set(row["cited"]))
    assert row["uncited_sentences"] == [] and row["citations_outside_index"] == []
    assert 0.0 <= row["dense_top8_recall"] <= row["dense_top12_recall"] <= 1.0
    report = write_review_report(tmp_path, result, {"corpus": "daily", "split": "dev"})
    assert "dense top-8" in report.read_text(encoding="utf-8")


def test_check_suite_checks_each_labelled_sentence_through_a_written_bibtex_file(ra, tmp_path):
    outside = CheckItem(id="outside", split="dev", about="outside", sentence="A survey nobody indexed maps the field.",
                        cites=["external:A Survey Nobody Indexed"], label="not_indexed", verdict="not_indexed")
    items = [i for i in load_checks(EVALS_DIR / "daily", "dev") if i.label == "faithful"][:2] + [outside]
    result = run_checks(ra, items)
    assert [row["id"] for row in result["items"]] == [i.id for i in items]
    assert all(row["verdict"] != "not_one_sentence" for row in result["items"])
    assert result["items"][-1]["verdict"] == "not_indexed"  # an outside title never resolves
    report = write_check_report(tmp_path, result, {"corpus": "daily", "split": "dev"})
    assert "| label | n | right verdict |" in report.read_text(encoding="utf-8")
    assert (tmp_path / "check.json").is_file()
