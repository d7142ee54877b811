"""Fit the question-kind reader (`assistant/data/asked.json`) on dev gold questions, cross-validated by paper.

    python -m assistant.evaluation.fit_asked [--out assistant/data/asked.json]

Training data: every dev-split fact of the `daily` and `pubmedqa` gold sets whose `kind` was labelled when it
was written (number; which_system and described, both asking for a name; method; yes_no). Test splits are never
read. Classes are weighted to the same total, so PubMedQA's many yes/no questions do not drown the others. Two
models are fitted: a bag of words and a logistic model over the bundled MiniLM embedding of the question; the
reader averages them, and the report gives each alone and the average, out of fold.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..asked import ASKED_KINDS, ASKED_PATH, asked_terms
from ..bagofwords import export, export_vector
from ..embeddings import get_embedder
from ..resources import embedding_model_path, load_settings
from .corpora import CORPORA
from .fit_selector import out_of_fold, recall_by_class, save_fitted
from .gold import EvalItem, load_items

_KIND_ASKED = {"number": "number", "which_system": "name", "described": "name", "method": "method",
               "yes_no": "yes_no"}
_C = 1.0
_C_MEANING = 4.0  # the embedding model: 384 dense values, less regularised than the sparse words


def labelled_questions(corpora: tuple[str, ...] = ("daily", "pubmedqa")) -> list[EvalItem]:
    return [item for corpus in corpora for item in load_items("facts", "dev", None, CORPORA[corpus].gold_dir)
            if item.kind in _KIND_ASKED]


def _model(questions: list[str], kinds: np.ndarray):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(analyzer=asked_terms, sublinear_tf=True)
    x = vectoriser.fit_transform(questions)
    return vectoriser, LogisticRegression(C=_C, max_iter=3000, class_weight="balanced").fit(x, kinds)


class _Embedded:
    """Questions -> their embeddings, in the shape `out_of_fold` expects of a vectoriser."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def transform(self, questions: list[str]) -> np.ndarray:
        return np.array([self.vectors[q] for q in questions])


def _meaning_model(vectors: dict[str, np.ndarray]):
    from sklearn.linear_model import LogisticRegression

    def model_for(questions: list[str], kinds: np.ndarray):
        embedded = _Embedded(vectors)
        return embedded, LogisticRegression(C=_C_MEANING, max_iter=3000, class_weight="balanced").fit(
            embedded.transform(questions), kinds)
    return model_for


def fit(items: list[EvalItem], vectors: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """(exported models, out-of-fold report by kind and by gold file); `vectors`: each question's embedding."""
    questions = [i.question for i in items]
    kinds = np.array([_KIND_ASKED[i.kind] for i in items])
    groups = [i.paper_id for i in items]
    words, classes = out_of_fold(questions, kinds, groups, _model)
    meaning, _ = out_of_fold(questions, kinds, groups, _meaning_model(vectors))
    source = np.array([f"{i.gold_file} ({'pubmedqa' if i.paper_id.startswith('pubmed-') else 'daily'})"
                       for i in items])
    report = {"questions": len(items)}
    for name, probabilities in (("words", words), ("meaning", meaning), ("both", (words + meaning) / 2)):
        predicted = classes[probabilities.argmax(1)]
        report[name] = {
            "accuracy": round(float((predicted == kinds).mean()), 3),
            "by_kind": recall_by_class(kinds, predicted, ASKED_KINDS),
            "by_gold_file": {f: {"n": int((source == f).sum()),
                                 "accuracy": round(float((predicted[source == f] == kinds[source == f]).mean()), 3)}
                             for f in sorted(set(source))},
        }
    exported = export(*_model(questions, kinds))
    exported["meaning"] = export_vector(_meaning_model(vectors)(questions, kinds)[1])
    return exported, report


def question_vectors(questions: list[str]) -> dict[str, np.ndarray]:
    """The bundled embedding model's vector of each question, as answering computes it."""
    embedder = get_embedder(embedding_model_path(load_settings()))
    return dict(zip(questions, embedder.encode(questions), strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ASKED_PATH)
    args = parser.parse_args(argv)
    items = labelled_questions()
    model, report = fit(items, question_vectors([i.question for i in items]))
    save_fitted(args.out, model, report, "python -m assistant.evaluation.fit_asked", C=_C, C_meaning=_C_MEANING)


if __name__ == "__main__":
    main()
