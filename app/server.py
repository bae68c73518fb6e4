"""One FastAPI app: the REST API, an OpenAI-compatible `/v1`, and (when present) Slack and the chat page.

    POST /api/ask                 question -> answer with citations (JSON)
    POST /api/ask/stream          the same answer as server-sent events
    POST /api/search              query -> ranked passages
    GET /api/documents            the index
    POST /api/documents           upload one file: 202 and an ingest job (admin)
    GET /api/jobs/{id}            an ingest job's progress and outcome (admin)
    DELETE /api/documents/{id}    remove a document (admin)
    GET /healthz                  liveness: the process answers
    GET /readyz                   readiness: a real search works (503 with the reason if not)
    POST /v1/chat/completions     OpenAI chat completions (streaming too); GET /v1/models
    /docs                         OpenAPI documentation

The engine is synchronous and CPU-bound, so every call into it runs in the threadpool and the
event loop stays free for other requests. Errors all go through `app.errors.handle_error`.
Access (API keys), rate limits and body limits are set up here from the settings; uploads are
ingest jobs (`ingest.jobs`), worked on outside this process.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.routing import Mount

from app.access import ApiKeys, access_dependencies
from app.docs import install_docs
from app.errors import (
    BusyError,
    ConflictError,
    error_message,
    handle_error,
    human_size,
    install_error_handling,
)
from app.guards import CATCH_ALL, RequestGuard, allowed_methods
from app.ratelimit import RateLimitMiddleware, RateLimits
from app.schemas import (
    AskRequest,
    AskResponse,
    ChatCompletionIds,
    ChatCompletionRequest,
    DeleteResponse,
    DocumentsResponse,
    ErrorResponse,
    HealthResponse,
    JobOut,
    ReadyResponse,
    SearchRequest,
    SearchResponse,
    ask_response,
    chat_chunk,
    chat_completion,
    chat_question,
    document_out,
    error_response,
    job_out,
    models_list,
    search_response,
    sources_text,
    to_filters,
    to_turns,
)
from app.uploads import receive_upload
from app.workers import QuestionWorkers
from ingest.jobs import DocumentExistsError, IngestJobs, JobQueueFullError, document_name
from ingest.loaders import SUPPORTED_SUFFIXES
from rag.errors import BronwijzerError
from rag.pipeline import Components, build
from rag.readiness import readiness_problem
from rag.settings import Settings, get_settings
from rag.types import Answer, AnswerNote, RewrittenQuestion, StreamItem

log = logging.getLogger("bronwijzer.http")

#: Room for the multipart framing around the file itself.
MULTIPART_SLACK = 64 * 1024
#: How long a readiness answer is reused (a probe costs one real search).
READY_CACHE_SECONDS = 5.0


def _error(description: str, **extra) -> dict:
    return {"model": ErrorResponse, "description": description, **extra}


_RETRY_AFTER = {"Retry-After": {"description": "Seconden tot een nieuwe poging kans maakt.", "schema": {"type": "integer"}}}
_ERRORS = {
    400: _error("Het verzoek kon niet worden gelezen (bijv. geen UTF-8)."),
    401: _error("Geen of een onbekende API-sleutel.", headers={"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}),
    403: _error("Deze sleutel mag dit niet (een leessleutel bij uploaden of verwijderen)."),
    404: _error("Onbekend document, taak of pad."),
    405: _error("Deze methode is op dit pad niet toegestaan.", headers={"Allow": {"description": "De toegestane methoden.", "schema": {"type": "string"}}}),
    409: _error("De index is gebouwd met een ander embeddingmodel, of de documentnaam bestaat al."),
    413: _error("Het verzoek of bestand is te groot."),
    422: _error("Ongeldige vraag of aanvraag (ook: ongeldige Unicode zoals een losse surrogaat)."),
    429: _error("Te veel verzoeken; probeer het na `Retry-After` seconden opnieuw.", headers=_RETRY_AFTER),
    500: _error("Onverwachte fout."),
    503: _error("Er is nog niets geïndexeerd, de index is onleesbaar, de opslag is niet bereikbaar of de wachtrij is vol."),
}


def _responses(*statuses: int) -> dict:
    return {status: _ERRORS[status] for status in statuses}


#: One server-sent event, as OpenAPI describes the items of `text/event-stream`.
_SSE_EVENT = {
    "type": "object",
    "properties": {"event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"}},
    "required": ["data"],
}

STREAM_DESCRIPTION = """\
Het antwoord als server-sent events (`text/event-stream`), in deze volgorde:

