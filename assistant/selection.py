"""Which evidence sentence answers a question, and whether any does: general signals, fitted weights.

Rules written while reading one gold set lost most of their gain on fresh
questions. Here every signal exists for any question in any field: meaning
(MiniLM cosine; the model was trained on question-answer pairs), wording
(IDF-weighted share of the question's terms in the sentence and in its
paper), the question's names (in the paper, in its title, introduced by it),
what kind of answer is asked and whether the sentence adds one beyond the
question's own words, where the sentence sits in its paper and what part of
the abstract it is (`roles`: a finding answers yes/no, a method "how"), and
how strongly the paper was retrieved. Fitted models combine them, with weights
fitted on labelled questions of both corpora and cross-validated by
paper (`python -m assistant.evaluation.fit_selector`; `data/selector.json`).
Meaning is read twice: the pooled sentence vectors' cosine, and piece by piece
(`token_alignment`: how well each of the question's word pieces, as MiniLM read
it in context, finds a match among the sentence's):

* sentence: P(this sentence states the answer);
* ranker: which sentence of a question ranks first, a linear model fitted on
  pairs of one question's sentences plus, beside it, gradient-boosted ranking
  trees on the same signals (`TreeEnsemble`), which read interactions the
  linear models cannot;
* answer: P(what the answer quotes, the best sentence and maybe its
  runner-up, states the asked detail), thresholded by the cost of a wrong
  answer, so the assistant abstains instead of guessing (`best`: the same for
  the best sentence alone, for readers of one sentence);
* relevance: P(the best paper is about the question's subject), which tells
  "the papers do not state this detail" (unsure) from "nothing indexed is
  about this" (abstain).

Another, fitted on the PubMedQA dev conclusions, reads a finding sentence
as yes / no / maybe, and the assistant says yes or no only when it is sure.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .asked import load_asked
from .bagofwords import TermClassifier
from .embeddings import TokenVectors
from .models import Paper
from .roles import ROLES, load_roles
from .question import QuestionProfile, bound_numbers, profile_question
from .text import (
    acronym_definitions, content_words, mentions, named_entities, numbers, sentence_spans, system_names, tokens,
)
from .citations import MARKER
from .verify import is_instruction, is_question
from .vocabulary import vocabulary

__all__ = [
    "QUESTION_TYPES", "SENTENCE_FEATURES", "ANSWER_FEATURES", "RELEVANCE_FEATURES", "Candidate", "Selection",
    "Selector", "TermWeights", "PieceReader", "question_type", "candidates", "sentence_features", "answer_features",
    "relevance_features", "featurise", "score_candidates", "token_alignment", "decision_text", "decision_terms",
    "LinearModel", "TreeEnsemble", "DecisionModel", "SELECTOR_PATH", "load_selector", "shows_runner_up",
    "WRITER_FEATURES", "WRITER_GATE_PATH", "WriterGate", "writer_features", "load_writer_gate",
]

SELECTOR_PATH = Path(__file__).resolve().parent / "data" / "selector.json"
WRITER_GATE_PATH = Path(__file__).resolve().parent / "data" / "writer_gate.json"
QUESTION_TYPES = ("count", "quantity", "name", "yes_no", "method", "other")
_LONG_TEXT = 6000  # characters: longer texts (full PDFs) contribute only their retrieved chunks
_PROPOSE = re.compile(r"\b(?:we|this (?:paper|work|study))\s+(?:\w+\s+){0,2}"
                      r"(?:propose|introduce|present|develop|release|build|curate|construct)\w*\b", re.I)

_TYPE_FEATURES = [f"type_{t}" for t in QUESTION_TYPES]
_RANK_MARGIN_CAP = 20.0  # ranking-score lead at which the runner-up no longer matters (fitted leads stay below)
_ROLE_TYPES = ("yes_no", "method")  # a finding is in a results or conclusion sentence, a method in a methods one
SENTENCE_FEATURES = [
    "cosine", "cosine_rank", "cosine_paper", "cosine_margin", "lexical", "lexical_paper", "missing_paper",
    "names_paper", "names_sentence", "names_title", "names_introduced", "question_has_names", "novelty", "new_numbers",
    "new_names", "percent", "bound_number", "position", "last", "first", "paper_rank", "log_words",
    *_TYPE_FEATURES,
    "count_x_numbers", "quantity_x_numbers", "name_x_names", "yes_no_x_position", "yes_no_x_last",
    "method_x_novelty", "other_x_novelty", "count_x_bound", "quantity_x_bound",
    "attribute", "has_attribute", "lexical_margin", "new_weight",
    *[f"{t}_x_{signal}" for t in QUESTION_TYPES for signal in ("cosine", "lexical", "attribute")],
    *[f"role_{r}" for r in ROLES], *[f"{t}_x_role_{r}" for t in _ROLE_TYPES for r in ROLES],
    "focus_lexical", "focus_cosine", "focus_cosine_margin", "lexical_local", "focus_lexical_local",
    "introduces_name", "name_x_introduces", "unnamed_x_introduces",
    "token_align", "focus_token_align", "token_align_margin", "focus_token_align_margin",
]
ANSWER_FEATURES = ["top_logit", "margin", "second_logit", "top_lexical_paper", "top_missing_paper",
                   "top_names_paper", "top_cosine_paper", "top_cosine", "answering_share", *_TYPE_FEATURES,
                   "top_unnamed_x_introduces", "runner_up", "rank_margin"]
RELEVANCE_FEATURES = ["top_cosine_paper", "top_lexical_paper", "top_missing_paper", "top_names_paper",
                      "top_names_introduced", "question_has_names", "top_logit", "paper_gap"]


def question_type(profile: QuestionProfile) -> str:
    """What kind of answer is asked: a number (a count when "how many"), a name, a yes/no finding, a method.
    A count or a metric of the replaceable vocabulary ("what elasticity") asks for a number; any other question
    is read by the fitted reader of `asked.py`."""
    if not tokens(profile.text):
        return "other"
    if profile.kind in ("count", "quantity"):
        return profile.kind
    kind = load_asked().kind(profile.text)
    return "quantity" if kind == "number" else kind


class PieceReader(Protocol):
    """What IDF over word pieces needs of an embedder."""

    def token_ids(self, text: str) -> list[int]: ...

    @property
    def wordless_ids(self) -> frozenset[int]: ...


class TermWeights:
    """Inverse document frequency over the indexed papers, of stems and of the encoder's word pieces: rare words
    tell more. `pieces` (the embedder: `token_ids`, `wordless_ids`) splits a text into pieces; without it every
    piece weighs the same."""

    def __init__(self, papers: dict[str, Paper], pieces: PieceReader | None = None) -> None:
        self.total = max(1, len(papers))
        self.frequency: Counter[str] = Counter()
        self.pieces: Counter[int] = Counter()
        self.wordless: frozenset[int] = pieces.wordless_ids if pieces is not None else frozenset()
        for paper in papers.values():
            text = f"{paper.title} {paper.text}"
            self.frequency.update(content_words(text))
            if pieces is not None:
                self.pieces.update(set(pieces.token_ids(text)))

    @classmethod
    def kept(cls, papers: dict[str, Paper], store: Path, pieces: PieceReader | None = None) -> TermWeights:
        """The weights saved in `store` (a file named by the indexed content), else computed and saved there:
        reading every paper costs ~0.1 s per 500 papers in each new process. Without a writable folder they are
        only computed."""
        try:
            saved = json.loads(store.read_text(encoding="utf-8"))
            weights = cls.__new__(cls)
            weights.total, weights.frequency = int(saved["total"]), Counter(saved["frequency"])
            weights.pieces = Counter({int(piece): n for piece, n in saved["pieces"].items()})
            weights.wordless = frozenset(saved["wordless"])
            if weights.total == max(1, len(papers)) and (pieces is None or weights.pieces):
                return weights
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # absent, unreadable or older: computed again below
        weights = cls(papers, pieces)
        if store.parent.is_dir():
            scratch = store.with_name(f".{store.name}.{os.getpid()}")
            try:
                scratch.write_text(json.dumps({"total": weights.total, "frequency": weights.frequency,
                                               "pieces": weights.pieces, "wordless": sorted(weights.wordless)}),
                                   encoding="utf-8")
                os.replace(scratch, store)
            except OSError:
                scratch.unlink(missing_ok=True)
        return weights

    def weight(self, term: str) -> float:
        return math.log(1 + self.total / (1 + self.frequency.get(term, 0)))

    def piece_weights(self, ids: np.ndarray) -> np.ndarray:
        """Smoothed IDF of word pieces, never below 1: a common piece ("the", "of") still counts a little, as
        it shapes what the pieces around it mean. Punctuation (`wordless`) counts nothing: a "?" that no paper
        holds would otherwise weigh as the question's rarest word."""
        return np.array([0.0 if int(i) in self.wordless else
                         math.log((self.total + 1) / (1 + self.pieces.get(int(i), 0))) + 1.0 for i in ids])

    def missing(self, terms: set[str], words: set[str]) -> float:
        """The rarest of `terms` absent from `words`, as a share of the rarest weight possible: one distinctive
        word of the question that a paper lacks (a false premise, another subject) outweighs many common ones."""
        absent = [self.weight(t) for t in terms if not _found(t, words)]
        return max(absent, default=0.0) / math.log(1 + self.total)

    def share(self, terms: set[str], words: set[str]) -> float:
        """IDF-weighted share of `terms` found in `words` (1.0 when there are no terms)."""
        if not terms:
            return 1.0
        total = sum(self.weight(t) for t in terms)
        return sum(self.weight(t) for t in terms if _found(t, words)) / total


