"""Receive one uploaded file: the multipart body parsed while it streams in, the file written
straight to a path inside the data directory, its size checked on every piece.

Starlette's own form parser keeps files in memory up to 1 MB and then in the system's temp
directory; this one never holds more than one network chunk and writes where it is told.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.errors import InvalidFormError, UploadTooLargeError, human_size

#: Parts of one upload form, and bytes of a part that is not the file.
MAX_PARTS = 10
MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True)
class ReceivedFile:
    filename: str
    path: Path
    size: int
    sha256: str


def _missing(message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "missing", "loc": ("body", "file"), "msg": message}])


async def receive_upload(request: Request, target: Path, max_bytes: int, field: str = "file") -> ReceivedFile:
    """Stream the form's `field` file into `target` (deleted again on any failure)."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise _missing("not multipart/form-data")

    state = {"parts": 0, "headers": [], "name": b"", "value": b"", "field_bytes": 0}
    found: dict = {}
    digest = hashlib.sha256()
    out = None
    too_large = UploadTooLargeError(f"Het bestand is te groot: uploads mogen hoogstens {human_size(max_bytes)} zijn.")

    def on_part_begin() -> None:
        state["parts"] += 1
        state["headers"] = []
        state["current"] = None
        if state["parts"] > MAX_PARTS:
            raise _missing("too many parts")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"].append((state["name"].lower(), state["value"]))
        state["name"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        nonlocal out
        disposition = dict(state["headers"]).get(b"content-disposition", b"")
        _, opts = parse_options_header(disposition)
        is_file = opts.get(b"name", b"").decode("utf-8", "replace") == field and b"filename" in opts
        if is_file and "filename" not in found:
            found["filename"] = opts[b"filename"].decode("utf-8", "replace")
            found["size"] = 0
            out = target.open("wb")
            state["current"] = "file"
        else:
            state["current"] = "other"

    def on_part_data(data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if state["current"] == "file":
            found["size"] += len(piece)
            if found["size"] > max_bytes:
                raise too_large
            digest.update(piece)
            out.write(piece)
        else:
            state["field_bytes"] += len(piece)
            if state["field_bytes"] > MAX_FIELD_BYTES:
                raise too_large

    def on_part_end() -> None:
        nonlocal out
        if state["current"] == "file" and out is not None:
            out.close()
            out = None
            found["complete"] = True
        state["current"] = None

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not found.get("complete"):
            raise _missing("file missing")
    except BaseException as exc:
        if out is not None:
            out.close()
        target.unlink(missing_ok=True)
        if isinstance(exc, MultipartParseError):
            raise InvalidFormError(
                "Het uploadformulier kon niet worden gelezen: stuur het bestand als multipart/form-data in het veld 'file'."
            ) from None
        raise
    return ReceivedFile(found["filename"], target, found["size"], digest.hexdigest())
