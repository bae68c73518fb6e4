"""The chat page behind a login, and Gradio's own routes kept within bounds.

- `chat_mount_options(settings)`: Gradio's login (`auth`) when `chat_users` are configured,
  checked against scrypt hashes in the threadpool; a small `max_file_size`.
- `secure_chat_app(app, settings, handler)`: after mounting, Gradio keeps any files it makes in
  the data directory (`chat-files/`) instead of the system's temp directory, and its own 404,
  405 and 413 come in the `{"error": ...}` shape. Its upload route is closed by `app.guards`.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.routing import Mount

from app.passwords import ChatLogins
from rag.settings import Settings

log = logging.getLogger("bronwijzer.chat")

LOGIN_MESSAGE = "Log in met de gebruikersnaam en het wachtwoord die u van de beheerder hebt gekregen."
#: Nothing on the chat page takes a file; anything bigger than this is refused by Gradio itself.
CHAT_MAX_FILE_SIZE = "100kb"


def chat_mount_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"max_file_size": CHAT_MAX_FILE_SIZE}
    logins = ChatLogins(settings.chat_users)
    if logins:

        async def check(username: str, password: str) -> bool:
            ok = await run_in_threadpool(logins.check, username, password)
            if not ok:
                log.info("Chat login refused for user %r", username[:64])
            return ok

        options |= {"auth": check, "auth_message": LOGIN_MESSAGE}
    return options


def secure_chat_app(app: FastAPI, settings: Settings, handler: Callable) -> None:
    """Point the mounted Gradio app's file directory into the data dir; errors in our shape."""
    mounted = [r.app for r in app.router.routes if isinstance(r, Mount) and r.path == ""]
    for chat_app in mounted:
        files = settings.home / "chat-files"
        files.mkdir(parents=True, exist_ok=True)
        chat_app.uploaded_file_dir = str(files)

        async def in_our_shape(request, exc):
            return handler(request, exc)

        for status in (404, 405, 413):
            chat_app.add_exception_handler(status, in_our_shape)