def _found(term: str, words: set[str], stems: set[str] | None = None) -> bool:
    """Equal, or sharing a 5-letter stem ("trained" ~ "training"): inflections and derivations match. `stems`:
    `_stems(words)`, when the same words are searched many times."""
    if term in words:
        return True
    return len(term) >= 5 and term[:5] in (_stems(words) if stems is None else stems)


def _stems(words: set[str]) -> set[str]:
    return {w[:5] for w in words if len(w) >= 5}


@dataclass
class Candidate:
    paper: Paper
    start: int
    end: int
    paper_rank: int
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0
    rank: float = 0.0  # the ranker's logit plus the weighted trees' score: candidates are ordered by it
    vetoed: bool = False

    @property
    def text(self) -> str:
        return self.paper.text[self.start:self.end]


def candidates(hits, max_papers: int) -> list[Candidate]:
    """Every sentence of the best `max_papers` retrieved papers (of long texts, only the retrieved chunks)."""
    papers: dict[str, tuple[Paper, list[tuple[int, int]]]] = {}
    for hit in hits:
        paper = hit.paper
        if paper.paper_id not in papers:
            if len(papers) >= max_papers:
                continue
            spans = sentence_spans(paper.text) if len(paper.text) <= _LONG_TEXT else []
            papers[paper.paper_id] = (paper, spans)
        if len(paper.text) > _LONG_TEXT:
            spans = papers[paper.paper_id][1]
            spans += [tuple(s) for s in hit.chunk.sentence_spans if tuple(s) not in spans]
    return [Candidate(paper, s, e, rank) for rank, (paper, spans) in enumerate(papers.values()) for s, e in spans]


