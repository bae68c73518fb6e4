"""Page furniture: running headers and footers, page numbers, table-of-contents lines."""

from __future__ import annotations

import re
from collections import Counter

from ingest.clean.shared import LETTERS, PAGE_BREAK, looks_like_heading_text, map_lines

_LETTER_SPACED_RE = re.compile(rf"^(?:{LETTERS}(?: {{1,3}}|$)|[-‑–—|] +){{8,}}$")


def remove_letter_spaced_lines(text: str) -> str:
    """Drop running headers set in spaced capitals (`d e  s t a a t  v a n …`).

    A line made only of single letters separated by spaces carries no readable text.
    """
    return map_lines(text, lambda line: None if _LETTER_SPACED_RE.match(line) else line)


def _is_furniture_shape(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if not letters or len(line.split()) > 12:
        return False
    if re.search(r"(?i)\bwww\.|https?://|\.(?:nl|com|org|eu)\b", line):
        return True
    return sum(c.isupper() for c in letters) / len(letters) >= 0.8 and len(letters) >= 4


#: A line that is one piece of text two or more times over: "KOP - DEEL KOP - DEEL KOP - DEEL".
_STUTTER_RE = re.compile(r"^(\S.{9,}?)(?: +\1)+$")


def _stuttered_banner(line: str) -> bool:
    """A running banner of stacked pages flattened onto one line: the same capitals or web
    address several times over. (A table's header row repeats its columns too, "2022 2023
    2022 2023", "Po Vo Po Vo", "PO VO SO PO VO SO": those are not shaped like a banner, or
    too short for one, and stay.)"""
    match = _STUTTER_RE.match(line)
    return bool(match) and _is_furniture_shape(match.group(1)) and sum(c.isalpha() for c in match.group(1)) >= 12


def remove_repeated_furniture(text: str, min_repeats: int = 3) -> str:
    """Drop running banners and footers: short all-caps or web-address lines that repeat.

    Ordinary headings repeat too (a duplicated section), so only lines shaped like page
    furniture count: set in capitals or an address, and seen at least `min_repeats` times,
    or seen once as the same banner several times over on one line.
    """
    counts = Counter(line for line in text.split("\n") if line)
    furniture = {
        line for line, n in counts.items() if (n >= min_repeats and _is_furniture_shape(line)) or _stuttered_banner(line)
    }
    return map_lines(text, lambda line: None if line in furniture else line)


_PAGE_OF_RE = re.compile(r"^(?:pagina|page|blz\.?|p\.)\s*\d+\s*(?:van|of|/)\s*\d+$", re.I)
_TOC_ARROW_RE = re.compile(r"^[→➔►▶⟶]+$|[→➔►▶⟶]\s*\d+$")


def remove_toc_and_page_labels(text: str) -> str:
    """Drop `Pagina 1 van 27` labels, table-of-contents lines (`1.1 Hoofdlijnen → 13`)
    and lines of bare symbols."""

    def keep(line: str) -> str | None:
        if _PAGE_OF_RE.match(line) or _TOC_ARROW_RE.search(line):
            return None
        # A line without a letter or digit (`€`, `•`) is a stray figure glyph.
        if line and line != PAGE_BREAK and not any(c.isalnum() for c in line):
            return None
        return line

    return map_lines(text, keep)


_NUMBERED_LINE_RE = re.compile(r"^(\d{1,3}) (\D.*)$|^(.*\D) (\d{1,3})$")
_FOOTNOTE_MARK_RE = re.compile(rf"^({LETTERS}.*?)\d{{1,3}}$")


def _starts_with_title(lines: list[str], j: int, title: list[str]) -> bool:
    """Whether the text from line `j` on begins with the words of `title`, as a title:
    ending at a line end or at a footnote mark (`thema gelijke kansen1 Er zijn …`)."""
    words: list[str] = []
    for line in lines[j : j + 5]:
        if not line or line == PAGE_BREAK:
            return False
        words += line.lower().split()
        if len(words) < len(title):
            continue
        *head, last = words[: len(title)]
        if head != title[:-1]:
            return False
        if last == title[-1]:
            return len(words) == len(title)  # the title fills its line(s)
        mark = _FOOTNOTE_MARK_RE.match(last)
        return bool(mark) and mark.group(1) == title[-1]
    return False


def remove_running_headers(text: str) -> str:
    """Drop running headers: a page number beside the title of the current chapter.

    `35 thema gelijke kansen` repeats the chapter title `thema gelijke kansen` printed
    earlier as a title line. A page number cannot be told from a chapter number below
    31 (`2 Geïdentificeerde trends` may follow a summary heading with the same words),
    so a smaller number counts only when the same title carries several numbers.
    """
    lines = text.split("\n")
    by_first_word: dict[str, list[int]] = {}
    for j, line in enumerate(lines):
        if line.split():
            by_first_word.setdefault(line.split()[0].lower(), []).append(j)
    numbers_of: dict[tuple[str, ...], set[int]] = {}
    candidates: list[tuple[int, tuple[str, ...], int]] = []
    for i, line in enumerate(lines):
        m = _NUMBERED_LINE_RE.match(line)
        if not m or line.endswith((".", ",", ";", ":")) or len(line.split()) > 16:
            continue
        number, title = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        words = tuple(title.lower().split())
        if len(words) < 2 or sum(c.isalpha() for c in title) < 8:
            continue
        numbers_of.setdefault(words, set()).add(int(number))
        candidates.append((i, words, int(number)))
    drop = {
        i
        for i, words, number in candidates
        if (number > 30 or len(numbers_of[words]) > 1)
        and any(
            _starts_with_title(lines, j, list(words))
            for j in by_first_word.get(words[0], [])
            if j < i
        )
    }
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def remove_page_numbers(text: str) -> str:
    """Drop lone page numbers; keep a chapter number by joining it to its title.

    A short number directly above a capitalised, heading-like line (`2⏎Geïdentificeerde
    trends`) is a chapter number; any other line holding only a number is a page number.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.fullmatch(r"\d{1,3}", line):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if (
                int(line) <= 30
                and nxt
                and nxt[0].isupper()
                and looks_like_heading_text(nxt)
            ):
                out.append(f"{line} {nxt}")
                i += 2
                continue
            i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)
