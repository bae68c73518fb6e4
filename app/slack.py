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
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from app.feedback import FeedbackStore
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
BAD_SIGNATURE = "Dit verzoek is niet (geldig) door Slack ondertekend, of de tijdstempel is ouder dan 5 minuten."
ANSWER_FAILED = "Er ging iets mis bij het beantwoorden van je vraag. Probeer het later nog eens."
MENTION_HINT = "Stel je vraag na de vermelding, bijvoorbeeld: _@Bronwijzer Hoeveel basisscholen hadden in 2019 geen schoolleider?_"
#: Slash command answers are seen by the asker only, like the acknowledgement.
COMMAND_RESPONSE_TYPE = "ephemeral"

#: Slack retries an event up to three times within minutes; an hour covers that with room.
SEEN_TTL_SECONDS = 3600.0
SEEN_MAX = 10_000
#: Questions answered at once: the engine is CPU-bound and the host has two cores.
WORKERS = 2
MAX_THREAD_MESSAGES = 1000
POST_TIMEOUT_SECONDS = 10


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

    def remember(self, question_id: str, question: str, answer: Answer) -> None:
        with self._answered_lock:
            self._answered[question_id] = (question, answer)
            while len(self._answered) > SEEN_MAX:
                self._answered.popitem(last=False)

    def answered(self, question_id: str) -> tuple[str, Answer] | None:
        with self._answered_lock:
            return self._answered.get(question_id)

    def submit(self, work: Callable[..., None], *args) -> Future:
        future = self._executor.submit(work, *args)
        future.add_done_callback(_log_failure)
        return future

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


def create_slack_router(engine: "Engine", settings: "Settings") -> APIRouter:
    """`POST /slack/commands` and `POST /slack/events`, verified with the app's signing secret."""
    router = APIRouter(prefix="/slack", tags=["slack"])
    secret = (settings.slack_signing_secret or "").strip()
    verifier = SignatureVerifier(secret) if secret else None
    answerer = SlackAnswerer(engine, settings)
    seen = SeenKeys()
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
        return body

    @router.post("/commands")
    async def slash_command(body: bytes = Depends(verified_body)) -> dict:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        if form.get("ssl_check"):
            return {}
        question = plain_from_slack(form.get("text", ""))
        if not question:
            return {"response_type": "ephemeral", "text": usage_hint(form.get("command", ""))}
        response_url = form.get("response_url")
        if not response_url:
            raise HTTPException(400, "Het verzoek mist een response_url.")
        trigger = form.get("trigger_id") or str(time.time_ns())
        question_id = sha256_hex(f"{form.get('team_id')}:{form.get('channel_id')}:{trigger}:{question}")[:16]
        answerer.submit(answerer.answer_command, question, response_url, question_id)
        return {"response_type": "ephemeral", "text": ACK_TEXT}

    @router.post("/interactions")
    async def interaction(body: bytes = Depends(verified_body)) -> Response:
        """👍/👎 clicks under an answer: stored with the chat's feedback, thanked privately."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        try:
            payload = json.loads(form.get("payload") or "{}")
        except ValueError:
            raise HTTPException(400, "Het verzoek is geen geldige JSON.") from None
        ratings = {FEEDBACK_UP: "up", FEEDBACK_DOWN: "down"}
        for action in payload.get("actions") or []:
            rating = ratings.get(action.get("action_id"))
            if rating is None:
                continue
            question_id = str(action.get("value") or "")
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
            if payload.get("response_url"):
                answerer.submit(post_to_response_url, payload["response_url"], THANKS_MESSAGE)
        return Response(status_code=200)

    @router.post("/events")
    async def event(request: Request, body: bytes = Depends(verified_body)) -> Response:
        try:
            payload = json.loads(body)
        except ValueError:
            raise HTTPException(400, "Het verzoek is geen geldige JSON.") from None
        if payload.get("type") == "url_verification":
            return Response(json.dumps({"challenge": payload.get("challenge", "")}), media_type="application/json")
        if payload.get("type") != "event_callback":
            return Response(status_code=200)
        event_id = payload.get("event_id") or ""
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
