"""Check a manuscript's citations: does each cited paper say what the sentence claims?

Each key is resolved to an indexed paper (through the user's BibTeX entry: arXiv id, DOI, then
normalised title; through a numbered or `\\bibitem` reference's text; or, with neither, as an
indexed paper's id or the key `review --bib` writes for it). A sentence is then judged against all
the papers it cites together by the answer verifier (`verify.check_support`: numbers, names, study
designs, negation and antonym flips, coverage), reading each cited paper's title and every sentence it
offers (all of an abstract; of a long text, the chunks near the claim), never a question or a
"whether" clause: those ask, they do not state. When the cited papers do not support it, the index
is searched for a paper that does, so the report can say "cited [a], but this number is stated by
[b]". Sentences without a citation that state a number or a finding are listed as uncited claims;
a sentence about the authors' own work ("we", "our") needs no citation.
"""

from __future__ import annotations

import re

import numpy as np

from .bibliography import citation_key
from .loaders.arxiv_ids import find_arxiv_id
from .manuscript import Manuscript, ManuscriptSentence
from .models import CHECK_VERDICTS, CheckedSentence, CheckEvidence, CheckReport, Paper
from .text import is_list_marker, number_spans, tokens
from .verify import check_support
from .vocabulary import vocabulary

__all__ = ["check_manuscript", "KeyResolver"]

_ALTERNATIVES = 5  # other papers searched for support when the cited ones give none
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>,;]+[^\s\"<>,;.)]", re.IGNORECASE)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_FIRST_PERSON = {"we", "our", "ours", "us"}
# A question or a "whether" clause asks, it does not state: "we investigated whether folic acid protects against
# heart anomalies" is no evidence that it does.
_QUESTION = re.compile(r"\bwhether\b|\?\s*$", re.IGNORECASE)
_POINTER = re.compile(r"\b(?:section|sec|figure|fig|table|tab|eq|equation|appendix|chapter|step|stage|phase|part)"
                      r"\.?\s*$", re.IGNORECASE)  # "Section 2", "Fig. 3": where to look, not a claim


