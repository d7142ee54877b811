"""The UI's pure event -> chat message conversion and its error handling, without a browser or models."""

from __future__ import annotations

import re

import pytest

from assistant.api import ResearchAssistant
from assistant.config import Settings
from assistant.errors import IndexStoreError, ProviderError
from assistant.models import Answer, Citation, IngestReport, Paper, Problem, RemovedSentence, SearchHit, Step
from assistant.present import unlinked_markers
from assistant.ui import (
    CLOSEST_TITLE,
    ERROR_TITLE,
    REFERENCES_TITLE,
    REMOVED_TITLE,
    add_event,
    add_papers,
    agent_history,
    answer_turn,
    turn_messages,
)

SEARCH = Step(tool="search_papers", args={"query": "MedReason question-answer pairs", "k": 24, "year_from": None},
              summary="7 papers")
SELECT = Step(tool="select_evidence", args={}, summary="2 sentences answer the question")
QUOTE = "MedReason contains 32,682 question-answer pairs with step-by-step explanations."
PAPERS = {"medreason-x": Paper(paper_id="medreason-x", title="MedReason: Eliciting Reasoning", published="2025-04-01",
                               source="/data/uploads/daily.jsonl",
                               abstract=f"Medical reasoning needs data <b>now</b>. {QUOTE} It helps.")}
ANSWER = Answer(
    question="How many question-answer pairs does MedReason contain?",
    answer="MedReason contains 32,682 question-answer pairs [1].",
    citations=[Citation(n=1, paper_id="medreason-x", title="MedReason: Eliciting Reasoning", quote=QUOTE)],
    removed=[RemovedSentence(sentence="It was trained on Mars [2].", reason="cites no evidence")],
    steps=[SEARCH, SELECT],
)
ABSTAINED = Answer(
    question="What learning rate was used?",
    answer="The indexed papers do not answer this.",
    abstained=True,
    status="unsure",
    closest_papers=[SearchHit(paper_id="medreason-x", title="MedReason: Eliciting Reasoning", score=0.5,
                              year=2025, snippet="...")],
)
ANSWER_EVENTS = [
    ("step", SEARCH),
    ("step", SELECT),
    ("text", "MedReason contains 32,682 "),
    ("text", "question-answer pairs [1]. "),
    ("answer", ANSWER),
]


def titled(messages, title):
    return [m for m in messages if m["metadata"].get("title") == title]


def test_each_step_is_a_titled_message_that_is_pending_until_the_agent_moves_on():
    first = add_event([], "step", SEARCH)
    assert first == [{
        "role": "assistant",
        "content": "7 papers",
        "metadata": {"title": '🔎 search_papers: query="MedReason question-answer pairs", k=24', "status": "pending"},
    }]
    second = add_event(first, "step", SELECT)
    assert [m["metadata"] for m in second] == [
        {"title": '🔎 search_papers: query="MedReason question-answer pairs", k=24', "status": "done"},
        {"title": "🔎 select_evidence", "status": "pending"},
    ]
    assert first[0]["metadata"]["status"] == "pending"  # earlier streamed states are not mutated


def test_long_arguments_are_shortened_in_the_title():
    step = Step(tool="get_paper", args={"paper_id": "x" * 100, "aspects": ["data", "metrics"]})
    title = add_event([], "step", step)[0]["metadata"]["title"]
    assert title == f'🔎 get_paper: paper_id="{"x" * 59}…", aspects=[data, metrics]'


def test_answer_text_streams_into_one_message_after_the_steps():
    states = list(turn_messages(ANSWER_EVENTS[:4]))
    assert [m["content"] for m in states[2]] == [
        "7 papers", "2 sentences answer the question", "MedReason contains 32,682 "
    ]
    streamed = states[3]
    assert len(streamed) == 3
    assert streamed[-1] == {"role": "assistant", "content": "MedReason contains 32,682 question-answer pairs [1]. ",
                            "metadata": {}}
    assert all(m["metadata"]["status"] == "done" for m in streamed[:2])


