"""Dutch sentence splitting, the one splitter: chunking, answer composition and the
citation check all cut sentences here. Fast, rule-based, exact spans.

A general splitter (`pysbd`) costs ~20 ms per 1,200-character passage, too slow for an
answer that must be composed in a few milliseconds. The cleaned text already has one
paragraph, heading or list item per line, so within a line a sentence ends at `.`, `!`,
`?` or `…` followed by white space and a capital, digit, quote or bracket, unless the
word before the stop is a known abbreviation or an initial. Every piece is an exact
slice of the input (`text[start:end]`), so quoting it is verbatim by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# Dutch abbreviations that never end a sentence, and those that end one only when the
# next word does not continue it (lower case, a number, an amount).
ABBREVIATIONS_NEVER_FINAL = frozenset(
    "bijv. bv. o.a. ca. nr. nrs. art. vgl. zgn. resp. incl. excl. t.o.v. m.b.t. i.p.v. "
    "i.v.m. d.w.z. o.b.v. m.u.v. t.a.v. dr. drs. mr. ir. ing. prof. mevr. dhr. mw. st. "
    "blz. p. pag. hfst. hfdst. afb. fig. tab. jl. a.s.".split()
)
ABBREVIATIONS_SOMETIMES_FINAL = frozenset("mln. mld. mrd. jr. min. max. e.a. enz. etc. e.d.".split())

# A possible sentence end: the stop (plus closing quotes/brackets), white space, and the
# first character of what follows.
_STOP = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+(\S))")
_STARTS_SENTENCE = re.compile(r"[A-ZÀ-Þ0-9\"'‘“(\[€•]")
#: A full stop typed for a comma inside a list of names: "Amsterdam, Rotterdam. Den Haag, Utrecht
#: en Almere": a name after a comma, the stop, and one or two capitalised words and a comma.
_STOP_IN_NAME_LIST = re.compile(r", [A-ZÀ-Þ][\w-]*\.\s+[A-ZÀ-Þ][\w-]*(?: [A-ZÀ-Þ][\w-]*)?,")
#: A list marker at the start of a line: "•", "-", "o", "1.", "a)". The one bullet pattern.
BULLET = re.compile(r"^(?:[•·▪◦‣●○■□\-–—*+]|o(?=\s)|\d{1,2}[.)](?=\s)|[a-z][.)](?=\s))\s*")


def without_marker(text: str) -> str:
    """`"• In 2019 ..."` -> `"In 2019 ..."`: a list item's text without its marker."""
    return BULLET.sub("", text.lstrip(), count=1)
_FINAL = ".!?…:;\"'”’)"
_HEADING_MAX_WORDS = 14
#: Closing quotes and brackets that may follow the last word of a sentence.
CLOSERS = "’”\"')»"
# Short Dutch words that a sentence never ends on ("… hangt af van"); a heading never does
# either, but a prose line can end on one before a capitalised name ("de ⏎Inspectie").
FUNCTION_WORDS = frozenset(
    """de het een en of van in op met voor aan te door bij naar om tot uit over als
    dat die dan ook maar zijn is was er zo per via zoals tussen onder na
    hun haar zich wat wie hoe waar we wij ze zij je u ons onze deze dit tegen sinds
    binnen zonder vanuit volgens""".split()
)


def continues_sentence(line: str) -> bool:
    """Whether a line breaks off where its sentence must go on (`… hangt af van`, `… en,`)."""
    last = line.split()[-1].lower() if line.split() else ""
    return line.endswith(("-", ",", "(", "–")) or last.strip(CLOSERS) in FUNCTION_WORDS

LineKind = Literal["prose", "bullet", "heading"]


@dataclass(frozen=True)
class Sentence:
    """One sentence (or list item, or heading) of a text, as a span of that text."""

    text: str
    start: int
    end: int
    line: int  # index of the line it is on
    kind: LineKind
    number: int = 0  # its position among the sentences of the text

    @property
    def ends_with_colon(self) -> bool:
        return self.text.rstrip().endswith(":")


def line_kind(line: str) -> LineKind:
    """A list item, a heading (short, no final punctuation) or prose (a line ending in a comma
    is prose broken off by the layout, however short)."""
    stripped = line.strip()
    if BULLET.match(stripped):
        return "bullet"
    if stripped and stripped[-1] not in _FINAL + ",;" and len(stripped.split()) <= _HEADING_MAX_WORDS:
        return "heading"
    return "prose"


