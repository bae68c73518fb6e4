"""The REST API and the OpenAI-compatible `/v1`, over real HTTP against the running app."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time

import httpx
import openai
import pytest

from app.errors import validation_message
from evals.clients import HttpClient
from ingest.jobs import document_name
from rag.answer.citation_check import split_sentences
from rag.engine import REFUSAL_TEXT
from rag.errors import IngestError, UnsupportedFormatError
from tests.app.conftest import LIVE_DOCUMENTS

QUESTION = "Hoeveel basisscholen hadden in 2019 geen schoolleider?"
UNANSWERABLE = "Welk land won het WK voetbal van 2010?"
PASSAGE_FIELDS = {"document": str, "title": str, "section": (str, type(None)), "page": (int, type(None)), "text": str, "score": float, "url": (str, type(None))}
NOTE = "# Notitie leesbevordering Zuiderhaven\n\nDe gemeente Zuiderhaven investeert in 2025 twaalf miljoen euro in leesbevordering op basisscholen.\n"


@pytest.fixture(scope="module")
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


def assert_error(response: httpx.Response, status: int, *fragments: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message"}
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return message


def assert_passage(item: dict, *, citation: bool = False) -> None:
    expected = set(PASSAGE_FIELDS) | ({"marker"} if citation else set())
    assert set(item) == expected
    for name, kind in PASSAGE_FIELDS.items():
        assert isinstance(item[name], kind), (name, item[name])
    if citation:
        assert isinstance(item["marker"], int) and item["marker"] >= 1


def sse_events(response: httpx.Response) -> list[tuple[str | None, str]]:
    """(event name, data) pairs of a text/event-stream body."""
    events = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        events.append((name, "\n".join(data)))
    return events


# -- fast: the edge's own helpers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("notitie.md", "notitie.md"),
        ("../../etc/Beleid nota 2024.PDF", "Beleid-nota-2024.PDF"),
        ("C:\\Users\\x\\één rapport.docx", "één-rapport.docx"),
        ("..\\.verborgen.txt", "verborgen.txt"),
        ("é€漢字.txt", "é€漢字.txt"),
        ("e\u0301\u0000\u200b:x?.md", "é-x-.md"),
    ],
)
def test_upload_names_keep_their_letters_and_stay_in_the_folder(raw, expected):
    assert document_name(raw) == expected


@pytest.mark.parametrize(("raw", "error"), [("", IngestError), ("...", IngestError), (".md", IngestError), ("script.exe", UnsupportedFormatError), ("geen-extensie", UnsupportedFormatError)])
def test_unusable_upload_names_are_refused(raw, error):
    with pytest.raises(error):
        document_name(raw)


def test_validation_messages_are_dutch():
    message = validation_message([
        {"type": "missing", "loc": ("body", "question")},
        {"type": "literal_error", "loc": ("body", "history", 0, "role"), "ctx": {"expected": "'user' or 'assistant'"}},
    ])
    assert message == (
        "Ongeldige aanvraag: Het veld 'question' ontbreekt. "
        "Ongeldige waarde voor 'history[0].role': kies uit 'user' of 'assistant'."
    )


# -- over HTTP: the live server ---------------------------------------------------------------

slow = pytest.mark.slow


@slow
def test_ask_returns_the_contract(http):
    response = http.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "refused", "mode", "citations", "passages", "timings_ms", "note", "uncertain", "rewritten"}
    assert isinstance(body["uncertain"], bool)
    assert not body["uncertain"] or "onzeker" in body["note"]  # an uncertain answer says so
    assert body["rewritten"] is None  # not a follow-up
    assert isinstance(body["answer"], str) and "1 op de 20" in body["answer"]
    assert body["refused"] is False and body["mode"] == "extractive"
    assert body["note"] is None or isinstance(body["note"], str)
    assert body["citations"] and body["passages"]
    for citation in body["citations"]:
        assert_passage(citation, citation=True)
    for passage in body["passages"]:
        assert_passage(passage)
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", body["answer"])}
    assert markers == {c["marker"] for c in body["citations"]}
    assert body["citations"][0]["document"] == LIVE_DOCUMENTS[0]
    # A citation is one of the passages, and [n] is the n-th passage in rank order.
    for citation in body["citations"]:
        cited = {k: v for k, v in citation.items() if k != "marker"}
        assert body["passages"][citation["marker"] - 1] == cited
    assert all(isinstance(v, float) for v in body["timings_ms"].values())
    assert {"retrieve", "compose", "total"} <= set(body["timings_ms"])


@slow
def test_ask_takes_history_filters_and_top_k(http):
    body = http.post("/api/ask", json={
        "question": "Tot hoeveel koppels moet dat groeien?",
        "history": [
            {"role": "user", "content": "Wat is cross-mentoring in het actieplan?"},
            {"role": "assistant", "content": "Een koppeling van schooldirecteuren."},
        ],
        "filters": {"documents": [LIVE_DOCUMENTS[0]], "publishers": [], "year_from": 2019, "year_to": 2021},
        "top_k": 3,
    }).json()
    assert 0 < len(body["passages"]) <= 3
    assert {p["document"] for p in body["passages"]} == {LIVE_DOCUMENTS[0]}
    assert any("1.000" in p["text"] for p in body["passages"])


@slow
def test_unanswerable_question_is_refused_with_closest_passages(http):
    body = http.post("/api/ask", json={"question": UNANSWERABLE}).json()
    assert body["refused"] is True
    assert body["answer"].startswith(REFUSAL_TEXT)
    assert body["citations"] == [] and body["passages"]


@slow
def test_stream_sends_deltas_then_the_answer(http):
    with http.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[-1] == "answer" and names.count("answer") == 1
    assert set(names[:-1]) == {"delta"}
    texts = [json.loads(data)["text"] for name, data in events if name == "delta"]
    streamed = json.loads(events[-1][1])
    plain = http.post("/api/ask", json={"question": QUESTION}).json()
    assert "".join(texts) == streamed["answer"]
    # Sentence by sentence: every delta is a whole sentence with its marker.
    assert len(texts) == len(split_sentences(streamed["answer"]))
    assert all(re.search(r"\[\d+\][.!?]?$", t.strip()) for t in texts), texts
    for field in ("answer", "refused", "mode", "citations", "passages", "note", "rewritten"):
        assert streamed[field] == plain[field], field
    assert streamed["rewritten"] is None


@slow
def test_a_follow_up_streams_the_question_it_was_rewritten_into_first(http):
    body = {
        "question": "Tot hoeveel koppels moet dat groeien?",
        "history": [{"role": "user", "content": "Wat is cross-mentoring in het actieplan?"}],
    }
    with http.stream("POST", "/api/ask/stream", json=body) as response:
        response.read()
    events = sse_events(response)
    assert events[0][0] == "rewritten"
    rewritten = json.loads(events[0][1])["question"]
    assert "mentoring" in rewritten and rewritten != body["question"]
    assert json.loads(events[-1][1])["rewritten"] == rewritten
    assert http.post("/api/ask", json=body).json()["rewritten"] == rewritten


@slow
def test_stream_refuses_bad_input_before_streaming(http):
    assert_error(http.post("/api/ask/stream", json={"question": " "}), 422, "leeg")


@slow
def test_search_returns_ranked_passages(http):
    response = http.post("/api/search", json={"query": "cross-mentoring schoolleiders", "top_k": 4})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"passages"} and 0 < len(body["passages"]) <= 4
    for passage in body["passages"]:
        assert_passage(passage)
    assert body["passages"][0]["document"] == LIVE_DOCUMENTS[0]
    filtered = http.post("/api/search", json={"query": "leraren", "filters": {"year_from": 2030}}).json()
    assert filtered == {"passages": []}


@slow
def test_search_takes_question_like_ask_does(http):
    as_query = http.post("/api/search", json={"query": "cross-mentoring schoolleiders", "top_k": 3}).json()
    as_question = http.post("/api/search", json={"question": "cross-mentoring schoolleiders", "top_k": 3}).json()
    assert as_question == as_query and as_query["passages"]
    assert_error(http.post("/api/search", json={}), 422, "query")


@slow
def test_documents_are_listed(http):
    response = http.get("/api/documents")
    assert response.status_code == 200
    docs = response.json()["documents"]
    assert [d["id"] for d in docs] == sorted(LIVE_DOCUMENTS)
    first = docs[0]
    assert set(first) == {"id", "title", "publisher", "year", "chunks", "format", "pages", "url"}
    assert first["title"] == "Actieplan Schooldirecteur Topprioriteit!" and first["year"] == 2020
    assert first["url"].startswith("https://")  # the publication's address, from the manifest
    assert first["format"] == "txt" and first["chunks"] > 10 and first["pages"] is None


def upload(http, name: str, data: bytes, *, replace: bool = False, **headers) -> httpx.Response:
    params = {"replace": "true"} if replace else {}
    return http.post("/api/documents", params=params, files={"file": (name, data, "text/plain")}, headers=headers)


def wait_for_job(http, response: httpx.Response, timeout: float = 180, **headers) -> dict:
    """Follow a 202's job until it has finished; its final state."""
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/jobs/{job['id']}"
    deadline = time.monotonic() + timeout
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job {job['id']} still {job['state']} after {timeout} s"
        time.sleep(0.2)
        job = http.get(f"/api/jobs/{job['id']}", headers=headers).json()
    return job


