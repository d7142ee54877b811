"""The fixed plan path (agent_mode="plan") with a scripted fake chat model.

The plan shows the model numbered evidence in one prompt and streams its reply
(`.stream()`; GenericFakeChatModel streams by splitting on whitespace). The
index is a tiny real one: 4 papers copied from the bundled corpus.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from assistant.agent import UNSURE_PHRASE, ResearchAgent
from assistant.config import Settings
from quoted_answers import assert_quoted_answer

MEDREASON_Q = "How many question-answer pairs does MedReason contain?"
UNANSWERABLE_Q = "What learning rate was used to fine-tune MedReason-8B?"


@pytest.fixture(scope="module")
def plan_settings(small_ra) -> Settings:
    return small_ra.settings.model_copy(update={
        "agent_mode": "plan", "provider": "openai", "openai_base_url": "http://127.0.0.1:9/v1", "openai_api_key": "x",
    })


class PromptedChatModel(GenericFakeChatModel):
    """Replies are templates filled with the [n] the prompt showed for a needle: {n:32,682}."""

    replies: list[str] = Field(default_factory=list)
    received: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(list(messages))
        prompt = str(messages[-1].content)
        shown = re.findall(r"^\[(\d+)\] \(.*?\) (.*)$", prompt, re.M)

        def number(match: re.Match) -> str:
            found = [n for n, quote in shown if match.group(1) in quote]
            assert found, f"the prompt showed no evidence containing {match.group(1)!r}"
            return f"[{found[0]}]"

        text = re.sub(r"\{n:([^}]+)\}", number, self.replies.pop(0))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def prompted(*replies: str) -> PromptedChatModel:
    return PromptedChatModel(messages=iter([]), replies=list(replies))


def run(agent: ResearchAgent, question: str, history: list[dict] | None = None) -> tuple[list[str], Any]:
    texts, answer = [], None
    for kind, payload in agent.events(question, history or []):
        if kind == "text":
            texts.append(payload)
        elif kind == "answer":
            answer = payload
    return texts, answer


def assert_citations_resolve(answer, ra) -> None:
    papers = ra.index.papers()
    markers = {int(n) for group in re.findall(r"\[([\d,\s]+)\]", answer.answer) for n in group.split(",")}
    assert markers == {c.n for c in answer.citations} == set(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert citation.quote in papers[citation.paper_id].text


def test_correct_cited_answer_is_kept(small_ra, plan_settings):
    model = prompted("MedReason contains 32,682 question-answer pairs {n:32,682}.")
    answer = ResearchAgent(plan_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])

    assert not answer.abstained and answer.status == "success"
    assert answer.answer == "MedReason contains 32,682 question-answer pairs [1]."
    assert answer.removed == []
    assert answer.citations[0].paper_id.startswith("medreason") and "32,682" in answer.citations[0].quote
    assert_citations_resolve(answer, small_ra)
    assert [s.tool for s in answer.steps] == ["search_papers", "select_evidence"]
    # the prompt carried the evidence and the question
    prompt = model.received[0][-1]
    assert isinstance(prompt, HumanMessage) and MEDREASON_Q in prompt.content and "32,682" in prompt.content


def test_invented_number_is_removed_and_the_verified_quote_is_used(small_ra, plan_settings):
    model = prompted("MedReason contains 45,000 question-answer pairs {n:32,682}.")
    texts, answer = run(ResearchAgent(plan_settings, small_ra.retriever, chat_model=model), MEDREASON_Q)

    assert "45,000" not in answer.answer and "45,000" in answer.raw_answer
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        ("MedReason contains 45,000 question-answer pairs.", "number 45000 is not in the cited evidence")
    ]
    assert not answer.abstained
    quote = answer.citations[0].quote
    assert "32,682" in quote and answer.citations[0].paper_id.startswith("medreason")
    assert_quoted_answer(answer)
    assert "".join(texts).rstrip() == answer.answer


STREAM_CASES = [
    pytest.param(["MedReason contains 32,682 question-answer pairs {n:32,682}."], id="one-sentence"),
    pytest.param(
        ["A structured medical knowledge graph converts clinical QA pairs into logical chains "
         "{n:structured medical knowledge graph}. MedReason contains 32,682 question-answer pairs {n:32,682}."],
        id="non-answering-sentence-first",
    ),
    pytest.param(["MedReason contains 99 question-answer pairs {n:32,682}."], id="fallback-quote"),
    pytest.param(["MedReason contains 32,682 question-answer pairs. {n:32,682}"], id="marker-after-stop"),
]


@pytest.mark.parametrize("replies", STREAM_CASES)
def test_streamed_text_equals_the_final_answer(small_ra, plan_settings, replies):
    events = list(ResearchAgent(plan_settings, small_ra.retriever, chat_model=prompted(*replies)).events(MEDREASON_Q, []))
    streamed = "".join(payload for kind, payload in events if kind == "text")
    answer = events[-1][1]
    assert not answer.abstained and "32,682" in answer.answer
    assert streamed.rstrip() == answer.answer
    assert_citations_resolve(answer, small_ra)


def test_supported_sentence_that_does_not_answer_is_removed(small_ra, plan_settings):
    model = prompted(
        "A structured medical knowledge graph converts clinical QA pairs into logical chains "
        "{n:structured medical knowledge graph}. MedReason contains 32,682 question-answer pairs {n:32,682}."
    )
    answer = ResearchAgent(plan_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])
    assert answer.answer == "MedReason contains 32,682 question-answer pairs [1]."
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        ("A structured medical knowledge graph converts clinical QA pairs into logical chains.",
         "supported, but does not give the best evidence's answer")
    ]


def test_unanswerable_question_is_unsure_without_calling_the_model(small_ra, plan_settings):
    """The right paper is indexed but does not state the detail: the closest quotes, never dressed as an answer."""
    model = GenericFakeChatModel(messages=iter([AIMessage(content="The learning rate was 2e-5 [1].")]))
    texts, answer = run(ResearchAgent(plan_settings, small_ra.retriever, chat_model=model), UNANSWERABLE_Q)

    assert answer.abstained is True and answer.status == "unsure"
    assert answer.answer == UNSURE_PHRASE and texts == [UNSURE_PHRASE]
    assert answer.citations and all(c.paper_id.startswith("medreason") for c in answer.citations)
    assert answer.closest_papers and answer.closest_papers[0].paper_id.startswith("medreason")
    assert answer.steps[-1].tool == "select_evidence"
    assert answer.steps[-1].summary.startswith("no evidence answers the question")
    assert answer.removed and answer.removed[-1].sentence == "(no answer)"
    # the model was never asked: its only scripted reply is still there
    assert next(model.messages).content == "The learning rate was 2e-5 [1]."


def test_follow_up_inherits_the_subject_and_shows_history(small_ra, plan_settings):
    history = [
        {"role": "user", "content": "What is MedReason?"},
        {"role": "assistant", "content": "MedReason is a medical reasoning dataset built from a knowledge graph."},
    ]
    model = prompted("It contains 32,682 question-answer pairs {n:32,682}.")
    answer = ResearchAgent(plan_settings, small_ra.retriever, chat_model=model).ask(
        "and how many question-answer pairs does it contain?", history)

    prompt = model.received[0][-1].content
    assert "user: What is MedReason?" in prompt and f"assistant: {history[1]['content']}" in prompt
    assert answer.steps[0].args["query"].startswith("What is MedReason?")
    assert not answer.abstained and "32,682" in answer.answer
    assert answer.citations[0].paper_id.startswith("medreason")


def test_a_supported_sentence_with_another_candidate_answer_gets_the_best_quote(small_ra, plan_settings):
    """"7" is in the cited sentence too (7 source datasets), so the verifier passes it; but the number the
    best evidence gives for the asked pairs is 32,682, so the quote is shown instead."""
    model = prompted("MedReason contains 7 question-answer pairs {n:32,682}.")
    answer = ResearchAgent(plan_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])

    quote = answer.citations[0].quote
    assert "32,682" in quote and " 7 " in quote
    assert_quoted_answer(answer)
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        ("MedReason contains 7 question-answer pairs.", "supported, but does not give the best evidence's answer")
    ]


# --- the writer gate ------------------------------------------------------------------------------


def _gate(writer: str, bias: float):
    """A gate whose probability is sigmoid(bias) whatever the signals (zero weights)."""
    from assistant.selection import WRITER_FEATURES, LinearModel, WriterGate

    n = len(WRITER_FEATURES)
    return WriterGate(LinearModel(WRITER_FEATURES, [0.0] * n, [1.0] * n, [0.0] * n, bias), writer)


def test_a_gate_that_expects_the_quote_skips_the_writer(small_ra, plan_settings):
    from assistant.llm import provider_label

    model = prompted()  # any call would fail: no reply is scripted
    agent = ResearchAgent(plan_settings, small_ra.retriever, chat_model=model,
                          writer_gate=_gate(provider_label(plan_settings), bias=-3.0))
    texts, answer = run(agent, MEDREASON_Q)

    assert model.received == []
    assert answer.status == "success" and "32,682" in answer.answer
    assert_quoted_answer(answer)
    assert texts == [answer.answer]  # shown at once, whole
    assert answer.steps[-1].tool == "write_answer" and "P = 0.05" in answer.steps[-1].summary
    assert "generation" not in answer.timings and "first_text" in answer.timings
    assert_citations_resolve(answer, small_ra)


@pytest.mark.parametrize("writer_matches, bias", [(True, 3.0), (False, -3.0)])
def test_the_writer_writes_when_the_gate_expects_its_words_or_was_fitted_for_another_writer(
        small_ra, plan_settings, writer_matches, bias):
    from assistant.llm import provider_label

    writer = provider_label(plan_settings) if writer_matches else "local:another-model.gguf"
    model = prompted("MedReason contains 32,682 question-answer pairs {n:32,682}.")
    agent = ResearchAgent(plan_settings, small_ra.retriever, chat_model=model, writer_gate=_gate(writer, bias))
    answer = agent.ask(MEDREASON_Q, [])

    assert len(model.received) == 1
    assert answer.answer == "MedReason contains 32,682 question-answer pairs [1]."
    assert [s.tool for s in answer.steps] == ["search_papers", "select_evidence"]
