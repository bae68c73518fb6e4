"""The Slack-style webhook: slash commands and the Events API (mentions, direct messages).

Every request is checked against the app's signing secret before its body is parsed.
Slack wants an answer within 3 seconds, so both endpoints acknowledge at once and the
engine (synchronous, CPU-bound) answers on a small thread pool: a slash command through
its `response_url`, a mention or direct message in its thread through `chat.postMessage`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from app.feedback import FeedbackStore
from app.schemas import Text
from app.slack_blocks import FEEDBACK_DOWN, FEEDBACK_UP, answer_message, plain_from_slack, text_message
from rag.errors import BronwijzerError
from rag.types import Answer, Turn, sha256_hex

if TYPE_CHECKING:
    from rag.engine import Engine
    from rag.settings import Settings

logger = logging.getLogger(__name__)

ACK_TEXT = "Even zoeken…"
NO_SECRET = (
    "De Slack-koppeling is niet ingesteld: de beheerder moet BRONWIJZER_SLACK_SIGNING_SECRET "
    "zetten (het signing secret van de Slack-app)."
)
BAD_SIGNATURE = (
    "Dit verzoek is niet (geldig) door Slack ondertekend, of de tijdstempel wijkt meer dan 5 minuten af."
)
REPLAYED = "Dit ondertekende verzoek is al eerder ontvangen; een herhaling wordt niet nog eens uitgevoerd."
BAD_SHAPE = "Het Slack-verzoek heeft niet de verwachte vorm"
BAD_RESPONSE_URL = (
    "De response_url van dit verzoek wijst niet naar Slack; Bronwijzer stuurt antwoorden alleen naar "
    "de adressen in BRONWIJZER_SLACK_RESPONSE_ORIGINS."
)
ANSWER_FAILED = "Er ging iets mis bij het beantwoorden van je vraag. Probeer het later nog eens."
MENTION_HINT = "Stel je vraag na de vermelding, bijvoorbeeld: _@Bronwijzer Hoeveel basisscholen hadden in 2019 geen schoolleider?_"
#: Slash command answers are seen by the asker only, like the acknowledgement.
COMMAND_RESPONSE_TYPE = "ephemeral"

#: Slack retries an event up to three times within minutes; an hour covers that with room.
SEEN_TTL_SECONDS = 3600.0
#: A signature is valid for 5 minutes either way of its timestamp: remembered for that window.
SIGNATURE_TTL_SECONDS = 600.0
SEEN_MAX = 10_000
#: Questions answered at once: the engine is CPU-bound and the host has two cores.
WORKERS = 2
MAX_THREAD_MESSAGES = 1000
POST_TIMEOUT_SECONDS = 10


# -- payloads: validated before anything is done with them ----------------------------------


class _Payload(BaseModel):
    # Slack sends many fields Bronwijzer does not use; only the ones it does are checked.
    model_config = ConfigDict(extra="allow")


class SlashCommand(_Payload):
    command: str = ""
    text: Text = ""
    response_url: str | None = None
    team_id: str | None = None
    channel_id: str | None = None
    trigger_id: str | None = None
    ssl_check: str | None = None


class SlackEvent(_Payload):
    type: str
    channel: str | None = None
    channel_type: str | None = None
    user: str | None = None
    bot_id: str | None = None
    subtype: str | None = None
    text: Text = ""
    ts: str | None = None
    thread_ts: str | None = None


class SlackAuthorization(_Payload):
    user_id: str | None = None


class EventEnvelope(_Payload):
    type: str
    challenge: str | None = None
    event_id: str | None = None
    team_id: str | None = None
    event: SlackEvent | None = None
    authorizations: list[SlackAuthorization] = Field(default_factory=list, max_length=100)


class InteractionAction(_Payload):
    action_id: str | None = None
    value: str | None = None


class Interaction(_Payload):
    type: str | None = None
    response_url: str | None = None
    actions: list[InteractionAction] = Field(default_factory=list, max_length=50)


def _parse(model: type[BaseModel], data) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "(geheel)" for e in exc.errors()})[:5]
        raise HTTPException(400, f"{BAD_SHAPE}: {', '.join(fields)} klopt niet.") from None


def allowed_response_url(url: str, origins: list[str]) -> bool:
    """True when `url` points at one of the `origins` (scheme, host and port must all match)."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return False
    if parts.username or parts.password or not parts.hostname:
        return False
    for origin in origins:
        allowed = urlsplit(origin)
        allowed_port = allowed.port or {"https": 443, "http": 80}.get(allowed.scheme)
        if (parts.scheme, parts.hostname, port) == (allowed.scheme, allowed.hostname, allowed_port):
            return True
    return False