@slow
def test_upload_is_a_job_and_delete_removes_it(http, live_server):
    uploads = live_server.settings.home / "uploads"
    accepted = upload(http, "Notitie Zuiderhaven.md", NOTE.encode())
    assert accepted.json()["state"] in ("queued", "running") and accepted.json()["document_id"] == "Notitie-Zuiderhaven.md"
    try:
        job = wait_for_job(http, accepted)
        assert job["state"] == "succeeded" and job["outcome"] == "indexed", job
        assert job["document"]["id"] == "Notitie-Zuiderhaven.md"
        assert job["document"]["title"] == "Notitie leesbevordering Zuiderhaven"
        assert job["document"]["chunks"] == 1 and job["document"]["format"] == "md"
        assert job["done"] == job["total"] == 1 and job["stage"] == "klaar"
        assert (uploads / "Notitie-Zuiderhaven.md").read_text(encoding="utf-8") == NOTE
        ids = [d["id"] for d in http.get("/api/documents").json()["documents"]]
        assert "Notitie-Zuiderhaven.md" in ids
        answer = http.post("/api/ask", json={"question": "Hoeveel investeert Zuiderhaven in leesbevordering?"}).json()
        assert answer["citations"][0]["document"] == "Notitie-Zuiderhaven.md"
        assert "twaalf miljoen" in answer["answer"]

        # The same name again is refused, not silently replaced; replacing is a choice.
        assert_error(upload(http, "Notitie Zuiderhaven.md", b"Andere tekst."), 409, "Notitie-Zuiderhaven.md", "replace=true")
        same = wait_for_job(http, upload(http, "Notitie Zuiderhaven.md", NOTE.encode(), replace=True))
        assert same["state"] == "succeeded" and same["outcome"] == "unchanged"
        # A broken new version fails its job, and the old one stays, on disk and in the index.
        broken = wait_for_job(http, upload(http, "Notitie Zuiderhaven.md", b"   \n", replace=True))
        assert broken["state"] == "failed" and "leeg" in broken["message"] and broken["document"] is None
        assert (uploads / "Notitie-Zuiderhaven.md").read_text(encoding="utf-8") == NOTE
        assert "Notitie-Zuiderhaven.md" in [d["id"] for d in http.get("/api/documents").json()["documents"]]
    finally:
        deleted = http.delete("/api/documents/Notitie-Zuiderhaven.md")
    assert deleted.status_code == 200
    assert deleted.json()["deleted"]["id"] == "Notitie-Zuiderhaven.md"
    assert [d["id"] for d in http.get("/api/documents").json()["documents"]] == sorted(LIVE_DOCUMENTS)
    assert not (uploads / "Notitie-Zuiderhaven.md").exists()
    assert sorted(p.name for p in uploads.iterdir()) == []
    assert list((live_server.settings.home / "jobs").iterdir()) == []
    assert_error(http.delete("/api/documents/Notitie-Zuiderhaven.md"), 404, "Notitie-Zuiderhaven.md")


