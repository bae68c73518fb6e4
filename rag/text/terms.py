"""Key terms of a question and whether passages contain them.

A term counts as present when its stem is among the passage's stems, when it begins or ends
a longer word (`vijver` in `visvijvers`; not `kroos` in `werkrooster`), or when it is a compound whose head
occurs with its modifier or with a common modifier (`vijverrand`: `vijver` + `rand`;
`schooltuinen`: `tuinen`, and "school" is a common word). Used by ranking (how much of the
question a passage covers) and by the refusal model (what the passages lack).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache

from rag.text.analysis import COUNT_WORDS, POINTER_WORD, QUESTION_WORDS, SEPARABLE_PARTICLES, STOPWORDS, SUPERLATIVES_AFTER_HET, YEAR, fold, stem, too_short, words, zipf
from rag.text.sectors import sectors
from rag.text.synonyms import alternatives, compound_alternatives, place_alternatives

# Capitalised words after the first, acronyms anywhere, and hyphenated names with them.
_TOKEN = re.compile(r"[^\W_]+(?:[-‑&][^\W_]+)*", re.UNICODE)
_MIN_SUBSTRING = 5  # shorter stems match too many unrelated words inside others
_MIN_PART = 4
_LINKING = ("s", "e", "en")
_MIN_PREFIX = 6
_COMMON_MODIFIER_ZIPF = 4.0
#: Endings that make a noun of a word ("burger-schap", "vrij-heid"): no head of a compound, so
#: "burgerschap" is not found in "medezeggenschap".
_SUFFIXES = frozenset("schap schappen heid heden isme ismen teit teiten".split())
_MIN_MODIFIER = 3
# Capitalised at the start of a question or by habit, not names.
_NOT_NAMES = frozenset({"nederland", "nederlandse", "rijk", "inspectie", "minister", "ocw", "po", "vo"})


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: Adjectives that make "hoe ..." ask for an amount ("Hoe groot is het tekort?"): the question's
#: form, not its subject, so no key term ("groot" would favour "een groot tekort").
_HOW_MEASURES = frozenset(
    "groot grote hoog hoge lang lange vaak oud oude jong klein kleine laag lage breed zwaar duur ver snel".split()
)
#: "Wat kost ...?", "Hoeveel kosten ...?": an amount of money is asked (the verb, not "de kosten").
_COST_VERBS = frozenset("kost kosten kostte kostten".split())
#: "Hoeveel bedraagt ...?", "Wat bedroeg ...?": an amount is asked; the documents give the figure
#: ("een budget van € 375"), seldom the verb.
_AMOUNT_VERBS = frozenset("bedraagt bedragen bedroeg bedroegen beloopt belopen beliep beliepen".split())
#: "Hoeveel geld ...?" asks an amount of money as "Wat kost ...?" does: the documents write
#: "€ 375 miljoen" or "een budget van ...", seldom the word. "Hoeveel geld is ermee gemoeid?":
#: "gemoeid" (involved) only ever says that something is asked about.
_MONEY_WORDS = frozenset("geld euro".split())
#: "gemoeid" ("Hoeveel geld is ermee gemoeid?"), and nouns that name no thing of their own
#: ("Welke drie dingen ...?", "Welke zaken ...?"): what they stand for is asked, not named.
_FORM_ONLY = frozenset({"gemoeid", "ding", "dingen", "zaak", "zaken"})
#: Prepositions that say only what the question is about ("qua veiligheid", "inzake de
#: bekostiging", "het beleid rond passend onderwijs"): the subject after them is the key term.
_REGARDING = frozenset("qua inzake omtrent aangaande betreffende rond rondom".split())
#: Phrases that say the same ("op het gebied van", "met betrekking tot"): their noun is form too.
_REGARDING_PHRASES = tuple(
    tuple(p.split())
    for p in ("op het gebied van", "op het vlak van", "op het terrein van", "met betrekking tot", "ten aanzien van", "in het kader van", "wat betreft")
)
#: "Wat gebeurt er als ...?", "Wat moet er gebeuren?": that something happens is the question's
#: form; what happens is asked, and the documents say it in their own verbs.
_HAPPEN_VERBS = frozenset("gebeurt gebeuren gebeurde gebeurden gebeurd".split())
#: "Voor wie is de toelage bedoeld?", "Waarvoor is het geld bestemd?": that something has a
#: purpose is the question's form; who or what it is for is asked.
_PURPOSE_PARTICIPLES = frozenset("bedoeld bestemd".split())
#: "Welke rol speelt X bij Y?": that X plays a role is the question's form; how X bears on Y is
#: asked, and the documents say it in their own words ("X beïnvloedt Y").
_PLAY_VERBS = frozenset("speelt spelen speelde speelden gespeeld".split())
#: "Hoe lang duurt ...?": how long is asked (a span of time), "duurt" names no subject.
_DURATION_VERBS = frozenset("duurt duren duurde duurden geduurd".split())
#: Verbs that open a yes/no question ("Is het ...?", "Klopt het ...?", "Krijgen alle ...?").
_YES_NO_VERBS = frozenset(
    """is zijn was waren heeft hebben had hadden klopt kloppen wordt worden werd werden ligt liggen lag
    bedraagt bedroeg krijgt krijgen kreeg kregen gaat gaan haalt halen telt tellen ontvangt ontvangen
    stijgt daalt groeit""".split()
)
#: Verbs that may follow "hoeveel" with no noun between ("Hoeveel kost ...?", "Hoeveel bedraagt
#: ...?", "Hoeveel krijgen de scholen?"): the question asks an amount and counts nothing by name.
HOW_MUCH_VERBS = _COST_VERBS | _AMOUNT_VERBS | _YES_NO_VERBS | frozenset("verdient verdienen verdiende verdienden".split())
_COMPARATIVES = frozenset("groter meer minder kleiner hoger lager".split())
#: "Noem drie ...", "geef 2 ...": how many items the answer should have, not what they are about.
_ASKING_VERBS = frozenset("noem geef beschrijf".split())
_ITEM_COUNTS = frozenset(COUNT_WORDS) | {str(n) for n in COUNT_WORDS.values()}
#: The kind of amount a question asks ("Welk percentage ...", "Hoeveel procent ...", "Wat is het
#: aantal ..."): its form, not its subject; the documents write "24%" and "€ 400", not the word.
_ASKED_AMOUNTS = frozenset("percentage procent aandeel aantal bedrag keer deel".split())
#: "Waar ligt het tekort het hoogst?": where something is ("ligt" is no thing to find).
_WHERE_VERBS = frozenset("ligt liggen lag lagen bevindt bevinden bevond bevonden".split())
#: The unit of time a when-question asks in ("In welk jaar ...?", "In welke periode ...?"): the
#: answer gives a date or a span ("van april tot november"), seldom the word itself.
_ASKED_TIMES = frozenset("jaar schooljaar kalenderjaar collegejaar maand periode datum".split())
#: Words that say how many kinds of a thing there are ("verschillende scholen", "enkele
#: oorzaken"), not what it is; "verschillende" would also match "verschil" by its stem.
_QUANTIFIERS = frozenset("verschillende diverse allerlei meerdere talrijke verscheidene enkele sommige vele".split())
#: "Wat vinden de tuinmannen van ...?", "Vindt de gemeente dat ...?": an opinion asked, which the
#: passages give in their own words ("zijn van mening", "geven aan"); "een plek gevonden" is no opinion.
_OPINION_VERBS = frozenset("vind vindt vinden".split())


def form_words(question: str) -> list[bool]:
    """Per word of `question` (`rag.text.analysis.words`): whether it shapes the question rather
    than names its subject ("groot" in "hoe groot", "drie" in "noem drie oorzaken", "kost" in
    "wat kost", "duurt" in "hoe lang duurt", "verschillende" in "verschillende soorten", the bound in "Is het tekort groter
    dan 20.000?")."""
    asked = words(question)
    opening = asked[1] if asked[:1] == ["en"] and len(asked) > 1 else asked[0] if asked else ""
    # "Hoe lang duurt ...?" and no other amount asked ("Hoe lang duurde het, en hoeveel ...?": there
    # "duurde" finds the sentence that gives the time among those that give figures).
    measures = [b for a, b in zip(asked, asked[1:]) if a == "hoe" and b in _HOW_MEASURES]
    how_long = ("hoelang" in asked or "lang" in measures) and "hoeveel" not in asked and set(measures) <= {"lang"}
    start = asked[1:] if asked[:1] == ["en"] else asked
    for_whom = start[:2] == ["voor", "wie"] or start[:1] == ["waarvoor"] or (start[:1] == ["waar"] and "voor" in start)
    plays_a_role = start[:2] == ["welke", "rol"] and bool(_PLAY_VERBS & set(start))
    form = [
        w in _FORM_ONLY
        or w in _REGARDING
        or w in _HAPPEN_VERBS
        or (how_long and w in _DURATION_VERBS)
        or (for_whom and w in _PURPOSE_PARTICIPLES)
        or (plays_a_role and (w in _PLAY_VERBS or (n == asked.index("rol"))))
        or (w in _QUANTIFIERS and n + 1 < len(asked) and asked[n + 1] not in STOPWORDS)
        or (w in _OPINION_VERBS and (
            "wat" in asked[max(0, n - 3) : n] or "dat" in asked[n + 1 :]
            or ("hoe" in asked[max(0, n - 3) : n] and {"van", "over"} & set(asked[n + 1 :]))
        ))
        or bool(n) and (
            (asked[n - 1] == "hoe" and w in _HOW_MEASURES)
            or (asked[n - 1] in _ASKING_VERBS and w in _ITEM_COUNTS)
            # "Wat kost ...?", "Hoeveel bedraagt ...?", and with the unit between: "Hoeveel fte bedraagt ...?"
            or ((asked[n - 1] in ("wat", "hoeveel") or (n >= 2 and asked[n - 2] == "hoeveel")) and (w in _COST_VERBS or w in _AMOUNT_VERBS))
            or (asked[n - 1] == "hoeveel" and w in _MONEY_WORDS)
            or (asked[n - 1] in ("welk", "welke") and w in _ASKED_TIMES)
            or (asked[n - 1] == "waar" and w in _WHERE_VERBS)
            # "Waar is het tekort het hoogst?": the ranking asked (`asks_superlative`), which the
            # passages say in their own words ("groter in de G5", "de grootste").
            or (asked[n - 1] == "het" and w in SUPERLATIVES_AFTER_HET)
            # "Welk percentage ...", "Hoeveel procent ...", "Wat is het aantal ...", "Hoe groot is het
            # aandeel ..."; in "Is het aantal ... gedaald?" the amount is what the yes or no is about.
            or (w in _ASKED_AMOUNTS and (
                asked[n - 1] in ("welk", "welke", "hoeveel")
                or (opening in ("wat", "hoe") and n >= 2 and asked[n - 1] in ("het", "de") and asked[n - 2] in ("is", "was"))
            ))
        )
        for n, w in enumerate(asked)
    ]
    for phrase in _REGARDING_PHRASES:
        for n in range(len(asked) - len(phrase) + 1):
            if tuple(asked[n : n + len(phrase)]) == phrase:
                form[n : n + len(phrase)] = [True] * len(phrase)
    # "Is het tekort groter dan 20.000?": a yes/no question's bound is checked against the
    # documents' figure, which need not be that number ("20.000" is the words "20" and "000").
    if opening in _YES_NO_VERBS:
        for n, w in enumerate(asked):
            if w.isdigit() and n >= 2 and (
                (asked[n - 1] == "dan" and asked[n - 2] in _COMPARATIVES) or (form[n - 1] and asked[n - 1].isdigit())
            ):
                form[n] = True
    return form


@dataclass(frozen=True)
class Analysed:
    """A text folded, split into words and stemmed (stopwords dropped), as `rag.text.analysis` does."""

    folded: str
    words: frozenset[str]
    stems: frozenset[str]


#: Compounds that share their head, written once: "lees- en rekenvaardigheid", "een ontwikkel-
#: of opleidingsplan", "basis- en voortgezet onderwijs".
_ELLIPSIS = re.compile(r"\b([^\W\d_]{3,})-\s+(?:en|of|tot|en/of)\s+([^\W\d_]{4,})(?:\s+([^\W\d_]{4,}))?")
#: A head completed onto the first part is a word of the lexicon at least this common, and this long.
_HEAD_ZIPF = 2.5
_MIN_HEAD = 4


def _elided_compounds(folded: str) -> set[str]:
    """The first compounds of `_ELLIPSIS` in full ("leesvaardigheid", "ontwikkelplan",
    "basisonderwijs"): the first part with each head the second compound (or the word after
    it) may end with."""
    found = set()
    for m in _ELLIPSIS.finditer(folded):
        first, second, after = m.groups()
        heads = {second[i:] for i in range(1, len(second) - _MIN_HEAD + 1)} | ({after} if after else set())
        found |= {first + h for h in heads if len(h) >= _MIN_HEAD and h not in _SUFFIXES and zipf(h) >= _HEAD_ZIPF}
    return found


@lru_cache(maxsize=8192)
def analyse(text: str) -> Analysed:
    """Cached: the same passages and sentences come back question after question. The words
    include compounds written with a shared head (`_elided_compounds`)."""
    folded = fold(text)
    found = _WORD.findall(folded)
    if "- " in folded:
        found += sorted(_elided_compounds(folded))
    return Analysed(folded, frozenset(found), frozenset(stem(w) for w in found if w not in STOPWORDS))


@dataclass(frozen=True)
class QuestionTerm:
    """A key term of a question: its stem, the word as asked, and what kind of term it is."""

    stem: str
    word: str
    is_name: bool = False
    is_number: bool = False
    #: All words of the name this term is part of ("vlinderstad", "oost" for Vlinderstad-Oost).
    name: tuple[str, ...] = ()
    #: The word as the user typed it ("België" where `word` is "belgie"), for what users read.
    asked: str = ""
    #: Stems of other words for the same thing ("leraar" for "juffen"; `rag.text.synonyms`).
    alternatives: tuple[str, ...] = ()
    #: Names of more words for the same thing, as stems, found where all of them are
    #: ("vroegschoolse", "educatie" for "vve"; `rag.text.abbreviations`).
    phrases: tuple[tuple[str, ...], ...] = ()

    def has_other_name_in(self, stems: Set[str]) -> bool:
        """Whether `stems` hold another word or name for this term (`alternatives`, `phrases`)."""
        return any(a in stems for a in self.alternatives) or any(all(p in stems for p in phrase) for phrase in self.phrases)

    @property
    def is_specific(self) -> bool:
        return self.is_name or self.is_number

    @property
    def is_letter_name(self) -> bool:
        """A capital letter with the word before it ("School B"), or letters joined by an
        ampersand ("W&T"): found only as that phrase."""
        return self.is_name and (len(self.word) == 1 or "&" in self.word)

    def occurs_in(self, folded: str) -> bool:
        """For a letter name: whether the phrase occurs in `folded` text, as whole words."""
        return re.search(rf"(?<![^\W_]){re.escape(self.stem)}(?![^\W_])", folded) is not None

    @property
    def numbers_a_thing(self) -> bool:
        """A number that names a thing after its noun ("groep 8", "niveau 1"; `name` is the two)."""
        return self.is_number and len(self.name) == 2

    def numbered_in(self, folded: str) -> bool:
        """For `numbers_a_thing`: whether `folded` text names that thing by that number, also in a
        row of them ("groep 8", "groepen 7 en 8", "niveau 2, 3 en 4"), not the number alone ("8 uur")."""
        noun, number = self.name
        row = r"(?:\d+\s*(?:,|en|of|tot|-|–)\s*)*"
        return re.search(rf"\b{re.escape(stem(noun))}\w*\s+{row}{re.escape(number)}(?![\d,.]\d|%)\b", folded) is not None


#: The ending of a plural or a person written after an apostrophe ("zzp'ers", "opp's",
#: "thema's"): the word before it is the term; "ers" alone is none. Not after a word too short
#: to be a term of its own ("IB'ers": there the ending is all there is to search).
_APOSTROPHE_ENDING = re.compile(r"\b([^\W_]{3,})['’](?:ers|er|s)\b")
#: Two letters with such an ending are an abbreviation, also typed in lower case ("ib'er").
_SHORT_WITH_ENDING = re.compile(r"\b([^\W\d_]{2})['’](?:ers|er|s)\b")


#: Capitals joined by ampersands ("W&T", "R&D").
_JOINED_LETTERS = re.compile(r"(?<![^\W_])[A-Z]{1,2}(?:&[A-Z]{1,2})+(?![^\W_])")


def _short_acronym(word: str, acronyms: set[str]) -> bool:
    """A two-letter word typed in capitals names something ("het NP Onderwijs", "de EU"), unless
    it names a sector ("PO", "VO": `rag.text.sectors` reads those); "El" in a name does not."""
    return len(word) == 2 and word in acronyms and not sectors(word)


def question_terms(question: str) -> list[QuestionTerm]:
    """The question's key terms (as `rag.text.analysis.key_terms`, less pointers such as
    "daarin"), with names and numbers marked."""
    question = _APOSTROPHE_ENDING.sub(r"\1", question)
    names: dict[str, tuple[str, ...]] = {}
    acronyms: set[str] = set()
    # A capital letter after a word ("School B", "Bijlage C") names something together with
    # that word; alone it is no term ("b" is in every "vmbo-b").
    letter_names: dict[str, tuple[str, str]] = {}
    previous: list[str] = []
    for n, match in enumerate(_TOKEN.finditer(question)):
        token = match.group(0)
        if len(token) == 1 and token.isupper() and token != "U" and previous and len(previous[-1]) >= 3:  # "Kunt U": the pronoun
            letter_names.setdefault(token.lower(), (previous[-1], token.lower()))
        previous = words(token) or previous
        letters = [ch for ch in token if ch.isalpha()]
        acronym = len(letters) >= 2 and all(ch.isupper() for ch in letters)
        if acronym or (n > 0 and token[:1].isupper()):
            parts = tuple(words(token))
            names.update((w, parts) for w in parts if w not in _NOT_NAMES)
        if acronym:
            acronyms.update(w for w in words(token) if w not in _NOT_NAMES)
    acronyms.update(fold(m.group(1)) for m in _SHORT_WITH_ENDING.finditer(question))
    # Folded word -> the word as typed (first occurrence), so a reason quotes the user.
    typed: dict[str, str] = {}
    for raw in _WORD.findall(question):
        folded = words(raw)
        if len(folded) == 1:
            typed.setdefault(folded[0], raw)
    # A part of a hyphenated word is quoted as the whole word ("burn-out", not "burn" and "out").
    for raw in _TOKEN.findall(question):
        if "-" in raw:
            for w in words(raw):
                typed[w] = raw
    terms: dict[str, QuestionTerm] = {}
    asked_words = words(question)
    perfect = _perfect_participle(asked_words)
    # "hoe groot", "hoe vaak": an amount is asked, not about size; "noem drie oorzaken": a
    # number of items, which the documents need not say.
    # "W&T", "R&D": letters joined by an ampersand name something as a whole.
    joined_letters = {len(words(question[: m.start()])): m.group(0) for m in _JOINED_LETTERS.finditer(question)}
    # "in groep 8", "op niveau 1": a number after its noun names a thing (not a year, not "dan 20").
    folded_question = fold(question)
    numbered = {
        n for n, w in enumerate(asked_words)
        if w.isdigit() and not YEAR.fullmatch(w) and n > 0 and len(asked_words[n - 1]) >= 3 and asked_words[n - 1].isalpha()
        and asked_words[n - 1] not in STOPWORDS and asked_words[n - 1] not in QUESTION_WORDS
        and re.search(rf"\b{re.escape(asked_words[n - 1])}\s+{w}(?![\w%-]|[.,]\d)", folded_question)
    }
    for n, (w, form) in enumerate(zip(asked_words, form_words(question))):
        if n in joined_letters:
            acronym = joined_letters[n]
            phrase = fold(acronym)
            terms.setdefault(phrase, QuestionTerm(phrase, phrase, is_name=True, name=tuple(words(acronym)), asked=acronym))
        if form:
            continue
        if w in letter_names:
            phrase = " ".join(letter_names[w])
            terms.setdefault(phrase, QuestionTerm(phrase, w, is_name=True, name=letter_names[w], asked=phrase.title()))
            continue
        if w in STOPWORDS or w in QUESTION_WORDS or (too_short(w) and not _short_acronym(w, acronyms)) or POINTER_WORD.match(w):
            continue
        s = stem(w)
        if n in numbered:  # "groep 8": the number names the group, as the two words together
            noun = asked_words[n - 1]
            terms.setdefault(s, QuestionTerm(s, w, is_number=True, name=(noun, w), asked=f"{typed.get(noun, noun)} {w}"))
            continue
        if s not in terms:
            terms[s] = QuestionTerm(
                s, w, is_name=w in names, is_number=w.isdigit(), name=names.get(w, ()), asked=typed.get(w, w),
                # A name has no other words, but a country's adjective ("Schotse") has its name,
                # and a compound in it its head's ("NP-Onderwijsgeld": "NP-Onderwijsmiddelen").
                alternatives=place_alternatives(w) + compound_alternatives(w) if w in names else (
                    alternatives(w) + (_verb_stems(w) if w == perfect else ()) + _present_stem(w)
                    + _comparative_base(w, asked_words[n + 1] if n + 1 < len(asked_words) else "")
                ),
            )
    return list(terms.values())


#: The verbs of a perfect tense or a passive ("is gedaald", "zijn gestart", "wordt gebruikt").
_AUXILIARIES = frozenset("is zijn was waren heeft hebben had hadden wordt worden werd werden".split())
#: A past participle of a weak verb: "ge" + the verb's stem + "d" or "t", after a separable
#: particle or not ("gestart", "ingevoerd"); without a particle the stem has four letters at
#: least ("gezond" is no participle of "zon").
_WEAK_PARTICIPLE = re.compile(
    rf"(?P<particle>{SEPARABLE_PARTICLES})ge(?P<core>[^\W\d_]{{3,}})[dt]"
    r"|ge(?P<plain_core>[^\W\d_]{4,})[dt]"
)


def _perfect_participle(asked: Sequence[str]) -> str | None:
    """The past participle that closes a question in the perfect tense or the passive ("Hoeveel
    scholen zijn er gestart?"): the documents tell the same in the simple past ("startten") or
    in a noun of the verb ("de invoering" for "ingevoerd")."""
    if not asked or not _AUXILIARIES & set(asked[:-1]) or not _WEAK_PARTICIPLE.fullmatch(asked[-1]):
        return None
    return asked[-1]


def _verb_stems(participle: str) -> tuple[str, ...]:
    """The stems the verb of a past participle has in its other forms ("gestart": "start",
    "gedaald": "daal", as in "startten", "daalde"; "ingevoerd": "invoer", as in "invoeren",
    "invoering")."""
    match = _WEAK_PARTICIPLE.fullmatch(participle)
    if match is None:
        return ()
    particle = match.group("particle") or ""
    core = match.group("core") or match.group("plain_core")
    verbs = (particle + core, particle + core + participle[-1])
    return tuple(dict.fromkeys(stem(verb) for verb in verbs if stem(verb) != stem(participle)))


#: A verb's present tense after "hij" or "het": its stem and a "t" ("bepaalt", "daalt").
_PRESENT_T = re.compile(r"[^\W\d_]{3,}[^\Wdt\d_]t")


#: Comparatives that are not their adjective plus "-er".
_IRREGULAR_COMPARATIVES = frozenset("beter meer minder liever eerder".split())


def _comparative_base(word: str, following: str) -> tuple[str, ...]:
    """The stem of the adjective of a comparative before "dan" ("jonger dan 35": "jong", as in
    "jonge"; "groter": "groot"; "duurder": "duur"), which the stemmer keeps apart."""
    if following != "dan" or word in _IRREGULAR_COMPARATIVES or not word.endswith("er") or len(word) < 5:
        return ()
    base = word[:-3] if word.endswith("rder") else word[:-2]
    forms = [base, f"{base}e"]
    # "grot" + "er": the open syllable's single vowel is written double when it closes ("groot";
    # "grote" keeps it single, and "grot" is no form of it).
    if re.search(r"(?:^|[^aeiou])[aeou][^aeiouwj]$", base):
        forms[0] = base[:-1] + base[-2] + base[-1]
    own = stem(word)
    return tuple(dict.fromkeys(s for s in map(stem, forms) if s != own))


def _present_stem(word: str) -> tuple[str, ...]:
    """The stem of a verb's other forms for a word that may be its present tense ("bepaalt":
    "bepaal", as in "bepaalde", "bepalen"), which the stemmer keeps apart. A noun in -t gains a
    stem no word has ("tekort": "tekor")."""
    if not _PRESENT_T.fullmatch(word):
        return ()
    other = stem(word[:-1])
    return (other,) if other != stem(word) else ()


class TermIndex:
    """The words of some passages, to ask whether a question term occurs in them."""

    def __init__(self, texts: Iterable[str]) -> None:
        analysed = [analyse(t) for t in texts]
        self.text = "\n".join(a.folded for a in analysed)
        self.stems = frozenset().union(*(a.stems for a in analysed))
        self.words = frozenset().union(*(a.words for a in analysed))
        self._prefixes = {w[:_MIN_PREFIX] for w in self.words if len(w) >= _MIN_PREFIX}

    def _occurs(self, piece: str) -> bool:
        if len(piece) >= _MIN_SUBSTRING:
            return piece in self.text and any(self._part_of_word(m.start(), piece) for m in re.finditer(re.escape(piece), self.text))
        return piece in self.words or stem(piece) in self.stems

    def _part_of_word(self, at: int, piece: str) -> bool:
        """Whether `piece` at offset `at` is a part of its word: its start, its end (give or take
        a plural or a stem's ending: `vijver` in `visvijvers`), or the head after a modifier that
        is a word itself (`bevoegd` in `lesbevoegdheid`); not `kroos` in `werkrooster`."""
        start = at
        while start and (self.text[start - 1].isalnum()):
            start -= 1
        if start == at:
            return True
        end = at + len(piece)
        tail = 0
        while end + tail < len(self.text) and self.text[end + tail].isalnum():
            tail += 1
        if tail <= 2:
            return True
        forms = _modifier_forms(self.text[start:at], _MIN_MODIFIER)
        return any(len(f) >= _MIN_MODIFIER and zipf(f) >= _COMMON_MODIFIER_ZIPF for f in forms)

    def contains(self, term: QuestionTerm, *, parts: bool = True, common_modifier: bool = True) -> bool:
        """Whether the term occurs: as a word, stem or other name, inside a longer word, as a
        variant, or (with `parts`) as the two parts of a compound written apart. Without
        `common_modifier` a compound's common modifier must be there too, as a word or by another
        name ("avondonderwijs" is not found in text about "onderwijs" alone)."""
        if term.is_letter_name:
            return term.occurs_in(self.text)
        if term.numbers_a_thing:
            return term.numbered_in(self.text)
        if term.stem in self.stems or term.word in self.words or term.has_other_name_in(self.stems):
            return True
        if term.is_number:
            return False
        if term.is_name:
            # A name is there as a word or not at all, never as a piece of a longer word.
            return self._variant_present(term.word)
        if self._occurs(term.stem) or self._occurs(term.word) or self._variant_present(term.word):
            return True
        return parts and self._compound_present(term.word, common_modifier)

    def names_part_of(self, term: QuestionTerm) -> bool:
        """Whether another word of the term's name occurs ("VR" of "VR-Bril")."""
        return any(w in self.words for w in term.name if w != term.word)

    def _variant_present(self, word: str) -> bool:
        # `verbouwd` / `verbouwing`: a shared beginning of at least 3/4 of the word.
        if len(word) < _MIN_PREFIX or word[:_MIN_PREFIX] not in self._prefixes:
            return False
        need = max(_MIN_PREFIX, -(-3 * len(word) // 4))
        return any(w.startswith(word[:need]) for w in self.words if len(w) >= need)

    def _compound_present(self, word: str, common_modifier: bool = True) -> bool:
        # `klassengrootte` -> `klassen` + `grootte`; `ziekteverzuimpercentage` -> ...
        for right_stem, right, lefts in _compound_cuts(word):
            if right in _SUFFIXES or (not self._occurs(right_stem) and not self._occurs(right)):
                continue
            # The modifier occurs too, or is so common it adds little ("schoolbesturen": besturen);
            # without `common_modifier`, a common one must be there by another name
            # ("basisschoolbesturen": "po-besturen").
            if any(
                self._occurs(piece)
                or (zipf(piece) >= _COMMON_MODIFIER_ZIPF and (common_modifier or any(self._occurs(a) for a in alternatives(piece))))
                for piece in lefts
            ):
                return True
        return False


def _modifier_forms(left: str, shortest: int) -> tuple[str, ...]:
    """The modifier of a compound with and without a linking -s/-e/-en ("schools": "schools",
    "school"), the shortened forms only when at least `shortest` letters remain."""
    return (left, *(left[: -len(s)] for s in _LINKING if left.endswith(s) and len(left) - len(s) >= shortest))


@lru_cache(maxsize=4096)
def _compound_cuts(word: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Every way to read `word` as modifier + head: (the head's stem, the head, the modifier
    with and without a linking -s/-e/-en), worked out once per word, not once per passage."""
    cuts = []
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        left, right = word[:cut], word[cut:]
        cuts.append((stem(right), right, _modifier_forms(left, _MIN_PART)))
    return tuple(cuts)


def term_weight(term: QuestionTerm) -> float:
    """Rarer words say more about what the question is about (1 for 'jaar', 6 for unknown words)."""
    if term.is_number or term.is_letter_name:
        return 3.0
    return min(6.0, max(1.0, 6.5 - zipf(term.word)))
