"""One FastAPI app: the REST API, an OpenAI-compatible `/v1`, and (when present) Slack and the chat page.

    POST /api/ask                 question -> answer with citations (JSON)
    POST /api/ask/stream          the same answer as server-sent events
    POST /api/search              query -> ranked passages
    GET|POST /api/documents       list the index / upload one file into it
    DELETE /api/documents/{id}    remove a document
    GET /healthz                  documents, chunks, model loaded
    POST /v1/chat/completions     OpenAI chat completions (streaming too); GET /v1/models
    /docs                         OpenAPI documentation

The engine is synchronous and CPU-bound, so every call into it runs in the threadpool and the
event loop stays free for other requests. Errors all go through `app.errors.handle_error`.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import logging
import re
import threading
import unicodedata
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.datastructures import UploadFile

from app.errors import UploadTooLargeError, error_message, install_error_handling
from app.schemas import (
    AskRequest,
    AskResponse,
    ChatCompletionIds,
    ChatCompletionRequest,
    DeleteResponse,
    DocumentsResponse,
    ErrorResponse,
    HealthResponse,
    SearchRequest,
    SearchResponse,
    UploadResponse,
    ask_response,
    chat_chunk,
    chat_completion,
    chat_question,
    document_out,
    error_response,
    models_list,
    search_response,
    sources_text,
    to_filters,
    to_turns,
)
from ingest.loaders import SUPPORTED_SUFFIXES, is_supported
from rag.errors import BronwijzerError, IngestError, UnsupportedFormatError
from rag.pipeline import Components, build
from rag.settings import Settings, get_settings
from rag.types import Answer, AnswerNote, RewrittenQuestion, StreamItem

log = logging.getLogger("bronwijzer.http")

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Room for the multipart framing around the file itself.
_MULTIPART_SLACK = 64 * 1024

_ERRORS = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        404: "Onbekend document of pad.",
        409: "De index is gebouwd met een ander embeddingmodel.",
        413: "Bestand te groot.",
        422: "Ongeldige vraag of aanvraag, of een bestand dat niet te indexeren is.",
        500: "Onverwachte fout.",
        503: "Er is nog niets geïndexeerd, of de opslag is niet bereikbaar.",
    }.items()
}

STREAM_DESCRIPTION = """\
Het antwoord als server-sent events (`text/event-stream`), in deze volgorde:

- `rewritten` — `{"question": "..."}`: alleen bij een vervolgvraag die is herschreven tot een
  zelfstandige vraag; daarop is gezocht;
- `note` — `{"text": "..."}`: een toelichting vóór de tekst die volgt, bijvoorbeeld dat het antwoord
  van het taalmodel niet door de bronnen werd gedekt en het antwoord uit de documenten zelf volgt;
- `delta` — `{"text": "..."}`: één of meer hele zinnen van het antwoord, elk met zijn `[n]`-verwijzing;
- `answer` — het volledige antwoord, hetzelfde JSON als `POST /api/ask`; altijd de laatste
  gebeurtenis bij succes;
- `error` — `{"error": {"message": "..."}}` als het misgaat nadat de stroom begonnen is.

De `delta`-teksten achter elkaar zijn precies `answer.answer`: wat verstuurd is, wordt nooit
teruggenomen. Schrijft een taalmodel het antwoord, dan wordt elke zin eerst aan de geciteerde
bronnen getoetst (verwijzing bestaat, getallen staan erin, genoeg woorden ook) en alleen een gedekte
zin verstuurd. Komt geen enkele zin door, of valt het model weg, dan volgt na een `note` het
extractieve antwoord uit de documenten. Een ongeldige vraag of een lege index geeft vóór de stroom
gewoon een foutstatus (422, 503) met JSON.
"""


class _State:
    """What the routes share: the wired components and a lock that serialises uploads."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self.ingest_lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self.components.settings

    @property
    def engine(self):
        return self.components.engine


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """The Bronwijzer web app for `settings` (or the environment's), wired by `rag.pipeline.build`."""
    if components is None:
        components = build(settings or get_settings())
    state = _State(components)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, components)
        yield

    app = FastAPI(
        title="Bronwijzer",
        version="0.1.0",
        summary="Vragen over Nederlands onderwijsbeleid, beantwoord uit de documenten met bronvermelding.",
        description=(
            "Fouten hebben altijd de vorm `{\"error\": {\"message\": \"...\"}}`, met een Nederlandse "
            "uitleg voor de gebruiker. `/v1` is OpenAI-compatibel: gebruik `bronwijzer` als model."
        ),
        lifespan=lifespan,
        responses={422: _ERRORS[422], 500: _ERRORS[500]},
    )
    app.state.bronwijzer = state
    install_error_handling(app)
    app.include_router(_api_router(state))
    app.include_router(_openai_router(state))
    _include_optional_edges(app, components)
    _answer_unknown_api_paths(app)
    return app


