"""The types that carry everything through Bronwijzer.

Frozen dataclasses, shared by the write path (`ingest`) and the read path (`rag`).
Scores are always "higher is better"; Chroma distances are converted in one place
(`rag.retrieval.store`).
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal
from urllib.parse import urlsplit


def sha256_hex(data: bytes | str) -> str:
    """Hex SHA-256 of bytes or UTF-8 text."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


#: Longer addresses are not a publication's page but something pasted by mistake.
MAX_URL_LENGTH = 2000


def web_url(value: object) -> str | None:
    """`value` as a web address that is safe to show as a link, or None.

    A manifest or an upload is input: only absolute http(s) addresses with a host pass, without
    white space, control characters, quotes or angle brackets (so `javascript:`, relative
    paths and addresses that could break out of an HTML attribute or Slack's `<url|label>` are
    dropped rather than shown).
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(ch.isspace() or ord(ch) < 32 or ch in "<>\"'`|" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about a document apart from its text (from the corpus manifest)."""

    title: str
    publisher: str | None = None
    year: int | None = None
    description: str | None = None
    #: Other names users give the document: short titles, acronyms ("de Staat", "AVS").
    aliases: tuple[str, ...] = ()
    #: Where the publication can be read (http/https only, see `web_url`); None when unknown.
    url: str | None = None


@dataclass(frozen=True)
class Document:
    """A cleaned document, ready to be chunked.

    `id` is the stable document id: the file name (e.g. `staat-van-het-onderwijs-2024.txt`).
    `content_hash` is the SHA-256 of the raw file bytes; it decides whether a re-ingest
    has anything to do. `page_starts[i]` is the offset in `text` where page i+1 starts;
    empty when the format has no pages.
    """

    id: str
    text: str
    meta: DocumentMeta
    content_hash: str
    source_path: str = ""
    page_starts: tuple[int, ...] = ()

    @property
    def title(self) -> str:
        return self.meta.title

    def page_at(self, offset: int) -> int | None:
        """1-based page number of the character at `offset`, or None without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))


#: "note": footnotes, references, URLs, captions (`rag.text.notes`): searchable, never quoted.
ChunkKind = Literal["text", "table", "note"]


@dataclass(frozen=True)
class Chunk:
    """A piece of a document's cleaned text, the unit that is embedded and retrieved.

    `start`/`end` are character offsets into the cleaned document text, so that
    `document.text[start:end] == text`. `section` is the heading path
    ("2 Basisvaardigheden > 2.1 Hoofdlijnen"), `page` the 1-based page of `start`.
    """

    document_id: str
    index: int
    text: str
    start: int
    end: int
    section: str | None = None
    page: int | None = None
    kind: ChunkKind = "text"
    title: str = ""
    content_hash: str = ""

    def location(self, *, title: bool = False, last_section: bool = False, sep: str = ", ") -> str:
        """Where the chunk is, from the parts that are known: "2 Leraren > 2.1 Tekort, p. 12";
        with `title` the document's title first; with `last_section` only the innermost section."""
        section = self.innermost_section if last_section else self.section
        parts = (self.title or self.document_id if title else None, section, f"p. {self.page}" if self.page else None)
        return sep.join(part for part in parts if part)

    @property
    def innermost_section(self) -> str | None:
        """The title of the innermost section ("2.1 Tekort" of "2 Leraren > 2.1 Tekort")."""
        return self.section.split(" > ")[-1] if self.section else None

    @property
    def contextual_text(self) -> str:
        """The text as it is embedded and keyword-indexed: title and section path first.

        Questions name the topic of a section ("tekort aan schoolleiders") more often than
        the chunk repeats it; the heading path carries it into the index.
        """
        heading = " > ".join(x for x in (self.title, self.section) if x)
        return f"{heading}\n{self.text}" if heading else self.text

    @property
    def embedding_key(self) -> str:
        """What the vector depends on: a hash of `contextual_text`. Chunks with the same key share
        a vector, so a chunk that a changed document keeps as it was is never embedded again."""
        return sha256_hex(self.contextual_text)[:32]

    @property
    def id(self) -> str:
        """Deterministic id: document content hash and position, so re-ingest is an upsert."""
        return sha256_hex(f"{self.content_hash}:{self.document_id}:{self.index}")[:32]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its score (higher is better) and 1-based rank."""

    chunk: Chunk
    score: float
    rank: int
    publisher: str | None = None
    year: int | None = None
    #: Where the publication can be read (the document's registry record), None when unknown.
    url: str | None = None
    #: The raw signals behind `score` (cosine similarity, BM25), when the retriever has them.
    dense_score: float | None = None
    keyword_score: float | None = None
    #: The best cosine of the question with one sentence of the chunk (`rag.retrieval.sentence_vectors`).
    sentence_score: float | None = None

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def document_id(self) -> str:
        return self.chunk.document_id


@dataclass(frozen=True)
class Turn:
    """One message of a conversation: `role` is "user" or "assistant"."""

    role: Literal["user", "assistant"]
    content: str


def previous_question(history: Sequence[Turn]) -> str | None:
    """The last thing the user asked before this question (None: nothing yet)."""
    return _last_said(history, "user")


def previous_answer(history: Sequence[Turn]) -> str | None:
    """Bronwijzer's last reply in the conversation (None: none yet)."""
    return _last_said(history, "assistant")


