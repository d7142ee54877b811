"""Gradio web UI: a thin layer over ResearchAssistant (and, for evals, the CLI's run_suite), like the CLI.

The chat shows each agent step as a titled, collapsible message, then the verified answer as it streams, then
its citation cards (each `[n]` marker opens its card). Turning agent events into chat messages is pure
(`add_event`, `turn_messages`) so it is tested without a browser; Gradio only renders the dicts. The other tabs
(Papers, Related work, Compare, Extract, Check a draft, Evals, Settings) each call one function and render through
present.py. Any AssistantError becomes a notice.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    import gradio as gr
except ImportError:  # a one-line notice, not a traceback, for an install without the [ui] extra
    sys.exit("the web UI needs gradio: run `pip install 'research-assistant[ui]'`")

from .errors import AssistantError, ConfigError, InputError
from .evaluation.suites import SUITES, SYSTEMS, run_suite
from .loaders import SUPPORTED_SUFFIXES
from .models import Answer, IngestReport, Paper, Problem, ProviderStatus, Step
from .present import (
    CLOSEST_EVIDENCE_HEADING,
    CLOSEST_PAPERS_HEADING,
    REFERENCES_HEADING,
    REMOVED_HEADING,
    check_markdown,
    citation_cards_html,
    closest_papers_markdown,
    comparison_quotes_markdown,
    extraction_markdown,
    linked_markers,
    removed_markdown,
    review_to_markdown,
    status_label,
    unlinked_markers,
)

__all__ = [
    "add_event",
    "turn_messages",
    "answer_turn",
    "agent_history",
    "paper_rows",
    "papers_table",
    "add_papers",
    "remove_papers",
    "provider_markdown",
    "apply_settings",
    "eval_outputs",
    "review_outputs",
    "compare_outputs",
    "extract_outputs",
    "check_outputs",
    "build_ui",
    "launch",
    "main",
]

REFERENCES_TITLE = f"📚 {REFERENCES_HEADING}"
CLOSEST_TITLE = f"📄 {CLOSEST_PAPERS_HEADING}"
CLOSEST_EVIDENCE_TITLE = f"🔍 {CLOSEST_EVIDENCE_HEADING}"
REMOVED_TITLE = f"✂️ {REMOVED_HEADING}"
ERROR_TITLE = "⚠️ Could not answer"
PAPER_COLUMNS = ["Title", "Year", "ID", "Source"]
PAPER_COLUMN_WIDTHS = ["50%", "8%", "20%", "22%"]  # long titles wrap instead of pushing the other columns away
UPLOAD_TYPES = list(SUPPORTED_SUFFIXES)  # what `assistant ingest` reads
MANUSCRIPT_TYPES = [".tex", ".md", ".markdown", ".txt"]
SEARCH_RESULTS = 20
_ARG_CHARS = 60
# A citation marker opens (and scrolls to) the card it links to, in the capture phase so the chat's own link
# handling never sees it.
CARD_SCRIPT = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.ra-cite");
  if (!link) return;
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  event.preventDefault();
  event.stopPropagation();
  for (let node = card; node; node = node.parentElement) { if (node.tagName === "DETAILS") node.open = true; }
  card.scrollIntoView({block: "nearest"});
}, true);
</script>"""
CARD_STYLE = """
.ra-card { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 4px 8px; margin: 4px 0; }
.ra-card summary { cursor: pointer; font-weight: 600; }
.ra-card-meta { color: var(--body-text-color-subdued); font-size: 0.85em; margin: 2px 0; }
.ra-card mark { background: #fde68a; color: inherit; }
"""


# --- events -> chat messages (pure) ------------------------------------------------
def _message(content: str, title: str | None = None, status: str | None = None) -> dict:
    metadata = {key: value for key, value in (("title", title), ("status", status)) if value}
    return {"role": "assistant", "content": content, "metadata": metadata}


def _title(message: dict) -> str | None:
    return (message.get("metadata") or {}).get("title")


def _done(message: dict) -> dict:
    """A step stops spinning (and collapses) once the agent has moved on."""
    metadata = message.get("metadata") or {}
    if metadata.get("status") != "pending":
        return message
    return {**message, "metadata": {**metadata, "status": "done"}}


