"""HTTP the way an attacker sends it: a raw socket, so a test controls exactly what goes out.

`request_without_body` announces a body (Content-Length) and sends none of it: if the server
answers anyway, it decided without reading the body. `chunked_request` sends a body in chunks
without announcing its length, then reads whatever the server answered.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        body += piece
    return status, headers, body


def _connect(url: str) -> tuple[socket.socket, str]:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    return sock, f"{parts.hostname}:{parts.port}"


def request_without_body(url: str, method: str, path: str, content_length: int, headers: dict[str, str] | None = None):
    """(status, headers, JSON body) of a request that announces `content_length` bytes and sends none."""
    sock, host = _connect(url)
    with sock:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {content_length}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        status, got, body = _read_response(sock)
    return status, got, json.loads(body)


def chunked_request(url: str, method: str, path: str, chunks, headers: dict[str, str] | None = None):
    """(status, headers, JSON body, bytes sent) of a chunked request; stops sending once the server answers."""
    sock, host = _connect(url)
    sent = 0
    with sock:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        sock.settimeout(0.0)
        for chunk in chunks:
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break  # the server has answered: no point sending more
            except BlockingIOError:
                pass
            sock.settimeout(30)
            try:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            sock.settimeout(0.0)
        else:
            sock.settimeout(30)
            sock.sendall(b"0\r\n\r\n")
        sock.settimeout(30)
        status, got, body = _read_response(sock)
    return status, got, json.loads(body), sent