def _last_said(history: Sequence[Turn], role: str) -> str | None:
    return next((t.content for t in reversed(history) if t.role == role and t.content.strip()), None)


@dataclass(frozen=True)
class Citation:
    """An `[n]` marker in an answer and the passage it points to."""

    marker: int
    passage: Passage
    sentences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """An answer with `[n]` markers, its citations and the passages it was built from."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    refused: bool = False
    mode: Literal["extractive", "llm"] = "extractive"
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str | None = None
    #: The question the passages were retrieved for, when it differs from the one asked: a
    #: follow-up rewritten as a standalone question, or typing errors corrected.
    rewritten: str | None = None
    #: Sentences a language model wrote that the citation check kept from the user.
    sentences_dropped: int = 0
    #: Answered, but the passages may not say exactly what was asked (`note` says so to users).
    uncertain: bool = False


@dataclass(frozen=True)
class AnswerNote:
    """Streamed before the answer text when the text that follows needs a word of explanation
    (e.g. the language model's answer failed the check and the extractive answer follows)."""

    text: str


@dataclass(frozen=True)
class RewrittenQuestion:
    """Streamed first when the question was rewritten for retrieval: a follow-up made standalone,
    or typing errors corrected."""

    question: str


#: What `Engine.stream` yields: checked answer text, notes, and the final Answer last.
StreamItem = str | AnswerNote | RewrittenQuestion | Answer


@dataclass(frozen=True)
class IndexedDocument:
    """A document as recorded in the registry."""

    id: str
    title: str
    version: str
    content_hash: str
    chunk_count: int
    publisher: str | None = None
    year: int | None = None
    description: str | None = None
    source_path: str = ""
    format: str = ""
    pages: int | None = None
    ingested_at: float = 0.0
    aliases: tuple[str, ...] = ()
    #: Where the publication can be read; records written before it existed read as None.
    url: str | None = None

    def to_metadata(self) -> dict:
        # Chroma drops None-valued keys, so store the record as one JSON string.
        return {"record": json.dumps(asdict(self), ensure_ascii=False), "version": self.version}

    @classmethod
    def from_metadata(cls, meta: dict) -> "IndexedDocument":
        record = json.loads(meta["record"])
        record["aliases"] = tuple(record.get("aliases") or ())
        return cls(**record)


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to documents, publishers and a year range (all optional)."""

    documents: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def admits(self, doc: IndexedDocument) -> bool:
        if self.documents and doc.id not in self.documents:
            return False
        if self.publishers:
            wanted = {p.casefold() for p in self.publishers}
            if (doc.publisher or "").casefold() not in wanted:
                return False
        if self.year_from is not None and (doc.year is None or doc.year < self.year_from):
            return False
        if self.year_to is not None and (doc.year is None or doc.year > self.year_to):
            return False
        return True
