"""Issue 9's attacks, each tried for real over HTTP on loopback against the whole app.

Keys, rate limits, body and history limits, invalid Unicode, the framework's own errors,
Gradio's upload route, a corrupt index. The server runs in this process (uvicorn in a thread,
`tests/app/conftest.py`), so a test can look at its data directory. Raw sockets
(`tests/app/rawhttp.py`) send what a normal client would refuse to send.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from rag.settings import Settings
from tests.app.conftest import LIVE_DOCUMENTS, running
from tests.app.rawhttp import chunked_request, request_without_body

READ_KEY = "lees-sleutel-0123456789abcdef"
OTHER_READ_KEY = "andere-lees-sleutel-0123456789"
ADMIN_KEY = "beheer-sleutel-0123456789abcdef"
QUESTION = "Hoeveel basisscholen hadden in 2019 geen schoolleider?"
MB = 1024 * 1024

slow = pytest.mark.slow


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error(response: httpx.Response, status: int, *fragments: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message"}, body
    message = body["error"]["message"]
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return message


@pytest.fixture(scope="module")
def keyed(live_index_home, models_dir):
    """The app over the small live index, with a reading and an admin key (generous rate limits)."""
    settings = Settings(
        _env_file=None, home=live_index_home, model_cache=models_dir,
        api_keys=[READ_KEY, OTHER_READ_KEY], admin_keys=[ADMIN_KEY], rate_limit_questions="1000/minute",
    )
    with running(settings) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield server, client


# -- keys ---------------------------------------------------------------------------------------


@slow
def test_reading_needs_a_key_sent_either_way(keyed):
    _, http = keyed
    for path, body in (("/api/ask", {"question": QUESTION}), ("/api/search", {"query": QUESTION})):
        refused = http.post(path, json=body)
        assert_error(refused, 401, "API-sleutel", "Authorization: Bearer")
        assert refused.headers["www-authenticate"] == "Bearer"
        assert_error(http.post(path, json=body, headers=bearer("fout-0123456789abcdef")), 401, "API-sleutel")
        assert http.post(path, json=body, headers=bearer(READ_KEY)).status_code == 200
        assert http.post(path, json=body, headers={"X-API-Key": READ_KEY}).status_code == 200
        assert http.post(path, json=body, headers={"X-API-Key": ADMIN_KEY}).status_code == 200  # admin reads too
    assert_error(http.get("/v1/models"), 401)
    assert http.get("/v1/models", headers=bearer(READ_KEY)).status_code == 200
    assert_error(http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}), 401)
    assert_error(http.get("/api/documents"), 401)


@slow
def test_the_eval_client_reads_a_keyed_server_with_its_key(keyed):
    from evals.clients import EvalClientError, HttpClient

    server, _ = keyed
    with HttpClient(server.url, retries=0, api_key=READ_KEY) as client:
        answer = client.ask(QUESTION, [], k=5)
    assert not answer.refused and answer.citations
    with HttpClient(server.url, retries=0) as client, pytest.raises(EvalClientError, match="HTTP 401"):
        client.ask(QUESTION, [], k=5)


@slow
def test_unauthenticated_deletes_leave_the_index_whole(keyed):
    """The fuzzer's six DELETEs that emptied the index: now 401, and with a reading key 403."""
    _, http = keyed
    for document in LIVE_DOCUMENTS * 3:
        assert_error(http.delete(f"/api/documents/{document}"), 401)
        assert_error(http.delete(f"/api/documents/{document}", headers=bearer(READ_KEY)), 403, "beheersleutel")
    docs = http.get("/api/documents", headers=bearer(READ_KEY)).json()["documents"]
    assert [d["id"] for d in docs] == sorted(LIVE_DOCUMENTS)
    assert http.post("/api/ask", json={"question": QUESTION}, headers=bearer(READ_KEY)).json()["citations"]
    assert_error(http.delete("/api/documents/bestaat-niet.txt", headers=bearer(ADMIN_KEY)), 404, "niet in de index")


@slow
def test_a_reading_key_cannot_upload_and_the_body_is_not_read(keyed):
    server, http = keyed
    status, _, body = request_without_body(
        server.url, "POST", "/api/documents", 40 * MB,
        {"Content-Type": "multipart/form-data; boundary=x", "Authorization": f"Bearer {READ_KEY}"},
    )
    assert status == 403 and "beheersleutel" in body["error"]["message"]
    status, _, body = request_without_body(server.url, "POST", "/api/documents", 40 * MB, {"Content-Type": "multipart/form-data; boundary=x"})
    assert status == 401
    assert_error(http.get("/api/jobs/abc", headers=bearer(READ_KEY)), 403)


@slow
def test_health_is_open_and_says_nothing_internal(keyed):
    server, http = keyed
    health = http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    assert str(server.settings.home) not in health.text + ready.text


