"""What a question asks for (profile_question) and whether a sentence answers it (answers_question)."""

from __future__ import annotations

import pytest

from assistant.models import Paper
from assistant.question import answer_tokens, answers_question, bound_numbers, profile_question
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
        "What is the improvement of MedReason-8B over Huatuo-o1-8B?", "quantity", ["improvement"], ["huatuo", "medreason-8b"],
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


COUNT_Q = "How many question-answer pairs does MedReason contain?"

ANSWERS = [
    pytest.param(COUNT_Q, MEDREASON, sentence(MEDREASON, "32,682"), True, "answers the question", id="right-sentence"),
    pytest.param(
        COUNT_Q, MEDREASON, sentence(MEDREASON, "MedBullets"), False, "no evidence sentence states the pair",
        id="near-miss-right-paper-no-attribute",
    ),
    pytest.param(
        COUNT_Q, MEDREASON, sentence(MEDREASON, "knowledge graph"), False, "gives no number for the pair",
        id="count-attribute-without-number",
    ),
    pytest.param(
        COUNT_Q, LICHEN, sentence(LICHEN, "1,250"), False, "the paper does not mention 'medreason'",
        id="entity-not-in-paper",
    ),
    pytest.param(
        "What accuracy does MedReason-8B reach on MedBullets?", MEDREASON, sentence(MEDREASON, "MedBullets"), False,
        "no evidence sentence states the accuracy", id="quantity-attribute-missing",
    ),
    pytest.param(
        "How many time-lapse sequences does Lichen Atlas contain?", LICHEN, sentence(LICHEN, "1,250"), True,
        "answers the question", id="count-other-paper",
    ),
]


@pytest.mark.parametrize(("question", "paper", "text", "ok", "reason"), ANSWERS)
def test_answers_question(question, paper, text, ok, reason):
    verdict, why = answers_question(profile_question(question), text, paper)
    assert verdict is ok
    assert reason in why


def test_count_needs_the_number_near_the_attribute():
    """A number far away from "question-answer pairs" in the same sentence does not answer "how many"."""
    paper = Paper(
        paper_id="medreason-far",
        title="MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs",
        abstract=(
            "In 2024 the team, after many long months of careful manual review by clinicians from several "
            "hospitals and universities, released the question-answer pairs."
        ),
    )
    verdict, why = answers_question(profile_question(COUNT_Q), paper.text, paper)
    assert verdict is False
    assert "gives no number for the pair" in why


def test_the_number_in_the_question_is_not_an_answer():
    """Repeating the question's own number must not count as stating the asked quantity."""
    paper = Paper(paper_id="p", title="MedReason", abstract="MedReason builds question-answer pairs from 7 medical datasets.")
    profile = profile_question("How many question-answer pairs from the 7 medical datasets does MedReason contain?")
    assert profile.kind == "count"
    verdict, why = answers_question(profile, paper.text, paper)
    assert verdict is False
    assert "gives no number" in why


def test_name_question_needs_a_new_name():
    paper = Paper(
        paper_id="m8b", title="MedReason-8B",
        abstract="MedReason-8B is fine-tuned from Llama-3.1-8B on the MedReason data. "
        "MedReason-8B is fine-tuned on the MedReason data for three epochs.",
    )
    profile = profile_question("Which base model was MedReason-8B fine-tuned from?")
    first, second = (paper.text[s:e] for s, e in sentence_spans(paper.text))
    assert answers_question(profile, first, paper)[0] is True
    verdict, why = answers_question(profile, second, paper)
    assert verdict is False
    assert "names nothing the question does not already name" in why


# --- answer typing: which number, which name --------------------------------------------
LAB = Paper(
    paper_id="lab",
    title="PathLab: Integrating PathNet with Vicuna",
    abstract=(
        "Physicians spent about 2,100 work hours to write the 9,000 QA pairs between 2019 and 2023. "
        "The benchmark transforms 304 diagnostically challenging New England Journal of Medicine cases into tasks. "
        "Finally, we integrate PathNet with the Vicuna-13b model to build PathLab. "
        "We evaluate the system in a uterine fibroid treatment scenario. "
        "Code is at https://github.com/Example/PathLab2."
    ),
)


@pytest.mark.parametrize(
    ("question", "needle", "expected"),
    [
        pytest.param("How many QA pairs does PathLab contain?", "2,100", {"9000"}, id="unit-bound-number-is-not-a-count"),
        pytest.param("How many cases does the PathLab benchmark include?", "304", {"304"}, id="noun-after-number"),
        pytest.param("How many QA pairs were written after 2018?", "2,100", {"9000"}, id="years-are-not-counts"),
        pytest.param("Which LLM is PathNet integrated with to build PathLab?", "Vicuna", {"vicuna-13b"},
                     id="system-name-without-the-asked-noun"),
        pytest.param("In which treatment scenario was PathLab evaluated?", "fibroid", {"uterine fibroid"},
                     id="lower-case-modifier-answer"),
    ],
)
def test_answer_tokens(question, needle, expected):
    text = sentence(LAB, needle)
    profile = profile_question(question)
    assert answers_question(profile, text, LAB)[0], answers_question(profile, text, LAB)
    assert answer_tokens(profile, text, LAB) == expected


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


def test_repository_path_is_not_a_name_answer():
    profile = profile_question("What is the name of the dataset introduced with PathLab?")
    assert profile.attribute == ["dataset"]
    assert answer_tokens(profile, sentence(LAB, "github"), LAB) == set()


def test_system_name_shortcut_is_only_for_system_questions():
    """'Which scenario' is not answered by any new system name in a sentence about the subject."""
    profile = profile_question("Which license does PathLab use?")
    assert not answers_question(profile, sentence(LAB, "Vicuna"), LAB)[0]


def test_system_noun_question_is_answered_by_a_description_of_the_system():
    """"The CT volume compression model" is stated by "CT-ViT, which compresses CT volumes" without the noun."""
    paper = Paper(paper_id="g", title="GenerateCT", abstract="We also propose CT-ViT, which compresses CT volumes.")
    profile = profile_question("What is the name of the CT volume compression model proposed in GenerateCT?")
    assert answers_question(profile, paper.text, paper)[0]
    assert "ct-vit" in answer_tokens(profile, paper.text, paper)


def test_system_questions_take_no_lower_case_modifier_as_a_name():
    paper = Paper(paper_id="d", title="Med3D", abstract="It is hard to build a sufficiently large dataset in 3D imaging.")
    profile = profile_question("What is the name of the multi-domain dataset used to co-train Med3D?")
    assert answer_tokens(profile, paper.text, paper) == set()


def test_a_spelled_out_name_is_not_a_second_answer():
    """"Surg-FTDA (Few-shot Text-driven Adaptation)": the words in brackets echo the question, Surg-FTDA answers it."""
    paper = Paper(paper_id="s", title="Text-driven Adaptation for Surgical Workflow Analysis",
                  abstract="We propose Surg-FTDA (Few-shot Text-driven Adaptation) for surgical workflow analysis.")
    profile = profile_question("What is the name of the few-shot text-driven adaptation approach for surgical workflow analysis?")
    tokens = answer_tokens(profile, paper.text, paper)
    assert "surg-ftda" in tokens
    assert not tokens & {"few", "text", "text-driven", "adaptation"}
