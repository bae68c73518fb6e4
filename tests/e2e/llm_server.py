"""A real OpenAI-compatible LLM server for tests and benchmarks: llama.cpp through xllamacpp.

`XllamacppServer` runs `python -m app.local_llm serve` (the same command users run) in a
process of its own on a free loopback port, and is ready when its `/health` answers 200.
The models come from PyPI (`bronwijzer[local-models]`), joined once into the model cache by
`app.local_llm.model_path`; nothing is downloaded at run time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from rag.settings import REPO_ROOT

MODEL_ALIAS = "bronwijzer-test-model"
API_KEY = "bronwijzer-test-key"
#: Context for prompt (rules + a few passages) plus the answer.
N_CTX = 4096
#: Seconds between two looks at `/health` while the model loads.
POLL_INTERVAL = 0.25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class XllamacppServer:
    """`python -m app.local_llm serve` on a free loopback port; its output goes to `log_path`."""

    def __init__(self, model_path: Path, log_path: Path, *, threads: int = 2) -> None:
        self.model_path = model_path
        self.log_path = log_path
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 300.0) -> None:
        """Start the server and wait until `/health` says it is ready; raise with its log if it does not."""
        command = [
            sys.executable, "-m", "app.local_llm", "serve",
            "--model", str(self.model_path),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--context", str(N_CTX),
            "--threads", str(self.threads),
            "--alias", MODEL_ALIAS,
            "--api-key", API_KEY,
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO_ROOT, env=os.environ.copy()
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._ready():
                return
            try:  # wakes at once when the process dies; otherwise look at /health again
                self.process.wait(timeout=POLL_INTERVAL)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"LLM server exited with code {self.process.returncode}:\n{self.log_tail()}")
        self.stop()
        raise RuntimeError(f"LLM server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    @contextmanager
    def busy(self) -> Iterator[threading.Event]:
        """The server's one slot (`serve` runs `n_parallel = 1`) taken by a long answer that has begun:
        a request made inside waits its turn, so it is slower than any short timeout on any machine.
        Ready once the long answer's first token has arrived. Its stream is read on (by a thread)
        so that the server never waits on a full socket; the event it yields is set if the long
        answer ends inside, when the slot was no longer held. Leaving closes it, which stops the
        server writing it."""
        body = {
            "model": MODEL_ALIAS, "stream": True, "max_tokens": 4096, "ignore_eos": True, "temperature": 0.0,
            "messages": [{"role": "user", "content": "Schrijf een lang verhaal."}],
        }
        headers = {"Authorization": f"Bearer {API_KEY}"}
        ended = threading.Event()
        leaving = threading.Event()
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=120) as http:
            with http.stream("POST", "/chat/completions", json=body) as response:
                response.raise_for_status()
                lines = response.iter_lines()
                for line in lines:
                    if line.startswith("data: ") and '"content"' in line:
                        break
                else:
                    raise RuntimeError(f"the long answer ended before its first token:\n{self.log_tail()}")

                def read_on() -> None:
                    try:
                        for line in lines:
                            if line.strip() == "data: [DONE]":
                                break
                    except httpx.HTTPError:  # closed by leaving
                        pass
                    if not leaving.is_set():
                        ended.set()

                reader = threading.Thread(target=read_on, name="busy-slot-reader", daemon=True)
                reader.start()
                try:
                    yield ended
                finally:
                    leaving.set()
        reader.join(timeout=10)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no server log)"
        return f"--- last {lines} lines of {self.log_path} ---\n" + "\n".join(text.splitlines()[-lines:])
