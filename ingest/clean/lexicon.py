"""Dutch word frequencies plus the document's own vocabulary: the evidence for word repairs."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from ingest.clean.shared import LETTERS, WORD_RE


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "nl")


@dataclass(frozen=True)
class Lexicon:
    """Dutch word frequencies plus the vocabulary of the document being cleaned.

    A word that occurs unsplit elsewhere in the same document is strong evidence that a
    split form of it is extraction damage.
    """

    counts: Counter[str]
    hyphenated: frozenset[str] = frozenset()  # `sociaal-culturele`, as written in one line
    bigrams: frozenset[str] = frozenset()  # word pairs as written in one line

    @classmethod
    def of(cls, text: str) -> Lexicon:
        hyphenated: set[str] = set()
        bigrams: set[str] = set()
        for line in text.lower().split("\n"):
            hyphenated.update(re.findall(rf"{LETTERS}+-{LETTERS}+", line))
            words = WORD_RE.findall(line)
            bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        counts = Counter(w.lower() for w in WORD_RE.findall(text))
        return cls(counts, frozenset(hyphenated), frozenset(bigrams))

    def zipf(self, word: str) -> float:
        return _zipf(word)

    def count(self, word: str) -> int:
        return self.counts[word.lower()]

    def is_word(self, word: str) -> bool:
        """A real word on its own (not a fragment such as `wett` or `nnisdeling`).

        Short tokens need a higher frequency: the Dutch word list holds much foreign
        and abbreviation noise among them (`fi`, `ff`, `es`).
        """
        return len(word) > 1 and self.zipf(word) >= (4.5 if len(word) <= 3 else 2.5)

    def knows(self, word: str, min_count: int = 1) -> bool:
        return self.zipf(word) >= 3.0 or self.count(word) >= min_count


def lexicon_for(text: str, lexicon: Lexicon | None) -> Lexicon:
    """The lexicon `clean_text` passes in, or one of `text` when a rule runs on its own."""
    return lexicon if lexicon is not None else Lexicon.of(text)
