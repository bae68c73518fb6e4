"""Both clients over one contract: the in-process engine and the REST API on loopback."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from evals.clients import EngineClient, EvalAnswer, EvalClientError, HttpClient
from rag.types import Turn
from tests.evals.conftest import OTHER, RECORDS, ScriptedEngine, contract_json, engine_server, good_script, serve

Q1 = RECORDS[0]["question"]


@contextmanager
def make_client(kind: str, engine: ScriptedEngine) -> Iterator[object]:
    if kind == "engine":
        yield EngineClient(engine)
    else:
        with engine_server(engine) as (url, _), HttpClient(url, backoff=0) as client:
            yield client


@pytest.mark.parametrize("kind", ["engine", "http"])
def test_contract_every_client_normalises_the_same_answer(kind):
    engine = ScriptedEngine(good_script())
    with make_client(kind, engine) as client:
        answer = client.ask(Q1, [Turn("user", "Vorige vraag"), Turn("assistant", "Vorig antwoord")], 2)
    assert isinstance(answer, EvalAnswer) and answer.latency_ms > 0
    assert answer.text == "Sinds 1998 [1]; de huidige dateert uit 2019 [1]." and not answer.refused
    assert answer.mode == "extractive" and answer.timings_ms == {"retrieve": 1.0}
    assert [p.text for p in answer.passages] == [OTHER, good_script()[Q1].passages[1]]  # top_k = 2, in rank order
    assert [p.page for p in answer.passages] == [1, 2]
    assert answer.passages[0].document == "doc-a.txt" and answer.passages[0].section == "1 Inleiding"
    assert [(c.marker, c.passage.text) for c in answer.citations] == [(1, answer.passages[1].text)]
    # The history and k reached the engine unchanged.
    assert engine.calls == [(Q1, [Turn("user", "Vorige vraag"), Turn("assistant", "Vorig antwoord")], 2)]


def test_both_clients_give_equal_answers_apart_from_latency():
    results = []
    for kind in ("engine", "http"):
        with make_client(kind, ScriptedEngine(good_script())) as client:
            results.append(dataclasses.replace(client.ask(Q1, [], 5), latency_ms=0.0))
    assert results[0] == results[1]


def test_http_client_retries_a_server_that_is_starting():
    engine = ScriptedEngine(good_script())
    statuses = iter([503, 502])

    def respond(path, body):
        status = next(statuses, 200)
        if status != 200:
            return status, {"detail": "even geduld"}
        return 200, contract_json(engine.ask(body["question"], [], k=body["top_k"]))

    with serve(respond) as (url, requests), HttpClient(url + "/", retries=2, backoff=0) as client:
        assert client.ask(Q1, [], 5).text.startswith("Sinds 1998")
    assert len(requests) == 3
    assert requests[0] == ("/api/ask", {"question": Q1, "history": [], "top_k": 5})


def test_http_client_names_the_setting_when_the_rate_limit_outlasts_its_retries():
    with serve(lambda path, body: (429, {"error": {"message": "Te veel verzoeken achter elkaar."}})) as (url, requests):
        with HttpClient(url, retries=1, backoff=0) as client, pytest.raises(EvalClientError, match="HTTP 429.*BRONWIJZER_RATE_LIMIT_QUESTIONS"):
            client.ask(Q1, [], 5)
    assert len(requests) == 2


def test_http_client_does_not_retry_a_client_error_and_names_it():
    with serve(lambda path, body: (422, {"detail": "top_k te groot"})) as (url, requests):
        with HttpClient(url, backoff=0) as client, pytest.raises(EvalClientError, match="HTTP 422.*top_k te groot"):
            client.ask(Q1, [], 500)
    assert len(requests) == 1


def test_http_client_refuses_a_response_outside_the_contract():
    with serve(lambda path, body: (200, {"antwoord": "?"})) as (url, _):
        with HttpClient(url) as client, pytest.raises(EvalClientError, match="REST-contract"):
            client.ask(Q1, [], 5)
    with serve(lambda path, body: (200, b"<html>oeps</html>")) as (url, _):
        with HttpClient(url) as client, pytest.raises(EvalClientError, match="REST-contract"):
            client.ask(Q1, [], 5)


def test_http_client_says_what_to_do_when_nothing_listens():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with HttpClient(f"http://127.0.0.1:{port}", retries=1, backoff=0) as client:
        with pytest.raises(EvalClientError, match="niet bereikbaar.*--url"):
            client.ask(Q1, [], 5)


def test_http_client_rejects_a_url_without_scheme():
    with pytest.raises(ValueError, match="url must start with http"):
        HttpClient("localhost:8000")
