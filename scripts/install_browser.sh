#!/usr/bin/env bash
# Installs Debian's headless Chromium for the browser tests (tests/e2e/test_chat_browser.py).
# Idempotent: does nothing when /usr/bin/chromium is already there. Playwright drives this
# browser directly; `playwright install` would download its own build, which cannot work here.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "Chromium is er al: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core
/usr/bin/chromium --version
