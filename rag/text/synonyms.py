"""Words users and documents use for the same thing in Dutch education.

A school leader asks about "juffen en meesters", "schoolhoofden" or "kinderen op de
basisschool"; the reports write "leraren", "schooldirecteuren" and "leerlingen in het po".
A question term whose word is in a group below is also found where a passage has another word
of that group (`rag.text.terms.TermIndex.contains`, the answer's key-term overlap), and so is a
compound whose head is ("vijvergeld" where a passage writes "vijvermiddelen"). Only the
question's words are widened; passages keep their own.

The groups are the common names of roles, pupils and school types, and the shares Dutch
writes in words as well as in figures ("een kwart", "25%"; not "derde", mostly the ordinal),
written from the domain, not from any question set. A word for countries at large ("landen")
is found where a passage names a country (`rag.text.places`). Words that mean more than one thing in the reports ("verzuim":
of pupils and of staff) are left out.
"""

from __future__ import annotations

from functools import lru_cache

from rag.text.analysis import fold, stem
from rag.text.places import country_words, same_place_words
from rag.text.plurals import other_number_stems

_GROUPS = (
    "leraar leraren leerkracht leerkrachten docent docenten onderwijzer onderwijzers juf juffen juffrouw meester meesters",
    "schoolleider schoolleiders schooldirecteur schooldirecteuren directeur directeuren schoolhoofd schoolhoofden",
    "leerling leerlingen scholier scholieren kind kinderen",
    "vluchteling vluchtelingen asielzoeker asielzoekers nieuwkomer nieuwkomers statushouder statushouders",
    "invaller invallers invalkracht invalkrachten vervanger vervangers vervanging",
    "salaris salarissen loon lonen beloning verdienen verdient",
    "werkdruk werkbelasting",
    "maatregel maatregelen actie acties",
    "krijgen krijgt kreeg kregen gekregen ontvangen ontvangt ontving ontvingen",
    "geld middelen budget budgetten",
    "fte voltijdbaan voltijdbanen voltijdsbaan voltijdsbanen",
    # School types: the reports' abbreviations are words of their own in a passage ("po-scholen").
    "basisschool basisscholen basisonderwijs primair po bo",
    "middelbare voortgezet vo",
    # Shares in words and in figures ("meer dan een tiende" for "meer dan 10%").
    "tiende 10", "vijfde 20", "kwart 25", "helft 50",
)


#: The groups above that name the people of a school, by their first word: a question about one
#: of them is not answered by a sentence about another ("schooldirecteuren" asked, "leraren" told).
ROLES = ("leraar", "schoolleider", "leerling")


@lru_cache(maxsize=8192)
def role_of(word: str) -> str | None:
    """The role (`ROLES`) that `word` (folded) names as a word of its group, or as the first or
    last part of a compound with one ("schoolleiderstekort", "po-leraren"), else None."""
    group = _group_words().get(word, ())
    if not group:
        group = next((g for w, g in _group_words().items() if len(w) >= _MIN_ROLE_PART and (word.startswith(w) or word.endswith(w))), ())
    return next((r for r in ROLES if r in group), None)


#: The fewest letters of a role's word that names it inside a compound ("leraar" in "leraarsalaris").
_MIN_ROLE_PART = 6


#: Words for countries at large: a passage that names a country ("ook in Finland") has one.
_COUNTRY = frozenset({"land", "landen", "buitenland"})


@lru_cache(maxsize=1)
def _country_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in country_words())


@lru_cache(maxsize=1)
def _stem_groups() -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for line in _GROUPS:
        stems = frozenset(stem(w) for w in fold(line).split())
        for s in stems:
            groups[s] = groups.get(s, frozenset()) | stems
    return groups


@lru_cache(maxsize=1)
def _group_words() -> dict[str, tuple[str, ...]]:
    """Each word of a group -> the words of its group (as written, for compounds)."""
    words: dict[str, tuple[str, ...]] = {}
    for line in _GROUPS:
        group = tuple(fold(line).split())
        for w in group:
            words[w] = tuple(dict.fromkeys((*words.get(w, ()), *group)))
    return words


#: A compound's head is a word of a group from this many letters on, its modifier from 3.
_MIN_HEAD = 4


def _compound_alternatives(word: str) -> set[str]:
    """The stems of a compound with another word of its head's group: "onderwijsgeld" ->
    "onderwijsmiddel" (of "onderwijsmiddelen"), "leraarsalaris" -> "leraarloon"."""
    found: set[str] = set()
    for i in range(3, len(word) - _MIN_HEAD + 1):
        head = word[i:]
        if head in _group_words() and not head.isdigit():
            found |= {stem(word[:i] + other) for other in _group_words()[head] if other != head and not other.isdigit() and len(other) > 2}
            break
    return found


def compound_alternatives(word: str) -> tuple[str, ...]:
    """`_compound_alternatives` as a sorted tuple: for a word of a name, whose other words are
    not its own ("NP-Onderwijsgeld": "NP-Onderwijsmiddelen", but "Leraar" in a name is no "docent")."""
    return tuple(sorted(_compound_alternatives(word)))


def place_alternatives(word: str) -> tuple[str, ...]:
    """The stems of the other words for a country the reports compare with: "Schotse" for
    "Schotland" and back (`rag.text.places.same_place_words`); () for other words."""
    return tuple(sorted({stem(w) for w in same_place_words(word)}))


def alternatives(word: str) -> tuple[str, ...]:
    """The stems of the other words for what `word` (folded) names, also as the head of a
    compound ("onderwijsgeld": "onderwijsmiddelen"), and of its other number where the stemmer
    splits the two ("dag", "dagen": `rag.text.plurals`); () for most words."""
    own = stem(word)
    countries = _country_stems() if word in _COUNTRY else frozenset()
    found = (
        _stem_groups().get(own, frozenset()) | set(other_number_stems(word)) | countries | set(place_alternatives(word))
        | _compound_alternatives(word)
    )
    return tuple(sorted(found - {own}))


__all__ = ["ROLES", "alternatives", "compound_alternatives", "place_alternatives", "role_of"]
