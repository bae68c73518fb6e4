"""The one exception handler of the HTTP edge: every error becomes `{"error": {"message": ...}}`.

`rag.errors` gives each error its Dutch message and HTTP status; `handle_error` is the only
place that turns any exception into a response:

- `BronwijzerError`: its own status and message (422 bad question, 404, 409, 503, ...);
- `RequestValidationError`: 422 with a Dutch description of what is wrong with the request;
- Starlette's `HTTPException` (unknown route, wrong method): its status, in Dutch;
- anything else: 500 with a generic Dutch message, and an English log line with traceback.

Starlette hands "anything else" to its outermost middleware, which logs and re-raises after
the response; `CatchUnexpectedErrors` catches it one layer further in and calls the same
handler, so an unexpected error is logged exactly once.
"""

from __future__ import annotations

import http
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.schemas import error_response
from rag.errors import BronwijzerError

log = logging.getLogger("bronwijzer.http")

UNEXPECTED_MESSAGE = (
    "Er ging iets onverwachts mis bij het verwerken van uw verzoek. Probeer het opnieuw; "
    "blijft het misgaan, meld het dan aan de beheerder."
)


class UploadTooLargeError(BronwijzerError):
    """An uploaded file is larger than the server accepts."""

    status = 413


class InvalidFormError(BronwijzerError):
    """An upload form that cannot be read as multipart/form-data."""

    status = 422


class UnauthorizedError(StarletteHTTPException):
    """No API key, or one the server does not know (401, with the scheme to use)."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(StarletteHTTPException):
    """A key that may not do this (403)."""

    def __init__(self, message: str) -> None:
        super().__init__(403, message)


class ConflictError(StarletteHTTPException):
    """The request clashes with what is there (409), e.g. an upload under an existing name."""

    def __init__(self, message: str) -> None:
        super().__init__(409, message)


class BusyError(StarletteHTTPException):
    """The server cannot take this now; try again after `retry_after` seconds (503)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(503, message, headers={"Retry-After": str(retry_after)})


#: Status phrases the framework puts in `detail` (newer names than Python's `http.HTTPStatus`).
_ENGLISH_PHRASES = {"Content Too Large", "Request Entity Too Large", "Not Found", "Method Not Allowed", "Bad Request"}

#: The framework's own English details, and what users read instead.
_FRAMEWORK_DETAILS = {
    "There was an error parsing the body": (
        "De inhoud van het verzoek kon niet worden gelezen: stuur geldige JSON in UTF-8."
    ),
}


