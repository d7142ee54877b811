"""Fit the sentence-role reader (`assistant/data/roles.json`) on labelled abstract sections, cross-validated by paper.

    python -m assistant.evaluation.fit_roles [--source PUBMEDQA_JSONL] [--out assistant/data/roles.json]

PubMedQA abstracts come split into labelled sections (BACKGROUND, METHODS, RESULTS, ...) with the conclusion
apart; every sentence takes its section's role. Papers of the test split of any PubMedQA gold file are left out,
so the reader never saw the papers it is judged on. Section names are mapped to roles by the usual words of
structured abstracts; a name matching two roles ("METHODS AND RESULTS") or none is skipped.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from ..bagofwords import export
from ..roles import ROLES, ROLES_PATH, role_terms
from ..text import sentence_spans
from .corpora import DEFAULT_PUBMEDQA, split_of
from .fit_selector import out_of_fold, recall_by_class, save_fitted

_SECTION_ROLES = {
    "background": re.compile(r"BACKGROUND|INTRODUCTION|CONTEXT|RATIONALE"),
    "objective": re.compile(r"OBJECTIVE|AIM|PURPOSE|HYPOTHES|GOAL"),
    "methods": re.compile(r"METHOD|DESIGN|SETTING|PATIENT|PARTICIPANT|SUBJECT|INTERVENTION|MEASURE|POPULATION|MATERIAL"),
    "results": re.compile(r"RESULT|FINDING"),
}
_C = 4.0


def section_role(label: str) -> str | None:
    matched = [role for role, pattern in _SECTION_ROLES.items() if pattern.search(label.upper())]
    return matched[0] if len(matched) == 1 else None


def labelled_sentences(source: Path) -> tuple[list[str], list[str], list[str]]:
    """(sentences, roles, paper ids) of every paper outside the test split."""
    sentences, roles, papers = [], [], []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        paper = f"pubmed-{item['pmid']}"
        if split_of(paper) == "test":
            continue
        sections = [*zip(item["labels"], item["contexts"], strict=True), ("CONCLUSION", item["conclusion"])]
        for label, text in sections:
            role = "conclusion" if label == "CONCLUSION" else section_role(label)
            if role is None:
                continue
            for start, end in sentence_spans(text):
                sentences.append(text[start:end])
                roles.append(role)
                papers.append(paper)
    return sentences, roles, papers


def _model(texts: list[str], labels: np.ndarray):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(analyzer=role_terms, min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=_C, max_iter=3000).fit(vectoriser.fit_transform(texts), labels)
    return vectoriser, model


def fit(source: Path) -> tuple[dict, dict]:
    sentences, roles, papers = labelled_sentences(source)
    labels = np.array(roles)
    probabilities, classes = out_of_fold(sentences, labels, papers, _model)
    predicted = classes[probabilities.argmax(1)]
    report = {
        "sentences": len(sentences), "papers": len(set(papers)),
        "accuracy": round(float((predicted == labels).mean()), 3),
        "by_role": recall_by_class(labels, predicted, ROLES),
    }
    vectoriser, model = _model(sentences, labels)
    return export(vectoriser, model), report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_PUBMEDQA)
    parser.add_argument("--out", type=Path, default=ROLES_PATH)
    args = parser.parse_args(argv)
    model, report = fit(args.source)
    save_fitted(args.out, model, report, "python -m assistant.evaluation.fit_roles", C=_C)


if __name__ == "__main__":
    main()
