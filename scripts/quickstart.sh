#!/usr/bin/env bash
# From a fresh clone: install, build the bundled model, index corpus/, and ask a question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/bronwijzer ingest
.venv/bin/bronwijzer documents list
.venv/bin/bronwijzer search -k 3 "Hoeveel meer rijksbijdrage kregen schoolbesturen in 2022 dan ze zelf hadden begroot?"
