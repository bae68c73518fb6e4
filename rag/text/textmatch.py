"""Find a quoted passage in a cleaned document text, tolerant of layout differences.

Quotes are copied from raw PDF extractions (line breaks, hyphenation, tabs, footnote
numbers); the cleaned text has reflowed paragraphs. Both sides are compared on letters
and digits only, case-folded, so those differences do not matter while the words and
numbers themselves must agree.
"""

from __future__ import annotations

import re

# A word broken at a line end in the raw text: `ontwik-⏎kelingen`.
_LINE_END_HYPHEN_RE = re.compile(r"-[ \t]*\n\s*")


def canonical(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, case-folded, with each kept char's offset in `text`."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isalnum():
            folded = ch.casefold()
            chars.append(folded)
            offsets.extend([i] * len(folded))
    return "".join(chars), offsets


def footnote_free(quote: str) -> str:
    """The quote without reference numbers glued to a word or to punctuation."""
    quote = re.sub(r"(?<=[^\W\d_])([.,;:!?)’”\"]*)\d{1,4}(?=\s|$)", r"\1", quote)
    return re.sub(r"(?<=[)%’”\"])([.,;:]?)\d{1,4}(?=\s|$)", r"\1", quote)


def find_quote(quote: str, cleaned: str) -> tuple[int, int] | None:
    """Char span `(start, end)` of `quote` in `cleaned`, or None when it is not there.

    Whitespace, punctuation, hyphenation and case are ignored; letters and digits must
    match in order. A second attempt ignores footnote reference numbers, which cleaning
    strips (`schoolleider.1`).
    """
    if not quote.strip():
        raise ValueError("quote must contain text, got an empty string")
    haystack, offsets = canonical(cleaned)
    for candidate in (quote, footnote_free(quote)):
        needle, _ = canonical(_LINE_END_HYPHEN_RE.sub("", candidate))
        if not needle:
            continue
        at = haystack.find(needle)
        if at >= 0:
            return offsets[at], offsets[at + len(needle) - 1] + 1
    return None
