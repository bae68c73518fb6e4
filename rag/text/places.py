"""Which countries outside the Netherlands a text is about.

The reports compare Dutch education with other countries' ("Over de grens: ... in Finland"),
and a passage about another country can match a question about Dutch schools word for word
("Welk percentage van de leraren is universitair opgeleid?": "Bijna alle Estse leraren (95%)
..."). Such an answer is not wrong, but its reader should know it is about another country.

Country names are Unicode CLDR's Dutch names (Babel), with the countries of the United Kingdom
and the regions of Belgium, which CLDR does not list. Adjectives ("Estse leraren", "het Ierse
programma") are listed for the countries the reports compare with, but not those that are also
a school subject ("Engels", "Frans", "Duits") or say where Dutch pupils' families come from
("Turkse", "Marokkaanse", "Oekraïense").
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.analysis import fold

#: The kingdom's own parts, and what CLDR lists that is no country.
_HOME = frozenset({"NL", "AW", "CW", "SX", "BQ", "EU", "EZ", "UN", "XA", "XB", "ZZ", "QO"})
_REGIONS = ("Engeland", "Schotland", "Wales", "Noord-Ierland", "Groot-Brittannië", "Vlaanderen", "Wallonië")
#: Adjective -> the country it names.
_ADJECTIVES = {
    "ests": "Estland", "fins": "Finland", "zweeds": "Zweden", "noors": "Noorwegen", "deens": "Denemarken",
    "iers": "Ierland", "schots": "Schotland", "portugees": "Portugal", "vlaams": "Vlaanderen", "belgisch": "België",
    "zwitsers": "Zwitserland", "oostenrijks": "Oostenrijk", "amerikaans": "de Verenigde Staten", "canadees": "Canada",
    "australisch": "Australië", "japans": "Japan", "singaporees": "Singapore", "brits": "het Verenigd Koninkrijk",
}  # fmt: skip
#: A question about other countries at large names none ("Hoe doen andere landen dat?").
_ABROAD = re.compile(r"\b(?:buitenland\w*|andere landen|(?:welke|welk|die|de) landen|landen|internationa\w*)\b")


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Folded name -> the name as written, for every country outside the kingdom."""
    from babel import Locale  # CLDR data: only when first needed

    names = [name for code, name in Locale("nl").territories.items() if code.isalpha() and code not in _HOME]
    return {fold(name): name for name in (*names, *_REGIONS)}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    countries = sorted(_countries(), key=len, reverse=True)
    adjectives = sorted(_ADJECTIVES, key=len, reverse=True)
    return re.compile(
        rf"(?<![\w-])(?:(?P<country>{'|'.join(map(re.escape, countries))})|(?P<adjective>{'|'.join(adjectives)})e?)(?![\w-])"
    )


@lru_cache(maxsize=8192)
def foreign_places(text: str) -> frozenset[str]:
    """The countries outside the Netherlands `text` names, by name or adjective, as written in
    Dutch ("Bijna alle Estse leraren" -> {"Estland"})."""
    found = set()
    for match in _pattern().finditer(fold(text)):
        if match.group("country"):
            found.add(_countries()[match.group("country")])
        else:
            found.add(_ADJECTIVES[match.group("adjective")])
    return frozenset(found)


@lru_cache(maxsize=1)
def country_words() -> frozenset[str]:
    """The folded one-word names of the countries outside the kingdom, and the adjectives listed
    for them, with and without -e ("finland", "fins", "finse"): what a question about "landen"
    finds in a passage."""
    return frozenset(name for name in _countries() if name.isalpha()) | frozenset(_ADJECTIVES) | {f"{a}e" for a in _ADJECTIVES}


def same_place_words(word: str) -> frozenset[str]:
    """The other words for a country the reports compare with, folded: its name for its
    adjective ("schotse": "schotland") and its adjective, with and without -e, for its name
    ("zweden": "zweeds", "zweedse"). Empty for other words."""
    adjective = word[:-1] if word.endswith("e") and word[:-1] in _ADJECTIVES else word
    if adjective in _ADJECTIVES:
        return frozenset({fold(_ADJECTIVES[adjective])})
    return frozenset(w for a, country in _ADJECTIVES.items() if fold(country) == word for w in (a, f"{a}e"))


def names_home(text: str) -> bool:
    """Whether `text` names the Netherlands ("in Nederland", "Nederlandse leerlingen")."""
    return re.search(r"\bnederland(?:se?)?\b", fold(text)) is not None


def asks_abroad(question: str) -> bool:
    """Whether a question is about other countries: it names one, or other countries at large."""
    return bool(foreign_places(question)) or _ABROAD.search(fold(question)) is not None


__all__ = ["asks_abroad", "country_words", "foreign_places", "names_home"]
