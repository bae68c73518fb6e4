"""Which sectors of Dutch education a text names: po, sbo, (v)so, vo, pro, mbo, hbo, wo.

The reports compare sectors sentence by sentence ("In het po ... In het vo ..."), so a
sentence that names only another sector than the question asks about answers a different
question, however many of its other words match. Names are the sectors' own words and their
common abbreviations, as documents and users write them ("po-scholen", "middelbare school",
"(v)so", "roc's").
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.analysis import fold, words

_SECTORS = {
    "sbo": r"speciaal basisonderwijs|\bsbo\b",
    "so": r"\bv?so\b|(?:voortgezet )?speciaal onderwijs",  # also "(v)so"
    "po": r"(?<!speciaal )basisonderwijs|\bpo\b|\bbo\b|primair onderwijs|\bbasisschol|\bbasisschool",
    "vo": r"\bvo\b|(?<!speciaal )voortgezet onderwijs|\bmiddelbare scho|\bvmbo|\bhavo\b|\bvwo\b",
    "pro": r"\bpro\b|praktijkonderwijs",
    "mbo": r"\bmbo\b|\broc\b|\bmiddelbaar beroepsonderwijs",  # also "roc's"
    "hbo": r"\bhbo\b|\bhogescho|hoger beroepsonderwijs",
    "wo": r"\bwo\b|\buniversiteit|wetenschappelijk onderwijs",
}
_PATTERNS = {name: re.compile(pattern) for name, pattern in _SECTORS.items()}
#: A name for several sectors at once.
_GROUPS = (
    (re.compile(r"funderend onderwijs"), frozenset({"po", "sbo", "so", "vo", "pro"})),
    (re.compile(r"\bhoger onderwijs|\bho\b"), frozenset({"hbo", "wo"})),
)


@lru_cache(maxsize=8192)
def sectors(text: str) -> frozenset[str]:
    """The sectors `text` names ("Vo-scholen en het mbo" -> {"vo", "mbo"})."""
    folded = fold(text)
    named = frozenset(name for name, pattern in _PATTERNS.items() if pattern.search(folded))
    return named.union(*(group for pattern, group in _GROUPS if pattern.search(folded)))


#: How an answer names a sector to a school leader, in the order of a school career.
NAMES = {
    "po": "het po",
    "sbo": "het sbo",
    "so": "het (v)so",
    "vo": "het vo",
    "pro": "het praktijkonderwijs",
    "mbo": "het mbo",
    "hbo": "het hbo",
    "wo": "het wo",
}


def sector_names(named: frozenset[str]) -> list[str]:
    """The sectors `named`, as a sentence names them, in school order (["het po", "het vo"])."""
    return [NAMES[s] for s in NAMES if s in named]


def sector_words(text: str) -> frozenset[str]:
    """The words of `text` that name its sectors, folded ("primair" and "onderwijs" of "In het
    primair onderwijs ...", "basisscholen", "po" of "po-scholen")."""
    folded = fold(text)
    found: set[str] = set()
    for pattern in (*_PATTERNS.values(), *(p for p, _ in _GROUPS)):
        for match in pattern.finditer(folded):
            end = match.end()
            while end < len(folded) and folded[end].isalnum():  # the whole of "basisschol-en"
                end += 1
            found.update(words(folded[match.start() : end]))
    return frozenset(found)


#: What stands before a sector named as the scope of a question: "in het vo", "dan in het po",
#: "voor het mbo", "en het wo" (after another sector); not "van de basisschool", "vmbo'ers".
_SCOPE_BEFORE = re.compile(r"\b(?:in|voor|bij|binnen|tussen|dan|en|of)\s+(?:het\s+|de\s+)?$")


@lru_cache(maxsize=8192)
def scope_sectors(text: str) -> frozenset[str]:
    """The sectors `text` names as a scope, after "in", "voor", "bij", "dan" or "en" (with "het"
    or "de"): "Is het tekort in het vo kleiner dan in het po?" -> {"vo", "po"}."""
    folded = fold(text)
    return frozenset(
        name for name, pattern in _PATTERNS.items()
        if any(_SCOPE_BEFORE.search(folded[: m.start()]) for m in pattern.finditer(folded))
    )


def other_sector_only(asked: frozenset[str], text: str) -> bool:
    """Whether `text` names a sector, but none of the `asked` ones (a question about one sector)."""
    return other_sectors(asked, sectors(text))


def other_sectors(asked: frozenset[str], named: frozenset[str]) -> bool:
    """Whether the sectors `named` (of a text) are some, but none of the `asked` ones."""
    return bool(asked and named and not named & asked)


__all__ = ["NAMES", "other_sector_only", "other_sectors", "scope_sectors", "sector_names", "sector_words", "sectors"]
