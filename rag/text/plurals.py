"""The other number of a Dutch noun where the stemmer gives it another stem.

Snowball's Dutch stemmer keeps "school"/"scholen" and "jaar"/"jaren" together by writing the
long vowel of an open syllable double ("jaren" -> "jaar"). For the nouns whose short vowel
becomes long only in the plural that splits singular and plural: "dag"/"dagen" ("dag",
"daag"), "bedrag"/"bedragen", "weg"/"wegen". Plurals in "-eren" ("kind"/"kinderen") and the
few with another vowel ("stad"/"steden") are split as well. So a question about "een bedrag"
would miss a passage with "bedragen". So would "themas", typed for "thema's" (whose apostrophe
the tokenizer splits off), miss "thema".

`other_number_forms` gives the other number, `other_number_stems` its stem. Whether a form
is a Dutch word comes from `wordfreq`, which tells "dagen" (a word) from "lesen" (not one:
"les" makes "lessen", which the stemmer already joins).
"""

from __future__ import annotations

from functools import lru_cache

from rag.text.analysis import stem, zipf

#: A form counts as a Dutch word from this Zipf frequency on (`wordfreq`: "dagen" 5.6,
#: "lesen" 1.8, "gelid" 2.3, "teamlid" 3.0).
WORD_ZIPF = 2.5
#: "-en" taken off must leave a common word: "dagen" -> "dag" (6.0), not "jaren" -> "jar" (3.2,
#: English) or "scholen" -> "schol" (a fish).
SINGULAR_ZIPF = 3.5
#: Plurals with another vowel, as Dutch grammars list them: singular, plural.
_VOWEL_CHANGE = (("stad", "steden"), ("schip", "schepen"), ("lid", "leden"), ("smid", "smeden"))


def apostrophe_singular(word: str) -> str | None:
    """The singular of a plural typed without its apostrophe ("themas" -> "thema", "regios" ->
    "regio"): Dutch writes the plural of a word that ends in a, i, o, u or y with "'s". None for
    a word not of that shape (it need not be such a plural: "status")."""
    return word[:-1] if len(word) >= 5 and word.endswith("s") and word[-2] in "aiouy" else None


def _word(form: str, least: float = WORD_ZIPF) -> bool:
    return zipf(form) >= least


@lru_cache(maxsize=4096)
def other_number_forms(word: str) -> tuple[str, ...]:
    """The other number of a folded noun where the stemmer gives it another stem: "dag" ->
    ("dagen",), "dagen" -> ("dag",), "kind" -> ("kinderen",); () for most words."""
    own = stem(word)
    # "themas" typed for "thema's": the plural of a word that ends in a vowel, whose stem keeps the s.
    if (singular := apostrophe_singular(word)) and _word(singular, SINGULAR_ZIPF) and stem(singular) != own:
        return (singular,)
    if not _word(word):
        return ()
    forms = []
    if len(word) >= 3:
        forms += [word + "en", word + "eren"]  # "dag" -> "dagen", "kind" -> "kinderen"
    if word.endswith("eren") and len(word) >= 7:
        forms.append(word[:-4])  # "kinderen" -> "kind"
    if word.endswith("en") and len(word) >= 5 and _word(word[:-2], SINGULAR_ZIPF):
        forms.append(word[:-2])  # "dagen" -> "dag"
    for singular, plural in _VOWEL_CHANGE:  # "stad"/"steden", also as a compound's head ("hoofdsteden")
        for have, other in ((singular, plural), (plural, singular)):
            if word.endswith(have):
                forms.append(word[: len(word) - len(have)] + other)
    return tuple(dict.fromkeys(f for f in forms if f != word and stem(f) != own and _word(f)))


def other_number_stems(word: str) -> tuple[str, ...]:
    """The stems of `other_number_forms`: "dag" -> ("daag",)."""
    return tuple(sorted({stem(f) for f in other_number_forms(word)}))


__all__ = ["SINGULAR_ZIPF", "WORD_ZIPF", "apostrophe_singular", "other_number_forms", "other_number_stems"]
