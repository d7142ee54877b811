"""Faults around the index, in real processes: a SIGKILL in the middle of an ingest, and a damaged index folder.

Each runs `python -m assistant.cli` as a user would, with the real embedding model and an embedded Chroma index.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.api import ResearchAssistant
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.text import sentence_spans

pytestmark = pytest.mark.e2e

INGEST_DEADLINE_S = 600


def _cli(args: list[str], env: dict[str, str], **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True,
                          timeout=INGEST_DEADLINE_S, **options)


def _committed_papers(index_dir: Path) -> int:
    """Catalog records on disk, read straight from Chroma's SQLite file (read-only), so the test can act while
    another process is still writing."""
    database = index_dir / "chroma.sqlite3"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            row = connection.execute(
                "SELECT COUNT(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id WHERE c.name LIKE '%-catalog'").fetchone()
    except sqlite3.Error:  # the schema is not written yet, or the file is busy: nothing committed that we can see
        return 0
    return row[0]


def _kill_once_papers_are_committed(args: list[str], env: dict[str, str], index_dir: Path) -> None:
    """Run the CLI command and SIGKILL it as soon as its first group of papers is committed."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + INGEST_DEADLINE_S
    try:
        while _committed_papers(index_dir) == 0:
            assert time.monotonic() < deadline, "no paper was committed in time"
            try:
                code = proc.wait(timeout=0.2)  # the poll interval, and a check that the command is still running
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"`{args[0]}` ended (status {code}) before it could be killed: {proc.stderr.read()[-2000:]}")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()


def test_sigkill_during_ingest_leaves_no_half_indexed_paper_and_a_rerun_completes(process_env, tmp_path):
    index_dir = tmp_path / "index"
    env = process_env(index_dir, ASSISTANT_DEFAULT_CORPUS=str(tmp_path / "none"))
    _kill_once_papers_are_committed(["ingest", str(BUNDLED_CORPUS)], env, index_dir)

    settings = Settings(_env_file=None, index_dir=index_dir, default_corpus=tmp_path / "none")
    after_kill = ResearchAssistant(settings=settings)
    committed = after_kill.index.papers()
    assert 0 < len(committed) < 246
    chunks = after_kill.index.all_chunks()
    for paper_id, paper in committed.items():  # every committed paper has all of its chunks, start to end
        own = sorted((c for c in chunks if c.paper_id == paper_id), key=lambda c: c.position)
        assert [c.position for c in own] == list(range(len(own))) and own, paper_id
        spans = sentence_spans(paper.text)
        assert (own[0].start, own[-1].end) == (spans[0][0], spans[-1][1]), paper_id
    assert after_kill.search("question-answer pairs", k=3)  # the index answers searches

    rerun = _cli(["ingest", str(BUNDLED_CORPUS), "--json"], env)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["added"] == 246 - len(committed) and report["skipped"] == len(committed)
    complete = ResearchAssistant(settings=settings)
    assert len(complete.papers()) == 246
    chunk_papers = {meta["paper_id"] for meta in complete.index.chunks.get(include=["metadatas"])["metadatas"]}
    assert chunk_papers == set(complete.index.papers())  # no orphan chunks of a paper that is not committed


def test_a_first_start_killed_midway_is_completed_by_the_next_start(process_env, tmp_path):
    """The first command builds the index from the bundled corpus; a user who stops it (here SIGKILL) must not be
    left with part of the corpus for good: the next start completes the build."""
    index_dir = tmp_path / "index"
    env = process_env(index_dir, ASSISTANT_DEFAULT_CORPUS=str(BUNDLED_CORPUS))
    _kill_once_papers_are_committed(["search", "question-answer pairs"], env, index_dir)
    assert 0 < _committed_papers(index_dir) < 246

    second = _cli(["search", "question-answer pairs", "--json"], env)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)
    assert _committed_papers(index_dir) == 246
    settings = Settings(_env_file=None, index_dir=index_dir, default_corpus=tmp_path / "none")
    assert not ResearchAssistant(settings=settings).index.first_build_unfinished()


def test_a_damaged_index_folder_is_one_clear_line_and_rebuild_keeps_it_aside(process_env, tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    env = process_env(index_dir, ASSISTANT_DEFAULT_CORPUS=str(tmp_path / "none"))
    assert _cli(["ingest", str(small_corpus)], env).returncode == 0
    (index_dir / "chroma.sqlite3").write_bytes(os.urandom(64 * 1024))  # the database file is garbage now

    broken = _cli(["search", "marsupials"], env)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    [line] = [line for line in broken.stderr.splitlines() if line.startswith("error: ")]
    assert f"cannot open the index folder {index_dir}" in line and "`assistant index rebuild`" in line

    rebuilt = _cli(["index", "rebuild", str(small_corpus), "--json"], env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    report = json.loads(rebuilt.stdout)
    moved = Path(report["moved_to"])
    assert report["added"] == 3 and moved.name.startswith("index.broken-")
    assert (moved / "chroma.sqlite3").stat().st_size == 64 * 1024  # the old folder is kept as it was
    hits = json.loads(_cli(["search", "marsupials thermal images", "--json"], env).stdout)
    assert hits[0]["title"] == "Quokka-Net: Counting Marsupials in Aerial Thermal Images"
