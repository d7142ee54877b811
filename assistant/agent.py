"""Answering: retrieve, select evidence, write, verify, then present or abstain.

Two paths share the evidence ledger, the verifier and the Answer format:
- `plan`: a fixed retrieve → select evidence → answer → verify sequence, for
  models that cannot call tools (the bundled 135M model);
- `tools`: a LangChain `create_agent` loop over the tools in tools.py.
Either way the model is never trusted: each sentence it writes is checked
against the evidence it cites, and when nothing supported answers the
question the assistant abstains with the closest papers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from .config import Settings
from .errors import ProviderError
from .evidence import EvidenceLedger, ScoredSentence, rank_sentences
from .llm import invoke_text, make_chat_model, provider_label, stream_text
from .models import Answer, Citation, Evidence, RemovedSentence, SearchHit, Step
from .prompts import render
from .question import QuestionProfile, answers_question, profile_question, restates_answer
from .retrieve import ChunkHit, Retriever
from .text import split_sentences
from .verify import MARKER, VerifiedSentence, verify_answer

__all__ = ["ResearchAgent", "ABSTAIN_PHRASE"]

ABSTAIN_PHRASE = "The indexed papers do not answer this."
_FOLLOW_UP = re.compile(r"^(and|also|what about|how about)\b|\b(it|its|they|their|them|this|that|these|those)\b", re.I)
_RETRIEVE_K = 24
_MAX_ANSWER_SENTENCES = 3


class ResearchAgent:
    def __init__(self, settings: Settings, retriever: Retriever, chat_model=None) -> None:
        self.settings = settings
        self.retriever = retriever
        self._chat_model = chat_model

    @property
    def chat_model(self):
        if self._chat_model is None:
            self._chat_model = make_chat_model(self.settings)
        return self._chat_model

    # --- public -------------------------------------------------------------
    def ask(self, question: str, history: list[dict]) -> Answer:
        answer = None
        for kind, payload in self._run(question, history):
            if kind == "answer":
                answer = payload
        return answer

    def stream(self, question: str, history: list[dict]) -> Iterator[str]:
        for kind, payload in self._run(question, history):
            if kind == "text":
                yield payload

    def events(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        """("step", Step), ("text", str) as they happen, then ("answer", Answer): for the UI."""
        yield from self._run(question, history)

    # --- shared machinery ---------------------------------------------------------
    def _run(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        mode = self.settings.effective_agent_mode()
        runner = self._run_plan if mode == "plan" else self._run_tools
        yield from runner(question, history)

    def _retrieval_query(self, question: str, history: list[dict]) -> str:
        """Follow-ups ("and its dataset?") inherit the previous question's subject."""
        previous = [turn["content"] for turn in history if turn.get("role") == "user" and turn.get("content")]
        if previous and _FOLLOW_UP.search(question):
            return f"{previous[-1]} {question}"
        return question

    def _closest(self, hits: list[ChunkHit], k: int = 3) -> list[SearchHit]:
        seen: dict[str, SearchHit] = {}
        for hit in hits:
            if hit.paper.paper_id not in seen and len(seen) < k:
                seen[hit.paper.paper_id] = SearchHit(
                    paper_id=hit.paper.paper_id, title=hit.paper.title, score=round(hit.score, 6),
                    year=hit.paper.year, snippet=hit.chunk.text[:200],
                )
        return list(seen.values())

    def _abstain(self, question, reason, hits, steps, removed, raw, timings, ledger=None) -> Answer:
        return Answer(
            question=question, answer=ABSTAIN_PHRASE, abstained=True, status="unsure",
            removed=removed + [RemovedSentence(sentence="(no answer)", reason=reason)] if reason else removed,
            steps=steps, closest_papers=self._closest(hits), raw_answer=raw,
            evidence=list(ledger.items) if ledger else [],
            provider=provider_label(self.settings), timings=timings,
        )

    def _assemble(self, question, kept, ledger, steps, hits, removed, raw, timings, order=None) -> Answer:
        """Renumber the citations actually used, 1..m in order of first use."""
        order = {} if order is None else order
        texts = [_renumber(sentence, order) for sentence in kept]
        citations = [
            Citation(n=new, paper_id=ledger.get(old).paper_id, title=ledger.get(old).title, quote=ledger.get(old).quote)
            for old, new in order.items()
        ]
        return Answer(
            question=question, answer=" ".join(texts), abstained=False, status="success", citations=citations,
            removed=removed, steps=steps, closest_papers=self._closest(hits), raw_answer=raw,
            evidence=list(ledger.items), provider=provider_label(self.settings), timings=timings,
        )

    def _answers(
        self, profile: QuestionProfile, sentence: VerifiedSentence, ledger: EvidenceLedger, best: Evidence | None = None
    ) -> bool:
        """A verified sentence answers when it restates the answer of an evidence sentence it cites
        and, when the plan ranked the evidence, the answer of the best one: a small model that picks
        another candidate ("built on BioMedGPT-10B" for "based on Llama2") is wrong more often than not.
        """
        cited = any(_restates(profile, sentence, ledger.get(n), ledger) for n in sentence.cited)
        return cited and (best is None or _restates(profile, sentence, best, ledger))

    def _finish(self, profile, kept, ledger, fallback: ScoredSentence | None, best: Evidence | None = None):
        """Keep verified sentences; the first must answer the question, else quote the best evidence."""
        restating = [s for s in kept if self._answers(profile, s, ledger)]
        answering = [s for s in restating if best is None or _restates(profile, s, best, ledger)]
        removed = [
            RemovedSentence(sentence=s.claim, reason="supported, but gives another answer than the best evidence"
                            if s in restating else "supported but does not answer the question")
            for s in kept if s not in answering
        ]
        if answering:
            return answering[:_MAX_ANSWER_SENTENCES], removed
        if fallback is None:
            return [], removed
        item = ledger.add(fallback.paper, fallback.start, fallback.end)
        quote = item.quote.rstrip(".")
        return [VerifiedSentence(text=f"{quote} [{item.n}].", claim=item.quote, cited=[item.n])], removed

    # --- plan path (models without tool calling) ------------------------------------
    def _run_plan(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        timings: dict[str, float] = {}
        steps: list[Step] = []
        started = time.perf_counter()
        query = self._retrieval_query(question, history)
        profile = profile_question(question)
        if query != question:
            profile = _merge_profiles(profile, profile_question(query))
        hits = self.retriever.search_chunks(query, _RETRIEVE_K)
        steps.append(Step(tool="search_papers", args={"query": query, "k": _RETRIEVE_K},
                          summary=f"{len({h.paper.paper_id for h in hits})} papers"))
        yield "step", steps[-1]
        ranked = rank_sentences(profile, hits, self.retriever.embedder, self.settings.evidence_papers,
                                self.settings.answerability_min_coverage)
        timings["retrieval"] = time.perf_counter() - started
        answering = [s for s in ranked if s.answers]
        if not answering:
            top_paper = hits[0].paper.paper_id if hits else None
            reason = next((s.reason for s in ranked if s.paper.paper_id == top_paper), "nothing relevant is indexed")
            steps.append(Step(tool="select_evidence", args={}, summary=f"no evidence answers the question: {reason}"))
            yield "step", steps[-1]
            answer = self._abstain(question, reason, hits, steps, [], "", timings)
            yield "text", answer.answer
            yield "answer", answer
            return
        ledger = EvidenceLedger()
        for sentence in (answering[:3] + [s for s in ranked if not s.answers])[: self.settings.evidence_k]:
            ledger.add(sentence.paper, sentence.start, sentence.end, sentence.score)
        best = ledger.get(1)  # answering[0], the best-ranked sentence that answers
        steps.append(Step(tool="select_evidence", args={"k": len(ledger.items)},
                          summary=f"{len(answering)} sentences answer the question"))
        yield "step", steps[-1]

        evidence_block = "\n".join(f"[{e.n}] ({e.title}) {e.quote}" for e in ledger.items)
        history_block = "".join(f"{t['role']}: {t['content']}\n" for t in history[-4:] if t.get("content"))
        messages = [
            SystemMessage(render("answer.system")),
            HumanMessage(render("answer.user", evidence=evidence_block, question=question,
                                history=f"Conversation so far:\n{history_block}\n" if history_block else "")),
        ]
        generation_started = time.perf_counter()
        raw, kept, removed, streamed = "", [], [], []
        order: dict[int, int] = {}
        verified_upto = 0

        def take(text: str):
            result = verify_answer(text, ledger, self.settings.support_min_coverage)
            kept.extend(result.kept)
            removed.extend(result.removed)
            for sentence in result.kept:
                if len(streamed) < _MAX_ANSWER_SENTENCES and self._answers(profile, sentence, ledger, best):
                    streamed.append(sentence)
                    timings.setdefault("first_text", time.perf_counter() - started)
                    yield "text", _renumber(sentence, order) + " "

        for token in stream_text(self.chat_model, messages, self.settings):
            raw += token
            sentences = split_sentences(raw)
            if len(sentences) > verified_upto + 1:
                finished = " ".join(sentences[verified_upto:-1])
                verified_upto = len(sentences) - 1
                yield from take(finished)
        yield from take(" ".join(split_sentences(raw)[verified_upto:]))
        timings["generation"] = time.perf_counter() - generation_started
        verify_started = time.perf_counter()
        final, not_answering = self._finish(profile, kept, ledger, answering[0], best)
        timings["verification"] = time.perf_counter() - verify_started
        for sentence in final[len(streamed):]:
            timings.setdefault("first_text", time.perf_counter() - started)
            yield "text", _renumber(sentence, order) + " "
        answer = self._assemble(question, final, ledger, steps, hits, removed + not_answering, raw, timings, order)
        yield "answer", answer

    # --- tools path (tool-calling models) -------------------------------------------
    def _run_tools(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        from langchain.agents import create_agent

        from .tools import build_tools

        timings: dict[str, float] = {}
        started = time.perf_counter()
        ledger = EvidenceLedger()
        steps: list[Step] = []
        tools = build_tools(self.retriever, ledger, steps, self.settings.answerability_min_coverage)
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
        profile = profile_question(self._retrieval_query(question, history))
        verify_started = time.perf_counter()
        hits = self.retriever.search_chunks(self._retrieval_query(question, history), _RETRIEVE_K)
        if final_text.strip().startswith(ABSTAIN_PHRASE) or not ledger.items:
            answer = self._abstain(question, "the model found no evidence that answers it", hits, steps, [],
                                   final_text, timings, ledger)
            yield "text", answer.answer
            yield "answer", answer
            return
        result = verify_answer(final_text, ledger, self.settings.support_min_coverage)
        candidates = [ScoredSentence(ledger.papers[e.paper_id], e.start, e.end, e.score, True, "")
                      for e in ledger.items
                      if answers_question(profile, e.quote, ledger.papers[e.paper_id], self.settings.answerability_min_coverage)[0]]
        final, not_answering = self._finish(profile, result.kept, ledger, candidates[0] if candidates else None)
        timings["verification"] = time.perf_counter() - verify_started
        if not final:
            answer = self._abstain(question, "no supported sentence answers the question", hits, steps,
                                   result.removed + not_answering, final_text, timings, ledger)
        else:
            answer = self._assemble(question, final, ledger, steps, hits, result.removed + not_answering, final_text, timings)
        yield "text", answer.answer
        yield "answer", answer


def _restates(profile: QuestionProfile, sentence: VerifiedSentence, evidence: Evidence, ledger: EvidenceLedger) -> bool:
    return restates_answer(profile, sentence.claim, evidence.quote, ledger.papers[evidence.paper_id])


def _renumber(sentence: VerifiedSentence, order: dict[int, int]) -> str:
    """Rewrite ledger numbers as 1..m in order of first use (shared by streaming and the final answer)."""
    for n in sentence.cited:
        order.setdefault(n, len(order) + 1)
    return MARKER.sub(
        lambda m: "[" + ", ".join(str(order[int(n)]) for n in re.split(r"[,;]", m.group(1))) + "]", sentence.text
    )


def _merge_profiles(own: QuestionProfile, combined: QuestionProfile) -> QuestionProfile:
    """A follow-up keeps its own attribute but inherits the subject of the earlier question."""
    return own.model_copy(update={
        "entities": sorted(set(own.entities) | set(combined.entities)),
        "context": sorted(set(own.context) | set(combined.context) - set(own.attribute)),
    })