@slow
def test_corrupt_pdf_fails_its_job_and_the_index_is_unchanged(http, live_server):
    before = http.get("/api/documents").json()
    response = http.post("/api/documents", files={"file": ("rapport.pdf", b"%PDF-1.7\n1 0 obj <<\nkapot", "application/pdf")})
    job = wait_for_job(http, response)
    assert job["state"] == "failed" and "rapport.pdf" in job["message"] and "PDF" in job["message"]
    assert str(live_server.settings.home) not in job["message"]  # the user's name, not the server's path
    assert http.get("/api/documents").json() == before
    uploads = live_server.settings.home / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


@slow
def test_upload_refusals(http, live_server):
    assert_error(http.post("/api/documents", files={"file": ("programma.exe", b"MZ...", "application/octet-stream")}), 422, "niet ondersteund")
    assert_error(http.post("/api/documents", data={"naam": "x"}), 422, "'file' ontbreekt")
    too_big = b"a" * (live_server.settings.max_upload_bytes + 1)
    assert_error(http.post("/api/documents", files={"file": ("groot.txt", too_big, "text/plain")}), 413, "50 MB")
    assert list((live_server.settings.home / "jobs").iterdir()) == []  # nothing of them left on disk


@slow
def test_healthz_says_nothing_and_readyz_runs_a_search(http):
    health = http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