def _short(value) -> str:
    if isinstance(value, str):
        text = value if len(value) <= _ARG_CHARS else value[: _ARG_CHARS - 1] + "…"
        return f'"{text}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def step_title(step: Step) -> str:
    """'🔎 tool: args' so a reader sees what the agent looked up without opening the step."""
    args = ", ".join(f"{name}={_short(value)}" for name, value in step.args.items() if value not in (None, "", []))
    return f"🔎 {step.tool}: {args}" if args else f"🔎 {step.tool}"


def _anchor(answer: Answer) -> str:
    """Card ids unique to this answer, so markers of earlier turns still open their own cards."""
    return "ra-" + hashlib.sha1(f"{answer.question}\n{answer.answer}".encode()).hexdigest()[:10]


def answer_messages(answer: Answer, papers: dict[str, Paper] | None = None) -> list[dict]:
    """The final answer text (its markers open citation cards; unsure/unanswered labelled as such), then the
    cards, closest papers (abstentions) and removed sentences."""
    anchor = _anchor(answer)
    label = status_label(answer)
    text = linked_markers(answer.answer, anchor)
    messages = [_message(f"**{label}.** {text}" if label else text)]
    if answer.citations:
        title = CLOSEST_EVIDENCE_TITLE if answer.abstained else REFERENCES_TITLE
        messages.append(_message(citation_cards_html(answer.citations, papers or {}, anchor), title))
    if answer.abstained and answer.closest_papers:
        messages.append(_message(closest_papers_markdown(answer), CLOSEST_TITLE))
    if answer.removed:
        messages.append(_message(removed_markdown(answer), REMOVED_TITLE, status="done"))
    return messages


def add_event(messages: list[dict], kind: str, payload: object, papers: dict[str, Paper] | None = None) -> list[dict]:
    """This turn's messages after one agent event; a new list, so each streamed state stays intact.

    `papers` (id -> Paper) fills the citation cards of the final answer."""
    settled = [_done(message) for message in messages]
    if kind == "step":
        return settled + [_message(payload.summary, step_title(payload), status="pending")]
    if kind == "text":
        if settled and not _title(settled[-1]):
            return settled[:-1] + [{**settled[-1], "content": settled[-1]["content"] + payload}]
        return settled + [_message(payload)]
    if kind == "answer":
        # The Answer is authoritative: it replaces the streamed text and adds what follows it.
        return [message for message in settled if _title(message)] + answer_messages(payload, papers)
    raise ValueError(f"unknown agent event '{kind}'")


def turn_messages(events: Iterable[tuple[str, object]], papers: dict[str, Paper] | None = None
                  ) -> Iterator[list[dict]]:
    """This turn's messages after each event: exactly what the chat shows while the answer streams."""
    messages: list[dict] = []
    for kind, payload in events:
        messages = add_event(messages, kind, payload, papers)
        yield messages


def _text(content) -> str:
    """Message text whether Gradio gives a string or a list of typed parts."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    texts = [part if isinstance(part, str) else part.get("text", "") for part in parts if isinstance(part, (str, dict))]
    return " ".join(texts)


def agent_history(chat: list[dict]) -> list[dict]:
    """Earlier turns as the agent reads them: questions and answer text, not steps or references."""
    return [
        {"role": message["role"], "content": unlinked_markers(_text(message["content"]))}
        for message in chat
        if message.get("role") in ("user", "assistant") and not _title(message)
    ]


# --- handlers (call the assistant) ---------------------------------------------------------
def answer_turn(ra, question: str, chat: list[dict]) -> Iterator[list[dict]]:
    """Stream one question's messages; an AssistantError ends the turn with a notice, never a traceback."""
    messages: list[dict] = []
    try:
        for messages in turn_messages(ra.events(question, agent_history(chat)), ra.index.papers()):
            yield messages
    except AssistantError as exc:
        gr.Warning(exc.one_line())
        yield [_done(message) for message in messages] + [_message(exc.one_line(), ERROR_TITLE)]


def paper_rows(ra, query: str = "") -> list[list[str]]:
    """Table rows (title, year, id, source): the search hits for `query`, or every indexed paper when blank."""
    if query.strip():
        papers = ra.index.papers()
        found = [papers[hit.paper_id] for hit in ra.search(query, k=SEARCH_RESULTS) if hit.paper_id in papers]
    else:
        found = ra.papers()
    # the source file by name only: no server path is shown
    return [[paper.title, str(paper.year or ""), paper.paper_id, Path(paper.source).name] for paper in found]


def paper_choices(ra) -> list[tuple[str, str]]:
    """(label, id) for pickers: the title first, so a person finds a paper by name."""
    return [(f"{paper.title} ({paper.paper_id})", paper.paper_id) for paper in ra.papers()]


