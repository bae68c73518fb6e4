"""The Slack webhook (`app.slack`) over real HTTP, and its Block Kit messages.

Slack itself cannot run here. The tests sign real requests with a test signing secret,
exactly as Slack does, and send them to the router served by uvicorn on loopback; a real
HTTP server on loopback (`tests/app/slack_receiver.py`) stands in for the slash command's
`response_url` and for Slack's Web API (`chat.postMessage`, `conversations.replies`,
`auth.test`). The tests assert what arrives there. The engine is real: over an empty
index (its Dutch error is what gets posted) or, for the `slow` tests, over the small index
of two corpus documents from `tests/app/conftest.py`; one test goes through the whole app
(`app.server.create_app`).

"Nothing was posted" is asserted once the app has provably finished with every request it
acknowledged: the router's `SlackAnswerer` counts the background work it submitted and
finished, and `settled` waits (with a timeout) until the two are equal. Work is submitted
before the acknowledgement is sent, so no answer can still be on its way after that; no
test waits a fixed time hoping that nothing arrives.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from app.errors import install_error_handling
from app.slack import ACK_TEXT, SeenKeys, SlackAnswerer, create_slack_router
from app.slack_blocks import SECTION_LIMIT, answer_message, escape_mrkdwn, plain_from_slack, split_sections
from rag.engine import REFUSAL_TEXT
from rag.pipeline import build
from rag.settings import Settings
from rag.types import Answer, Chunk, Citation, Passage
from tests.app.slack_receiver import SlackReceiver, serve_app, sign

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
#: The longest a test waits for the app's background work (an empty-index answer takes ~0.1 s once warm).
SETTLE_TIMEOUT = 30.0


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def receiver():
    receiver = SlackReceiver().start()
    yield receiver
    receiver.stop()


def _settings(home, models_dir, receiver, **overrides) -> Settings:
    # The receiver plays Slack, so its origin is the one response_urls may point at.
    values = dict(
        home=home, model_cache=models_dir, slack_signing_secret=SECRET, slack_bot_token=TOKEN,
        slack_api_url=receiver.api_url, slack_response_origins=[receiver.url],
    )
    return Settings(_env_file=None, **(values | overrides))


@dataclass(frozen=True)
class SlackServer:
    """The Slack router served on loopback (`url`), and the answerer doing its background work."""

    url: str
    answerer: SlackAnswerer


@contextmanager
def _serve(settings: Settings, engine=None) -> Iterator[SlackServer]:
    app = FastAPI()
    install_error_handling(app)  # as in the whole app: errors in the {"error": ...} shape
    answerer = SlackAnswerer(engine or build(settings).engine, settings)
    app.include_router(create_slack_router(answerer.engine, settings, answerer))
    with serve_app(app) as url:
        yield SlackServer(url, answerer)


def settled(server: SlackServer) -> None:
    """Wait until the app has finished every request it acknowledged (its answers, if any, posted)."""
    assert server.answerer.wait_idle(SETTLE_TIMEOUT), f"the Slack app's background work did not finish within {SETTLE_TIMEOUT} s"


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory, models_dir, receiver):
    """The router over a real engine with nothing indexed: every question gets its Dutch error."""
    with _serve(_settings(tmp_path_factory.mktemp("empty"), models_dir, receiver)) as server:
        yield server


@pytest.fixture(scope="module")
def engine(live_index_home, models_dir):
    """A real engine over the session's small index (two corpus documents, `tests/app/conftest.py`)."""
    engine = build(Settings(_env_file=None, home=live_index_home, model_cache=models_dir)).engine
    engine.warm_up()
    return engine


@pytest.fixture(scope="module")
def answering_server(engine, models_dir, receiver):
    with _serve(_settings(engine.settings.home, models_dir, receiver), engine) as server:
        yield server


def post_command(url: str, text: str, response_url: str, secret: str = SECRET, **headers) -> httpx.Response:
    body = urlencode({
        "command": "/bronwijzer", "text": text, "response_url": response_url, "user_id": "U1", "user_name": "ans",
        "channel_id": "C1", "team_id": "T1", "trigger_id": uuid.uuid4().hex,
    }).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret), **headers}
    return httpx.post(f"{url}/slack/commands", content=body, headers=headers, timeout=10)


