"""What a stranger's requests get from a real `bronwijzer serve`: every attack and fault of issue 9, its status and message.

    .venv/bin/python benchmarks/attack_table.py [--json out/attacks.json]

Starts its own server on a free loopback port, with a fresh data directory holding one invented
document, API keys, an admin key and a Slack signing secret configured (the model cache is
shared with $BRONWIJZER_MODEL_CACHE, or ~/.local/share/bronwijzer/models). Each probe is one
request (or a short burst) over real HTTP; the table shows what came back. The tests
(`tests/app/test_attacks.py`, `tests/app/test_slack.py`, ...) assert the same behaviour; this
script is for reading it as an operator would.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
READ_KEY = "lezen-0123456789abcdef"
BURST_KEY = "stoot-0123456789abcdef"
ADMIN_KEY = "beheer-0123456789abcdef"
SLACK_SECRET = "geheim-voor-de-slack-test"
DOCUMENT = "# Vijverplan\n\nIn 2024 kreeg het stadspark van Vlinderstad drie nieuwe vijvers met ondiepe oevers.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:120].replace("\n", " ")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", ""))[:160]
    if isinstance(body, dict) and "state" in body and "document_id" in body:  # an ingest job
        return f"job {body['state']}: document_id {body['document_id']!r}" + (f"; {body['message']}" if body.get("message") else "")
    return json.dumps(body, ensure_ascii=False)[:160]


def signed(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": "application/x-www-form-urlencoded"}


def zip_bomb() -> bytes:
    """A .docx whose one part unpacks to 200 MB of zeros (about 200 kB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def probes(http: httpx.Client) -> list[tuple[str, httpx.Response | str]]:
    read = {"Authorization": f"Bearer {READ_KEY}"}
    admin = {"X-API-Key": ADMIN_KEY}
    ask = {"question": "Hoeveel nieuwe vijvers kreeg het stadspark in 2024?"}
    out: list[tuple[str, httpx.Response | str]] = []
    add = out.append

    add(("question without a key", http.post("/api/ask", json=ask)))
    add(("question with a wrong key", http.post("/api/ask", json=ask, headers={"Authorization": "Bearer verkeerd-0123456789abcdef"})))
    add(("question, reading key as Bearer", http.post("/api/ask", json=ask, headers=read)))
    add(("question, reading key as X-API-Key", http.post("/api/ask", json=ask, headers={"X-API-Key": READ_KEY})))
    add(("/v1/chat/completions without a key", http.post("/v1/chat/completions", json={"model": "bronwijzer", "messages": [{"role": "user", "content": "x"}]})))
    add(("DELETE a document without a key", http.delete("/api/documents/vijverplan.md")))
    add(("DELETE a document with a reading key", http.delete("/api/documents/vijverplan.md", headers=read)))
    add(("upload with a reading key", http.post("/api/documents", files={"file": ("a.txt", b"tekst", "text/plain")}, headers=read)))
    add(("GET /healthz (open)", http.get("/healthz")))
    add(("GET /readyz (open)", http.get("/readyz")))
    add(("2 MB question body", http.post("/api/ask", content=b'{"question": "' + b"a" * (2 * 1024 * 1024) + b'"}',
                                         headers={**read, "Content-Type": "application/json"})))

    def chunked():
        for _ in range(40):
            yield b"x" * 65536

    add(("chunked body without length, 2.5 MB", http.post("/api/search", content=chunked(), headers={**read, "Content-Type": "application/json"})))
    add(("history of 1,000 turns", http.post("/api/ask", json={**ask, "history": [{"role": "user", "content": "x"}] * 1000}, headers=read)))
    add(("question of 5,000 characters", http.post("/api/ask", json={"question": "vijver " * 715}, headers=read)))
    add(("lone surrogate in a question (raw JSON \\ud800)", http.post("/api/ask", content=b'{"question": "vijver \\ud800"}',
                                                                       headers={**read, "Content-Type": "application/json"})))
    add(("body that is not UTF-8", http.post("/api/ask", content='{"question": "café"}'.encode("latin-1"),
                                             headers={**read, "Content-Type": "application/json"})))
    add(("malformed JSON", http.post("/api/ask", content=b'{"question": ', headers={**read, "Content-Type": "application/json"})))
    add(("TRACE /api/ask", http.request("TRACE", "/api/ask", headers=read)))
    add(("OPTIONS /api/ask", http.request("OPTIONS", "/api/ask", headers=read)))
    add(("unknown API path", http.get("/api/bestaat-niet", headers=read)))
    add(("Gradio's own upload route", http.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 1024, "text/plain")})))

    add(("upload over a name that exists (no replace)", http.post("/api/documents", files={"file": ("vijverplan.md", b"# Nep\n\nNeptekst.\n", "text/markdown")}, headers=admin)))
    add(("upload named ../../etc/passwd.txt", http.post("/api/documents", files={"file": ("../../etc/passwd.txt", b"root:x:0:0\n", "text/plain")}, headers=admin)))
    add(("upload named script.exe", http.post("/api/documents", files={"file": ("script.exe", b"MZ", "application/octet-stream")}, headers=admin)))
    add(("upload of 60 MB (limit 50 MB)", http.post("/api/documents", files={"file": ("groot.txt", b"a " * (30 * 1024 * 1024), "text/plain")}, headers=admin)))
    bomb = http.post("/api/documents", files={"file": ("bom.docx", zip_bomb(), "application/octet-stream")}, headers=admin)
    add(("DOCX unpacking to 200 MB (zip bomb), the upload", bomb))
    if bomb.status_code == 202:
        job = bomb.json()["job"]["id"] if "job" in bomb.json() else bomb.json().get("id")
        outcome = None
        for _ in range(120):
            outcome = http.get(f"/api/jobs/{job}", headers=admin)
            if outcome.json().get("state") in ("succeeded", "failed"):
                break
            time.sleep(0.5)  # polling a job's state: the API offers no event to wait on
        add(("DOCX unpacking to 200 MB (zip bomb), its job", outcome))

    body = b"command=%2Fbronwijzer&text=vijvers&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3&user_id=U1&channel_id=C1"
    add(("Slack command without a signature", http.post("/slack/commands", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})))
    add(("Slack command with a wrong signature", http.post("/slack/commands", content=body, headers={**signed(body), "X-Slack-Signature": "v0=" + "0" * 64})))
    headers = signed(body)
    add(("Slack command, signed", http.post("/slack/commands", content=body, headers=headers)))
    add(("the same signed request again (replay)", http.post("/slack/commands", content=body, headers=headers)))
    add(("Slack command signed 10 minutes ago", http.post("/slack/commands", content=body, headers=signed(body, int(time.time()) - 600))))
    add(("Slack command signed 10 minutes ahead", http.post("/slack/commands", content=body, headers=signed(body, int(time.time()) + 600))))
    evil = body.replace(b"hooks.slack.com", b"127.0.0.1%3A8000")
    add(("Slack command whose response_url is elsewhere", http.post("/slack/commands", content=evil, headers=signed(evil))))
    event = json.dumps({"type": "event_callback", "event": "geen object", "event_id": "Ev1"}).encode()
    add(("Slack event that is a string", http.post("/slack/events", content=event, headers={**signed(event), "Content-Type": "application/json"})))
    interaction = b"payload=%5B1%5D"
    add(("Slack interaction payload=[1]", http.post("/slack/interactions", content=interaction, headers=signed(interaction))))
    big = b"text=" + b"a" * (300 * 1024)
    add(("Slack body of 300 kB, unsigned", http.post("/slack/commands", content=big, headers={"Content-Type": "application/x-www-form-urlencoded"})))

    burst = {"Authorization": f"Bearer {BURST_KEY}"}
    statuses = [http.post("/api/search", json={"question": "vijvers"}, headers=burst) for _ in range(12)]
    limited = next((r for r in statuses if r.status_code == 429), statuses[-1])
    add((f"12 searches in a row with one key (limit 10/minute): the first refused, after {statuses.index(limited)}", limited))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        (docs / "vijverplan.md").write_text(DOCUMENT, encoding="utf-8")
        port = free_port()
        env = os.environ | {
            "BRONWIJZER_HOME": str(Path(tmp) / "home"),
            "BRONWIJZER_MODEL_CACHE": os.environ.get("BRONWIJZER_MODEL_CACHE", str(Path.home() / ".local/share/bronwijzer/models")),
            "BRONWIJZER_API_KEYS": f"{READ_KEY},{BURST_KEY}",
            "BRONWIJZER_ADMIN_KEYS": ADMIN_KEY,
            "BRONWIJZER_SLACK_SIGNING_SECRET": SLACK_SECRET,
            "BRONWIJZER_RATE_LIMIT_QUESTIONS": "10/minute",
        }
        subprocess.run([sys.executable, "-m", "app.cli", "ingest", str(docs)], env=env, cwd=REPO, check=True, capture_output=True)
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if http.get("/readyz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not become ready")
                    time.sleep(0.2)  # the server process offers no readiness event; /readyz is polled
                rows = probes(http)
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = [{"probe": name, "status": r.status_code, "retry_after": r.headers.get("retry-after"), "message": message(r)} for name, r in rows]
    print("| probe | status | message |\n|---|---:|---|")
    for row in table:
        extra = f" (Retry-After: {row['retry_after']})" if row["retry_after"] else ""
        print(f"| {row['probe']} | {row['status']}{extra} | {row['message'].replace('|', '/')} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
