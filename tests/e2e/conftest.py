"""Fixtures the web UI's tests share (gradio_client and browser alike)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest

from assistant.config import PROJECT_ROOT


@pytest.fixture(scope="session")
def medreason_fact() -> dict:
    """The "named" MedReason question of the first gold set; its accepted answer is 32,682."""
    facts = (PROJECT_ROOT / "evals" / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    return next(fact for fact in map(json.loads, facts) if fact["id"] == "fact-004")


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function giving a loopback port nothing listens on now."""

    def find() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    return find
