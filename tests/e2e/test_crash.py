"""A SIGKILL of `bronwijzer serve` in the middle of an upload's ingest job, and the restart.

The real command in its own process, a real upload over HTTP, a real kill: the job's child
process must end with the server, and after the restart nothing is left of the upload (no job
folder, no file in uploads/, no document), while what was indexed before stays and can be deleted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from rag.settings import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ADMIN = "beheer-sleutel-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {ADMIN}"}
NOTE = "# Notitie\n\nDe gemeente Zuiderhaven investeert in 2025 twaalf miljoen euro in leesbevordering.\n"


class Serve:
    """`bronwijzer serve` on a free port with an admin key, in its own process."""

    def __init__(self, home: Path, models_dir: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "BRONWIJZER_HOME": str(home), "BRONWIJZER_MODEL_CACHE": str(models_dir),
            "BRONWIJZER_ADMIN_KEYS": ADMIN, "BRONWIJZER_PORT": str(self.port),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Serve":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"], cwd=REPO_ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, "bronwijzer serve exited"
            assert time.monotonic() < deadline, "bronwijzer serve did not start"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def upload(serve: Serve, name: str, data: bytes) -> dict:
    response = httpx.post(f"{serve.url}/api/documents", files={"file": (name, data)}, headers=HEADERS, timeout=60)
    assert response.status_code == 202, response.text
    return response.json()


def job(serve: Serve, job_id: str) -> dict:
    return httpx.get(f"{serve.url}/api/jobs/{job_id}", headers=HEADERS, timeout=30).json()


def until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return result


def test_sigkill_during_an_ingest_job_leaves_no_orphan(tmp_path, models_dir):
    home = tmp_path / "home"
    serve = Serve(home, models_dir).start()
    try:
        kept = upload(serve, "notitie.md", NOTE.encode())
        until(lambda: job(serve, kept["id"])["state"] == "succeeded", 180, "the first upload")
        big = (REPO_ROOT / "corpus" / "staat-van-het-onderwijs-2024.txt").read_bytes()
        running = upload(serve, "groot rapport.txt", big)
        until(lambda: job(serve, running["id"])["stage"] == "embedden", 180, "the big upload to be embedded")
        # While the job works, questions and other reads are answered as usual.
        started = time.perf_counter()
        asked = httpx.post(f"{serve.url}/api/ask", json={"question": "Hoeveel investeert Zuiderhaven in leesbevordering?"}, headers=HEADERS, timeout=60)
        assert asked.status_code == 200 and "twaalf miljoen" in asked.json()["answer"]
        assert time.perf_counter() - started < 10
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
