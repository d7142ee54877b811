"""The verifier on a hand-built evidence ledger: what it keeps, what it removes, and why.

Evidence sentences are quoted from the bundled corpus (MedReason) plus one
unrelated paper, so "cites the wrong paper" has a real wrong paper to cite.
"""

from __future__ import annotations

import pytest

from assistant.evidence import EvidenceLedger
from assistant.text import sentence_spans
from assistant.verify import check_support, verify_answer
from sample_papers import LICHEN, MEDREASON

MIN_COVERAGE = 0.6

PAIRS = "[1]"  # MedReason: 32,682 question-answer pairs
LICHEN_SEQUENCES = "[2]"  # Lichen Atlas: 1,250 time-lapse sequences
MEDREASON_8B = "[3]"  # MedReason-8B outperforms Huatuo-o1-8B by up to 4.2% on MedBullets


@pytest.fixture(scope="module")
def ledger() -> EvidenceLedger:
    """[1] pairs sentence (MedReason), [2] Lichen Atlas sentence, [3] MedReason-8B sentence."""
    ledger = EvidenceLedger()
    pairs, eight_b = sentence_spans(MEDREASON.text)
    ledger.add(MEDREASON, *pairs)
    ledger.add(LICHEN, *sentence_spans(LICHEN.text)[0])
    ledger.add(MEDREASON, *eight_b)
    assert "32,682" in ledger.get(1).quote and "1,250" in ledger.get(2).quote and "MedBullets" in ledger.get(3).quote
    return ledger


# (answer text, expected kept texts, expected removed (claim, reason substring))
CASES = [
    pytest.param(
        f"MedReason contains 32,682 question-answer pairs {PAIRS}.",
        ["MedReason contains 32,682 question-answer pairs [1]."],
        [],
        id="supported-paraphrase",
    ),
    pytest.param(
        f"The MedReason dataset has 32,682 question-answer pairs built from 7 medical datasets {PAIRS}.",
        ["The MedReason dataset has 32,682 question-answer pairs built from 7 medical datasets [1]."],
        [],
        id="supported-two-numbers",
    ),
    pytest.param(
        f"MedReason-8B beats Huatuo-o1-8B by up to 4.2% on MedBullets {MEDREASON_8B}.",
        ["MedReason-8B beats Huatuo-o1-8B by up to 4.2% on MedBullets [3]."],
        [],
        id="supported-names-and-percent",
    ),
    pytest.param(
        f"MedReason contains 45,000 question-answer pairs {PAIRS}.",
        [],
        [("MedReason contains 45,000 question-answer pairs.", "number 45000 is not in the cited evidence")],
        id="unsupported-number",
    ),
    pytest.param(
        f"MedReason-8B outperforms Huatuo-o1-8B by up to 9.5% on MedBullets {MEDREASON_8B}.",
        [],
        [("MedReason-8B outperforms Huatuo-o1-8B by up to 9.5% on MedBullets.", "number 9.5% is not in the cited evidence")],
        id="unsupported-percent",
    ),
    pytest.param(
        f"MedReason-8B outperforms PubMedBERT on MedBullets {MEDREASON_8B}.",
        [],
        [("MedReason-8B outperforms PubMedBERT on MedBullets.", "name 'pubmedbert' is not in the cited evidence")],
        id="unsupported-entity",
    ),
    pytest.param(
        f"MedReason contains 32,682 question-answer pairs about CT {PAIRS}.",
        [],
        [("MedReason contains 32,682 question-answer pairs about CT.", "name 'ct' is not in the cited evidence")],
        id="acronym-inside-another-word-is-no-support",  # "CT" is in "Factual", not as a name
    ),
    pytest.param(
        "MedReason was trained with reinforcement learning from human feedback.",
        [],
        [(
            "MedReason was trained with reinforcement learning from human feedback.",
            "states something no evidence supports, without a citation",
        )],
        id="uncited-unsupported-removed",
    ),
    pytest.param(
        "MedReason contains 32,682 question-answer pairs.",
        ["MedReason contains 32,682 question-answer pairs [1]."],
        [],
        id="uncited-supported-attributed",
    ),
    pytest.param(
        "Lichen Atlas is a benchmark of 1,250 time-lapse sequences of lichen colonies.",
        ["Lichen Atlas is a benchmark of 1,250 time-lapse sequences of lichen colonies [2]."],
        [],
        id="uncited-attributed-to-the-right-item",
    ),
    pytest.param(
        f"MedReason contains 32,682 question-answer pairs {LICHEN_SEQUENCES}.",
        [],
        [("MedReason contains 32,682 question-answer pairs.", "number 32682 is not in the cited evidence")],
        id="cites-wrong-paper",
    ),
    pytest.param(
        "MedReason contains 32,682 question-answer pairs [9].",
        [],
        [("MedReason contains 32,682 question-answer pairs.", "cites [9], which is not in the evidence")],
        id="cites-number-not-in-ledger",
    ),
    pytest.param(
        f"MedReason-8B does not outperform Huatuo-o1-8B on MedBullets {MEDREASON_8B}.",
        [],
        [("MedReason-8B does not outperform Huatuo-o1-8B on MedBullets.", "negates what the cited evidence says")],
        id="negation-not-in-evidence",
    ),
    pytest.param(
        f"MedReason won a best paper award at a major conference {PAIRS}.",
        [],
        [("MedReason won a best paper award at a major conference.", "of its content is in the cited evidence")],
        id="low-coverage",
    ),
    pytest.param(
        f"MedReason contains 32,682 question-answer pairs. {PAIRS} Lichen Atlas has 1,250 sequences. {LICHEN_SEQUENCES}",
        ["MedReason contains 32,682 question-answer pairs [1].", "Lichen Atlas has 1,250 sequences [2]."],
        [],
        id="marker-after-full-stop-attaches-to-preceding-sentence",
    ),
    pytest.param(
        f"MedReason contains 1,250 question-answer pairs. {PAIRS} Lichen Atlas has 32,682 sequences. {LICHEN_SEQUENCES}",
        [],
        [
            ("MedReason contains 1,250 question-answer pairs.", "number 1250 is not in the cited evidence"),
            ("Lichen Atlas has 32,682 sequences.", "number 32682 is not in the cited evidence"),
        ],
        id="marker-after-full-stop-not-given-to-next-sentence",
    ),
    pytest.param(
        f"Answer: [1]. MedReason contains 32,682 question-answer pairs {PAIRS}.",
        ["MedReason contains 32,682 question-answer pairs [1]."],
        [],
        id="fragment-dropped-silently",
    ),
    pytest.param("Answer:", [], [], id="only-a-fragment"),
    pytest.param(
        f"MedReason contains 32,682 question-answer pairs {PAIRS}. It won a best paper award at a major venue {PAIRS}.",
        ["MedReason contains 32,682 question-answer pairs [1]."],
        [("It won a best paper award at a major venue.", "of its content is in the cited evidence")],
        id="mixed-keeps-good-removes-bad",
    ),
]


