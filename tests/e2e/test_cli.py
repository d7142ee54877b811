"""The `assistant` command line: JSON shapes in-process, error paths in a real subprocess.

Happy paths run through typer's CliRunner (the embedding model stays loaded in
this process). Error paths run `python -m assistant.cli`, because `main()` is
what turns an AssistantError into one line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.e2e

SEARCH_KEYS = {"paper_id", "title", "score", "year", "snippet"}
LICHEN = "lichen-atlas-a-benchmark-for-symbiotic-growth-forecasting"
QUOKKA = "quokka-net-counting-marsupials-in-aerial-thermal-images"
TIDAL = "tidal-sonar-transformer-for-estuary-mapping"


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    """A fresh index for the CLI; the bundled corpus is not auto-ingested."""
    return {
        "ASSISTANT_INDEX_DIR": str(tmp_path / "cli-index"),
        "ASSISTANT_DEFAULT_CORPUS": str(tmp_path / "no-default-corpus"),
    }


@pytest.fixture
def invoke(cli_env):
    runner = CliRunner()

    def run(*args: str, expect: int = 0):
        result = runner.invoke(app, list(args), env=cli_env)
        assert result.exit_code == expect, (result.stdout, result.stderr, result.exception)
        return result

    return run


@pytest.fixture
def ingested(invoke, small_corpus):
    report = json.loads(invoke("ingest", str(small_corpus), "--json").stdout)
    assert report["added"] == 3
    return small_corpus


def test_ingest_json_reports_added_updated_skipped_problems(invoke, small_corpus, tmp_path):
    first = json.loads(invoke("ingest", str(small_corpus), "--json").stdout)
    assert set(first) == {"added", "updated", "skipped", "problems"}
    assert (first["added"], first["updated"], first["skipped"], first["problems"]) == (3, 0, 0, [])

    missing = tmp_path / "missing.txt"
    again = json.loads(invoke("ingest", str(small_corpus), str(missing), "--json").stdout)
    assert (again["added"], again["updated"], again["skipped"]) == (0, 0, 3)
    (problem,) = again["problems"]
    assert set(problem) == {"file", "line", "message"}
    assert problem["file"] == str(missing)
    assert "no such file" in problem["message"]


def test_ingest_rejects_a_ten_megabyte_single_line_file_in_one_short_line(invoke, small_corpus):
    junk = small_corpus.parent / "000_junk.txt"
    junk.write_text("junk " * 2_000_000, encoding="utf-8")  # 10 MB, no line break
    result = invoke("ingest", str(small_corpus.parent))
    assert result.stdout.startswith("added 3, updated 0, skipped 0")
    problems = [line for line in result.stderr.splitlines() if "problem" in line]
    assert len(problems) == 1 and "000_junk.txt:1" in problems[0] and len(problems[0]) < 250, result.stderr


def test_ingest_plain_output(invoke, small_corpus):
    result = invoke("ingest", str(small_corpus))
    assert "added 3, updated 0, skipped 0" in result.stdout


def test_search_json_rows_have_exactly_the_documented_keys(invoke, ingested):
    rows = json.loads(invoke("search", "lichen colonies on granite", "--json").stdout)
    assert isinstance(rows, list) and rows
    for row in rows:
        assert set(row) == SEARCH_KEYS
        assert isinstance(row["score"], float)
    assert rows[0]["paper_id"] == LICHEN
    assert rows[0]["year"] == 2022
    assert "lichen" in rows[0]["snippet"].lower()
    assert len({r["paper_id"] for r in rows}) == len(rows) == 3


def test_search_options_k_and_years(invoke, ingested):
    assert len(json.loads(invoke("search", "images", "-k", "1", "--json").stdout)) == 1
    recent = json.loads(invoke("search", "images", "--year-from", "2024", "--json").stdout)
    assert {r["paper_id"] for r in recent} == {QUOKKA, TIDAL}
    assert json.loads(invoke("search", "4,213", "--json").stdout)[0]["paper_id"] == QUOKKA


def test_search_plain_output(invoke, ingested):
    out = invoke("search", "estuary sonar").stdout
    assert out.splitlines()[0].startswith("1. Tidal Sonar Transformer for Estuary Mapping (2025)")


def test_papers_json_lists_the_indexed_papers(invoke, ingested):
    papers = json.loads(invoke("papers", "--json").stdout)
    assert [p["paper_id"] for p in papers] == [TIDAL, QUOKKA, LICHEN]  # newest first
    for paper in papers:
        assert {"paper_id", "title", "abstract", "year", "sources"} <= set(paper)
        assert "full_text" not in paper
    by_id = {p["paper_id"]: p for p in papers}
    assert by_id[QUOKKA]["author_count"] == 4 and by_id[QUOKKA]["upvotes"] == 7
    assert by_id[LICHEN]["organisation"] == "Example-Org Example University"


def test_papers_plain_output(invoke, ingested):
    out = invoke("papers").stdout
    assert out.rstrip().endswith("3 papers")
    assert QUOKKA in out


def test_remove_takes_papers_and_their_chunks_out_and_names_unknown_ids(invoke, ingested, cli_env):
    report = json.loads(invoke("remove", QUOKKA, "no-such-paper", "--json").stdout)
    assert report == {"removed": [QUOKKA], "unknown": ["no-such-paper"]}
    assert [p["paper_id"] for p in json.loads(invoke("papers", "--json").stdout)] == [TIDAL, LICHEN]
    hits = json.loads(invoke("search", "marsupials thermal images", "--json").stdout)
    assert QUOKKA not in [hit["paper_id"] for hit in hits]
    again = json.loads(invoke("ingest", str(ingested), "--json").stdout)
    assert (again["added"], again["skipped"]) == (1, 2)  # re-ingesting brings it back, whole


def test_status_names_the_local_model_and_an_unreachable_endpoint(invoke, cli_env):
    local = json.loads(invoke("status", "--json").stdout)
    assert local["provider"] == "local" and local["reachable"] is True
    assert local["model"].startswith("local:") and local["model"].endswith(".gguf")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    result = CliRunner().invoke(app, ["status", "--provider", "openai"],
                                env={**cli_env, "OPENAI_BASE_URL": f"http://127.0.0.1:{closed}/v1"})
    assert result.exit_code == 0
    assert result.stdout.startswith(f"openai:gpt-4o-mini@http://127.0.0.1:{closed}/v1: NOT reachable (cannot connect")


def test_bad_option_is_a_usage_error(invoke):
    result = invoke("search", "x", "-k", "0", expect=2)
    assert "Traceback" not in result.stdout + result.stderr


# --- error paths in a real process ------------------------------------------------------


def _run_cli(args: list[str], cli_env: dict[str, str], cwd: Path, **extra_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **cli_env, **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], proc.stderr  # message and hint on the same line
    return errors[0]


def test_unknown_provider_is_one_line_and_exit_1(cli_env, tmp_path):
    proc = _run_cli(["ask", "What is MedReason?", "--provider", "nonsense"], cli_env, tmp_path)
    _assert_one_line_error(proc, "unknown provider 'nonsense'", "--provider local")
    assert proc.stdout == ""


def test_empty_query_is_one_line_and_exit_1(cli_env, tmp_path):
    proc = _run_cli(["search", "   "], cli_env, tmp_path)
    _assert_one_line_error(proc, "search query is empty")


def test_missing_path_is_one_line_and_exit_1(cli_env, tmp_path):
    proc = _run_cli(["ingest", str(tmp_path / "does-not-exist.txt")], cli_env, tmp_path)
    _assert_one_line_error(proc, "does-not-exist.txt")


@pytest.mark.parametrize(("args", "fragments"), [
    (["--format", "pdf"], ("unknown --format 'pdf'", "--format latex")),
    (["--style", "essay"], ("unknown review style 'essay'", "mini-review")),
    (["--from-abstract", "missing-abstract.txt"], ("cannot read --from-abstract file", "missing-abstract.txt")),
], ids=["format", "style", "abstract-file"])
def test_review_argument_errors_are_one_line_and_exit_1(cli_env, tmp_path, args, fragments):
    proc = _run_cli(["review", "medical reasoning", *args], cli_env, tmp_path)
    _assert_one_line_error(proc, *fragments)
    assert proc.stdout == ""


@pytest.mark.parametrize(("args", "fragments"), [
    (["compare", "only-one-paper"], ("at least two papers, got 1", "--query")),
    (["compare", "a", "b", "--format", "pdf"], ("unknown --format 'pdf'", "csv")),
    (["extract", "no-such-paper"], ("no indexed paper has id 'no-such-paper'", "assistant papers")),
    (["extract", "no-such-paper", "--schema", "bad-schema.json"], ("is not JSON: line 1", "bad-schema.json")),
], ids=["compare-one", "compare-format", "extract-unknown-id", "extract-bad-schema"])
def test_compare_and_extract_errors_are_one_line_and_exit_1(cli_env, tmp_path, args, fragments):
    (tmp_path / "bad-schema.json").write_text("{properties: none}", encoding="utf-8")
    proc = _run_cli(args, cli_env, tmp_path)
    _assert_one_line_error(proc, *fragments)
    assert proc.stdout == ""


def test_unknown_provider_in_environment_is_one_line_and_exit_1(cli_env, tmp_path):
    proc = _run_cli(["papers"], cli_env, tmp_path, ASSISTANT_PROVIDER="nonsense")
    _assert_one_line_error(proc, "nonsense")


def test_unreachable_chroma_server_is_one_line_and_exit_1(cli_env, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = _run_cli(
        ["papers"], cli_env, tmp_path, ASSISTANT_CHROMA_HOST="127.0.0.1", ASSISTANT_CHROMA_PORT=str(port)
    )
    _assert_one_line_error(proc, "cannot open the Chroma server", "chroma run")


@pytest.mark.parametrize(("args", "fragments"), [
    (["check", "missing-draft.md"], ("cannot read manuscript file", "missing-draft.md")),
    (["check", "empty.md"], ("manuscript file empty.md is empty", "citations should be checked")),
    (["check", "draft.md", "--bib", "missing.bib"], ("BibTeX file missing.bib does not exist", ".bib file")),
    (["check", "draft.md", "--bib", "broken.bib"], ("no usable entries in broken.bib", "needs a key and a title")),
    (["check", "draft.pdf"], ("cannot read manuscript file draft.pdf", "UTF-8 text file")),
], ids=["missing", "empty", "missing-bib", "broken-bib", "not-text"])
def test_check_errors_are_one_line_and_exit_1(cli_env, tmp_path, args, fragments):
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    (tmp_path / "draft.md").write_text("MedReason has 32,682 pairs [@wu].\n", encoding="utf-8")
    (tmp_path / "broken.bib").write_text("@article{wu, year = {2025}}\n", encoding="utf-8")
    (tmp_path / "draft.pdf").write_bytes(b"%PDF-1.7\n\xff\xfe\x00\x81binary")
    proc = _run_cli(args, cli_env, tmp_path)
    _assert_one_line_error(proc, *fragments)
    assert proc.stdout == ""