def sentence_features(
    profile: QuestionProfile, found: list[Candidate], cosines: np.ndarray, weights: TermWeights,
    focus_cosines: np.ndarray, aligned: np.ndarray, focus_aligned: np.ndarray,
) -> None:
    """Fill `features` of every candidate (in place); the same code serves fitting and answering.
    `cosines`: each sentence's cosine to the question; `focus_cosines`: to its asked part (`profile.focus`);
    `aligned`, `focus_aligned`: the same by word pieces (`token_alignment`)."""
    focus_terms = content_words(profile.focus)
    best_focus = _best_per_paper(found, [float(c) for c in focus_cosines])
    best_aligned = _best_per_paper(found, [float(a) for a in aligned])
    best_focus_aligned = _best_per_paper(found, [float(a) for a in focus_aligned])
    qtype = question_type(profile)
    question_terms = content_words(profile.text)
    question_names = {e.lower() for e in profile.entities}
    ownable = question_names & system_names(profile.text)  # a capitalised word ("Vision") names no system
    asked_numbers = numbers(profile.text)
    order = np.argsort(-cosines)
    cosine_rank = np.empty(len(found), dtype=int)
    cosine_rank[order] = np.arange(len(found))
    best_cosine = _best_per_paper(found, [float(c) for c in cosines])
    paper_cache: dict[str, dict[str, float]] = {}
    plain_words = [content_words(c.text) for c in found]
    read_words = _read_words(found, plain_words)
    local = {pid: LocalTermWeights(sentences) for pid, sentences in _by_paper(found, read_words).items()}
    for i, candidate in enumerate(found):
        paper, text = candidate.paper, candidate.text
        if paper.paper_id not in paper_cache:
            paper_cache[paper.paper_id] = _paper_features(paper, question_terms, question_names, ownable, weights)
        words, read = plain_words[i], read_words[i]
        lowered = text.lower()
        new_words = words - question_terms
        names = named_entities(text) - vocabulary().kind_acronyms
        values = {
            "cosine": float(cosines[i]),
            "cosine_rank": 1.0 / (1 + cosine_rank[i]),
            "cosine_paper": best_cosine[paper.paper_id],
            "cosine_margin": float(cosines[i]) - best_cosine[paper.paper_id],
            "lexical": weights.share(question_terms, read),
            "lexical_local": local[paper.paper_id].share(question_terms, i),
            "focus_lexical_local": local[paper.paper_id].share(focus_terms, i) if focus_terms else 0.0,
            "names_sentence": (sum(mentions(lowered, n) for n in question_names) / len(question_names)
                               if question_names else 1.0),
            "question_has_names": float(bool(question_names)),
            "novelty": len(new_words) / max(1, len(words)),
            "new_numbers": float(bool(numbers(text) - asked_numbers)),
            "new_names": float(bool(names - question_names)),
            "percent": float("%" in text or "percent" in lowered),
            "bound_number": float(qtype in ("count", "quantity") and bool(bound_numbers(profile, text))),
            "position": candidate.start / max(1, len(paper.text)),
            "last": float(candidate.end >= len(paper.text.rstrip()) - 1),
            "first": float(candidate.start == 0),
            "paper_rank": 1.0 / (1 + candidate.paper_rank),
            "log_words": math.log(1 + len(tokens(text))),
            "focus_lexical": weights.share(focus_terms, read) if focus_terms else 0.0,
            "focus_cosine": float(focus_cosines[i]),
            "focus_cosine_margin": float(focus_cosines[i]) - best_focus[paper.paper_id],
            "token_align": float(aligned[i]),
            "focus_token_align": float(focus_aligned[i]),
            "token_align_margin": float(aligned[i]) - best_aligned[paper.paper_id],
            "focus_token_align_margin": float(focus_aligned[i]) - best_focus_aligned[paper.paper_id],
            **paper_cache[paper.paper_id],
        }
        for t in QUESTION_TYPES:
            values[f"type_{t}"] = float(qtype == t)
        values["count_x_numbers"] = values["type_count"] * values["new_numbers"]
        values["quantity_x_numbers"] = values["type_quantity"] * values["new_numbers"]
        values["name_x_names"] = values["type_name"] * values["new_names"]
        values["yes_no_x_position"] = values["type_yes_no"] * values["position"]
        values["yes_no_x_last"] = values["type_yes_no"] * values["last"]
        values["method_x_novelty"] = values["type_method"] * values["novelty"]
        values["other_x_novelty"] = values["type_other"] * values["novelty"]
        values["count_x_bound"] = values["type_count"] * values["bound_number"]
        values["quantity_x_bound"] = values["type_quantity"] * values["bound_number"]
        values["attribute"] = _attribute_share(profile.attribute, read)
        values["has_attribute"] = float(bool(profile.attribute))
        values["introduces_name"] = float(bool(_introduced_names(text) - question_names))
        values["name_x_introduces"] = values["type_name"] * values["introduces_name"]
        values["unnamed_x_introduces"] = values["name_x_introduces"] * (1.0 - values["question_has_names"])
        values["new_weight"] = (sum(weights.weight(w) for w in new_words) / total_weight
                                if (total_weight := sum(weights.weight(w) for w in words)) else 0.0)
        for t in QUESTION_TYPES:
            for signal in ("cosine", "lexical", "attribute"):
                values[f"{t}_x_{signal}"] = values[f"type_{t}"] * values[signal]
        for role, probability in load_roles().roles(text).items():
            values[f"role_{role}"] = probability
            for t in _ROLE_TYPES:
                values[f"{t}_x_role_{role}"] = values[f"type_{t}"] * probability
        candidate.features = values
        candidate.vetoed = is_instruction(text) or is_question(text)  # states nothing, so answers nothing
    best_lexical = _best_per_paper(found, [c.features["lexical"] for c in found])
    for c in found:
        c.features["lexical_margin"] = c.features["lexical"] - best_lexical[c.paper.paper_id]