def papers_table(ra, query: str = ""):
    """Table handler (page load and search box): a failure leaves the table as it was and shows a notice."""
    try:
        return paper_rows(ra, query)
    except AssistantError as exc:
        gr.Warning(exc.one_line())
        return gr.skip()


def _problem_line(problem: Problem) -> str:
    where = Path(problem.file).name + (f":{problem.line}" if problem.line else "")
    return f"- problem: {where}: {problem.message}"


def ingest_summary(report: IngestReport) -> str:
    """What an upload did; problems name the uploaded file, not Gradio's temporary path."""
    lines = [f"Added {report.added}, updated {report.updated}, skipped {report.skipped} (unchanged)."]
    lines += [_problem_line(problem) for problem in report.problems]
    return "\n".join(lines)


def _library_update(ra):
    return gr.update(choices=paper_choices(ra), value=[])


def add_papers(ra, files: list[str] | None, progress=None):
    """Upload handler: ingest the files of accepted types (reporting progress), then report and refresh the
    table and the removal picker. Files of other types are named as problems and left out."""
    if not files:
        return "Choose one or more files to add.", gr.skip(), gr.skip()
    accepted = [f for f in files if Path(f).suffix.lower() in UPLOAD_TYPES]
    refused = [Problem(file=f, message=f"not a paper file type; upload {', '.join(UPLOAD_TYPES)}")
               for f in files if f not in accepted]
    try:
        report = ra.ingest(accepted, progress=_ticker(progress, "indexing")) if accepted else IngestReport()
    except AssistantError as exc:
        gr.Warning(exc.one_line())
        return f"⚠️ {exc.one_line()}", gr.skip(), gr.skip()
    report.problems = refused + report.problems
    return ingest_summary(report), paper_rows(ra), _library_update(ra)


def remove_papers(ra, paper_ids: list[str] | None):
    """Removal handler: take the chosen papers out of the index, then refresh the table and the picker."""
    try:
        report = ra.remove(paper_ids or [])
    except AssistantError as exc:
        return _notice(exc), gr.skip(), gr.skip()
    lines = [f"Removed {len(report.removed)}: {', '.join(report.removed) or 'none'}."]
    lines += [f"- problem: no indexed paper has id '{pid}'" for pid in report.unknown]
    return "\n".join(lines), paper_rows(ra), _library_update(ra)


def _ticker(progress, label: str):
    """A `(done, total)` callback driving a Gradio progress bar, or None when there is none."""
    if progress is None:
        return None

    def tick(done: int, total: int, item: str | None = None) -> None:
        progress((done, total), desc=item or label)

    return tick


# --- writing and checking tabs: each calls one API method and renders through present.py ---------------
def _download(name: str, text: str) -> str:
    """A file Gradio can offer for download, in a fresh temporary folder of its own."""
    path = Path(tempfile.mkdtemp(prefix="research-assistant-")) / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _items(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text or "") if part]


def _notice(exc: AssistantError) -> str:
    gr.Warning(exc.one_line())
    return f"⚠️ {exc.one_line()}"


def review_outputs(ra, topic: str, abstract: str, papers: float, style: str):
    """Related work: the themed paragraphs (shown), the same as LaTeX, the BibTeX file its keys refer to, and
    the Markdown source to copy."""
    try:
        review = ra.review(topic or "", papers=int(papers), style=style, from_abstract=(abstract or "").strip() or None)
    except AssistantError as exc:
        return _notice(exc), "", None, ""
    markdown = review_to_markdown(review)
    return markdown, review.latex(), _download("refs.bib", review.bibtex()), markdown


def compare_outputs(ra, paper_ids: str, query: str, fields: str, n: float):
    """Compare: the table of values, each paper's quotes folded below it, and the CSV with values and quotes."""
    try:
        table = ra.compare(_items(paper_ids) or None, fields=[f.strip() for f in (fields or "").split(",")
                                                             if f.strip()] or None,
                           query=(query or "").strip() or None, n=int(n))
    except AssistantError as exc:
        return _notice(exc), None
    return table.to_markdown() + "\n\n" + comparison_quotes_markdown(table), _download("comparison.csv",
                                                                                       table.to_csv())


def extract_outputs(ra, paper_id: str):
    """Extract: one paper's fields with their quotes, and the Extraction as JSON."""
    try:
        result = ra.extract((paper_id or "").strip())
    except AssistantError as exc:
        return _notice(exc), None
    return extraction_markdown(result), _download("extraction.json", result.model_dump_json(indent=1))


