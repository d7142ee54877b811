"""Support checks behind the citation metrics: "do these evidence texts support this sentence?"

`LexicalJudge` (the verifier's own tier-0 check) is the default and the only
one CI gates on. `LLMJudge` asks an OpenAI-compatible endpoint at temperature 0
and caches every verdict by prompt hash, because judge scores drift between
runs even at temperature 0; it is optional and report-only. Both describe
themselves (model, threshold) so every report records what judged it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Protocol

from langchain_core.messages import HumanMessage

from ..config import Settings
from ..llm import invoke_text, make_chat_model
from ..prompts import render
from ..verify import check_support

__all__ = ["SupportJudge", "LexicalJudge", "LLMJudge"]


class SupportJudge(Protocol):
    name: str

    def supports(self, claim: str, evidence: list[str]) -> bool: ...

    def describe(self) -> dict: ...


class LexicalJudge:
    """Numbers, names and negation must match and most content words must occur (assistant.verify)."""

    name = "lexical"

    def __init__(self, min_coverage: float = 0.6) -> None:
        self.min_coverage = min_coverage

    def supports(self, claim: str, evidence: list[str]) -> bool:
        return bool(evidence) and check_support(claim, evidence, self.min_coverage).supported

    def describe(self) -> dict:
        return {"name": self.name, "check": "assistant.verify.check_support", "threshold": self.min_coverage}


class LLMJudge:
    """Yes/no support verdicts from a chat model; an unparseable reply counts as "no" and is tallied."""

    name = "llm"

    def __init__(self, settings: Settings, cache_path: Path) -> None:
        self.settings = settings.model_copy(update={"provider": "openai", "temperature": 0.0, "max_answer_tokens": 4})
        self.cache_path = cache_path
        self.cache: dict[str, str] = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
        self.unparseable = 0
        self._model = None

    def supports(self, claim: str, evidence: list[str]) -> bool:
        if not evidence:
            return False
        prompt = render("judge.user", evidence="\n".join(evidence), claim=claim)
        key = hashlib.sha256(f"{self.settings.model}\n{prompt}".encode()).hexdigest()
        reply = self.cache.get(key)
        if reply is None:
            if self._model is None:
                self._model = make_chat_model(self.settings)
            reply = invoke_text(self._model, [HumanMessage(prompt)], self.settings).strip().lower()
            self.cache[key] = reply
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self.cache_path.write_text(json.dumps(self.cache, indent=0, sort_keys=True))
        if not reply.startswith(("yes", "no")):
            self.unparseable += 1
        return reply.startswith("yes")

    def describe(self) -> dict:
        return {
            "name": self.name, "model": self.settings.model, "base_url": self.settings.openai_base_url,
            "temperature": 0.0, "threshold": "reply starts with 'yes'", "unparseable_replies": self.unparseable,
            "cache": str(self.cache_path),
        }
