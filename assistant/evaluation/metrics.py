"""Metrics over recorded eval results, kept in one registry.

A metric is a function `(record, context) -> Verdict | None` registered with
`@metric(...)`; None means "does not apply to this item" (an answerable-only
metric on an unanswerable question, a citation metric on an abstention).
Verdicts carry a numerator and denominator that the registry's aggregator
pools over items, so a metric whose denominator is 0 reports None ("n/a"),
never NaN. Adding a metric is one decorated function here; the runner, the
results.json and the report pick it up from `METRICS`.

Edge cases, decided once:
* abstentions (and system errors, recorded as abstentions) are excluded from
  every answer-quality metric and scored only by the abstention metrics;
* citation recall/precision skip sentences under 50 characters (ScholarQABench);
  the unsupported-claim rate counts every shown sentence;
* an uncited sentence is unsupported (citation recall 0, no precision entries);
* a marker written after the full stop belongs to the sentence before it.

Independence: nothing here imports the product's answering code (question,
verify, selection, agent, retrieve) or its text utilities. Sentences, words and
numbers are read by the eval's own `text_rules`, citation markers by the neutral
`assistant.citations`, and support is decided by the judge in the `Context`
(by default the eval's own `LexicalJudge`, never the verifier).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from ..citations import MARKER, attach_markers, cited_numbers, strip_markers
from ..models import Answer, Evidence, Paper
from .gold import EvalItem
from .judges import LexicalJudge, SupportJudge
from .text_rules import content_stems, number_spans, numbers, split_sentences, stem, words

__all__ = [
    "Record", "Context", "Verdict", "Metric", "METRICS", "metric", "score_record", "aggregate", "summarise",
    "cited_sentences", "answer_present", "overlaps_gold", "MIN_CITATION_SENTENCE_CHARS",
]

MIN_CITATION_SENTENCE_CHARS = 50
_NUMBER_WINDOW = 5  # words either side of a gold number that say what it counts or measures
_QUESTION_STEMS = {stem(w) for w in "how many much large big long fast far number amount total exactly "
                   "approximately roughly report reported according state stated paper study authors".split()}
_NUMERIC_ANSWER = re.compile(  # "32,682", "over 5.6M", "61 percent", "9-teams"; not a name like "3DSeg-8"
    r"^(?:(?:about|around|approximately|roughly|nearly|over|more than|less than|up to)\s+)?"
    r"[\d.,]+(?:\s*(?:%|\+|[kmb]|th)\b|%|\+)?(?:[\s-].*)?$",
    re.I,
)


class Record(BaseModel):
    """One system's answer to one gold item, as results.json stores it."""

    system: str
    item: EvalItem
    answer: Answer
    shown_evidence: list[Evidence] | None = Field(
        default=None, description="what the model was shown, when the system exposes it (baselines do)"
    )
    wall_seconds: float = 0.0
    error: str | None = None


@dataclass
class Context:
    papers: dict[str, Paper]
    judge: SupportJudge = field(default_factory=LexicalJudge)


@dataclass
class Verdict:
    num: float
    den: float = 1.0
    detail: str = ""


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[[Record, Context], Verdict | None]
    description: str
    fmt: str = "pct"  # pct | count | seconds | mean
    aggregate: str = "ratio"  # ratio | sum | p50 | p95 | mean
    uses_judge: bool = False
    gated: bool = True  # False: reported only (depends on a proxy or an optional judge)


METRICS: dict[str, Metric] = {}


def metric(name: str, description: str, **options) -> Callable:
    def register(fn: Callable[[Record, Context], Verdict | None]):
        METRICS[name] = Metric(name=name, fn=fn, description=description, **options)
        return fn

    return register


# --- helpers ---------------------------------------------------------------------------
def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(claim without markers, cited numbers) per sentence; a marker after the stop joins the sentence before."""
    out = []
    for sentence in split_sentences(attach_markers(text.strip())):
        claim = strip_markers(sentence)
        if claim:
            out.append((claim, cited_numbers(sentence)))
    return out


def answer_present(item: EvalItem, text: str) -> bool:
    """Case-insensitive substring for names; equal normalised numbers for numeric answers."""
    lowered = text.lower()
    found = numbers(text)
    for accepted in item.answers:
        if not _NUMERIC_ANSWER.match(accepted):
            if accepted.lower() in lowered:
                return True
            continue
        # a numeric answer must not match inside another number: "65" is not in "165", "0.65" or "65%"
        if re.search(rf"(?<![\w.,]){re.escape(accepted.lower())}(?![\w%]|[.,]\d)", lowered):
            return True
        if numbers(accepted) and numbers(accepted) <= found:
            return True
    return False


_STATED_DECISION = re.compile(r"^\W*(yes|no)\b", re.I)


def stated_decision(text: str) -> str | None:
    """"yes" or "no" when the answer opens with one, else None (it quotes without deciding)."""
    match = _STATED_DECISION.match(text)
    return match.group(1).lower() if match else None


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def overlaps_gold(quote: str, gold_sentences: list[str]) -> bool:
    """The quote and one gold sentence overlap: either contains the other (sentence splitters differ)."""
    quote = _normalised(quote)
    return bool(quote) and any(quote in g or g in quote for g in map(_normalised, gold_sentences) if g)


def quotes_evidence(item: EvalItem, record: Record) -> bool:
    """A cited quote of the gold paper overlaps one of the item's gold sentences."""
    return any(c.paper_id == item.paper_id and overlaps_gold(c.quote, item.evidence) for c in record.answer.citations)