def check_outputs(ra, text: str, manuscript: str | None, bib: str | None):
    """Check a draft: pasted text or an uploaded .tex/.md, with an optional .bib; the flagged sentences."""
    from .manuscript import detect_format

    try:
        if manuscript:
            try:
                text = Path(manuscript).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read {Path(manuscript).name}: {exc}", "upload a UTF-8 .tex, .md or .txt "
                                 "file") from None
        report = ra.check(text or "", bib=bib or None,
                          format=detect_format(text or "", Path(manuscript).suffix if manuscript else None))
    except AssistantError as exc:
        return _notice(exc)
    return check_markdown(report, mark=True)


# --- settings and evals ------------------------------------------------------------------------
def provider_markdown(status: ProviderStatus) -> str:
    """Which model answers and whether it is reachable, in one line a person can act on."""
    state = "✅ reachable" if status.reachable else "❌ not reachable"
    return f"**Answers come from** `{status.model or status.provider}`: {state} — {status.detail}"


def provider_status(ra) -> str:
    return provider_markdown(ra.provider_status())


def apply_settings(ra, provider: str, base_url: str, model: str, api_key: str) -> str:
    """Switch the answering model for everyone using this server; the index and models stay loaded."""
    try:
        return provider_markdown(ra.use_provider(provider, base_url=base_url or "", model=model or None,
                                                 api_key=api_key or None))
    except AssistantError as exc:
        return _notice(exc)


def _report_text(path: Path) -> str:
    """The report without its image lines: the plots are shown beside it."""
    text = path.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("!["))


def eval_outputs(ra, suite: str, corpus: str, split: str, limit: float, systems: list[str] | None, progress=None):
    """Evals: run one suite with the current model; the headline table, the report, its plots and the file."""
    try:
        run = run_suite(ra.settings, suite=suite, corpus=corpus, split=split, limit=int(limit) if limit else None,
                        systems=systems or ["product"], progress=_ticker(progress, suite))
    except AssistantError as exc:
        return _notice(exc), None, [], None
    metrics = list(dict.fromkeys(name for values in run.summary.values() for name in values))
    rows = [[system] + [values.get(name) for name in metrics] for system, values in run.summary.items()]
    table = {"headers": ["system"] + metrics, "data": rows}
    return _report_text(Path(run.report)), table, run.plots, run.report


