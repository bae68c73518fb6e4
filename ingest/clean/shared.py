"""Character classes, word lists and line tests that several cleaning rules share."""

from __future__ import annotations

import re
from collections.abc import Callable

# Shared with answer composition, which never quotes a sentence that breaks off.
from rag.text.sentences import CLOSERS as CLOSERS, FUNCTION_WORDS as FUNCTION_WORDS, continues_sentence as continues_sentence

PAGE_BREAK = "\f"

LETTERS = r"[^\W\d_]"
WORD_RE = re.compile(rf"{LETTERS}+")
SENTENCE_END = (".", "!", "?", ":", ";")
TITLE_RUN_PUNCTUATION = re.compile(r"[.,;:!?‘’“”\"•·]")
# A footnote number glued after the full stop (`… niet altijd.8`) still ends the sentence.
_TRAILING_FOOTNOTE_RE = re.compile(
    rf"(?:(?<={LETTERS}{LETTERS})|(?<=[)%{CLOSERS}]))([.!?][{CLOSERS}]?)\d{{1,3}}$"
)


def map_lines(text: str, fn: Callable[[str], str | None]) -> str:
    """Apply `fn` to every line; a `None` result drops the line."""
    out = [r for r in (fn(line) for line in text.split("\n")) if r is not None]
    return "\n".join(out)


def ends_sentence(line: str) -> bool:
    line = _TRAILING_FOOTNOTE_RE.sub(r"\1", line)
    return line.rstrip(CLOSERS).endswith(SENTENCE_END) or line.endswith(SENTENCE_END)


def looks_like_heading_text(line: str, capitalised: bool = True) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 12
        and (line[0].isupper() or line[0].isdigit() or not capitalised)
        and not line.endswith((".", ",", ";", "-"))
    )