# -- rate limits ----------------------------------------------------------------------------


@slow
def test_rate_limits_per_key_and_per_address_with_retry_after(live_index_home, models_dir):
    settings = Settings(
        _env_file=None, home=live_index_home, model_cache=models_dir, api_keys=[READ_KEY, OTHER_READ_KEY],
        rate_limit_questions="3/minute", rate_limit_other="1000/minute",
    )
    with running(settings) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        for _ in range(3):
            assert http.post("/api/search", json={"query": "schoolleiders"}, headers=bearer(READ_KEY)).status_code == 200
        limited = http.post("/api/search", json={"query": "schoolleiders"}, headers=bearer(READ_KEY))
        message = assert_error(limited, 429, "te veel verzoeken", "seconden")
        assert 1 <= int(limited.headers["retry-after"]) <= 60 and limited.headers["retry-after"] in message
        # Another key has its own budget; no key (or a made-up one) counts against the address.
        assert http.post("/api/search", json={"query": "schoolleiders"}, headers=bearer(OTHER_READ_KEY)).status_code == 200
        for _ in range(3):
            assert http.post("/api/ask", json={"question": QUESTION}, headers=bearer(f"verzonnen-{_}-0123456789")).status_code == 401
        assert_error(http.post("/api/ask", json={"question": QUESTION}, headers=bearer("nog-een-verzonnen-0123456789")), 429)


@slow
def test_the_eval_client_outlasts_a_rate_limit_by_its_retry_after(live_index_home, models_dir, caplog):
    """An evaluation asks far faster than people do: at the server's limit it waits as long as
    `Retry-After` says and goes on, instead of failing the whole run on the first 429."""
    from evals.clients import HttpClient

    settings = Settings(
        _env_file=None, home=live_index_home, model_cache=models_dir, rate_limit_questions="2/second", rate_limit_other="1000/minute",
    )
    answers, walls = [], []
    with running(settings) as server, HttpClient(server.url, retries=2, backoff=0) as client:
        with caplog.at_level(logging.WARNING, logger="evals.clients"):
            for _ in range(5):
                started = time.perf_counter()
                answers.append(client.ask(QUESTION, [], k=5))
                walls.append(time.perf_counter() - started)
    waits = [r for r in caplog.records if "Rate-limited" in r.getMessage()]
    assert len(answers) == 5 and all(a.citations and not a.refused for a in answers)
    assert waits, "five questions at two a second must meet the limit at least once"
    # An answer's latency is its last attempt's, not the wait of at least the 1 s Retry-After before it.
    waited = [a for a, wall in zip(answers, walls) if wall >= 1.0]
    assert waited and all(a.latency_ms < (wall - 1.0) * 1000 + 1 for a, wall in zip(answers, walls) if wall >= 1.0)


# -- body and history limits ------------------------------------------------------------------


@slow
def test_a_huge_question_body_is_refused_before_it_is_read(keyed):
    server, _ = keyed
    for path in ("/api/ask", "/api/search", "/api/ask/stream", "/v1/chat/completions"):
        status, _, body = request_without_body(
            server.url, "POST", path, 56 * MB, {"Content-Type": "application/json", "Authorization": f"Bearer {READ_KEY}"}
        )
        assert status == 413 and "1 MB" in body["error"]["message"], (path, body)


@slow
def test_a_body_without_length_is_cut_off_at_the_limit(keyed):
    server, _ = keyed
    # A million history turns, streamed without Content-Length: about 30 MB of JSON.
    turn = b'{"role": "user", "content": "x"},'
    chunks = [b'{"question": "Wat?", "history": ['] + [turn * 2000] * 500
    status, _, body, sent = chunked_request(
        server.url, "POST", "/api/ask", chunks, {"Content-Type": "application/json", "Authorization": f"Bearer {READ_KEY}"}
    )
    assert status == 413 and "te groot" in body["error"]["message"]
    assert sent < 10 * MB  # the server answered long before the client was done


@slow
def test_history_and_message_counts_are_limited(keyed):
    _, http = keyed
    turns = [{"role": "user", "content": "x"}] * 101
    assert_error(http.post("/api/ask", json={"question": QUESTION, "history": turns}, headers=bearer(READ_KEY)), 422, "history", "hoogstens 100")
    messages = [{"role": "user", "content": "x"}] * 201
    assert_error(http.post("/v1/chat/completions", json={"messages": messages}, headers=bearer(READ_KEY)), 422, "messages", "hoogstens 200")
    long_turn = [{"role": "assistant", "content": "x" * 20_001}]
    assert_error(http.post("/api/ask", json={"question": QUESTION, "history": long_turn}, headers=bearer(READ_KEY)), 422, "history[0].content", "20000")