def _answered(record: Record) -> bool:
    return not record.answer.abstained and record.error is None


def _evidence_for(record: Record, cited: list[int]) -> list[list[str]] | None:
    """Texts (quote + title) per cited number; None if a number resolves to nothing."""
    by_n = {c.n: c for c in record.answer.citations}
    texts = []
    for n in cited:
        citation = by_n.get(n)
        if citation is None or not citation.quote:
            return None
        texts.append([citation.quote, citation.title])
    return texts


def _supported(judge: SupportJudge, claim: str, evidence: list[list[str]]) -> bool:
    return judge.supports(claim, [text for texts in evidence for text in texts])


def _citation_scores(record: Record, judge: SupportJudge) -> tuple[int, int, int, int]:
    """ALCE per sentence: (supported sentences, sentences, precise citations, citations)."""
    supported = sentences = precise = total = 0
    for claim, cited in cited_sentences(record.answer.answer):
        if len(claim) < MIN_CITATION_SENTENCE_CHARS:
            continue
        sentences += 1
        evidence = _evidence_for(record, cited) if cited else None
        total += len(cited)
        if not evidence:
            continue  # uncited or citing nothing real: unsupported, its citations imprecise
        joint = _supported(judge, claim, evidence)
        supported += joint
        if not joint:
            continue
        if len(evidence) == 1:
            precise += 1
            continue
        for i in range(len(evidence)):
            alone = _supported(judge, claim, [evidence[i]])
            rest_suffices = _supported(judge, claim, evidence[:i] + evidence[i + 1:])
            precise += alone or not rest_suffices
    return supported, sentences, precise, total


def _fact_failure(record: Record, present: bool, gold_cited: bool) -> str:
    cited = sorted({c.paper_id for c in record.answer.citations})
    if record.error:
        return f"error: {record.error}"
    if record.answer.abstained:
        reason = next((r.reason for r in record.answer.removed if r.sentence == "(no answer)"), "no reason given")
        return f"abstained wrongly ({reason})"
    if not cited:
        return "answered without citations"
    if present:
        return "answer right but gold paper not cited"
    if gold_cited:
        return "gold paper cited but accepted answer missing"
    return "wrong paper cited"


# --- answer quality -------------------------------------------------------------------------
def _right_fact(record: Record) -> bool:
    """The accepted answer is present (or, with no short answer, a gold sentence is quoted), and any
    yes/no the answer states agrees with the gold decision."""
    item = record.item
    if not _answered(record):
        return False
    if item.answers:
        present = answer_present(item, record.answer.answer)
    else:
        present = quotes_evidence(item, record)
    stated = stated_decision(record.answer.answer)
    return present and (stated is None or stated == item.decision)


@metric("fact_accuracy", "accepted answer present (or a gold sentence quoted), no wrong yes/no, and gold paper "
                         "cited, over all fact questions")
def fact_accuracy(record: Record, ctx: Context) -> Verdict | None:
    if not record.item.answerable:
        return None
    present = _right_fact(record)
    gold_cited = any(c.paper_id == record.item.paper_id for c in record.answer.citations)
    if present and gold_cited:
        return Verdict(1, detail="correct")
    return Verdict(0, detail=_fact_failure(record, present, gold_cited))


@metric("gold_paper_cited", "answered fact questions whose citations include the gold paper")
def gold_paper_cited(record: Record, ctx: Context) -> Verdict | None:
    if not record.item.answerable or not _answered(record):
        return None
    return Verdict(float(any(c.paper_id == record.item.paper_id for c in record.answer.citations)))


@metric("decision_stated", "yes/no questions whose answer opens with yes or no", gated=False)
def decision_stated(record: Record, ctx: Context) -> Verdict | None:
    if not record.item.answerable or record.item.decision is None or not _answered(record):
        return None
    return Verdict(float(stated_decision(record.answer.answer) is not None))


