"""Character-level repairs (odd spaces, invisible characters, runs of spaces), and the split
of titles glued under a line, which needs the raw indentation."""

from __future__ import annotations

import re
import unicodedata

from ingest.clean.shared import (
    FUNCTION_WORDS,
    LETTERS,
    PAGE_BREAK,
    TITLE_RUN_PUNCTUATION,
    continues_sentence,
    ends_sentence,
    map_lines,
)


def normalize_whitespace(text: str) -> str:
    """Tabs and odd spaces become spaces, `�` and zero-width characters go.

    Runs of spaces are kept here (the letter-spaced header rule needs them); they are
    collapsed by `collapse_spaces`. Form feeds are page boundaries and are kept.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch in "\n\f":
            out.append(ch)
        elif ch in "\t\v" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif ch in "\ufffd\u200b\u200c\u200d\u2060\ufeff":
            continue
        elif ch == "\u2011":  # non-breaking hyphen
            out.append("-")
        elif ch == "\u00ad":  # soft hyphen: only meaningful where it breaks a line
            out.append("\u00ad")
        else:
            out.append(ch)
    text = "".join(out).replace(PAGE_BREAK, f"\n{PAGE_BREAK}\n")  # own line for line rules
    text = re.sub("\u00ad +\n", "-\n", text).replace("\u00ad\n", "-\n").replace("\u00ad", "")
    return map_lines(text, lambda line: line.strip(" "))


_GLUED_TITLE_RE = re.compile(rf"^(.*?{LETTERS}\d{{1,3}}) +([A-ZÀ-Þ]{LETTERS}*\b.*)$")


def separate_framed_titles(text: str) -> str:
    """Put a blank line before a title that the extraction glued under an unfinished line.

    The extractions start a new text frame on an indented line. An indented line after a
    line that ends without punctuation (a quote attribution, a caption) that opens a short
    run of lines without any punctuation, ending where a capitalised paragraph starts,
    is a title (`Erna van Hest, UvA⏎ thema kennis en⏎ vaardigheden van⏎leerlingen1⏎⏎In het
    onderwijs …`). When the paragraph follows on the same line after a footnote mark
    (`thema gelijke kansen1 Er zijn …`), the line is split there. Runs on raw text:
    indentation is gone after `normalize_whitespace`.
    """
    lines = text.split("\n")
    out: list[str] = []
    s = 0
    while s < len(lines):
        run = _framed_title_run(lines, s)
        if run is None:
            out.append(lines[s])
            s += 1
            continue
        end, inline_rest = run
        out.append("")
        out.extend(lines[s:end])
        if inline_rest is not None:
            title, rest = inline_rest
            out.extend([title, "", rest])
            end += 1
        s = end
    return "\n".join(out)


def _framed_title_run(lines: list[str], s: int) -> tuple[int, tuple[str, str] | None] | None:
    """(end, inline split) of a title run starting at indented line `s`, or None."""
    line = lines[s]
    if not (line[:1].isspace() and line.strip() and s and lines[s - 1].strip()):
        return None
    prev = lines[s - 1].strip()
    if ends_sentence(prev) or continues_sentence(prev):
        return None
    words = 0
    for e in range(s, min(s + 4, len(lines))):
        text = lines[e].strip()
        if not text:
            break
        glued = _GLUED_TITLE_RE.match(text)
        title = glued.group(1) if glued else text
        words += len(title.split())
        if words > 12 or TITLE_RUN_PUNCTUATION.search(title):
            return None
        last = re.sub(r"\d+$", "", title.split()[-1]).lower()
        if glued:
            return None if last in FUNCTION_WORDS else (e, (glued.group(1), glued.group(2)))
        if e + 1 < len(lines) and not lines[e + 1].strip():
            following = next((x.strip() for x in lines[e + 1 :] if x.strip()), "")
            if last in FUNCTION_WORDS or not following[:1].isupper():
                return None
            return e + 1, None
    return None


def collapse_spaces(text: str) -> str:
    """One space between words, none at line ends."""
    return map_lines(text, lambda line: re.sub(" {2,}", " ", line).strip(" "))
