"""The abbreviations the documents introduce: "het vijverbeheerplan (vbp)", "Kroosbeleid (KB)".

Reports spell a term out once, with its abbreviation in brackets, and use the abbreviation
after that; a user asks with either. A question's word is then also found where a passage has
the other (`rag.text.terms.QuestionTerm.alternatives`), and keyword search looks for both.

Only a term of one word is taken, whose abbreviation starts as it does and has its letters
in order ("vijverbeheerplan (vbp)", not "vijverbeheer (svb)": that abbreviates a longer name),
and whose abbreviation is no common Dutch word: a bracketed "(basis)" or "(voor)" is a
comment, not a name. A term of more words ("stichting vijverbeheer (svb)") is left out: its
words are found one by one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from wordfreq import zipf_frequency

from rag.text.analysis import fold, stem
from rag.text.terms import QuestionTerm

#: A word, then its abbreviation alone in brackets ("(vbp)", "(VBP's)", "(KB)").
_INTRODUCED = re.compile(r"(?<![\w-])(?P<long>[^\W\d_]{6,})\s*\(\s*(?P<short>[^\W\d_]{2,6})(?:['’]s)?\s*\)")
#: An abbreviation this common as a Dutch word (wordfreq Zipf) is a word in brackets.
_COMMON_WORD_ZIPF = 4.5
#: The term has at least this many letters more than its abbreviation: it spells it out.
_LONGER_BY = 4


def _spells_out(long: str, short: str) -> bool:
    """Whether `short` abbreviates `long`: the same first letter, the rest in order after it."""
    if long[0] != short[0] or len(long) < len(short) + _LONGER_BY:
        return False
    rest = iter(long[1:])
    return all(letter in rest for letter in short[1:])


def introduced_abbreviations(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """By stem, the other name of each abbreviation the texts introduce and of each term they
    abbreviate, folded: {"vbp": {"vijverbeheerplan"}, "vijverbeheerplan": {"vbp"}} (the stem of
    "vijverbeheerplannen" too)."""
    other: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        for m in _INTRODUCED.finditer(text):
            long, short = fold(m.group("long")), fold(m.group("short"))
            if short == long or not _spells_out(long, short) or zipf_frequency(short, "nl") >= _COMMON_WORD_ZIPF:
                continue
            other[stem(short)].add(long)
            other[stem(long)].add(short)
    return {key: frozenset(names) for key, names in other.items()}


def with_other_names(terms: Sequence[QuestionTerm], also_written: Callable[[str], frozenset[str]]) -> tuple[QuestionTerm, ...]:
    """`terms`, each also found where the documents write it by its other name (`also_written`
    of its stem: "vbp" for "vijverbeheerplan" and back) as one of its alternatives."""
    widened = []
    for term in terms:
        names = also_written(term.stem)
        extra = tuple(s for s in dict.fromkeys(stem(n) for n in sorted(names)) if s not in term.alternatives)
        widened.append(replace(term, alternatives=term.alternatives + extra) if extra else term)
    return tuple(widened)