def post_event(url: str, event: dict, event_id: str | None = None, secret: str = SECRET, timestamp: int | None = None, **headers) -> httpx.Response:
    payload = {
        "type": "event_callback", "team_id": "T1", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
        "event_time": int(time.time()), "authorizations": [{"user_id": "UBOT", "is_bot": True}], "event": event,
    }
    body = json.dumps(payload).encode()
    return httpx.post(f"{url}/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body, secret, timestamp), **headers}, timeout=10)


def dm(channel: str, text: str, ts: str = "1700000000.000100", **extra) -> dict:
    return {"type": "message", "channel_type": "im", "channel": channel, "user": "U1", "text": text, "ts": ts, **extra}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def blocks_of(kind: str, message: dict) -> list[dict]:
    return [b for b in message["blocks"] if b["type"] == kind]


def assert_block_kit_answer(message: dict) -> str:
    """Sections within Slack's limit, a context block with sources, 👍/👎 buttons; returns the answer text."""
    sections = blocks_of("section", message)
    assert sections and all(len(s["text"]["text"]) <= SECTION_LIMIT for s in sections)
    assert len(message["blocks"]) <= 50
    sources = blocks_of("context", message)[-1]["elements"][0]["text"]
    assert "[1] Actieplan Schooldirecteur Topprioriteit!" in sources
    (actions,) = blocks_of("actions", message)
    up, down = actions["elements"]
    assert (up["type"], down["type"]) == ("button", "button")
    assert up["text"]["text"].startswith("👍") and down["text"]["text"].startswith("👎")
    assert up["value"] == down["value"] and up["value"]
    return "\n".join(s["text"]["text"] for s in sections)


# --- verification: nothing unsigned gets an answer ------------------------------------------


def test_url_verification_returns_the_challenge(empty_server):
    body = json.dumps({"type": "url_verification", "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}).encode()
    response = httpx.post(f"{empty_server.url}/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body, SECRET)})
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "no signature", "signature of another body", "timestamp not a number"],
)
def test_badly_signed_requests_get_401_and_nothing_is_posted(empty_server, receiver, tamper):
    name, channel = unique("bad-"), unique("D")
    secret = "another-secret" if tamper == "wrong secret" else SECRET
    extra = {}
    if tamper == "no signature":
        extra = {"X-Slack-Signature": ""}
    elif tamper == "signature of another body":
        extra = sign(b"text=something+else", SECRET)
    elif tamper == "timestamp not a number":
        extra = {"X-Slack-Request-Timestamp": "gisteren"}
    submitted = empty_server.answerer.submitted
    command = post_command(empty_server.url, "Wat is cross-mentoring?", receiver.response_url(name), secret=secret, **extra)
    event = post_event(empty_server.url, dm(channel, "Wat is cross-mentoring?"), secret=secret, **extra)
    assert (command.status_code, event.status_code) == (401, 401)
    assert "ondertekend" in command.text
    settled(empty_server)
    assert empty_server.answerer.submitted == submitted  # no work was even started
    assert receiver.responses_at(name) == [] and receiver.posts_to(channel) == []


def test_a_signed_request_older_than_five_minutes_is_refused(empty_server, receiver):
    name = unique("stale-")
    body = urlencode({"command": "/bronwijzer", "text": "Wat is cross-mentoring?", "response_url": receiver.response_url(name)}).encode()
    for age, status in ((301, 401), (200, 200)):
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SECRET, int(time.time()) - age)}
        assert httpx.post(f"{empty_server.url}/slack/commands", content=body, headers=headers).status_code == status
    # Only the fresh one (200) gets an answer.
    receiver.wait(lambda: receiver.responses_at(name))
    settled(empty_server)
    assert len(receiver.responses_at(name)) == 1


