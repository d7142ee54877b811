"""Gradio web UI: a thin layer over ResearchAssistant, like the CLI.

The chat shows each agent step as a titled, collapsible message, then the
verified answer as it streams, then its references. Turning agent events into
chat messages is pure (`add_event`, `turn_messages`) so it is tested without a
browser; Gradio only renders the dicts. Any AssistantError becomes a notice.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    import gradio as gr
except ImportError:  # a one-line notice, not a traceback, for an install without the [ui] extra
    sys.exit("the web UI needs gradio: run `pip install 'research-assistant[ui]'`")

from .errors import AssistantError, InputError
from .models import Answer, IngestReport, Step
from .present import (
    CLOSEST_EVIDENCE_HEADING,
    CLOSEST_PAPERS_HEADING,
    REFERENCES_HEADING,
    REMOVED_HEADING,
    check_markdown,
    closest_papers_markdown,
    comparison_quotes_markdown,
    extraction_markdown,
    references_markdown,
    removed_markdown,
    review_to_markdown,
)

__all__ = [
    "add_event",
    "turn_messages",
    "answer_turn",
    "agent_history",
    "paper_rows",
    "papers_table",
    "add_papers",
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
PAPER_COLUMNS = ["Title", "Year", "ID"]
UPLOAD_TYPES = [".txt", ".jsonl", ".csv", ".bib", ".pdf"]
MANUSCRIPT_TYPES = [".tex", ".md", ".markdown", ".txt"]
SEARCH_RESULTS = 20
_ARG_CHARS = 60
EXAMPLES = [
    "How many question-answer pairs does MedReason contain?",
    "Which base model is Med-R1 built on?",
]


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


def answer_messages(answer: Answer) -> list[dict]:
    """The final answer text, then references, closest papers (abstentions) and removed sentences."""
    messages = [_message(answer.answer)]
    if answer.citations:
        title = CLOSEST_EVIDENCE_TITLE if answer.abstained else REFERENCES_TITLE
        messages.append(_message(references_markdown(answer), title))
    if answer.abstained and answer.closest_papers:
        messages.append(_message(closest_papers_markdown(answer), CLOSEST_TITLE))
    if answer.removed:
        messages.append(_message(removed_markdown(answer), REMOVED_TITLE, status="done"))
    return messages


def add_event(messages: list[dict], kind: str, payload: object) -> list[dict]:
    """This turn's messages after one agent event; a new list, so each streamed state stays intact."""
    settled = [_done(message) for message in messages]
    if kind == "step":
        return settled + [_message(payload.summary, step_title(payload), status="pending")]
    if kind == "text":
        if settled and not _title(settled[-1]):
            return settled[:-1] + [{**settled[-1], "content": settled[-1]["content"] + payload}]
        return settled + [_message(payload)]
    if kind == "answer":
        # The Answer is authoritative: it replaces the streamed text and adds what follows it.
        return [message for message in settled if _title(message)] + answer_messages(payload)
    raise ValueError(f"unknown agent event '{kind}'")


def turn_messages(events: Iterable[tuple[str, object]]) -> Iterator[list[dict]]:
    """This turn's messages after each event: exactly what the chat shows while the answer streams."""
    messages: list[dict] = []
    for kind, payload in events:
        messages = add_event(messages, kind, payload)
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
        {"role": message["role"], "content": _text(message["content"])}
        for message in chat
        if message.get("role") in ("user", "assistant") and not _title(message)
    ]


# --- handlers (call the assistant) ---------------------------------------------------------
def answer_turn(ra, question: str, chat: list[dict]) -> Iterator[list[dict]]:
    """Stream one question's messages; an AssistantError ends the turn with a notice, never a traceback."""
    messages: list[dict] = []
    try:
        for messages in turn_messages(ra.events(question, agent_history(chat))):
            yield messages
    except AssistantError as exc:
        gr.Warning(exc.one_line())
        yield [_done(message) for message in messages] + [_message(exc.one_line(), ERROR_TITLE)]


def paper_rows(ra, query: str = "") -> list[list[str]]:
    """Table rows: the search hits for `query`, or every indexed paper when it is blank."""
    if query.strip():
        found = ra.search(query, k=SEARCH_RESULTS)
    else:
        found = ra.papers()
    return [[item.title, str(item.year or ""), item.paper_id] for item in found]


def papers_table(ra, query: str = ""):
    """Table handler (page load and search box): a failure leaves the table as it was and shows a notice."""
    try:
        return paper_rows(ra, query)
    except AssistantError as exc:
        gr.Warning(exc.one_line())
        return gr.skip()


def ingest_summary(report: IngestReport) -> str:
    """What an upload did; problems name the uploaded file, not Gradio's temporary path."""
    lines = [f"Added {report.added}, updated {report.updated}, skipped {report.skipped} (unchanged)."]
    for problem in report.problems:
        where = Path(problem.file).name + (f":{problem.line}" if problem.line else "")
        lines.append(f"- problem: {where}: {problem.message}")
    return "\n".join(lines)