@slow
def test_an_upload_over_the_limit_is_refused_while_it_streams_and_leaves_nothing(keyed):
    server, http = keyed
    jobs = server.settings.home / "jobs"
    status, _, body = request_without_body(
        server.url, "POST", "/api/documents", 60 * MB,
        {"Content-Type": "multipart/form-data; boundary=grens", "Authorization": f"Bearer {ADMIN_KEY}"},
    )
    assert status == 413 and "te groot" in body["error"]["message"]
    # Streamed without a length: cut off after 50 MB of file, its partial copy removed.
    head = b'--grens\r\nContent-Disposition: form-data; name="file"; filename="groot.txt"\r\n\r\n'
    chunks = [head] + [b"a" * MB] * 60
    status, _, body, sent = chunked_request(
        server.url, "POST", "/api/documents", chunks,
        {"Content-Type": "multipart/form-data; boundary=grens", "Authorization": f"Bearer {ADMIN_KEY}"},
    )
    assert status == 413 and "50 MB" in body["error"]["message"]
    assert not jobs.exists() or list(jobs.iterdir()) == []


@slow
def test_a_broken_upload_form_is_a_422(keyed):
    _, http = keyed
    broken = http.post(
        "/api/documents", content=b"--grens\r\nzomaar wat\r\n", headers={"Content-Type": "multipart/form-data; boundary=grens", **bearer(ADMIN_KEY)},
    )
    assert broken.status_code == 422 and broken.json()["error"]["message"]
    assert_error(http.post("/api/documents", json={"file": "x"}, headers=bearer(ADMIN_KEY)), 422, "file")


# -- invalid Unicode ----------------------------------------------------------------------------


@slow
@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/api/ask", b'{"question": "Hoeveel \\ud800 scholen?"}'),
        ("/api/search", b'{"query": "\\udfff"}'),
        ("/api/ask/stream", b'{"question": "a\\ud800"}'),
        ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "\\ud800"}]}'),
        ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "x"}], "stream": true, "user": "x"}'.replace(b'"x"}]', b'"\\ud800"}]')),
        ("/api/ask", b'{"question": "Wat?", "history": [{"role": "user", "content": "\\udc00"}]}'),
        ("/api/ask", b'{"question": "nul\\u0000teken"}'),
        ("/api/ask", b'{"question": "Wat?", "filters": {"documents": ["\\ud800.txt"]}}'),
    ],
)
def test_lone_surrogates_are_a_dutch_422_never_a_500(keyed, path, raw):
    _, http = keyed
    response = http.post(path, content=raw, headers={"Content-Type": "application/json", **bearer(READ_KEY)})
    assert_error(response, 422, "ongeldige tekens")


@slow
def test_a_body_that_is_no_utf8_is_a_dutch_400(keyed):
    _, http = keyed
    response = http.post("/api/ask", content=b'{"question": "\xff\xfe\xfa"}', headers={"Content-Type": "application/json", **bearer(READ_KEY)})
    assert_error(response, 400, "UTF-8")


# -- the framework's own errors -------------------------------------------------------------


@slow
def test_every_framework_error_is_in_the_error_shape(keyed):
    _, http = keyed
    assert_error(http.request("TRACE", "/"), 405, "TRACE")
    assert_error(http.request("TRACE", "/api/ask"), 405, "TRACE")
    options = http.request("OPTIONS", "/api/ask")
    assert_error(options, 405, "OPTIONS")
    assert options.headers["allow"] == "POST"
    assert_error(http.request("OPTIONS", "/healthz"), 405)
    assert_error(http.get("/bestaat-niet"), 404, "niet gevonden")
    assert_error(http.get("/api/bestaat-niet"), 404, "niet gevonden")
    assert_error(http.put("/api/ask", json={}), 405)
    assert_error(http.post("/api/ask", content=b"{", headers={"Content-Type": "application/json", **bearer(READ_KEY)}), 422, "geen geldige JSON")


@slow
def test_gradio_upload_route_takes_nothing(keyed):
    server, http = keyed
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("gradio*"))
    status, _, body = request_without_body(server.url, "POST", "/gradio_api/upload", 200 * MB, {"Content-Type": "multipart/form-data; boundary=x"})
    assert status == 404 and "chatpagina" in body["error"]["message"]
    small = http.post("/gradio_api/upload", files={"files": ("a.txt", b"hallo", "text/plain")})
    assert_error(small, 404, "chatpagina")
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("gradio*")) == before
    files = server.settings.home / "chat-files"
    assert not files.exists() or not any(files.rglob("a.txt"))


# -- a corrupt index ----------------------------------------------------------------------------


def _copy_index(source: Path, target: Path) -> Path:
    shutil.copytree(source / "chroma", target / "chroma")
    return target


