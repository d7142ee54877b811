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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .bagofwords import TermClassifier

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
    """The fitted reader: P(role) of a sentence."""

    classifier: TermClassifier

    def roles(self, sentence: str) -> dict[str, float]:
        """P(role) for every role of `ROLES`."""
        by_class = self.classifier.probabilities(role_terms(sentence))
        return {role: by_class.get(role, 0.0) for role in ROLES}


@lru_cache(maxsize=4)
def load_roles(path: Path = ROLES_PATH) -> RoleModel:
    return RoleModel(TermClassifier.from_export(json.loads(Path(path).read_text(encoding="utf-8"))))
