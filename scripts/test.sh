#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-llm
mkdir -p test-output
.venv/bin/python -m pytest "$@"