def test_without_a_signing_secret_every_request_is_refused(tmp_path, models_dir, receiver):
    name, channel = unique("nosecret-"), unique("D")
    with _serve(_settings(tmp_path, models_dir, receiver, slack_signing_secret=None)) as server:
        command = post_command(server.url, "Wat is cross-mentoring?", receiver.response_url(name))
        event = post_event(server.url, dm(channel, "Wat is cross-mentoring?"))
        settled(server)
    assert (command.status_code, event.status_code) == (503, 503)
    assert "BRONWIJZER_SLACK_SIGNING_SECRET" in command.text and "BRONWIJZER_SLACK_SIGNING_SECRET" in event.text
    assert server.answerer.submitted == 0
    assert receiver.responses_at(name) == [] and receiver.posts_to(channel) == []


# --- slash commands -------------------------------------------------------------------------


def test_empty_slash_command_gets_a_usage_hint_and_no_answer(empty_server, receiver):
    name = unique("empty-")
    submitted = empty_server.answerer.submitted
    response = post_command(empty_server.url, "   ", receiver.response_url(name))
    assert response.status_code == 200
    hint = response.json()
    assert hint["response_type"] == "ephemeral"
    assert "/bronwijzer" in hint["text"] and "vraag" in hint["text"]
    settled(empty_server)
    assert empty_server.answerer.submitted == submitted
    assert receiver.responses_at(name) == []


def test_an_engine_error_is_posted_to_the_response_url_in_dutch(empty_server, receiver):
    name = unique("error-")
    response = post_command(empty_server.url, "Wat is cross-mentoring?", receiver.response_url(name))
    assert response.json() == {"response_type": "ephemeral", "text": ACK_TEXT}
    (posted,) = receiver.wait(lambda: receiver.responses_at(name))
    message = posted.json
    assert "Er is nog niets geïndexeerd" in message["text"]
    assert "Er is nog niets geïndexeerd" in message["blocks"][0]["text"]["text"]
    assert not blocks_of("actions", message)


@pytest.mark.slow
def test_slash_command_is_acknowledged_at_once_then_answered_in_block_kit(answering_server, receiver):
    name = unique("cmd-")
    started = time.perf_counter()
    response = post_command(answering_server.url, "Hoeveel basisscholen hadden in 2019 geen schoolleider?", receiver.response_url(name))
    acked = time.perf_counter() - started
    assert response.status_code == 200 and response.json() == {"response_type": "ephemeral", "text": ACK_TEXT}
    assert acked < 3.0
    (posted,) = receiver.wait(lambda: receiver.responses_at(name), timeout=60)
    message = posted.json
    assert message["response_type"] == "ephemeral"
    assert "1 op de 20" in assert_block_kit_answer(message)
    assert "1 op de 20" in message["text"]  # the notification text
    assert "Hoeveel basisscholen" in blocks_of("context", message)[0]["elements"][0]["text"]


@pytest.mark.slow
def test_a_refused_question_gets_the_refusal_and_the_closest_passages(answering_server, receiver):
    name = unique("refused-")
    post_command(answering_server.url, "Hoeveel kost een treinkaartje van Utrecht naar Parijs?", receiver.response_url(name))
    message = receiver.wait(lambda: receiver.responses_at(name))[0].json
    assert blocks_of("section", message)[0]["text"]["text"].startswith(REFUSAL_TEXT)
    sources = blocks_of("context", message)[-1]["elements"][0]["text"]
    assert sources.startswith("*Dichtstbijzijnde passages*") and "[1] " in sources


# --- events: mentions and direct messages ----------------------------------------------------


