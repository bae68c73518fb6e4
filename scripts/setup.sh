#!/usr/bin/env bash
# Installs Bronwijzer and everything it needs into .venv (idempotent; safe to run again).
#   bash scripts/setup.sh              the product (and its test tools)
#   bash scripts/setup.sh --test-llm   also llama.cpp's server + Gemma 3 270M for the LLM tests
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first, pinned to the local CPU build: any other torch pulls GBs of CUDA packages.
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet "torch==2.13.0"
fi
extras="dev"
if [ "${1:-}" = "--test-llm" ]; then
    extras="dev,llm-server"
    # Portable build of llama.cpp (no -march=native), so the wheel runs on any x86-64 machine.
    export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
    echo "Installing llama-cpp-python (compiles from source the first time, 10-20 minutes)..."
fi
.venv/bin/python -m pip install --quiet -e ".[$extras]"
echo "Bronwijzer is geïnstalleerd in .venv (activeer met: source .venv/bin/activate)."
