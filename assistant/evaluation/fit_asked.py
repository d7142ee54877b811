"""Fit the question-kind reader (`assistant/data/asked.json`) on dev gold questions, cross-validated by paper.

    python -m assistant.evaluation.fit_asked [--out assistant/data/asked.json]

Training data: every dev-split fact of the `daily` and `pubmedqa` gold sets whose `kind` was labelled when it
was written (number; which_system and described, both asking for a name; method; yes_no). Test splits are never
read. Classes are weighted to the same total, so PubMedQA's many yes/no questions do not drown the others, and
so is every gold file, so the wording of one batch (the dataset's own PubMedQA questions, which all ask yes/no
about a clinical subject) does not teach the reader that a clinical subject means a yes/no question.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..asked import ASKED_KINDS, ASKED_PATH, asked_terms
from ..bagofwords import export
from .corpora import CORPORA
from .fit_selector import out_of_fold, recall_by_class, save_fitted
from .gold import EvalItem, load_items

_KIND_ASKED = {"number": "number", "which_system": "name", "described": "name", "method": "method",
               "yes_no": "yes_no"}
_C = 1.0


def labelled_questions(corpora: tuple[str, ...] = ("daily", "pubmedqa")) -> list[EvalItem]:
    return [item for corpus in corpora for item in load_items("facts", "dev", None, CORPORA[corpus].gold_dir)
            if item.kind in _KIND_ASKED]


def _model(questions: list[str], kinds: np.ndarray, weight_of: dict[str, float]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(analyzer=asked_terms, sublinear_tf=True)
    x = vectoriser.fit_transform(questions)
    weight = np.array([weight_of[q] for q in questions])
    model = LogisticRegression(C=_C, max_iter=3000, class_weight="balanced")
    return vectoriser, model.fit(x, kinds, sample_weight=weight * len(weight) / weight.sum())


def fit(items: list[EvalItem]) -> tuple[dict, dict]:
    """(exported model, out-of-fold report by kind and by gold file)."""
    questions = [i.question for i in items]
    kinds = np.array([_KIND_ASKED[i.kind] for i in items])
    source = np.array([f"{i.gold_file} ({'pubmedqa' if i.paper_id.startswith('pubmed-') else 'daily'})"
                       for i in items])
    per_file = {f: int((source == f).sum()) for f in set(source)}
    weight_of = {q: 1.0 / per_file[f] for q, f in zip(questions, source, strict=True)}

    def model_for(texts: list[str], labels: np.ndarray):
        return _model(texts, labels, weight_of)

    probabilities, classes = out_of_fold(questions, kinds, [i.paper_id for i in items], model_for)
    predicted = classes[probabilities.argmax(1)]
    report = {
        "questions": len(items), "accuracy": round(float((predicted == kinds).mean()), 3),
        "by_kind": recall_by_class(kinds, predicted, ASKED_KINDS),
        "by_gold_file": {f: {"n": int((source == f).sum()),
                             "accuracy": round(float((predicted[source == f] == kinds[source == f]).mean()), 3)}
                         for f in sorted(set(source))},
    }
    return export(*model_for(questions, kinds)), report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ASKED_PATH)
    args = parser.parse_args(argv)
    model, report = fit(labelled_questions())
    save_fitted(args.out, model, report, "python -m assistant.evaluation.fit_asked", C=_C)


if __name__ == "__main__":
    main()
