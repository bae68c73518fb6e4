"""Requests refused before they reach a route, in the error shape with a Dutch message.

- methods no page has (TRACE, OPTIONS, CONNECT, ...) outside the API: 405 (the API's own paths
  answer these themselves, with the methods each path has: see `app.server`);
- Gradio's own file upload (`/gradio_api/upload`): the chat page has no upload field, and that
  route would take any file into the system's temp directory; documents are uploaded through
  `POST /api/documents` (admin key) instead.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.schemas import error_response

ALLOWED_METHODS = ("GET", "HEAD", "POST")
STANDARD_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
#: Paths whose routes answer every method themselves (404/405 with the right Allow).
API_PREFIXES = ("/api/", "/v1/", "/slack/", "/healthz", "/readyz")
CHAT_UPLOAD_PATHS = ("/gradio_api/upload", "/upload", "/gradio_api/upload_progress", "/upload_progress")


class RequestGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method not in STANDARD_METHODS and not path.startswith(API_PREFIXES):
            response = JSONResponse(
                error_response(f"Methode {method} is niet toegestaan op {path}."),
                status_code=405, headers={"Allow": ", ".join(ALLOWED_METHODS)},
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
