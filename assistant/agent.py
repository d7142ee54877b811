"""Answering: two ways of gathering evidence and text, one ending (`finalize`).

- `plan`: a fixed retrieve → select evidence → write sequence, for models that
  cannot call tools (the bundled 135M model); verified sentences stream as
  they are written, and writing is skipped (the verified quote shown at once)
  when the fitted writer gate expects the quote to be shown anyway;
- `tools`: a LangChain `create_agent` loop over the tools in tools.py; the
  answer is decided over what the tools found, without retrieving again.
Either way the model is never trusted: `finalize.finalize` verifies each
sentence against the evidence it cites and decides answer / unsure / abstain.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from .config import Settings
from .errors import ProviderError
from .evidence import EvidenceLedger
from .finalize import (
    ABSTAIN_PHRASE, MAX_ANSWER_SENTENCES, UNSURE_PHRASE, Draft, evidence_ledger, finalize, gives_answer, no_answer_reason,
    renumber,
)
from .models import Answer, Step
from .prompts import render
from .question import QuestionProfile, is_overview, profile_question
from .resources import provider_label
from .retrieve import ChunkHit, Retriever
from .review import write_review
from .selection import Selection, Selector, WriterGate, load_selector
from .text import split_sentences
from .verify import Verification, verify_answer

__all__ = ["ResearchAgent", "ABSTAIN_PHRASE", "UNSURE_PHRASE"]

_FOLLOW_UP = re.compile(r"^(and|also|what about|how about)\b|\b(it|its|they|their|them|this|that|these|those)\b", re.I)
_RETRIEVE_K = 24
_OVERVIEW_PAPERS = 5


class ResearchAgent:
    def __init__(self, settings: Settings, retriever: Retriever, chat_model=None, selector: Selector | None = None,
                 writer_gate: WriterGate | None = None) -> None:
        """`writer_gate`: when given, a factoid answer is written only if the gate expects the writer's words to
        be shown; without one every answer is written."""
        self.settings = settings
        self.retriever = retriever
        self._chat_model = chat_model
        self.selector = selector or load_selector()
        self.writer_gate = writer_gate

    @property
    def chat_model(self):
        if self._chat_model is None:
            from .llm import make_chat_model  # langchain's model classes load only when a model is asked to write

            self._chat_model = make_chat_model(self.settings)
        return self._chat_model

    # --- public -------------------------------------------------------------
    def ask(self, question: str, history: list[dict]) -> Answer:
        answer = None
        for kind, payload in self.events(question, history):
            if kind == "answer":
                answer = payload
        return answer

    def events(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        """("step", Step), ("text", str) as they happen, then ("answer", Answer)."""
        if is_overview(question):
            overview = self._overview(question)
            if overview is not None:
                yield "step", overview.steps[-1]
                yield from _said(overview)
                return
        mode = self.settings.effective_agent_mode()
        runner = self._run_plan if mode == "plan" else self._run_tools
        yield from runner(question, history)

    def _overview(self, question: str) -> Answer | None:
        """A broad question gets a short cited overview of several papers (the review machinery); None when no
        paper is about it, so the factoid path abstains with the closest papers."""
        review = write_review(question, retriever=self.retriever, selector=self.selector, settings=self.settings,
                              papers=_OVERVIEW_PAPERS)
        if review.status != "success":
            return None
        step = Step(tool="review_papers", args={"topic": question, "papers": _OVERVIEW_PAPERS},
                    summary=f"{len({c.paper_id for c in review.citations})} papers in {len(review.themes)} themes")
        return Answer(question=question, answer=review.text, status="success", citations=review.citations,
                      removed=review.removed, steps=[step], provider=review.provider, timings=review.timings)

    def _retrieval_query(self, question: str, history: list[dict]) -> str:
        """Follow-ups ("and its dataset?") inherit the previous question's subject."""
        previous = [turn["content"] for turn in history if turn.get("role") == "user" and turn.get("content")]
        if previous and _FOLLOW_UP.search(question):
            return f"{previous[-1]} {question}"
        return question

    def _select(self, question: str, query: str, hits: list[ChunkHit]) -> tuple[QuestionProfile, Selection]:
        profile = profile_question(question)
        if query != question:
            profile = _merge_profiles(profile, profile_question(query))
        index = self.retriever.index
        selection = self.selector.select(question, hits, self.retriever.sentence_encoder, index.papers(),
                                         self.settings.evidence_papers, profile,
                                         store=index.derived_dir() / "term_weights.json")
        return profile, selection

    def _finalize(self, draft: Draft) -> Answer:
        return finalize(draft, self.settings.support_min_coverage, self.selector.yes_no)

    # --- plan path (models without tool calling) ------------------------------------
    def _run_plan(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        timings: dict[str, float] = {}
        steps: list[Step] = []
        started = time.perf_counter()
        query = self._retrieval_query(question, history)
        hits = self.retriever.search_chunks(query, _RETRIEVE_K)
        timings["retrieval"] = time.perf_counter() - started
        steps.append(Step(tool="search_papers", args={"query": query, "k": _RETRIEVE_K},
                          summary=f"{len({h.paper.paper_id for h in hits})} papers"))
        yield "step", steps[-1]
        profile, selection = self._select(question, query, hits)
        timings["selection"] = time.perf_counter() - started - timings["retrieval"]
        draft = Draft(question=question, profile=profile, selection=selection, hits=hits, ledger=EvidenceLedger(),
                      steps=steps, provider=provider_label(self.settings), timings=timings)
        if not selection.answers:
            steps.append(Step(tool="select_evidence", args={},
                              summary=f"no evidence answers the question: {no_answer_reason(selection)}"))
            yield "step", steps[-1]
            yield from _said(self._finalize(draft))
            return
        draft.ledger = evidence_ledger(selection, self.settings.evidence_k)
        best = draft.ledger.get(1)
        steps.append(Step(tool="select_evidence", args={"k": len(draft.ledger.items)},
                          summary=f"best evidence P(answers) = {selection.answer_probability:.2f}"))
        yield "step", steps[-1]
        skip = "the finding is the answer" if selection.qtype == "yes_no" else self._not_worth_writing(draft)
        if skip:
            # a yes/no finding is settled by the fitted reader, never by a model's words; a quote the writer
            # would not improve on is shown at once instead of after generation
            steps.append(Step(tool="write_answer", args={}, summary=f"not written: {skip}; the verified quote is "
                                                                    "the answer"))
            yield "step", steps[-1]
            timings["first_text"] = time.perf_counter() - started
            yield from _said(self._finalize(draft))
            return

        from langchain_core.messages import HumanMessage, SystemMessage

        from .llm import stream_text

        evidence_block = "\n".join(f"[{e.n}] ({e.title}) {e.quote}" for e in draft.ledger.items)
        history_block = "".join(f"{t['role']}: {t['content']}\n" for t in history[-4:] if t.get("content"))
        messages = [
            SystemMessage(render("answer.system")),
            HumanMessage(render("answer.user", evidence=evidence_block, question=question,
                                history=f"Conversation so far:\n{history_block}\n" if history_block else "")),
        ]
        generation_started = time.perf_counter()
        draft.verified = Verification()
        streamed: list[str] = []
        verified_upto = 0

        def take(text: str):
            """Verify finished sentences as they arrive; stream those that give the best evidence's answer."""
            result = verify_answer(text, draft.ledger, self.settings.support_min_coverage)
            draft.verified.kept.extend(result.kept)
            draft.verified.removed.extend(result.removed)
            for sentence in result.kept:
                if len(streamed) < MAX_ANSWER_SENTENCES and gives_answer(profile, sentence, best):
                    streamed.append(renumber(sentence, draft.order) + " ")
                    timings.setdefault("first_text", time.perf_counter() - started)
                    yield "text", streamed[-1]

        for token in stream_text(self.chat_model, messages, self.settings):
            draft.written += token
            sentences = split_sentences(draft.written)
            if len(sentences) > verified_upto + 1:
                finished = " ".join(sentences[verified_upto:-1])
                verified_upto = len(sentences) - 1
                yield from take(finished)
        yield from take(" ".join(split_sentences(draft.written)[verified_upto:]))
        timings["generation"] = time.perf_counter() - generation_started
        answer = self._finalize(draft)
        already = "".join(streamed)
        rest = answer.answer[len(already):] if answer.answer.startswith(already.strip()) else ""
        if rest.strip():
            timings.setdefault("first_text", time.perf_counter() - started)
            yield "text", rest
        yield "answer", answer

    def _not_worth_writing(self, draft: Draft) -> str | None:
        """Why the writer is skipped for this answer, or None to write it."""
        if self.writer_gate is None:
            return None
        write, probability = self.writer_gate.worth_writing(draft.provider, draft.selection)
        if write:
            return None
        return f"the writer's words are predicted not to be shown (P = {probability:.2f})"

    # --- tools path (tool-calling models) -------------------------------------------
    def _run_tools(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        from langchain.agents import create_agent
        from langchain_core.messages import AIMessage, HumanMessage

        from .tools import build_tools

        timings: dict[str, float] = {}
        started = time.perf_counter()
        ledger = EvidenceLedger()
        steps: list[Step] = []
        found: list[ChunkHit] = []
        tools = build_tools(self.retriever, ledger, steps, self.selector, self.settings.evidence_papers, found)
        graph = create_agent(self.chat_model, tools, system_prompt=render("agent.system", abstain_phrase=ABSTAIN_PHRASE))
        messages = [HumanMessage(t["content"]) if t["role"] == "user" else AIMessage(t["content"])
                    for t in history if t.get("content")]
        messages.append(HumanMessage(question))
        shown = 0
        final_text = ""
        try:
            for update in graph.stream({"messages": messages}, config={"recursion_limit": 2 * self.settings.agent_max_steps + 1},
                                       stream_mode="values"):
                while shown < len(steps):
                    yield "step", steps[shown]
                    shown += 1
                last = update["messages"][-1]
                if isinstance(last, AIMessage) and not last.tool_calls:
                    final_text = last.text if isinstance(last.text, str) else str(last.content)
        except ProviderError:
            raise
        except Exception as exc:
            from .llm import _provider_error

            if type(exc).__name__ == "GraphRecursionError":
                final_text = ""
            else:
                raise _provider_error(exc, self.settings) from exc
        while shown < len(steps):
            yield "step", steps[shown]
            shown += 1
        timings["generation"] = time.perf_counter() - started
        select_started = time.perf_counter()
        query = self._retrieval_query(question, history)
        if not found:  # the model looked nothing up: search once, for the closest papers
            found = self.retriever.search_chunks(query, _RETRIEVE_K)
        profile, selection = self._select(question, query, found)
        timings["retrieval"] = time.perf_counter() - select_started
        draft = Draft(question=question, profile=profile, selection=selection, hits=found, ledger=ledger, steps=steps,
                      provider=provider_label(self.settings), timings=timings, written=final_text,
                      model_abstained=final_text.strip().startswith(ABSTAIN_PHRASE) or not ledger.items)
        yield from _said(self._finalize(draft))


def _said(answer: Answer) -> Iterator[tuple[str, object]]:
    """An answer decided without streaming: its text, then the Answer."""
    yield "text", answer.answer
    yield "answer", answer


def _merge_profiles(own: QuestionProfile, combined: QuestionProfile) -> QuestionProfile:
    """A follow-up keeps its own kind and attribute but inherits the subject (and wording) of the earlier question."""
    return own.model_copy(update={
        "text": combined.text,
        "entities": sorted(set(own.entities) | set(combined.entities)),
        "context": sorted(set(own.context) | set(combined.context) - set(own.attribute)),
    })