- `rewritten` — `{"question": "..."}`: alleen bij een vervolgvraag die is herschreven tot een
  zelfstandige vraag, of een vraag met een tikfout in een woord uit de documenten; daarop is gezocht;
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
    """What the routes share: the wired components, the API keys and the ingest jobs."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self.keys = ApiKeys(components.settings)
        self.jobs = IngestJobs(components.settings, components.store, on_change=components.live.refresh)
        self.questions = QuestionWorkers(components.settings.question_workers)
        self._ready: tuple[float, str | None] | None = None
        self._ready_lock = asyncio.Lock()

    @property
    def settings(self) -> Settings:
        return self.components.settings

    @property
    def engine(self):
        return self.components.engine

    async def readiness(self) -> str | None:
        """None when a real search works; otherwise the Dutch reason (probed at most every few seconds)."""
        async with self._ready_lock:
            now = time.monotonic()
            if self._ready is None or now - self._ready[0] > READY_CACHE_SECONDS:
                self._ready = (now, await run_in_threadpool(readiness_problem, self.engine))
            return self._ready[1]


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """The Bronwijzer web app for `settings` (or the environment's), wired by `rag.pipeline.build`."""
    if components is None:
        components = build(settings or get_settings())
    settings = components.settings
    state = _State(components)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, components)
        problem = await state.readiness()
        if problem is not None:
            log.warning("Not ready: the index cannot answer questions yet. Reason (as users read it): %s", problem)
        await run_in_threadpool(state.jobs.start)
        components.live.watch()  # documents that other processes ingest or remove show up here too
        try:
            yield
        finally:
            components.live.stop_watching()
            await run_in_threadpool(state.jobs.stop)

    keyed = state.keys.required
    app = FastAPI(
        title="Bronwijzer",
        version="0.1.0",
        summary="Vragen over Nederlands onderwijsbeleid, beantwoord uit de documenten met bronvermelding.",
        description=(
            "Fouten hebben altijd de vorm `{\"error\": {\"message\": \"...\"}}`, met een Nederlandse "
            "uitleg voor de gebruiker. `/v1` is OpenAI-compatibel: gebruik `bronwijzer` als model.\n\n"
            + (
                "Toegang: stuur een API-sleutel als `Authorization: Bearer SLEUTEL` of `X-API-Key: SLEUTEL`. "
                "Een leessleutel stelt vragen; uploaden en verwijderen vraagt een beheersleutel."
                if keyed else
                "Er zijn geen API-sleutels ingesteld: de API is open en luistert alleen op loopback."
            )
            + f"\n\nGrenzen: vragen, zoekopdrachten en /v1 hoogstens {human_size(settings.max_request_bytes)}; "
            f"uploads hoogstens {human_size(settings.max_upload_bytes)}; te veel verzoeken geeft 429 met `Retry-After`."
        ),
        lifespan=lifespan,
        responses=_responses(400, 413, 422, 429, 500) | (_responses(401) if keyed else {}),
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)  # Swagger UI from this process: /docs works without internet
    app.state.bronwijzer = state
    read, admin = access_dependencies(state.keys)
    app.include_router(_api_router(state, read, admin))
    app.include_router(_openai_router(state, read))
    _include_optional_edges(app, components)
    _answer_unknown_api_paths(app)
    # Outermost last. Body limit: this default everywhere (the chat page too); routes that take
    # more (uploads) or less (Slack) say so themselves, and the tighter of the two holds while reading.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_request_bytes)
    app.add_middleware(RateLimitMiddleware, limits=RateLimits(settings, state.keys))
    app.add_middleware(RequestGuard, api_routes=lambda: app.router.routes)
    install_error_handling(app)
    return app


