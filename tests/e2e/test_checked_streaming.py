"""Nothing unchecked reaches a user, on any door: SSE, REST, /v1 (streaming and not), Slack, the chat page.

The whole app runs for real (uvicorn on loopback, over the small live index of tests/app) in
LLM mode against `ScriptedLLM`, an OpenAI-compatible server of our own that copies a
supported sentence from source [1] and then writes a planted sentence with a number that is in
no passage (see tests/e2e/scripted_llm.py for why a scripted model is needed here; the real
model runs in tests/e2e/test_llm_server.py). Slack itself cannot run here: its side is the
loopback `SlackReceiver` of tests/app. The chat page runs in headless Chromium.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from urllib.parse import urlencode

import httpx
import openai
import pytest

from app.slack import ACK_TEXT
from rag.answer.citation_check import check_sentence, split_sentences
from rag.answer.llm import NOTE_PARTIAL, NOTE_UNAVAILABLE
from rag.settings import Settings
from rag.types import Chunk, Passage
from tests.app.conftest import live_index_home, running  # noqa: F401
from tests.app.slack_receiver import SlackReceiver, sign
from tests.e2e.scripted_llm import PLANTED_NUMBER, ScriptedLLM
from tests.e2e.test_chat_browser import ANSWER_TIMEOUT_MS, browser  # noqa: F401

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    # The chat page is mounted in these apps: see tests/e2e/test_chat_browser.py for these two.
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated:pandas.errors.Pandas4Warning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"),
]

QUESTION = "Hoeveel basisscholen hadden in 2019 geen schoolleider?"
SECRET = "checked-streaming-signing-secret"


@pytest.fixture(scope="module")
def scripted():
    llm = ScriptedLLM().start()
    yield llm
    llm.stop()


@pytest.fixture(scope="module")
def receiver():
    slack = SlackReceiver().start()
    yield slack
    slack.stop()


def llm_settings(home, models_dir, base_url: str, receiver: SlackReceiver, **overrides) -> Settings:
    values = dict(
        home=home, model_cache=models_dir,
        llm_base_url=base_url, llm_model="scripted", llm_timeout=20, llm_max_retries=0,
        slack_signing_secret=SECRET, slack_bot_token="xoxb-test", slack_api_url=receiver.api_url, slack_response_origins=[receiver.url],
    )
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture(scope="module")
def app(live_index_home, models_dir, scripted, receiver):  # noqa: F811
    with running(llm_settings(live_index_home, models_dir, scripted.base_url, receiver)) as server:
        yield server


def sse_events(body: str) -> list[tuple[str, str]]:
    events = []
    for block in body.strip().split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data.append(line[len("data: "):])
        events.append((name, "\n".join(data)))
    return events


def assert_planted_was_written(scripted: ScriptedLLM, since: int) -> None:
    """The model really wrote the planted sentence for this request: the test would catch a leak."""
    assert any(PLANTED_NUMBER in reply for reply in scripted.replies[since:]), "the scripted model was not asked"


def test_sse_sends_the_checked_sentence_and_never_the_planted_one(app, scripted):
    since = len(scripted.replies)
    with httpx.Client(base_url=app.url, timeout=60) as http:
        with http.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
            body = response.read().decode()
    assert_planted_was_written(scripted, since)
    assert PLANTED_NUMBER not in body and "4750" not in body
    events = sse_events(body)
    names = [name for name, _ in events]
    assert names[-1] == "answer" and set(names[:-1]) == {"delta"}
    answer = json.loads(events[-1][1])
    deltas = [json.loads(data)["text"] for name, data in events if name == "delta"]
    assert "".join(deltas) == answer["answer"]
    assert answer["mode"] == "llm" and answer["note"] == NOTE_PARTIAL
    assert scripted.replies[-1].split(" [1].")[0] in answer["answer"]  # the supported sentence got through


def test_rest_and_v1_never_carry_the_planted_sentence(app, scripted):
    since = len(scripted.replies)
    with httpx.Client(base_url=app.url, timeout=60) as http:
        rest = http.post("/api/ask", json={"question": QUESTION})
    client = openai.OpenAI(base_url=f"{app.url}/v1", api_key="unused", timeout=60, max_retries=0)
    messages = [{"role": "user", "content": QUESTION}]
    whole = client.chat.completions.create(model="bronwijzer", messages=messages)
    chunks = list(client.chat.completions.create(model="bronwijzer", messages=messages, stream=True))
    client.close()
    assert len(scripted.replies) - since == 3
    assert_planted_was_written(scripted, since)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert rest.status_code == 200 and rest.json()["mode"] == "llm"
    for shown in (rest.text, whole.model_dump_json(), streamed, json.dumps([c.model_extra for c in chunks])):
        assert PLANTED_NUMBER not in shown
    assert rest.json()["answer"] in streamed and rest.json()["answer"] in whole.choices[0].message.content
    assert NOTE_PARTIAL in streamed


def test_slack_never_posts_the_planted_sentence(app, scripted, receiver):
    since = len(scripted.replies)
    name = f"checked-{uuid.uuid4().hex[:8]}"
    body = urlencode({
        "command": "/bronwijzer", "text": QUESTION, "response_url": receiver.response_url(name), "user_id": "U1",
        "channel_id": "C1", "team_id": "T1", "trigger_id": uuid.uuid4().hex,
    }).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SECRET)}
    ack = httpx.post(f"{app.url}/slack/commands", content=body, headers=headers, timeout=10)
    assert ack.json()["text"] == ACK_TEXT
    (posted,) = receiver.wait(lambda: receiver.responses_at(name), timeout=60)
    assert_planted_was_written(scripted, since)
    assert PLANTED_NUMBER not in posted.body.decode()
    message = posted.json
    assert "[1]" in message["text"]
    assert any(NOTE_PARTIAL in json.dumps(block, ensure_ascii=False) for block in message["blocks"])


@pytest.mark.browser
def test_the_chat_page_never_shows_the_planted_sentence(app, scripted, browser):  # noqa: F811
    since = len(scripted.replies)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(app.url + "/")
        page.wait_for_selector("#bw-question textarea")
        # Every state the conversation passes through, recorded as it happens.
        page.evaluate("""() => {
            window.__seen = [];
            const chat = document.querySelector('#bw-chat');
            new MutationObserver(() => window.__seen.push(chat.innerText)).observe(
                chat, {childList: true, subtree: true, characterData: true});
        }""")
        page.fill("#bw-question textarea", QUESTION)
        page.get_by_role("button", name="Vraag", exact=True).click()
        final = page.locator("#bw-chat .bw-answer:not(.bw-pending):not(.bw-streaming)")
        final.first.wait_for(timeout=ANSWER_TIMEOUT_MS)
        seen = page.evaluate("window.__seen")
        text = final.first.locator(".bw-text").inner_text()
    finally:
        context.close()
    assert_planted_was_written(scripted, since)
    assert seen and not any(PLANTED_NUMBER in state for state in seen)
    assert "[1]" in text and NOTE_PARTIAL.split(";")[0] in "\n".join(seen)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("endpoint", ["dead", "stalled"])
def test_a_dead_or_stalled_endpoint_falls_back_within_the_timeout(endpoint, live_index_home, models_dir, scripted, receiver):  # noqa: F811
    timeout = 3.0
    base_url = f"http://127.0.0.1:{_closed_port()}/v1" if endpoint == "dead" else scripted.base_url
    settings = llm_settings(live_index_home, models_dir, base_url, receiver, llm_timeout=timeout)
    with running(settings) as server, scripted.stalled():
        started = time.perf_counter()
        with httpx.Client(base_url=server.url, timeout=60) as http:
            with http.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
                body = response.read().decode()
        elapsed = time.perf_counter() - started
    events = sse_events(body)
    assert events[0] == ("note", json.dumps({"text": NOTE_UNAVAILABLE}, ensure_ascii=False))
    answer = json.loads(events[-1][1])
    assert answer["mode"] == "extractive" and answer["note"] == NOTE_UNAVAILABLE
    assert "1 op de 20" in answer["answer"]
    deltas = "".join(json.loads(data)["text"] for name, data in events if name == "delta")
    assert deltas == answer["answer"]
    # Within the configured timeout, plus retrieval and the extractive answer (well under a second warm).
    assert elapsed < timeout + 3.0, f"fell back after {elapsed:.1f} s"


def test_every_sentence_sent_passes_the_check_on_its_own(app, scripted):
    """Re-check what was sent, sentence by sentence, against the passages the answer cites."""
    with httpx.Client(base_url=app.url, timeout=60) as http:
        answer = http.post("/api/ask", json={"question": QUESTION}).json()
    passages = [Passage(Chunk(p["document"], i, p["text"], 0, len(p["text"])), p["score"], i + 1) for i, p in enumerate(answer["passages"])]
    assert answer["mode"] == "llm"
    for sentence in split_sentences(answer["answer"]):
        assert check_sentence(sentence, passages).supported, sentence
