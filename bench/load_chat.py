"""Bounded load on the web UI: concurrent chat sessions through gradio_client on loopback.

    .venv/bin/python bench/load_chat.py [--sessions 8] [--questions 3] [--out bench/results/load_chat.json]

The app runs in this process over the default index (your `vectorstore/`, built from the bundled corpus if empty)
with the local model. Each session is its own gradio_client Client asking its own dev questions from
evals/daily/facts.jsonl one after another, so each later question carries that session's history. The same
sessions are first run one after another, side by side in the same run, so the concurrent latencies read as ratios
of the sequential ones.

Checked per answer: no error notice; "verified": the reply is labelled unsure/not answered, or each of its [n]
markers has a citation card whose highlighted quote is a sentence of the cited paper; "history": the agent received
exactly this session's earlier turns, in order (recorded server side), never another session's.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import re
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402

from assistant.api import ResearchAssistant  # noqa: E402
from assistant.present import STATUS_LABELS  # noqa: E402
from assistant.ui import ERROR_TITLE, REFERENCES_TITLE, launch  # noqa: E402

_CARD = re.compile(r'<details class="ra-card" id="[\w-]+-(\d+)">.*?<p class="ra-card-meta">([^<·]+?)(?: · [^<]*)?</p>'
                   r'.*?<mark>(.*?)</mark>', re.S)


class RecordingAssistant(ResearchAssistant):
    """The real assistant; every question's history, as the agent receives it, is recorded for the mixing check."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str, list[dict]]] = []
        self._lock = threading.Lock()

    def events(self, question: str, history: list[dict] | None = None) -> Iterator[tuple[str, object]]:
        with self._lock:
            self.received.append((question, [dict(turn) for turn in history or []]))
        yield from super().events(question, history)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _questions(sessions: int, per_session: int) -> list[list[str]]:
    facts = [json.loads(line) for line in (ROOT / "evals" / "daily" / "facts.jsonl").read_text().splitlines()]
    dev = [fact["question"] for fact in facts if fact.get("split") == "dev"]
    needed = sessions * per_session
    if len(dev) < needed:
        raise SystemExit(f"only {len(dev)} dev questions; ask for fewer sessions or questions")
    return [dev[i * per_session:(i + 1) * per_session] for i in range(sessions)]


def _verified(messages: list[dict], papers: dict) -> tuple[bool, bool]:
    """(error shown, verified) for one reply as the chat shows it."""
    titles = [(m.get("metadata") or {}).get("title") for m in messages]
    if ERROR_TITLE in titles:
        return True, False
    answer = next((m["content"] for m, t in zip(messages, titles) if not t), "")
    if any(answer.startswith(f"**{label}.**") for label in STATUS_LABELS.values()):
        return False, True
    cards = {n: (pid.strip(), html.unescape(quote)) for n, pid, quote in
             _CARD.findall("".join(m["content"] for m, t in zip(messages, titles) if t == REFERENCES_TITLE))}
    markers = set(re.findall(r'href="#[\w-]+-(\d+)"', answer))
    ok = bool(markers) and all(n in cards and cards[n][0] in papers and cards[n][1] in papers[cards[n][0]].text
                               for n in markers)
    return False, ok


def _session(url: str, questions: list[str], papers: dict) -> list[dict]:
    client = Client(url, verbose=False, analytics_enabled=False)
    rows = []
    try:
        for question in questions:
            started = time.perf_counter()
            try:
                messages = client.predict(question, api_name="/chat")
                error, verified = _verified(messages, papers)
            except Exception as exc:  # a failed request is a result here, counted as an error
                error, verified = True, False
                print(f"request failed: {exc}", file=sys.stderr)
            rows.append({"question": question, "seconds": time.perf_counter() - started, "error": error,
                         "verified": verified})
    finally:
        client.close()
    return rows


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _histories_intact(received: list[tuple[str, list[dict]]], plan: list[list[str]]) -> tuple[int, int]:
    """(questions whose history was exactly their session's earlier questions, questions checked)."""
    session_of = {q: (i, j) for i, qs in enumerate(plan) for j, q in enumerate(qs)}
    good = 0
    for question, history in received:
        i, j = session_of[question]
        asked = [turn["content"] for turn in history if turn["role"] == "user"]
        good += asked == plan[i][:j]
    return good, len(received)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--questions", type=int, default=3, help="questions per session")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load_chat.json")
    args = parser.parse_args(argv)

    ra = RecordingAssistant()
    papers = ra.index.papers()
    port = _free_port()
    demo = launch(ra, port=port, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    plan = _questions(args.sessions, args.questions)
    try:
        _session(url, [plan[0][0]], papers)  # warm-up: models loaded, BM25 built; not counted
        ra.received.clear()
        sequential = [row for qs in plan for row in _session(url, qs, papers)]  # the same sessions, one at a time
        sequential_intact = _histories_intact(ra.received, plan)
        ra.received.clear()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.sessions) as pool:
            concurrent = [row for rows in pool.map(lambda qs: _session(url, qs, papers), plan) for row in rows]
        wall = time.perf_counter() - started
    finally:
        demo.close()
    intact, checked = _histories_intact(ra.received, plan)

    def summary(rows: list[dict]) -> dict:
        seconds = [row["seconds"] for row in rows]
        return {"answers": len(rows), "errors": sum(row["error"] for row in rows),
                "verified": sum(row["verified"] for row in rows), "p50_s": round(statistics.median(seconds), 3),
                "p95_s": round(_percentile(seconds, 0.95), 3)}

    result = {
        "sessions": args.sessions, "questions_per_session": args.questions,
        "sequential": summary(sequential), "concurrent": {**summary(concurrent), "wall_s": round(wall, 1)},
        "history_intact": {"questions": checked, "intact": intact, "sequential_intact": sequential_intact[0]},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "provider": ra.settings.provider},
    }
    result["ratio_p50"] = round(result["concurrent"]["p50_s"] / result["sequential"]["p50_s"], 2)
    result["ratio_p95"] = round(result["concurrent"]["p95_s"] / result["sequential"]["p95_s"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print("| run | answers | errors | verified | p50 s | p95 s | p50 ratio | p95 ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("sequential", "concurrent"):
        row = result[name]
        ratios = ("1.00", "1.00") if name == "sequential" else (f"{result['ratio_p50']:.2f}", f"{result['ratio_p95']:.2f}")
        print(f"| {name} ({args.sessions} sessions, {'one at a time' if name == 'sequential' else 'at once'}) "
              f"| {row['answers']} | {row['errors']} | {row['verified']} | {row['p50_s']:.2f} | {row['p95_s']:.2f} "
              f"| {ratios[0]} | {ratios[1]} |")
    print(f"histories intact: {intact}/{checked}; concurrent wall {wall:.1f} s; written {args.out}")


if __name__ == "__main__":
    main()
