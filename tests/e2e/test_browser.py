"""The web UI as a person sees it: Debian's Chromium, headless, driven by Playwright, over the real app and models.

Each test waits for a selector (Gradio pages never reach "networkidle"), asserts on visible content and saves a
screenshot in its own output folder (pytest's tmp_path).
"""

from __future__ import annotations

import re
import shutil

import pytest

from assistant.ui import launch

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
# Flags this machine needs: no sandbox as root, and no background calls home (the network is closed).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ANSWER_SECONDS = 240
@pytest.fixture(scope="module")
def app_url(ra, free_port):
    port = free_port()
    demo = launch(ra, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as setup.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, app_url, tmp_path):
    """A fresh page (its own session) on the app; a screenshot of how it ended is kept in tmp_path."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(ANSWER_SECONDS * 1000)
    opened.goto(app_url)
    opened.get_by_role("tab", name="Chat").wait_for()
    yield opened
    opened.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    context.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_chat_shows_a_cited_answer_whose_marker_opens_the_papers_card(page, tmp_path, medreason_fact):
    box = page.locator("#chat").locator("xpath=ancestor::div[contains(@class,'gradio-container')]") \
        .get_by_role("textbox").first
    box.fill(medreason_fact["question"])
    box.press("Enter")
    marker = page.locator("a.ra-cite").first
    marker.wait_for()
    answer_text = marker.locator("xpath=ancestor::*[contains(@class,'message')][1]").inner_text()
    assert any(accepted in answer_text for accepted in medreason_fact["answers"])
    card = page.locator(f"details{marker.get_attribute('href')}")
    assert not card.evaluate("node => node.open")
    marker.click()
    quote = card.locator("mark")
    quote.wait_for(state="visible")
    assert card.evaluate("node => node.open")
    assert any(accepted in quote.inner_text() for accepted in medreason_fact["answers"])
    assert "MedReason" in card.locator("summary").inner_text()
    page.screenshot(path=str(tmp_path / "chat-card.png"), full_page=True)


def test_related_work_shows_cited_paragraphs_and_their_references(page, tmp_path):
    _tab(page, "Related work")
    page.locator("#review-topic textarea").fill("retrieval-augmented generation for medical AI")
    page.locator("#review-write").click()
    output = page.locator("#review-text")
    output.get_by_text("References:").wait_for()
    text = output.inner_text()
    paragraphs, references = text.split("References:", 1)
    assert re.search(r"\[\d+(, \d+)*\]", paragraphs)
    assert re.search(r"^\[1\] .+ — “.+”$", references.strip(), re.M)
    page.screenshot(path=str(tmp_path / "related-work.png"), full_page=True)


def test_compare_shows_a_table_of_the_papers_a_query_finds(page, tmp_path, ra):
    _tab(page, "Compare")
    page.locator("#compare-query textarea").fill("medical reasoning datasets")
    page.locator("#compare-run").click()
    table = page.locator("#compare-table table")
    table.wait_for()
    headers = [cell.strip() for cell in table.locator("th").all_inner_texts()]
    assert headers[0] == "paper" and len(headers) > 2
    titles = {paper.title for paper in ra.index.papers().values()}
    first_column = table.locator("tbody tr td:first-child").all_inner_texts()
    assert len(first_column) == 3 and all(any(t.strip() in title or title in t for title in titles)
                                          for t in first_column)
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)


def test_check_highlights_a_sentence_whose_number_the_cited_paper_does_not_state(page, tmp_path):
    _tab(page, "Check a draft")
    draft = ("MedReason builds a dataset of 32,682 question-answer pairs [1]. "
             "MedReason contains 23,682 question-answer pairs [1].\n\n"
             "References\n[1] MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs. 2025.")
    page.locator("#check-draft textarea").fill(draft)
    page.locator("#check-run").click()
    flagged = page.locator("#check-report mark")
    flagged.first.wait_for()
    assert flagged.all_inner_texts() == ["MedReason contains 23,682 question-answer pairs."]
    report = page.locator("#check-report").inner_text()
    assert "unsupported" in report and "23682" in report
    page.screenshot(path=str(tmp_path / "check.png"), full_page=True)
