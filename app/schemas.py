"""The HTTP edge's JSON shapes, and the one place core types become them.

Requests are checked for shape here (types, roles, unknown fields); what a question may be
(empty, too long, top_k range, year order) is decided by `rag.engine`, so the REST API, the
CLI and the chat page refuse the same things with the same Dutch message.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from rag.engine import MAX_QUESTION_CHARS, as_filters
from rag.errors import InvalidQuestionError
from rag.types import Answer, IndexedDocument, Passage, SearchFilters, Turn, web_url

if TYPE_CHECKING:
    from ingest.jobs import JobStatus

#: The one model name `/v1` offers.
MODEL_NAME = "bronwijzer"


#: Turns of history a request may carry (the engine uses the last 20); longer is a 422.
MAX_HISTORY_TURNS = 100
#: Messages in one /v1 request, and parts in one message.
MAX_MESSAGES = 200
MAX_CONTENT_PARTS = 50
#: Characters of one earlier turn or message.
MAX_TURN_CHARS = 20_000
#: Documents or publishers named in one filter.
MAX_FILTER_ITEMS = 100

# JSON may carry lone surrogates ("\ud800") and NUL, which no document holds and which break
# encoding further on: refused at the edge with a 422 instead.
_INVALID_CODE_POINTS = re.compile("[\x00\ud800-\udfff]")


def _valid_text(value: str) -> str:
    if _INVALID_CODE_POINTS.search(value):
        raise PydanticCustomError("invalid_text", "text contains a lone surrogate or NUL")
    return value


def _valid_if_text(value):
    return _valid_text(value) if isinstance(value, str) else value


#: A string that is valid Unicode text (no lone surrogates, no NUL); checked before length
#: and type, so the error says what is wrong. The schema says "no NUL" as a pattern (lone
#: surrogates cannot be written in a JSON Schema pattern).
Text = Annotated[str, BeforeValidator(_valid_if_text), Field(json_schema_extra={"pattern": "^[^\\x00]*$"})]
#: What a question must hold: at least one character that is not white space (the engine
#: refuses the rest with its own Dutch message; the schema says the same for clients).
_A_QUESTION = {"minLength": 1, "pattern": "^[^\\x00]*[^\\s\\x00][^\\x00]*$"}


class _Strict(BaseModel):
    # A misspelt field ("topk") is an error, not silently ignored; "2020" is not a year.
    model_config = ConfigDict(extra="forbid", strict=True)


# -- requests ---------------------------------------------------------------------------


class TurnIn(_Strict):
    role: Literal["user", "assistant"]
    content: Text = Field(max_length=MAX_TURN_CHARS)


class FiltersIn(_Strict):
    documents: list[Text] = Field(default_factory=list, max_length=MAX_FILTER_ITEMS, description="Document-ids (bestandsnamen).")
    publishers: list[Text] = Field(default_factory=list, max_length=MAX_FILTER_ITEMS, description="Uitgevers (hoofdletterongevoelig).")
    year_from: int | None = Field(None, description="Vanaf dit jaar (inclusief).")
    year_to: int | None = Field(None, description="Tot en met dit jaar.")


class AskRequest(_Strict):
    question: Text = Field(
        max_length=MAX_QUESTION_CHARS, json_schema_extra=_A_QUESTION,
        description=f"De vraag, in gewoon Nederlands (hoogstens {MAX_QUESTION_CHARS} tekens).",
        examples=["Hoeveel basisscholen hadden in 2019 geen schoolleider?"],
    )
    history: list[TurnIn] = Field(
        default_factory=list, max_length=MAX_HISTORY_TURNS,
        description=f"Eerdere beurten van het gesprek, oudste eerst (hoogstens {MAX_HISTORY_TURNS}; de laatste 20 tellen).",
    )
    filters: FiltersIn | None = None
    top_k: int | None = Field(None, ge=1, le=50, description="Aantal passages om uit te putten (1-50); standaard uit de instellingen.")


class SearchRequest(_Strict):
    # `question` as in /api/ask, or `query`: both are accepted.
    query: Text = Field(
        max_length=MAX_QUESTION_CHARS, json_schema_extra=_A_QUESTION,
        validation_alias=AliasChoices("query", "question"),
        description=f"De vraag of zoekterm (hoogstens {MAX_QUESTION_CHARS} tekens); ook als `question`, zoals bij /api/ask.",
    )
    top_k: int | None = Field(None, ge=1, le=50, description="Aantal passages (1-50).")
    filters: FiltersIn | None = None


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: Text | None = Field(None, max_length=MAX_TURN_CHARS)


class ChatMessage(BaseModel):
    # OpenAI clients send fields we do not use (name, tool_calls, ...): allowed and ignored.
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Annotated[str, Field(max_length=MAX_TURN_CHARS)] | Annotated[list[ContentPart], Field(max_length=MAX_CONTENT_PARTS)] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _content_is_text(cls, value):
        # Checked before the union is tried, so the error names the field, not a union branch.
        return _valid_if_text(value)

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat completion request; sampling options (temperature, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False


# -- responses --------------------------------------------------------------------------


class PassageOut(BaseModel):
    document: str = Field(description="Stabiele document-id: de bestandsnaam in het corpus.")
    title: str
    section: str | None
    page: int | None
    text: str
    score: float
    url: str | None = Field(description="Waar de publicatie te lezen is (http/https); null als dat niet bekend is.")


class CitationOut(PassageOut):
    marker: int = Field(description="Het nummer n van de markering [n] in het antwoord.")


class AskResponse(BaseModel):
    answer: str
    refused: bool
    mode: Literal["extractive", "llm"]
    citations: list[CitationOut]
    passages: list[PassageOut] = Field(description="Alle passages waaruit het antwoord is opgebouwd, in rangvolgorde.")
    timings_ms: dict[str, float]
    note: str | None = Field(None, description="Een opmerking bij het antwoord, bijv. na terugval van het taalmodel.")
    uncertain: bool = Field(
        False, description="Gegeven, maar onzeker: de passages noemen mogelijk niet precies wat gevraagd is (zie note).",
    )
    rewritten: str | None = Field(
        None, description="De vraag waarop gezocht is, als die anders is dan gesteld: een vervolgvraag herschreven uit het gesprek, of tikfouten verbeterd naar woorden uit de documenten.",
    )


class SearchResponse(BaseModel):
    passages: list[PassageOut]


class DocumentOut(BaseModel):
    id: str
    title: str
    publisher: str | None
    year: int | None
    url: str | None = Field(description="Waar de publicatie te lezen is (http/https); null als dat niet bekend is.")
    chunks: int
    format: str
    pages: int | None


class DocumentsResponse(BaseModel):
    documents: list[DocumentOut]


class JobOut(BaseModel):
    """An upload's ingest job: where it is, how far it got, and how it ended."""

    id: str
    document_id: str = Field(description="De naam waaronder het document in de index komt.")
    replace: bool
    state: Literal["queued", "running", "succeeded", "failed"] = Field(description="Wachtend, bezig, gelukt of mislukt.")
    stage: Literal["wachtrij", "lezen", "embedden", "opslaan", "klaar"]
    done: int = Field(description="Passages geëmbed (tijdens 'embedden').")
    total: int = Field(description="Passages in totaal (0 zolang dat nog niet bekend is).")
    outcome: Literal["indexed", "unchanged"] | None = Field(description="Bij 'succeeded': nieuw geïndexeerd of ongewijzigd.")
    document: DocumentOut | None
    message: str | None = Field(description="Uitkomst of reden van mislukken, in het Nederlands.")
    created_at: float
    started_at: float | None
    finished_at: float | None


