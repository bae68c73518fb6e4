"""Who may use which door: API keys for the REST API and `/v1`, and where the server may listen.

Two kinds of key (settings `api_keys`, `admin_keys`), sent as `Authorization: Bearer KEY` (what
OpenAI clients send) or `X-API-Key: KEY`:

- a reading key asks questions and searches (`/api/ask*`, `/api/search`, `/api/documents` GET, `/v1`);
- an admin key does that too, and uploads and removes documents.

With no key configured at all, everything is open, and `bronwijzer serve` only listens on
loopback (see `exposure_problem`). Keys are compared in constant time: every configured key is
compared with the candidate's digest, whatever matches first. Health checks stay open.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable, Mapping
from typing import Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.errors import ForbiddenError, UnauthorizedError
from rag.settings import Settings

log = logging.getLogger("bronwijzer.access")

Role = Literal["read", "admin"]

MISSING_KEY = (
    "Geen geldige API-sleutel. Stuur uw sleutel mee als `Authorization: Bearer SLEUTEL` of als "
    "`X-API-Key: SLEUTEL`; een sleutel krijgt u van de beheerder."
)
READ_ONLY_KEY = (
    "Deze sleutel mag alleen lezen. Documenten uploaden en verwijderen kan alleen met een "
    "beheersleutel (BRONWIJZER_ADMIN_KEYS)."
)

_bearer = HTTPBearer(auto_error=False, description="Een API-sleutel als `Authorization: Bearer SLEUTEL`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Een API-sleutel als `X-API-Key: SLEUTEL`.")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def key_from_headers(headers: Mapping[str, str]) -> str | None:
    """The key a request carries: the bearer token, else `X-API-Key`."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return (headers.get("x-api-key") or "").strip() or None


class ApiKeys:
    """The configured keys, and the role a presented key has."""

    def __init__(self, settings: Settings) -> None:
        self._keys: list[tuple[bytes, Role]] = [(_digest(k), "read") for k in settings.api_keys]
        self._keys += [(_digest(k), "admin") for k in settings.admin_keys]

    @property
    def required(self) -> bool:
        return bool(self._keys)

    def role_of(self, key: str | None) -> Role | None:
        """The role of `key` (admin wins), or None; takes as long for a wrong key as for a right one."""
        if not key:
            return None
        candidate = _digest(key)
        found: Role | None = None
        for digest, role in self._keys:
            if hmac.compare_digest(candidate, digest) and found != "admin":
                found = role
        return found

    def identity(self, headers: Mapping[str, str]) -> str | None:
        """A stable name for a valid key (never the key itself), for rate limits and logs."""
        key = key_from_headers(headers)
        if key is None or self.role_of(key) is None:
            return None
        return "key:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def access_dependencies(keys: ApiKeys) -> tuple[Callable, Callable]:
    """FastAPI dependencies (`require_reader`, `require_admin`) for these keys.

    Without keys they accept everything and add nothing to the OpenAPI schema; with keys
    they declare both header schemes, so clients (and schemathesis) see how to authenticate.
    """
    if not keys.required:

        async def open_door() -> None:
            return None

        return open_door, open_door

    async def presented(
        request: Request,
        bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
        header: str | None = Depends(_header),
    ) -> Role:
        role = keys.role_of(bearer.credentials if bearer is not None else None) or keys.role_of(header)
        if role is None:
            log.info("Refused %s %s: missing or unknown API key", request.method, request.url.path)
            raise UnauthorizedError(MISSING_KEY)
        return role

    async def require_reader(role: Role = Depends(presented)) -> None:
        return None

    async def require_admin(request: Request, role: Role = Depends(presented)) -> None:
        if role != "admin":
            log.info("Refused %s %s: a reading key cannot write", request.method, request.url.path)
            raise ForbiddenError(READ_ONLY_KEY)

    return require_reader, require_admin


# -- where the server may listen ---------------------------------------------------------


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def open_doors(settings: Settings, *, chat: bool = True) -> list[str]:
    """The doors anyone can walk through: the API without keys, the chat page without logins."""
    doors = []
    if not settings.keys_required:
        doors.append("de REST-API en /v1 (geen BRONWIJZER_API_KEYS of BRONWIJZER_ADMIN_KEYS)")
    if chat and not settings.chat_users:
        doors.append("de chatpagina (geen BRONWIJZER_CHAT_USERS)")
    return doors


def exposure_problem(settings: Settings, host: str, *, chat: bool = True) -> str | None:
    """Why the server must not listen on `host`, in Dutch; None when it may."""
    if is_loopback(host) or settings.allow_unauthenticated:
        return None
    doors = open_doors(settings, chat=chat)
    if not doors:
        return None
    return (
        f"Bronwijzer luistert niet op {host} zolang iedereen binnen kan via {' en '.join(doors)}. "
        "Stel sleutels en logins in (zie README, 'Toegang'), luister op 127.0.0.1, of start bewust "
        "zonder met --allow-unauthenticated (BRONWIJZER_ALLOW_UNAUTHENTICATED=true)."
    )
