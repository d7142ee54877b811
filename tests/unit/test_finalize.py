"""The answer / unsure / abstain ending: what a quoted answer shows."""

from __future__ import annotations

from assistant.evidence import EvidenceLedger
from assistant.finalize import Draft, finalize
from assistant.models import Paper
from assistant.question import profile_question
from assistant.selection import Candidate, Selection
from assistant.text import sentence_spans
from assistant.verify import VerifiedSentence, Verification

QUESTION = "Which model for CT reports reaches 91% accuracy on the test set?"
MEDX = Paper(paper_id="medx", title="MedX: a model for CT",
             abstract="It reaches 91% accuracy on the test set. We present MedX, a model for CT reports.")
OTHER = Paper(paper_id="other", title="Another model", abstract="Another model reaches 88% accuracy.")


def _candidates(paper: Paper) -> list[Candidate]:
    """The paper's sentences, scored as the selector leaves them (whether each states a number the question lacks)."""
    return [Candidate(paper, start, end, 0, features={"new_numbers": float(paper.paper_id == "other")})
            for start, end in sentence_spans(paper.text)]


def _answer(ranked: list[Candidate], qtype: str = "name", verified: Verification | None = None):
    draft = Draft(question=QUESTION, profile=profile_question(QUESTION),
                  selection=Selection(qtype, ranked, 0.9, 0.9, answers=True, relevant=True), hits=[],
                  ledger=EvidenceLedger(), steps=[], provider="local", timings={}, verified=verified)
    return finalize(draft, 0.6, lambda sentence: None)


def test_a_quoted_answer_shows_the_runner_up_sentence_of_the_same_paper_beside_the_best():
    result, intro = _candidates(MEDX)
    answer = _answer([result, intro])
    assert answer.status == "success"
    assert answer.answer == ("It reaches 91% accuracy on the test set [1]. "
                             "We present MedX, a model for CT reports [2].")
    assert [(c.n, c.paper_id) for c in answer.citations] == [(1, "medx"), (2, "medx")]


def test_a_runner_up_from_another_paper_or_an_instruction_is_not_shown():
    result, intro = _candidates(MEDX)
    (elsewhere,) = _candidates(OTHER)
    assert _answer([result, elsewhere]).answer == "It reaches 91% accuracy on the test set [1]."
    intro.vetoed = True
    assert _answer([result, intro]).answer == "It reaches 91% accuracy on the test set [1]."


def test_a_number_asked_and_stated_by_the_best_sentence_is_not_blurred_by_a_second_one():
    (stated,) = _candidates(OTHER)
    follow_up = Candidate(OTHER, 0, len(OTHER.text), 0, features={"new_numbers": 1.0})
    assert _answer([stated, follow_up], qtype="quantity").answer == "Another model reaches 88% accuracy [1]."
    result, intro = _candidates(MEDX)  # the best sentence states no new number: the runner-up may hold it
    assert len(_answer([intro, result], qtype="quantity").citations) == 2


def test_a_written_sentence_that_gives_the_answer_stands_alone():
    result, intro = _candidates(MEDX)
    written = VerifiedSentence(text="MedX is a model for CT reports [1].", claim="MedX is a model for CT reports.",
                               cited=[1])
    answer = _answer([intro, result], verified=Verification(kept=[written]))
    assert answer.answer == "MedX is a model for CT reports [1]."