def _warm_up(components: Components) -> None:
    """Load the model and keyword index now, so the first question is not the slow one."""
    try:
        if components.engine.documents():
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

        from app.chat_access import chat_mount_options, secure_chat_app

        settings = components.settings
        blocks = chat.build_chat_ui(components.engine, settings)
        _in_running_loop(lambda: gradio.mount_gradio_app(app, blocks, path="/", **chat_mount_options(settings)))
        secure_chat_app(app, settings, handle_error)


def _in_running_loop(make):
    """Call `make` inside an event loop: outside one, Gradio opens a loop per lock and leaks it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def call():
            return make()

        return asyncio.run(call())
    return make()


#: Methods the catch-all routes answer (405 with Allow, or 404); others stop at `RequestGuard`.
_STANDARD_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def _answer_unknown_api_paths(app: FastAPI) -> None:
    """404 and 405 in the error shape for the API's paths, which the chat page at `/` would otherwise answer."""
    catch_alls: list[APIRoute] = []

    async def unknown(request: Request) -> None:
        allowed = allowed_methods(app.router.routes, request.scope)
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
        raise StarletteHTTPException(404)

    for path in ("/api/{rest:path}", "/v1/{rest:path}", "/slack/{rest:path}", "/healthz", "/readyz"):
        catch_alls.append(APIRoute(path, unknown, methods=_STANDARD_METHODS, include_in_schema=False, name=CATCH_ALL))
    # After every real route, before the chat page mounted at `/` (other mounts, such as the
    # docs' assets, are real routes).
    mount = next(
        (i for i, r in enumerate(app.router.routes) if isinstance(r, Mount) and r.path in ("", "/")),
        len(app.router.routes),
    )
    app.router.routes[mount:mount] = catch_alls


def _optional_module(name: str):
    # Absent file: skip quietly. Present but broken: the import error surfaces here.
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


# -- REST ---------------------------------------------------------------------------------


