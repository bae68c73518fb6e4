"""Footnotes: reference numbers glued to words, and entries that interrupt a sentence."""

from __future__ import annotations

import re

from ingest.clean.lexicon import Lexicon, lexicon_for
from ingest.clean.shared import CLOSERS, LETTERS, PAGE_BREAK
from rag.text.notes import footnote_prefix, is_note, split_footnotes

# After a word of two or more letters (`p.4` is a page reference, not a footnote) or
# after a closing bracket, percent sign or quote.
_GLUED_AFTER_PUNCT_RE = re.compile(
    rf"(?:(?<={LETTERS}{LETTERS})|(?<=[)%{CLOSERS}]))"
    # one mark (`.8`), marks run together (`.107108`, six digits) or listed (`.68/69`, `.12,13`)
    rf"([.,;:!?][{CLOSERS}]?)(\d{{1,4}}(?:[/,]\d{{1,4}})*|\d{{5,6}})(?=\s|$)"
)
# After a closing quote that ends a quoted word (`‘de vijverwet’12 en`); not after an opening one
# (`de jaren ’80`).
_GLUED_AFTER_QUOTE_RE = re.compile(rf"(?<={LETTERS}[’”\"])\d{{1,3}}(?=[\s,.;:]|$)")
_GLUED_TO_WORD_RE = re.compile(rf"(?<![\w-])({LETTERS}*[a-zà-ÿ]{{3}})(\d{{1,2}})(?=[\s.,;:]|$)")


def strip_footnote_refs(text: str, lexicon: Lexicon | None = None) -> str:
    """Remove footnote reference numbers glued to words or punctuation.

    `onvoldoende.2223 70%` → `onvoldoende. 70%`, `(54%).47` → `(54%).`, `vijvers.117118 De` and
    `vijvers.17/18 De` → `vijvers. De`, `leerlingen1` → `leerlingen`, `‘de vijverwet’12 en` →
    `‘de vijverwet’ en`. Numbers after a digit (`2.1`, `1.000`, `3,9`) or after a space
    (`in 2022`, `groep 8.`) are real and stay.
    """
    lex = lexicon_for(text, lexicon)
    text = _GLUED_AFTER_PUNCT_RE.sub(lambda m: m.group(1), text)
    text = _GLUED_AFTER_QUOTE_RE.sub("", text)

    def word_repl(m: re.Match[str]) -> str:
        word = m.group(1)
        known = lex.is_word(word) or lex.count(word) >= 2
        return word if known and word.lower() == word else m.group(0)

    return _GLUED_TO_WORD_RE.sub(word_repl, text)


_ENDS_SENTENCE = ".!?:;…\"'”’)"


#: A paragraph that ends in the first part of a word broken across lines ("de schooldi-").
_BROKEN_WORD_END = re.compile(rf"({LETTERS}{{2,}})-$")
#: A word in lower case after the end of an entry ("Den Haag. recteuren"), or opening a line.
_AFTER_ENTRY = re.compile(r"(?:(?<=[.;?!)])\s+|\n\s*)([a-zà-ÿ]+)")


def _continued_word(block: str, fragment: str, lex: Lexicon) -> int:
    """Where in a block of footnote entries the paragraph before it goes on: after the end of an
    entry, the rest of the word the paragraph broke off ("schooldi-" ... "Den Haag. recteuren
    betrokken ..."), the two halves making a word the document or Dutch knows. -1: none."""
    for match in _AFTER_ENTRY.finditer(block):
        joined = fragment + match.group(1)
        if lex.count(joined) >= 1 or lex.is_word(joined):
            return match.start(1)
    return -1


def _inner_footnotes(block: str) -> tuple[str, str] | None:
    """(the block with its sentence whole again, the entries) where footnote entries sit inside
    a block, between a line that breaks off and the rest of its sentence in lower case:
    `"… Daarnaast worden kikkers"` ⏎ `"26. Vlinder (2014)."` ⏎ `"27. Mus (2018), p. 20. ook
    geteld in …"`. None when the block holds no such entries."""
    lines = block.split("\n")
    for i in range(1, len(lines)):
        if lines[i - 1].rstrip()[-1:] in _ENDS_SENTENCE:
            continue
        rest = "\n".join(lines[i:])
        entries, after = split_footnotes(rest)
        if entries and after[:1].islower():
            return "\n".join(lines[:i]).rstrip() + " " + after, entries
    return None


#: The last two words of a paragraph, both capitalised: a name ("... zijn School Wide Positive Behavior").
_NAME_AT_END = re.compile(rf"(?:^|\s)[A-ZÀ-Þ]{LETTERS}*\s+[A-ZÀ-Þ]{LETTERS}*$")


def _name_runs_on(before: str, rest: str) -> bool:
    """Whether a paragraph of running text (a sentence ended inside it) breaks off in a name that
    the text after footnote entries goes on with: "Voorbeelden zijn School Wide Positive
    Behavior", entries, "Support (ook wel PBS genoemd) en ...". A heading is no such paragraph."""
    before = before.rstrip()
    return (
        bool(_NAME_AT_END.search(before)) and re.search(r"[.!?]\s", before) is not None
        and rest[:1].isupper() and not rest.split(" ", 1)[0].isupper()
    )


def separate_footnotes(blocks: list[str], lexicon: Lexicon | None = None) -> list[str]:
    """Lift footnote entries out of the text they interrupt.

    A footnote printed at the bottom of a page lands between the two halves of a sentence:
    `"… die elkaar"`, `"13 Vlinder (1994). beïnvloeden. Dit model …"`. The rest of the
    sentence goes back to its paragraph and the entries become a block of their own after
    it, which chunking marks as a note (`rag.text.notes`). So too when the sentence broke in
    the middle of a hyphenated word and its rest ends up after the entries' last line:
    `"… de schooldi-"`, `"13. Raad (2020). Den Haag.\nrecteuren betrokken …"`.
    """
    out: list[str] = []
    for block in blocks:
        if block != PAGE_BREAK and (inner := _inner_footnotes(block)) is not None:
            out.extend(inner)
            continue
        previous = next((i for i in range(len(out) - 1, -1, -1) if out[i] != PAGE_BREAK), None)
        broken = _BROKEN_WORD_END.search(out[previous].rstrip()) if previous is not None and block != PAGE_BREAK else None
        if broken and footnote_prefix(block) and not is_note(out[previous]):
            lex = lexicon_for(out[previous] + "\n" + block, lexicon)
            at = _continued_word(block, broken.group(1), lex)
            if at > 0:
                out[previous] = out[previous].rstrip()[:-1] + " ".join(block[at:].split())
                out.append(block[:at].strip())
                continue
        entries, rest = split_footnotes(block) if block != PAGE_BREAK else ("", block)
        breaks_off = previous is not None and not is_note(out[previous]) and out[previous].rstrip()[-1:] not in _ENDS_SENTENCE
        if entries and rest and breaks_off and (rest[:1].islower() or _name_runs_on(out[previous], rest)):
            # The rest of the sentence the paragraph before broke off: back to it, even where the
            # entries are most of the block.
            out[previous] = out[previous].rstrip() + " " + rest
            out.append(entries)
            continue
        if not entries or not rest or is_note(block):
            out.append(block)
            continue
        out.extend([rest, entries])
    return out
