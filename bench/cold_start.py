"""Cold start: `assistant search` in a new process, the ONNX embedder beside the torch one, in one run.

    .venv/bin/python bench/cold_start.py [--runs 5] [--out bench/results/cold_start.json]

Each run starts a fresh `python -m assistant.cli search QUERY --json` on the default index (built first if empty),
alternating the backends so machine noise falls on both alike; `--help` is timed too (the floor of any command).
Medians, and the ONNX/torch ratio, are printed as a table and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "How many question-answer pairs does MedReason contain?"


def _timed(args: list[str], backend: str | None) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if backend:
        env["ASSISTANT_EMBEDDING_BACKEND"] = backend
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} ({backend}) failed: {done.stderr[-500:]}")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cold_start.json")
    args = parser.parse_args(argv)
    _timed(["search", QUERY, "--json"], "torch")  # builds the index if it is empty; not counted
    seconds: dict[str, list[float]] = {"help": [], "search (torch)": [], "search (onnx)": []}
    for _ in range(args.runs):
        seconds["help"].append(_timed(["--help"], None))
        seconds["search (torch)"].append(_timed(["search", QUERY, "--json"], "torch"))
        seconds["search (onnx)"].append(_timed(["search", QUERY, "--json"], "onnx"))
    medians = {name: round(statistics.median(values), 2) for name, values in seconds.items()}
    result = {"runs": args.runs, "median_s": medians, "all_s": seconds,
              "onnx_over_torch": round(medians["search (onnx)"] / medians["search (torch)"], 3),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print("| command (new process) | median s | ratio to torch search |")
    print("|---|---|---|")
    for name, value in medians.items():
        print(f"| {name} | {value:.2f} | {value / medians['search (torch)']:.2f} |")
    print(f"{args.runs} runs each; written {args.out}")


if __name__ == "__main__":
    main()
