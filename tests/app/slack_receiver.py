"""Stand-ins for what cannot run here: Slack's side of the webhook, and a server thread.

`SlackReceiver` is a real HTTP server on loopback that plays Slack: it accepts what the app
posts to a slash command's `response_url` and answers the Web API methods the app calls
(`chat.postMessage`, `conversations.replies`, `auth.test`), recording every request.
`serve_app` runs an ASGI app with uvicorn on a free loopback port in a thread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import uvicorn


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def params(self) -> dict[str, str]:
        """Arguments of a Web API call, however they were sent (query, form or JSON)."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return {**self.query, **self.json}
        form = {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return {**self.query, **form}


@dataclass
class SlackReceiver:
    """Slack's side on loopback. `threads[thread_ts]` are the messages `conversations.replies` returns."""

    bot_user_id: str = "UBOT"
    threads: dict[str, list[dict]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    def start(self) -> "SlackReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, request: Received) -> None:
        with self._lock:
            self.requests.append(request)

    def received(self, where: Callable[[Received], bool]) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if where(r)]

    def responses_at(self, name: str) -> list[Received]:
        return self.received(lambda r: r.path == f"/response/{name}")

    def posts_to(self, channel: str) -> list[Received]:
        return self.received(lambda r: r.path == "/api/chat.postMessage" and r.params.get("channel") == channel)

    def wait(self, get: Callable[[], list[Received]], count: int = 1, timeout: float = 60.0) -> list[Received]:
        """Poll until `get()` returns at least `count` requests; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = get()
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} request(s) at the receiver within {timeout} s, got {len(get())}")

    def answer(self, request: Received) -> tuple[int, str, bytes]:
        if request.path.startswith("/response/"):
            return 200, "text/plain", b"ok"
        method = request.path.removeprefix("/api/")
        if method == "chat.postMessage":
            body = {"ok": True, "channel": request.params.get("channel"), "ts": f"{time.time():.6f}"}
        elif method == "conversations.replies":
            messages = self.threads.get(request.params.get("ts", ""), [])
            body = {"ok": True, "messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}
        elif method == "auth.test":
            body = {"ok": True, "user_id": self.bot_user_id}
        else:
            body = {"ok": False, "error": "unknown_method"}
        return 200, "application/json", json.dumps(body).encode()


def _handler(receiver: SlackReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = Received(
                method=self.command,
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            receiver.record(request)
            status, content_type, payload = receiver.answer(request)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args) -> None:  # keep test output clean
            pass

    return Handler


@contextmanager
def serve_app(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