@metric("decision_accuracy", "stated yes/no that agrees with the gold decision (maybe: any yes/no is wrong)")
def decision_accuracy(record: Record, ctx: Context) -> Verdict | None:
    stated = stated_decision(record.answer.answer) if _answered(record) else None
    if not record.item.answerable or record.item.decision is None or stated is None:
        return None
    return Verdict(float(stated == record.item.decision), detail=f"stated {stated}, gold {record.item.decision}")


@metric("wrong_answers_shown", "questions (of all) answered wrongly: a wrong fact or any answer to an "
                               "unanswerable question (lower is better)")
def wrong_answers_shown(record: Record, ctx: Context) -> Verdict | None:
    if not _answered(record):
        return Verdict(0)
    if not record.item.answerable:
        return Verdict(1, detail="answered an unanswerable question")
    return Verdict(1 - fact_accuracy(record, ctx).num)


@metric("abstention_recall", "unanswerable questions the system abstained on")
def abstention_recall(record: Record, ctx: Context) -> Verdict | None:
    if record.item.answerable:
        return None
    return Verdict(float(record.answer.abstained), detail="abstained" if record.answer.abstained else "answered")


@metric("false_abstention", "answerable questions the system abstained on (lower is better)")
def false_abstention(record: Record, ctx: Context) -> Verdict | None:
    if not record.item.answerable:
        return None
    return Verdict(float(record.answer.abstained))


@metric("precision", "correct / (correct + wrong) as PaperQA2: abstentions are neither; "
                     "any answer to an unanswerable question is wrong")
def precision(record: Record, ctx: Context) -> Verdict | None:
    if not _answered(record):
        return None
    if not record.item.answerable:
        return Verdict(0, detail="answered an unanswerable question")
    return Verdict(fact_accuracy(record, ctx).num)


@metric("citation_recall", "sentences >= 50 chars whose cited evidence together supports them (ALCE)",
        uses_judge=True)
def citation_recall(record: Record, ctx: Context) -> Verdict | None:
    if not _answered(record):
        return None
    supported, sentences, _, _ = _citation_scores(record, ctx.judge)
    return Verdict(supported, sentences) if sentences else None


@metric("citation_precision", "citations not made redundant by the sentence's other citations (ALCE)",
        uses_judge=True)
def citation_precision(record: Record, ctx: Context) -> Verdict | None:
    if not _answered(record):
        return None
    _, _, precise, total = _citation_scores(record, ctx.judge)
    return Verdict(precise, total) if total else None


@metric("unsupported_claims", "shown sentences (any length) no cited evidence supports (lower is better)",
        uses_judge=True)
def unsupported_claims(record: Record, ctx: Context) -> Verdict | None:
    if not _answered(record):
        return None
    sentences = cited_sentences(record.answer.answer)
    bad = []
    for claim, cited in sentences:
        evidence = _evidence_for(record, cited) if cited else None
        if not evidence or not _supported(ctx.judge, claim, evidence):
            bad.append(claim)
    return Verdict(len(bad), len(sentences), detail=" | ".join(bad)) if sentences else None


def _asked_stems(item: EvalItem, gold: set[str]) -> set[str]:
    """What a numeric question asks about: its content words that a gold evidence sentence puts within
    `_NUMBER_WINDOW` words of the gold number ("32,682 question-answer pairs" -> question, answer, pair);
    all its content words when no evidence sentence states the number."""
    asked = content_stems(item.question) - _QUESTION_STEMS
    near: set[str] = set()
    for sentence in item.evidence:
        for start, end, value in number_spans(sentence):
            if value in gold:
                window = words(sentence[:start])[-_NUMBER_WINDOW:] + words(sentence[end:])[:_NUMBER_WINDOW]
                near |= content_stems(" ".join(window))
    return asked & near if near else asked


@metric("contradicts_fact", "numeric facts whose answer states a different number for the asked thing "
                            "(lower is better)")
def contradicts_fact(record: Record, ctx: Context) -> Verdict | None:
    """A sentence with a number not in the question, none equal to a gold number, that names at least half of
    what the question asks about (`_asked_stems`)."""
    item = record.item
    gold = {n for a in item.answers if _NUMERIC_ANSWER.match(a) for n in numbers(a)}
    if not item.answerable or not gold or not _answered(record):
        return None
    asked_stems = _asked_stems(item, gold)
    asked_numbers = numbers(item.question)
    for claim, _ in cited_sentences(record.answer.answer):
        stated = numbers(claim) - asked_numbers
        about_it = len(content_stems(claim) & asked_stems) >= len(asked_stems) / 2
        if stated and not stated & gold and about_it:
            return Verdict(1, detail=claim)
    return Verdict(0)