@slow
@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ({"question": "   "}, ["vraag", "leeg"]),
        ({"question": QUESTION, "history": [{"role": "bot", "content": "hoi"}]}, ["history[0].role", "kies uit 'user' of 'assistant'"]),
        ({"question": QUESTION, "top_k": 0}, ["top_k", "minstens 1"]),
        ({"question": QUESTION, "top_k": 500}, ["top_k", "hoogstens 50"]),
        ({"question": QUESTION, "top_k": "veel"}, ["top_k", "geheel getal"]),
        ({"question": QUESTION, "filters": {"year_from": 2024, "year_to": 2020}}, ["beginjaar"]),
        ({"question": QUESTION, "filters": {"jaar": 2020}}, ["onbekend veld", "filters.jaar"]),
        ({"history": []}, ["'question' ontbreekt"]),
        ({"question": 42}, ["'question' moet tekst zijn"]),
    ],
)
def test_bad_questions_get_422_in_dutch(http, body, fragments):
    assert_error(http.post("/api/ask", json=body), 422, *fragments)


@slow
def test_malformed_json_gets_422_in_dutch(http):
    broken = http.post("/api/ask", content=b'{"question": "Wat', headers={"content-type": "application/json"})
    assert_error(broken, 422, "geen geldige JSON")
    assert_error(http.post("/api/search", content=b"", headers={"content-type": "application/json"}), 422, "geen inhoud")


@slow
def test_unknown_paths_and_methods_get_the_error_shape(http):
    assert_error(http.delete("/api/documents/bestaat-niet.txt"), 404, "bestaat-niet.txt", "niet in de index")
    assert_error(http.get("/api/bestaat-niet"), 404, "niet gevonden")
    assert_error(http.post("/v1/completions", json={}), 404, "niet gevonden")
    refused = http.get("/api/ask")
    assert_error(refused, 405, "GET")
    assert refused.headers["allow"] == "POST"


@slow
def test_openapi_docs_are_served(http):
    assert http.get("/docs").status_code == 200
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/ask/stream", "/api/search", "/api/documents", "/api/documents/{document_id}", "/api/jobs/{job_id}", "/healthz", "/readyz", "/v1/chat/completions", "/v1/models"} <= set(paths)


@slow
def test_evals_http_client_reads_the_contract(live_server):
    with HttpClient(live_server.url, retries=0) as client:
        answer = client.ask(QUESTION, [], k=5)
    assert not answer.refused and answer.citations and answer.citations[0].passage.document == LIVE_DOCUMENTS[0]


# -- OpenAI-compatible /v1, with the official client ------------------------------------------


@pytest.fixture(scope="module")
def openai_client(live_server):
    with openai.OpenAI(base_url=f"{live_server.url}/v1", api_key="niet-nodig", max_retries=0, timeout=60) as client:
        yield client


@slow
def test_openai_client_lists_the_model(openai_client):
    assert [m.id for m in openai_client.models.list()] == ["bronwijzer"]


@slow
def test_openai_client_gets_the_answer_with_its_sources(openai_client, http):
    completion = openai_client.chat.completions.create(
        model="bronwijzer",
        messages=[
            {"role": "system", "content": "Antwoord altijd in het Engels."},  # ignored
            {"role": "user", "content": QUESTION},
        ],
    )
    assert completion.object == "chat.completion" and completion.model == "bronwijzer"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    answer, _, sources = choice.message.content.partition("\n\nBronnen:\n")
    plain = http.post("/api/ask", json={"question": QUESTION}).json()
    assert answer == plain["answer"]
    first = plain["citations"][0]
    # "[1] title, section — https://…": the publication's address after the place
    assert sources.splitlines()[0] == f"[{first['marker']}] {first['title']}, {first['section']} — {first['url']}"
    assert len(sources.splitlines()) == len(plain["citations"])
    assert completion.model_extra["bronwijzer"]["citations"] == plain["citations"]


