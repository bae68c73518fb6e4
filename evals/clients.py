"""The two ways an evaluation reaches Bronwijzer, normalised to one result type.

`EngineClient` calls an engine in this process (`ask(question, history, filters, k)`);
`HttpClient` calls a running server through the REST contract (`POST {url}/api/ask`).
Both return an `EvalAnswer` with the wall-clock latency of the request as the client saw it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from httpx_retries import Retry, RetryTransport

from rag.errors import BronwijzerError
from rag.types import Answer, Passage, Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalPassage:
    """A passage as both clients can see it: text and where it comes from, no offsets."""

    document: str
    title: str
    text: str
    score: float
    section: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class EvalCitation:
    marker: int
    passage: EvalPassage


@dataclass(frozen=True)
class EvalAnswer:
    """One answer, normalised; `passages` in rank order, `latency_ms` measured by the client."""

    text: str
    refused: bool
    mode: str
    citations: tuple[EvalCitation, ...]
    passages: tuple[EvalPassage, ...]
    latency_ms: float
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: Answered with a caution (the answer says it may not be what was asked).
    uncertain: bool = False


class EvalClientError(BronwijzerError):
    """Bronwijzer could not be asked (server down, bad response)."""

    status = 502


class Client(Protocol):
    """Asks Bronwijzer one question; `description` names the system in the report."""

    @property
    def description(self) -> str: ...

    def ask(self, question: str, history: Sequence[Turn], k: int) -> EvalAnswer: ...


class Engine(Protocol):
    def ask(self, question: str, history: Sequence[Turn] | None = None, filters: Any = None, k: int | None = None) -> Answer: ...


def _passage_of(passage: Passage) -> EvalPassage:
    chunk = passage.chunk
    return EvalPassage(chunk.document_id, chunk.title, chunk.text, float(passage.score), chunk.section, chunk.page)


def normalise_answer(answer: Answer, latency_ms: float) -> EvalAnswer:
    """An in-process `rag.types.Answer` as an EvalAnswer."""
    return EvalAnswer(
        text=answer.text,
        refused=answer.refused,
        mode=answer.mode,
        citations=tuple(EvalCitation(c.marker, _passage_of(c.passage)) for c in answer.citations),
        passages=tuple(_passage_of(p) for p in sorted(answer.passages, key=lambda p: p.rank)),
        latency_ms=latency_ms,
        timings_ms=dict(answer.timings_ms),
        uncertain=answer.uncertain,
    )


class EngineClient:
    """Asks an engine object in this process."""

    def __init__(self, engine: Engine, description: str = "in-process engine") -> None:
        self._engine = engine
        self._description = description

    @property
    def description(self) -> str:
        return self._description

    def ask(self, question: str, history: Sequence[Turn], k: int) -> EvalAnswer:
        started = time.perf_counter()
        answer = self._engine.ask(question, history=list(history) or None, k=k)
        return normalise_answer(answer, (time.perf_counter() - started) * 1000)


# Worth another try: the server or a proxy in front of it is (re)starting, overloaded, or asks the
# client to slow down (429, with `Retry-After`).
_RETRY_STATUSES = (429, 502, 503, 504)
#: The longest single wait a server's `Retry-After` gets (a rate limit per hour can ask for far more).
MAX_WAIT_S = 120.0


class _Attempts(httpx.BaseTransport):
    """Under the retrying transport: times each attempt (the answer's latency is the last one's,
    not the waits before it) and tells the operator when the server asks to slow down."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self._transport.handle_request(request)
        response.extensions["attempt_ms"] = (time.perf_counter() - started) * 1000
        if response.status_code == 429:
            log.warning(
                "Rate-limited by %s: the server asks to wait %s s (Retry-After) before the next question. A larger "
                "BRONWIJZER_RATE_LIMIT_QUESTIONS on the server makes evaluations faster.",
                request.url.host, response.headers.get("Retry-After", "?"),
            )
        return response

    def close(self) -> None:
        self._transport.close()


class HttpClient:
    """Asks a running Bronwijzer server: `POST {url}/api/ask`, with timeouts and retries.

    Retries (httpx-retries) cover a server that is unreachable, (re)starting or overloaded, with
    exponential backoff from `backoff` seconds, and a rate limit: a 429 waits as long as its
    `Retry-After` says, up to `max_wait` seconds a time, so an evaluation outlasts the server's
    limit of questions per minute instead of failing on it."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 120.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_wait: float = MAX_WAIT_S,
        transport: httpx.BaseTransport | None = None,
        api_key: str | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {url!r}")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        self.url = url.rstrip("/")
        retry = Retry(
            total=retries,
            backoff_factor=backoff,
            backoff_jitter=0.0,
            max_backoff_wait=max_wait,
            respect_retry_after_header=True,
            allowed_methods=["POST"],  # asking is safe to repeat: it changes nothing on the server
            status_forcelist=_RETRY_STATUSES,
            retry_on_exceptions=[httpx.TransportError],
        )
        retrying = RetryTransport(transport=_Attempts(transport or httpx.HTTPTransport()), retry=retry)
        # A server with BRONWIJZER_API_KEYS wants a reading key, sent as OpenAI clients do.
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), transport=retrying, headers=headers)

    @property
    def description(self) -> str:
        return self.url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ask(self, question: str, history: Sequence[Turn], k: int) -> EvalAnswer:
        body = {
            "question": question,
            "history": [{"role": t.role, "content": t.content} for t in history],
            "top_k": k,
        }
        endpoint = f"{self.url}/api/ask"
        try:
            response = self._http.post(endpoint, json=body)
        except httpx.TransportError as exc:
            raise EvalClientError(
                f"Bronwijzer op {self.url} is niet bereikbaar ({type(exc).__name__}: {exc}). "
                "Draait de server, en klopt --url?"
            ) from exc
        if response.status_code == 429:
            raise EvalClientError(
                f"{endpoint} blijft te veel verzoeken melden (HTTP 429, Retry-After "
                f"{response.headers.get('Retry-After', '?')} s). Verhoog BRONWIJZER_RATE_LIMIT_QUESTIONS "
                f"op de server voor deze meting: {response.text[:300]}"
            )
        if response.status_code != 200:
            raise EvalClientError(f"{endpoint} antwoordde met HTTP {response.status_code}: {response.text[:300]}")
        return parse_response(response, float(response.extensions["attempt_ms"]))


def _passage_from_json(item: dict) -> EvalPassage:
    return EvalPassage(
        document=str(item["document"]),
        title=str(item.get("title") or ""),
        text=str(item["text"]),
        score=float(item.get("score") or 0.0),
        section=item.get("section"),
        page=item.get("page"),
    )


def parse_response(response: httpx.Response, latency_ms: float) -> EvalAnswer:
    """The REST contract's answer JSON as an EvalAnswer; EvalClientError when it does not fit."""
    try:
        data = response.json()
        return EvalAnswer(
            text=str(data["answer"]),
            refused=bool(data["refused"]),
            mode=str(data.get("mode") or "unknown"),
            citations=tuple(EvalCitation(int(c["marker"]), _passage_from_json(c)) for c in data.get("citations") or ()),
            passages=tuple(_passage_from_json(p) for p in data.get("passages") or ()),
            latency_ms=latency_ms,
            timings_ms={str(k): float(v) for k, v in (data.get("timings_ms") or {}).items()},
            uncertain=bool(data.get("uncertain", False)),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EvalClientError(
            f"Het antwoord van {response.request.url} past niet bij het REST-contract "
            f"({type(exc).__name__}: {exc}): {response.text[:300]}"
        ) from exc
