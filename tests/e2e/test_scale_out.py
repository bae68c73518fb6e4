"""Two `bronwijzer serve` processes against one `chroma run` on loopback, as behind a load balancer.

Each app process has its own data directory (as on separate machines) and shares only the
Chroma server. They must give the same answers, and a document uploaded through one must be
searchable through the other, keyword index included, within the stated time: the sync
interval plus the time to build the keyword index (README, "Deployment").
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from rag.settings import REPO_ROOT
from tests.e2e.servers import HEADERS, Serve, chroma_server, job, until, upload  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SYNC_SECONDS = 1.0
#: What the test holds the other process to: the sync interval plus a generous keyword rebuild.
VISIBLE_WITHIN = 10.0

DOCUMENTS = {
    "tekort.txt": "Lerarentekort\n\nIn het primair onderwijs is het lerarentekort opgelopen tot 9.800 fte. "
    "Vooral scholen in de grote steden hebben moeite met het vervullen van vacatures.\n",
    "veiligheid.txt": "Sociale veiligheid\n\nScholen moeten de sociale veiligheid van leerlingen jaarlijks monitoren. "
    "De inspectie controleert of scholen een veiligheidsplan hebben.\n",
}
QUESTIONS = ["Tot hoeveel fte is het lerarentekort opgelopen?", "Wat moeten scholen jaarlijks monitoren?"]
# A word no other document uses: only the keyword index knows it, and a question naming it is
# refused while no indexed document contains it.
NEW_NAME = "kwartelplan.md"
NEW_TEXT = "# Het Kwartelplan\n\nMet het Kwartelplan krijgt elke basisschool in 2026 een leesconsulent voor twee dagen per week.\n"
NEW_QUESTION = "Wat regelt het Kwartelplan voor basisscholen?"


def ask(serve: Serve, question: str) -> dict:
    response = httpx.post(f"{serve.url}/api/ask", json={"question": question}, headers=HEADERS, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def comparable(answer: dict) -> dict:
    """What must be equal across processes (timings differ)."""
    return {key: value for key, value in answer.items() if key != "timings_ms"}


def test_two_app_processes_against_one_chroma_server(chroma_server, tmp_path, models_dir):
    shared = {"BRONWIJZER_CHROMA_URL": chroma_server, "BRONWIJZER_INDEX_SYNC_SECONDS": str(SYNC_SECONDS)}
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCUMENTS.items():
        (docs / name).write_text(text, encoding="utf-8")
    # The corpus goes in through the CLI of a third process, as an operator would do it.
    env = os.environ | {"BRONWIJZER_HOME": str(tmp_path / "operator"), "BRONWIJZER_MODEL_CACHE": str(models_dir), **shared}
    subprocess.run([sys.executable, "-m", "app.cli", "ingest", str(docs)], env=env, cwd=REPO_ROOT, check=True, timeout=600)

    first = Serve(tmp_path / "app-1", models_dir, **shared).start()
    second = Serve(tmp_path / "app-2", models_dir, **shared).start()
    try:
        first.wait_ready()
        second.wait_ready()
        for question in QUESTIONS:
            assert comparable(ask(first, question)) == comparable(ask(second, question))
        assert ask(second, NEW_QUESTION)["refused"]

        uploaded = upload(first, NEW_NAME, NEW_TEXT.encode())
        until(lambda: job(first, uploaded["id"])["state"] in ("succeeded", "failed"), 300, "the upload")
        assert job(first, uploaded["id"])["state"] == "succeeded"
        # The process that wrote it answers from it at once ...
        written = time.monotonic()
        here = ask(first, NEW_QUESTION)
        assert not here["refused"] and here["citations"][0]["document"] == NEW_NAME
        # ... the other one within the stated time, its keyword index included (else: refused).
        there = until(lambda: (a := ask(second, NEW_QUESTION)) and not a["refused"] and a, VISIBLE_WITHIN + 5, "the other process")
        seen_after = time.monotonic() - written
        print(f"\nan upload through one process was answerable through the other after {seen_after:.2f} s")
        assert seen_after <= VISIBLE_WITHIN
        assert comparable(there) == comparable(here)
        listed = httpx.get(f"{second.url}/api/documents", headers=HEADERS, timeout=30).json()["documents"]
        assert NEW_NAME in {d["id"] for d in listed}

        # A removal through the second process reaches the first the same way.
        removed = httpx.delete(f"{second.url}/api/documents/{NEW_NAME}", headers=HEADERS, timeout=60)
        assert removed.status_code == 200, removed.text
        until(lambda: ask(first, NEW_QUESTION)["refused"], VISIBLE_WITHIN, "the removal to reach the first process")
    finally:
        first.stop()
        second.stop()
