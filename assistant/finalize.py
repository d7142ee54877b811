"""The one ending of every answer path: verify what was written, decide, assemble the Answer.

The plan path (models without tool calling), the tool-calling path, and later reviews and
manuscript checks each gather a `Draft` and end in `finalize`, so that "nothing shown is
unverified" and the answer / unsure / abstain decision live in one place:

- **abstain** (status "fail"): no indexed paper is about the question's subject; the closest
  papers are listed;
- **unsure** (status "unsure"): papers on the subject exist but no sentence states the asked
  detail; the closest quotes are shown, never dressed as an answer;
- **answer** (status "success"): the verified sentences that give the best evidence's answer,
  or, when nothing written gives it, that evidence quoted with the runner-up sentence of the same
  paper beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .evidence import EvidenceLedger
from .models import Answer, Citation, Evidence, RemovedSentence, SearchHit, Step
from .question import QuestionProfile, bound_numbers
from .retrieve import ChunkHit
from .selection import Selection
from .text import content_words, named_entities, numbers
from .citations import renumber_markers
from .verify import Verification, VerifiedSentence, verify_answer

__all__ = [
    "ABSTAIN_PHRASE", "UNSURE_PHRASE", "MAX_ANSWER_SENTENCES", "Draft", "finalize", "adds_answer", "gives_answer",
    "evidence_ledger", "renumber", "no_answer_reason",
]

ABSTAIN_PHRASE = "The indexed papers do not answer this."
UNSURE_PHRASE = "The indexed papers do not state this; the closest evidence is quoted below."
MAX_ANSWER_SENTENCES = 3
_UNSURE_QUOTES = 2
_CLOSEST_PAPERS = 3


@dataclass
class Draft:
    """What an answer path gathered before the decision.

    `ledger` numbers the evidence the model was shown, as it cited it. `written` is the model's text
    ("" when nothing was generated); a path that already verified it while streaming passes
    `verified` and the citation `order` its streamed text used, so the final answer matches it.
    """

    question: str
    profile: QuestionProfile
    selection: Selection
    hits: list[ChunkHit]
    ledger: EvidenceLedger
    steps: list[Step]
    provider: str
    timings: dict[str, float]
    written: str = ""
    verified: Verification | None = None
    order: dict[int, int] = field(default_factory=dict)
    model_abstained: bool = False


def finalize(draft: Draft, min_coverage: float, yes_no: Callable[[str], str | None]) -> Answer:
    """Decide answer / unsure / abstain for a draft and assemble what is shown.

    `yes_no` reads a finding and returns "yes", "no" or None (unsettled); a yes/no question is
    answered by its finding, quoted, so no model's words can flip it. The time spent here is added
    to the draft's "verification" timing (the plan path verifies part of it while streaming).
    """
    started = time.perf_counter()
    answer = _decide(draft, min_coverage, yes_no)
    answer.timings["verification"] = draft.timings.get("verification", 0.0) + time.perf_counter() - started
    return answer


def _decide(draft: Draft, min_coverage: float, yes_no: Callable[[str], str | None]) -> Answer:
    selection = draft.selection
    if not selection.answers or draft.model_abstained:
        if selection.relevant and selection.ranked:
            return _unsure(draft)
        return _abstain(draft)
    top = selection.ranked[0]
    best = draft.ledger.add(top.paper, top.start, top.end, top.probability)
    if selection.qtype == "yes_no":
        return _assemble(draft, [_decided(best, yes_no), *_runner_up(draft)], [])
    verification = draft.verified or verify_answer(draft.written, draft.ledger, min_coverage)
    answering = [s for s in verification.kept if gives_answer(draft.profile, s, best)]
    not_answering = [
        RemovedSentence(sentence=s.claim, reason="supported, but does not give the best evidence's answer")
        for s in verification.kept if s not in answering
    ]
    shown = answering[:MAX_ANSWER_SENTENCES] or [_quoted(best), *_runner_up(draft)]
    return _assemble(draft, shown, verification.removed + not_answering)


def _runner_up(draft: Draft) -> list[VerifiedSentence]:
    """The runner-up sentence of the best paper, quoted beside the best one (`Selection.runner_up`: the answer
    decision was fitted on the two together). Written sentences that carry the best evidence's answer stand
    alone: they already say what was asked."""
    second = draft.selection.runner_up()
    if second is None:
        return []
    return [_quoted(draft.ledger.add(second.paper, second.start, second.end, second.probability))]


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


def gives_answer(profile: QuestionProfile, sentence: VerifiedSentence, best: Evidence) -> bool:
    """A written sentence is shown only if it cites the best evidence and carries its answer."""
    return best.n in sentence.cited and adds_answer(profile, sentence.claim, best.quote)


def evidence_ledger(selection: Selection, k: int) -> EvidenceLedger:
    """The best k candidates that are statements (not instructions), numbered for citation."""
    ledger = EvidenceLedger()
    for candidate in [c for c in selection.ranked if not c.vetoed][:k]:
        ledger.add(candidate.paper, candidate.start, candidate.end, candidate.probability)
    return ledger


def renumber(sentence: VerifiedSentence, order: dict[int, int]) -> str:
    """Rewrite ledger numbers as 1..m in order of first use (shared by streamed text and the final answer)."""
    for n in sentence.cited:
        order.setdefault(n, len(order) + 1)
    return renumber_markers(sentence.text, order)


# --- the three endings -------------------------------------------------------------------------
def _abstain(draft: Draft) -> Answer:
    return Answer(
        question=draft.question, answer=ABSTAIN_PHRASE, abstained=True, status="fail",
        removed=_removed_with_reason(draft), steps=draft.steps, closest_papers=_closest(draft.hits),
        raw_answer=draft.written, evidence=list(draft.ledger.items), provider=draft.provider, timings=draft.timings,
    )


def _unsure(draft: Draft) -> Answer:
    quotes = evidence_ledger(draft.selection, _UNSURE_QUOTES)
    return Answer(
        question=draft.question, answer=UNSURE_PHRASE, abstained=True, status="unsure",
        citations=[Citation(n=e.n, paper_id=e.paper_id, title=e.title, quote=e.quote) for e in quotes.items],
        removed=_removed_with_reason(draft), steps=draft.steps, closest_papers=_closest(draft.hits),
        raw_answer=draft.written, evidence=list(quotes.items), provider=draft.provider, timings=draft.timings,
    )


def _assemble(draft: Draft, shown: list[VerifiedSentence], removed: list[RemovedSentence]) -> Answer:
    """Renumber the citations actually used, 1..m in order of first use."""
    texts = [renumber(sentence, draft.order) for sentence in shown]
    used = [(draft.ledger.get(old), new) for old, new in draft.order.items()]
    return Answer(
        question=draft.question, answer=" ".join(texts), abstained=False, status="success",
        citations=[Citation(n=new, paper_id=e.paper_id, title=e.title, quote=e.quote) for e, new in used],
        removed=removed, steps=draft.steps, closest_papers=_closest(draft.hits), raw_answer=draft.written,
        evidence=list(draft.ledger.items), provider=draft.provider, timings=draft.timings,
    )


# --- helpers -------------------------------------------------------------------------------------
def _removed_with_reason(draft: Draft) -> list[RemovedSentence]:
    """What the verifier dropped, then why there is no answer."""
    removed = list(draft.verified.removed) if draft.verified else []
    reason = "the model found no evidence that answers it" if draft.model_abstained else no_answer_reason(draft.selection)
    return removed + [RemovedSentence(sentence="(no answer)", reason=reason)]


def no_answer_reason(selection: Selection) -> str:
    """Why the selection gives no answer, in words a reader can check against the probabilities."""
    if not selection.ranked:
        return "nothing relevant is indexed"
    if selection.relevant:
        return (f"the closest papers are about the subject, but no sentence states the asked detail "
                f"(P(answers) = {selection.answer_probability:.2f})")
    return f"no indexed paper is about the question's subject (P(relevant) = {selection.relevance_probability:.2f})"


def _closest(hits: list[ChunkHit]) -> list[SearchHit]:
    seen: dict[str, SearchHit] = {}
    for hit in hits:
        if hit.paper.paper_id not in seen and len(seen) < _CLOSEST_PAPERS:
            seen[hit.paper.paper_id] = SearchHit(
                paper_id=hit.paper.paper_id, title=hit.paper.title, score=round(hit.score, 6),
                year=hit.paper.year, snippet=hit.chunk.text[:200],
            )
    return list(seen.values())


def _quoted(item: Evidence) -> VerifiedSentence:
    """The evidence itself as the answer sentence: exact, so it needs no further check."""
    return VerifiedSentence(text=f"{item.quote.rstrip('.')} [{item.n}].", claim=item.quote, cited=[item.n])


def _decided(best: Evidence, yes_no: Callable[[str], str | None]) -> VerifiedSentence:
    """The finding quoted; "Yes."/"No." in front only when the finding settles it."""
    quoted = _quoted(best)
    decision = yes_no(best.quote)
    if decision is None:
        return quoted
    return VerifiedSentence(text=f"{decision.capitalize()}. {quoted.text}", claim=quoted.claim, cited=quoted.cited)