@pytest.mark.parametrize(("text", "kept", "removed"), CASES)
def test_verify_answer(ledger, text, kept, removed):
    result = verify_answer(text, ledger, MIN_COVERAGE)
    assert [k.text for k in result.kept] == kept
    assert [r.sentence for r in result.removed] == [claim for claim, _ in removed]
    for got, (_, reason) in zip(result.removed, removed, strict=True):
        assert reason in got.reason
    for sentence in result.kept:
        assert sentence.cited and all(ledger.get(n) is not None for n in sentence.cited)


def test_uncited_claim_is_attributed_to_the_supporting_item(ledger):
    result = verify_answer("MedReason-8B outperforms Huatuo-o1-8B by up to 4.2% on MedBullets.", ledger, MIN_COVERAGE)
    assert [k.cited for k in result.kept] == [[3]]


def test_label_line_before_the_answer_is_not_shown(ledger):
    """A model writing "Answer:" on its own line must not have it glued to the first verified sentence."""
    result = verify_answer("Answer:\nMedReason contains 32,682 question-answer pairs [1].", ledger, MIN_COVERAGE)
    assert [k.claim for k in result.kept] == ["MedReason contains 32,682 question-answer pairs."]
    assert not result.kept[0].text.lower().startswith("answer")


def test_echoed_evidence_line_is_shown_as_a_cited_sentence(ledger):
    """Small models copy "[1] (Title) quote" from the prompt; the title prefix must not reach the user."""
    echoed = f"[1] ({MEDREASON.title}) {ledger.get(1).quote}"
    result = verify_answer(echoed, ledger, MIN_COVERAGE)
    assert [k.text for k in result.kept] == [ledger.get(1).quote.rstrip(". ") + " [1]."]
    assert [k.cited for k in result.kept] == [[1]]


def test_chain_of_echoed_headers_states_nothing(ledger):
    echoed = f"[1] ({MEDREASON.title}) [2] ({LICHEN.title}) [3] ({MEDREASON.title})"
    result = verify_answer(echoed, ledger, MIN_COVERAGE)
    assert result.kept == []


CHECKS = [
    pytest.param("MedReason has 32,682 question-answer pairs", [1], True, "supported", id="support-ok"),
    pytest.param("MedReason has 32,682 question-answer pairs", [2], False, "number 32682", id="support-wrong-evidence"),
    pytest.param("MedReason has 32,682 question-answer pairs", [1, 2], True, "supported", id="support-joined-evidence"),
    pytest.param("MedReason has 32.682 question-answer pairs", [1], False, "number 32.682", id="support-decimal-not-thousands"),
    pytest.param("MedReason-8B surpasses PubMedBERT on MedBullets", [3], False, "name 'pubmedbert'", id="support-new-name"),
    # A plain capitalised model name is a name too (known gap: named_entities only sees CamelCase/acronyms/hyphens).
    pytest.param("MedReason-8B surpasses Meditron on MedBullets", [3], False, "name 'meditron'", id="support-capitalised-model-name"),
    pytest.param("MedReason-8B never outperforms Huatuo-o1-8B", [3], False, "negates", id="support-negation"),
]


@pytest.mark.parametrize(("claim", "items", "supported", "reason"), CHECKS)
def test_check_support(ledger, claim, items, supported, reason):
    texts = [t for n in items for t in (ledger.get(n).quote, ledger.get(n).title)]
    verdict = check_support(claim, texts, MIN_COVERAGE)
    assert verdict.supported is supported
    assert reason in verdict.reason
