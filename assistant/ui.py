"""Gradio web UI: a thin layer over ResearchAssistant, like the CLI.

The chat shows each agent step as a titled, collapsible message, then the
verified answer as it streams, then its references. Turning agent events into
chat messages is pure (`add_event`, `turn_messages`) so it is tested without a
browser; Gradio only renders the dicts. Any AssistantError becomes a notice.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    import gradio as gr
except ImportError:  # a one-line notice, not a traceback, for an install without the [ui] extra
    sys.exit("the web UI needs gradio: run `pip install 'research-assistant[ui]'`")

from .errors import AssistantError
from .models import Answer, IngestReport, Step
from .present import (
    CLOSEST_EVIDENCE_HEADING,
    CLOSEST_PAPERS_HEADING,
    REFERENCES_HEADING,
    REMOVED_HEADING,
    closest_papers_markdown,
    references_markdown,
    removed_markdown,
)

__all__ = [
    "add_event",
    "turn_messages",
    "answer_turn",
    "agent_history",
    "paper_rows",
    "papers_table",
    "add_papers",
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


# --- layout and launch -------------------------------------------------------------------------
def build_ui(ra) -> gr.Blocks:
    """Chat and Papers tabs over `ra`; analytics off so the app never calls home."""

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
        demo.load(lambda: papers_table(ra), None, table, api_name="papers")
        query.submit(lambda text: papers_table(ra, text), query, table, api_name="search")
        upload.upload(lambda files: add_papers(ra, files), upload, [report, table], api_name="add_papers")
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
