"""The read path's front door: `search` and `ask`.

    passages = retriever.retrieve(standalone_question, k, filters)
    answer = composer.compose(question, passages)        # extractive or LLM: same Answer
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.store import SearchFilters
from rag.types import Answer, Passage, Turn

#: What Bronwijzer says when the documents do not hold the answer.
REFUSAL_TEXT = "Dat staat niet in de documenten die ik ken."


class Composer(Protocol):
    """Turns a question and its retrieved passages into an Answer."""

    def compose(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer: ...


class StreamingComposer(Composer, Protocol):
    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        """Yields pieces of answer text as they come, then the final Answer (which may differ, e.g. after a fallback)."""
        ...


def as_turns(history: Sequence[Turn | dict] | None) -> list[Turn]:
    """Accept `[{"role": ..., "content": ...}]` as well as Turns."""
    turns = []
    for item in history or ():
        if isinstance(item, Turn):
            turns.append(item)
        else:
            role = item.get("role")
            if role not in ("user", "assistant"):
                raise ValueError(f"history role must be 'user' or 'assistant', got {role!r}")
            turns.append(Turn(role, str(item.get("content", ""))))
    return turns


__all__ = ["REFUSAL_TEXT", "Composer", "StreamingComposer", "SearchFilters", "as_turns"]