def human_size(size: int) -> str:
    """1048576 -> "1 MB", 262144 -> "256 kB" (binary units, as the limits are set; whole units)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """The response for any exception raised while handling `request`."""
    status, message, headers = _status_and_message(request, exc)
    return JSONResponse(error_response(message), status_code=status, headers=headers)


def error_message(exc: Exception) -> str:
    """The Dutch message for `exc`, as used in the `error` event of a stream."""
    return _status_and_message(None, exc)[1]


def _status_and_message(request: Request | None, exc: Exception) -> tuple[int, str, dict | None]:
    if isinstance(exc, BronwijzerError):
        if exc.status >= 500:
            log.warning("%s: %s", type(exc).__name__, exc.message)
        return exc.status, exc.message, None
    if isinstance(exc, RequestValidationError):
        return 422, validation_message(exc.errors()), None
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, _http_message(request, exc), getattr(exc, "headers", None)
    where = f"{request.method} {request.url.path}" if request is not None else "a stream"
    log.error("Unexpected error while handling %s", where, exc_info=exc)
    return 500, UNEXPECTED_MESSAGE, None


def _http_message(request: Request | None, exc: StarletteHTTPException) -> str:
    default = http.HTTPStatus(exc.status_code).phrase if exc.status_code in http.HTTPStatus._value2member_map_ else ""
    if isinstance(exc.detail, str) and exc.detail in _FRAMEWORK_DETAILS:
        log.info("%s: %s", exc.status_code, exc.detail)
        return _FRAMEWORK_DETAILS[exc.detail]
    if isinstance(exc.detail, str) and exc.detail and exc.detail != default and exc.detail not in _ENGLISH_PHRASES:
        return exc.detail  # a message someone wrote for this case
    path = request.url.path if request is not None else ""
    if exc.status_code == 413:
        limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY) if request is not None else None
        most = f" (hoogstens {human_size(limit)} op {path})" if isinstance(limit, int) else ""
        return f"Het verzoek is te groot{most}; stuur minder tekst of een kleiner bestand."
    if exc.status_code == 400:
        return "Het verzoek kon niet worden gelezen."
    if exc.status_code == 404:
        return f"Niet gevonden: {path} bestaat niet. De API staat onder /api en /v1; documentatie op /docs."
    if exc.status_code == 405:
        method = request.method if request is not None else ""
        return f"Methode {method} is niet toegestaan op {path}."
    return f"Het verzoek kon niet worden verwerkt (HTTP {exc.status_code} {default})."


# -- Dutch descriptions of Pydantic validation errors -------------------------------------

_TYPE_NAMES = {
    "string_type": "tekst",
    "int_type": "een geheel getal",
    "int_parsing": "een geheel getal",
    "int_from_float": "een geheel getal",
    "float_type": "een getal",
    "float_parsing": "een getal",
    "bool_type": "waar of onwaar (true/false)",
    "bool_parsing": "waar of onwaar (true/false)",
    "list_type": "een lijst",
    "dict_type": "een object",
    "model_type": "een object",
    "model_attributes_type": "een object",
}


def _field(loc: tuple | list) -> str:
    # Union branches show up in `loc` as type tags ("list[ContentPart]"): not field names.
    parts = [str(p) for p in loc if p != "body" and (isinstance(p, int) or str(p).isidentifier())]
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name


def _describe(error: dict) -> str:
    kind = error.get("type", "")
    loc = tuple(error.get("loc") or ())
    field = _field(loc)
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        return "De aanvraag is geen geldige JSON."
    if kind == "missing" and not field:
        return "De aanvraag heeft geen inhoud; stuur een JSON-object."
    if kind == "missing":
        return f"Het veld '{field}' ontbreekt."
    if kind == "extra_forbidden":
        return f"Onbekend veld '{field}'."
    if kind == "literal_error":
        expected = str(ctx.get("expected", "de toegestane waarden")).replace(" or ", " of ")
        return f"Ongeldige waarde voor '{field}': kies uit {expected}."
    if kind in _TYPE_NAMES:
        return f"'{field}' moet {_TYPE_NAMES[kind]} zijn." if field else f"De aanvraag moet {_TYPE_NAMES[kind]} zijn."
    if kind in ("too_short", "string_too_short"):
        return f"'{field}' mag niet leeg zijn."
    if kind == "string_too_long":
        return f"'{field}' is te lang: hoogstens {ctx.get('max_length')} tekens."
    if kind == "too_long":
        return f"'{field}' is te lang: hoogstens {ctx.get('max_length')} items."
    if kind in ("invalid_text", "string_unicode"):
        return (
            f"'{field}' bevat ongeldige tekens (een losse surrogaat zoals \\ud800, of een nulteken); "
            "stuur gewone Unicode-tekst."
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        words = {"greater_than": "groter dan", "greater_than_equal": "minstens", "less_than": "kleiner dan", "less_than_equal": "hoogstens"}
        return f"'{field}' moet {words[kind]} {bound} zijn."
    return f"Ongeldige waarde voor '{field}'." if field else "De aanvraag is ongeldig."


def validation_message(errors: list[dict]) -> str:
    """One Dutch sentence per problem (at most five), for a 422 response."""
    seen: list[str] = []
    for error in errors:
        text = _describe(error)
        if text not in seen:
            seen.append(text)
    more = f" (en nog {len(seen) - 5} andere problemen)" if len(seen) > 5 else ""
    return "Ongeldige aanvraag: " + " ".join(seen[:5]) + more


class CatchUnexpectedErrors:
    """Turn an exception nothing else handled into `handle_error`'s 500, logged once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # the status is out; all that is left is to log it
                log.error("Unexpected error after the response started (%s)", scope.get("path"), exc_info=exc)
                return
            response = handle_error(Request(scope), exc)
            await response(scope, receive, send)


class PlainErrorsAsJson:
    """The last net: an error response in plain text (Starlette's 413 "Content Too Large", a
    mounted app's own refusals) goes out in the `{"error": ...}` shape with a Dutch message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None

        async def shaping_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] >= 400:
                headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/plain"):
                    held = message
                    return
            if held is not None and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return  # the plain text is replaced whole
                kept = [(k, v) for k, v in held.get("headers", []) if k.lower() in (b"allow", b"retry-after", b"www-authenticate")]
                exc = StarletteHTTPException(held["status"])
                response = handle_error(Request(scope), exc)
                response.headers.update({k.decode("latin-1"): v.decode("latin-1") for k, v in kept})
                held = None
                await response(scope, receive, send)
                return
            await send(message)

        await self.app(scope, receive, shaping_send)


def install_error_handling(app: FastAPI) -> None:
    """Route every error of `app` through `handle_error`."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return handle_error(request, exc)

    for kind in (BronwijzerError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(kind, handler)
    app.add_middleware(CatchUnexpectedErrors)
    app.add_middleware(PlainErrorsAsJson)  # outermost: call this after adding other middleware
