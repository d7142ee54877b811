"""The served app's guarantees that need no models: queues, login, upload limits, no server files readable.

A real Gradio server on a loopback port over a scripted assistant (no embedding or chat model is loaded).
"""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from gradio_client import Client, handle_file
from pydantic import SecretStr

from assistant.api import ResearchAssistant
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.models import Answer, IngestReport
from assistant.ui import launch

ANSWER = Answer(question="What is X?", answer="X is a dataset.")


class _Index:
    def papers(self):
        return {}


class _Agent:
    def events(self, question, history):
        yield "answer", ANSWER.model_copy(update={"question": question})


class ScriptedAssistant(ResearchAssistant):
    """The real API over a scripted agent and an ingest that waits until the test releases it."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings=settings)
        self.index = _Index()
        self.agent = _Agent()
        self.ingest_started = threading.Event()
        self.release_ingest = threading.Event()
        self.ingested: list[list[str]] = []

    def ingest(self, paths, progress=None):
        self.ingested.append(list(paths))
        self.ingest_started.set()
        if not self.release_ingest.wait(timeout=120):
            raise TimeoutError("the test never released the ingest")
        return IngestReport(added=len(self.ingested[-1]))

    def papers(self):
        return []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve_app(tmp_path):
    """Start the app over a ScriptedAssistant with the given settings; closed after the test."""
    started = []

    def start(**overrides):
        ra = ScriptedAssistant(Settings(_env_file=None, index_dir=tmp_path / "index", **overrides))
        port = _free_port()
        demo = launch(ra, port=port, prevent_thread_lock=True, quiet=True)
        started.append(demo)
        return ra, f"http://127.0.0.1:{port}/"

    yield start
    for demo in started:
        demo.close()


def _answer_text(messages: list[dict]) -> str:
    return next(m["content"] for m in messages if not (m.get("metadata") or {}).get("title"))


def test_a_long_ingest_does_not_block_a_chat(serve_app, tmp_path):
    ra, url = serve_app()
    paper = tmp_path / "papers.txt"
    paper.write_text("Title: A\n\nAbstract text.\n", encoding="utf-8")
    client = Client(url, verbose=False, analytics_enabled=False)
    try:
        upload = client.submit([handle_file(str(paper))], api_name="/add_papers")
        assert ra.ingest_started.wait(timeout=60), "the upload never reached ingest"
        reply = client.predict("What is X?", api_name="/chat")  # answered while the ingest still waits
        assert not upload.done()
        ra.release_ingest.set()
        summary, _, _ = upload.result(timeout=60)
    finally:
        ra.release_ingest.set()
        client.close()
    assert _answer_text(reply) == "X is a dataset."
    assert summary == "Added 1, updated 0, skipped 0 (unchanged)."


def test_basic_auth_from_settings_guards_every_endpoint(serve_app):
    _, url = serve_app(ui_auth=SecretStr("ann:s3cret"))
    assert httpx.get(url + "config").status_code == 401
    with pytest.raises(Exception, match="(?i)login|auth|401|credentials"):
        Client(url, verbose=False, analytics_enabled=False)
    client = Client(url, auth=("ann", "s3cret"), verbose=False, analytics_enabled=False)
    try:
        assert client.predict(api_name="/papers")["data"] == []
    finally:
        client.close()


def test_auth_setting_without_a_password_is_a_config_error(serve_app):
    with pytest.raises(ConfigError, match="ASSISTANT_UI_AUTH must be 'user:password'"):
        serve_app(ui_auth=SecretStr("ann"))


def test_server_files_are_not_readable_through_the_app(serve_app):
    ra, url = serve_app()
    for path in ("/etc/passwd", str(ra.settings.index_dir.parent)):
        response = httpx.get(f"{url}gradio_api/file={path}")
        assert response.status_code in (403, 404), (path, response.status_code)
        assert "root:" not in response.text


def test_an_upload_over_the_size_limit_is_refused_before_ingest(serve_app, tmp_path):
    ra, url = serve_app(ui_max_upload_mb=0.001)  # about 1 KB
    big = tmp_path / "big.txt"
    big.write_text("Title: Big\n\n" + "word " * 2000, encoding="utf-8")
    client = Client(url, verbose=False, analytics_enabled=False)
    try:
        with pytest.raises(Exception, match="(?i)size|large|413"):
            client.predict([handle_file(str(big))], api_name="/add_papers")
    finally:
        client.close()
    assert ra.ingested == []
