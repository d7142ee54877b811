"""Related-work sections and mini-reviews from the indexed papers, every sentence verified.

topic -> hybrid retrieval of more papers than asked -> keep those the fitted relevance model
finds about the topic -> 2-4 themes (agglomerative clustering of the papers' embeddings, the
number chosen by silhouette) -> each theme named by its papers' distinctive words -> one
paragraph per theme -> every sentence through the same verifier as answers; what fails goes
to `removed`, never to the text.

The bundled 135M model invents, so with the local provider each paragraph is built from
evidence: every paper's contribution sentence (the best-ranked sentence in which the authors
say what they did), turned to the third person ("We propose" -> "The authors of [3] propose").
An OpenAI-compatible model writes prose from the same numbered evidence; its sentences pass the
same verifier, and a theme whose prose is all rejected falls back to the evidence-built paragraph.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .citations import cited_numbers, numbers_in_order, renumber_markers
from .evidence import EvidenceLedger
from .resources import provider_label
from .models import (
    Citation, Paper, Reference, RemovedSentence, Review, ReviewParagraph, ReviewStyle, Theme,
)
from .bibliography import citation_key
from .prompts import render
from .question import profile_question
from .retrieve import Retriever
from .selection import Candidate, Selector, candidates
from .text import STOPWORDS, split_sentences, tokens
from .verify import check_support, verify_answer
from .vocabulary import vocabulary

__all__ = ["write_review", "third_person", "NO_PAPERS_PHRASE"]

NO_PAPERS_PHRASE = "No indexed paper is about this topic."
_POOL_FACTOR = 2  # papers weighed for each paper asked for
_MAX_THEMES = 4
_NAME_TERMS = 3
_OWN_WORK = re.compile(r"^(?:(?:in|with) (?:this|the present) (?:paper|work|study|article),?\s+)?(we|our)\b\s*",
                       re.IGNORECASE)
_LINK = re.compile(r"https?://|www\.|github\.com", re.IGNORECASE)
_THIS_WORK = re.compile(r"^(?:this|the present) (?:paper|work|study|article)\b", re.IGNORECASE)
_CONNECTIVES = ["", "In addition, ", "Similarly, ", "Further, "]


@dataclass
class _Chosen:
    paper: Paper
    ranked: list[Candidate]
    relevance: float


def write_review(topic: str, *, retriever: Retriever, selector: Selector, settings, papers: int = 8,
                 style: ReviewStyle = "related-work", from_abstract: str | None = None) -> Review:
    """The review of `topic` (or of the topic of `from_abstract`, the user's own abstract)."""
    started = time.perf_counter()
    query = from_abstract or topic
    chosen = _choose_papers(query, retriever, selector, papers)
    timings = {"retrieval": time.perf_counter() - started}
    if not chosen:
        return Review(topic=topic, style=style, text=NO_PAPERS_PHRASE, status="fail",
                      provider=provider_label(settings), timings=timings)
    started = time.perf_counter()
    groups = _themes(chosen, retriever.embedder)
    ledger = EvidenceLedger()
    paragraphs, removed, themes = [], [], []
    writer = _writer(settings) if settings.provider != "local" else None
    own = _own_contribution(from_abstract) if from_abstract else None
    for group in groups:
        name = _theme_name(group, [g for g in groups if g is not group], query)
        written, dropped = _paragraph(group, style, ledger, settings, writer, name, topic, timings)
        if own and written:
            positioning, problem = _positioning(own, written, settings.support_min_coverage)
            if positioning:
                written = f"{written} {positioning}"
            elif problem:
                dropped.append(problem)
        removed += dropped
        if written:
            paragraphs.append(ReviewParagraph(theme=name, text=written))
            themes.append(Theme(name=name, paper_ids=[c.paper.paper_id for c in group]))
    timings["writing"] = time.perf_counter() - started
    return _assemble(topic, style, paragraphs, themes, removed, ledger, settings, timings)


def _choose_papers(query: str, retriever: Retriever, selector: Selector, papers: int) -> list[_Chosen]:
    """The retrieved papers the relevance model finds about the query, best first, at most `papers`."""
    hits = retriever.search_chunks(query, k=papers * _POOL_FACTOR * 4)
    by_paper: dict[str, list] = defaultdict(list)
    for hit in hits:
        by_paper[hit.paper.paper_id].append(hit)
    profile = profile_question(query)
    indexed = retriever.index.papers()
    chosen = []
    for paper_hits in list(by_paper.values())[: papers * _POOL_FACTOR]:
        selection = selector.decide(profile, candidates(paper_hits, 1), retriever.sentence_encoder, indexed)
        if selection.relevant and selection.ranked:
            chosen.append(_Chosen(paper_hits[0].paper, selection.ranked, selection.relevance_probability))
    return chosen[:papers]


def _themes(chosen: list[_Chosen], embedder) -> list[list[_Chosen]]:
    """2-4 groups of papers by meaning (cosine, average linkage); the count that separates them best."""
    if len(chosen) < 4:
        return [chosen]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    vectors = embedder.encode([f"{c.paper.title}. {c.ranked[0].text}" for c in chosen])
    best, best_score = None, -1.0
    for count in range(2, min(_MAX_THEMES, len(chosen) - 1) + 1):
        labels = AgglomerativeClustering(n_clusters=count, metric="cosine", linkage="average").fit_predict(vectors)
        score = silhouette_score(vectors, labels, metric="cosine")
        if score > best_score:
            best, best_score = labels, score
    groups: dict[int, list[_Chosen]] = defaultdict(list)
    for label, item in zip(best, chosen):
        groups[int(label)].append(item)
    return sorted(groups.values(), key=lambda g: -max(c.relevance for c in g))


def _theme_name(group: list[_Chosen], others: list[list[_Chosen]], query: str) -> str:
    """Up to three phrases of the group's titles that most of its papers share and the other groups' papers lack.

    Candidate phrases are 1-2 word n-grams of titles without stopwords at their ends; a phrase
    scores by how many of the group's papers use it (title or contribution sentence) minus how
    many of the other papers do, ties going to the longer, then the rarer phrase. Words of the
    query itself name nothing particular and are skipped.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    def document(c: _Chosen) -> str:
        return f"{c.paper.title} . {_contribution(c.ranked, 'related-work')[0].text}"

    outside = [c for g in others for c in g]
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words=sorted(STOPWORDS), token_pattern=r"[A-Za-z][\w-]+",
                                 binary=True)
    titles = vectorizer.fit([c.paper.title for c in group]).get_feature_names_out()
    inside_counts = np.asarray(vectorizer.transform([document(c) for c in group]).sum(axis=0)).ravel()
    outside_counts = (np.asarray(vectorizer.transform([document(c) for c in outside]).sum(axis=0)).ravel()
                      if outside else np.zeros(len(titles)))
    asked = set(tokens(query))
    kept = [i for i, term in enumerate(titles) if not set(term.split()) <= asked]
    scored = [(inside_counts[i] - outside_counts[i], len(titles[i].split()), -outside_counts[i], titles[i])
              for i in kept]
    shared = min(2, len(group))  # a name says what papers have in common, when they have something
    common = [entry for entry, i in zip(scored, kept) if inside_counts[i] >= shared]
    picked: list[str] = []
    for score, _, _, term in sorted(common, reverse=True) or sorted(scored, reverse=True)[:1]:
        if score <= 0 and picked or len(picked) == _NAME_TERMS:
            break
        if not any(set(term.split()) & set(p.split()) for p in picked):
            picked.append(term)
    if not picked:
        return "Other work"
    name = picked[0] if len(picked) == 1 else f"{', '.join(picked[:-1])} and {picked[-1]}"
    return name[0].upper() + name[1:]


def _contribution(ranked: list[Candidate], style: ReviewStyle) -> list[Candidate]:
    """The first sentence where the authors say what they did (else the best-ranked one); a mini-review adds the
    best-ranked sentence with a number, usually a finding."""
    stated = [c for c in ranked if not _LINK.search(c.text)] or ranked  # "Code is available at https://..."
    own = sorted((c for c in stated if _says_what_they_did(c.text)), key=lambda c: c.start)
    verbs = vocabulary().contribution_verbs
    claimed = [c for c in own if verbs & set(tokens(c.text)[:8])]
    picked = [(claimed or own or stated)[0]]  # the first "we propose ..." of an abstract states the contribution
    if style == "mini-review":
        finding = next((c for c in stated if c is not picked[0] and re.search(r"\d", c.text)
                        and not _OWN_WORK.match(c.text)), None)
        if finding:
            picked.append(finding)
    return sorted(picked, key=lambda c: c.start)


def _says_what_they_did(sentence: str) -> bool:
    """"We propose ...", "In this paper, we ...", "This work presents ...", not "Our code is ..."."""
    match = _OWN_WORK.match(sentence)
    if match and re.match(r"(?:then|also|further|next|finally|additionally)\b", sentence[match.end():], re.I):
        return False  # a later step of the method, not the contribution
    return bool(match and match.group(1).lower() == "we") or bool(_THIS_WORK.match(sentence))


def third_person(sentence: str, marker: str) -> str:
    """"We propose X." -> "The authors of [n] propose X."; "Our method ..." -> "Their method ... [n]."."""
    body = sentence.strip()
    match = _OWN_WORK.match(body)
    if match and match.group(1).lower() == "we":
        return f"The authors of {marker} {_their(body[match.end():])}"
    if match:
        rest = body[match.end():]
        return f"Their {rest.rstrip('.!? ')} {marker}."
    if _THIS_WORK.match(body):
        return f"The work in {marker} {_their(body[_THIS_WORK.match(body).end():].lstrip())}"
    return f"{_their(body).rstrip('.!? ')} {marker}."


def _their(text: str) -> str:
    """The authors' first person inside a sentence, in the third: "we show" -> "the authors show"."""
    text = re.sub(r"\bwe\b", "the authors", re.sub(r"\bWe\b", "The authors", text))
    return re.sub(r"\bour\b", "their", re.sub(r"\bOur\b", "Their", text))


def _evidence_paragraph(group: list[_Chosen], style: ReviewStyle, ledger: EvidenceLedger) -> str:
    sentences = []
    for i, chosen in enumerate(group):
        for j, candidate in enumerate(_contribution(chosen.ranked, style)):
            item = ledger.add(candidate.paper, candidate.start, candidate.end)
            text = third_person(candidate.text, f"[{item.n}]")
            connective = _CONNECTIVES[i % len(_CONNECTIVES)] if j == 0 else ""
            sentences.append(connective + (text[0].lower() + text[1:] if connective else text))
    return " ".join(sentences)


def _model_paragraph(group: list[_Chosen], ledger: EvidenceLedger, settings, writer, theme: str, topic: str) -> str:
    lines = []
    for chosen in group:
        for candidate in sorted(chosen.ranked[:3], key=lambda c: c.start):
            item = ledger.add(candidate.paper, candidate.start, candidate.end)
            lines.append(f"[{item.n}] ({item.title}) {item.quote}")
    from langchain_core.messages import HumanMessage, SystemMessage

    from .llm import invoke_text

    messages = [SystemMessage(render("review.system")),
                HumanMessage(render("review.user", topic=topic, theme=theme, evidence="\n".join(lines)))]
    return invoke_text(writer, messages, settings)


def _paragraph(group, style, ledger, settings, writer, theme, topic, timings) -> tuple[str, list[RemovedSentence]]:
    removed: list[RemovedSentence] = []
    if writer is not None:
        started = time.perf_counter()
        written = _model_paragraph(group, ledger, settings, writer, theme, topic)
        timings["generation"] = timings.get("generation", 0.0) + time.perf_counter() - started
        checked = verify_answer(written, ledger, settings.support_min_coverage)
        removed += checked.removed
        if checked.kept:
            return " ".join(k.text for k in checked.kept), removed
    checked = verify_answer(_evidence_paragraph(group, style, ledger), ledger, settings.support_min_coverage)
    return " ".join(k.text for k in checked.kept), removed + checked.removed


def _own_contribution(abstract: str) -> str | None:
    """The sentence of the user's abstract that says what their work does."""
    sentences = split_sentences(abstract.strip())
    return next((s for s in sentences if _OWN_WORK.match(s)), sentences[0] if sentences else None)


def _positioning(own: str, paragraph: str, min_coverage: float) -> tuple[str | None, RemovedSentence | None]:
    """"Unlike [2, 4], we propose X.": the cited works are the theme's, the claim is checked against the user's abstract."""
    cited = cited_numbers(paragraph)
    match = _OWN_WORK.match(own.strip())
    body = own.strip()[match.end():] if match and match.group(1).lower() == "we" else own.strip()
    claim = f"we {body}" if match and match.group(1).lower() == "we" else body[0].lower() + body[1:]
    sentence = f"Unlike [{', '.join(map(str, cited))}], {claim.rstrip('.!? ')}."
    verdict = check_support(claim, [own], min_coverage)
    if not verdict.supported:
        return None, RemovedSentence(sentence=sentence, reason=f"not stated by the given abstract: {verdict.reason}")
    return sentence, None


def _assemble(topic, style, paragraphs, themes, removed, ledger: EvidenceLedger, settings, timings) -> Review:
    """Number citations in order of first use across the review and list what each cites."""
    order: dict[int, int] = {}
    for paragraph in paragraphs:
        for n in numbers_in_order(paragraph.text):
            order.setdefault(n, len(order) + 1)
    paragraphs = [p.model_copy(update={"text": renumber_markers(p.text, order)}) for p in paragraphs]
    citations, references = [], []
    for old, new in sorted(order.items(), key=lambda kv: kv[1]):
        item = ledger.get(old)
        paper = ledger.papers[item.paper_id]
        citations.append(Citation(n=new, paper_id=item.paper_id, title=item.title, quote=item.quote))
        references.append(Reference(
            n=new, key=citation_key(paper.paper_id, paper.title, paper.arxiv_id, paper.doi, paper.year, paper.authors),
            paper_id=paper.paper_id, title=paper.title, authors=paper.authors, year=paper.year,
            arxiv_id=paper.arxiv_id, doi=paper.doi, url=paper.url,
        ))
    text = "\n\n".join(f"**{p.theme}.** {p.text}" for p in paragraphs) or NO_PAPERS_PHRASE
    return Review(topic=topic, style=style, text=text, paragraphs=paragraphs, citations=citations, themes=themes,
                  removed=removed, status="success" if paragraphs else "fail", references=references,
                  provider=provider_label(settings), timings=timings)


def _writer(settings):
    """The endpoint's chat model; langchain's model classes load only when one is used."""
    from .llm import make_chat_model

    return make_chat_model(settings)