@pytest.mark.slow
def test_a_mention_in_a_thread_is_answered_there_with_the_thread_as_history(answering_server, receiver, engine):
    channel, thread_ts, ts = unique("C"), "1700000100.000100", "1700000300.000100"
    follow_up = "Tot hoeveel koppels moet dat groeien?"
    assert engine.ask(follow_up).refused  # on its own the follow-up cannot be answered
    receiver.threads[thread_ts] = [
        {"type": "message", "user": "U1", "text": "<@UBOT> Wat is cross-mentoring in het actieplan?", "ts": thread_ts, "thread_ts": thread_ts},
        {"type": "message", "user": "UBOT", "bot_id": "B1", "text": "Een koppeling van schooldirecteuren aan leidinggevenden uit andere sectoren. [1]", "ts": "1700000200.000100", "thread_ts": thread_ts},
        {"type": "message", "user": "U1", "text": f"<@UBOT> {follow_up}", "ts": ts, "thread_ts": thread_ts},
    ]
    event = {"type": "app_mention", "channel": channel, "user": "U1", "text": f"<@UBOT> {follow_up}", "ts": ts, "thread_ts": thread_ts}
    started = time.perf_counter()
    assert post_event(answering_server.url, event).status_code == 200
    assert time.perf_counter() - started < 3.0
    (posted,) = receiver.wait(lambda: receiver.posts_to(channel))
    assert posted.headers["authorization"] == f"Bearer {TOKEN}"
    message = posted.params
    assert message["thread_ts"] == thread_ts
    assert "1.000" in assert_block_kit_answer(message)
    (replies,) = receiver.received(lambda r: r.path == "/api/conversations.replies" and r.params.get("channel") == channel)
    assert replies.params["ts"] == thread_ts and replies.headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.slow
def test_a_direct_message_is_answered_in_its_thread(answering_server, receiver):
    channel, ts = unique("D"), "1700000400.000100"
    assert post_event(answering_server.url, dm(channel, "Hoeveel basisscholen hadden in 2019 geen schoolleider?", ts)).status_code == 200
    (posted,) = receiver.wait(lambda: receiver.posts_to(channel))
    assert posted.params["thread_ts"] == ts
    assert "1 op de 20" in assert_block_kit_answer(posted.params)
    # A top-level message starts a thread: there is no history to fetch.
    assert not receiver.received(lambda r: r.path == "/api/conversations.replies" and r.params.get("channel") == channel)