def _warm_up(components: Components) -> None:
    """Load the model and keyword index now, so the first question is not the slow one."""
    try:
        if components.store.documents():
            components.engine.warm_up()
            log.info("Engine warmed up")
        else:
            log.warning("Nothing is indexed yet; questions get 503 until `bronwijzer ingest` has run")
    except BronwijzerError as exc:
        # The server still starts: every request then reports the problem with its own status.
        log.warning("Warm-up failed (%s): %s", type(exc).__name__, exc.message)


def _include_optional_edges(app: FastAPI, components: Components) -> None:
    """The Slack webhook and the chat page, when their modules exist (a broken one fails loudly)."""
    slack = _optional_module("app.slack")
    if slack is not None:
        app.include_router(slack.create_slack_router(components.engine, components.settings))
    chat = _optional_module("app.chat")
    if chat is not None:
        import gradio

        blocks = chat.build_chat_ui(components.engine, components.settings)
        _in_running_loop(lambda: gradio.mount_gradio_app(app, blocks, path="/"))


def _in_running_loop(make):
    """Call `make` inside an event loop: outside one, Gradio opens a loop per lock and leaks it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def call():
            return make()

        return asyncio.run(call())
    return make()


def _answer_unknown_api_paths(app: FastAPI) -> None:
    """404 and 405 in the error shape for /api and /v1, which the chat page at `/` would otherwise answer."""
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    catch_alls: list[APIRoute] = []

    async def unknown(request: Request) -> None:
        real = [r for r in app.router.routes if r not in catch_alls and not isinstance(r, Mount)]
        allowed = [
            method for method in methods
            if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in real)
        ]
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
        raise StarletteHTTPException(404)

    for prefix in ("/api", "/v1"):
        catch_alls.append(APIRoute(f"{prefix}/{{rest:path}}", unknown, methods=methods, include_in_schema=False))
    # After every real route, before the chat page mounted at `/`.
    mount = next((i for i, r in enumerate(app.router.routes) if isinstance(r, Mount)), len(app.router.routes))
    app.router.routes[mount:mount] = catch_alls


def _optional_module(name: str):
    # Absent file: skip quietly. Present but broken: the import error surfaces here.
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


# -- REST ---------------------------------------------------------------------------------


def _api_router(state: _State) -> APIRouter:
    router = APIRouter(responses={404: _ERRORS[404], 409: _ERRORS[409], 503: _ERRORS[503]})

    @router.post("/api/ask", tags=["vragen"], summary="Beantwoord een vraag met bronvermelding")
    async def ask(body: AskRequest) -> AskResponse:
        answer = await run_in_threadpool(
            state.engine.ask, body.question, history=to_turns(body.history), filters=to_filters(body.filters), k=body.top_k
        )
        return ask_response(answer)

    @router.post(
        "/api/ask/stream", tags=["vragen"], summary="Beantwoord een vraag als server-sent events",
        description=STREAM_DESCRIPTION, response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}, "description": "Een stroom van `delta`-, `answer`- en `error`-gebeurtenissen."}},
    )
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        pieces = state.engine.stream(body.question, history=to_turns(body.history), filters=to_filters(body.filters), k=body.top_k)
        first = await _first(pieces)  # a bad question or empty index fails here, as a plain error response
        return _event_stream(_answer_events(pieces, first))

    @router.post("/api/search", tags=["vragen"], summary="Zoek passages bij een vraag")
    async def search(body: SearchRequest) -> SearchResponse:
        passages = await run_in_threadpool(state.engine.search, body.query, k=body.top_k, filters=to_filters(body.filters))
        return search_response(passages)

    @router.get("/api/documents", tags=["documenten"], summary="De geïndexeerde documenten")
    async def list_documents() -> DocumentsResponse:
        docs = await run_in_threadpool(state.components.store.documents)
        return DocumentsResponse(documents=[document_out(d) for d in docs])

    @router.post(
        "/api/documents", tags=["documenten"], summary="Upload en indexeer één document",
        description=(
            f"Multipart-formulier met één bestand in het veld `file` ({', '.join(sorted(SUPPORTED_SUFFIXES))}, "
            "hoogstens 50 MB). Het bestand wordt bewaard in de datamap (`uploads/`) en geïndexeerd; de "
            "bestandsnaam wordt de document-id. Een bestand dat niet te lezen is geeft 422 met de reden, "
            "en de index blijft zoals hij was."
        ),
        responses={413: _ERRORS[413]},
        openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }}}}},
    )
    async def upload_document(request: Request) -> UploadResponse:
        # The form is read by hand so that an oversized upload is refused before it is received.
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_UPLOAD_BYTES + _MULTIPART_SLACK:
            raise _too_large()
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise RequestValidationError([{"type": "missing", "loc": ("body", "file"), "msg": "file missing"}])
            if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
                raise _too_large()
            name = safe_filename(upload.filename or "")
            data = await upload.read()
        if len(data) > MAX_UPLOAD_BYTES:
            raise _too_large()
        return await run_in_threadpool(_ingest_upload, state, name, data)

    @router.delete("/api/documents/{document_id}", tags=["documenten"], summary="Verwijder een document uit de index")
    async def delete_document(document_id: str) -> DeleteResponse:
        removed = await run_in_threadpool(_remove_document, state, document_id)
        return DeleteResponse(deleted=document_out(removed))

    @router.get("/healthz", tags=["beheer"], summary="Stand van de index en het model")
    async def healthz() -> HealthResponse:
        docs = await run_in_threadpool(state.components.store.documents)
        return HealthResponse(
            documents=len(docs),
            chunks=sum(d.chunk_count for d in docs),
            model_loaded=state.components.embedder.loaded,
            mode="llm" if state.settings.llm_base_url else "extractive",
        )

    return router


def _too_large() -> UploadTooLargeError:
    return UploadTooLargeError(f"Het bestand is te groot: uploads mogen hoogstens {MAX_UPLOAD_BYTES // (1024 * 1024)} MB zijn.")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(raw: str) -> str:
    """A file name that is safe to write under `uploads/`: no directories, no hidden files, ASCII."""
    base = re.split(r"[\\/]", raw)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    name = _UNSAFE.sub("-", ascii_name).strip(".-_")[:150]
    stem, dot, suffix = name.rpartition(".")
    if not name or (dot and not stem):
        raise IngestError(raw or "(geen naam)", "de bestandsnaam is leeg of onbruikbaar; geef het bestand een naam.")
    if not is_supported(Path(name)):
        raise UnsupportedFormatError(
            name, f"bestandstype wordt niet ondersteund. Ondersteund: {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    return name


def _uploads_dir(settings: Settings) -> Path:
    return settings.home / "uploads"


def _ingest_upload(state: _State, name: str, data: bytes) -> UploadResponse:
    """Save `data` as `uploads/<name>` and index it; on failure put back what was there."""
    from ingest.pipeline import Ingestor

    parts = state.components
    uploads = _uploads_dir(parts.settings)
    uploads.mkdir(parents=True, exist_ok=True)
    target = uploads / name
    with state.ingest_lock:
        previous = uploads / f".{name}.{uuid.uuid4().hex}.previous" if target.exists() else None
        if previous is not None:
            target.replace(previous)
        staged = uploads / f".{name}.{uuid.uuid4().hex}.part"
        staged.write_bytes(data)
        staged.replace(target)
        ok = False
        try:
            report = Ingestor(parts.settings, parts.store, parts.embedder).ingest([target])
            outcome = report.outcomes[0]
            if outcome.status == "failed":
                reason = (outcome.message or "onbekende reden").replace(str(target), name)
                raise IngestError(name, reason.removeprefix(f"{name}: "))
            record = parts.store.document(outcome.document_id or name)
            ok = True
        finally:
            if ok:
                if previous is not None:
                    previous.unlink(missing_ok=True)
            else:
                target.unlink(missing_ok=True)
                if previous is not None:
                    previous.replace(target)
    verb = "geïndexeerd" if outcome.status == "indexed" else "ongewijzigd (stond al in de index)"
    return UploadResponse(
        status=outcome.status,
        document=document_out(record),
        message=f"{name}: {verb}, {record.chunk_count} passages.",
    )


def _remove_document(state: _State, document_id: str):
    with state.ingest_lock:
        removed = state.components.store.remove_document(document_id)
        # An uploaded copy goes too, so that the upload folder mirrors the index; corpus files stay.
        uploads = _uploads_dir(state.settings).resolve()
        source = Path(removed.source_path).resolve() if removed.source_path else None
        if source is not None and source.parent == uploads:
            source.unlink(missing_ok=True)
    return removed


# -- streaming ----------------------------------------------------------------------------

_END = object()


async def _first(pieces: Iterator[StreamItem]):
    return await run_in_threadpool(next, pieces, _END)


def _sse(event: str | None, data: str) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n"


def _event_stream(events: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        events, media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _close(pieces: Iterator) -> None:
    # Closing the engine's generator closes an LLM request still in flight (client went away).
    close = getattr(pieces, "close", None)
    if close is not None:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(close)


async def _pieces(pieces: Iterator[StreamItem], first) -> AsyncIterator[StreamItem]:
    """The engine's stream, each step in the threadpool, closed however it ends."""
    try:
        item = first
        while item is not _END:
            yield item
            item = await run_in_threadpool(next, pieces, _END)
    finally:
        await _close(pieces)