def add_papers(ra, files: list[str] | None):
    """Upload handler: ingest the files, then report and refresh the table."""
    if not files:
        return "Choose one or more files to add.", gr.skip()
    try:
        report = ra.ingest(files)
    except AssistantError as exc:
        gr.Warning(exc.one_line())
        return f"⚠️ {exc.one_line()}", gr.skip()
    return ingest_summary(report), paper_rows(ra)


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
    """Related work: the themed paragraphs (Markdown), the same as LaTeX, and the BibTeX file its keys refer to."""
    try:
        review = ra.review(topic or "", papers=int(papers), style=style, from_abstract=(abstract or "").strip() or None)
    except AssistantError as exc:
        return _notice(exc), "", None
    return review_to_markdown(review), review.latex(), _download("refs.bib", review.bibtex())


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
    return check_markdown(report)


# --- layout and launch -------------------------------------------------------------------------
def build_ui(ra) -> gr.Blocks:
    """Chat, Papers, Related work, Compare, Extract and Check tabs over `ra`, each with a named endpoint;
    analytics off so the app never calls home."""

    def respond(message: str, history: list[dict]):
        """A named generator function: ChatInterface only streams what inspect sees as a generator."""
        yield from answer_turn(ra, message, history)

    with gr.Blocks(title="Research Assistant", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Research Assistant\nAnswers from the indexed papers; every sentence is checked against what it cites."
        )
        with gr.Tab("Chat"):
            gr.ChatInterface(
                respond,
                chatbot=gr.Chatbot(label="Research Assistant", height=560),
                examples=EXAMPLES,
                api_name="chat",
                analytics_enabled=False,
            )
        with gr.Tab("Papers"):
            query = gr.Textbox(label="Search papers", placeholder="words, a title, a name or a number; blank lists all")
            table = gr.Dataframe(headers=PAPER_COLUMNS, interactive=False, wrap=True)
            upload = gr.File(label="Add papers", file_count="multiple", file_types=UPLOAD_TYPES)
            report = gr.Markdown()
        with gr.Tab("Related work"):
            with gr.Row():
                topic = gr.Textbox(label="Topic", placeholder="e.g. hallucination in medical vision-language models")
                review_papers = gr.Slider(2, 12, value=8, step=1, label="Papers at most")
                review_style = gr.Radio(["related-work", "mini-review"], value="related-work", label="Style")
            own_abstract = gr.Textbox(label="Or your own abstract (the topic comes from it)", lines=3)
            write = gr.Button("Write", variant="primary")
            review_text = gr.Markdown()
            with gr.Accordion("LaTeX", open=False):
                review_latex = gr.Code(language="latex")
            review_bib = gr.File(label="BibTeX")
        with gr.Tab("Compare"):
            with gr.Row():
                compare_ids = gr.Textbox(label="Paper ids (from the Papers tab)", placeholder="id1 id2 ...")
                compare_query = gr.Textbox(label="Or a query", placeholder="the first n hits are compared")
                compare_n = gr.Slider(2, 8, value=3, step=1, label="n")
            compare_fields = gr.Textbox(label="Fields", placeholder="comma-separated; blank: the default schema")
            compare_button = gr.Button("Compare", variant="primary")
            compare_table = gr.Markdown()
            compare_csv = gr.File(label="CSV")
        with gr.Tab("Extract"):
            extract_id = gr.Textbox(label="Paper id (from the Papers tab)")
            extract_button = gr.Button("Extract", variant="primary")
            extract_fields = gr.Markdown()
            extract_json = gr.File(label="JSON")
        with gr.Tab("Check a draft"):
            draft = gr.Textbox(label="Paste your text", lines=8,
                               placeholder="LaTeX \\cite{key}, Markdown [@key] or numbered [1] with a References list")
            with gr.Row():
                draft_file = gr.File(label="Or upload .tex / .md", file_types=MANUSCRIPT_TYPES, type="filepath")
                draft_bib = gr.File(label="BibTeX (.bib)", file_types=[".bib"], type="filepath")
            check_button = gr.Button("Check", variant="primary")
            check_report = gr.Markdown()
        demo.load(lambda: papers_table(ra), None, table, api_name="papers")
        query.submit(lambda text: papers_table(ra, text), query, table, api_name="search")
        upload.upload(lambda files: add_papers(ra, files), upload, [report, table], api_name="add_papers")
        write.click(lambda *a: review_outputs(ra, *a), [topic, own_abstract, review_papers, review_style],
                    [review_text, review_latex, review_bib], api_name="review")
        compare_button.click(lambda *a: compare_outputs(ra, *a), [compare_ids, compare_query, compare_fields, compare_n],
                             [compare_table, compare_csv], api_name="compare")
        extract_button.click(lambda pid: extract_outputs(ra, pid), extract_id, [extract_fields, extract_json],
                             api_name="extract")
        check_button.click(lambda *a: check_outputs(ra, *a), [draft, draft_file, draft_bib], check_report,
                           api_name="check")
    return demo


def launch(ra, host: str | None = None, port: int | None = None, **options) -> gr.Blocks:
    """Serve the UI on the settings' address (loopback by default), never through a public share link."""
    demo = build_ui(ra)
    demo.launch(
        server_name=host or ra.settings.ui_host,
        server_port=port or ra.settings.ui_port,
        share=False,
        **options,
    )
    return demo


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
        ra.index  # noqa: B018 - build the index before serving so the first question is not the slow one
    except AssistantError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        raise SystemExit(1) from None
    launch(ra, host=args.host, port=args.port)