def test_final_answer_shows_verified_text_references_and_collapsed_removed_sentences():
    final = list(turn_messages(ANSWER_EVENTS, PAPERS))[-1]
    assert [m["metadata"].get("title") for m in final] == [
        '🔎 search_papers: query="MedReason question-answer pairs", k=24',
        "🔎 select_evidence",
        None,
        REFERENCES_TITLE,
        REMOVED_TITLE,
    ]
    assert unlinked_markers(final[2]["content"]) == ANSWER.answer
    references = titled(final, REFERENCES_TITLE)[0]
    assert "status" not in references["metadata"]  # open: the evidence is part of the answer
    removed = titled(final, REMOVED_TITLE)[0]
    assert removed["metadata"]["status"] == "done"  # collapsed
    assert removed["content"] == "- It was trained on Mars [2]. (cites no evidence)"
    assert titled(final, CLOSEST_TITLE) == []


def test_a_citation_marker_links_to_its_card_with_year_source_and_the_quote_marked_in_the_abstract():
    final = list(turn_messages(ANSWER_EVENTS, PAPERS))[-1]
    link = re.search(r'<a class="ra-cite" href="#([\w-]+)">1</a>', final[2]["content"])
    assert link, final[2]["content"]
    card = titled(final, REFERENCES_TITLE)[0]["content"]
    assert f'<details class="ra-card" id="{link.group(1)}">' in card
    assert "<summary>[1] MedReason: Eliciting Reasoning (2025)</summary>" in card
    assert "medreason-x · daily.jsonl" in card  # the file name only: no server path
    assert f"<mark>{QUOTE}</mark> It helps." in card
    assert "&lt;b&gt;now&lt;/b&gt;" in card  # paper text is data, never markup


def test_each_answer_has_its_own_card_ids():
    first = list(turn_messages(ANSWER_EVENTS, PAPERS))[-1][2]["content"]
    other = ANSWER.model_copy(update={"question": "And its size?"})
    second = list(turn_messages(ANSWER_EVENTS[:-1] + [("answer", other)], PAPERS))[-1][2]["content"]
    assert re.findall(r'href="#([\w-]+)"', first) != re.findall(r'href="#([\w-]+)"', second)


def test_abstention_is_labelled_and_lists_the_closest_papers():
    final = list(turn_messages([("step", SEARCH), ("text", ABSTAINED.answer), ("answer", ABSTAINED)]))[-1]
    assert [m["content"] for m in final if not m["metadata"].get("title")] == [
        "**❔ Unsure.** The indexed papers do not answer this."]
    assert titled(final, CLOSEST_TITLE)[0]["content"] == "- MedReason: Eliciting Reasoning (medreason-x, 2025)"
    assert titled(final, REFERENCES_TITLE) == []


def test_unknown_event_is_a_bug_not_silently_dropped():
    with pytest.raises(ValueError, match="unknown agent event"):
        add_event([], "thought", "hmm")


def test_history_keeps_questions_and_answer_text_only():
    previous_turn = list(turn_messages(ANSWER_EVENTS))[-1]
    # Gradio hands earlier turns back normalised: content as typed parts, metadata possibly None.
    chat = [{"role": "user", "content": [{"type": "text", "text": ANSWER.question}], "metadata": None}] + previous_turn
    assert agent_history(chat) == [
        {"role": "user", "content": ANSWER.question},
        {"role": "assistant", "content": ANSWER.answer},
    ]


class FakeAgent:
    """Scripted events; an exception in the script is raised at that point, as a real failure would be."""

    def __init__(self, script):
        self.script = script
        self.calls = []

    def events(self, question, history):
        self.calls.append((question, history))
        for item in self.script:
            if isinstance(item, Exception):
                raise item
            yield item


class FakeIndex:
    def papers(self):
        return PAPERS


