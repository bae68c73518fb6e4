#!/usr/bin/env bash
# Installs what is missing (Python packages, the LLM test server, Chromium), then runs the
# whole test suite (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-llm
bash scripts/install_browser.sh
mkdir -p test-output
.venv/bin/python -m pytest "$@"
