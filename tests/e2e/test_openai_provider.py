"""The `openai` provider end to end, against real OpenAI-compatible servers on loopback.

* happy path: a real `python -m llama_cpp.server` serving the bundled SmolLM2 GGUF,
  driven through `ResearchAssistant` in both agent modes;
* failure modes, each a real socket on 127.0.0.1: nothing listening, a stdlib HTTP
  server that accepts requests and never answers, one that answers HTTP 500 with an
  OpenAI-style JSON error, and one that answers 200 with a body that is not a chat
  completion. Each must surface as `ProviderError` (ConfigError for a missing key)
  after bounded retries, through the public API, and never hang.

No sleeps are used for synchronisation: calls run in a worker thread that is joined
with a generous deadline (the test fails if it is still running), and the llama.cpp
server's readiness is polled on GET /v1/models with a bounded deadline.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from assistant.agent import ABSTAIN_PHRASE, UNSURE_PHRASE
from assistant.api import ResearchAssistant
from assistant.config import Settings
from assistant.errors import ConfigError, ProviderError
from assistant.evaluation.text_rules import split_sentences
from assistant.llm import make_chat_model
from assistant.models import Answer
from assistant.resources import local_model_path

pytestmark = [pytest.mark.e2e, pytest.mark.server]

QUESTION = "How many question-answer pairs does MedReason contain?"  # answerable: the plan path reaches the model
STARTUP_DEADLINE_S = 120.0
CALL_DEADLINE_S = 120.0  # generous: retrieval + (1 + max_retries) requests of request_timeout=2s each
REQUEST_TIMEOUT_S = 2.0
MAX_RETRIES = 1


# --- helpers ------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_bounded(fn: Callable[[], object], deadline: float = CALL_DEADLINE_S) -> tuple[object, BaseException | None, float]:
    """Run fn in a worker thread; fail the test if it has not returned by the deadline."""
    outcome: dict[str, object] = {}

    def target() -> None:
        started = time.monotonic()
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
        finally:
            outcome["elapsed"] = time.monotonic() - started

    worker = threading.Thread(target=target, name="bounded-call", daemon=True)
    worker.start()
    worker.join(timeout=deadline)
    assert not worker.is_alive(), f"the call did not return within {deadline:.0f}s: it hangs"
    return outcome.get("value"), outcome.get("error"), outcome["elapsed"]  # type: ignore[return-value]


def _openai_assistant(corpus_settings: Settings, base_url: str | None, **overrides) -> ResearchAssistant:
    update = {
        "provider": "openai",
        "openai_base_url": base_url,
        # SecretStr, as Settings validation would produce; a plain str is covered by its own test below
        "openai_api_key": SecretStr("sk-local"),
        "model": "smollm2",
        "request_timeout": REQUEST_TIMEOUT_S,
        "max_retries": MAX_RETRIES,
        **overrides,
    }
    return ResearchAssistant(settings=corpus_settings.model_copy(update=update))


def _assert_valid_answer(answer: Answer, papers: dict) -> None:
    """Abstain: the fixed phrase, nothing cited. Unsure or answered: citations that resolve to
    indexed papers with exact quotes."""
    assert isinstance(answer, Answer)
    assert answer.provider.startswith("openai:")
    if answer.status == "fail":
        assert answer.abstained and answer.answer == ABSTAIN_PHRASE
        assert answer.citations == []
        return
    if answer.status == "unsure":
        assert answer.abstained and answer.answer == UNSURE_PHRASE
    assert answer.citations, "an answered or unsure reply must quote something"
    for citation in answer.citations:
        assert citation.paper_id in papers, f"cites unknown paper {citation.paper_id}"
        assert citation.quote in papers[citation.paper_id].text, "quote is not an exact substring of the paper"
        if answer.status == "success":
            assert f"[{citation.n}]" in answer.answer


# --- fake OpenAI-compatible servers (stdlib, real sockets) -------------------------------
class _FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1 whose POST behaviour is one of: hang, http500, malformed."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.release = threading.Event()  # set at teardown: a hanging handler may then return
        self.requests: list[str] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                with outer._lock:
                    outer.requests.append(self.path)
                if outer.behaviour == "http500":
                    self._reply(500, {"error": {"message": "internal failure (test)", "type": "server_error"}})
                    return
                self._reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                with outer._lock:
                    outer.requests.append(self.path)
                if outer.behaviour == "hang":
                    outer.release.wait(timeout=CALL_DEADLINE_S * 2)  # never answers while the test runs
                    self.close_connection = True
                    return
                if outer.behaviour == "http500":
                    self._reply(500, {"error": {"message": "internal failure (test)", "type": "server_error"}})
                    return
                # malformed: 200, JSON, but not a chat completion (no choices/message)
                self._reply(200, {"object": "not.a.chat.completion", "detail": "surprise"})

            def _reply(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"fake-{behaviour}", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> _FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def fake_server(request):
    with _FakeServer(request.param) as server:
        yield server


# --- the real llama.cpp OpenAI-compatible server ------------------------------------------
@pytest.fixture(scope="module")
def llama_server(tmp_path_factory, serve):
    """`python -m llama_cpp.server` with the bundled GGUF on 127.0.0.1; always terminated."""
    model = local_model_path(Settings(_env_file=None))
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    with serve(command, f"http://127.0.0.1:{port}/v1/models", tmp_path_factory.mktemp("llama-server") / "server.log",
               "llama_cpp.server", STARTUP_DEADLINE_S):
        yield f"http://127.0.0.1:{port}/v1"


# --- happy path -----------------------------------------------------------------------
def test_provider_status_reaches_llama_cpp_server_and_names_a_model_it_does_not_serve(llama_server, corpus_settings):
    assistant = _openai_assistant(corpus_settings, llama_server)
    served = assistant.provider_status()
    assert served.reachable and served.base_url == llama_server
    assert served.model == f"openai:smollm2@{llama_server}"
    switched = assistant.use_provider("openai", base_url=llama_server, model="no-such-model")
    assert switched.reachable and "does not list 'no-such-model'" in switched.detail


@pytest.mark.parametrize("fake_server", ["http500"], indirect=True)
def test_provider_status_of_a_failing_server_is_unreachable_with_the_reason(fake_server, corpus_settings):
    found = _openai_assistant(corpus_settings, fake_server.base_url).provider_status()
    assert not found.reachable
    assert f"{fake_server.base_url} failed with HTTP 500" in found.detail
    assert len(fake_server.requests) == 1  # a status check never retries


def test_plan_mode_answers_through_llama_cpp_server(llama_server, corpus_settings, ra):
    assistant = _openai_assistant(corpus_settings, llama_server, agent_mode="plan",
                                  request_timeout=120.0, max_retries=1)
    answer, error, _ = _run_bounded(lambda: assistant.ask(QUESTION), deadline=300)
    assert error is None, f"unexpected {type(error).__name__}: {error}"
    assert not answer.abstained
    assert "32,682" in answer.answer
    assert answer.provider.startswith("openai:")
    assert "smollm2" in answer.provider and llama_server in answer.provider
    assert answer.raw_answer.strip(), "the server's completion must have reached the agent"
    assert any(c.paper_id.startswith("medreason") for c in answer.citations)
    _assert_valid_answer(answer, ra.index.papers())
    assert {"retrieval", "generation", "verification"} <= set(answer.timings)


def test_plan_mode_streams_through_llama_cpp_server(llama_server, corpus_settings):
    assistant = _openai_assistant(corpus_settings, llama_server, agent_mode="plan",
                                  request_timeout=120.0, max_retries=1)
    chunks, error, _ = _run_bounded(lambda: list(assistant.stream(QUESTION)), deadline=300)
    assert error is None, f"unexpected {type(error).__name__}: {error}"
    assert chunks and "32,682" in "".join(chunks)


def test_tools_mode_returns_a_valid_answer_through_llama_cpp_server(llama_server, corpus_settings, ra):
    # the 135M model rarely calls tools: only validity of whatever comes back is asserted
    assistant = _openai_assistant(corpus_settings, llama_server, agent_mode="tools",
                                  request_timeout=120.0, max_retries=1)
    answer, error, _ = _run_bounded(lambda: assistant.ask(QUESTION), deadline=600)
    assert error is None, f"unexpected {type(error).__name__}: {error}"
    _assert_valid_answer(answer, ra.index.papers())


def test_review_through_llama_cpp_server_passes_the_same_verifier(llama_server, corpus_settings, ra):
    # the model writes each theme's paragraph; what fails the verifier is dropped (and a theme whose prose all
    # fails is built from evidence), so only the shape and the resolution of citations are asserted
    assistant = _openai_assistant(corpus_settings, llama_server, request_timeout=120.0, max_retries=1)
    review, error, _ = _run_bounded(
        lambda: assistant.review("reducing hallucination in medical vision-language models", papers=4), deadline=600)
    assert error is None, f"unexpected {type(error).__name__}: {error}"
    assert review.status == "success" and review.provider.startswith("openai:")
    assert review.timings.get("generation", 0.0) > 0.0, "the server must have been asked to write"
    papers = ra.index.papers()
    for citation in review.citations:
        assert citation.paper_id in papers
        assert citation.quote in papers[citation.paper_id].text
    for paragraph in review.paragraphs:
        for sentence in split_sentences(paragraph.text):
            assert re.search(r"\[\d+(?:, \d+)*\]", sentence), f"sentence without a citation: {sentence}"


# --- configuration ------------------------------------------------------------------------
def test_missing_key_without_base_url_is_a_config_error(corpus_settings, ra):
    settings = corpus_settings.model_copy(update={"provider": "openai", "openai_api_key": None, "openai_base_url": None})
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_chat_model(settings)
    for mode in ("plan", "tools"):
        assistant = ResearchAssistant(settings=settings.model_copy(update={"agent_mode": mode}))
        _, error, _ = _run_bounded(lambda a=assistant: a.ask(QUESTION))
        assert isinstance(error, ConfigError), f"{mode}: expected ConfigError, got {error!r}"
        assert "OPENAI_API_KEY" in str(error)


def test_plain_string_key_from_model_copy_is_accepted():
    """`settings.model_copy(update={"openai_api_key": "sk-local"})` skips validation, so the key is a str."""
    settings = Settings(_env_file=None).model_copy(update={
        "provider": "openai", "openai_api_key": "sk-local", "openai_base_url": "http://127.0.0.1:9/v1"})
    model = make_chat_model(settings)
    assert model.openai_api_key.get_secret_value() == "sk-local"


def test_base_url_without_key_is_allowed():
    settings = Settings(_env_file=None, provider="openai", openai_base_url="http://127.0.0.1:9/v1")
    assert make_chat_model(settings) is not None


# --- failure modes ------------------------------------------------------------------------------
CALLS = {
    "plan-ask": ("plan", lambda a: a.ask(QUESTION)),
    "plan-stream": ("plan", lambda a: list(a.stream(QUESTION))),
    "tools-ask": ("tools", lambda a: a.ask(QUESTION)),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_server_down_is_a_provider_error(call, corpus_settings, ra):
    mode, fn = CALLS[call]
    base_url = f"http://127.0.0.1:{_free_port()}/v1"  # nothing listens there
    assistant = _openai_assistant(corpus_settings, base_url, agent_mode=mode)
    _, error, _ = _run_bounded(lambda: fn(assistant))
    assert isinstance(error, ProviderError), f"expected ProviderError, got {error!r}"
    assert "cannot connect" in error.message and base_url in error.message
    assert "OPENAI_BASE_URL" in (error.hint or "")


@pytest.mark.parametrize("fake_server", ["hang"], indirect=True)
@pytest.mark.parametrize("call", list(CALLS))
def test_unanswering_server_times_out_with_a_provider_error(call, fake_server, corpus_settings, ra):
    mode, fn = CALLS[call]
    assistant = _openai_assistant(corpus_settings, fake_server.base_url, agent_mode=mode)
    _, error, elapsed = _run_bounded(lambda: fn(assistant))
    assert isinstance(error, ProviderError), f"expected ProviderError, got {error!r}"
    assert "did not answer within 2s" in error.message and fake_server.base_url in error.message
    assert "ASSISTANT_REQUEST_TIMEOUT" in (error.hint or "")
    # bounded retries: the first attempt plus exactly max_retries more, each waited out in full
    assert len(fake_server.requests) == MAX_RETRIES + 1
    assert all(path.endswith("/chat/completions") for path in fake_server.requests)
    assert elapsed >= (MAX_RETRIES + 1) * REQUEST_TIMEOUT_S


@pytest.mark.parametrize("fake_server", ["http500"], indirect=True)
@pytest.mark.parametrize("call", list(CALLS))
def test_http_500_is_a_provider_error_after_bounded_retries(call, fake_server, corpus_settings, ra):
    mode, fn = CALLS[call]
    assistant = _openai_assistant(corpus_settings, fake_server.base_url, agent_mode=mode)
    _, error, _ = _run_bounded(lambda: fn(assistant))
    assert isinstance(error, ProviderError), f"expected ProviderError, got {error!r}"
    assert "HTTP 500" in error.message and fake_server.base_url in error.message
    assert len(fake_server.requests) == MAX_RETRIES + 1


@pytest.mark.parametrize("fake_server", ["malformed"], indirect=True)
@pytest.mark.parametrize("call", list(CALLS))
def test_malformed_reply_is_a_provider_error(call, fake_server, corpus_settings, ra):
    mode, fn = CALLS[call]
    assistant = _openai_assistant(corpus_settings, fake_server.base_url, agent_mode=mode)
    _, error, _ = _run_bounded(lambda: fn(assistant))
    assert isinstance(error, ProviderError), f"expected ProviderError, got {error!r}"
    assert "unusable reply" in error.message and fake_server.base_url in error.message
    assert 1 <= len(fake_server.requests) <= MAX_RETRIES + 1


@pytest.mark.parametrize("fake_server", ["http500"], indirect=True)
def test_the_web_ui_stays_up_when_the_model_server_fails(fake_server, corpus_settings, ra):
    """A failing endpoint is a notice in the chat, bounded in time; the app keeps serving every other request."""
    from gradio_client import Client

    from assistant.ui import ERROR_TITLE, launch

    assistant = _openai_assistant(corpus_settings, fake_server.base_url, agent_mode="plan")
    port = _free_port()
    demo = launch(assistant, port=port, prevent_thread_lock=True, quiet=True)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
    try:
        messages, error, _ = _run_bounded(lambda: client.predict(QUESTION, api_name="/chat"))
        assert error is None, f"the chat request itself failed: {error!r}"
        notice = [m["content"] for m in messages if (m.get("metadata") or {}).get("title") == ERROR_TITLE]
        assert len(notice) == 1 and "HTTP 500" in notice[0] and fake_server.base_url in notice[0]
        assert len(client.predict(api_name="/papers")["data"]) == len(ra.index.papers())
        assert "❌ not reachable" in client.predict(api_name="/provider_status")
    finally:
        client.close()
        demo.close()
