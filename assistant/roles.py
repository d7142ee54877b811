"""What part an abstract sentence plays: background, objective, methods, results or conclusion.

The answer to "did X beat Y?" is a results sentence, while the sentence that
repeats the question's words is often the aims sentence ("we assessed whether
X beats Y"); the answer to "how does X do Y?" is a methods sentence. Position
alone does not tell them apart across fields (clinical abstracts end on their
conclusion, machine-learning ones often on a release note). The roles are
read by a bag-of-words model fitted on abstracts whose sections are labelled
(`python -m assistant.evaluation.fit_roles`; `data/roles.json`), so they hold
for any field that writes abstracts the usual way.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["ROLES", "ROLES_PATH", "RoleModel", "role_terms", "load_roles"]

ROLES = ("background", "objective", "methods", "results", "conclusion")
ROLES_PATH = Path(__file__).resolve().parent / "data" / "roles.json"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*\s?%|\d+(?:[.,]\d+)*|[a-z]+(?:-[a-z]+)*")


def role_terms(sentence: str) -> list[str]:
    """Words and word pairs, every number one token ("<num>", "<pct>"): roles show in wording, not values."""
    words = ["<pct>" if t.endswith("%") else "<num>" if t[0].isdigit() else t
             for t in _TOKEN.findall(sentence.lower())]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class RoleModel:
    """TF-IDF terms -> softmax over `ROLES` (a multinomial logistic model)."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    classes: list[str]
    weights: np.ndarray  # classes x vocabulary
    bias: np.ndarray

    def roles(self, sentence: str) -> dict[str, float]:
        """P(role) for every role of `ROLES`."""
        counts = Counter(t for t in role_terms(sentence) if t in self.vocabulary)
        scores = self.bias.copy()
        if counts:
            columns = np.array([self.vocabulary[t] for t in counts])
            values = (1 + np.log(np.array(list(counts.values()), dtype=float))) * self.idf[columns]
            scores += self.weights[:, columns] @ (values / np.linalg.norm(values))
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        by_class = dict(zip(self.classes, probabilities.tolist(), strict=True))
        return {role: by_class.get(role, 0.0) for role in ROLES}


@lru_cache(maxsize=4)
def load_roles(path: Path = ROLES_PATH) -> RoleModel:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return RoleModel(raw["vocabulary"], np.asarray(raw["idf"]), raw["classes"], np.asarray(raw["weights"]),
                     np.asarray(raw["bias"], dtype=float))