def _read_words(found: list[Candidate], plain_words: list[set[str]]) -> list[set[str]]:
    """Each sentence's content words, with the long form of every short form its paper defines ("undetectable VL"
    also reads "viral load"), so a question in full words matches a sentence in abbreviations."""
    defined = {paper_id: acronym_definitions(paper.text) for paper_id, paper in
               {c.paper.paper_id: c.paper for c in found}.items()}
    out = []
    for candidate, words in zip(found, plain_words, strict=True):
        expansions = defined[candidate.paper.paper_id]
        shorts = set(tokens(candidate.text)) & expansions.keys() if expansions else ()
        out.append(words.union(*(content_words(expansions[short]) for short in shorts)))
    return out


def _by_paper(found: list[Candidate], read_words: list[set[str]]) -> dict[str, dict[int, set[str]]]:
    grouped: dict[str, dict[int, set[str]]] = {}
    for i, candidate in enumerate(found):
        grouped.setdefault(candidate.paper.paper_id, {})[i] = read_words[i]
    return grouped


class LocalTermWeights:
    """Inverse frequency of words among one paper's sentences: a word of the question that most of the paper's
    sentences repeat (its subject, its setting) does not tell which sentence answers; a word only one sentence
    has does. Corpus-wide `TermWeights` tell papers apart; these tell sentences within a paper apart."""

    def __init__(self, sentences: dict[int, set[str]]) -> None:
        """`sentences`: each sentence's words by its candidate index."""
        self.sentences = {i: (words, _stems(words)) for i, words in sentences.items()}
        self.weights: dict[str, float] = {}

    def _has(self, term: str, index: int) -> bool:
        return _found(term, *self.sentences[index])

    def weight(self, term: str) -> float:
        """0.0 for a word no sentence of the paper has (in any inflection)."""
        if term not in self.weights:
            having = sum(self._has(term, i) for i in self.sentences)
            self.weights[term] = math.log(1 + len(self.sentences) / having) if having else 0.0
        return self.weights[term]

    def share(self, terms: set[str], index: int) -> float:
        """Locally weighted share of the `terms` this paper uses at all that sentence `index` has (0.0 when the
        paper uses none)."""
        total = sum(self.weight(t) for t in terms)
        return sum(self.weight(t) for t in terms if self._has(t, index)) / total if total else 0.0


