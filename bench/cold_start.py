"""Cold start: `assistant search` and `assistant ask` in a new process, side by side in one run.

    .venv/bin/python bench/cold_start.py [--runs 5] [--out bench/results/cold_start.json]

Each run starts fresh `python -m assistant.cli` processes on the default index (built first if empty), in turn
so machine noise falls on all alike: `--help` (the floor of any command), `search QUERY --json` with the torch
and the ONNX embedder, and `ask QUESTION --json` with the ONNX embedder, with the writer gate (the default) and
with every answer written (`ASSISTANT_WRITER_GATE=false`), with the writer gate but without the kept sentence
vectors (`ASSISTANT_KEEP_SENTENCE_VECTORS=false`: every candidate sentence embedded, as for papers no earlier
`ask` read before indexing kept them), and on a second index built by this run with no question asked of it
(its sentence vectors are only those indexing kept: the first question about newly indexed papers). For `ask`,
the generation seconds the answer reports are subtracted too ("minus generation"), the figure the issue's goal is
stated in. Medians, and the ratio to the torch search, are printed as a table and written as JSON. Since
session 24 the ONNX rows read int8 vectors where the index holds them (a new index does; the default
`ASSISTANT_EMBEDDING_PRECISION=auto`), and the torch row the float collection beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "How many question-answer pairs does MedReason contain?"


COMMANDS = {  # name: (arguments, environment)
    "help": (["--help"], {}),
    "search (torch)": (["search", QUERY, "--json"], {"ASSISTANT_EMBEDDING_BACKEND": "torch"}),
    "search (onnx)": (["search", QUERY, "--json"], {"ASSISTANT_EMBEDDING_BACKEND": "onnx"}),
    "ask (onnx, writer gate)": (["ask", QUERY, "--json"], {"ASSISTANT_EMBEDDING_BACKEND": "onnx"}),
    "ask (onnx, writer gate, sentence vectors not kept)": (["ask", QUERY, "--json"],
                                                           {"ASSISTANT_EMBEDDING_BACKEND": "onnx",
                                                            "ASSISTANT_KEEP_SENTENCE_VECTORS": "false"}),
    "ask (onnx, always written)": (["ask", QUERY, "--json"], {"ASSISTANT_EMBEDDING_BACKEND": "onnx",
                                                              "ASSISTANT_WRITER_GATE": "false"}),
}
NEVER_ASKED = "ask (onnx, writer gate, index never asked)"  # runs on its own index, built by a search
COMMANDS[NEVER_ASKED] = (["ask", QUERY, "--json"], {"ASSISTANT_EMBEDDING_BACKEND": "onnx"})


def _timed(args: list[str], extra_env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds of the whole process, generation seconds the answer reports)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **extra_env}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} ({extra_env}) failed: {done.stderr[-500:]}")
    generation = json.loads(done.stdout).get("timings", {}).get("generation", 0.0) if args[0] == "ask" else 0.0
    return seconds, generation


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cold_start.json")
    args = parser.parse_args(argv)
    _timed(["ask", QUERY, "--json"], {})  # builds the index, its saved BM25, term weights and the candidate
    # sentences' kept vectors if needed; not counted (the "not kept" row shows an ask whose papers are new)
    seconds: dict[str, list[float]] = {name: [] for name in COMMANDS}
    without_generation: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="ra-cold-start-") as never_asked:  # removed even when a run fails
        _timed(["search", QUERY, "--json"], {"ASSISTANT_INDEX_DIR": never_asked})  # its first build; not counted
        for _ in range(args.runs):
            for name, (command, env) in COMMANDS.items():
                if name == NEVER_ASKED:
                    env = {**env, "ASSISTANT_INDEX_DIR": never_asked}
                wall, generation = _timed(command, env)
                seconds[name].append(wall)
                without_generation[name].append(wall - generation)
    medians = {name: round(statistics.median(values), 2) for name, values in seconds.items()}
    minus = {name: round(statistics.median(values), 2) for name, values in without_generation.items()}
    result = {"runs": args.runs, "median_s": medians, "median_minus_generation_s": minus, "all_s": seconds,
              "onnx_over_torch": round(medians["search (onnx)"] / medians["search (torch)"], 3),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "load_average": os.getloadavg()[0]}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print("| command (new process) | median s | minus generation | ratio to torch search |")
    print("|---|---|---|---|")
    for name, value in medians.items():
        print(f"| {name} | {value:.2f} | {minus[name]:.2f} | {value / medians['search (torch)']:.2f} |")
    print(f"{args.runs} runs each; written {args.out}")


if __name__ == "__main__":
    main()
