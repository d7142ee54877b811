#!/usr/bin/env python
"""LangChain's ChatLlamaCpp beside our LocalChatModel: same greedy replies? what does each instance load?

langchain-community is not a dependency; install it beside the project without touching .venv:

    .venv/bin/pip install --target /tmp/lcc-site --no-deps langchain-community langchain-classic sqlalchemy \\
        dataclasses-json marshmallow typing-inspect mypy-extensions httpx-sse
    PYTHONPATH=/tmp/lcc-site .venv/bin/python bench/chat_llamacpp_probe.py

Measured 2026-12-01 (README, "Libraries kept and declined"): each ChatLlamaCpp instance loads the model again
(0.23 s, 0.40 s), and 0 of 4 greedy replies matched ours, with its default repeat penalty or with 1.0.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_community.chat_models import ChatLlamaCpp  # noqa: E402
from langchain_core.messages import HumanMessage, SystemMessage  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.llm import make_chat_model  # noqa: E402
from assistant.resources import local_model_path  # noqa: E402

PROMPTS = ["What is a knowledge graph?", "Name one imaging modality used in radiology.",
           "Summarise: MedReason contains 32,682 question-answer pairs.", "What does CT stand for?"]


def _library_model(settings: Settings, **extra) -> tuple[ChatLlamaCpp, float]:
    started = time.perf_counter()
    model = ChatLlamaCpp(model_path=str(local_model_path(settings)), n_ctx=settings.local_context_tokens,
                         n_threads=settings.local_threads, temperature=settings.temperature,
                         max_tokens=settings.max_answer_tokens, seed=0, verbose=False, **extra)
    return model, time.perf_counter() - started


def main() -> None:
    settings = Settings(_env_file=None)
    ours = make_chat_model(settings)
    default, load_default = _library_model(settings)
    no_penalty, load_no_penalty = _library_model(settings, repeat_penalty=1.0)
    print(f"ChatLlamaCpp loads the model per instance: {load_default:.2f} s, {load_no_penalty:.2f} s; "
          f"shared engine: {default.client is no_penalty.client}")
    same_default = same_no_penalty = 0
    for prompt in PROMPTS:
        messages = [SystemMessage("Answer in one sentence."), HumanMessage(prompt)]
        reply = ours.invoke(messages).content
        same_default += default.invoke(messages).content == reply
        same_no_penalty += no_penalty.invoke(messages).content == reply
    print(f"identical greedy replies: library defaults {same_default}/{len(PROMPTS)}, "
          f"repeat_penalty=1.0 {same_no_penalty}/{len(PROMPTS)}")


if __name__ == "__main__":
    main()