# --- layout and launch -------------------------------------------------------------------------
def build_ui(ra) -> gr.Blocks:
    """Chat, Papers, Related work, Compare, Extract, Check a draft, Evals and Settings over `ra`, each with a
    named endpoint; analytics off so the app never calls home.

    Concurrency: chats run side by side (each browser session keeps its own history); writes to the library
    queue one at a time, as do eval runs, each in its own queue, so neither blocks a chat.
    """

    def respond(message: str, history: list[dict]):
        """A named generator function: ChatInterface only streams what inspect sees as a generator."""
        yield from answer_turn(ra, message, history)

    def upload_files(files, progress=gr.Progress()):
        return add_papers(ra, files, progress)

    def run_eval(suite, corpus, split, limit, systems, progress=gr.Progress()):
        return eval_outputs(ra, suite, corpus, split, limit, systems, progress)

    settings = ra.settings
    with gr.Blocks(title="Research Assistant", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Research Assistant\nAnswers from the indexed papers; every sentence is checked against what it cites."
        )
        with gr.Tab("Chat"):
            gr.ChatInterface(
                respond,
                chatbot=gr.Chatbot(label="Research Assistant", height=560, elem_id="chat"),
                examples=settings.ui_examples or None,
                api_name="chat",
                analytics_enabled=False,
                concurrency_limit=4,
            )
        with gr.Tab("Papers"):
            query = gr.Textbox(label="Search papers", placeholder="words, a title, a name or a number; blank lists all")
            table = gr.Dataframe(headers=PAPER_COLUMNS, column_widths=PAPER_COLUMN_WIDTHS, interactive=False,
                                 wrap=True, elem_id="papers-table")
            with gr.Row():
                upload = gr.File(label=f"Add papers ({', '.join(UPLOAD_TYPES)}; at most "
                                       f"{settings.ui_max_upload_mb:g} MB each)", file_count="multiple",
                                 file_types=UPLOAD_TYPES)
                with gr.Column():
                    to_remove = gr.Dropdown(label="Remove papers", multiselect=True, choices=[], allow_custom_value=True)
                    remove_button = gr.Button("Remove", variant="stop")
            report = gr.Markdown(elem_id="papers-report")
        with gr.Tab("Related work"):
            with gr.Row():
                topic = gr.Textbox(label="Topic", placeholder="e.g. hallucination in medical vision-language models",
                                   elem_id="review-topic")
                review_papers = gr.Slider(2, 12, value=8, step=1, label="Papers at most")
                review_style = gr.Radio(["related-work", "mini-review"], value="related-work", label="Style")
            own_abstract = gr.Textbox(label="Or your own abstract (the topic comes from it)", lines=3)
            write = gr.Button("Write", variant="primary", elem_id="review-write")
            review_text = gr.Markdown(elem_id="review-text")
            with gr.Accordion("Markdown (copy)", open=False):
                review_markdown = gr.Code(language="markdown")
            with gr.Accordion("LaTeX (copy)", open=False):
                review_latex = gr.Code(language="latex")
            review_bib = gr.File(label="BibTeX")
        with gr.Tab("Compare"):
            compare_pick = gr.Dropdown(label="Pick papers from the library", multiselect=True, choices=[])
            with gr.Row():
                compare_ids = gr.Textbox(label="Paper ids", placeholder="id1 id2 ...", elem_id="compare-ids")
                compare_query = gr.Textbox(label="Or a query", placeholder="the first n hits are compared",
                                           elem_id="compare-query")
                compare_n = gr.Slider(2, 8, value=3, step=1, label="n")
            compare_fields = gr.Textbox(label="Fields", placeholder="comma-separated; blank: the default schema")
            compare_button = gr.Button("Compare", variant="primary", elem_id="compare-run")
            compare_table = gr.Markdown(elem_id="compare-table")
            compare_csv = gr.File(label="CSV")
        with gr.Tab("Extract"):
            extract_id = gr.Dropdown(label="Paper (pick, or type its id)", choices=[], allow_custom_value=True)
            extract_button = gr.Button("Extract", variant="primary")
            extract_fields = gr.Markdown(elem_id="extract-fields")
            extract_json = gr.File(label="JSON")
        with gr.Tab("Check a draft"):
            draft = gr.Textbox(label="Paste your text", lines=8, elem_id="check-draft",
                               placeholder="LaTeX \\cite{key}, Markdown [@key] or numbered [1] with a References list")
            with gr.Row():
                draft_file = gr.File(label="Or upload .tex / .md", file_types=MANUSCRIPT_TYPES, type="filepath")
                draft_bib = gr.File(label="BibTeX (.bib)", file_types=[".bib"], type="filepath")
            check_button = gr.Button("Check", variant="primary", elem_id="check-run")
            check_report = gr.Markdown(elem_id="check-report")
        with gr.Tab("Evals"):
            gr.Markdown("Run a gold suite with the model chosen in Settings. A full suite takes minutes; "
                        f"`limit` runs the first items only. Reports are kept under `{settings.eval_dir}/`.")
            with gr.Row():
                eval_suite = gr.Dropdown(list(SUITES), value="facts", label="Suite")
                eval_corpus = gr.Dropdown(["daily", "pubmedqa"], value="daily", label="Corpus")
                eval_split = gr.Radio(["dev", "test", "all"], value="dev", label="Split")
                eval_limit = gr.Slider(1, 200, value=10, step=1, label="Limit (items)")
            eval_systems = gr.CheckboxGroup(list(SYSTEMS), value=["product"], label="Systems (answer suites)")
            eval_button = gr.Button("Run", variant="primary")
            eval_summary = gr.Dataframe(label="Headline numbers", interactive=False)
            eval_plots = gr.Gallery(label="Plots", columns=2, height="auto")
            eval_report = gr.Markdown()
            eval_file = gr.File(label="Report (Markdown)")
        with gr.Tab("Settings"):
            with gr.Row():
                provider = gr.Radio(["local", "openai"], value=settings.provider, label="Provider")
                base_url = gr.Textbox(label="OpenAI-compatible base URL", value=settings.openai_base_url or "",
                                      placeholder="e.g. http://127.0.0.1:8000/v1; blank: api.openai.com")
                model = gr.Textbox(label="Model (openai provider)", value=settings.model)
                api_key = gr.Textbox(label="API key (kept in memory only)", type="password")
            with gr.Row():
                apply_button = gr.Button("Apply", variant="primary")
                check_provider = gr.Button("Check again")
            provider_state = gr.Markdown(elem_id="provider-status")

        def library_pickers():
            choices = paper_choices(ra)
            return gr.update(choices=choices), gr.update(choices=choices), gr.update(choices=choices)

        demo.load(lambda: papers_table(ra), None, table, api_name="papers")
        demo.load(library_pickers, None, [to_remove, compare_pick, extract_id], api_visibility="private")
        demo.load(lambda: provider_status(ra), None, provider_state, api_visibility="private")
        query.submit(lambda text: papers_table(ra, text), query, table, api_name="search")
        upload.upload(upload_files, upload, [report, table, to_remove], api_name="add_papers",
                      concurrency_id="library", concurrency_limit=1)
        remove_button.click(lambda ids: remove_papers(ra, ids), to_remove, [report, table, to_remove],
                            api_name="remove_papers", concurrency_id="library", concurrency_limit=1)
        write.click(lambda *a: review_outputs(ra, *a), [topic, own_abstract, review_papers, review_style],
                    [review_text, review_latex, review_bib, review_markdown], api_name="review")
        compare_pick.change(lambda ids: " ".join(ids or []), compare_pick, compare_ids, api_visibility="private")
        compare_button.click(lambda *a: compare_outputs(ra, *a), [compare_ids, compare_query, compare_fields, compare_n],
                             [compare_table, compare_csv], api_name="compare")
        extract_button.click(lambda pid: extract_outputs(ra, pid), extract_id, [extract_fields, extract_json],
                             api_name="extract")
        check_button.click(lambda *a: check_outputs(ra, *a), [draft, draft_file, draft_bib], check_report,
                           api_name="check")
        eval_button.click(run_eval, [eval_suite, eval_corpus, eval_split, eval_limit, eval_systems],
                          [eval_report, eval_summary, eval_plots, eval_file], api_name="eval",
                          concurrency_id="eval", concurrency_limit=1)
        apply_button.click(lambda *a: apply_settings(ra, *a), [provider, base_url, model, api_key], provider_state,
                           api_name="settings")
        check_provider.click(lambda: provider_status(ra), None, provider_state, api_name="provider_status")
    return demo


