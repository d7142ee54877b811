"""What kind of answer a question asks for: a number, a name, a method or a yes/no finding.

Hand rules on the wh-phrase miss wordings they were not written for ("what was
the mean age", "which agent protected the ovaries", "laparoscopic repair: is it
safe?"). The kind is read by a bag-of-words model fitted on gold questions of
every corpus whose kind was labelled when they were written
(`python -m assistant.evaluation.fit_asked`; `data/asked.json`): the opening
words, the opening words of every later clause (a question that first sets the
scene, "In adults screened at rural eye clinics, how many ...", asks in its
last clause), every word and word pair. The selector's sentence features and the
yes/no path follow the kind it reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .bagofwords import TermClassifier

__all__ = ["ASKED_KINDS", "ASKED_PATH", "AskedModel", "asked_terms", "load_asked"]

ASKED_KINDS = ("number", "name", "method", "yes_no")
ASKED_PATH = Path(__file__).resolve().parent / "data" / "asked.json"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[a-z]+(?:-[a-z]+)*")
_LEAD = 3
_CLAUSE_BREAK = re.compile(r"[,;:]")


def _words(text: str) -> list[str]:
    return ["<num>" if t[0].isdigit() else t for t in _TOKEN.findall(text.lower())]


def asked_terms(question: str) -> list[str]:
    """The first words by position ("^0:what") and the first words of each later clause ("^c0:how"), then
    every word and word pair; a number is one token."""
    words = _words(question)
    lead = [f"^{i}:{w}" for i, w in enumerate(words[:_LEAD])]
    clause_leads = [f"^c{i}:{w}" for clause in _CLAUSE_BREAK.split(question)[1:]
                    for i, w in enumerate(_words(clause)[:_LEAD])]
    return lead + clause_leads + words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class AskedModel:
    """The fitted reader: P(kind) of a question."""

    classifier: TermClassifier

    def kinds(self, question: str) -> dict[str, float]:
        by_class = self.classifier.probabilities(asked_terms(question))
        return {kind: by_class.get(kind, 0.0) for kind in ASKED_KINDS}

    def kind(self, question: str) -> str:
        probabilities = self.kinds(question)
        return max(probabilities, key=probabilities.get)


@lru_cache(maxsize=4)
def load_asked(path: Path = ASKED_PATH) -> AskedModel:
    return AskedModel(TermClassifier.from_export(json.loads(Path(path).read_text(encoding="utf-8"))))
