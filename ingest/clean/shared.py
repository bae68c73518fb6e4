"""Character classes, word lists and line tests that several cleaning rules share."""

from __future__ import annotations

import re
from collections.abc import Callable

PAGE_BREAK = "\f"

LETTERS = r"[^\W\d_]"
WORD_RE = re.compile(rf"{LETTERS}+")
SENTENCE_END = (".", "!", "?", ":", ";")
CLOSERS = "’”\"')»"
# Short Dutch words that a prose line can end on before a capitalised name
# ("de ⏎Inspectie"); a heading never ends on one of them.
FUNCTION_WORDS = frozenset(
    """de het een en of van in op met voor aan te door bij naar om tot uit over als
    dat die dan ook maar zijn is was er zo per via zoals tussen onder na
    hun haar zich wat wie hoe waar we wij ze zij je u ons onze deze dit tegen sinds
    binnen zonder vanuit volgens""".split()
)
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


def continues_sentence(line: str) -> bool:
    """Whether a line breaks off where its sentence must go on (`… hangt af van`)."""
    last = line.split()[-1].lower() if line.split() else ""
    return line.endswith(("-", ",", "(", "–")) or last.strip(CLOSERS) in FUNCTION_WORDS


def looks_like_heading_text(line: str, capitalised: bool = True) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 12
        and (line[0].isupper() or line[0].isdigit() or not capitalised)
        and not line.endswith((".", ",", ";", "-"))
    )