def _ends_sentence(line: str, stop_start: int, next_char: str) -> bool:
    if not _STARTS_SENTENCE.match(next_char):
        return False
    if line[stop_start] != ".":
        return True
    word_start = max(line.rfind(" ", 0, stop_start), line.rfind("(", 0, stop_start)) + 1
    word = line[word_start : stop_start + 1].lower()
    if word in ABBREVIATIONS_NEVER_FINAL:
        return False
    if word in ABBREVIATIONS_SOMETIMES_FINAL and (next_char.isdigit() or next_char in "€("):
        return False
    if word_start >= 2 and _STOP_IN_NAME_LIST.match(line, word_start - 2):
        return False
    core = word[:-1]
    # An initial ("J. de Vries") or a numbered list marker ("1. Inleiding") at line start.
    if len(core) == 1 and core.isalpha() and line[word_start].isupper():
        return False
    return not (core.isdigit() and word_start == len(line) - len(line.lstrip()))


def split_line(line: str) -> list[tuple[int, int]]:
    """Stripped (start, end) spans of the sentences of one line."""
    spans: list[tuple[int, int]] = []
    start = len(line) - len(line.lstrip())
    for match in _STOP.finditer(line):
        if match.start() < start:
            continue
        if _ends_sentence(line, match.start(), match.group(1)):
            spans.append((start, match.end()))
            start = match.end()
            while start < len(line) and line[start].isspace():
                start += 1
    end = len(line.rstrip())
    if start < end:
        spans.append((start, end))
    return spans


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(first line number, offset, text) of the text's lines, where a prose line that breaks
    off mid-sentence (no final punctuation) is joined with the prose line after it: layout,
    not a new paragraph ("… in Rotterdam," / "Den Haag en Almere …")."""
    lines: list[tuple[int, int, str]] = []
    offset = 0
    previous_open = False
    for number, line in enumerate(text.split("\n")):
        kind = line_kind(line) if line.strip() else None
        if kind == "prose" and previous_open and lines:
            first, start, joined = lines[-1]
            lines[-1] = (first, start, joined + "\n" + line)
        else:
            lines.append((number, offset, line))
        stripped = line.rstrip()
        previous_open = kind == "prose" and stripped[-1:] not in _FINAL
        offset += len(line) + 1
    return lines


#: Capitalised words that open a Dutch sentence and never stand capitalised inside one.
#: ("Van" and the names it starts, "Van der Vegt", are left out.)
_OPENERS = (
    "In|De|Het|Een|Dit|Deze|Dat|Die|Er|We|Wij|Zij|Ze|Op|Bij|Voor|Uit|Met|Na|Ook|Om|Door|Aan|Tot|Sinds|Vanaf|"
    "Volgens|Zo|Als|Toch|Maar|Verder|Daarnaast|Daarbij|Daarom|Bovendien|Tegelijkertijd|Hierdoor|Daardoor|Ten|Nog|Wel|Niet"
)
#: A title the layout glued to the first sentence of its paragraph ("… onvoldoende of zeer zwak In
#: het kalenderjaar 2022 heeft …"): words with no stop, then an opener and a word in lower case.
_GLUED_TITLE = re.compile(rf"(?P<title>[^.!?:;]*?[\w%)’”])\s+(?=(?:{_OPENERS}) [a-zà-ÿ0-9])")
_TITLE_MAX_WORDS = 20


def _glued_title(piece: str) -> int | None:
    """Where a title glued to the start of `piece` ends (see `_GLUED_TITLE`), or None."""
    match = _GLUED_TITLE.match(piece)
    if not match or not 2 <= len(match.group("title").split()) <= _TITLE_MAX_WORDS:
        return None
    return match.end("title")


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, each an exact slice `text[start:end]`. A title glued
    to the sentence after it is a heading of its own."""
    sentences: list[Sentence] = []
    for number, offset, line in _logical_lines(text):
        if line.strip():
            kind = line_kind(line.split("\n")[0])
            # A list item may hold several sentences; each is kept with the item's kind and line.
            spans = [(len(line) - len(line.lstrip()), len(line.rstrip()))] if kind == "heading" else split_line(line)
            for start, end in spans:
                title_end = _glued_title(line[start:end]) if kind == "prose" else None
                if title_end is not None:
                    sentences.append(Sentence(line[start : start + title_end], offset + start, offset + start + title_end, number, "heading", len(sentences)))
                    start += title_end
                    while line[start].isspace():
                        start += 1
                sentences.append(Sentence(line[start:end], offset + start, offset + end, number, kind, len(sentences)))
    return sentences
