"""A small fixed eval subset through the real product (bundled SmolLM2 + embeddings + Chroma) and `assistant eval`.

The subset is 12 dev facts and 6 dev unanswerable questions of the fresh Daily Papers gold
set (`evals/daily/`, the default `--corpus daily`), taken in file order round-robin over the
kinds of question, so it is fixed run to run and covers every kind. Thresholds sit a few
points below what was measured; they catch regressions, not small drifts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.evaluation.corpora import CORPORA
from assistant.evaluation.gold import load_items
from assistant.evaluation.judges import LexicalJudge
from assistant.evaluation.metrics import Context, Record, score_record
from assistant.evaluation.runner import run_items, score_records, summary_groups

pytestmark = [pytest.mark.e2e, pytest.mark.eval]

N_FACTS, N_UNANSWERABLE = 12, 6
GOLD = CORPORA["daily"].gold_dir
SYSTEMS = ["product", "extractive"]
CLI_SYSTEMS = ["product", "extractive", "plain_rag"]

# Measured 2026-11-23 on this subset (lexical judge, default settings, bundled SmolLM2-135M Q4_1; the same items of
# eval-runs/s4-daily-dev-2): product 4/12 facts right, 7/12 abstained (unsure), 6/6 unanswerable abstained,
# 0 unsupported sentences, 0 fabricated citations; extractive 3/12 facts, 0/6 abstentions. Measured again
# 2026-12-03 after the selector's refit on every batch of dev questions: product 2/12 facts right (two answers it
# showed now abstained; over all 229 Daily dev questions the refit gives 67 right and 7 wrong against 60 and 10).
# The selector is precision-first (see README "Measured"), so the floors guard what it promises: abstaining on
# unanswerable questions and never showing an unsupported sentence, plus one miss of slack on facts.
PRODUCT_MIN_FACT_ACCURACY = 1 / 12
PRODUCT_MIN_ABSTENTION_RECALL = 5 / 6
PRODUCT_MAX_UNSUPPORTED_CLAIMS = 0.05
EXTRACTIVE_MIN_FACT_ACCURACY = 2 / 12


@pytest.fixture(scope="module")
def subset():
    return (_round_robin(load_items("facts", "dev", None, GOLD), N_FACTS)
            + _round_robin(load_items("unanswerable", "dev", None, GOLD), N_UNANSWERABLE))


def _round_robin(items, n):
    """The first item of each kind, then the second of each, ... until n: every kind is in the subset."""
    by_kind = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    ordered = [group[i] for i in range(max(map(len, by_kind.values()))) for group in by_kind.values() if i < len(group)]
    return ordered[:n]


@pytest.fixture(scope="module")
def ctx(ra) -> Context:
    return Context(papers=ra.index.papers(), judge=LexicalJudge(ra.settings.support_min_coverage))


@pytest.fixture(scope="module")
def subset_run(ra, subset, ctx):
    records = run_items(ra, subset, SYSTEMS)
    scored = score_records(records, ctx)
    return records, scored, summary_groups(records, scored)


def _measured(summary: dict) -> str:
    return json.dumps({system: {k: v for k, v in groups["all"].items() if v is not None}
                       for system, groups in summary.items()}, indent=1)


def test_subset_is_fixed_and_mixed(subset):
    assert len(subset) == N_FACTS + N_UNANSWERABLE
    assert [i.suite for i in subset] == ["facts"] * N_FACTS + ["unanswerable"] * N_UNANSWERABLE
    assert all(i.split == "dev" for i in subset)
    assert {i.kind for i in subset[:N_FACTS]} == {"described", "which_system", "number", "method", "yes_no"}
    assert {i.kind for i in subset[N_FACTS:]} == {"near_miss", "false_premise", "not_in_corpus"}


def test_every_system_answers_every_item(subset_run, subset):
    records, scored, summary = subset_run
    assert [(r.system, r.item.id) for r in records] == [(s, i.id) for s in SYSTEMS for i in subset]
    assert [r.error for r in records] == [None] * len(records)
    assert all(r.wall_seconds > 0 for r in records)
    assert set(summary) == set(SYSTEMS)
    assert ({"all", "dev"} | {f"kind:{i.kind}" for i in subset} | {f"file:{i.gold_file} / dev" for i in subset}
            == set(summary["product"]))


def test_product_stays_above_measured_thresholds(subset_run):
    _, _, summary = subset_run
    product = summary["product"]["all"]
    measured = _measured(summary)
    assert product["fact_accuracy"] >= PRODUCT_MIN_FACT_ACCURACY, measured
    assert product["abstention_recall"] >= PRODUCT_MIN_ABSTENTION_RECALL, measured
    assert product["unsupported_claims"] is not None, measured
    assert product["unsupported_claims"] <= PRODUCT_MAX_UNSUPPORTED_CLAIMS, measured
    assert product["fabricated_citations"] in (0, None), measured


def test_product_citations_are_real_quotes(subset_run, ctx):
    records, _, _ = subset_run
    for r in records:
        if r.system != "product":
            continue
        for citation in r.answer.citations:
            assert citation.paper_id in ctx.papers, (r.item.id, citation)
            assert citation.quote in ctx.papers[citation.paper_id].text, (r.item.id, citation)
            # an answer marks every citation; an unsure abstention lists its closest quotes without marking them
            assert (f"[{citation.n}]" in r.answer.answer) != r.answer.abstained, (r.item.id, r.answer.answer)


def test_extractive_baseline_quotes_and_never_abstains(subset_run):
    records, _, summary = subset_run
    extractive = summary["extractive"]["all"]
    measured = _measured(summary)
    assert extractive["abstention_recall"] == 0.0, measured  # no abstention mechanism, by design
    assert extractive["false_abstention"] == 0.0, measured
    assert extractive["fabricated_citations"] == 0, measured
    assert extractive["fact_accuracy"] >= EXTRACTIVE_MIN_FACT_ACCURACY, measured
    for r in records:
        if r.system == "extractive":
            (citation,) = r.answer.citations
            assert r.answer.answer == f"{citation.quote.rstrip('.')} [1]."


def test_product_abstains_more_often_than_the_extractive_floor(subset_run):
    _, _, summary = subset_run
    assert summary["product"]["all"]["abstention_recall"] > summary["extractive"]["all"]["abstention_recall"]


def test_stored_records_rescore_identically(subset_run, ctx):
    """results.json keeps the full Record so later metrics can re-score a run without the models."""
    records, scored, _ = subset_run
    for r, verdicts in zip(records, scored, strict=True):
        again = score_record(Record.model_validate_json(r.model_dump_json()), ctx)
        assert again == verdicts, r.item.id


# --- `assistant eval` in a real process ---------------------------------------------------------


def test_cli_eval_writes_results_report_and_plots(ra, subset_run, tmp_path, process_env):
    env = process_env(ra.settings.index_dir, MPLBACKEND="Agg", COLUMNS="500")  # rich must not wrap tmp paths
    out = tmp_path / "runs" / "run1"
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "eval", "--suite", "facts", "--split", "dev", "--limit", "3",
         "--systems", "product,extractive,plain_rag", "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert f"report: {out / 'report.md'}" in done.stderr
    assert "product: fact_accuracy=" in done.stderr

    for name in ("report.md", "results.json", "metrics.png", "latency.png"):
        assert (out / name).is_file(), name
    for png in ("metrics.png", "latency.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png

    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(payload) == {"meta", "summary", "items"}
    meta = payload["meta"]
    assert (meta["corpus"], meta["suite"], meta["split"], meta["limit"]) == ("daily", "facts", "dev", 3)
    assert meta["systems"] == CLI_SYSTEMS
    assert meta["provider"] == "local" and meta["judges"][0]["name"] == "lexical"
    assert list(payload["summary"]) == CLI_SYSTEMS
    items = payload["items"]
    first_three = [i.id for i in load_items("facts", "dev", 3, GOLD)]
    assert [(i["system"], i["id"]) for i in items] == [(s, i) for s in CLI_SYSTEMS for i in first_three]
    for item in items:
        assert {"question", "answer", "citations", "verdicts", "timing"} <= set(item)
        assert item["timing"]["wall"] > 0
        assert set(item["verdicts"]) >= {"fact_accuracy", "citation_recall", "fabricated_citations", "latency_p50"}

    # plain RAG shows the model whole abstracts and keeps what the model wrote, markers and all
    for item in (i for i in items if i["system"] == "plain_rag"):
        shown = Record.model_validate(item["record"]).shown_evidence
        assert shown and len(shown) <= 3
        assert item["raw_answer"] == item["answer"] and not item["abstained"]
        assert item["verdicts"]["raw_unsupported_numbers"] is not None

    # same index, model and seed: the CLI's answers equal the in-process run's for the same questions
    records, _, _ = subset_run
    in_process = {(r.system, r.item.id): r.answer.answer for r in records}
    cli = {(i["system"], i["id"]): i["answer"] for i in items if i["system"] in SYSTEMS}
    assert cli == {key: in_process[key] for key in cli}

    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Eval report: run1")
    for system in CLI_SYSTEMS:
        assert f"| run1 / {system} |" in report, system
    assert "## This run, split dev" in report
    assert "![metrics.png](metrics.png)" in report and "![latency.png](latency.png)" in report
