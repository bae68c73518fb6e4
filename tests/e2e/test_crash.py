"""A SIGKILL of `bronwijzer serve` in the middle of an upload's ingest job, and the restart.

The real command in its own process, a real upload over HTTP, a real kill: the job's child
process must end with the server, and after the restart nothing is left of the upload (no job
folder, no file in uploads/, no document), while what was indexed before stays and can be deleted.
"""

from __future__ import annotations

import os
import signal

import httpx
import psutil
import pytest

from rag.settings import REPO_ROOT
from tests.e2e.servers import HEADERS, NOTE, Serve, job, until, upload

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_sigkill_during_an_ingest_job_leaves_no_orphan(tmp_path, models_dir):
    home = tmp_path / "home"
    serve = Serve(home, models_dir).start()
    try:
        kept = upload(serve, "notitie.md", NOTE.encode())
        until(lambda: job(serve, kept["id"])["state"] == "succeeded", 180, "the first upload")
        big = (REPO_ROOT / "corpus" / "staat-van-het-onderwijs-2024.txt").read_bytes()
        running = upload(serve, "groot rapport.txt", big)
        until(lambda: job(serve, running["id"])["stage"] == "embedden", 180, "the big upload to be embedded")
        # While the job works, questions and other reads are answered as usual: the job is still
        # running when the answer is back (how fast it comes is benchmarks/load.py's business).
        asked = httpx.post(f"{serve.url}/api/ask", json={"question": "Hoeveel investeert Zuiderhaven in leesbevordering?"}, headers=HEADERS, timeout=60)
        assert asked.status_code == 200 and "twaalf miljoen" in asked.json()["answer"]
        assert job(serve, running["id"])["state"] == "running"
        children = psutil.Process(serve.process.pid).children(recursive=True)
        assert children, "the job runs in a child process"
        os.kill(serve.process.pid, signal.SIGKILL)
        serve.process.wait(timeout=30)
        # The child notices that its server is gone and stops by itself.
        gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], [p.pid for p in alive]
        assert any((home / "jobs").iterdir())  # what the crash left, until the next start
    finally:
        serve.stop()

    serve = Serve(home, models_dir).start()
    try:
        assert list((home / "jobs").iterdir()) == []
        assert [p.name for p in (home / "uploads").iterdir()] == ["notitie.md"]
        docs = httpx.get(f"{serve.url}/api/documents", headers=HEADERS, timeout=30).json()["documents"]
        assert [d["id"] for d in docs] == ["notitie.md"]
        assert httpx.get(f"{serve.url}/api/jobs/{running['id']}", headers=HEADERS, timeout=30).status_code == 404
        deleted = httpx.delete(f"{serve.url}/api/documents/notitie.md", headers=HEADERS, timeout=30)
        assert deleted.status_code == 200
        assert list((home / "uploads").iterdir()) == []
    finally:
        serve.stop()