@slow
@pytest.mark.parametrize("damage", ["vectors", "sqlite"])
def test_a_corrupt_index_says_what_is_wrong_and_how_to_rebuild(live_index_home, models_dir, tmp_path, caplog, damage):
    home = _copy_index(live_index_home, tmp_path / "home")
    if damage == "vectors":
        # Vectors live in the HNSW files, and (a small index) still in Chroma's log: both damaged.
        for segment in (home / "chroma").iterdir():
            if segment.is_dir():
                (segment / "header.bin").write_bytes(os.urandom(100))
                with open(segment / "data_level0.bin", "r+b") as f:
                    f.write(os.urandom(4096))
        with closing(sqlite3.connect(home / "chroma" / "chroma.sqlite3")) as db:
            db.execute("UPDATE embeddings_queue SET vector = X'0102'")
            db.commit()
    else:
        with open(home / "chroma" / "chroma.sqlite3", "r+b") as f:
            f.write(b"dit is geen database" * 10)
    settings = Settings(_env_file=None, home=home, model_cache=models_dir)
    with caplog.at_level(logging.ERROR), running(settings) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = assert_error(http.get("/readyz"), 503, "beschadigd", "bronwijzer ingest --rebuild")
        for path, body in (("/api/ask", {"question": QUESTION}), ("/api/search", {"query": QUESTION}), ("/api/ask/stream", {"question": QUESTION})):
            assert_error(http.post(path, json=body), 503, "beschadigd", "bronwijzer ingest --rebuild")
        listing = http.get("/api/documents")
        assert listing.status_code in (200, 503)  # the registry may still be readable when only vectors broke
        for text in (ready, listing.text):
            assert "attribute" not in text and "Rust" not in text and str(home) not in text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "cannot be read" in logged and "bronwijzer ingest --rebuild" in logged


# -- where the server may listen ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_without_keys_serve_refuses_another_address_unless_told(tmp_path, models_dir):
    env = {**os.environ, "BRONWIJZER_HOME": str(tmp_path / "home"), "BRONWIJZER_MODEL_CACHE": str(models_dir)}
    env.pop("BRONWIJZER_API_KEYS", None)
    refused = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", str(_free_port())],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert refused.returncode == 2
    assert "Niet gestart" in refused.stderr and "0.0.0.0" in refused.stderr and "--allow-unauthenticated" in refused.stderr


@slow
@pytest.mark.integration
def test_told_explicitly_serve_listens_everywhere_and_ignores_forged_addresses(tmp_path, models_dir):
    port = _free_port()
    env = {
        **os.environ, "BRONWIJZER_HOME": str(tmp_path / "home"), "BRONWIJZER_MODEL_CACHE": str(models_dir),
        "BRONWIJZER_RATE_LIMIT_OTHER": "5/minute",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", str(port), "--allow-unauthenticated"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                first = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert first.status_code == 200
        # A client that makes up an X-Forwarded-For per request is still one address.
        statuses = [
            httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-For": f"10.0.0.{i}"}, timeout=5).status_code
            for i in range(6)
        ]
        assert statuses.count(429) >= 2, statuses
    finally:
        process.terminate()
        process.communicate(timeout=30)


@slow
def test_password_guessing_on_the_chat_login_is_slowed_down(keyed):
    _, http = keyed
    statuses = [http.post("/login", data={"username": "anna", "password": f"gok-{i}"}).status_code for i in range(12)]
    assert 429 not in statuses[:10] and statuses[10:] == [429, 429], statuses


def test_chat_logins_are_stored_as_scrypt_hashes_made_by_the_cli():
    from typer.testing import CliRunner

    from app.cli import app as cli
    from app.passwords import ChatLogins, verify_password

    result = CliRunner().invoke(cli, ["chat-user", "anna"], input="geheim-wachtwoord\ngeheim-wachtwoord\n")
    assert result.exit_code == 0, result.output
    entry = result.output.strip().splitlines()[-1]
    name, hashed = entry.split(":", 1)
    assert name == "anna" and hashed.startswith("scrypt$") and "geheim" not in entry
    assert verify_password("geheim-wachtwoord", hashed) and not verify_password("geheim", hashed)
    logins = ChatLogins(Settings(_env_file=None, chat_users=[entry]).chat_users)
    assert logins.check("anna", "geheim-wachtwoord") and not logins.check("bert", "geheim-wachtwoord")
    key = CliRunner().invoke(cli, ["api-key"]).output.strip()
    assert len(key) >= 40 and Settings(_env_file=None, api_keys=[key]).api_keys == [key]


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"api_keys": "kort"}, "at least 16"),
        ({"chat_users": "anna:geheim"}, "bronwijzer chat-user"),
        ({"rate_limit_questions": "veel"}, "120/minute"),
        ({"slack_response_origins": "hooks.slack.com"}, "https://hooks.slack.com"),
    ],
)
def test_nonsense_access_settings_are_refused_at_start(values, fragment):
    with pytest.raises(ValueError, match=fragment):
        Settings(_env_file=None, **values)
