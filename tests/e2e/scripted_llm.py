"""A tiny OpenAI-compatible chat server on loopback that replays a scripted model output.

Why a stand-in next to the real xllamacpp server: a test must plant an unsupported sentence
(a number that is in no passage) at a known place, every time, to prove that no door ever
sends it. A real model writes what it writes. This server reads the prompt Bronwijzer sends,
copies a sentence of source [1] (supported), then writes `PLANTED_SENTENCE` (not supported),
streamed word by word in OpenAI's `chat.completion.chunk` format. With `stall` set it accepts
requests and says nothing until released: a server that hangs.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rag.text.sentences import split_sentences

#: In no corpus document: a sentence with it is never supported by any passage.
PLANTED_NUMBER = "4.750"
PLANTED_SENTENCE = f"Daarvoor is jaarlijks {PLANTED_NUMBER} euro per school beschikbaar [1]."
_SOURCE_1 = re.compile(r"<<<BRON 1>>>\n(?:\([^\n]*\)\n)?(.*?)\n<<<EINDE BRON 1>>>", re.DOTALL)


def scripted_reply(messages: list[dict]) -> str:
    """A supported sentence copied from source [1], then the planted one."""
    prompt = str(messages[-1].get("content", ""))
    found = _SOURCE_1.search(prompt)
    if found is None:  # not an answer request (e.g. condensing a follow-up): echo the question
        return prompt.rsplit("Vervolgvraag:", 1)[-1].split("\n")[0].strip() or "?"
    prose = [s.text.lstrip("•·-* ") for s in split_sentences(found.group(1)) if s.kind != "heading" and len(s.text.split()) >= 5]
    first = prose[0] if prose else found.group(1).strip().splitlines()[0]
    return f"{first.rstrip('.')} [1]. {PLANTED_SENTENCE}"


class ScriptedLLM:
    """`/v1/chat/completions` (streaming and not) on a free loopback port; `requests` records the bodies."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.replies: list[str] = []
        self.stall = threading.Event()  # set: hold every request until `release` is set
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-llm", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "ScriptedLLM":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    @contextmanager
    def stalled(self) -> Iterator[None]:
        """Requests made inside the block get no answer until it ends."""
        self.release.clear()
        self.stall.set()
        try:
            yield
        finally:
            self.stall.clear()
            self.release.set()


def _handler(llm: ScriptedLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            llm.requests.append(body)
            if llm.stall.is_set():
                llm.release.wait()
                return
            reply = scripted_reply(body["messages"])
            llm.replies.append(reply)
            ids = {"id": f"chatcmpl-scripted-{len(llm.requests)}", "created": int(time.time()), "model": body.get("model", "scripted")}
            if not body.get("stream"):
                payload = json.dumps({
                    **ids, "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()

            def send(delta: dict, finish: str | None = None) -> None:
                chunk = {**ids, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

            try:
                send({"role": "assistant", "content": ""})
                for word in re.findall(r"\S+\s*", reply):
                    send({"content": word})
                send({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: fine
                pass
            self.close_connection = True

    return Handler
