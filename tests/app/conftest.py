"""The web app, running for real: uvicorn on a free loopback port, over a small real index.

Fixtures for every test of the HTTP edges (REST, `/v1`, Slack, the chat page):

- `live_server` (session): the app from `app.server.create_app` over an index of two corpus
  documents, served until the session ends. Use `live_server.url` ("http://127.0.0.1:PORT",
  no trailing slash) and `live_server.settings` (its `Settings`; `home` is the data dir).
  Tests that add or remove documents must put the index back as they found it.
- `start_live_server` (per test): a function `start_live_server(settings=None, *, components=None)`
  that serves another app (other settings, e.g. an empty home or a Slack secret, or prepared
  components) for the rest of the test, and returns the same kind of `LiveServer`.
- `live_index_home` (session): the data directory holding the small index, for apps of your own.

The server runs in a thread of the test process, so a test can reach into `live_server.app`
(`app.state.bronwijzer.components`) and log records land in `caplog`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from ingest.pipeline import Ingestor
from rag.pipeline import Components, build
from rag.settings import REPO_ROOT, Settings

#: The documents in the live index (small enough to embed in about half a minute).
LIVE_DOCUMENTS = ("actieplan-schooldirecteur-topprioriteit-2020.txt", "kennisagenda-voor-het-onderwijs-2022.txt")


@dataclass(frozen=True)
class LiveServer:
    """A running Bronwijzer app: `url` without trailing slash, its `settings` and the `app` itself."""

    url: str
    settings: Settings
    app: FastAPI

    @property
    def components(self) -> Components:
        return self.app.state.bronwijzer.components


@contextmanager
def serve_in_thread(app: FastAPI, *, startup_timeout: float = 120.0) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port until the block ends; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # ws="none": no websocket library is imported (the app uses none; its imports may warn).
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError("the app failed to start (lifespan error?); see the log above")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"the app did not start within {startup_timeout:.0f} s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def running(settings: Settings | None = None, *, components: Components | None = None) -> Iterator[LiveServer]:
    from app.server import create_app

    app = create_app(settings, components)
    with serve_in_thread(app) as url:
        yield LiveServer(url=url, settings=app.state.bronwijzer.settings, app=app)


@pytest.fixture(scope="session")
def live_index_home(tmp_path_factory: pytest.TempPathFactory, models_dir: Path, embedder) -> Path:
    """A data directory with `LIVE_DOCUMENTS` indexed (built once per session)."""
    home = tmp_path_factory.mktemp("live-home")
    settings = Settings(_env_file=None, home=home, model_cache=models_dir)
    parts = build(settings)
    report = Ingestor(settings, parts.store, embedder).ingest([REPO_ROOT / "corpus" / d for d in LIVE_DOCUMENTS])
    assert report.failed == 0, report.failures
    return home


@pytest.fixture(scope="session")
def live_server(live_index_home: Path, models_dir: Path) -> Iterator[LiveServer]:
    """The app over the small live index, served on loopback for the whole session."""
    settings = Settings(_env_file=None, home=live_index_home, model_cache=models_dir)
    with running(settings) as server:
        yield server


@pytest.fixture
def start_live_server():
    """Start more apps for one test: `start_live_server(settings)` -> LiveServer (stopped after the test)."""
    with ExitStack() as stack:

        def start(settings: Settings | None = None, *, components: Components | None = None) -> LiveServer:
            return stack.enter_context(running(settings, components=components))

        yield start
