"""Rate limits per API key, or per client address for requests without a valid key (`limits`).

Four budgets from the settings: questions (REST, `/v1` and the chat page's questions), writes
(uploads, removals), chat logins (per address, against password guessing) and everything else
under the API. Over budget: 429 in the error shape with `Retry-After`, before the request is
read. Gradio's static files and the page itself are not counted.

The client address is the connection's, or what a trusted proxy says (`trusted_proxies`, see
`bronwijzer serve`): a client cannot pick its own address with an X-Forwarded-For header.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.access import ApiKeys
from app.schemas import error_response
from rag.settings import Settings

QUESTION_PATHS = frozenset({"/api/ask", "/api/ask/stream", "/api/search", "/v1/chat/completions", "/gradio_api/queue/join"})
LOGIN_PATHS = frozenset({"/login", "/login/"})
COUNTED_PREFIXES = ("/api/", "/v1/", "/slack/", "/healthz", "/readyz", "/gradio_api/queue/join")


class RateLimits:
    """Which budget a request spends, and whether it has any left."""

    def __init__(self, settings: Settings, keys: ApiKeys) -> None:
        self.keys = keys
        self.budgets: dict[str, list[RateLimitItem]] = {
            "questions": parse_many(settings.rate_limit_questions),
            "writes": parse_many(settings.rate_limit_writes),
            "login": parse_many(settings.rate_limit_login),
            "other": parse_many(settings.rate_limit_other),
        }
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    @staticmethod
    def budget_for(method: str, path: str) -> str | None:
        if method == "POST" and path in LOGIN_PATHS:
            return "login"
        if method == "POST" and path in QUESTION_PATHS:
            return "questions"
        if method in ("POST", "DELETE", "PUT", "PATCH") and path.startswith("/api/documents"):
            return "writes"
        if path.startswith(COUNTED_PREFIXES):
            return "other"
        return None

    def wait_seconds(self, budget: str, who: str) -> int:
        """0 when the request may go on (and is counted); otherwise seconds until it may."""
        for item in self.budgets[budget]:
            if not self.limiter.hit(item, budget, who):
                reset = self.limiter.get_window_stats(item, budget, who).reset_time
                return max(1, math.ceil(reset - time.time()))
        return 0


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        budget = self.limits.budget_for(scope["method"], scope["path"])
        if budget is not None:
            headers = Headers(scope=scope)
            who = None if budget == "login" else self.limits.keys.identity(headers)
            if who is None:
                client = scope.get("client")
                who = f"addr:{client[0] if client else 'unknown'}"
            wait = self.limits.wait_seconds(budget, who)
            if wait:
                await _too_many(scope, receive, send, wait)
                return
        await self.app(scope, receive, send)


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: int) -> None:
    message = f"Te veel verzoeken achter elkaar. Probeer het over {wait} seconde{'n' if wait != 1 else ''} opnieuw."
    response = JSONResponse(error_response(message), status_code=429, headers={"Retry-After": str(wait)})
    await response(scope, receive, send)
