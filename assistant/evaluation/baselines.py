"""Baselines every report compares the product with; both return Answer objects so every metric applies.

* extractive: the abstract sentence closest to the question (cosine over the
  sentences of the top-3 retrieved papers), cited, never abstains; the floor a
  product must beat on facts.
* plain RAG: top-3 abstracts + the same chat model, no verifier; [n] markers
  map to those papers, and an answer without markers cites all three, as a
  plain RAG app lists its sources. It has no abstention mechanism.
"""

from __future__ import annotations

import time

from langchain_core.messages import HumanMessage

from ..llm import invoke_text, make_chat_model, provider_label
from ..citations import cited_numbers
from ..models import Answer, Citation, Evidence, Paper, SearchHit
from ..prompts import render
from ..retrieve import ChunkHit
from ..text import sentence_spans

__all__ = ["ExtractiveBaseline", "PlainRagBaseline", "top_papers"]

_TOP_PAPERS = 3
_RETRIEVE_K = 24


def top_papers(hits: list[ChunkHit], k: int = _TOP_PAPERS) -> list[Paper]:
    papers: dict[str, Paper] = {}
    for hit in hits:
        if len(papers) < k:
            papers.setdefault(hit.paper.paper_id, hit.paper)
    return list(papers.values())


def _closest(papers: list[Paper]) -> list[SearchHit]:
    return [SearchHit(paper_id=p.paper_id, title=p.title, score=0.0, year=p.year, snippet=p.text[:200]) for p in papers]


class ExtractiveBaseline:
    name = "extractive"

    def __init__(self, ra) -> None:
        self.ra = ra

    def answer(self, question: str) -> tuple[Answer, list[Evidence]]:
        started = time.perf_counter()
        papers = top_papers(self.ra.retriever.search_chunks(question, _RETRIEVE_K))
        spans = [(paper, start, end) for paper in papers for start, end in sentence_spans(paper.text)]
        if not spans:
            return Answer(question=question, answer="", provider=self.name), []
        vectors = self.ra.embedder.encode([question, *(p.text[s:e] for p, s, e in spans)])
        best = int((vectors[1:] @ vectors[0]).argmax())
        paper, start, end = spans[best]
        quote = paper.text[start:end]
        evidence = Evidence(n=1, paper_id=paper.paper_id, title=paper.title, quote=quote, start=start, end=end)
        text = f"{quote.rstrip('.')} [1]."
        return Answer(
            question=question, answer=text, raw_answer=text, provider=self.name, closest_papers=_closest(papers),
            citations=[Citation(n=1, paper_id=paper.paper_id, title=paper.title, quote=quote)],
            timings={"total": time.perf_counter() - started},
        ), [evidence]


class PlainRagBaseline:
    name = "plain_rag"

    def __init__(self, ra) -> None:
        self.ra = ra
        self._model = None

    def answer(self, question: str) -> tuple[Answer, list[Evidence]]:
        settings = self.ra.settings
        if self._model is None:
            self._model = make_chat_model(settings)
        started = time.perf_counter()
        papers = top_papers(self.ra.retriever.search_chunks(question, _RETRIEVE_K))
        shown = [Evidence(n=i, paper_id=p.paper_id, title=p.title, quote=p.text, start=0, end=len(p.text))
                 for i, p in enumerate(papers, start=1)]
        retrieved = time.perf_counter()
        prompt = render("plain_rag.user", evidence="\n\n".join(f"[{e.n}] {e.title}\n{e.quote}" for e in shown),
                        question=question)
        text = invoke_text(self._model, [HumanMessage(prompt)], settings).strip()
        done = time.perf_counter()
        by_n = {e.n: e for e in shown}
        markers = cited_numbers(text) or list(by_n)  # no markers: a plain RAG app lists its retrieved papers as the sources
        citations = [
            Citation(n=n, paper_id=by_n[n].paper_id, title=by_n[n].title, quote=by_n[n].quote) if n in by_n
            else Citation(n=n, paper_id=f"(no source [{n}])", title="", quote="")  # scored as fabricated
            for n in markers
        ]
        return Answer(
            question=question, answer=text, raw_answer=text, citations=citations, closest_papers=_closest(papers),
            provider=f"{self.name}:{provider_label(settings)}",
            timings={"retrieval": retrieved - started, "generation": done - retrieved},
        ), shown