async def _answer_events(pieces: Iterator[StreamItem], first) -> AsyncIterator[str]:
    try:
        async for item in _pieces(pieces, first):
            if isinstance(item, Answer):
                yield _sse("answer", ask_response(item).model_dump_json())
            elif isinstance(item, RewrittenQuestion):
                yield _sse("rewritten", json.dumps({"question": item.question}, ensure_ascii=False))
            elif isinstance(item, AnswerNote):
                yield _sse("note", json.dumps({"text": item.text}, ensure_ascii=False))
            elif item:
                yield _sse("delta", json.dumps({"text": item}, ensure_ascii=False))
    except Exception as exc:  # the status is already sent: report in the stream
        yield _sse("error", json.dumps(error_response(error_message(exc)), ensure_ascii=False))


# -- OpenAI-compatible --------------------------------------------------------------------


def _openai_router(state: _State) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatibel"])

    @router.get("/models", summary="Het ene model: bronwijzer")
    async def list_models() -> dict:
        return models_list()

    @router.post(
        "/chat/completions", summary="OpenAI chat completions (ook `stream: true`)",
        description=(
            "Het laatste `user`-bericht is de vraag, eerdere `user`/`assistant`-berichten zijn de "
            "geschiedenis; `system`-berichten worden genegeerd. Het antwoord bevat onderaan de "
            "bronnen (`Bronnen:` met `[n] titel, sectie, p. X`); het volledige antwoord-JSON staat "
            "in het extra veld `bronwijzer`. Bij `stream: true` komen `chat.completion.chunk`s met "
            "alleen getoetste zinnen (zie `POST /api/ask/stream`), afgesloten met `data: [DONE]`; het "
            "laatste chunk draagt het volledige antwoord-JSON in `bronwijzer`. Valt een taalmodel "
            "terug op het extractieve antwoord, dan gaat de toelichting aan dat antwoord vooraf."
        ),
    )
    async def chat_completions(body: ChatCompletionRequest):
        question, history = chat_question(body)
        ids = ChatCompletionIds()
        if not body.stream:
            answer = await run_in_threadpool(state.engine.ask, question, history=history)
            return chat_completion(answer, ids)
        pieces = state.engine.stream(question, history=history)
        first = await _first(pieces)
        return _event_stream(_chat_chunks(pieces, first, ids))

    return router


