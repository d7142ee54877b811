"""The built wheel works outside the repository: prompts and gold data ship inside it.

The wheel is built from a copy of `pyproject.toml`, `README.md` and `assistant/` only, installed
with `--no-deps --no-index` into a fresh virtual environment in a temporary folder, and run
from a working directory outside the checkout. The new environment borrows the test
environment's third-party packages through a `.pth` line (no network, no rebuild of
llama-cpp-python); a plain path line does not run the editable install's import hook, so
`assistant` can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

pytestmark = pytest.mark.e2e

QUESTION = "How many question-answer pairs does MedReason contain?"
SHIPPED = [  # one file of each kind the package must carry
    "assistant/data/prompts/answer.system.txt",
    "assistant/data/prompts/judge.user.txt",
    "assistant/data/evals/support_pairs.jsonl",
    "assistant/data/evals/daily/facts.jsonl",
    "assistant/data/evals/pubmedqa/unanswerable.jsonl",
    "assistant/data/selector.json",
    "assistant/data/vocabulary.json",
]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    shutil.copy(PROJECT_ROOT / "pyproject.toml", source)
    shutil.copy(PROJECT_ROOT / "README.md", source)
    shutil.copytree(PROJECT_ROOT / "assistant", source / "assistant",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), str(source)])
    (built,) = dist.glob("research_assistant-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    python = root / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "shared-test-dependencies.pth").write_text("\n".join(sorted(shared)) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def offline_env(tmp_path, corpus_settings) -> dict[str, str]:
    """The session's index (the bundled corpus, already built), no project settings, no network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "PYTHON"))}
    env.update({"ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir), "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "XDG_DATA_HOME": str(tmp_path / "xdg")})
    return env


def test_the_wheel_carries_prompts_gold_data_and_models_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in SHIPPED if name not in names]
    assert missing == []
    prompts = {n for n in names if n.startswith("assistant/data/prompts/")}
    assert prompts == {f"assistant/data/prompts/{p.name}" for p in (PROJECT_ROOT / "prompts").glob("*.txt")}


def test_installed_package_runs_from_its_own_files(venv, offline_env, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    probe = ("import assistant, json; from assistant import config; "
             "print(json.dumps({'package': assistant.__file__, 'prompts': str(config.PROMPTS_DIR), "
             "'evals': str(config.EVALS_DIR), 'checkout': config.IN_CHECKOUT, "
             "'index_default': str(config.DEFAULT_INDEX_DIR)}))")
    env = {k: v for k, v in offline_env.items() if k != "ASSISTANT_INDEX_DIR"}
    found = json.loads(_run([str(venv / "bin" / "python"), "-c", probe], cwd=work, env=env).stdout)
    for key in ("package", "prompts", "evals"):
        assert Path(found[key]).is_relative_to(venv), f"{key} comes from {found[key]}, not the installed wheel"
    assert found["checkout"] is False
    assert found["index_default"] == str(tmp_path / "xdg" / "research-assistant" / "vectorstore")


def test_installed_ask_json_offline(venv, offline_env, tmp_path, ra):
    work = tmp_path / "work"
    work.mkdir()
    result = _run([str(venv / "bin" / "assistant"), "ask", QUESTION, "--json"], cwd=work, env=offline_env)
    answer = json.loads(result.stdout)
    assert answer["question"] == QUESTION
    assert answer["status"] in {"success", "unsure", "fail"}
    papers = ra.index.papers()
    for citation in answer["citations"]:
        assert citation["quote"] in papers[citation["paper_id"]].text
    if answer["status"] == "success":
        assert answer["citations"], "an answer cites its evidence"
        assert "32,682" in answer["answer"]


def test_installed_eval_runs_on_the_packaged_gold_data(venv, offline_env, tmp_path, ra):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "eval-run"
    _run([str(venv / "bin" / "assistant"), "eval", "--limit", "2", "--out", str(out)], cwd=work, env=offline_env)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    items = results["items"]
    assert {i["suite"] for i in items} == {"facts", "unanswerable"}
    assert len({i["id"] for i in items}) == 4  # two per suite, from the wheel's evals/daily
    assert results["meta"]["git_commit"] is None  # an installed package names no repository
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Eval report")