def _best_per_paper(found: list[Candidate], values: list[float]) -> dict[str, float]:
    """The highest value among each paper's candidates: how good the paper's best sentence is."""
    best: dict[str, float] = {}
    for candidate, value in zip(found, values, strict=True):
        best[candidate.paper.paper_id] = max(best.get(candidate.paper.paper_id, value), value)
    return best


def _attribute_share(attribute: list[str], words: set[str]) -> float:
    """Share of the asked attribute ("model", "accuracy") stated in the sentence, in any of the field's wordings."""
    if not attribute:
        return 0.0
    return sum(any(_found(o, words) for o in vocabulary().options(a)) for a in attribute) / len(attribute)


def _paper_features(paper: Paper, question_terms, question_names, ownable, weights: TermWeights) -> dict:
    """`ownable`: the question's system names, which a paper owns by its title or by introducing them."""
    body = f"{paper.title} {paper.text}"
    lowered, title = body.lower(), paper.title.lower()
    introduced = [n for n in ownable if mentions(title, n) or _introduces(paper.text, n)]
    body_words = content_words(body)
    return {
        "lexical_paper": weights.share(question_terms, body_words),
        "missing_paper": weights.missing(question_terms, body_words),
        "names_paper": (sum(mentions(lowered, n) for n in question_names) / len(question_names)
                        if question_names else 1.0),
        "names_title": float(any(mentions(title, n) for n in question_names)),
        "names_introduced": float(bool(introduced)),
    }


def _introduces(text: str, name: str) -> bool:
    """"We propose X" / "this paper presents X": the paper that introduces a system owns its claims."""
    return any(mentions(clause.lower(), name) for clause in _introducing_clauses(text))


def _introduced_names(text: str) -> set[str]:
    """The system names a sentence introduces ("we present NeuroVFM, ..."): the answer to a question that
    describes a system without naming it."""
    return {name for clause in _introducing_clauses(text) for name in system_names(clause)}


def _introducing_clauses(text: str) -> list[str]:
    """What follows each "we propose" up to the clause's end: "we introduce X, a dataset built from Y"
    introduces X, not Y."""
    return [re.split(r"[,;:]|\.\s", text[match.end():match.end() + 80], maxsplit=1)[0]
            for match in _PROPOSE.finditer(text)]


def score_candidates(profile: QuestionProfile, found: list[Candidate], embedder, weights: TermWeights) -> None:
    """Fill every feature of the candidates (in place): the one path for fitting and answering."""
    if not found:
        return
    vectors, pieces = embedder.encode_with_tokens([profile.text, profile.focus or profile.text,
                                                   *(c.text for c in found)])
    aligned = token_alignment(pieces[:2], pieces[2:], weights)
    sentence_features(profile, found, vectors[2:] @ vectors[0], weights, vectors[2:] @ vectors[1], *aligned)


def token_alignment(queries: list[TokenVectors], sentences: list[TokenVectors], weights: TermWeights) -> np.ndarray:
    """For each query (the question, its focus) and sentence, the IDF-weighted mean over the query's word pieces of
    each piece's best cosine to a piece of the sentence (late interaction, as ColBERT scores): a question word the
    sentence states in other words or another inflection still finds its match, where the pooled vector blurs one
    sentence into a single point and exact wording misses it. Out of fold by paper (session 28, 2691 questions,
    the same fit with and without them), they put a right sentence first for 81.8% of answerable questions against
    80.5%, and at 5% wrong answers shown give 54.8% right ones against 51.5%. Returns (queries, sentences)."""
    lengths = np.array([len(s.ids) for s in sentences], dtype=int)
    aligned = np.zeros((len(queries), len(sentences)))
    filled = lengths > 0
    if not filled.any():
        return aligned
    pieces = (np.concatenate([s.steps for s in sentences]).astype(np.float32)
              * np.concatenate([s.scales for s in sentences])[:, None])
    starts = np.concatenate([[0], np.cumsum(lengths[filled])[:-1]])
    for row, query in enumerate(queries):
        piece_weights = weights.piece_weights(query.ids)
        if piece_weights.sum() > 0:  # not a query of punctuation alone
            best = np.maximum.reduceat(query.vectors @ pieces.T, starts, axis=1)
            aligned[row, filled] = piece_weights @ best / piece_weights.sum()
    return aligned


def featurise(question: str, hits, embedder, weights: TermWeights, max_papers: int,
              profile: QuestionProfile | None = None) -> tuple[QuestionProfile, list[Candidate]]:
    """The question's profile and its candidate sentences with every feature filled."""
    profile = profile or profile_question(question)
    found = candidates(hits, max_papers)
    score_candidates(profile, found, embedder, weights)
    return profile, found


