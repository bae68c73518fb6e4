"""Does a passage cover a gold quote? Decided on the passage TEXT alone.

The REST contract carries no character offsets, so relevance is judged by text, with the
same canonical form as `rag.text.textmatch`: letters and digits only, case-folded, so line
breaks, hyphenation and punctuation of the raw PDF extraction do not matter. A quote is
also tried without footnote reference numbers, which cleaning strips.

A passage covers a quote when it contains the whole quote, or a contiguous part of it of at
least `MIN_PART_FRACTION` (half) of the quote and at least `MIN_PART_CHARS` canonical
characters. Half, because a quote that straddles two chunks always has at least half of
it in one of them (the long quotes of the sets do straddle: 55/45 occurs); the minimum
length keeps a common phrase in a short quote from counting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from difflib import SequenceMatcher

from rag.text.textmatch import canonical as _canonical, footnote_free

MIN_PART_FRACTION = 0.5
MIN_PART_CHARS = 40


def canonical(text: str) -> str:
    """Letters and digits only, case-folded (`"Ruimte in Onderwijs-\\ntijd."` -> `"ruimteinonderwijstijd"`)."""
    return _canonical(text)[0]


def quote_forms(quote: str) -> tuple[str, ...]:
    """The canonical forms a quote may take in cleaned text: as is, and without footnote numbers."""
    forms = dict.fromkeys(canonical(q) for q in (quote, footnote_free(quote)))
    return tuple(f for f in forms if f)


def _required_part(form: str) -> int:
    """Canonical characters a partial match must have; the whole form when it is short."""
    return min(len(form), max(MIN_PART_CHARS, math.ceil(len(form) * MIN_PART_FRACTION - 1e-9)))


def _covers_form(form: str, passage: str, matcher: SequenceMatcher) -> bool:
    if form in passage:
        return True
    need = _required_part(form)
    if need >= len(form):
        return False
    # Cheap exclusion first: any common run of `need` chars contains one of these aligned
    # windows of length ceil(need/2), so when none occurs in the passage there is no match.
    step = (need + 1) // 2
    if not any(form[i : i + step] in passage for i in range(0, len(form) - step + 1, step)):
        return False
    matcher.set_seq1(form)
    return matcher.find_longest_match(0, len(form), 0, len(passage)).size >= need


class GoldQuotes:
    """The gold quotes of one question, prepared once and matched against many passages.

    `alternatives[i]` are other places stating what quote i states: covering one of them
    covers quote i.
    """

    def __init__(self, quotes: Sequence[str], alternatives: Sequence[Sequence[str]] = ()) -> None:
        self.quotes = tuple(quotes)
        groups = list(alternatives) + [()] * (len(self.quotes) - len(alternatives))
        self._forms = [
            tuple(dict.fromkeys(f for text in (q, *alts) for f in quote_forms(text)))
            for q, alts in zip(self.quotes, groups)
        ]

    def __len__(self) -> int:
        return len(self.quotes)

    def covered_by(self, passage_text: str) -> frozenset[int]:
        """Indices of the quotes that `passage_text` covers."""
        passage = canonical(passage_text)
        if not passage:
            return frozenset()
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(passage)
        return frozenset(
            i for i, forms in enumerate(self._forms) if any(_covers_form(f, passage, matcher) for f in forms)
        )


def covers(passage_text: str, quote: str) -> bool:
    """True when the passage covers the quote (see the module docstring)."""
    return bool(GoldQuotes([quote]).covered_by(passage_text))
