#!/usr/bin/env bash
# From a fresh clone: install, build the bundled model, index corpus/, show one answer, and
# leave Bronwijzer running at http://127.0.0.1:8000 (chat at /, REST docs at /docs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/bronwijzer ingest
.venv/bin/bronwijzer documents list
.venv/bin/bronwijzer ask "Hoe houden de Schotse en Zweedse inspecties toezicht op burgerschap?"
echo "Bronwijzer draait op http://127.0.0.1:8000 (chat op /, API-documentatie op /docs). Stoppen: Ctrl+C."
exec .venv/bin/bronwijzer serve
