"""Lists that a document gives only as its headings: "Wat zijn de zes thema's van het vijverplan?"

Some documents name their parts in headings and nowhere in a sentence: a plan whose chapters
are "Thema water", "Thema oevers", "Thema vissen" says "het plan heeft drie thema's" and lists
them only as those headings. A list question about them then finds loose sentences. This module
reads such a list from a document's heading paths (`Chunk.section`, "Thema water > Achtergrond"):
sibling headings that open with the word the question asks for ("thema's" -> "Thema ...").

It answers only when the structure is plain: the question asks for nothing but those parts (a
count, the document's name and words such as "behandelt" may come with it), at least two
headings share one parent, numbered headings run 1, 2, 3 without a gap, every heading has a
title besides its word and number, and a count in the question matches the headings found.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rag.text.analysis import COUNT_WORDS, PREPOSITIONS, STOPWORDS, YEAR, fold, stem, words
from rag.text.notes import cites_source
from rag.text.terms import QuestionTerm, question_terms

#: Words that ask for the parts without narrowing them: "Welke thema's behandelt het plan?",
#: "Wat zijn de belangrijkste thema's?", "Welke speerpunten staan erin?".
_FORM_WORDS = frozenset(
    """
    behandelt behandelen behandeld bespreekt bespreken besproken beschrijft beschrijven beschreven noemt noemen
    genoemd onderscheidt onderscheiden kent kennen heeft hebben bevat bevatten komen komt aan bod staan staat
    ziet zien zag zagen
    centraal belangrijkste voornaamste allemaal precies welke erin daarin
    """.split()
)
#: A plural as typed: "thema's", "thema’s", "speerpunten", "acties".
_APOSTROPHE_PLURAL = re.compile(r"^(?P<singular>[^\W\d_][\w-]*?)['’]s$")
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")
#: A heading's opening word, its number and what follows: "Speerpunt 2: Meer steun", "thema gelijke kansen".
_HEADING = re.compile(r"^\s*(?P<word>[^\W\d_][\w-]*)\s*(?P<number>\d+)?\s*[.:–-]?\s*(?P<title>.*?)\s*$")


@dataclass(frozen=True)
class HeadingItem:
    """One part of a list given as headings: the heading path it opens and its title."""

    #: Index of the path in the sequence given to `heading_list`.
    path_index: int
    heading: str
    title: str


@dataclass(frozen=True)
class HeadingList:
    #: The word for the parts as the question typed it ("thema’s").
    asked: str
    items: tuple[HeadingItem, ...]


def _asked_plural(question: str, term: QuestionTerm) -> str | None:
    """The question's plural form of `term` as typed ("thema's", "speerpunten"), or None
    when the question asks for one ("Wat is het thema?")."""
    for token in _TOKEN.findall(question):
        folded = fold(token)
        if (m := _APOSTROPHE_PLURAL.match(folded)) and stem(m.group("singular")) == term.stem:
            return token
        if folded != term.stem and stem(folded) == term.stem and (folded.endswith("en") or folded.endswith("s")):
            return token
    return None


def _count(terms: Sequence[QuestionTerm]) -> int | None:
    for t in terms:
        if t.is_number and t.word.isdigit():
            return int(t.word)
        if t.word in COUNT_WORDS:
            return COUNT_WORDS[t.word]
    return None


@dataclass(frozen=True)
class PartsAsked:
    """A question that asks for nothing but the parts of something: their word and count."""

    term: QuestionTerm
    #: The word for the parts as the question typed it ("thema’s").
    asked: str
    count: int | None
    #: The years the question asks about: only a document of one of them gives the parts.
    years: frozenset[str] = frozenset()


def parts_asked(question: str, topic_terms: Sequence[QuestionTerm]) -> PartsAsked | None:
    """What a question asks the parts of ("Wat zijn de zes thema's?": "thema's", six), or None
    when it asks for more than that, or for one. `topic_terms`: the question's key terms
    without the words that name its source."""
    # A year says when ("Welke thema's noemt het plan in 2023?"), not how many: `years`.
    years = frozenset(t.word for t in topic_terms if t.is_number and YEAR.fullmatch(t.word))
    counts = [t for t in topic_terms if (t.is_number or t.word in COUNT_WORDS) and t.word not in years]
    rest = [t for t in topic_terms if t not in counts and t.word not in _FORM_WORDS and t.word not in years]
    if len(rest) != 1 or len(counts) > 1:
        return None
    asked = _asked_plural(question, rest[0])
    return PartsAsked(rest[0], asked, _count(counts), years) if asked else None


def heading_list(parts: PartsAsked, sections: Sequence[str | None]) -> HeadingList | None:
    """The parts asked for, read from a document's heading paths in document order, or None
    when the headings do not plainly list them."""
    groups: dict[tuple[str, ...], list[HeadingItem]] = {}
    numbers: dict[tuple[str, ...], list[int | None]] = {}
    for index, path in enumerate(sections):
        names = [p.strip() for p in (path or "").split(" > ")]
        for depth, name in enumerate(names):
            m = _HEADING.match(name)
            if not m or stem(fold(m.group("word"))) != parts.term.stem:
                continue
            parent = tuple(names[:depth])
            items = groups.setdefault(parent, [])
            if any(item.heading == name for item in items):
                continue
            items.append(HeadingItem(index, name, m.group("title")))
            numbers.setdefault(parent, []).append(int(m.group("number")) if m.group("number") else None)
    plain = []
    for parent, items in groups.items():
        numbered = numbers[parent]
        if len(items) < 2 or not all(item.title for item in items):
            continue
        if any(n is not None for n in numbered) and numbered != list(range(1, len(items) + 1)):
            continue  # "Hoofdstuk 1" and "Hoofdstuk 6": the headings in between were not recognised
        if parts.count is not None and parts.count != len(items):
            continue
        plain.append(items)
    if not plain:
        return _numbered_children(parts, sections)
    return HeadingList(parts.asked, tuple(max(plain, key=len)))


#: A numbered heading: "2 Geïdentificeerde trends", "2.3 Herijking besturingsmodel".
_NUMBERED_HEADING = re.compile(r"^\s*(?P<number>\d{1,2}(?:\.\d{1,2})*)\.?\s+(?P<title>[^\W\d_].*?)\s*$")


#: Sections under a heading that names the parts are read as the parts from this many on: two
#: ("4.1 Conclusies", "4.2 Aanbevelingen") are more often the halves of a heading than its parts.
_MIN_CHILDREN = 3


def _opens_with(title: str, term_stem: str) -> bool:
    """Whether a heading's title is about the parts: it opens with their word, maybe after one
    adjective ("Geïdentificeerde trends en ontwikkelingen"); not a title of two things ("...:
    drie voorbeelden") or one where they follow a preposition ("Van uitdagingen naar ...")."""
    opening = words(title)[:2]
    return ":" not in title and bool(opening) and opening[0] not in PREPOSITIONS and any(stem(w) == term_stem for w in opening)


def _numbered_children(parts: PartsAsked, sections: Sequence[str | None]) -> HeadingList | None:
    """The parts as the numbered sections under a numbered heading that names them: "2
    Geïdentificeerde trends" with "2.1 Personeelsschaarste", "2.2 Basisvaardigheden", ... for
    "Welke trends ...?". Only a run 1, 2, 3 ... of at least `_MIN_CHILDREN`, without a gap,
    none of them named by the word itself."""
    children: dict[tuple[str, str], list[tuple[int, HeadingItem]]] = {}
    for index, path in enumerate(sections):
        names = [p.strip() for p in (path or "").split(" > ")]
        for depth in range(len(names) - 1):
            head = _NUMBERED_HEADING.match(names[depth])
            if not head or not _opens_with(head.group("title"), parts.term.stem):
                continue
            child = _NUMBERED_HEADING.match(names[depth + 1])
            prefix = head.group("number") + "."
            if not child or not child.group("number").startswith(prefix) or "." in child.group("number")[len(prefix):]:
                continue
            items = children.setdefault((names[depth], prefix), [])
            if all(item.heading != names[depth + 1] for _, item in items):
                items.append((int(child.group("number")[len(prefix):]), HeadingItem(index, names[depth + 1], child.group("title"))))
    plain = [
        [item for _, item in items] for items in children.values()
        if len(items) >= _MIN_CHILDREN and [n for n, _ in items] == list(range(1, len(items) + 1))
        and (parts.count is None or parts.count == len(items))
        # "4 Conclusies en aanbevelingen" with "4.1 Conclusies", "4.2 Aanbevelingen": a section
        # named by the word is one of them, not a part.
        and not any(stem(w) == parts.term.stem for _, item in items for w in words(item.title))
    ]
    return HeadingList(parts.asked, tuple(max(plain, key=len))) if plain else None


_COUNT_NAMES = {n: w for w, n in COUNT_WORDS.items()}


#: The place in a list an ordinal names (from 0; the last -1).
ORDINALS = {
    "eerste": 0, "tweede": 1, "derde": 2, "vierde": 3, "vijfde": 4, "zesde": 5, "zevende": 6, "achtste": 7,
    "negende": 8, "tiende": 9, "laatste": -1,
}  # fmt: skip
#: A place in a list named by an ordinal: "de eerste", "het laatste spanningsveld" ("punt drie" is not one).
ORDINAL_PLACE = re.compile(
    r"\b(?:(?P<article>de |het |die |dat |deze |dit ))?(?P<ordinal>" + "|".join(ORDINALS) + r")\b(?:\s+(?P<noun>[^\W\d_]+))?",
    re.IGNORECASE,
)


def with_heading_part(question: str, sections: Sequence[str | None]) -> str | None:
    """`question` with the part of a document that an ordinal and its noun point at, where the
    document gives those parts as its headings (`heading_list`), put in their place: "Wat houdt
    het tweede thema in?" -> "Wat houdt het thema ‘oevers’ in?". None when no ordinal with a noun
    names such a part."""
    for match in ORDINAL_PLACE.finditer(question):
        noun = match.group("noun")
        if not noun or fold(noun) in STOPWORDS:
            continue
        terms = question_terms(noun)
        if not terms:
            continue
        found = heading_list(PartsAsked(terms[0], noun, None), sections)
        place = ORDINALS[match.group("ordinal").lower()]
        if found is None or place >= len(found.items):
            continue
        title = found.items[place].title
        return f"{question[: match.start()]}{match.group('article') or ''}{noun} ‘{title}’{question[match.end():]}"
    return None


def heading_list_reply(title: str, found: HeadingList) -> str:
    """The answer: the headings' titles in document order, each with its `[n]` marker, said to
    come from the headings ("De kopjes van ‘Het vijverplan’ noemen drie thema's: water [1]; ...")."""
    n = len(found.items)
    items = "; ".join(f"{item.title} [{i}]" for i, item in enumerate(found.items, start=1))
    return f"De kopjes van ‘{title}’ noemen {_COUNT_NAMES.get(n, str(n))} {found.asked}: {items}."


#: A numbered title on a line of its own: "1 brede basisbevoegdheid", "2. Teamleren bevorderen".
_NUMBERED_TITLE = re.compile(r"^\s*(?P<number>\d{1,2})\.?\s+(?P<title>(?:\(|[^\W\d_])[^\n]*?)\s*$")
#: A title has at most this many words; a longer numbered line is a numbered paragraph.
_TITLE_MAX_WORDS = 12
#: A bracket that ends a title: "(klas en leerling – microniveau)", left out of its length.
_BRACKET_AT_END = re.compile(r"\s*\([^()]*\)\s*$")
#: The largest count a sentence is read to announce parts by ("acht mechanismen").
_MAX_ANNOUNCED = 20


#: "... zijn gamechangers te onderscheiden", "... worden drie fasen onderscheiden": parts announced.
_DISTINGUISHED = re.compile(r"\b(?:te|worden|werden|kunnen|zijn)\s+(?:[^\W\d_]+\s+){0,3}?onderscheiden\b|\bonderscheiden\s+(?:we|wij)\b")


def announced_count(sentence: str, nouns: Collection[str]) -> int | None:
    """How many parts a sentence announces of one of `nouns` (stems): "Er zijn acht mechanismen
    te onderscheiden" -> 8 for {"mechanism"}, "Het plan kent 3 grote doelen" -> 3 for {"doel"};
    0 when it announces them without their number ("Voor elk niveau zijn gamechangers te
    onderscheiden"); None when it announces none."""
    tokens = words(sentence)
    for i, token in enumerate(tokens):
        count = COUNT_WORDS.get(token) or (int(token) if token.isdigit() and 2 <= int(token) <= _MAX_ANNOUNCED else None)
        if count and any(stem(t) in nouns for t in tokens[i + 1 : i + 3]):
            return count
    if _DISTINGUISHED.search(fold(sentence)) and any(stem(t) in nouns for t in tokens):
        return 0
    return None


@dataclass(frozen=True)
class NumberedTitle:
    """A title numbered on a line of its own, and which of the texts searched holds it."""

    number: int
    title: str
    text_index: int


def numbered_titles(texts: Sequence[str], count: int, start: int = 0) -> list[NumberedTitle] | None:
    """The titles numbered 1 to `count`, each on a line of its own, found in the first of
    `texts` from `start` on and in the texts after it (a document's text, piece by piece): the
    parts a sentence announced ("Er zijn acht mechanismen te onderscheiden.") given as numbered
    titles, each with its own text below it. None unless all of them come, in order: a number
    seen before is skipped (pieces overlap), one that skips a number ends the search. A
    `count` of 0 (the number not announced) takes the titles numbered from 1 on as far as they
    go on in order, two at least."""
    found: list[NumberedTitle] = []
    for index, text in enumerate(texts):
        for line in (text[start:] if index == 0 else text).split("\n"):
            match = _NUMBERED_TITLE.match(line)
            if match is None:
                continue
            title = match.group("title")
            # A numbered line that cites a source ("36 Van Dijk (2020), p. 22") is a note, not a title.
            # (A bracket that ends the title says where it belongs: "(klas en leerling – microniveau)".)
            if len(_BRACKET_AT_END.sub("", title).split()) > _TITLE_MAX_WORDS or title[-1] in ".,;:" or cites_source(title):
                continue
            number = int(match.group("number"))
            if number <= len(found):
                continue
            if number != len(found) + 1:
                return found if not count and len(found) >= 2 else None
            found.append(NumberedTitle(number, title, index))
            if len(found) == count:
                return found
    return found if not count and len(found) >= 2 else None


__all__ = [
    "ORDINALS", "ORDINAL_PLACE", "HeadingItem", "HeadingList", "NumberedTitle", "PartsAsked", "announced_count", "heading_list",
    "heading_list_reply", "with_heading_part",
    "numbered_titles", "parts_asked",
]  # fmt: skip
