"""Password hashes for the chat page's logins: scrypt from the standard library.

A hash reads `scrypt$N$r$p$salt$key` (salt and key in hex), so its parameters travel with it
and can be raised later without breaking older hashes. `bronwijzer chat-user NAME` makes one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: 2**15 x 8 x 1: about 32 MB and 0.1 s per check on this kind of machine.
N, R, P = 2**15, 8, 1
_MAX_MEMORY = 128 * 1024 * 1024


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, maxmem=_MAX_MEMORY)
    return f"scrypt${N}${R}${P}${salt.hex()}${key.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` matches `encoded`; a malformed hash never matches."""
    try:
        kind, n, r, p, salt, key = encoded.split("$")
        if kind != "scrypt":
            return False
        expected = bytes.fromhex(key)
        actual = hashlib.scrypt(
            password.encode("utf-8", "surrogatepass"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            maxmem=_MAX_MEMORY, dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


class ChatLogins:
    """The chat page's users (settings `chat_users`: `name:hash` entries)."""

    def __init__(self, entries: list[str]) -> None:
        self._users = dict(entry.split(":", 1) for entry in entries)
        # Checked for unknown names too, so an answer takes as long for them as for known ones.
        self._decoy = hash_password(secrets.token_hex(8))

    def __bool__(self) -> bool:
        return bool(self._users)

    def check(self, username: str, password: str) -> bool:
        encoded = self._users.get(username)
        ok = verify_password(password, encoded if encoded is not None else self._decoy)
        return ok and encoded is not None
