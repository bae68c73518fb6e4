#!/usr/bin/env bash
# Installs what is missing (Python packages, the LLM test server, Chromium), then runs the
# whole test suite (arguments go to pytest).
#
# Without arguments the suite runs in two pytest processes, tests/rag last: one process held
# the session fixtures of every folder (engines, models, indexes) and grew to 19 GB, where a
# 24 GB machine's OOM killer ended it. Each half stays under about 12 GB. Both halves always
# run; the exit status is the first failing one's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-llm
bash scripts/install_browser.sh
mkdir -p test-output
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
status=0
.venv/bin/python -m pytest tests --ignore=tests/rag || status=$?
.venv/bin/python -m pytest tests/rag || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }
exit "$status"
