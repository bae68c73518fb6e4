"""The abbreviations the documents introduce: "het vijverbeheerplan (vbp)", "de stichting
Groene Oevers (SGO)".

Reports spell a term out once, with its abbreviation in brackets, and use the abbreviation
after that; a user asks with either. A question's term is then also found where a passage has
the other name (`rag.text.terms.QuestionTerm.alternatives` for a word, `phrases` for a name of
more words), and keyword search looks for both.

The term is the shortest run of words before the brackets (within the sentence) that spells the
abbreviation out: each of its words, bar small words such as "en" and "van", gives the next
letters of the abbreviation, starting with its own first letter ("vijverbeheerplan (vbp)";
"stichting Groene Oevers (SGO)"; "voor- en vroegschoolse educatie (vve)"). So "vijverbeheer
(svb)" introduces nothing: that abbreviates a longer name. An abbreviation that is a common
Dutch word is a comment in brackets ("(basis)", "(voor)"), not a name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from rag.text.analysis import STOPWORDS, fold, stem, words, zipf
from rag.text.sectors import sectors
from rag.text.terms import QuestionTerm

#: An abbreviation alone in brackets ("(vbp)", "(VBP's)", "(SGO)"), and the text before it.
_INTRODUCED = re.compile(r"\(\s*(?P<short>[^\W\d_]{2,6})(?:['’]s)?\s*\)(?![^\W_])")
#: An abbreviation this common as a Dutch word (wordfreq Zipf) is a word in brackets.
_COMMON_WORD_ZIPF = 4.5
#: A term of one word has at least this many letters more than its abbreviation: it spells it out.
_LONGER_BY = 4
#: The term has at most this many words.
_MAX_WORDS = 6
#: Where a term cannot reach back across: the end of a clause or an earlier bracket.
_CLAUSE_END = re.compile(r"[.;:!?()\[\]]")


def _spells(parts: Sequence[str], short: str, first: bool = True) -> bool:
    """Whether the words `parts` spell `short` out: the first word and each word after it that
    is no small word give the next letters, their own first letter first and the rest in order
    inside them; a small word after the first may give none ("voor- en vroegschoolse educatie")."""
    if not parts:
        return not short
    word, rest = parts[0], parts[1:]
    if not first and word in STOPWORDS and _spells(rest, short, False):
        return True
    if not short or word[0] != short[0]:
        return False
    # This word gives short[:n]: its first letter and n - 1 letters found in order after it.
    for n in range(1, len(short) + 1):
        letters = iter(word[1:])
        if all(ch in letters for ch in short[1:n]) and _spells(rest, short[n:], False):
            return True
    return False


def _term_before(before: str, short: str) -> tuple[str, ...] | None:
    """The shortest run of words at the end of `before` that spells `short` out; None if none does."""
    clause = _CLAUSE_END.split(before)[-1]
    tokens = [t for t in (fold(w).strip("-‐‑'’\"“”‘,") for w in clause.split()) if t]
    for size in range(1, min(_MAX_WORDS, len(tokens)) + 1):
        parts = tokens[-size:]
        if size == 1 and len(parts[0]) < len(short) + _LONGER_BY:
            continue
        if _spells(parts, short):
            return tuple(parts)
    return None


@lru_cache(maxsize=4096)
def _common(word: str) -> bool:
    return zipf(word) >= _COMMON_WORD_ZIPF


@dataclass(frozen=True)
class Abbreviations:
    """The abbreviations some texts introduce, with the terms they stand for (folded words)."""

    #: The term of each abbreviation: {"vbp": ("vijverbeheerplan",), "sgo": ("stichting", "groene", "oevers")}.
    terms: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    @classmethod
    def of_texts(cls, texts: Iterable[str]) -> "Abbreviations":
        found: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for text in texts:
            for m in _INTRODUCED.finditer(text):
                short = fold(m.group("short"))
                if _common(short) or sectors(short):
                    continue  # a word in brackets, or a sector ("po"): `rag.text.sectors` knows those
                term = _term_before(text[max(0, m.start() - 200) : m.start()], short)
                if term is not None and term != (short,):
                    found[short].add(term)
        return cls({short: tuple(sorted(terms)) for short, terms in found.items()})

    def __bool__(self) -> bool:
        return bool(self.terms)

    @cached_property
    def _by_word(self) -> dict[str, list[str]]:
        """For each one-word term, by stem: its abbreviations."""
        index: dict[str, list[str]] = defaultdict(list)
        for short, spelled_out in self.terms.items():
            for term in spelled_out:
                if len(term) == 1:
                    index[stem(term[0])].append(short)
        return index

    def in_question(self, question: str) -> "OtherNames":
        """The other names of what `question` names: for each of its words that is an
        abbreviation or a term these texts introduce, what it is also found as."""
        asked = words(question)
        # The question's words without small ones: "vroegschoolse educatie" asks "voor- en vroegschoolse educatie".
        joined = f" {' '.join(w for w in asked if w not in STOPWORDS)} "
        alternatives: dict[str, list[str]] = defaultdict(list)  # term stem -> alternative stems
        phrases: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # term stem -> phrases (stems)
        other_words: list[str] = []
        for short, spelled_out in self.terms.items():
            for term in spelled_out:
                if short in asked:
                    # "vbp" asked: found where the documents spell it out.
                    if len(term) == 1:
                        alternatives[stem(short)].append(stem(term[0]))
                    else:
                        phrases[stem(short)].append(tuple(stem(w) for w in term if w not in STOPWORDS))
                    other_words += term
                elif len(content := [w for w in term if w not in STOPWORDS]) > 1 and f" {' '.join(content)} " in joined:
                    # "stichting Groene Oevers" asked: each of its words also found as "sgo".
                    for w in content:
                        alternatives[stem(w)].append(stem(short))
                    other_words.append(short)
        for s in (stem(w) for w in asked):
            for short in self._by_word.get(s, ()):
                alternatives[s].append(stem(short))
                other_words.append(short)
        return OtherNames(
            {s: tuple(dict.fromkeys(found)) for s, found in alternatives.items()},
            {s: tuple(dict.fromkeys(found)) for s, found in phrases.items()},
            tuple(dict.fromkeys(other_words)),
            frozenset(self.terms),
        )


@dataclass(frozen=True)
class OtherNames:
    """What the terms of one question are also found as (`Abbreviations.in_question`)."""

    #: By a term's stem: the stems of its other names of one word.
    alternatives: dict[str, tuple[str, ...]]
    #: By a term's stem: its other names of several words, as stems.
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    #: The words of all those other names, for keyword search.
    words: tuple[str, ...]
    #: Every abbreviation the texts introduce.
    abbreviations: frozenset[str]

    def widen(self, terms: Sequence[QuestionTerm]) -> tuple[QuestionTerm, ...]:
        """`terms`, each also found by its other names."""
        widened = []
        for t in terms:
            more = tuple(a for a in self.alternatives.get(t.stem, ()) if a not in t.alternatives and a != t.stem)
            spelled = self.phrases.get(t.stem, ())
            # An abbreviation the documents introduce names one thing, also typed in lower case ("tlv").
            named = t.is_name or t.word in self.abbreviations
            widened.append(replace(t, alternatives=t.alternatives + more, phrases=t.phrases + spelled, is_name=named) if more or spelled or named != t.is_name else t)
        return tuple(widened)

    def searched(self, terms: Sequence[QuestionTerm]) -> list[str]:
        """The words keyword search looks for besides the question's (`terms`, not yet widened):
        none that is a word for its term already ("bo" for "basisonderwijs")."""
        known = {a for t in terms for a in t.alternatives}
        return [w for w in self.words if stem(w) not in known]
