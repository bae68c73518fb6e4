"""Real server processes for end-to-end tests: `bronwijzer serve` and `chroma run` on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from rag.settings import REPO_ROOT

ADMIN = "beheer-sleutel-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {ADMIN}"}
NOTE = "# Notitie\n\nDe gemeente Zuiderhaven investeert in 2025 twaalf miljoen euro in leesbevordering.\n"


class Serve:
    """`bronwijzer serve` on a free port with an admin key, in its own process."""

    def __init__(self, home: Path, models_dir: Path, **env: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "BRONWIJZER_HOME": str(home), "BRONWIJZER_MODEL_CACHE": str(models_dir),
            "BRONWIJZER_ADMIN_KEYS": ADMIN, "BRONWIJZER_PORT": str(self.port), **env,
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

    def wait_ready(self, timeout: float = 120) -> "Serve":
        until(lambda: httpx.get(f"{self.url}/readyz", timeout=10).status_code == 200, timeout, f"{self.url}/readyz")
        return self

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_executable() -> str:
    beside_python = Path(sys.executable).parent / "chroma"
    found = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    assert found, "the `chroma` command (from the chromadb package) is not installed"
    return found


@contextmanager
def running_chroma(directory: Path, timeout: float = 60) -> Iterator[str]:
    """A `chroma run` process on a free loopback port with its data in `directory`; yields its URL
    once its heartbeat answers (polled, never a fixed wait), stops it afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = directory / "chroma.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [_chroma_executable(), "run", "--path", str(directory / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"chroma server did not start: {log_path.read_text()[-2000:]}")
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A `chroma run` process on a free loopback port; yields its URL."""
    with running_chroma(tmp_path) as url:
        yield url
