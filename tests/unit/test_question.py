"""What a question asks for (profile_question) and which number of a sentence answers it (bound_numbers)."""

from __future__ import annotations

import pytest

from assistant.models import Paper
from assistant.question import bound_numbers, focus_phrase, is_overview, profile_question
from assistant.text import sentence_spans

MEDREASON = Paper(
    paper_id="medreason",
    title="MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs",
    abstract=(
        "We utilize a structured medical knowledge graph (KG) to convert clinical QA pairs into logical chains of "
        "reasoning. Our pipeline generates detailed reasoning for various medical questions from 7 medical datasets, "
        "resulting in a dataset of 32,682 question-answer pairs, each with detailed, step-by-step explanations. "
        "Our top-performing model, MedReason-8B, outperforms the Huatuo-o1-8B, a state-of-the-art medical "
        "reasoning model, by up to 4.2% on the clinical benchmark MedBullets."
    ),
)
LICHEN = Paper(
    paper_id="lichen-atlas",
    title="Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting",
    abstract="Lichen Atlas is a benchmark of 1,250 time-lapse sequences of lichen colonies photographed on granite.",
)


def sentence(paper: Paper, needle: str) -> str:
    found = [paper.text[s:e] for s, e in sentence_spans(paper.text) if needle in paper.text[s:e]]
    assert len(found) == 1, needle
    return found[0]


PROFILES = [
    pytest.param(
        "How many question-answer pairs does MedReason contain?", "count", ["pair"], ["medreason"], id="count"
    ),
    pytest.param(
        "How many ECG recordings was CardioNet-X trained on?", "count", ["recording"], ["cardionet-x", "ecg"],
        id="count-with-hyphenated-name",
    ),
    pytest.param(
        "What accuracy does MedReason-8B reach on MedBullets?", "quantity", ["accuracy"],
        ["medbullets", "medreason-8b"], id="quantity-accuracy",
    ),
    pytest.param(
        "What is the improvement of MedReason-8B over Huatuo-o1-8B?", "quantity", ["improvement"], ["huatuo-o1-8b", "medreason-8b"],
        id="quantity-improvement",
    ),
    pytest.param("Which base model was MedReason-8B fine-tuned from?", "name", ["model"], ["medreason-8b"], id="name"),
    pytest.param(
        "What is the name of the largest open-access low-dose CT dataset?", "name", ["dataset"], [],
        id="system-noun-is-the-head-past-the-modifiers",
    ),
    pytest.param(
        "Which visual SLAM system was evaluated on TwinOR?", "name", ["system"], ["slam", "twinor"],
        id="name-inside-the-phrase-before-the-system-noun",
    ),
    pytest.param(
        "How many of the PathLab reports are for early-stage tumors?", "count", ["report"], ["pathlab"],
        id="how-many-of-the",
    ),
    pytest.param("Why is medical reasoning hard?", "other", [], [], id="other"),
]


@pytest.mark.parametrize(("question", "kind", "attribute", "entities"), PROFILES)
def test_profile_question(question, kind, attribute, entities):
    profile = profile_question(question)
    assert profile.kind == kind
    assert profile.attribute == attribute
    assert profile.entities == entities
    # the asked attribute and the names are never counted again as context
    assert not set(profile.attribute) & set(profile.context)
    assert not {e for e in profile.entities} & set(profile.context)


def test_count_profile_keeps_the_modifiers_as_qualifiers():
    profile = profile_question("How many question-answer pairs does MedReason contain?")
    assert "question-answer" in profile.qualifiers
    assert "contain" not in profile.context  # weak verbs are not context


COUNTS = Paper(
    paper_id="counts",
    title="PathLab: Integrating PathNet with Vicuna",
    abstract=(
        "Using 934 cases, we evaluated the accuracy of PathLab on the challenge. "
        "PathLab reached an overall accuracy of 61% (95% CI, 58 to 64%). "
        "There were 18-submissions from 9-teams across 6-countries. "
        "PathLab covers 4K surgical videos and 3 million high-quality images from many procedure types. "
        "PathLab uses less than 10% of the parameters of other models. "
        "PathLab is trained on 3D scans and on 2,400 chest CT scans."
    ),
)


@pytest.mark.parametrize(
    ("question", "needle", "expected"),
    [
        pytest.param("What accuracy did PathLab reach?", "934", set(), id="a-count-of-another-noun-is-no-accuracy"),
        pytest.param("What accuracy did PathLab reach?", "61%", {"61%"}, id="the-accuracy-itself"),
        pytest.param("How many teams submitted to the PathLab challenge?", "9-teams", {"9"}, id="number-glued-to-noun"),
        pytest.param("How many procedure types does PathLab cover?", "4K", set(), id="counts-of-other-nouns"),
        pytest.param("How many parameters does PathLab have?", "10%", set(), id="a-percentage-is-not-a-count"),
        pytest.param("How many chest CT scans is PathLab trained on?", "3D", {"2400"}, id="3D-is-a-name-not-a-number"),
    ],
)
def test_bound_numbers(question, needle, expected):
    assert bound_numbers(profile_question(question), sentence(COUNTS, needle)) == expected


@pytest.mark.parametrize(("question", "broad"), [
    ("What are the main approaches to reducing hallucination in medical vision-language models?", True),
    ("How do retrieval-augmented and preference-tuned models differ?", True),
    ("What is known about surgical video foundation models?", True),
    ("Give me an overview of federated learning for pathology", True),
    ("What are the main results of MedReason?", False),
    ("How does AlphaFold 3 compare with docking tools?", False),
    ("What methods does MedReason use to build its dataset?", False),
    ("How many question-answer pairs does MedReason contain?", False),
])
def test_broad_questions_are_told_from_factoid_ones(question, broad):
    assert is_overview(question) is broad


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        pytest.param("In a survey of 2,000 households in three districts, what share of income went to rent?",
                     "what share of income went to rent", id="scene-first"),
        pytest.param("Among runners with knee pain after a marathon season, did taping reduce pain at six weeks?",
                     "did taping reduce pain at six weeks", id="yes-no-after-the-scene"),
        pytest.param("How many galaxies were observed in the survey?", "How many galaxies were observed in the survey",
                     id="asked-first"),
        pytest.param("Alongside the baseline regression, which estimator did the authors use to handle weak "
                     "instruments in the wage equation?", "which estimator did the authors use to handle",
                     id="eight-words-from-the-question-word"),
        pytest.param("Laser cooling of trapped ions: is it reversible?", "is it reversible", id="after-a-colon"),
        pytest.param("Name the detector used in the survey", "Name the detector used in the survey",
                     id="no-question-word"),
    ],
)
def test_the_focus_is_the_asked_part_not_the_scene(question, focus):
    assert focus_phrase(question) == focus
    assert profile_question(question).focus == focus