def _title_words(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


class KeyResolver:
    """Citation key -> indexed paper id, by BibTeX entry, reference text or the key itself."""

    def __init__(self, papers: dict[str, Paper], bib: dict[str, Paper] | None, references: dict[str, str]):
        self.papers, self.bib, self.references = papers, bib or {}, references
        self.by_arxiv = {p.arxiv_id: pid for pid, p in papers.items() if p.arxiv_id}
        self.by_doi = {p.doi.lower(): pid for pid, p in papers.items() if p.doi}
        self.by_title = {_title_words(p.title): pid for pid, p in papers.items() if p.title}
        self.by_key = {self._own_key(p): pid for pid, p in papers.items()}
        self.key_for = {}
        for key in self.bib:
            found = self.resolve(key)[0]
            if found:
                self.key_for.setdefault(found, key)

    @staticmethod
    def _own_key(paper: Paper) -> str:
        return citation_key(paper.paper_id, paper.title, paper.arxiv_id, paper.doi, paper.year, paper.authors)

    def resolve(self, key: str) -> tuple[str | None, str]:
        """(paper_id, "") when the key names an indexed paper, else (None, why not)."""
        entry = self.bib.get(key)
        if entry is not None:
            found = (self.by_arxiv.get(entry.arxiv_id or "") or self.by_doi.get((entry.doi or "").lower())
                     or self.by_title.get(_title_words(entry.title)) or self.papers.get(entry.paper_id)
                     and entry.paper_id)
            return (found, "") if found else (None, f"'{key}' ({entry.title}) is not indexed")
        if key in self.references:
            found = self._from_text(self.references[key])
            return (found, "") if found else (None, f"reference [{key}] matches no indexed paper")
        found = (key if key in self.papers else None) or self.by_arxiv.get(key) or self.by_doi.get(key.lower()) \
            or self.by_key.get(key)
        if found:
            return found, ""
        where = "the BibTeX file" if self.bib else "the index (pass --bib refs.bib to resolve keys)"
        return None, f"key '{key}' is not in {where}"

    def _from_text(self, reference: str) -> str | None:
        """A reference as written: its arXiv id, its DOI, else an indexed title it contains."""
        arxiv_id = find_arxiv_id(reference)
        if arxiv_id and arxiv_id in self.by_arxiv:
            return self.by_arxiv[arxiv_id]
        doi = _DOI.search(reference)
        if doi and doi.group(0).lower() in self.by_doi:
            return self.by_doi[doi.group(0).lower()]
        words = f" {_title_words(reference)} "
        matches = [pid for title, pid in self.by_title.items() if len(title.split()) >= 3 and f" {title} " in words]
        return max(matches, key=lambda pid: len(self.papers[pid].title), default=None)

    def key_of(self, paper_id: str) -> str:
        """What the manuscript would cite the paper as: its key in the user's BibTeX, else the key we write."""
        return self.key_for.get(paper_id) or self._own_key(self.papers[paper_id])


def check_manuscript(manuscript: Manuscript, *, retriever, min_coverage: float,
                     bib: dict[str, Paper] | None = None, bib_name: str = "refs.bib") -> CheckReport:
    """Every cited sentence judged, every uncited claim listed, in the manuscript's order; nothing is indexed."""
    papers = retriever.index.papers()
    resolver = KeyResolver(papers, bib, manuscript.references)
    reader = _EvidenceReader(retriever, papers)
    checked, unresolved = [], []
    for sentence in manuscript.sentences:
        if sentence.keys:
            resolved = [resolver.resolve(key) for key in sentence.keys]
            unresolved += [key for key, (pid, _) in zip(sentence.keys, resolved, strict=True) if pid is None]
            checked.append(_judge(sentence, resolved, reader, resolver, retriever, min_coverage))
        elif _is_claim(sentence.text):
            checked.append(CheckedSentence(text=sentence.text, verdict="uncited_claim",
                                           reason=_claim_reason(sentence.text)))
    totals = {"sentences": len(manuscript.sentences), "checked": len(checked)}
    for verdict in CHECK_VERDICTS:
        totals[verdict] = sum(s.verdict == verdict for s in checked)
    unresolved = list(dict.fromkeys(unresolved))
    suggestion = None
    if unresolved:
        suggestion = (f"`assistant ingest {bib_name}` adds the entries that are not indexed (with whatever title and "
                      "abstract they carry); run the check again after it" if bib else
                      "pass --bib refs.bib so keys resolve by arXiv id, DOI and title")
    return CheckReport(format=manuscript.format, sentences=checked, totals=totals, unresolved_keys=unresolved,
                       suggestion=suggestion)


class _EvidenceReader:
    """Each paper's sentences closest to a claim; the paper's sentence vectors are computed once per check."""

    def __init__(self, retriever, papers: dict[str, Paper]):
        self.retriever, self.papers = retriever, papers
        self.cache: dict[tuple[str, tuple[str, ...]], tuple[list[str], np.ndarray]] = {}
        self.split: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def sentences(self, paper_id: str, claim: str) -> tuple[list[str], np.ndarray]:
        """The paper's statements near the claim with their vectors; a sentence that states the study's question
        ("whether X reduces Y") is left out, since it would vouch for either answer."""
        texts, _ = self._spans(paper_id, claim)
        if (paper_id, texts) not in self.cache:
            self.cache[(paper_id, texts)] = (list(texts), self.retriever.sentence_encoder.encode(list(texts)))
        return self.cache[(paper_id, texts)]

    def aims(self, paper_id: str, claim: str) -> list[str]:
        """The question sentences left out of `sentences`: they still say whom and where the study looked at."""
        return list(self._spans(paper_id, claim)[1])

    def _spans(self, paper_id: str, claim: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if (paper_id, claim) not in self.split:
            paper = self.papers[paper_id]
            spans = self.retriever.paper_spans(paper, [claim])  # all of an abstract; a long text's near chunks
            found = [paper.text[a:b] for a, b in spans]
            statements = tuple(t for t in found if not _QUESTION.search(t)) or (paper.title,)
            self.split[(paper_id, claim)] = statements, tuple(t for t in found if _QUESTION.search(t))
        return self.split[(paper_id, claim)]

    def closest(self, paper_id: str, claim: str, claim_vector: np.ndarray) -> list[str]:
        """Every sentence the paper offers (all of an abstract, a long text's chunks near the claim), closest in
        meaning first. A citation vouches for the paper, not for one sentence of it: a manuscript sentence often
        joins two of the paper's statements, or restates one that sits far from the sentence closest to it."""
        texts, vectors = self.sentences(paper_id, claim)
        return [texts[i] for i in np.argsort(-(vectors @ claim_vector))]


def _judge(sentence: ManuscriptSentence, resolved: list[tuple[str | None, str]], reader: _EvidenceReader,
           resolver: KeyResolver, retriever, min_coverage: float) -> CheckedSentence:
    cited = list(dict.fromkeys(pid for pid, _ in resolved if pid))
    base = {"text": sentence.text, "keys": sentence.keys, "papers": [pid for pid, _ in resolved]}
    if not cited:
        return CheckedSentence(**base, verdict="not_indexed", reason="; ".join(why for _, why in resolved))
    vector = retriever.embedder.encode([sentence.text])[0]
    closest = {pid: reader.closest(pid, sentence.text, vector) for pid in cited}
    evidence = [CheckEvidence(paper_id=pid, title=reader.papers[pid].title, quote=closest[pid][0]) for pid in cited]
    verdict = check_support(sentence.text, [t for pid in cited for t in (reader.papers[pid].title, *closest[pid])],
                            min_coverage, setting=[t for pid in cited for t in reader.aims(pid, sentence.text)])
    if verdict.supported:
        return CheckedSentence(**base, verdict="supported", reason="", evidence=evidence)
    others = _supporting_papers(sentence.text, cited, reader, retriever, vector, min_coverage)
    hint = None
    if others:
        cited_keys = ", ".join(k for k, (pid, _) in zip(sentence.keys, resolved, strict=True) if pid)
        what = "this number is" if verdict.reason.startswith("number") else "this is"
        hint = f"cited [{cited_keys}], but {what} stated by [{', '.join(resolver.key_of(p) for p in others)}]"
    return CheckedSentence(**base, verdict="contradicted" if verdict.contradicts else "unsupported",
                           reason=verdict.reason, evidence=evidence, supported_by=others, hint=hint)


def _supporting_papers(claim: str, cited: list[str], reader: _EvidenceReader, retriever, vector: np.ndarray,
                       min_coverage: float) -> list[str]:
    found = []
    for hit in retriever.search(claim, k=_ALTERNATIVES):
        if hit.paper_id in cited:
            continue
        texts = [reader.papers[hit.paper_id].title, *reader.closest(hit.paper_id, claim, vector)]
        if check_support(claim, texts, min_coverage, setting=reader.aims(hit.paper_id, claim)).supported:
            found.append(hit.paper_id)
    return found


def _claim_numbers(text: str) -> list[str]:
    """Numbers a claim states: not years, list markers or pointers into the text ("Table 2")."""
    return [surface for surface, start, end in number_spans(text)
            if not (_YEAR.fullmatch(surface) or is_list_marker(text, start, end) or _POINTER.search(text[:start]))]


def _is_claim(text: str) -> bool:
    words = set(tokens(text))
    if words & _FIRST_PERSON:
        return False
    return bool(_claim_numbers(text) or words & vocabulary().finding_cues)


def _claim_reason(text: str) -> str:
    stated = _claim_numbers(text)
    if stated:
        return f"states {stated[0]} without a citation"
    cue = sorted(set(tokens(text)) & vocabulary().finding_cues)[0]
    return f"states a finding ('{cue}') without a citation"