class DeleteResponse(BaseModel):
    deleted: DocumentOut


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    status: Literal["ready"] = "ready"


class ErrorDetail(BaseModel):
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


# -- the one place core types become JSON ----------------------------------------------


def to_turns(history: list[TurnIn]) -> list[Turn]:
    return [Turn(t.role, t.content) for t in history]


def to_filters(filters: FiltersIn | None) -> SearchFilters | None:
    """The request's filters as the engine's type (`rag.engine.as_filters` owns the checks, such as the year order)."""
    return as_filters(filters.model_dump()) if filters is not None else None


def passage_out(passage: Passage) -> PassageOut:
    chunk = passage.chunk
    return PassageOut(
        document=chunk.document_id, title=chunk.title, section=chunk.section, page=chunk.page,
        text=chunk.text, score=round(float(passage.score), 6), url=web_url(passage.url),
    )


def ask_response(answer: Answer) -> AskResponse:
    return AskResponse(
        answer=answer.text,
        refused=answer.refused,
        mode=answer.mode,
        citations=[CitationOut(marker=c.marker, **passage_out(c.passage).model_dump()) for c in answer.citations],
        passages=[passage_out(p) for p in sorted(answer.passages, key=lambda p: p.rank)],
        timings_ms=dict(answer.timings_ms),
        note=answer.note,
        uncertain=answer.uncertain,
        rewritten=answer.rewritten,
    )