def test_retries_and_duplicate_event_ids_are_answered_once(empty_server, receiver):
    channel, event_id = unique("D"), unique("Ev")
    event = dm(channel, "Wat is cross-mentoring?")
    now = int(time.time())
    # Slack signs each delivery anew (a retry has its own timestamp); the event id is the same.
    assert post_event(empty_server.url, event, event_id, timestamp=now - 2).status_code == 200
    assert post_event(empty_server.url, event, event_id, timestamp=now - 1, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status_code == 200
    assert post_event(empty_server.url, event, event_id, timestamp=now).status_code == 200  # the same event twice
    receiver.wait(lambda: receiver.posts_to(channel))
    settled(empty_server)
    assert len(receiver.posts_to(channel)) == 1


def test_a_retry_of_an_event_never_seen_is_answered(empty_server, receiver):
    """The first delivery may never have arrived (or the process restarted): the retry is the event."""
    channel = unique("D")
    assert post_event(empty_server.url, dm(channel, "Wat is cross-mentoring?"), **{"X-Slack-Retry-Num": "1"}).status_code == 200
    (posted,) = receiver.wait(lambda: receiver.posts_to(channel))
    assert "Er is nog niets geïndexeerd" in posted.params["text"]


@pytest.mark.parametrize(
    "event",
    [
        dm("DSKIP", "Hallo", bot_id="B1"),  # a bot's message
        dm("DSKIP", "Hallo", user="UBOT"),  # the bot's own message
        dm("DSKIP", "Hallo", subtype="message_changed"),
        {**dm("DSKIP", "Hallo"), "channel_type": "channel"},  # a channel message without a mention
        {"type": "reaction_added", "user": "U1", "reaction": "thumbsup", "channel": "DSKIP", "ts": "1.0"},
    ],
    ids=["bot", "own", "edit", "channel", "reaction"],
)
def test_events_that_are_no_questions_are_acknowledged_and_ignored(empty_server, receiver, event):
    channel = unique("D")
    event = {**event, "channel": channel}
    submitted = empty_server.answerer.submitted
    assert post_event(empty_server.url, event).status_code == 200
    settled(empty_server)
    assert empty_server.answerer.submitted == submitted
    assert receiver.posts_to(channel) == []


def test_a_direct_message_that_also_mentions_the_bot_is_answered_once(empty_server, receiver):
    channel, ts = unique("D"), "1700000500.000100"
    assert post_event(empty_server.url, dm(channel, "<@UBOT> Wat is cross-mentoring?", ts)).status_code == 200
    assert post_event(empty_server.url, {"type": "app_mention", "channel": channel, "user": "U1", "text": "<@UBOT> Wat is cross-mentoring?", "ts": ts}).status_code == 200
    receiver.wait(lambda: receiver.posts_to(channel))
    settled(empty_server)
    assert len(receiver.posts_to(channel)) == 1


def test_without_a_bot_token_events_are_acknowledged_and_the_log_says_why(tmp_path, models_dir, receiver, caplog):
    channel = unique("D")
    with caplog.at_level(logging.WARNING, logger="app.slack"):
        with _serve(_settings(tmp_path, models_dir, receiver, slack_bot_token=None)) as server:
            assert post_event(server.url, dm(channel, "Wat is cross-mentoring?")).status_code == 200
            settled(server)
    assert server.answerer.submitted == 0
    assert receiver.posts_to(channel) == []
    assert any("not answered" in r.getMessage() and "BRONWIJZER_SLACK_BOT_TOKEN" in r.getMessage() for r in caplog.records)


# --- Block Kit messages and the event cache, without HTTP -----------------------------------


def _passage(rank: int, title: str = "Actieplan <Schooldirecteur> & co", page: int | None = 3, url: str | None = None) -> Passage:
    chunk = Chunk(document_id="actieplan.txt", index=rank, text="x", start=0, end=1, section="2 Speerpunten", page=page, title=title)
    return Passage(chunk=chunk, score=1.0 / rank, rank=rank, url=url)


def test_a_source_links_to_its_publication_and_one_without_address_does_not():
    linked = _passage(1, url="https://voorbeeld.nl/actieplan?deel=1&druk=2")
    odd = _passage(2, url="javascript:alert(1)|klik")
    answer = Answer(question="Wat?", text="Zin. [1] [2]", citations=(Citation(1, linked), Citation(2, odd)), passages=(linked, odd))
    sources = answer_message(answer, "q1")["blocks"][-2]["elements"][0]["text"]
    lines = sources.split("\n")
    assert lines[1] == (
        "[1] Actieplan &lt;Schooldirecteur&gt; &amp; co, 2 Speerpunten, p. 3 — "
        "<https://voorbeeld.nl/actieplan?deel=1&amp;druk=2|publicatie>"
    )
    assert lines[2] == "[2] Actieplan &lt;Schooldirecteur&gt; &amp; co, 2 Speerpunten, p. 3"


def test_a_long_answer_is_split_into_sections_at_sentence_ends_within_the_limit():
    sentence = "De schoolleider is de spil van de school, zegt het actieplan <2020> & meer. "
    text = sentence * 120 + "\n\n" + "Laatste alinea. [1]"
    answer = Answer(question="Wat?", text=text, citations=(Citation(1, _passage(1)),), passages=(_passage(1), _passage(2)))
    message = answer_message(answer, "q123")
    sections = [b["text"]["text"] for b in blocks_of("section", message)]
    assert len(sections) >= 4 and all(len(s) <= SECTION_LIMIT for s in sections)
    assert all(s.endswith(("meer.", "[1]")) for s in sections)  # never cut mid-sentence
    assert "".join(sections).replace(" ", "").replace("\n", "") == escape_mrkdwn(text).replace(" ", "").replace("\n", "")
    assert "&lt;2020&gt; &amp; meer" in sections[0] and "<" not in "".join(sections)
    sources = blocks_of("context", message)[-1]["elements"][0]["text"]
    assert sources == "*Bronnen*\n[1] Actieplan &lt;Schooldirecteur&gt; &amp; co, 2 Speerpunten, p. 3"
    assert blocks_of("actions", message)[0]["elements"][0]["value"] == "q123"


def test_a_run_without_spaces_is_cut_but_never_inside_an_escape():
    pieces = split_sections(escape_mrkdwn("&" * 1000), limit=SECTION_LIMIT)
    assert all(len(p) <= SECTION_LIMIT and p.endswith("&amp;") for p in pieces)
    assert "".join(pieces) == "&amp;" * 1000


def test_a_huge_answer_stays_within_fifty_blocks():
    answer = Answer(question="Wat?", text="Zin. " * 40_000, citations=(), passages=(_passage(1, page=None),), refused=True)
    message = answer_message(answer, "q1", show_question=True)
    assert len(message["blocks"]) == 50 and blocks_of("section", message)[-1]["text"]["text"] == "…"
    assert blocks_of("context", message)[-1]["elements"][0]["text"].endswith("2 Speerpunten")  # no page, no "p."
    assert len(message["text"]) <= SECTION_LIMIT


def test_slack_markup_is_read_as_the_user_typed_it():
    text = "<@UBOT> Wat zegt <@U2|jan> in <#C1|algemeen> over &lt;3 &amp; <https://x.nl|dit stuk>?"
    assert plain_from_slack(text, "UBOT") == "Wat zegt @jan in #algemeen over <3 & dit stuk?"


def test_seen_keys_forget_after_the_ttl_and_stay_bounded():
    now = [0.0]
    seen = SeenKeys(ttl=60, max_size=3, clock=lambda: now[0])
    assert seen.first_time("a") and not seen.first_time("a")
    now[0] = 61
    assert seen.first_time("a")
    for key in "bcd":
        assert seen.first_time(key)
    assert seen.first_time("a")  # pushed out by b, c, d


@pytest.mark.slow
def test_the_whole_app_serves_the_slack_endpoints(start_live_server, live_index_home, models_dir, receiver):
    server = start_live_server(_settings(live_index_home, models_dir, receiver))
    name = unique("app-")
    assert post_command(server.url, "Hoeveel basisscholen hadden in 2019 geen schoolleider?", receiver.response_url(name)).json()["text"] == ACK_TEXT
    (posted,) = receiver.wait(lambda: receiver.responses_at(name))
    assert "1 op de 20" in assert_block_kit_answer(posted.json)
    refused = post_command(server.url, "Wat is cross-mentoring?", receiver.response_url(name), secret="another-secret")
    assert refused.status_code == 401 and "ondertekend" in refused.text


# --- feedback buttons -----------------------------------------------------------------------


def post_interaction(url: str, payload: dict, secret: str = SECRET) -> httpx.Response:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret)}
    return httpx.post(f"{url}/slack/interactions", content=body, headers=headers, timeout=10)


