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
    if isinstance(exc.detail, str) and exc.detail and exc.detail != default:
        return exc.detail  # a message someone wrote for this case
    path = request.url.path if request is not None else ""
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
    parts = [str(p) for p in loc if p != "body"]
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
    if kind == "too_short":
        return f"'{field}' mag niet leeg zijn."
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


def install_error_handling(app: FastAPI) -> None:
    """Route every error of `app` through `handle_error`."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return handle_error(request, exc)

    for kind in (BronwijzerError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(kind, handler)
    app.add_middleware(CatchUnexpectedErrors)