def usage_hint(command: str) -> str:
    command = command or "/bronwijzer"
    return (
        f"Stel een vraag over de onderwijsbeleidsdocumenten, bijvoorbeeld:\n"
        f"`{command} Hoeveel basisscholen hadden in 2019 geen schoolleider?`"
    )


class SeenKeys:
    """A bounded cache of keys (event ids, messages) seen in the last `ttl` seconds."""

    def __init__(self, ttl: float = SEEN_TTL_SECONDS, max_size: int = SEEN_MAX, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_size, self.clock = ttl, max_size, clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """Remember `key`; True when it was not seen within the TTL."""
        now = self.clock()
        with self._lock:
            while self._seen and (len(self._seen) >= self.max_size or next(iter(self._seen.values())) <= now - self.ttl):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class SlackAnswerer:
    """The work after the acknowledgement: ask the engine and post the answer where it belongs."""

    def __init__(self, engine: "Engine", settings: "Settings") -> None:
        self.engine = engine
        token = settings.slack_bot_token
        base_url = settings.slack_api_url.rstrip("/") + "/"
        self.client = WebClient(token=token, base_url=base_url, timeout=POST_TIMEOUT_SECONDS) if token else None
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="bronwijzer-slack")
        self._bot_user_id: str | None = None
        # Recent answers by question id, so that a 👍/👎 click can be stored with what it rates.
        self._answered: OrderedDict[str, tuple[str, Answer]] = OrderedDict()
        self._answered_lock = threading.Lock()
        # Background work submitted and finished, so a caller can know it is all done (`wait_idle`).
        self._work = threading.Condition()
        self.submitted = 0
        self.finished = 0

    def remember(self, question_id: str, question: str, answer: Answer) -> None:
        with self._answered_lock:
            self._answered[question_id] = (question, answer)
            while len(self._answered) > SEEN_MAX:
                self._answered.popitem(last=False)

    def answered(self, question_id: str) -> tuple[str, Answer] | None:
        with self._answered_lock:
            return self._answered.get(question_id)

    def submit(self, work: Callable[..., None], *args) -> Future:
        with self._work:
            self.submitted += 1
        future = self._executor.submit(work, *args)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        _log_failure(future)
        with self._work:
            self.finished += 1
            self._work.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every piece of submitted work has finished (posted its answer, or failed);
        False when some is still running after `timeout` seconds."""
        with self._work:
            return self._work.wait_for(lambda: self.finished == self.submitted, timeout)

    def compose(self, question: str, history: list[Turn], question_id: str, show_question: bool = False) -> dict:
        """The answer as a Block Kit message, or a Dutch message saying what went wrong."""
        logger.info("Slack question %s: %r (%d earlier turns)", question_id, question, len(history))
        try:
            answer = self.engine.ask(question, history=history)
        except BronwijzerError as exc:
            logger.warning("Slack question %s not answered: %s", question_id, exc.message)
            return text_message(exc.message)
        except Exception:
            logger.exception("Slack question %s failed", question_id)
            return text_message(ANSWER_FAILED)
        logger.info("Slack question %s answered in %.0f ms (refused=%s)", question_id, answer.timings_ms.get("total", 0), answer.refused)
        self.remember(question_id, question, answer)
        return answer_message(answer, question_id, show_question=show_question)

    def answer_command(self, question: str, response_url: str, question_id: str) -> None:
        message = self.compose(question, [], question_id, show_question=True)
        post_to_response_url(response_url, {"response_type": COMMAND_RESPONSE_TYPE, **message})

    def answer_event(self, event: Mapping, bot_user_id: str | None, question_id: str) -> None:
        assert self.client is not None
        bot_user_id = bot_user_id or self.bot_user_id()
        channel, ts = event["channel"], event["ts"]
        question = plain_from_slack(event.get("text", ""), bot_user_id)
        if not question:
            message = text_message(MENTION_HINT)
        else:
            history = self.thread_history(channel, event["thread_ts"], ts, bot_user_id) if event.get("thread_ts") else []
            message = self.compose(question, history, question_id)
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or ts, unfurl_links=False, **message)
        except SlackApiError as exc:
            logger.warning("chat.postMessage to %s failed: %s", channel, exc.response.get("error"))

    def bot_user_id(self) -> str | None:
        """The bot's own user id (from `auth.test`), when the event did not say."""
        if self._bot_user_id is None and self.client is not None:
            try:
                self._bot_user_id = self.client.auth_test().get("user_id")
            except SlackApiError as exc:
                logger.warning("auth.test failed (%s); the bot's own mentions stay in the text", exc.response.get("error"))
        return self._bot_user_id

    def thread_history(self, channel: str, thread_ts: str, before_ts: str, bot_user_id: str | None) -> list[Turn]:
        """Earlier messages of the thread as turns: the bot's are the assistant's, the rest the user's."""
        assert self.client is not None
        turns: list[Turn] = []
        try:
            count = 0
            for page in self.client.conversations_replies(channel=channel, ts=thread_ts, limit=200):
                for message in page.get("messages", []):
                    count += 1
                    if float(message.get("ts", 0)) >= float(before_ts):
                        continue
                    text = plain_from_slack(message.get("text", ""), bot_user_id)
                    own = bool(message.get("bot_id")) or (bot_user_id is not None and message.get("user") == bot_user_id)
                    if text:
                        turns.append(Turn("assistant" if own else "user", text))
                if count >= MAX_THREAD_MESSAGES:
                    break
        except SlackApiError as exc:
            logger.warning(
                "conversations.replies failed (%s); answering without the thread's history "
                "(the bot needs the channels:history/im:history scopes)", exc.response.get("error"),
            )
        return turns