@pytest.mark.slow
def test_a_thumbs_up_click_is_stored_with_the_answer_and_thanked(answering_server, receiver, engine):
    from app.feedback import FeedbackStore

    question = "Hoeveel basisscholen hadden in 2019 geen schoolleider?"
    name, thanks = unique("fb-"), unique("thanks-")
    post_command(answering_server.url, question, receiver.response_url(name))
    (posted,) = receiver.wait(lambda: receiver.responses_at(name), timeout=60)
    (actions,) = blocks_of("actions", posted.json)
    up = actions["elements"][0]
    click = {"type": "block_actions", "user": {"id": "U1"}, "response_url": receiver.response_url(thanks),
             "actions": [{"action_id": up["action_id"], "value": up["value"], "type": "button"}]}

    assert post_interaction(answering_server.url, click, secret="wrong-secret").status_code == 401
    response = post_interaction(answering_server.url, click)
    assert response.status_code == 200
    (thanked,) = receiver.wait(lambda: receiver.responses_at(thanks), timeout=10)
    assert thanked.json["text"] == "Bedankt voor uw feedback."
    rows = [r for r in FeedbackStore.for_settings(engine.settings).all() if r.question == question and r.comment == "via Slack"]
    assert len(rows) == 1 and rows[0].rating == "up"
    assert "1 op de 20" in rows[0].answer
    assert rows[0].cited_documents == ("actieplan-schooldirecteur-topprioriteit-2020.txt",)


# --- attacks: replays, clocks, shapes, where answers go, oversized bodies ---------------------


def _signed_command(receiver, name: str, timestamp: int | None = None, response_url: str | None = None) -> tuple[bytes, dict]:
    body = urlencode({
        "command": "/bronwijzer", "text": "Wat is cross-mentoring?", "response_url": response_url or receiver.response_url(name),
        "team_id": "T1", "channel_id": "C1", "trigger_id": uuid.uuid4().hex,
    }).encode()
    return body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SECRET, timestamp)}