class FakeAssistant(ResearchAssistant):
    """The real API (its checks included) over a scripted agent; no model or index is loaded."""

    def __init__(self, script=(), ingest_result=None):
        super().__init__(settings=Settings(_env_file=None))
        self.agent = FakeAgent(script)
        self.index = FakeIndex()
        self.ingest_result = ingest_result
        self.ingested = []

    def ingest(self, paths, progress=None):
        self.ingested.append(list(paths))
        if isinstance(self.ingest_result, Exception):
            raise self.ingest_result
        return self.ingest_result

    def papers(self):
        return []


def test_turn_streams_every_state_and_passes_the_previous_turns_as_history():
    ra = FakeAssistant(ANSWER_EVENTS)
    chat = [{"role": "user", "content": "What is MedReason?"},
            {"role": "assistant", "content": "", "metadata": {"title": "🔎 search_papers", "status": "done"}},
            {"role": "assistant", "content": "A dataset [1].", "metadata": {}}]
    states = list(answer_turn(ra, "and its size?", chat))
    assert len(states) == len(ANSWER_EVENTS)
    assert states[-1] == list(turn_messages(ANSWER_EVENTS, PAPERS))[-1]
    assert ra.agent.calls == [("and its size?", [{"role": "user", "content": "What is MedReason?"},
                                                 {"role": "assistant", "content": "A dataset [1]."}])]


def test_assistant_error_mid_answer_becomes_a_notice_not_an_exception():
    failure = ProviderError("the model server is unreachable", "start it or use --provider local")
    ra = FakeAssistant([("step", SEARCH), failure])
    with pytest.warns(UserWarning, match="unreachable"):  # gr.Warning outside a request falls back to warnings
        states = list(answer_turn(ra, "How many pairs?", []))
    final = states[-1]
    assert final[0]["metadata"]["status"] == "done"
    assert final[-1] == {
        "role": "assistant",
        "content": "the model server is unreachable — start it or use --provider local",
        "metadata": {"title": ERROR_TITLE},
    }


def test_empty_question_is_a_notice_and_never_reaches_the_agent():
    ra = FakeAssistant(ANSWER_EVENTS)
    with pytest.warns(UserWarning, match="question is empty"):
        states = list(answer_turn(ra, "   ", []))
    notice = "the question is empty — type a question about the indexed papers"
    assert states == [[{"role": "assistant", "content": notice, "metadata": {"title": ERROR_TITLE}}]]
    assert ra.agent.calls == []


def test_upload_reports_counts_and_problems_by_file_name():
    report = IngestReport(added=2, updated=1, skipped=3,
                          problems=[Problem(file="/tmp/gradio/abc123/refs.bib", line=7, message="entry has no title")])
    ra = FakeAssistant(ingest_result=report)
    summary, rows, _ = add_papers(ra, ["/tmp/gradio/abc123/refs.bib"])
    assert summary == ("Added 2, updated 1, skipped 3 (unchanged).\n"
                       "- problem: refs.bib:7: entry has no title")
    assert rows == []
    assert ra.ingested == [["/tmp/gradio/abc123/refs.bib"]]


def test_upload_of_a_file_type_that_is_not_a_paper_is_named_and_left_out():
    ra = FakeAssistant(ingest_result=IngestReport(added=1))
    summary, _, _ = add_papers(ra, ["/tmp/gradio/x1/papers.jsonl", "/tmp/gradio/x2/setup.exe"])
    assert ra.ingested == [["/tmp/gradio/x1/papers.jsonl"]]
    assert summary.splitlines()[0] == "Added 1, updated 0, skipped 0 (unchanged)."
    assert summary.splitlines()[1].startswith("- problem: setup.exe: not a paper file type; upload .txt, .jsonl")


def test_upload_error_is_a_notice():
    ra = FakeAssistant(ingest_result=IndexStoreError("the index folder is read-only", "fix ASSISTANT_INDEX_DIR"))
    with pytest.warns(UserWarning, match="read-only"):
        summary, _, _ = add_papers(ra, ["papers.txt"])
    assert summary == "⚠️ the index folder is read-only — fix ASSISTANT_INDEX_DIR"
