"""Dutch text analysis shared by keyword search, answer composition and citation checks.

One tokenizer, one stemmer (Snowball Dutch via PyStemmer) and one stopword list, so that
"does this passage contain the question's key terms" means the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Numbers as written in Dutch documents: 9.800 / 3,9 / 15,8% / 2022-2023 / € 375.
_NUMBER = re.compile(r"(?<![\w,.])\d{1,3}(?:\.\d{3})+(?:,\d+)?|(?<![\w,.])\d+(?:,\d+)?")
#: A year, as a whole word: "2023", also inside "2022-2023".
YEAR = re.compile(r"\b(?:19|20)\d\d\b")

#: Words that shape a question but carry no topic: never key terms.
QUESTION_WORDS = frozenset(
    """
    wat welke welk wie waar waarom wanneer hoe hoeveel hoezeer hoelang waarmee waardoor waarvoor
    waarover waarin waaraan waarop waaruit waarnaar waarbij waarvan waartegen tegenaan tegenin naartoe heen kun kan kunnen kunt mag mogen moet moeten zou zouden
    kon konden zal zult zullen wil wilt willen wilde wilden moest moesten mocht mochten
    worden wordt werd werden is zijn was waren heeft hebben had hadden gaat gaan doet doen
    er eigenlijk precies ongeveer vooral nou dan ook nog al wel even meer minder veel weinig
    graag iets echt volgens document documenten staat staan tekst rapport noem noemen beschrijf
    geef leg uit vertel zeg klopt kloppen weten
    tegenwoordig momenteel inmiddels genoeg heel erg namelijk misschien bovendien zoveel zovele evenveel teveel zowel allebei
    overal altijd eerst let letten lukt lukken lukte lukten gelukt
    """.split()
)

STOPWORDS = frozenset(STOPWORDS_DUTCH) | {"we", "wij", "je", "jij", "u", "ze", "zij", "hun", "hen", "ons", "onze"}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch")


@lru_cache(maxsize=1)
def _suffix_stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch_porter")


_COMBINING = re.compile(r"[\u0300-\u036f]")
#: Dutch prepositions: a closed class. Several are key terms of a question ("per", "tijdens",
#: "volgens"), but none is what a question is about.
PREPOSITIONS = frozenset(
    """aan achter bij binnen boven buiten door in langs met na naar naast om onder op over per rond sinds
    tegen tijdens tot tussen uit van vanaf vanuit via voor volgens zonder wegens dankzij ondanks""".split()
)
#: Counts in words and their values ("een" is left out: mostly an article).
COUNT_WORDS = {
    w: n for n, w in enumerate(
        "twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien zeventien achttien negentien twintig".split(),
        start=2,
    )
}
#: Superlatives that rank ("het hoogst", "de grootste"), without their -e. "best" after "het"
#: also means "quite" ("het is best druk"), so it ranks only with its -e.
SUPERLATIVE_STEMS = ("hoogst", "grootst", "meest", "laagst", "kleinst", "minst", "best", "slechtst", "langst", "kortst", "snelst", "sterkst")
SUPERLATIVES_AFTER_HET = tuple(s for s in SUPERLATIVE_STEMS if s != "best")
# Pronominal adverbs point back at the conversation ("daarin", "hieraan", "erover"): not topic
# words. Nor are "meeste"/"minste" ("meer" and "minder" already are question words).
#: A pronominal adverb that points back ("daarvoor", "hierbij", "eraan"), as a regex.
POINTER_ADVERB = r"(?:daar|hier|waar|er)(?:aan|in|op|over|mee|voor|door|bij|uit|na|naar|om|tegen|van|toe)"
POINTER_WORD = re.compile(rf"^({POINTER_ADVERB}|meeste|minste)$")


def fold(text: str) -> str:
    """Lower-case and strip accents (`geïnspireerd` -> `geinspireerd`), for matching.

    Accents of Latin script are the combining marks U+0300-U+036F after NFKD; a regex over
    them is ~10x faster than testing every character.
    """
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def words(text: str) -> list[str]:
    """Folded word tokens (hyphenated words split into their parts)."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball's Dutch stem, unless it took out a "ge" ("begeleiding" -> "beleid", "gemiddeld" ->
    "middel", "mogelijk" -> "molijk"): then the classic Snowball Dutch stem, which only takes endings off."""
    stemmed = _stemmer().stemWord(word)
    kept = 0
    for a, b in zip(word, stemmed):
        if a != b:
            break
        kept += 1
    rest = stemmed[kept : kept + 2]
    if word.startswith("ge", kept) and len(rest) == 2 and word.startswith(rest, kept + 2):
        return _suffix_stemmer().stemWord(word)
    return stemmed


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    """How common `word` is in Dutch (wordfreq's Zipf scale: 0 unknown, ~7 'de')."""
    from wordfreq import zipf_frequency  # loads a 1 MB list: only when first needed

    return zipf_frequency(word, "nl")


#: A word of letters (and hyphens) in folded text.
#: A word of a noun phrase, with the letters in brackets that may open it ("(v)so-scholen":
#: the "so" and "vso" schools).
PHRASE_WORD = r"(?:\([^\W\d_]+\))?[^\W\d_][\w-]*"
_PHRASE_WORD = re.compile(PHRASE_WORD)
#: The separable particles a participle may open with ("uitgestroomd", "ingevoerd"), as a regex alternation.
SEPARABLE_PARTICLES = "uit|op|aan|af|in|mee|na|toe|door|over|om|terug|voor|bij|weg"
#: The same particles as a set of words.
PARTICLE_WORDS = frozenset(SEPARABLE_PARTICLES.split("|"))
#: A past participle, alone or after a separable particle ("gedempt", "uitgestroomd").
_PARTICIPLE = re.compile(rf"(?:{SEPARABLE_PARTICLES})?ge[^\W\d_]{{2,}}[dt]")
#: How common the word an attributive adjective is made of must be (Zipf; set a priori: a
#: common word, as "klein" 5.3 or "ondiep" 3.4, and no rare or foreign one, as "period" 2.7).
_ADJECTIVE_ZIPF = 3.0
#: How common a participle-shaped word in -e may be and still be an adjective ("gemeente" and
#: "gedachte" are nouns; "uitgestroomde", "gedempte" are not common words at all).
_PARTICIPLE_NOUN_ZIPF = 4.0


def attributive(word: str) -> bool:
    """Whether a folded word is an adjective inflected to stand before a noun: an -e after a
    common word ("kleine", "grote" of "groot", "middelbare" of "middelbaar") or after a past
    participle ("uitgestroomde"). Not a noun in -e ("periode", "ziekte", "gemeente", "fte")."""
    if not word.endswith("e") or len(word) < 4:
        return False
    base = word[:-1]
    doubled = re.sub(r"(?<=[^aeiou])([aeou])([^aeiou])$", r"\1\1\2", base)  # "grot" -> "groot"
    if any(zipf(form) >= _ADJECTIVE_ZIPF for form in {base, doubled}):
        return True
    return _PARTICIPLE.fullmatch(base) is not None and zipf(word) < _PARTICIPLE_NOUN_ZIPF


#: A kind and its number or level before a noun ("mbo-4 studenten", "havo-5 leerlingen"): a modifier.
_LEVEL = re.compile(r"[^\W\d_]+-\d+")


def head_noun(folded: str, start: int = 0) -> str | None:
    """The noun of the noun phrase that begins at `start` in folded text: its first word, or the
    word after the attributive adjectives or levels that begin it ("kleine scholen",
    "uitgestroomde vso-leerlingen", "mbo-4 studenten" -> "scholen", "vso-leerlingen",
    "studenten"). An adjective that no content word follows is taken for the noun ("hoeveel
    grote?"). None when no word follows."""
    phrase = list(_PHRASE_WORD.finditer(folded, start))
    if not phrase:
        return None
    i = 0
    while (
        i + 1 < len(phrase) and (attributive(phrase[i].group()) or _LEVEL.fullmatch(phrase[i].group()))
        and folded[phrase[i].end() : phrase[i + 1].start()].isspace()
        and phrase[i + 1].group() not in STOPWORDS and phrase[i + 1].group() not in QUESTION_WORDS
    ):
        i += 1
    return phrase[i].group()


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning: stopwords dropped, numbers kept."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


_CODE = re.compile(r"\d[a-df-z]|[a-z]\d")


def too_short(word: str) -> bool:
    """A folded word too short to be a key term: under 3 characters, unless it is a number or a
    code of a letter and a digit ("1f", "g5"; not an ordinal such as "2e")."""
    return len(word) < 3 and not word.isdigit() and not _CODE.fullmatch(word)


def key_terms(question: str) -> list[str]:
    """The stems a passage should contain to answer `question` (no question words)."""
    seen: dict[str, None] = {}
    for w in words(question):
        if w in STOPWORDS or w in QUESTION_WORDS or POINTER_WORD.match(w) or too_short(w):
            continue
        seen.setdefault(stem(w), None)
    return list(seen)


def numbers(text: str) -> set[str]:
    """Numbers in `text`, normalised so that `9.800` and `9800` compare equal."""
    return {m.group(0).replace(".", "") for m in _NUMBER.finditer(text)}


def listed(words: Sequence[str], most: int | None = None) -> str:
    """'‘a’', '‘a’ en ‘b’', '‘a’, ‘b’ en ‘c’': words or titles quoted in a Dutch sentence; past
    `most` of them, the rest as "nog N andere". A word given twice is quoted once (two parts of
    one hyphenated word, each quoted as the whole)."""
    words = list(dict.fromkeys(words))
    quoted = [f"‘{w}’" for w in (words if most is None else words[:most])]
    if most is not None and len(words) > most:
        quoted.append(f"nog {len(words) - most} andere")
    return joined(quoted)


def joined(items: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c': items in a Dutch sentence, as they are."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"
