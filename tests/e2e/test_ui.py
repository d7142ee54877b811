"""End to end: the real Gradio app over the session index, driven by gradio_client on loopback."""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from assistant.config import PROJECT_ROOT
from assistant.api import ResearchAssistant
from assistant.present import unlinked_markers
from assistant.ui import REFERENCES_TITLE, launch

pytestmark = pytest.mark.e2e


def _listening_addresses(port: int) -> set[str]:
    """Addresses with a listening TCP socket on `port`, as the kernel reports them (Linux /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(str(ipaddress.IPv4Address(raw[::-1])))
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.add(str(ipaddress.IPv6Address(words)))
    return found


@pytest.fixture(scope="module")
def served(ra, free_port):
    """The app as `python app.py` serves it (default host from settings), on a free port."""
    port = free_port()
    demo = launch(ra, port=port, prevent_thread_lock=True, quiet=True)
    yield demo, port
    demo.close()


def test_server_listens_on_loopback_only_and_without_analytics(served):
    demo, port = served
    assert demo.local_url.startswith(f"http://127.0.0.1:{port}")
    assert _listening_addresses(port) == {"127.0.0.1"}
    assert demo.analytics_enabled is False


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def test_question_streams_steps_a_cited_answer_and_its_reference(served, medreason_fact):
    demo, port = served
    client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
    try:
        messages = client.predict(medreason_fact["question"], api_name="/chat")
    finally:
        client.close()
    titles = [(message.get("metadata") or {}).get("title") for message in messages]
    assert any(title and title.startswith("🔎 search_papers:") for title in titles)
    answer = [_text(m) for m, title in zip(messages, titles) if not title]
    assert len(answer) == 1 and "[1]" in unlinked_markers(answer[0])
    assert any(accepted in answer[0] for accepted in medreason_fact["answers"])
    references = [_text(m) for m, title in zip(messages, titles) if title == REFERENCES_TITLE]
    assert len(references) == 1
    card = re.search(r'<details class="ra-card" id="([\w-]+-1)"><summary>\[1\] ([^<]*)</summary>'
                     r'<p class="ra-card-meta">([^<]*)</p>', references[0])
    assert card and card.group(3).startswith(medreason_fact["paper_id"])
    assert f'href="#{card.group(1)}"' in answer[0]  # the marker opens this card
    marked = re.findall(r"<mark>(.*?)</mark>", references[0])
    assert any(accepted in quote for quote in marked for accepted in medreason_fact["answers"])


def test_uploaded_papers_are_ingested_reported_and_listed(make_settings, small_corpus, tmp_path, free_port):
    empty = ResearchAssistant(settings=make_settings(default_corpus=tmp_path / "no-corpus"))
    port = free_port()
    demo = launch(empty, port=port, prevent_thread_lock=True, quiet=True)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
    try:
        assert client.predict(api_name="/papers")["data"] == []
        summary, table, _ = client.predict([handle_file(str(small_corpus))], api_name="/add_papers")
        again, _, _ = client.predict([handle_file(str(small_corpus))], api_name="/add_papers")
        hits = client.predict("marsupials thermal images", api_name="/search")["data"]
        quokka = hits[0][2]
        removed, after, _ = client.predict([quokka, "no-such-paper"], api_name="/remove_papers")
        hits_after = client.predict("marsupials thermal images", api_name="/search")["data"]
    finally:
        client.close()
        demo.close()
    assert summary == "Added 3, updated 0, skipped 0 (unchanged)."
    assert again == "Added 0, updated 0, skipped 3 (unchanged)."
    assert table["headers"] == ["Title", "Year", "ID", "Source"]
    assert sorted(row[0] for row in table["data"]) == [
        "Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting",
        "Quokka-Net: Counting Marsupials in Aerial Thermal Images",
        "Tidal Sonar Transformer for Estuary Mapping",
    ]
    assert {row[3] for row in table["data"]} == {small_corpus.name}  # the file name, not the upload path
    assert hits[0][0] == "Quokka-Net: Counting Marsupials in Aerial Thermal Images"
    assert removed == f"Removed 1: {quokka}.\n- problem: no indexed paper has id 'no-such-paper'"
    assert sorted(row[0] for row in after["data"]) == [
        "Lichen Atlas: A Benchmark for Symbiotic Growth Forecasting",
        "Tidal Sonar Transformer for Estuary Mapping",
    ]
    assert quokka not in [row[2] for row in hits_after]
    assert quokka not in {chunk.paper_id for chunk in empty.index.all_chunks()}
    assert empty.index.chunks.get(where={"paper_id": quokka})["ids"] == []  # its chunks are gone, not orphaned


@pytest.fixture
def client(served):
    _, port = served
    connected = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
    yield connected
    connected.close()


def test_related_work_endpoint_gives_cited_paragraphs_latex_and_bibtex(client):
    markdown, latex, bib, source = client.predict("retrieval-augmented generation for medical AI", "", 5,
                                                  "related-work", api_name="/review")
    assert "[1]" in markdown and "\\cite{" in latex and source == markdown
    entries = Path(bib).read_text(encoding="utf-8")
    keys = {line.split("{", 1)[1].rstrip(",") for line in entries.splitlines() if line.startswith("@")}
    cited = {key.strip() for group in re.findall(r"\\cite\{([^}]*)\}", latex) for key in group.split(",")}
    assert cited and cited <= keys  # every \cite key has its BibTeX entry


def test_compare_and_extract_endpoints_give_quoted_values_and_downloads(client, ra):
    papers = ra.index.papers()
    medreason = next(pid for pid in papers if pid.startswith("medreason-"))
    mmedrag = next(pid for pid in papers if pid.startswith("mmed-rag-"))
    table, csv_file = client.predict(f"{medreason} {mmedrag}", "", "code release", 3, api_name="/compare")
    assert table.startswith("| paper | code release |") and papers[mmedrag].title in table
    rows = Path(csv_file).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "paper_id,title,code release,code release_quote" and len(rows) == 3
    fields, json_file = client.predict(mmedrag, api_name="/extract")
    card = json.loads(Path(json_file).read_text(encoding="utf-8"))
    assert card["paper_id"] == mmedrag and set(card["fields"]) >= {"task", "code_release"}
    stated = [(name, cell) for name, cell in card["fields"].items() if cell["value"]]
    for name, cell in stated:
        assert cell["value"].split(", ")[0] in cell["quote"] and f"**{name}**: {cell['value']}" in fields


def test_check_endpoint_flags_a_wrong_number_from_pasted_text_and_an_uploaded_bib(client, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{medreason, title = {MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via "
                   "Knowledge Graphs}, year = {2025}}\n", encoding="utf-8")
    draft = ("MedReason builds a dataset of 32,682 question-answer pairs [@medreason].\n\n"
             "MedReason contains 23,682 question-answer pairs [@medreason].\n")
    report = client.predict(draft, None, handle_file(str(bib)), api_name="/check")
    assert report.startswith("**2 of 2 sentences checked** (markdown): 1 supported, 1 unsupported")
    assert "**unsupported** [medreason]: <mark>MedReason contains 23,682 question-answer pairs.</mark>" in report
    assert "number 23682 is not in the cited evidence" in report


def test_a_bad_request_comes_back_as_a_notice_not_a_traceback(client):
    table, csv_file = client.predict("only-one-paper", "", "", 3, api_name="/compare")
    assert table.startswith("⚠️ a comparison needs at least two papers") and csv_file is None


def test_settings_switch_the_provider_and_report_whether_it_is_reachable(make_settings, tmp_path, free_port):
    """On an app of its own: switching the provider changes what answers for everyone on that server."""
    closed = free_port()  # nothing listens here
    own = ResearchAssistant(settings=make_settings(default_corpus=tmp_path / "no-corpus"))
    port = free_port()
    demo = launch(own, port=port, prevent_thread_lock=True, quiet=True)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
    try:
        initial = client.predict(api_name="/provider_status")
        down = client.predict("openai", f"http://127.0.0.1:{closed}/v1", "some-model", "", api_name="/settings")
        provider_after_switch = own.settings.provider
        back = client.predict("local", "", "", "", api_name="/settings")
    finally:
        client.close()
        demo.close()
    assert initial.startswith("**Answers come from** `local:") and "✅ reachable" in initial
    assert down.startswith(f"**Answers come from** `openai:some-model@http://127.0.0.1:{closed}/v1`: ❌ not reachable")
    assert f"cannot connect to http://127.0.0.1:{closed}/v1" in down
    assert provider_after_switch == "openai"
    assert "✅ reachable" in back and own.settings.provider == "local"


def test_eval_endpoint_runs_a_suite_and_returns_its_report_table_and_plots(client, ra):
    report, summary, plots, report_file = client.predict("facts", "daily", "dev", 2, ["product"], api_name="/eval")
    assert report.startswith("# Eval report:")
    assert summary["headers"][:2] == ["system", "fact_accuracy"] and summary["data"][0][0] == "product"
    assert sorted(Path(item["image"]).name for item in plots) == ["latency.png", "metrics.png"]
    downloaded = Path(report_file).read_text(encoding="utf-8")
    assert downloaded.startswith("# Eval report:")
    kept = [path.read_text(encoding="utf-8") for path in ra.settings.eval_dir.glob("*/report.md")]
    assert downloaded in kept  # the run is kept under the settings' eval folder


def test_app_py_builds_the_index_on_first_start_with_progress_and_only_opens_it_later(serve, process_env, tmp_path,
                                                                                   small_corpus, free_port):
    env = process_env(tmp_path / "index", ASSISTANT_DEFAULT_CORPUS=str(small_corpus))
    logs = []
    for start in ("first", "second"):
        port = free_port()
        log = tmp_path / f"{start}.log"
        with serve([sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)], f"http://127.0.0.1:{port}/",
                   log, f"app.py ({start} start)", 300, env=env):
            pass
        logs.append(log.read_text(encoding="utf-8"))
    first, second = logs
    assert re.search(r"building the index from the bundled corpus .* 3/3", first), first
    assert "building the index" not in second, second
    assert "Running on local URL:" in second