def answer_features(qtype: str, ranked: list[dict[str, float]], logits: list[float],
                    papers: list[str], ranks: list[float]) -> dict[str, float]:
    """Question-level signals about the best candidate (features, pointwise logits, paper ids and ranking
    scores, best first): how sure, how far ahead, how on-subject, and whether the answer quotes the runner-up
    beside it (`shows_runner_up`). How far ahead is read twice: by the pointwise logits and by the ranking
    scores, which order the sentences better; where the two disagree the answer is less sure."""
    top = ranked[0]
    values = {
        "top_logit": logits[0],
        "second_logit": logits[1] if len(logits) > 1 else -10.0,
        "margin": logits[0] - (logits[1] if len(logits) > 1 else -10.0),
        "top_lexical_paper": top["lexical_paper"],
        "top_missing_paper": top["missing_paper"],
        "top_names_paper": top["names_paper"],
        "top_cosine_paper": top["cosine_paper"],
        "top_cosine": top["cosine"],
        "answering_share": sum(1 for x in logits if x > 0) / len(logits),
    }
    for t in QUESTION_TYPES:
        values[f"type_{t}"] = float(qtype == t)
    values["top_unnamed_x_introduces"] = top["unnamed_x_introduces"]
    values["runner_up"] = float(shows_runner_up(qtype, ranked, papers))
    ahead = ranks[0] - ranks[1] if len(ranks) > 1 else _RANK_MARGIN_CAP  # a vetoed sentence ranks at -inf
    values["rank_margin"] = float(np.clip(np.nan_to_num(ahead, nan=0.0), -_RANK_MARGIN_CAP, _RANK_MARGIN_CAP))
    return values


def shows_runner_up(qtype: str, ranked: list[dict[str, float]], papers: list[str]) -> bool:
    """Does an answer quote the runner-up beside the best sentence (features and paper ids, best first)? When it
    is from the same paper: the two sentences of an abstract that rank highest often split a finding between
    them (the system named in one, its result in the other). Not when a number is asked and the best sentence
    states one: a second number beside it would blur which one answers."""
    if len(papers) < 2 or papers[1] != papers[0]:
        return False
    return not (qtype in ("count", "quantity") and ranked[0]["new_numbers"] > 0)


def relevance_features(ranked: list[dict[str, float]], papers: list[str], logits: list[float]) -> dict[str, float]:
    """Is the best paper about the question's subject at all? (features and paper ids, best first)"""
    top = ranked[0]
    other = [f["cosine_paper"] for f, paper in zip(ranked, papers, strict=True) if paper != papers[0]]
    return {
        "top_cosine_paper": top["cosine_paper"],
        "top_lexical_paper": top["lexical_paper"],
        "top_missing_paper": top["missing_paper"],
        "top_names_paper": top["names_paper"],
        "top_names_introduced": top["names_introduced"],
        "question_has_names": top["question_has_names"],
        "top_logit": logits[0],
        "paper_gap": top["cosine_paper"] - max(other, default=0.0),
    }


# --- the fitted models ------------------------------------------------------------------------
@dataclass(frozen=True)
class TreeEnsemble:
    """Gradient-boosted trees exported by `fit_selector` (LightGBM's LambdaMART ranking trees; session 26's
    selector holds scikit-learn's HistGradientBoostingClassifier, read the same way): score = baseline + the
    value of the leaf each tree sends a row to (a node goes left when the row's feature is <= its threshold).
    Read with numpy, all candidates of a question at once, so answering needs neither library. `weight`: how
    much the score counts beside the linear ranker's logit."""

    features: list[str]
    baseline: float
    trees: list[dict[str, list]]  # each: feature, threshold, left, right, leaf, value (one entry per node)
    weight: float = 1.0

    def scores(self, rows: list[dict[str, float]]) -> np.ndarray:
        feature, threshold, left, right, leaf, value, roots = self._arrays
        x = np.array([[row[name] for name in self.features] for row in rows], dtype=float).reshape(len(rows), -1)
        node = np.tile(roots, len(rows))  # every (row, tree) pair walks at once, a level a step, laid out flat
        row = np.repeat(np.arange(len(rows)), len(roots))
        walking = np.flatnonzero(~leaf[node])
        while walking.size:  # only the pairs not yet at a leaf: trees differ in depth
            at = node[walking]
            node[walking] = np.where(x[row[walking], feature[at]] <= threshold[at], left[at], right[at])
            walking = walking[~leaf[node[walking]]]
        return self.baseline + value[node].reshape(len(rows), len(roots)).sum(axis=1)

    @property
    def _arrays(self) -> tuple[np.ndarray, ...]:
        """Every tree's node fields laid end to end, children as positions in that layout, and each tree's root."""
        if "_cached" not in self.__dict__:
            sizes = [len(t["leaf"]) for t in self.trees]
            roots = np.cumsum([0, *sizes[:-1]])
            offsets = np.repeat(roots, sizes)  # a child's position in its tree -> its position in the layout

            def joined(key: str, dtype) -> np.ndarray:
                return np.concatenate([np.asarray(t[key], dtype=dtype) for t in self.trees])

            object.__setattr__(self, "_cached", (
                joined("feature", int), joined("threshold", float), joined("left", int) + offsets,
                joined("right", int) + offsets, joined("leaf", bool), joined("value", float), roots))
        return self.__dict__["_cached"]