@slow
def test_openai_client_streams_the_same_reply(openai_client):
    messages = [
        {"role": "user", "content": "Wat is cross-mentoring in het actieplan?"},
        {"role": "assistant", "content": "Een koppeling van schooldirecteuren."},
        {"role": "user", "content": [{"type": "text", "text": "Tot hoeveel koppels moet dat groeien?"}]},
    ]
    whole = openai_client.chat.completions.create(model="bronwijzer", messages=messages)
    chunks = list(openai_client.chat.completions.create(model="bronwijzer", messages=messages, stream=True))
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == whole.choices[0].message.content
    assert "1.000" in text and "\n\nBronnen:\n[1] " in text
    # The last chunk carries the whole answer, with the question the follow-up was rewritten into.
    assert chunks[-1].model_extra["bronwijzer"] == whole.model_extra["bronwijzer"] | {"timings_ms": chunks[-1].model_extra["bronwijzer"]["timings_ms"]}
    assert "mentoring" in chunks[-1].model_extra["bronwijzer"]["rewritten"]


@slow
def test_openai_client_gets_dutch_errors(openai_client):
    with pytest.raises(openai.UnprocessableEntityError, match="laatste bericht"):
        openai_client.chat.completions.create(model="bronwijzer", messages=[{"role": "assistant", "content": "Hallo"}])
    with pytest.raises(openai.UnprocessableEntityError, match="leeg"):
        openai_client.chat.completions.create(model="bronwijzer", messages=[{"role": "user", "content": ""}], stream=True)


# -- other apps: an empty index, a failing engine ---------------------------------------------


@slow
def test_empty_index_gets_503_and_healthz_still_answers(make_settings, start_live_server):
    server = start_live_server(make_settings())
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for path, body in (("/api/ask", {"question": QUESTION}), ("/api/search", {"query": QUESTION}), ("/api/ask/stream", {"question": QUESTION})):
            assert_error(client.post(path, json=body), 503, "nog niets geïndexeerd", "bronwijzer ingest")
        assert client.get("/healthz").json() == {"status": "ok"}
        assert_error(client.get("/readyz"), 503, "nog niets geïndexeerd", "bronwijzer ingest")
        assert client.get("/api/documents").json() == {"documents": []}
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key="x", max_retries=0) as oa:
        with pytest.raises(openai.InternalServerError, match="nog niets geïndexeerd"):
            oa.chat.completions.create(model="bronwijzer", messages=[{"role": "user", "content": QUESTION}])


@slow
def test_unexpected_error_is_a_dutch_500_logged_once_in_english(make_settings, start_live_server, caplog):
    from rag.pipeline import build

    parts = build(make_settings())

    def broken(*args, **kwargs):
        raise RuntimeError("index kapot")

    parts.engine.ask = broken
    server = start_live_server(components=parts)
    with caplog.at_level(logging.ERROR):
        response = httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=30)
    message = assert_error(response, 500, "onverwachts")
    assert "index kapot" not in message and "RuntimeError" not in message
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].getMessage() == "Unexpected error while handling POST /api/ask"
    assert records[0].exc_info and records[0].exc_info[0] is RuntimeError


@slow
def test_a_slow_answer_does_not_block_other_requests(make_settings, start_live_server):
    from rag.pipeline import build
    from rag.types import Answer

    parts = build(make_settings())
    entered, release = threading.Event(), threading.Event()

    def slow_ask(question, **kwargs):
        entered.set()
        release.wait(10)
        return Answer(question, REFUSAL_TEXT, (), (), refused=True)

    parts.engine.ask = slow_ask
    server = start_live_server(components=parts)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        result = {}
        asking = threading.Thread(target=lambda: result.update(r=client.post("/api/ask", json={"question": QUESTION})))
        asking.start()
        assert entered.wait(10)  # the answer is being "computed" now
        assert client.get("/healthz").status_code == 200
        assert asking.is_alive()  # the answer is still being "computed"
        release.set()
        asking.join(10)
    assert result["r"].status_code == 200 and result["r"].json()["refused"] is True


# -- the command ---------------------------------------------------------------------------


@slow
@pytest.mark.integration
def test_bronwijzer_serve_starts_the_app(tmp_path, models_dir):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "BRONWIJZER_HOME": str(tmp_path / "home"), "BRONWIJZER_MODEL_CACHE": str(models_dir), "BRONWIJZER_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "bronwijzer serve did not start"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in output