async def _chat_chunks(pieces: Iterator[StreamItem], first, ids: ChatCompletionIds) -> AsyncIterator[str]:
    """Chunks of checked text only: a note before a fallback, the sentences, then the sources.

    The last chunk carries the whole answer (with `rewritten`) in the extra field `bronwijzer`.
    """

    def chunk(delta: dict, finish: str | None = None, answer: Answer | None = None) -> str:
        return _sse(None, json.dumps(chat_chunk(ids, delta, finish, answer), ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    noted = False
    answer = None
    try:
        async for item in _pieces(pieces, first):
            if isinstance(item, Answer):
                answer = item
                # A note that was not said before the text (e.g. sentences were dropped) follows it.
                ending = f"\n\n{item.note}" if item.note and not noted else ""
                yield chunk({"content": ending + sources_text(item)})
            elif isinstance(item, AnswerNote):
                noted = True
                yield chunk({"content": f"{item.text}\n\n"})
            elif isinstance(item, str) and item:
                yield chunk({"content": item})
    except Exception as exc:
        # The OpenAI client raises an APIError for a chunk that carries `error`.
        yield _sse(None, json.dumps(error_response(error_message(exc)), ensure_ascii=False))
    else:
        yield chunk({}, "stop", answer)
    yield _sse(None, "[DONE]")