@dataclass(frozen=True)
class LinearModel:
    """A standardised logistic model: P = sigmoid(w . (x - mean) / scale + b)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float = 0.5

    def logit(self, values: dict[str, float]) -> float:
        x = np.array([values[name] for name in self.features])
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return float(z @ np.array(self.weights) + self.bias)

    def probability(self, values: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.logit(values)))


@dataclass(frozen=True)
class DecisionModel:
    """Bag of words (negation-marked) -> yes / no / maybe, fitted on finding sentences."""

    classifier: TermClassifier
    threshold: float

    def predict(self, sentence: str) -> tuple[str, float]:
        probabilities = self.classifier.probabilities(decision_terms(sentence))
        best = max(probabilities, key=probabilities.__getitem__)
        return best, probabilities[best]


def decision_terms(sentence: str) -> list[str]:
    """Words and word pairs, with words after a negation cue marked ("not_reduce"): NegEx-style scope."""
    words = re.findall(r"[a-z]+", sentence.lower())
    cues = vocabulary().negation_cues
    marked, scope = [], 0
    for word in words:
        if word in cues:
            scope = 4
            marked.append(word)
            continue
        marked.append(f"not_{word}" if scope else word)
        scope = max(0, scope - 1)
    return marked + [f"{a} {b}" for a, b in zip(marked, marked[1:], strict=False)]


def decision_text(sentence: str) -> str:
    """The sentence a yes/no decision is read from, without its citation markers."""
    return MARKER.sub("", sentence)


@dataclass
class Selection:
    qtype: str
    ranked: list[Candidate]
    answer_probability: float
    relevance_probability: float
    answers: bool
    relevant: bool
    best_answers: bool = False  # the best sentence alone states the asked detail (extraction reads one sentence)

    def runner_up(self) -> Candidate | None:
        """The second-ranked sentence when an answer quotes it beside the best one (`shows_runner_up`); the answer
        model is fitted on "the asked detail is in what the answer quotes"."""
        if len(self.ranked) < 2 or self.ranked[1].vetoed:
            return None
        top_two = self.ranked[:2]
        shown = shows_runner_up(self.qtype, [c.features for c in top_two], [c.paper.paper_id for c in top_two])
        return self.ranked[1] if shown else None


class Selector:
    """Applies the fitted models; `select` ranks candidates and decides answer / unsure / abstain."""

    def __init__(self, sentence: LinearModel, answer: LinearModel, relevance: LinearModel,
                 decision: DecisionModel | None, meta: dict, best: LinearModel | None = None,
                 ranker: LinearModel | None = None, boost: TreeEnsemble | None = None) -> None:
        """`sentence`: P(a sentence answers); `ranker`: which sentence ranks first (fitted on pairs of one
        question's sentences); `answer`: P(what an answer quotes, the best sentence and its runner-up, states the
        asked detail); `best`: P(the best sentence alone does), for readers of one sentence; `boost`: trees
        whose score is added to the ranker's. An older file without `ranker` or `best` ranks by `sentence` and
        reads `answer` for both; one without `boost` ranks by the linear ranker alone."""
        self.sentence, self.answer, self.relevance, self.decision, self.meta = (
            sentence, answer, relevance, decision, meta)
        self.best = best or answer
        self.ranker = ranker or sentence
        self.boost = boost
        self._weights: tuple[int, TermWeights] | None = None

    def term_weights(self, papers: dict[str, Paper], store: Path | None = None,
                     pieces: PieceReader | None = None) -> TermWeights:
        """IDF over `papers`, kept in memory while they stay the same and in `store` across processes."""
        key = hash(tuple(sorted(papers)))
        if self._weights is None or self._weights[0] != key:
            self._weights = (key, TermWeights.kept(papers, store, pieces) if store
                             else TermWeights(papers, pieces))
        return self._weights[1]

    def select(self, question: str, hits, embedder, papers: dict[str, Paper], max_papers: int,
               profile: QuestionProfile | None = None, store: Path | None = None) -> Selection:
        """Rank every sentence of the best retrieved papers and decide answer / unsure / abstain."""
        profile = profile or profile_question(question)
        return self.decide(profile, candidates(hits, max_papers), embedder, papers, store)

    def decide(self, profile: QuestionProfile, found: list[Candidate], embedder, papers: dict[str, Paper],
               store: Path | None = None) -> Selection:
        """Rank the given candidate sentences (e.g. what a tool-calling model was shown) and decide."""
        qtype = question_type(profile)
        if not found:
            return Selection(qtype, [], 0.0, 0.0, False, False)
        score_candidates(profile, found, embedder, self.term_weights(papers, store, embedder))
        boosted = (self.boost.weight * self.boost.scores([c.features for c in found]) if self.boost
                   else np.zeros(len(found)))
        for c, boost in zip(found, boosted, strict=True):
            c.probability = 0.0 if c.vetoed else self.sentence.probability(c.features)
            c.rank = -math.inf if c.vetoed else self.ranker.logit(c.features) + float(boost)
        ranked = sorted(found, key=lambda c: (not _owner_first(c, found), -c.rank))
        logits = [_logit(c.probability) for c in ranked]
        features = [c.features for c in ranked]
        papers = [c.paper.paper_id for c in ranked]
        signals = answer_features(qtype, features, logits, papers, [c.rank for c in ranked])
        p_answer = self.answer.probability(signals)
        p_relevant = self.relevance.probability(relevance_features(features, papers, logits))
        return Selection(qtype, ranked, p_answer, p_relevant,
                         answers=p_answer >= self.answer.threshold and not ranked[0].vetoed,
                         relevant=p_relevant >= self.relevance.threshold,
                         best_answers=self.best.probability(signals) >= self.best.threshold and not ranked[0].vetoed)

    def yes_no(self, sentence: str) -> str | None:
        """"yes" or "no" when the fitted reader is sure the sentence settles it that way, else None."""
        if self.decision is None:
            return None
        label, probability = self.decision.predict(decision_text(sentence))
        return label if label in ("yes", "no") and probability >= self.decision.threshold else None


def _owner_first(candidate: Candidate, found: list[Candidate]) -> bool:
    """Claims about a named system come from the paper that introduces it: when such a paper is among the
    candidates, its sentences rank before those of papers that only mention the system."""
    return bool(candidate.features["names_introduced"]) or not any(c.features["names_introduced"] for c in found)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@lru_cache(maxsize=4)
def load_selector(path: Path = SELECTOR_PATH) -> Selector:
    """The fitted models; `meta["fingerprint"]` hashes the file, so caches keyed by it notice any refit."""
    text = Path(path).read_text(encoding="utf-8")
    raw = json.loads(text)
    decision = raw.get("decision")
    meta = {**raw.get("meta", {}), "fingerprint": hashlib.sha256(text.encode()).hexdigest()[:16]}
    return Selector(
        LinearModel(**raw["sentence"]), LinearModel(**raw["answer"]), LinearModel(**raw["relevance"]),
        DecisionModel(TermClassifier.from_export(decision), decision["threshold"]) if decision else None, meta,
        LinearModel(**raw["best"]) if "best" in raw else None,
        LinearModel(**raw["ranker"]) if "ranker" in raw else None,
        TreeEnsemble(**raw["boost"]) if "boost" in raw else None,
    )


# --- the writer gate ------------------------------------------------------------------------------
WRITER_FEATURES = ["p_answer", "top_probability", "top_cosine", "top_lexical", "top_novelty", "top_log_words",
                   "top_new_numbers", "top_new_names", *(f"type_{t}" for t in QUESTION_TYPES)]


def writer_features(selection: Selection) -> dict[str, float]:
    """What is known about a factoid answer before any model writes it: how sure the selection is and what the
    best evidence sentence looks like."""
    top = selection.ranked[0]
    values = {
        "p_answer": selection.answer_probability, "top_probability": top.probability,
        "top_cosine": top.features["cosine"], "top_lexical": top.features["lexical"],
        "top_novelty": top.features["novelty"], "top_log_words": top.features["log_words"],
        "top_new_numbers": top.features["new_numbers"], "top_new_names": top.features["new_names"],
    }
    return values | {f"type_{t}": float(selection.qtype == t) for t in QUESTION_TYPES}


@dataclass(frozen=True)
class WriterGate:
    """P(the writer's words are shown rather than the quoted evidence), fitted for one writer model."""

    model: LinearModel
    writer: str

    def worth_writing(self, writer: str, selection: Selection) -> tuple[bool, float | None]:
        """(write?, fitted probability); a writer the gate was not fitted for always writes."""
        if writer != self.writer:
            return True, None
        probability = self.model.probability(writer_features(selection))
        return probability >= self.model.threshold, probability


@lru_cache(maxsize=4)
def load_writer_gate(path: Path = WRITER_GATE_PATH) -> WriterGate | None:
    """The fitted gate, or None when there is none (every answer is then written)."""
    if not Path(path).is_file():
        return None
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return WriterGate(LinearModel(**raw["model"]), raw["meta"]["writer"])

