"""Notes: footnotes, reference entries, bare URLs, source lines and figure captions.

They are part of a document, but never an answer: "12 Bureau Vlinder (2019)." or
"Bron: https://..." answers nothing a school leader asks. Ingest separates them into blocks
and chunks of their own (kind "note": still searchable); answers never quote them, nor a
sentence that is one (a footnote glued into a paragraph). The one exception is a footnote that
explains or defines (`explanation`: "27 ‘Kroosdek’ wordt gedefinieerd als ..."), which is text
like any other and is quoted without its number.

The shapes are those of Dutch policy reports as PDF extractions leave them:

* footnote entries: a number, authors, a year in brackets, perhaps a title:
  `"15 Bureau Vlinder (2011); Mus e.a. (2019). 16 Van der Veen (2020)."`
  `"3. Bureau Vlinder (2019). Een titel. Den Haag, p. 12."`
* a footnote text glued to its number: `"9Voor dit onderzoek zijn ... gebruikt"`
* a footnote in words followed by the next entry: `"27 Een kroosdek is hier ... 28 Mus (2019)."`;
  as a sentence, also one alone when its number is 20 or more (`"41 Daarbij is ... gebruikt."`)
* bare URLs, `Bron: ...`, `Geraadpleegd op ...`, `Figuur 2.1 Titel van de figuur`; as a
  sentence, also a table caption (`Tabel 2.1 ...`): the table itself is the evidence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from rag.text.sentences import Sentence, split_sentences

_CAPITAL = r"[A-ZÀ-Þ]"
_NAME_WORD = rf"(?:{_CAPITAL}[\w'’.\-]*|{_CAPITAL}\.)"
_PARTICLE = r"(?:van|der|den|de|het|ter|ten|te|en|&|e\.a\.|et\s+al\.|in\s+'t|'t)"
_NAME = rf"{_NAME_WORD}(?:,?\s+(?:{_NAME_WORD}|{_PARTICLE}))*"
_YEARS = r"\((?:19|20)\d\d[a-z]?(?:\s*[,;]\s*(?:(?:19|20)\d\d)?[a-z]?)*\)"
_REFERENCE = rf"{_NAME}\s*,?\s*{_YEARS}(?:\s*,\s*p{{1,2}}\.\s*\d+(?:\s*[-–]\s*\d+)?)?"
_MONTHS = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)"
#: A numbered entry that names its source by what and when, not by author: "30. Verslag van de
#: werkgroep – gesprekken 20-30 oktober 2020", up to the next entry or the end.
_DATED = (
    rf"\d{{1,3}}\.\s+{_CAPITAL}[^.;\n]{{3,150}}?\s\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTHS}\s+(?:19|20)\d\d"
    rf"(?=\s*(?:[.;]|\d{{1,3}}\.\s|$))"
)
#: "53. Idem.": the same source as the entry before.
_SAME_AS_BEFORE = r"\d{1,3}\.?\s+(?:Idem|Ibid(?:em)?)\b\.?"
#: One footnote entry: its number and one or more references ("15 Vlinder (2011); Mus (2019).").
_ENTRY = re.compile(
    rf"\s*(?:\d{{1,3}}\.?\s+{_REFERENCE}(?:\s*[;,]\s*{_REFERENCE})*|{_DATED}|{_SAME_AS_BEFORE})\s*[.;]?"
)
_GLUED_NOTE = re.compile(rf"^\d{{1,3}}{_CAPITAL}[a-zà-ÿ]{{2,}}")
#: A sentence that opens with a number from 20 up and then a capitalised word ("132 Daarbij is
#: ... gebruikt"): a footnote in words that lost its place. A report's numbered points stay
#: below twenty ("3 Veel leraren ..."), and a count in running text goes on in lower case.
_NUMBERED_NOTE = re.compile(rf"^\s*(?:[2-9]\d|[1-9]\d\d)\s+{_CAPITAL}[a-zà-ÿ]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ONLY_URLS = re.compile(r"^(?:\s*(?:https?://|www\.)\S+)+\s*$", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\s*(?:bron|bronnen)\s*:", re.IGNORECASE)
_CONSULTED = re.compile(r"\bgeraadpleegd\s+(?:op|via)\b", re.IGNORECASE)
#: A figure's label, perhaps with the space after its word lost in extraction ("Figuur1.5a").
_FIGURE_LABEL = r"(?:figuur|grafiek|afbeelding|kaart|infographic)\s*\d+(?:\.\d+)*[a-z]?\b"
#: A block that opens with a figure's label is its caption (a table's caption stays with its rows).
_CAPTION = re.compile(rf"^\s*{_FIGURE_LABEL}", re.IGNORECASE)
#: A sentence that opens with a figure or table label is a caption (perhaps glued to text).
_LABELLED = re.compile(rf"^\s*(?:{_FIGURE_LABEL}|tabel\s*\d+(?:\.\d+)*[a-z]?\b)", re.IGNORECASE)
#: A line that opens with a number and a full stop, as a numbered list of notes does.
_NUMBERED_LINE = re.compile(r"\s*\d{1,3}\.\s")
#: Reference entries with a title are short; a longer text after the entries is a paragraph.
_MAX_REFERENCE_TAIL = 300
_MAX_CAPTION = 250


#: A footnote in words ("27 Een kroosdek is hier een laag van ..."): only known as one by the
#: entry numbered one higher right after it (`_prose_entry`).
_PROSE_ENTRY = re.compile(r"\s*(\d{1,3})\.?\s+(?=[A-ZÀ-Þ‘'\"“])[^\n]{8,600}?[.!?][’'\"”]?(?=\s+(\d{1,3})\.?\s)")


def _prose_entry(block: str, start: int) -> int:
    """Where a footnote in words that starts at `start` ends (0: none there). It must be followed
    by the next footnote, numbered one higher, as an entry that names its source."""
    match = _PROSE_ENTRY.match(block, start)
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        return 0
    following = _ENTRY.match(block, match.end())
    return match.end() if following is not None and following.end() > match.end() else 0


def _opens_entry(line: str) -> bool:
    """Whether a line is the next numbered entry of a list of notes ("8. Mus (2014).", "9. Bron: …")."""
    return bool(_ENTRY.match(line)) or (bool(_NUMBERED_LINE.match(line)) and is_note_sentence(line))


def footnote_prefix(block: str) -> int:
    """Where the footnote entries that open `block` end (0: it does not open with one)."""
    end = 0
    while True:
        match = _ENTRY.match(block, end)
        after = match.end() if match is not None else _prose_entry(block, end)
        if after <= end:
            break
        # "7. Vlinder (2018). Een titel. Den Haag, p. 10." ⏎ "8. Mus (2014).": an entry's title
        # and place run on to the end of its line where the next line opens the next entry.
        # (Only where the entry ended inside its line: one that took its line's end is whole.)
        line_end = block.find("\n", len(block[:after].rstrip()))
        if line_end >= after and _opens_entry(block[line_end + 1 :].split("\n", 1)[0]):
            after = line_end
        end = after
    return end


def is_note(block: str) -> bool:
    """Whether a whole block (paragraph or line) is a note rather than text to quote."""
    text = block.strip()
    if not text:
        return False
    if _ONLY_URLS.match(text) or _SOURCE_LINE.match(text) or _CONSULTED.search(text[:80]):
        return True
    if _CAPTION.match(text) and len(text) <= _MAX_CAPTION and "\n" not in text:
        return True
    if _GLUED_NOTE.match(text):
        return True
    end = footnote_prefix(text)
    if end:
        tail = text[end:].strip()
        if tail[:1].islower():
            return False  # the rest of a sentence the footnote interrupted: text (see ingest.clean)
        return not tail or len(tail) <= _MAX_REFERENCE_TAIL or bool(_URL.search(tail))
    return False


def is_note_sentence(sentence: str) -> bool:
    """Whether a sentence is (or contains) a note: never quoted as an answer."""
    text = sentence.strip()
    return bool(
        _URL.search(text)
        or _SOURCE_LINE.match(text)
        or _CONSULTED.search(text)
        or _LABELLED.match(text)
        or _GLUED_NOTE.match(text)
        or _NUMBERED_NOTE.match(text)
        or footnote_prefix(text)
    )


#: A footnote's number before its text ("27 ‘Kroosdek’ wordt ...", "57 We rekenen ...").
_NOTE_NUMBER = re.compile(r"^\s*\d{1,3}\.?\s+(?=[A-ZÀ-Þ‘'\"“])")
#: What names a source: a year in brackets or ending the entry, "e.a." or "et al.", a page, a
#: date ("… 20-30 oktober 2020").
_CITES = re.compile(
    rf"\((?:19|20)\d\d|\b(?:19|20)\d\d[a-z]?\)|\be\.a\.|\bet\s+al\b|\bp{{1,2}}\.\s*\d|\b{_MONTHS}\s+(?:19|20)\d\d|(?:19|20)\d\d\W*$",
    re.IGNORECASE,
)
#: A clause, not a title: a finite auxiliary, or "we"/"wij"/"men" doing something.
_CLAUSE = re.compile(r"\b(?:is|zijn|was|waren|wordt|worden|werd|werden|heeft|hebben|kan|kunnen|moet|moeten|we|wij|men)\b", re.IGNORECASE)
_MIN_EXPLANATION_WORDS = 8


def cites_source(text: str) -> bool:
    """Whether `text` names a source: a year in brackets or ending it, "e.a.", "et al.", a page, a date."""
    return bool(_CITES.search(text))


def explanation(sentence: str) -> int:
    """Where the text of a footnote that explains starts (0: the sentence is no such footnote).

    A footnote may define or explain ("57 We rekenen een vijver tot de grote als hij meer dan
    1 hectare beslaat."): then it is text like any other, quoted without its number. A footnote
    that names a source ("12 Bureau Vlinder (2019).", "30. Verslag – gesprekken 20-30 oktober
    2020") or a title without a clause is none.
    """
    number = _NOTE_NUMBER.match(sentence)
    if number is None:
        return 0
    text = sentence[number.end():]
    if len(text.split()) < _MIN_EXPLANATION_WORDS or cites_source(text) or not _CLAUSE.search(text) or is_note_sentence(text):
        return 0
    return number.end()


@lru_cache(maxsize=2048)
def explanations(block: str) -> tuple[Sentence, ...]:
    """The footnotes of a block of notes that explain (`explanation`), each a sentence of prose
    without its number (its span in `block` starts after the number). Cached: the same note
    chunks come back question after question, to the answer and to the refusal check."""
    return tuple(
        replace(s, text=s.text[start:], start=s.start + start, kind="prose")
        for s in split_sentences(block) if (start := explanation(s.text))
    )


def split_footnotes(block: str) -> tuple[str, str]:
    """(footnote entries, rest) of a block that opens with footnote entries ("", block) otherwise.

    A footnote printed at the bottom of a page lands between the two halves of a sentence:
    `"15 Vlinder (2011). waar niet altijd tijd voor is."` -> the entry, and the rest of the
    sentence, which belongs to the paragraph before.
    """
    end = footnote_prefix(block)
    if not end:
        return "", block
    return block[:end].strip(), block[end:].strip()


__all__ = ["cites_source", "explanation", "explanations", "footnote_prefix", "is_note", "is_note_sentence", "split_footnotes"]
