"""The question-kind reader: its terms, its fit on labelled gold questions and the bundled model's reading."""

from __future__ import annotations

import json

import pytest

from assistant.asked import ASKED_KINDS, asked_terms, load_asked
from assistant.evaluation.gold import EvalItem


def test_opening_words_are_marked_by_position_and_numbers_are_one_token():
    terms = asked_terms("What was the mean age of the 1,204 patients?")
    assert terms[:3] == ["^0:what", "^1:was", "^2:the"]
    assert "<num>" in terms and "1,204" not in terms
    assert "mean age" in terms and "the <num>" in terms


def _item(n: int, kind: str, question: str) -> EvalItem:
    return EvalItem(id=f"q{n}", suite="facts", question=question, split="dev", kind=kind, answers=["x"],
                    paper_id=f"paper-{n}")


_WORDINGS = {
    "number": "What percentage of the {} cohort relapsed within a year?",
    "which_system": "Which encoder does the {} system build on?",
    "described": "What is the name of the {} toolkit that segments cells?",
    "method": "How does the {} pipeline combine its two stages?",
    "yes_no": "Did the {} intervention reduce readmissions?",
}


def test_fit_reads_kinds_out_of_fold_and_names_join_which_system_and_described():
    from assistant.evaluation.fit_asked import fit

    topics = ["alpha", "beta", "gamma", "delta", "kappa", "sigma", "omega", "theta"]
    items = [_item(i * 10 + j, kind, wording.format(topic))
             for i, topic in enumerate(topics) for j, (kind, wording) in enumerate(_WORDINGS.items())]
    exported, report = fit(items)
    assert report["accuracy"] > 0.9
    assert set(report["by_kind"]) == set(ASKED_KINDS)
    assert report["by_kind"]["name"]["n"] == 2 * len(topics)  # which_system and described ask for a name
    assert sorted(exported["classes"]) == sorted(ASKED_KINDS)


def test_main_writes_a_model_the_reader_loads(tmp_path, monkeypatch):
    from assistant.evaluation import fit_asked

    topics = ["alpha", "beta", "gamma", "delta", "kappa", "sigma"]
    items = [_item(i * 10 + j, kind, wording.format(topic))
             for i, topic in enumerate(topics) for j, (kind, wording) in enumerate(_WORDINGS.items())]
    monkeypatch.setattr(fit_asked, "labelled_questions", lambda: items)
    out = tmp_path / "asked.json"
    fit_asked.main(["--out", str(out)])
    assert json.loads(out.read_text())["meta"]["cross_validated"]["questions"] == len(items)
    assert load_asked(out).kind("Did the zeta intervention reduce readmissions?") == "yes_no"


@pytest.mark.parametrize(("question", "kind"), [
    ("What was the median follow-up of the cohort, in months?", "number"),
    ("Which optimiser was the language model trained with?", "name"),
    ("Does the new solver converge faster than the baseline?", "yes_no"),
])
def test_bundled_reader_reads_questions_of_another_field(question, kind):
    """Questions unlike the gold ones (not medical): the opening words carry the kind."""
    probabilities = load_asked().kinds(question)
    assert abs(sum(probabilities.values()) - 1.0) < 1e-9
    assert max(probabilities, key=probabilities.get) == kind