def _api_router(state: _State, read, admin) -> APIRouter:
    settings = state.settings
    keyed = _responses(401) if state.keys.required else {}
    admin_only = _responses(401, 403) if state.keys.required else {}
    asking = keyed | _responses(404, 409, 503)
    router = APIRouter()

    @router.post(
        "/api/ask", tags=["vragen"], summary="Beantwoord een vraag met bronvermelding",
        dependencies=[Depends(read)], responses=asking,
    )
    async def ask(body: AskRequest) -> AskResponse:
        answer = await state.questions.run(
            state.engine.ask, body.question, history=to_turns(body.history), filters=to_filters(body.filters), k=body.top_k
        )
        return ask_response(answer)

    @router.post(
        "/api/ask/stream", tags=["vragen"], summary="Beantwoord een vraag als server-sent events",
        description=STREAM_DESCRIPTION, response_class=StreamingResponse, dependencies=[Depends(read)],
        responses={200: {"content": {"text/event-stream": {"schema": _SSE_EVENT}}, "description": "Een stroom van `delta`-, `answer`- en `error`-gebeurtenissen."}} | asking,
    )
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        pieces = state.engine.stream(body.question, history=to_turns(body.history), filters=to_filters(body.filters), k=body.top_k)
        first = await _first(pieces)  # a bad question or empty index fails here, as a plain error response
        return _event_stream(_answer_events(pieces, first))

    @router.post(
        "/api/search", tags=["vragen"], summary="Zoek passages bij een vraag",
        dependencies=[Depends(read)], responses=asking,
    )
    async def search(body: SearchRequest) -> SearchResponse:
        passages = await state.questions.run(state.engine.search, body.query, k=body.top_k, filters=to_filters(body.filters))
        return search_response(passages)

    @router.get(
        "/api/documents", tags=["documenten"], summary="De geïndexeerde documenten",
        dependencies=[Depends(read)], responses=keyed | _responses(503),
    )
    async def list_documents() -> DocumentsResponse:
        docs = (await run_in_threadpool(state.components.live.current)).documents
        return DocumentsResponse(documents=[document_out(d) for d in docs])

    upload_limit = settings.max_upload_bytes + MULTIPART_SLACK

    @router.post(
        "/api/documents", tags=["documenten"], summary="Upload één document; het wordt op de achtergrond geïndexeerd",
        status_code=202, dependencies=[Depends(admin)], max_body_size=upload_limit,
        description=(
            f"Multipart-formulier met één bestand in het veld `file` ({', '.join(sorted(SUPPORTED_SUFFIXES))}, "
            f"hoogstens {human_size(settings.max_upload_bytes)}). Het antwoord is meteen `202` met een taak "
            "(`Location: /api/jobs/{id}`); volg daar de voortgang en de uitkomst. De bestandsnaam wordt de "
            "document-id (letters in elk schrift blijven, mappen en tekens die geen bestandsnaam mogen zijn "
            "niet). Bestaat die naam al, dan is het antwoord `409`, tenzij `replace=true` het document bewust "
            "vervangt. Een bestand dat niet te lezen is, te groot is of te lang duurt "
            f"(hoogstens {settings.ingest_job_timeout:g} s) laat de index zoals hij was."
        ),
        responses={202: {"description": "De upload staat in de wachtrij; volg de taak.", "links": {"Taak": {
            "operationId": "get_job", "parameters": {"job_id": "$response.body#/id"},
        }}}} | admin_only | _responses(409, 413, 503),
        openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }}}}},
    )
    async def upload_document(
        request: Request,
        response: Response,
        replace: bool = Query(False, description="Vervang een document met dezelfde naam (bewust; anders 409)."),
    ) -> JobOut:
        received = await receive_upload(request, state.jobs.incoming(), settings.max_upload_bytes)
        try:
            name = document_name(received.filename)
            status = await run_in_threadpool(state.jobs.submit, name, received.path, received.sha256, replace=replace)
        except DocumentExistsError as exc:
            raise ConflictError(exc.message) from None
        except JobQueueFullError as exc:
            raise BusyError(exc.message, retry_after=30) from None
        finally:
            received.path.unlink(missing_ok=True)
        response.headers["Location"] = f"/api/jobs/{status.id}"
        return job_out(status)

    @router.get(
        "/api/jobs/{job_id}", tags=["documenten"], summary="Voortgang en uitkomst van een upload", operation_id="get_job",
        dependencies=[Depends(admin)], responses=admin_only | _responses(404),
    )
    async def job(job_id: str) -> JobOut:
        status = state.jobs.status(job_id)
        if status is None:
            raise StarletteHTTPException(404, f"Onbekende taak '{job_id}' (taken worden na een herstart van de server vergeten).")
        return job_out(status)

    @router.delete(
        "/api/documents/{document_id}", tags=["documenten"], summary="Verwijder een document uit de index",
        dependencies=[Depends(admin)], responses=admin_only | _responses(404, 503),
    )
    async def delete_document(document_id: str) -> DeleteResponse:
        removed = await run_in_threadpool(state.jobs.remove_document, document_id)
        return DeleteResponse(deleted=document_out(removed))

    @router.get("/healthz", tags=["beheer"], summary="Leeft het proces? (zegt verder niets)")
    async def healthz() -> HealthResponse:
        return HealthResponse()

    @router.get(
        "/readyz", tags=["beheer"], summary="Kan de index vragen beantwoorden? (een echte zoekvraag)",
        responses=_responses(503),
    )
    async def readyz() -> ReadyResponse:
        problem = await state.readiness()
        if problem is not None:
            return JSONResponse(error_response(problem), status_code=503)
        return ReadyResponse()

    return router


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


def _openai_router(state: _State, read) -> APIRouter:
    keyed = _responses(401) if state.keys.required else {}
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatibel"], dependencies=[Depends(read)])

    @router.get("/models", summary="Het ene model: bronwijzer", responses=keyed)
    async def list_models() -> dict:
        return models_list()

    @router.post(
        "/chat/completions", summary="OpenAI chat completions (ook `stream: true`)",
        responses={200: {"description": "Een `chat.completion`, of bij `stream: true` een stroom `chat.completion.chunk`s.", "content": {
            "application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": _SSE_EVENT},
        }}} | keyed | _responses(404, 409, 503),
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
            answer = await state.questions.run(state.engine.ask, question, history=history)
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
