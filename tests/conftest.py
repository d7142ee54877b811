"""Shared fixtures: no network, hermetic settings, one corpus index per session.

Fixture names here are used by every test module; keep them stable:

* ``no_network``      autouse (session): any socket connect to a non-loopback address raises.
* ``corpus_settings`` session Settings whose index lives in a session tmp dir.
* ``ra``              session ResearchAssistant with the bundled corpus indexed once.
* ``make_settings``   function(**overrides) -> Settings with a fresh index dir in tmp_path.
* ``small_corpus``    path of a 3-paper HF-daily-style .txt file (real file layout).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check_address(address) -> None:
    """Raise unless `address` is a loopback (host, port, ...) tuple or a local (AF_UNIX) path."""
    if isinstance(address, (str, bytes)):
        return  # AF_UNIX socket path: local by definition
    if isinstance(address, tuple) and address and _is_loopback(address[0]):
        return
    raise RuntimeError(f"test tried to reach the network: {address!r}")


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Every test (and every session fixture) runs offline; loopback keeps working.

    Session-scoped so that session fixtures such as `ra`, which are built before
    any function-scoped fixture, are guarded too.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_create_connection = socket.create_connection

    def connect(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check_address(address)
        return original_connect(self, address, *args, **kwargs)

    def connect_ex(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check_address(address)
        return original_connect_ex(self, address, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        _check_address(address)
        return original_create_connection(address, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket.socket, "connect_ex", connect_ex)
        mp.setattr(socket, "create_connection", create_connection)
        yield


@pytest.fixture(scope="session", autouse=True)
def _hermetic_environment():
    """A developer's ASSISTANT_* / OPENAI_* variables must not change what the tests see."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("ASSISTANT_", "OPENAI_")):
                mp.delenv(name)
        yield


def _settings(index_dir: Path, **overrides) -> Settings:
    # _env_file=None: a stray .env in the working directory must not leak into tests.
    overrides.setdefault("eval_dir", index_dir.parent / "eval-runs")  # never the project's own eval-runs/
    return Settings(_env_file=None, index_dir=index_dir, **overrides)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    return _settings(tmp_path_factory.mktemp("corpus-index") / "vectorstore")


@pytest.fixture(scope="session")
def ra(corpus_settings):
    """The assistant over the bundled corpus; the index is built once per session."""
    from assistant.api import ResearchAssistant

    assistant = ResearchAssistant(settings=corpus_settings)
    assistant.index  # noqa: B018 - builds the index from the bundled corpus now
    return assistant


@pytest.fixture
def make_settings(tmp_path):
    """Settings factory for tests that need their own small index."""
    counter = iter(range(1_000_000))

    def make(**overrides) -> Settings:
        overrides.setdefault("index_dir", tmp_path / f"index-{next(counter)}")
        return _settings(**overrides)

    return make


SMALL_CORPUS = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Apr 20

Quokka-Net: Counting Marsupials in Aerial Thermal Images

We present Quokka-Net, a detector that counts marsupials in aerial thermal images. Trained on 4,213 annotated frames, it reaches 91.7% recall on held-out islands. Counting errors fall by 38% compared with manual surveys, e.g. in dense colonies.

  • 4 authors
·
Mar 3, 2024 7

Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting

Lichen Atlas is a benchmark of 1,250 time-lapse sequences of lichen colonies photographed on granite. Forecasting models must predict colony area six months ahead. The strongest baseline, a recurrent network, has a mean error of 12.5 square millimetres.

Example-Org Example University
·
Nov 12, 2022

Tidal Sonar Transformer for Estuary Mapping

Tidal Sonar Transformer maps estuary beds from side-scan sonar recorded at changing tide levels. It fuses 3 sonar frequencies with tide gauge readings. On 17 estuaries it halves the depth error of the previous method.

  • 2 authors
·
Jan 9
"""


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A 3-paper Daily Papers dump in the real layout: authors line, organisation line, year-less date."""
    path = tmp_path / "small_corpus" / "010_small.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SMALL_CORPUS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def serve():
    """serve(command, health_url, log, name, deadline_s, env=None): a server process on loopback, as a context.

    It waits until the health URL answers (failing fast, with the server's log, if the process exits first,
    and at the deadline otherwise), and always terminates the process on the way out.
    """
    import contextlib
    import subprocess
    import time

    import httpx

    def wait(proc: subprocess.Popen, url: str, log: Path, name: str, deadline_s: float) -> None:
        deadline = time.monotonic() + deadline_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError as exc:
                last_error = exc
            try:
                code = proc.wait(timeout=0.25)  # the poll interval, and a check that the server is still alive
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"{name} exited with status {code} before it was ready:\n{log.read_text()[-2000:]}")
        pytest.fail(f"{name} not ready after {deadline_s:.0f}s ({last_error}):\n{log.read_text()[-2000:]}")

    @contextlib.contextmanager
    def run(command: list[str], health_url: str, log: Path, name: str, deadline_s: float, env=None):
        with log.open("wb") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            wait(proc, health_url, log, name, deadline_s)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)

    return run


@pytest.fixture
def process_env():
    """process_env(index_dir, **extra): environment for `python -m assistant.cli` on an existing index, offline."""

    def build(index_dir: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
        env.update({
            "ASSISTANT_INDEX_DIR": str(index_dir),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(PROJECT_ROOT),
            **extra,
        })
        return env

    return build