def search_response(passages: list[Passage]) -> SearchResponse:
    return SearchResponse(passages=[passage_out(p) for p in passages])


def document_out(doc: IndexedDocument) -> DocumentOut:
    return DocumentOut(
        id=doc.id, title=doc.title, publisher=doc.publisher, year=doc.year, url=web_url(doc.url),
        chunks=doc.chunk_count, format=doc.format, pages=doc.pages,
    )


def job_out(job: JobStatus) -> JobOut:
    return JobOut(
        id=job.id, document_id=job.name, replace=job.replace, state=job.state, stage=job.stage,
        done=job.done, total=job.total, outcome=job.outcome,
        document=document_out(job.document) if job.document is not None else None,
        message=job.message, created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )


def error_response(message: str) -> dict:
    return ErrorResponse(error=ErrorDetail(message=message)).model_dump()


# -- OpenAI chat completions -----------------------------------------------------------


def chat_question(request: ChatCompletionRequest) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant messages the history.

    System messages are ignored: Bronwijzer's rules are its own.
    """
    messages = [m for m in request.messages if m.role in ("user", "assistant")]
    if not messages or messages[-1].role != "user":
        raise InvalidQuestionError("Het laatste bericht moet een vraag van de gebruiker (role 'user') zijn.")
    return messages[-1].text, [Turn(m.role, m.text) for m in messages[:-1]]


def sources_text(answer: Answer) -> str:
    """The cited passages (or, for a refusal, the closest ones) as lines below a chat reply."""
    if answer.citations:
        heading, items = "Bronnen:", [(c.marker, c.passage) for c in answer.citations]
    elif answer.passages:
        heading, items = "Dichtstbijzijnde passages:", [(p.rank, p) for p in answer.passages[:3]]
    else:
        return ""
    lines = []
    for marker, passage in items:
        chunk = passage.chunk
        where = chunk.location(title=True)
        url = web_url(passage.url)
        lines.append(f"[{marker}] {where}" + (f" — {url}" if url else ""))
    return f"\n\n{heading}\n" + "\n".join(lines)


def chat_reply_text(answer: Answer) -> str:
    note = f"{answer.note}\n\n" if answer.note else ""
    return note + answer.text + sources_text(answer)


class ChatCompletionIds:
    """The id and timestamp one completion (or all chunks of one stream) share."""

    def __init__(self) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())


def chat_completion(answer: Answer, ids: ChatCompletionIds) -> dict:
    return {
        "id": ids.id,
        "object": "chat.completion",
        "created": ids.created,
        "model": MODEL_NAME,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": chat_reply_text(answer)},
            "finish_reason": "stop",
            "logprobs": None,
        }],
        # The full answer (citations with their text) for clients that know Bronwijzer.
        "bronwijzer": ask_response(answer).model_dump(),
    }


def chat_chunk(ids: ChatCompletionIds, delta: dict, finish_reason: str | None = None, answer: Answer | None = None) -> dict:
    chunk = {
        "id": ids.id,
        "object": "chat.completion.chunk",
        "created": ids.created,
        "model": MODEL_NAME,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }
    if answer is not None:  # the last chunk: the full answer for clients that know Bronwijzer
        chunk["bronwijzer"] = ask_response(answer).model_dump()
    return chunk


def models_list() -> dict:
    return {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "bronwijzer"}]}

