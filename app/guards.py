"""Requests refused before they reach a route, in the error shape with a Dutch message.

- methods no route has (TRACE, OPTIONS, QUERY, ...): 405 with the methods the path does take;
- Gradio's own file upload (`/gradio_api/upload`): the chat page has no upload field, and that
  route would take any file into the system's temp directory; documents are uploaded through
  `POST /api/documents` (admin key) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from app.schemas import error_response

ALLOWED_METHODS = ("GET", "HEAD", "POST")
STANDARD_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
#: Paths whose routes answer every method themselves (404/405 with the right Allow).
API_PREFIXES = ("/api/", "/v1/", "/slack/", "/healthz", "/readyz")
CHAT_UPLOAD_PATHS = ("/gradio_api/upload", "/upload", "/gradio_api/upload_progress", "/upload_progress")


#: The name of the routes that answer unknown API paths (404/405) and take every method.
CATCH_ALL = "unknown_api_path"


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str]:
    """The methods the API's own routes (not the chat page, not the catch-alls) take on this request's path."""
    real = [r for r in routes if not isinstance(r, Mount) and getattr(r, "name", None) != CATCH_ALL]
    found = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        probe = {**scope, "method": method}
        if any(r.matches(probe)[0] == Match.FULL for r in real):
            found.append(method)
    return found


class RequestGuard:
    def __init__(self, app: ASGIApp, api_routes: Callable[[], Iterable[BaseRoute]]) -> None:
        self.app = app
        self.api_routes = api_routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method not in STANDARD_METHODS:
            allowed = allowed_methods(self.api_routes(), scope) if path.startswith(API_PREFIXES) else []
            response = JSONResponse(
                error_response(f"Methode {method} is niet toegestaan op {path}."),
                status_code=405, headers={"Allow": ", ".join(allowed or ALLOWED_METHODS)},
            )
        elif path.rstrip("/") in CHAT_UPLOAD_PATHS:
            response = JSONResponse(
                error_response(
                    "Bestanden uploaden kan niet via de chatpagina. Beheerders uploaden documenten met "
                    "POST /api/documents en een beheersleutel."
                ),
                status_code=404,
            )
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