def test_a_replayed_signed_request_is_answered_once(empty_server, receiver):
    name = unique("replay-")
    body, headers = _signed_command(receiver, name)
    first, *replays = [httpx.post(f"{empty_server.url}/slack/commands", content=body, headers=headers) for _ in range(3)]
    assert first.status_code == 200 and first.json()["text"] == ACK_TEXT
    for replay in replays:
        assert replay.status_code == 401 and "al eerder ontvangen" in replay.json()["error"]["message"]
    receiver.wait(lambda: receiver.responses_at(name))
    settled(empty_server)  # nothing else may arrive
    assert len(receiver.responses_at(name)) == 1


@pytest.mark.parametrize("skew", [-310, 310], ids=["past", "future"])
def test_a_timestamp_more_than_five_minutes_off_either_way_is_refused(empty_server, receiver, skew):
    name = unique("skew-")
    submitted = empty_server.answerer.submitted
    body, headers = _signed_command(receiver, name, int(time.time()) + skew)
    response = httpx.post(f"{empty_server.url}/slack/commands", content=body, headers=headers)
    assert response.status_code == 401 and "5 minuten" in response.json()["error"]["message"]
    settled(empty_server)
    assert empty_server.answerer.submitted == submitted
    assert receiver.responses_at(name) == []


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/slack/events", json.dumps({"type": "event_callback", "event_id": "Ev1", "event": "een tekst"}), "application/json"),
        ("/slack/events", json.dumps({"type": "event_callback", "event": {"type": "message"}, "authorizations": "x"}), "application/json"),
        ("/slack/events", json.dumps([1, 2]), "application/json"),
        ("/slack/events", json.dumps({"type": "event_callback", "event": {"type": "message", "text": "\ud800"}}), "application/json"),
        ("/slack/interactions", urlencode({"payload": "[1]"}), "application/x-www-form-urlencoded"),
        ("/slack/interactions", urlencode({"payload": json.dumps({"actions": "klik"})}), "application/x-www-form-urlencoded"),
        ("/slack/events", json.dumps({"type": "event_callback", "event": {"type": "message", "channel": "D1", "ts": 1.5}}), "application/json"),
    ],
    ids=["event-is-a-string", "authorizations-not-a-list", "payload-is-a-list", "lone-surrogate", "interaction-is-a-list", "actions-not-a-list", "ts-is-a-number"],
)
def test_signed_but_malformed_payloads_get_400_in_dutch(empty_server, path, body, content_type):
    data = body.encode()
    response = httpx.post(f"{empty_server.url}{path}", content=data, headers={"Content-Type": content_type, **sign(data, SECRET)})
    assert response.status_code == 400, response.text  # never a 500
    assert "Slack-verzoek heeft niet de verwachte vorm" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "target",
    ["own-api", "elsewhere", "userinfo-trick", "not-a-url"],
)
def test_response_url_must_point_at_slack(empty_server, receiver, target):
    port = urlsplit(receiver.url).port
    url = {
        "own-api": f"{empty_server.url}/api/documents/staat-van-het-onderwijs-2024.txt",
        "elsewhere": "https://example.org/hook",
        "userinfo-trick": f"http://127.0.0.1:{port}@example.org/response/x",
        "not-a-url": "http://[::1",
    }[target]
    body, headers = _signed_command(receiver, "x", response_url=url)
    response = httpx.post(f"{empty_server.url}/slack/commands", content=body, headers=headers)
    assert response.status_code == 400 and "response_url" in response.json()["error"]["message"]
    click = {"type": "block_actions", "response_url": url, "actions": []}
    data = urlencode({"payload": json.dumps(click)}).encode()
    refused = httpx.post(f"{empty_server.url}/slack/interactions", content=data, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(data, SECRET)})
    assert refused.status_code == 400


def test_an_oversized_unsigned_body_is_refused_before_it_is_read(empty_server):
    from tests.app.rawhttp import request_without_body

    status, headers, body = request_without_body(
        empty_server.url, "POST", "/slack/events", 200 * 1024 * 1024, {"Content-Type": "application/json"}
    )
    assert status == 413 and "te groot" in body["error"]["message"]