@metric("fabricated_citations", "citations whose paper is not indexed or whose quote is not in its text",
        fmt="count", aggregate="sum")
def fabricated_citations(record: Record, ctx: Context) -> Verdict | None:
    if not record.answer.citations:
        return None
    bad = [c for c in record.answer.citations
           if c.paper_id not in ctx.papers or not c.quote or c.quote not in ctx.papers[c.paper_id].text]
    return Verdict(len(bad), len(record.answer.citations), detail=", ".join(f"[{c.n}] {c.paper_id}" for c in bad))


# --- verifier effect: the model's raw text before verification --------------------------------
@metric("raw_answer_present", "fact questions whose raw model text contains the accepted answer "
                              "(no citation check)", gated=False)
def raw_answer_present(record: Record, ctx: Context) -> Verdict | None:
    if not record.item.answerable or not record.answer.raw_answer.strip():
        return None
    return Verdict(float(answer_present(record.item, record.answer.raw_answer)))


@metric("raw_unsupported_numbers", "raw answers stating a number absent from the evidence shown",
        gated=False)
def raw_unsupported_numbers(record: Record, ctx: Context) -> Verdict | None:
    raw = record.answer.raw_answer
    if not raw.strip():
        return None
    if record.shown_evidence is not None:
        pool = " ".join(f"{e.title} {e.quote}" for e in record.shown_evidence)
    else:
        ids = {h.paper_id for h in record.answer.closest_papers} | {c.paper_id for c in record.answer.citations}
        pool = " ".join(f"{ctx.papers[i].title} {ctx.papers[i].text}" for i in ids if i in ctx.papers)
    invented = numbers(MARKER.sub("", raw)) - numbers(pool) - numbers(record.item.question)
    return Verdict(float(bool(invented)), detail=", ".join(sorted(invented)))


@metric("raw_unsupported_claims", "raw sentences no evidence they cite supports (n/a when nothing was shown)",
        uses_judge=True, gated=False)
def raw_unsupported_claims(record: Record, ctx: Context) -> Verdict | None:
    if record.shown_evidence is None or not record.answer.raw_answer.strip():
        return None
    by_n = {e.n: [e.quote, e.title] for e in record.shown_evidence}
    sentences = cited_sentences(record.answer.raw_answer)
    bad = 0
    for claim, cited in sentences:
        evidence = [by_n[n] for n in cited if n in by_n]
        bad += not evidence or not _supported(ctx.judge, claim, evidence)
    return Verdict(bad, len(sentences)) if sentences else None


@metric("removed_sentences", "sentences the verifier removed per answered question", fmt="mean",
        aggregate="mean", gated=False)
def removed_sentences(record: Record, ctx: Context) -> Verdict | None:
    if not record.answer.raw_answer.strip():
        return None
    return Verdict(sum(r.sentence != "(no answer)" for r in record.answer.removed))


# --- latency --------------------------------------------------------------------------------------
@metric("latency_p50", "median wall seconds per question", fmt="seconds", aggregate="p50")
def latency_p50(record: Record, ctx: Context) -> Verdict | None:
    return Verdict(record.wall_seconds)


@metric("latency_p95", "95th percentile wall seconds per question", fmt="seconds", aggregate="p95")
def latency_p95(record: Record, ctx: Context) -> Verdict | None:
    return Verdict(record.wall_seconds)


# --- scoring --------------------------------------------------------------------------------------
def score_record(record: Record, ctx: Context, names: list[str] | None = None) -> dict[str, Verdict | None]:
    return {name: METRICS[name].fn(record, ctx) for name in names or METRICS}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def aggregate(name: str, verdicts: list[Verdict | None]) -> float | None:
    """Pool one metric's verdicts; None when nothing applied or the denominator is 0."""
    applied = [v for v in verdicts if v is not None]
    if not applied:
        return None
    how = METRICS[name.split("@")[0]].aggregate  # "citation_recall@llm": same metric, other judge
    if how == "sum":
        return sum(v.num for v in applied)
    if how == "mean":
        return statistics.fmean(v.num for v in applied)
    if how in ("p50", "p95"):
        return _percentile([v.num for v in applied], float(how[1:]))
    den = sum(v.den for v in applied)
    return sum(v.num for v in applied) / den if den else None


def summarise(scored: list[dict[str, Verdict | None]]) -> dict[str, float | None]:
    names = list(scored[0]) if scored else []
    return {name: aggregate(name, [s[name] for s in scored]) for name in names}
