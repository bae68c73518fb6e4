#!/usr/bin/env bash
# From a fresh clone: install, build the bundled model, index corpus/, show one answer, and
# leave Bronwijzer running at http://$BRONWIJZER_HOST:$BRONWIJZER_PORT (default 127.0.0.1:8000;
# chat at /, REST docs at /docs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/bronwijzer ingest
.venv/bin/bronwijzer documents list
.venv/bin/bronwijzer ask "Hoe houden de Schotse en Zweedse inspecties toezicht op burgerschap?"
# serve prints the address it listens on (BRONWIJZER_HOST / BRONWIJZER_PORT, .env, or 127.0.0.1:8000).
echo "Bronwijzer start (chat op /, API-documentatie op /docs). Stoppen: Ctrl+C."
exec .venv/bin/bronwijzer serve
