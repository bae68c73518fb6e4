"""Checked streaming: a language model's text reaches a user one checked sentence at a time.

    deltas = model_deltas(model, messages, max_pieces=416, timeout=60)   # raises LLMTimeout
    gate = SentenceGate(passages)
    cutter = SentenceCutter()
    for delta in deltas:
        for sentence, new_line in cutter.feed(delta):
            piece = gate.admit(sentence, new_line)    # None: not sent (unsupported, or no claim)
            if piece:
                send(piece)

The model's output is cut into sentences as it arrives; each is checked against the passages
its markers cite (`rag.answer.citation_check.check_sentence`: markers point at real passages, its
numbers are in them, enough of its words too) before it is passed on. An unsupported
sentence is never sent, not even for a moment, so nothing a user has read is taken back.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rag.text.analysis import fold, words
from rag.answer.citation_check import MARKER, SentenceVerdict, check_sentence, parse_markers, strip_markers
from rag.answer.refusal import REFUSAL_TEXT
from rag.types import Answer, Citation, Passage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)


class LLMTimeout(Exception):
    """The model did not finish within the time it was given."""


def is_refusal(text: str) -> bool:
    """Does `text` (a sentence or a whole answer) say only that the documents do not hold the answer?"""
    said = " ".join(words(strip_markers(text)))
    return bool(said) and " ".join(words(REFUSAL_TEXT)) in said and len(said) < 2 * len(fold(REFUSAL_TEXT))


def normalise_markers(text: str) -> str:
    """`[1, 2]` and `[2-3]` written as `[1][2]` and `[2][3]`, the form every edge links."""
    return MARKER.sub(lambda m: "".join(f"[{n}]" for n in parse_markers(m.group(0))), text).strip()


class SentenceGate:
    """Lets through the sentences of a model's answer that its cited passages support.

    `admit` decides one sentence: a supported sentence that cites a passage is sent (the
    piece to send is returned: separator and sentence); an unsupported claim is dropped;
    a sentence that claims nothing checkable (a lead-in, the refusal) is not sent either,
    as it could stand before a fallback that says otherwise. `text` is everything sent.
    """

    def __init__(self, passages: Sequence[Passage], readable: int | None = None) -> None:
        self.passages = list(passages)
        #: The passages the model was shown (the first `readable`): the only ones it may cite.
        self.readable = self.passages[:readable] if readable is not None else self.passages
        self.text = ""
        self.sent: list[SentenceVerdict] = []
        self.dropped: list[SentenceVerdict] = []
        self.refused = False
        self.check_ms = 0.0
        self._stems: dict[int, set[str]] = {}

    def admit(self, sentence: str, new_line: bool = False) -> str | None:
        started = time.perf_counter()
        try:
            if is_refusal(sentence):
                self.refused = True
                return None
            verdict = check_sentence(sentence, self.readable, self._stems)
        finally:
            self.check_ms += (time.perf_counter() - started) * 1000
        if verdict.supported and verdict.markers:
            piece = ("\n" if new_line else " ") if self.text else ""
            piece += normalise_markers(sentence)
            self.text += piece
            self.sent.append(verdict)
            return piece
        if verdict.is_claim:
            self.dropped.append(verdict)
            logger.info("LLM sentence not sent (%s): %r", "; ".join(verdict.reasons), sentence[:300])
        return None

    def answer(self, question: str, timings: dict[str, float], note: str | None = None) -> Answer:
        """The Answer made of the sentences sent, with a citation per passage they cite."""
        citations = []
        for marker in dict.fromkeys(m for v in self.sent for m in v.markers):
            sentences = tuple(v.claim for v in self.sent if marker in v.markers)
            citations.append(Citation(marker, self.passages[marker - 1], sentences))
        citations.sort(key=lambda c: c.marker)
        return Answer(
            question, self.text, tuple(citations), tuple(self.passages), mode="llm",
            timings_ms=timings, note=note, sentences_dropped=len(self.dropped),
        )


_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def model_deltas(model: BaseChatModel, messages: list[BaseMessage], *, max_pieces: int, timeout: float) -> Iterator[str]:
    """The model's text deltas as they come; `LLMTimeout` when it has not finished within `timeout` s.

    The request runs on a thread of its own, so that waiting for it can stop at the deadline
    even while the server is silent (a stalled server sends nothing the HTTP client could
    time out on between its own, per-read timeouts). After the deadline, or when the caller
    stops early, the thread closes the response at the next delta, which stops the server
    generating; the HTTP client's read timeout bounds how long that can take.

    The cut after `max_pieces` is a backstop for servers that ignore the token limit (one
    piece is about one token), which would otherwise write until their context is full.
    """
    deltas: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()

    def produce() -> None:
        try:
            stream = model.stream(messages)
            try:
                count = 0
                for chunk in stream:
                    if stop.is_set():
                        break
                    if not chunk.text:
                        continue
                    deltas.put(chunk.text)
                    count += 1
                    if count >= max_pieces:
                        logger.warning("LLM answer cut off after %d streamed pieces (the server ignored the token limit)", count)
                        break
            finally:
                stream.close()  # closes the HTTP response, so the server stops generating
        except BaseException as exc:  # handed to the consumer, which raises it
            deltas.put(_Failed(exc))
        finally:
            deltas.put(_DONE)

    deadline = time.monotonic() + timeout
    threading.Thread(target=produce, name="bronwijzer-llm-stream", daemon=True).start()
    try:
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise queue.Empty
                item = deltas.get(timeout=remaining)
            except queue.Empty:
                raise LLMTimeout(f"no complete answer within {timeout:g} s") from None
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()


__all__ = ["LLMTimeout", "SentenceGate", "is_refusal", "model_deltas", "normalise_markers"]