def _auth(settings) -> tuple[str, str] | None:
    """('user', 'password') from ASSISTANT_UI_AUTH, or None when the UI is open."""
    if settings.ui_auth is None:
        return None
    user, sep, password = settings.ui_auth.get_secret_value().partition(":")
    if not (sep and user and password):
        raise ConfigError("ASSISTANT_UI_AUTH must be 'user:password'", "set it as user:password, or unset it")
    return user, password


def launch(ra, host: str | None = None, port: int | None = None, **options) -> gr.Blocks:
    """Serve the UI on the settings' address (loopback by default), never through a public share link; uploads
    are capped at `ui_max_upload_mb`, and basic auth is on when `ui_auth` is set."""
    settings = ra.settings
    demo = build_ui(ra)
    demo.queue(default_concurrency_limit=1)
    demo.launch(
        server_name=host or settings.ui_host,
        server_port=port or settings.ui_port,
        share=False,
        auth=_auth(settings),
        max_file_size=int(settings.ui_max_upload_mb * 1024 * 1024),
        head=CARD_SCRIPT,
        css=CARD_STYLE,
        **options,
    )
    return demo


def _first_build_progress():
    """A console bar that appears only if the index is being built (first start), so later starts stay quiet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("building the index from the bundled corpus"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), transient=False)
    task = None

    def tick(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("index", total=total)
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()

    return tick


def main(argv: list[str] | None = None) -> None:
    """`python app.py [--host H] [--port P] [--provider local|openai]`; setup errors print one line."""
    parser = argparse.ArgumentParser(description="Research Assistant web UI")
    parser.add_argument("--host", help="address to bind (default: ASSISTANT_UI_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_UI_PORT, 7860)")
    parser.add_argument("--provider", help="local or openai (default: settings)")
    args = parser.parse_args(argv)
    from .api import ResearchAssistant  # here, so importing the UI's pure functions does not load the models' stack

    try:
        ra = ResearchAssistant(provider=args.provider)
        # build the index (first start, with a progress bar) before serving, so the first question is not the slow one
        ra.open_index(progress=_first_build_progress())
        launch(ra, host=args.host, port=args.port)
    except AssistantError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        raise SystemExit(1) from None
