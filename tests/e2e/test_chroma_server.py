"""Server mode: the same ingest and search against a real `chroma run` on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

from assistant.api import ResearchAssistant
from assistant.errors import IndexStoreError

pytestmark = [pytest.mark.e2e, pytest.mark.server]

STARTUP_DEADLINE_S = 90.0


def _chroma_executable() -> str:
    beside_python = Path(sys.executable).parent / "chroma"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("chroma")
    if not found:
        pytest.fail("the `chroma` CLI is not installed in this environment (it comes with chromadb)")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory, serve):
    """A real Chroma server on 127.0.0.1 with its data in a tmp dir; always terminated."""
    data = tmp_path_factory.mktemp("chroma-server-data")
    port = _free_port()
    command = [_chroma_executable(), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    with serve(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", data.parent / f"{data.name}.log",
               "`chroma run`", STARTUP_DEADLINE_S, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}):
        yield {"host": "127.0.0.1", "port": port, "data": data}


def _server_assistant(make_settings, tmp_path, server) -> ResearchAssistant:
    settings = make_settings(
        chroma_host=server["host"], chroma_port=server["port"], default_corpus=tmp_path / "no-default-corpus"
    )
    return ResearchAssistant(settings=settings)


def test_ingest_and_search_through_the_server(chroma_server, make_settings, tmp_path, small_corpus):
    assistant = _server_assistant(make_settings, tmp_path, chroma_server)
    report = assistant.ingest([small_corpus])
    assert (report.added, report.updated, report.skipped) == (3, 0, 0)
    # nothing was written to the embedded index folder: the server holds the data
    assert not assistant.settings.index_dir.exists()
    assert any(chroma_server["data"].iterdir())

    hits = assistant.search("lichen colonies on granite", k=3)
    assert hits[0].paper_id == "lichen-atlas-a-benchmark-for-symbiotic-growth-forecasting"
    assert hits[0].year == 2022
    assert assistant.search("4,213", k=1)[0].paper_id == "quokka-net-counting-marsupials-in-aerial-thermal-images"
    # only the 2022 paper is admissible, however poorly it matches
    assert [h.paper_id for h in assistant.search("sonar", k=3, year_to=2022)] == [
        "lichen-atlas-a-benchmark-for-symbiotic-growth-forecasting"
    ]

    # a second client (a fresh process would do the same) sees the committed papers; re-ingest is a no-op
    other = _server_assistant(make_settings, tmp_path, chroma_server)
    assert {p.paper_id for p in other.papers()} == {p.paper_id for p in assistant.papers()}
    again = other.ingest([small_corpus])
    assert (again.added, again.updated, again.skipped) == (0, 0, 3)
    assert other.search("estuary depth from sonar", k=1)[0].paper_id == "tidal-sonar-transformer-for-estuary-mapping"


def test_unreachable_server_is_an_index_store_error(make_settings, tmp_path):
    settings = make_settings(chroma_host="127.0.0.1", chroma_port=_free_port())
    assistant = ResearchAssistant(settings=settings)
    with pytest.raises(IndexStoreError) as failure:
        assistant.index  # noqa: B018
    assert "chroma run" in failure.value.one_line()
    assert "\n" not in failure.value.one_line().strip()