THANKS_MESSAGE = {"response_type": "ephemeral", "replace_original": False, "text": "Bedankt voor uw feedback."}


def post_to_response_url(url: str, body: dict) -> None:
    """POST a message to a slash command's `response_url`; failures are logged, not raised."""
    try:
        response = WebhookClient(url, timeout=POST_TIMEOUT_SECONDS).send_dict(body)
    except (OSError, ValueError) as exc:  # unreachable, or not a URL urllib can post to
        logger.warning("Posting to response_url failed: %s", exc)
        return
    if response.status_code != 200:
        logger.warning("response_url answered %s: %s", response.status_code, response.body[:200])


def _log_failure(future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        logger.error("Slack background work failed", exc_info=exc)


def _is_question(event: Mapping, bot_user_id: str | None) -> bool:
    """A mention of the bot or a direct message from a person (not a bot, edit or join)."""
    if event.get("bot_id") or event.get("subtype") or not event.get("channel") or not event.get("ts"):
        return False
    if bot_user_id is not None and event.get("user") == bot_user_id:
        return False
    if event.get("type") == "app_mention":
        return True
    return event.get("type") == "message" and event.get("channel_type") == "im"


def _is_signed(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    try:
        return verifier.is_valid_request(body, dict(headers))
    except (ValueError, UnicodeDecodeError):  # a timestamp that is no number, a body that is no UTF-8
        return False


def create_slack_router(engine: "Engine", settings: "Settings", answerer: SlackAnswerer | None = None) -> APIRouter:
    """`POST /slack/commands` and `POST /slack/events`, verified with the app's signing secret.

    `answerer` does the work after the acknowledgement (one is made from `engine` when not given).
    """
    # Slack's own callbacks, not an API for clients: kept out of the OpenAPI schema.
    router = APIRouter(prefix="/slack", tags=["slack"], include_in_schema=False)
    secret = (settings.slack_signing_secret or "").strip()
    verifier = SignatureVerifier(secret) if secret else None
    answerer = answerer or SlackAnswerer(engine, settings)
    seen = SeenKeys()
    signatures = SeenKeys(ttl=SIGNATURE_TTL_SECONDS, max_size=100_000)
    # The signature is checked on at most this much body: anything longer is refused unread (413).
    limit = settings.slack_max_body_bytes
    origins = settings.slack_response_origins

    def checked_response_url(url: str | None) -> str | None:
        if url and not allowed_response_url(url, origins):
            logger.warning("Refused a Slack request whose response_url points elsewhere: %r", url[:100])
            raise HTTPException(400, BAD_RESPONSE_URL)
        return url
    feedback = FeedbackStore.for_settings(settings)
    if verifier is None:
        logger.warning("BRONWIJZER_SLACK_SIGNING_SECRET is not set: the Slack endpoints refuse every request")
    if answerer.client is None:
        logger.warning("BRONWIJZER_SLACK_BOT_TOKEN is not set: mentions and direct messages cannot be answered")

    async def verified_body(request: Request) -> bytes:
        body = await request.body()
        if verifier is None:
            raise HTTPException(503, NO_SECRET)
        if not _is_signed(verifier, body, request.headers):
            logger.warning("Refused a Slack request to %s: missing, bad or stale signature", request.url.path)
            raise HTTPException(401, BAD_SIGNATURE)
        if not signatures.first_time(request.headers.get("x-slack-signature", "")):
            logger.warning("Refused a replayed Slack request to %s (same signature seen before)", request.url.path)
            raise HTTPException(401, REPLAYED)
        return body

    def form_of(body: bytes) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200).items()}

    @router.post("/commands", max_body_size=limit)
    async def slash_command(body: bytes = Depends(verified_body)) -> dict:
        form = _parse(SlashCommand, form_of(body))
        if form.ssl_check:
            return {}
        question = plain_from_slack(form.text)
        if not question:
            return {"response_type": "ephemeral", "text": usage_hint(form.command)}
        response_url = checked_response_url(form.response_url)
        if not response_url:
            raise HTTPException(400, "Het verzoek mist een response_url.")
        trigger = form.trigger_id or str(time.time_ns())
        question_id = sha256_hex(f"{form.team_id}:{form.channel_id}:{trigger}:{question}")[:16]
        answerer.submit(answerer.answer_command, question, response_url, question_id)
        return {"response_type": "ephemeral", "text": ACK_TEXT}

    @router.post("/interactions", max_body_size=limit)
    async def interaction(body: bytes = Depends(verified_body)) -> Response:
        """👍/👎 clicks under an answer: stored with the chat's feedback, thanked privately."""
        try:
            payload = json.loads(form_of(body).get("payload") or "{}")
        except ValueError:
            raise HTTPException(400, "Het verzoek is geen geldige JSON.") from None
        clicked = _parse(Interaction, payload)
        response_url = checked_response_url(clicked.response_url)
        ratings = {FEEDBACK_UP: "up", FEEDBACK_DOWN: "down"}
        for action in clicked.actions:
            rating = ratings.get(action.action_id or "")
            if rating is None:
                continue
            question_id = str(action.value or "")
            known = answerer.answered(question_id)
            if known is None:
                # Answered before a restart: keep the rating, say what it was about as far as known.
                logger.warning("Slack feedback for unknown question %s (answered before a restart?)", question_id)
                question, text, refused, documents = f"(Slack-vraag {question_id}, niet meer in het geheugen)", "", False, []
            else:
                question, answer = known
                text, refused = answer.text, answer.refused
                documents = [c.passage.chunk.document_id for c in answer.citations]
            feedback.record(question, text, refused, rating, comment="via Slack", cited_documents=documents)
            if response_url:
                answerer.submit(post_to_response_url, response_url, THANKS_MESSAGE)
        return Response(status_code=200)

    @router.post("/events", max_body_size=limit)
    async def event(request: Request, body: bytes = Depends(verified_body)) -> Response:
        try:
            raw = json.loads(body)
        except ValueError:
            raise HTTPException(400, "Het verzoek is geen geldige JSON.") from None
        envelope = _parse(EventEnvelope, raw)
        if envelope.type == "url_verification":
            return Response(json.dumps({"challenge": envelope.challenge or ""}), media_type="application/json")
        if envelope.type != "event_callback" or envelope.event is None:
            return Response(status_code=200)
        payload = envelope.model_dump()
        event_id = envelope.event_id or ""
        retry = request.headers.get("x-slack-retry-num")
        if event_id and not seen.first_time(f"event:{event_id}"):
            logger.info("Ignored Slack event %s: already handled (retry %s)", event_id, retry or "-")
            return Response(status_code=200)
        if retry:
            logger.info("Slack retry %s of event %s, which this process has not seen: handling it", retry, event_id)
        event = payload.get("event") or {}
        authorizations = payload.get("authorizations") or [{}]
        bot_user_id = authorizations[0].get("user_id")
        if not _is_question(event, bot_user_id):
            return Response(status_code=200)
        # A direct message that also mentions the bot arrives twice (message and app_mention).
        if not seen.first_time(f"message:{event['channel']}:{event['ts']}"):
            return Response(status_code=200)
        if answerer.client is None:
            logger.warning(
                "Slack %s event %s acknowledged but not answered: set BRONWIJZER_SLACK_BOT_TOKEN to answer in Slack",
                event.get("type"), event_id,
            )
            return Response(status_code=200)
        question_id = sha256_hex(f"{payload.get('team_id')}:{event['channel']}:{event['ts']}")[:16]
        answerer.submit(answerer.answer_event, event, bot_user_id, question_id)
        return Response(status_code=200)

    return router
