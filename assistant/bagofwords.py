"""Bag-of-words classifiers fitted with scikit-learn, scored with numpy alone.

A `TfidfVectorizer(sublinear_tf=True)` followed by a `LogisticRegression` is
exported as its vocabulary, IDF and weights (`export`), so answering never
imports scikit-learn; the yes/no reader, the sentence-role reader and the
question-kind reader are all such models.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["TermClassifier", "export"]


@dataclass(frozen=True)
class TermClassifier:
    """Sublinear TF-IDF of the given terms, unit length -> softmax over `classes`."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    classes: list[str]
    weights: np.ndarray  # classes x vocabulary
    bias: np.ndarray

    @classmethod
    def from_export(cls, raw: dict) -> TermClassifier:
        weights, bias = np.asarray(raw["weights"], dtype=float), np.asarray(raw["bias"], dtype=float)
        if len(raw["classes"]) == 2 and len(weights) == 1:  # binary: P(second) = sigmoid(z) = softmax([0, z])
            weights, bias = np.vstack([np.zeros_like(weights), weights]), np.concatenate([[0.0], bias])
        return cls(raw["vocabulary"], np.asarray(raw["idf"], dtype=float), list(raw["classes"]), weights, bias)

    def probabilities(self, terms: Iterable[str]) -> dict[str, float]:
        """P(class) for every class, as scikit-learn's `predict_proba` gives it."""
        counts = Counter(t for t in terms if t in self.vocabulary)
        scores = self.bias.copy()
        if counts:
            columns = np.array([self.vocabulary[t] for t in counts])
            values = (1 + np.log(np.array(list(counts.values()), dtype=float))) * self.idf[columns]
            scores += self.weights[:, columns] @ (values / np.linalg.norm(values))
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        return dict(zip(self.classes, probabilities.tolist(), strict=True))


def export(vectoriser, model) -> dict:
    """A fitted vectoriser and logistic model as plain JSON values, for `TermClassifier.from_export`."""
    return {"vocabulary": {term: int(i) for term, i in vectoriser.vocabulary_.items()},
            "idf": vectoriser.idf_.tolist(), "classes": model.classes_.tolist(),
            "weights": model.coef_.tolist(), "bias": model.intercept_.tolist()}
