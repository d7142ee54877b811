"""The LangChain tool-calling path (agent_mode="tools") driven by a scripted fake chat model.

The fake model plays a tool-calling LLM: it asks for tools, reads the numbered
evidence the tools print, and writes a final answer citing those numbers. The
index is a tiny real one (4 papers copied from the bundled corpus, real
embedding model), so the tools, the ledger and the verifier all run for real.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from assistant.agent import ABSTAIN_PHRASE, UNSURE_PHRASE, ResearchAgent
from assistant.config import Settings
from quoted_answers import assert_quoted_answer

MEDREASON_Q = "How many question-answer pairs does MedReason contain?"


@pytest.fixture(scope="module")
def tools_settings(small_ra) -> Settings:
    return small_ra.settings.model_copy(update={
        "agent_mode": "tools", "provider": "openai", "openai_base_url": "http://127.0.0.1:9/v1", "openai_api_key": "x",
    })


# --- the scripted model ---------------------------------------------------------------
Reply = AIMessage | Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(GenericFakeChatModel):
    """GenericFakeChatModel that records what it was sent and can compute a reply from it.

    create_agent (langchain 1.x) calls `model.bind_tools(tools, tool_choice=..., **settings)` and then
    `.invoke(messages)` on the result; binding returns the model itself so the script stays in control.
    """

    replies: list[Any] = Field(default_factory=list)
    received: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)

    def bind_tools(self, tools, **kwargs):
        self.bound_tools = [getattr(t, "name", str(t)) for t in tools]
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(list(messages))
        if not self.replies:
            raise AssertionError("the agent called the model more often than scripted")
        reply = self.replies.pop(0)
        if callable(reply):
            reply = reply(list(messages))
        return ChatResult(generations=[ChatGeneration(message=reply)])


def scripted(*replies: Reply) -> ScriptedChatModel:
    return ScriptedChatModel(messages=iter([]), replies=list(replies))


def call(name: str, args: dict, call_id: str = "call_1") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


def evidence_number(messages: list[BaseMessage], needle: str) -> int:
    """The [n] a tool printed in front of the evidence sentence containing `needle`."""
    for message in reversed(messages):
        if isinstance(message, ToolMessage):
            for n, quote in re.findall(r"\[(\d+)\] (.*)", str(message.content)):
                if needle in quote:
                    return int(n)
    raise AssertionError(f"no tool result showed evidence containing {needle!r}")


def cite(template: str, needle: str) -> Callable[[list[BaseMessage]], AIMessage]:
    """A final answer citing the evidence number the tools printed for `needle`."""
    return lambda messages: AIMessage(content=template.format(n=evidence_number(messages, needle)))


def assert_citations_resolve(answer, ra) -> None:
    papers = ra.index.papers()
    assert answer.citations
    markers = {int(n) for group in re.findall(r"\[([\d,\s]+)\]", answer.answer) for n in group.split(",")}
    assert markers == {c.n for c in answer.citations}
    for citation in answer.citations:
        assert citation.paper_id in papers
        assert citation.quote in papers[citation.paper_id].text
        assert citation.title == papers[citation.paper_id].title


# --- cases ---------------------------------------------------------------------------
def test_tool_call_then_cited_answer(small_ra, tools_settings):
    model = scripted(
        call("search_papers", {"query": "MedReason question-answer pairs", "k": 3}),
        cite("MedReason contains 32,682 question-answer pairs [{n}].", "32,682"),
    )
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])

    assert not answer.abstained and answer.status == "success"
    assert "32,682" in answer.answer
    assert_citations_resolve(answer, small_ra)
    assert answer.citations[0].paper_id.startswith("medreason")
    assert "32,682" in answer.citations[0].quote
    assert answer.removed == []
    assert [(s.tool, s.args["query"], s.args["k"]) for s in answer.steps] == [
        ("search_papers", "MedReason question-answer pairs", 3)
    ]
    assert answer.provider.startswith("openai:")
    # the model saw the system prompt, the question, then the tool result it cited
    assert {"search_papers", "get_paper", "compare_papers", "extract_fields"} <= set(model.bound_tools)
    second = model.received[1]
    assert isinstance(second[0], SystemMessage) and ABSTAIN_PHRASE in second[0].content
    assert isinstance(second[-1], ToolMessage) and second[-1].tool_call_id == "call_1"
    assert "32,682" in second[-1].content
    assert model.replies == []


def test_events_stream_steps_before_the_answer(small_ra, tools_settings):
    model = scripted(
        call("search_papers", {"query": "MedReason question-answer pairs"}),
        cite("MedReason contains 32,682 question-answer pairs [{n}].", "32,682"),
    )
    agent = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model)
    kinds = [kind for kind, _ in agent.events(MEDREASON_Q, [])]
    assert kinds.index("step") < kinds.index("text") < kinds.index("answer") == len(kinds) - 1


def test_bad_tool_calls_come_back_to_the_model_as_tool_messages(small_ra, tools_settings):
    model = scripted(
        call("search_papers", {"query": "MedReason", "k": 999}, "call_bad_k"),
        call("get_paper", {"paper_id": "no-such-paper"}, "call_bad_id"),
        call("search_papers", {"query": "MedReason question-answer pairs"}, "call_ok"),
        cite("MedReason contains 32,682 question-answer pairs [{n}].", "32,682"),
    )
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])

    bad_k = model.received[1][-1]
    assert isinstance(bad_k, ToolMessage) and bad_k.tool_call_id == "call_bad_k"
    assert "invalid arguments" in bad_k.content and "20" in bad_k.content  # names the limit k <= 20
    bad_id = model.received[2][-1]
    assert isinstance(bad_id, ToolMessage) and bad_id.tool_call_id == "call_bad_id"
    assert "unknown paper_id 'no-such-paper'" in bad_id.content
    assert not answer.abstained and "32,682" in answer.answer
    assert_citations_resolve(answer, small_ra)
    assert answer.steps[-1].tool == "search_papers" and answer.steps[-1].args["query"] == "MedReason question-answer pairs"
    assert all(step.args.get("k") != 999 for step in answer.steps)


def test_get_paper_then_cited_answer(small_ra, tools_settings):
    paper_id = next(pid for pid in small_ra.index.papers() if pid.startswith("medreason"))
    model = scripted(
        call("get_paper", {"paper_id": paper_id}),
        cite("MedReason contains 32,682 question-answer pairs [{n}].", "32,682"),
    )
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])
    assert not answer.abstained
    assert [c.paper_id for c in answer.citations] == [paper_id]
    assert [s.tool for s in answer.steps] == ["get_paper"]


def test_invented_number_is_removed_and_replaced_by_a_verified_quote(small_ra, tools_settings):
    model = scripted(
        call("search_papers", {"query": "MedReason question-answer pairs"}),
        cite("MedReason contains 45,000 question-answer pairs [{n}].", "32,682"),
    )
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])

    assert "45,000" not in answer.answer
    assert [(r.sentence, r.reason) for r in answer.removed] == [
        ("MedReason contains 45,000 question-answer pairs.", "number 45000 is not in the cited evidence")
    ]
    assert "45,000" in answer.raw_answer
    if answer.abstained:
        assert answer.answer == ABSTAIN_PHRASE and answer.closest_papers
    else:
        assert_citations_resolve(answer, small_ra)
        quote = answer.citations[0].quote
        assert "32,682" in quote and answer.citations[0].paper_id.startswith("medreason")
        assert_quoted_answer(answer)


def test_abstain_phrase_gives_an_abstention_with_closest_papers(small_ra, tools_settings):
    model = scripted(
        call("search_papers", {"query": "MedReason-8B learning rate"}),
        AIMessage(content=ABSTAIN_PHRASE),
    )
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(
        "What learning rate was used to fine-tune MedReason-8B?", []
    )
    # the model's refusal ends the answer; what was found decides between unsure (on-subject quotes) and fail
    assert answer.abstained is True and answer.raw_answer == ABSTAIN_PHRASE
    assert answer.answer == {"fail": ABSTAIN_PHRASE, "unsure": UNSURE_PHRASE}[answer.status]
    papers = small_ra.index.papers()
    assert all(c.quote in papers[c.paper_id].text for c in answer.citations)
    assert answer.closest_papers and all(h.paper_id in papers for h in answer.closest_papers)
    assert answer.closest_papers[0].paper_id.startswith("medreason")
    assert [s.tool for s in answer.steps] == ["search_papers"]


def test_answer_without_any_tool_call_is_not_trusted(small_ra, tools_settings):
    """No tool ran, so no evidence exists: a confident answer must not be shown."""
    model = scripted(AIMessage(content="MedReason contains 32,682 question-answer pairs [1]."))
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(MEDREASON_Q, [])
    assert answer.abstained is True and answer.steps == []
    assert answer.answer in (ABSTAIN_PHRASE, UNSURE_PHRASE) and "32,682" not in answer.answer
    assert answer.closest_papers  # nothing was looked up, so the closest papers come from one search


def test_follow_up_question_sends_the_history_to_the_model(small_ra, tools_settings):
    history = [
        {"role": "user", "content": "What is MedReason?"},
        {"role": "assistant", "content": "MedReason is a medical reasoning dataset built from a knowledge graph [1]."},
    ]
    model = scripted(
        call("search_papers", {"query": "MedReason question-answer pairs"}),
        cite("MedReason contains 32,682 question-answer pairs [{n}].", "32,682"),
    )
    answer = ResearchAgent(tools_settings, small_ra.retriever, chat_model=model).ask(
        "and how many question-answer pairs does it contain?", history
    )

    first = model.received[0]
    conversation = [(type(m), m.content) for m in first if not isinstance(m, SystemMessage)]
    assert conversation == [
        (HumanMessage, "What is MedReason?"),
        (AIMessage, history[1]["content"]),
        (HumanMessage, "and how many question-answer pairs does it contain?"),
    ]
    assert not answer.abstained
    assert "32,682" in answer.answer
    assert_citations_resolve(answer, small_ra)
    assert answer.citations[0].paper_id.startswith("medreason")
