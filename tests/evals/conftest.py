"""Helpers for the evaluation tests: a scripted engine and small hand-made question sets."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.types import Answer, Chunk, Citation, Passage, Turn


def make_passage(text: str, rank: int, document: str = "doc-a.txt", score: float | None = None) -> Passage:
    chunk = Chunk(document_id=document, index=rank, text=text, start=0, end=len(text), section="1 Inleiding",
                  page=rank, title=f"Titel van {document}")
    return Passage(chunk, score if score is not None else 1.0 - rank / 100, rank)


@dataclass(frozen=True)
class Scripted:
    """What the scripted engine answers to one question."""

    text: str
    passages: tuple[str, ...] = ()
    cited: tuple[int, ...] = ()  # 0-based indices into passages
    refused: bool = False
    document: str = "doc-a.txt"


@dataclass
class ScriptedEngine:
    """Answers from a script (question -> Scripted) and records every call."""

    script: dict[str, Scripted]
    calls: list[tuple[str, list[Turn], int | None]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def ask(self, question, history=None, filters=None, k=None) -> Answer:
        self.calls.append((question, list(history or []), k))
        if question in self.failing:
            raise RuntimeError(f"kapot bij {question!r}")
        s = self.script[question]
        passages = tuple(make_passage(t, i + 1, s.document) for i, t in enumerate(s.passages[: k or 5]))
        citations = tuple(Citation(n + 1, passages[i]) for n, i in enumerate(i for i in s.cited if i < len(passages)))
        return Answer(question, s.text, citations, passages, refused=s.refused, mode="extractive",
                      timings_ms={"retrieve": 1.0})


def write_set(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


# Two quotes of 70 and 42 canonical characters, so partial matches can be computed by hand.
QUOTE_A = "Sinds 1998 beschikken tuinmannen over een keurmerk."
QUOTE_B = "De huidige keurmerk dateert uit 2019."
RECORDS = [
    {"id": "q1", "question": "Sinds wanneer is er een keurmerk?", "answer":
     "Sinds 1998; de huidige keurmerk dateert uit 2019.", "doc": "doc-a.txt",
     "quotes": [QUOTE_A, QUOTE_B], "type": "fact", "difficulty": "easy"},
    {"id": "q2", "question": "Hoeveel subsidies zijn er toegekend?", "answer": "Er zijn 4.700 subsidies toegekend.",
     "doc": "doc-b.txt", "quotes": ["In 2023 zijn 4.700 subsidies voor vijverbeheerders toegekend."],
     "type": "fact", "difficulty": "medium"},
    {"id": "q3", "question": "En waar vooral?", "answer": "Vooral in de kustprovincies.", "doc": "doc-b.txt",
     "quotes": ["Aanvragen komen vooral uit de kustprovincies."], "type": "followup",
     "difficulty": "medium", "context_question": "Hoeveel subsidies zijn er toegekend?"},
    {"id": "q4", "question": "Wat was het aantal reigers in 2023?", "answer": "", "doc": "", "quotes": [],
     "type": "unanswerable", "difficulty": "medium"},
]
OTHER = "Een passage over iets heel anders, zonder enig verband met de vraag die gesteld is."


def good_script() -> dict[str, Scripted]:
    """q1: both quotes at rank 2; q2 at rank 1; q3 refused; q4 correctly refused."""
    return {
        RECORDS[0]["question"]: Scripted(
            "Sinds 1998 [1]; de huidige dateert uit 2019 [1].",
            (OTHER, f"Inleiding. {QUOTE_A} {QUOTE_B} Verder.", OTHER), cited=(1,)),
        RECORDS[1]["question"]: Scripted(
            "Er zijn 4700 subsidies toegekend [1].",
            ("In 2023 zijn 4.700 subsidies voor vijverbeheerders toegekend.", OTHER), cited=(0, 1),
            document="doc-b.txt"),
        RECORDS[2]["question"]: Scripted("Dat staat niet in de documenten die ik ken.", (OTHER,), refused=True,
                                         document="doc-b.txt"),
        RECORDS[3]["question"]: Scripted("Dat staat niet in de documenten die ik ken.", (OTHER,), refused=True),
    }


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    return write_set(tmp_path / "klein.jsonl", RECORDS)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self.server.requests.append((self.path, body))  # type: ignore[attr-defined]
        status, payload = self.server.respond(self.path, body)  # type: ignore[attr-defined]
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(respond: Callable[[str, object], tuple[int, object]]) -> Iterator[tuple[str, list]]:
    """A real HTTP server on loopback: `respond(path, json_body) -> (status, json or bytes)`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.respond = respond  # type: ignore[attr-defined]
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def contract_json(answer: Answer) -> dict:
    """An Answer as the REST contract's JSON (what app/ will send)."""

    def passage(p: Passage) -> dict:
        c = p.chunk
        return {"document": c.document_id, "title": c.title, "section": c.section, "page": c.page,
                "text": c.text, "score": p.score}

    return {
        "answer": answer.text, "refused": answer.refused, "mode": answer.mode,
        "citations": [{"marker": c.marker} | passage(c.passage) for c in answer.citations],
        "passages": [passage(p) for p in answer.passages], "timings_ms": answer.timings_ms,
    }


def engine_server(engine: ScriptedEngine):
    """A loopback server answering `POST /api/ask` from the scripted engine."""

    def respond(path: str, body) -> tuple[int, object]:
        if path != "/api/ask":
            return 404, {"detail": "not found"}
        history = [Turn(h["role"], h["content"]) for h in body["history"]]
        return 200, contract_json(engine.ask(body["question"], history, k=body["top_k"]))

    return serve(respond)
