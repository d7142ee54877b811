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
from .evidence import EvidenceLedger
from .llm import make_chat_model, provider_label, stream_text
from .models import Answer, Citation, Evidence, RemovedSentence, SearchHit, Step
from .prompts import render
from .question import QuestionProfile, bound_numbers, profile_question
from .retrieve import ChunkHit, Retriever
from .selection import Selection, Selector, load_selector
from .text import content_words, named_entities, numbers, split_sentences
from .verify import MARKER, VerifiedSentence, verify_answer

__all__ = ["ResearchAgent", "ABSTAIN_PHRASE", "UNSURE_PHRASE"]

ABSTAIN_PHRASE = "The indexed papers do not answer this."
UNSURE_PHRASE = "The indexed papers do not state this; the closest evidence is quoted below."
_UNSURE_QUOTES = 2
_FOLLOW_UP = re.compile(r"^(and|also|what about|how about)\b|\b(it|its|they|their|them|this|that|these|those)\b", re.I)
_RETRIEVE_K = 24
_MAX_ANSWER_SENTENCES = 3


class ResearchAgent:
    def __init__(self, settings: Settings, retriever: Retriever, chat_model=None, selector: Selector | None = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self._chat_model = chat_model
        self.selector = selector or load_selector()

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
        """Nothing indexed is about this: say so and list the closest papers (status "fail")."""
        return Answer(
            question=question, answer=ABSTAIN_PHRASE, abstained=True, status="fail",
            removed=removed + [RemovedSentence(sentence="(no answer)", reason=reason)] if reason else removed,
            steps=steps, closest_papers=self._closest(hits), raw_answer=raw,
            evidence=list(ledger.items) if ledger else [],
            provider=provider_label(self.settings), timings=timings,
        )

    def _unsure(self, question, reason, selection: Selection, hits, steps, timings) -> Answer:
        """Relevant papers exist but none states the asked detail: show the closest quotes, never as an answer."""
        ledger = _ledger_of(selection, _UNSURE_QUOTES)
        return Answer(
            question=question, answer=UNSURE_PHRASE, abstained=True, status="unsure",
            citations=[Citation(n=e.n, paper_id=e.paper_id, title=e.title, quote=e.quote) for e in ledger.items],
            removed=[RemovedSentence(sentence="(no answer)", reason=reason)], steps=steps,
            closest_papers=self._closest(hits), evidence=list(ledger.items),
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

    def _finish(self, profile, kept, ledger, best: Evidence | None):
        """Keep verified sentences that give the best evidence's answer; else quote the best evidence.

        A written sentence must cite the best evidence and add the detail asked for (its number, its
        new name, or words the question did not already say): a small model that restates the question
        or picks another candidate is wrong more often than not.
        """
        answering = [s for s in kept if best is not None and _gives(profile, s, best)]
        removed = [
            RemovedSentence(sentence=s.claim, reason="supported, but does not give the best evidence's answer")
            for s in kept if s not in answering
        ]
        if answering:
            return answering[:_MAX_ANSWER_SENTENCES], removed
        if best is None:
            return [], removed
        return [_quoted(best)], removed

    def _decided(self, best: Evidence) -> VerifiedSentence:
        """A yes/no question is answered by its finding, quoted; "Yes."/"No." only when the finding settles it."""
        quoted = _quoted(best)
        decision = self.selector.yes_no(best.quote)
        if decision is None:
            return quoted
        return VerifiedSentence(text=f"{decision.capitalize()}. {quoted.text}", claim=quoted.claim, cited=quoted.cited)

    def _select(self, question: str, query: str, hits: list[ChunkHit]) -> tuple[QuestionProfile, Selection]:
        profile = profile_question(question)
        if query != question:
            profile = _merge_profiles(profile, profile_question(query))
        selection = self.selector.select(question, hits, self.retriever.embedder, self.retriever.index.papers(),
                                         self.settings.evidence_papers, profile)
        return profile, selection

    # --- plan path (models without tool calling) ------------------------------------
    def _run_plan(self, question: str, history: list[dict]) -> Iterator[tuple[str, object]]:
        timings: dict[str, float] = {}
        steps: list[Step] = []
        started = time.perf_counter()
        query = self._retrieval_query(question, history)
        hits = self.retriever.search_chunks(query, _RETRIEVE_K)
        steps.append(Step(tool="search_papers", args={"query": query, "k": _RETRIEVE_K},
                          summary=f"{len({h.paper.paper_id for h in hits})} papers"))
        yield "step", steps[-1]
        profile, selection = self._select(question, query, hits)
        timings["retrieval"] = time.perf_counter() - started
        if not selection.answers:
            verdict = _verdict(selection)
            steps.append(Step(tool="select_evidence", args={}, summary=f"no evidence answers the question: {verdict}"))
            yield "step", steps[-1]
            if selection.relevant and selection.ranked:
                answer = self._unsure(question, verdict, selection, hits, steps, timings)
            else:
                answer = self._abstain(question, verdict, hits, steps, [], "", timings)
            yield "text", answer.answer
            yield "answer", answer
            return
        ledger = _ledger_of(selection, self.settings.evidence_k)
        best = ledger.get(1)
        steps.append(Step(tool="select_evidence", args={"k": len(ledger.items)},
                          summary=f"best evidence P(answers) = {selection.answer_probability:.2f}"))
        yield "step", steps[-1]
        if selection.qtype == "yes_no":
            # the finding is the answer; no model's words can settle yes or no better than the fitted reader
            final = [self._decided(best)]
            timings["first_text"] = time.perf_counter() - started
            answer = self._assemble(question, final, ledger, steps, hits, [], "", timings)
            yield "text", answer.answer
            yield "answer", answer
            return

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
                if len(streamed) < _MAX_ANSWER_SENTENCES and _gives(profile, sentence, best):
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
        final, not_answering = self._finish(profile, kept, ledger, best)
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
        tools = build_tools(self.retriever, ledger, steps, self.selector, self.settings.evidence_papers)
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
        verify_started = time.perf_counter()
        query = self._retrieval_query(question, history)
        hits = self.retriever.search_chunks(query, _RETRIEVE_K)
        if final_text.strip().startswith(ABSTAIN_PHRASE) or not ledger.items:
            answer = self._abstain(question, "the model found no evidence that answers it", hits, steps, [],
                                   final_text, timings, ledger)
            yield "text", answer.answer
            yield "answer", answer
            return
        profile, selection = self._select(question, query, hits)
        result = verify_answer(final_text, ledger, self.settings.support_min_coverage)
        best = None
        if selection.answers:
            top = selection.ranked[0]
            best = ledger.add(top.paper, top.start, top.end)
        final, not_answering = self._finish(profile, result.kept, ledger, best)
        timings["verification"] = time.perf_counter() - verify_started
        if not final:
            answer = self._abstain(question, "no supported sentence answers the question", hits, steps,
                                   result.removed + not_answering, final_text, timings, ledger)
        else:
            answer = self._assemble(question, final, ledger, steps, hits, result.removed + not_answering, final_text, timings)
        yield "text", answer.answer
        yield "answer", answer


def adds_answer(profile: QuestionProfile, claim: str, quote: str) -> bool:
    """Does a written claim give the answer its evidence states, beyond the question's own words?

    The evidence's new numbers (for a number question, the one bound to the asked noun), its new
    names, or else its new content words: a claim must carry at least one, so "X does Y [1]" asked
    as "how does X do Y?" adds nothing and is not an answer.
    """
    asked_words = content_words(profile.text)
    if profile.kind in ("count", "quantity"):
        expected = bound_numbers(profile, quote) or (numbers(quote) - numbers(profile.text))
        return bool(expected & numbers(claim))
    new_names = named_entities(quote) - named_entities(profile.text)
    if new_names:
        return bool(new_names & named_entities(claim))
    new_words = content_words(quote) - asked_words
    return len(content_words(claim) & new_words) >= 2


def _gives(profile: QuestionProfile, sentence: VerifiedSentence, best: Evidence) -> bool:
    """A written sentence is shown only if it cites the best evidence and carries its answer."""
    return best.n in sentence.cited and adds_answer(profile, sentence.claim, best.quote)


def _ledger_of(selection: Selection, k: int) -> EvidenceLedger:
    """The best k candidates that are statements (not instructions), numbered for citation."""
    ledger = EvidenceLedger()
    for candidate in [c for c in selection.ranked if not c.vetoed][:k]:
        ledger.add(candidate.paper, candidate.start, candidate.end, candidate.probability)
    return ledger


def _quoted(item: Evidence) -> VerifiedSentence:
    """The evidence itself as the answer sentence: exact, so it needs no further check."""
    return VerifiedSentence(text=f"{item.quote.rstrip('.')} [{item.n}].", claim=item.quote, cited=[item.n])


def _verdict(selection: Selection) -> str:
    if not selection.ranked:
        return "nothing relevant is indexed"
    if selection.relevant:
        return (f"the closest papers are about the subject, but no sentence states the asked detail "
                f"(P(answers) = {selection.answer_probability:.2f})")
    return f"no indexed paper is about the question's subject (P(relevant) = {selection.relevance_probability:.2f})"


def _renumber(sentence: VerifiedSentence, order: dict[int, int]) -> str:
    """Rewrite ledger numbers as 1..m in order of first use (shared by streaming and the final answer)."""
    for n in sentence.cited:
        order.setdefault(n, len(order) + 1)
    return MARKER.sub(
        lambda m: "[" + ", ".join(str(order[int(n)]) for n in re.split(r"[,;]", m.group(1))) + "]", sentence.text
    )


def _merge_profiles(own: QuestionProfile, combined: QuestionProfile) -> QuestionProfile:
    """A follow-up keeps its own kind and attribute but inherits the subject (and wording) of the earlier question."""
    return own.model_copy(update={
        "text": combined.text,
        "entities": sorted(set(own.entities) | set(combined.entities)),
        "context": sorted(set(own.context) | set(combined.context) - set(own.attribute)),
    })

