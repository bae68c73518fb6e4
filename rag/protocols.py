"""What the engine needs from its parts: the interfaces between the layers.

`rag.pipeline` wires implementations of these (`rag.retrieval`, `rag.answer`) into an
`Engine`; tests wire others (`rag.testing`). Nothing here imports an implementation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from rag.types import Answer, Passage, SearchFilters, StreamItem, Turn


@runtime_checkable
class Embedder(Protocol):
    """What the store and retriever need from an embedding model."""

    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class Retriever(Protocol):
    """Ranked passages for a question."""

    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]: ...


class Condenser(Protocol):
    """Turns a follow-up into a question that stands on its own."""

    def condense(self, question: str, history: Sequence[Turn]) -> str: ...


class Composer(Protocol):
    """Turns a question and its retrieved passages into an Answer."""

    def compose(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer: ...


class StreamingComposer(Composer, Protocol):
    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Iterator[StreamItem]:
        """Pieces of checked answer text as they come (and `AnswerNote`s), then the final Answer.

        The text pieces joined must be exactly the final Answer's text: nothing sent is taken back.
        """
        ...
