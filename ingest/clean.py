"""Generic repair of PDF-extraction damage in Dutch policy documents.

`clean_text` turns a raw PDF text extraction into the block format the chunker expects:
blocks separated by exactly one blank line, prose reflowed onto one line, headings on a
line of their own, one bullet item per line, table rows kept on their own lines, and
every form feed (page boundary) kept as a block of its own.

Every rule is a small function on text. The rules are generic: word repairs are decided
with a Dutch lexicon (`wordfreq`) and with the document's own vocabulary, never with
lists of known bad strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from rag.text.notes import is_note, split_footnotes

PAGE_BREAK = "\f"

_LETTERS = r"[^\W\d_]"
_WORD_RE = re.compile(rf"{_LETTERS}+")
_SENTENCE_END = (".", "!", "?", ":", ";")
_CLOSERS = "’”\"')»"
# Short Dutch words that a prose line can end on before a capitalised name
# ("de ⏎Inspectie"); a heading never ends on one of them.
_FUNCTION_WORDS = frozenset(
    """de het een en of van in op met voor aan te door bij naar om tot uit over als
    dat die dan ook maar zijn is was er zo per via zoals tussen onder na
    hun haar zich wat wie hoe waar we wij ze zij je u ons onze deze dit tegen sinds
    binnen zonder vanuit volgens""".split()
)
# A hyphenated word broken before one of these is an ellipsis ("wet- en regelgeving").
_COORDINATORS = frozenset({"en", "of", "tot", "als", "noch", "t/m", "en/of"})
_VOWELS = frozenset("aeiouyáéíóúëïöüàèâêîôû")
_BULLET_RE = re.compile(r"^(?:[•·▪◦●○■»]|o(?= \S)|\d{1,2}[.)](?= ))\s*")
_NUMERIC_TOKEN_RE = re.compile(r"^[-−+(€$]*\d[\d.,]*[%)]*$|^[%n]$")
_TABLE_CAPTION_RE = re.compile(r"^(?:Tabel|Table)\s+\d", re.IGNORECASE)
_SOURCE_LINE_RE = re.compile(r"^(?:Bron|Bronnen|Noot)\s*:", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:Figuur|Figure|Grafiek|Afbeelding|Tabel|Table|Bron)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- lexicon


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "nl")


@dataclass(frozen=True)
class Lexicon:
    """Dutch word frequencies plus the vocabulary of the document being cleaned.

    A word that occurs unsplit elsewhere in the same document is strong evidence that a
    split form of it is extraction damage.
    """

    counts: Counter[str]
    hyphenated: frozenset[str] = frozenset()  # `sociaal-culturele`, as written in one line
    bigrams: frozenset[str] = frozenset()  # word pairs as written in one line

    @classmethod
    def of(cls, text: str) -> Lexicon:
        hyphenated: set[str] = set()
        bigrams: set[str] = set()
        for line in text.lower().split("\n"):
            hyphenated.update(re.findall(rf"{_LETTERS}+-{_LETTERS}+", line))
            words = _WORD_RE.findall(line)
            bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        counts = Counter(w.lower() for w in _WORD_RE.findall(text))
        return cls(counts, frozenset(hyphenated), frozenset(bigrams))

    def zipf(self, word: str) -> float:
        return _zipf(word)

    def count(self, word: str) -> int:
        return self.counts[word.lower()]

    def is_word(self, word: str) -> bool:
        """A real word on its own (not a fragment such as `wett` or `nnisdeling`).

        Short tokens need a higher frequency: the Dutch word list holds much foreign
        and abbreviation noise among them (`fi`, `ff`, `es`).
        """
        return len(word) > 1 and self.zipf(word) >= (4.5 if len(word) <= 3 else 2.5)

    def knows(self, word: str, min_count: int = 1) -> bool:
        return self.zipf(word) >= 3.0 or self.count(word) >= min_count


def _lexicon(text: str, lexicon: Lexicon | None) -> Lexicon:
    return lexicon if lexicon is not None else Lexicon.of(text)


def _map_lines(text: str, fn: Callable[[str], str | None]) -> str:
    """Apply `fn` to every line; a `None` result drops the line."""
    out = [r for r in (fn(line) for line in text.split("\n")) if r is not None]
    return "\n".join(out)


# --------------------------------------------------------------------------- characters


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
    return _map_lines(text, lambda line: line.strip(" "))


_TITLE_RUN_PUNCTUATION = re.compile(r"[.,;:!?‘’“”\"•·]")
_GLUED_TITLE_RE = re.compile(rf"^(.*?{_LETTERS}\d{{1,3}}) +([A-ZÀ-Þ]{_LETTERS}*\b.*)$")


def _continues_sentence(line: str) -> bool:
    """Whether a line breaks off where its sentence must go on (`… hangt af van`)."""
    last = line.split()[-1].lower() if line.split() else ""
    return line.endswith(("-", ",", "(", "–")) or last.strip(_CLOSERS) in _FUNCTION_WORDS


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
    if _ends_sentence(prev) or _continues_sentence(prev):
        return None
    words = 0
    for e in range(s, min(s + 4, len(lines))):
        text = lines[e].strip()
        if not text:
            break
        glued = _GLUED_TITLE_RE.match(text)
        title = glued.group(1) if glued else text
        words += len(title.split())
        if words > 12 or _TITLE_RUN_PUNCTUATION.search(title):
            return None
        last = re.sub(r"\d+$", "", title.split()[-1]).lower()
        if glued:
            return None if last in _FUNCTION_WORDS else (e, (glued.group(1), glued.group(2)))
        if e + 1 < len(lines) and not lines[e + 1].strip():
            following = next((x.strip() for x in lines[e + 1 :] if x.strip()), "")
            if last in _FUNCTION_WORDS or not following[:1].isupper():
                return None
            return e + 1, None
    return None


def collapse_spaces(text: str) -> str:
    """One space between words, none at line ends."""
    return _map_lines(text, lambda line: re.sub(" {2,}", " ", line).strip(" "))


# --------------------------------------------------------------------------- page furniture

_LETTER_SPACED_RE = re.compile(rf"^(?:{_LETTERS}(?: {{1,3}}|$)|[-‑–—|] +){{8,}}$")


def remove_letter_spaced_lines(text: str) -> str:
    """Drop running headers set in spaced capitals (`d e  s t a a t  v a n …`).

    A line made only of single letters separated by spaces carries no readable text.
    """
    return _map_lines(text, lambda line: None if _LETTER_SPACED_RE.match(line) else line)


def _is_furniture_shape(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if not letters or len(line.split()) > 12:
        return False
    if re.search(r"(?i)\bwww\.|https?://|\.(?:nl|com|org|eu)\b", line):
        return True
    return sum(c.isupper() for c in letters) / len(letters) >= 0.8 and len(letters) >= 4


def remove_repeated_furniture(text: str, min_repeats: int = 3) -> str:
    """Drop running banners and footers: short all-caps or web-address lines that repeat.

    Ordinary headings repeat too (a duplicated section), so only lines shaped like page
    furniture count: set in capitals or an address, and seen at least `min_repeats` times.
    """
    counts = Counter(line for line in text.split("\n") if line)
    furniture = {
        line for line, n in counts.items() if n >= min_repeats and _is_furniture_shape(line)
    }
    return _map_lines(text, lambda line: None if line in furniture else line)


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

    return _map_lines(text, keep)


_NUMBERED_LINE_RE = re.compile(r"^(\d{1,3}) (\D.*)$|^(.*\D) (\d{1,3})$")
_FOOTNOTE_MARK_RE = re.compile(rf"^({_LETTERS}.*?)\d{{1,3}}$")


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


def _looks_like_heading_text(line: str, capitalised: bool = True) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 12
        and (line[0].isupper() or line[0].isdigit() or not capitalised)
        and not line.endswith((".", ",", ";", "-"))
    )


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
                and _looks_like_heading_text(nxt)
            ):
                out.append(f"{line} {nxt}")
                i += 2
                continue
            i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


# --------------------------------------------------------------------------- word repair

_LIGATURE_SPLIT_RE = re.compile(
    rf"(?<![\w-])({_LETTERS}*(?:fi|fl|ff|ft|tt|fh|fj|fb|fk)) {{1,3}}({_LETTERS}+)(?![\w-])"
)


def _should_join_ligature(left: str, right: str, lex: Lexicon) -> bool:
    if not right[0].islower():
        return False
    joined = left + right
    if not lex.knows(joined):
        return False
    if not lex.is_word(left) or not lex.is_word(right):
        return True
    # Both halves are words (`behoeft en`): join only where the whole is the likelier
    # reading and the document uses it unsplit.
    return lex.count(joined) >= 1 and lex.zipf(joined) >= lex.zipf(left)


def join_split_ligatures(text: str, lexicon: Lexicon | None = None) -> str:
    """Re-join words that the PDF split after a ligature glyph (`fi nanciering`, `eff ecten`)."""
    lex = _lexicon(text, lexicon)

    def repl(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        return left + right if _should_join_ligature(left, right, lex) else m.group(0)

    # Twice, because one word can be split at two ligatures (`eff ecti ef`).
    return _LIGATURE_SPLIT_RE.sub(repl, _LIGATURE_SPLIT_RE.sub(repl, text))


def _is_fragment(word: str, lex: Lexicon) -> bool:
    return len(word) > 1 and lex.zipf(word) < 1.5 and lex.count(word) <= 2


def join_split_words(text: str, lexicon: Lexicon | None = None) -> str:
    """Re-join a word split by a stray space (`Ke nnisdeling`, `g ebruikt`).

    Only where one half is no word at all, and the whole is a word the document uses
    elsewhere, so two real words side by side are never merged.
    """
    lex = _lexicon(text, lexicon)

    def should_join(left: str, right: str) -> bool:
        if not (_WORD_RE.fullmatch(left) and _WORD_RE.fullmatch(right)):
            return False
        joined = left + right
        return (
            right[0].islower()
            and (_is_fragment(left, lex) or _is_fragment(right, lex))
            and lex.count(joined) >= 2
            and lex.zipf(joined) >= 1.0
        )

    def repair(line: str) -> str:
        words = line.split(" ")
        out: list[str] = []
        for word in words:
            if out and should_join(out[-1], word):
                out[-1] += word
            else:
                out.append(word)
        return " ".join(out)

    return _map_lines(text, repair)


def join_line_break(left_line: str, right_line: str, lex: Lexicon) -> str:
    """Join two lines of one paragraph, repairing a word broken at the line end.

    `ontwik-⏎kelingen` → `ontwikkelingen`; `sociaal-⏎culturele` and `wet-⏎en` keep their
    hyphen; `achter⏎grond` (a dropped soft hyphen) is joined when the lexicon and the
    document agree.
    """
    if not left_line:
        return right_line
    if not right_line:
        return left_line
    m_left = re.search(rf"({_LETTERS}[\w/]*?)-$", left_line)
    m_right = re.match(rf"({_LETTERS}+)", right_line)
    if left_line.endswith("-") and right_line[0].isdigit():
        return left_line + right_line  # 2022-⏎2023
    if m_left and m_right is None:
        return f"{left_line} {right_line}"
    if m_left and m_right:
        left, right = m_left.group(1), m_right.group(1)
        if _keeps_hyphen(left, right, right_line, lex):
            if right.lower() in _COORDINATORS:
                return f"{left_line} {right_line}"
            return left_line + right_line
        return left_line[:-1] + right_line
    m_left = re.search(rf"(?<![\w-])({_LETTERS}+)$", left_line)
    if m_left and m_right and _is_dropped_soft_hyphen(m_left.group(1), m_right.group(1), lex):
        return left_line + right_line
    return f"{left_line} {right_line}"


def _keeps_hyphen(left: str, right: str, right_line: str, lex: Lexicon) -> bool:
    if right.lower() in _COORDINATORS and right_line[len(right) : len(right) + 1] in ("", " "):
        return True
    if right[0].isupper() or left[-1].isupper() or left[-1].isdigit():
        return True  # OAB-middelen, PO-Raad, Covid-19
    joined = left + right
    hyphenated = f"{left}-{right}".lower()
    if hyphenated in lex.hyphenated:
        return True
    if lex.knows(joined):
        return False
    if left[-1].lower() in _VOWELS and right[0].lower() in _VOWELS:
        return True  # Dutch writes a hyphen where vowels collide (zee-eend)
    # Two real words that are not known as one (`sociaal-culturele`): a kept hyphen
    # reads fine, a wrong join does not.
    return len(left) >= 4 and len(right) >= 4 and lex.is_word(left) and lex.is_word(right)


def _is_dropped_soft_hyphen(left: str, right: str, lex: Lexicon) -> bool:
    if not right[0].islower() or len(left) < 2 or len(right) < 2:
        return False
    joined = left + right
    if not (lex.zipf(joined) >= 3.0 or lex.count(joined) >= 2):
        return False
    if _is_fragment(left, lex) or _is_fragment(right, lex) or not (
        lex.is_word(left) and lex.is_word(right)
    ):
        return lex.count(joined) >= 1 or lex.zipf(joined) >= 3.5
    # Two real words (`achter⏎grond`): only when neither is a function word and the
    # document writes the whole word elsewhere but never the pair.
    return (
        lex.zipf(left) < 6.0
        and lex.zipf(right) < 6.0
        and len(left) >= 4
        and len(right) >= 4
        and lex.count(joined) >= 2
        and f"{left} {right}".lower() not in lex.bigrams
    )


# --------------------------------------------------------------------------- paragraphs


@dataclass
class _Line:
    text: str
    gap: int  # blank lines between this line and the previous one


# A footnote number glued after the full stop (`… niet altijd.8`) still ends the sentence.
_TRAILING_FOOTNOTE_RE = re.compile(
    rf"(?:(?<={_LETTERS}{_LETTERS})|(?<=[)%{_CLOSERS}]))([.!?][{_CLOSERS}]?)\d{{1,3}}$"
)


def _ends_sentence(line: str) -> bool:
    line = _TRAILING_FOOTNOTE_RE.sub(r"\1", line)
    return line.rstrip(_CLOSERS).endswith(_SENTENCE_END) or line.endswith(_SENTENCE_END)


def _is_bullet(line: str) -> bool:
    return bool(_BULLET_RE.match(line)) and not re.match(r"^\d{1,2}[.)] ?\d", line)


def _is_table_row(line: str) -> bool:
    tokens = line.split()
    numeric = sum(bool(_NUMERIC_TOKEN_RE.match(t)) for t in tokens)
    return numeric >= 2 and numeric / len(tokens) >= 0.5


def _is_heading_line(line: str, next_line: str | None) -> bool:
    """A short title line: no closing punctuation, not ending on a function word,
    followed by a capitalised line (or nothing)."""
    # Lower case is fine: this may be the last line of a wrapped title.
    if not _looks_like_heading_text(line, capitalised=False) or _ends_sentence(line):
        return False
    if re.search(r"[.!?] \S", line) or _is_bullet(line) or _is_table_row(line):
        return False
    last = line.split()[-1].lower().strip(_CLOSERS + "(,")
    if last in _FUNCTION_WORDS:
        return False
    if next_line is None:
        return True
    first = next_line[0]
    return first.isupper() or first.isdigit() or _is_bullet(next_line) or first in "‘“\"("


def _parse_lines(page: str) -> list[_Line]:
    lines: list[_Line] = []
    gap = 0
    for raw in page.split("\n"):
        if raw:
            lines.append(_Line(raw, gap if lines else 0))
            gap = 0
        else:
            gap += 1
    return lines


def _soft_gaps(lines: list[_Line]) -> list[bool]:
    """Whether the blank gap before each line is extraction noise, not a paragraph break.

    A gap is noise when the sentence runs on (`altijd ⏎⏎goed.`), or when the lines around
    it are double-spaced too (an empty line after every line of text).
    """
    soft = [False] * len(lines)
    for i in range(1, len(lines)):
        gap = lines[i].gap
        if gap == 0:
            soft[i] = True
            continue
        prev, cur = lines[i - 1].text, lines[i].text
        after = lines[i + 1].gap if i + 1 < len(lines) else 1
        neighbours = (lines[i - 1].gap == 1) + (after == 1)
        if _ends_sentence(prev):
            soft[i] = gap == 1 and neighbours == 2
        else:
            soft[i] = cur[0].islower() or prev.endswith("-") or (gap == 1 and neighbours >= 1)
    return soft


def _heading_start(lines: list[_Line], end: int) -> int:
    """First line of a heading that ends at line `end` (headings wrap over ≤ 3 lines)."""
    start = end
    while (
        start > 0
        and end - start < 2
        and lines[start].text[0].islower()
        and not _ends_sentence(lines[start - 1].text)
        and not _is_section_word(lines[start - 1].text)
    ):
        above = lines[start - 1].text
        if lines[start].gap == 0 and len(above.split()) <= 8:
            start -= 1
        elif lines[start].gap <= 1 and _NUMBERED_TITLE_RE.match(above) and len(above.split()) <= 12:
            start -= 1  # a numbered title wrapped in double-spaced text
        else:
            break
    return start


_NUMBERED_TITLE_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.? [A-ZÀ-Þ]")


# Generic Dutch section titles. A line holding only one of them is a title by itself,
# not the first line of a wrapped one (`achtergrond⏎bouwstenen voor kwalificaties`).
_SECTION_WORDS = frozenset(
    """inleiding aanleiding achtergrond samenvatting context conclusie conclusies
    aanbevelingen discussie methode werkwijze aanpak resultaten bevindingen leeswijzer
    voorwoord verantwoording bijlage bijlagen literatuur""".split()
)


def _is_section_word(line: str) -> bool:
    return line.strip(" :").lower() in _SECTION_WORDS


def _line_runs(lines: list[_Line]) -> list[tuple[int, int]]:
    """(first, last) index of every run of lines without a blank line between them."""
    starts = [k for k in range(len(lines)) if k == 0 or lines[k].gap]
    return [(s, e - 1) for s, e in zip(starts, [*starts[1:], len(lines)])]


def _paragraph_gap(lines: list[_Line], k: int, start: int, end: int) -> bool:
    """Whether the blank line(s) before line `k` separate the run `start..end` from the
    text around it, rather than being the double spacing of every line on the page."""
    gap = lines[k].gap
    if gap != 1:
        return gap > 1
    before = lines[start - 1].gap if start > 0 else 0
    after = lines[end + 2].gap if end + 2 < len(lines) else 0
    return not (before == 1 and after == 1)


def _is_isolated_title(lines: list[_Line], start: int, end: int) -> bool:
    """A short run of lines without punctuation, set apart by blank lines, before a
    capitalised paragraph, where the text above does not break off mid-sentence.

    This holds titles in lower case (`de weg naar de⏎kennisagenda⏎⏎Hoe is …`), which the
    line-by-line test cannot tell from the tail of a sentence.
    """
    if start == 0 or end + 1 >= len(lines) or end - start > 3:
        return False
    if not (_paragraph_gap(lines, start, start, end) and _paragraph_gap(lines, end + 1, start, end)):
        return False
    texts = [line.text for line in lines[start : end + 1]]
    words = " ".join(texts).split()
    if len(words) > 12 or any(_TITLE_RUN_PUNCTUATION.search(t) for t in texts):
        return False
    if _is_bullet(texts[0]) or _is_table_row(texts[0]) or _continues_sentence(lines[start - 1].text):
        return False
    last = re.sub(r"\d+$", "", words[-1]).lower()
    following = lines[end + 1].text
    if _CAPTION_RE.match(following):
        return False  # the label of a figure above its caption
    return last not in _FUNCTION_WORDS and (following[0].isupper() or following[0] in "‘“\"")


def _list_marker(line: str) -> str:
    """The kind of marker of a list item: `1.` and `2)` are one kind, each symbol another."""
    return "1." if line[:1].isdigit() else line[:1]


def _is_title_after_list(lines: list[_Line], i: int) -> bool:
    """A marked title directly under a list with another marker (`• … Onderwijs.⏎1.
    Inleiding`, `• … ingezet.⏎» Gewenste situatie`).

    An item with another marker cannot continue the list above it; when it is short, has
    no closing punctuation and a paragraph (not another item) follows, it marks a title.
    """
    text = lines[i].text
    marker = _BULLET_RE.match(text)
    if i == 0 or marker is None or not _is_bullet(text) or len(text.split()) > 12:
        return False
    title = text[marker.end() :]
    if not title[:1].isupper() or _ends_sentence(text) or re.search(r"[.!?] \S", title):
        return False
    if not _looks_like_heading_text(title):
        return False
    # The item above, over the wrapped lines of its text (one blank line apart at most).
    k = i - 1
    while k > 0 and i - k < 12 and not _is_bullet(lines[k].text) and lines[k].gap <= 1:
        k -= 1
    item = lines[k].text
    if not _is_bullet(item) or _list_marker(item) == _list_marker(text) or lines[i - 1].text.endswith(":"):
        return False
    following = lines[i + 1].text if i + 1 < len(lines) else ""
    return not _is_bullet(following) and (
        not following or following[0].isupper() or following[0].isdigit()
    )


def reflow_paragraphs(page: str, lexicon: Lexicon | None = None) -> list[str]:
    """Group the lines of one page into blocks: paragraphs, headings, lists and tables.

    Prose is joined onto one line (with de-hyphenation), a heading stays a block of its
    own, bullet items get one line each, table rows keep their line breaks.
    """
    lex = _lexicon(page, lexicon)
    lines = _parse_lines(page)
    if not lines:
        return []
    soft = _soft_gaps(lines)
    n = len(lines)

    # Mark headings first so that the grouping below can isolate them.
    heading = [False] * n
    heading_start = [False] * n
    for i in range(n):
        nxt = lines[i + 1].text if i + 1 < n and soft[i + 1] else None
        if _is_heading_line(lines[i].text, nxt):
            start = _heading_start(lines, i)
            first = lines[start].text
            before = lines[start - 1].text if start else ""
            opens = start == 0 or not soft[start] or _ends_sentence(before)
            if not opens and start == i and len(first.split()) <= 6:
                # A title dropped into a sentence by a broken reading order
                # (`zoals strategisch ⏎Spanningsvelden in 2023⏎Spanningsvelden …`). In
                # lower case that is a sentence running on (`Vaak kregen de onderzochte
                # scholen⏎een onvoldoende oordeel …`), unless a title stands above it.
                last = before.split()[-1].lower().strip(_CLOSERS + "(,")
                opens = last not in _FUNCTION_WORDS and not before.endswith("-")
                opens = opens and (not first[0].islower() or _is_section_word(before))
            # Some documents set titles in lower case (`thema gelijke kansen`); such a
            # line counts only where a sentence cannot be running on.
            lower_title = sum(len(lines[k].text.split()) for k in range(start, i + 1)) <= 8
            if opens and (first[0].isupper() or first[0].isdigit() or lower_title):
                heading_start[start] = True
                for k in range(start, i + 1):
                    heading[k] = True
                above = start - 1
                if above >= 0 and lines[start].gap == 0 and _is_section_word(lines[above].text):
                    # `achtergrond` above a sub-title: a heading of its own, where it opens.
                    if above == 0 or not soft[above] or _ends_sentence(lines[above - 1].text):
                        heading[above] = heading_start[above] = True
    for start, end in _line_runs(lines):
        if not any(heading[start : end + 1]) and _is_isolated_title(lines, start, end):
            for k in range(start, end + 1):
                heading[k] = True
                heading_start[k] = k == start
    for i in range(n):
        if _is_title_after_list(lines, i):
            heading[i] = heading_start[i] = True

    blocks: list[str] = []
    current: list[str] = []  # finished lines of the current block
    kind = ""  # "prose", "list", "table", "heading"

    def flush() -> None:
        nonlocal current, kind
        if current:
            blocks.append("\n".join(current))
        current, kind = [], ""

    i = 0
    while i < n:
        text = lines[i].text
        cont = i > 0 and soft[i]
        if heading[i]:
            if kind != "heading" or heading_start[i]:
                flush()
                kind = "heading"
                current = [text]
            else:
                current[-1] = join_line_break(current[-1], text, lex)
            if i + 1 >= n or not heading[i + 1] or heading_start[i + 1]:
                flush()
        elif _TABLE_CAPTION_RE.match(text):
            flush()
            i = _consume_table(lines, soft, i, lex, blocks)
            continue
        elif _is_table_row(text):
            if kind != "table" or not cont:
                flush()
                kind = "table"
            current.append(text)
        elif _is_bullet(text):
            # Items of one list may be separated by a single blank line.
            if kind != "list" or lines[i].gap > 1 or not (cont or lines[i].gap == 1):
                flush()
                kind = "list"
            current.append(text)
        elif (
            cont
            and current
            and kind in ("prose", "list")
            and not (kind == "list" and text[0].isupper() and not current[-1].endswith(("-", ",")))
        ):
            current[-1] = join_line_break(current[-1], text, lex)
        else:
            flush()
            kind = "prose"
            current = [text]
        i += 1
    flush()
    return blocks


def _consume_table(
    lines: list[_Line], soft: list[bool], i: int, lex: Lexicon, blocks: list[str]
) -> int:
    """Emit a table block: the caption (joined onto one line), then its rows as lines."""
    caption = lines[i].text
    i += 1
    while i < len(lines) and lines[i].gap == 0 and not _is_table_row(lines[i].text):
        caption = join_line_break(caption, lines[i].text, lex)
        i += 1
    rows = [caption]
    while i < len(lines):
        text = lines[i].text
        if _SOURCE_LINE_RE.match(text):
            rows.append(text)
            i += 1
            break
        tokens = text.split()
        is_row = _is_table_row(text) or (
            len(tokens) <= 8 and not _ends_sentence(text) and lines[i].gap <= 2
        )
        if not is_row or _TABLE_CAPTION_RE.match(text):
            break
        rows.append(text)
        i += 1
    blocks.append("\n".join(rows))
    return i


# --------------------------------------------------------------------------- footnotes

# After a word of two or more letters (`p.4` is a page reference, not a footnote) or
# after a closing bracket, percent sign or quote.
_GLUED_AFTER_PUNCT_RE = re.compile(
    rf"(?:(?<={_LETTERS}{_LETTERS})|(?<=[)%{_CLOSERS}]))"
    rf"([.,;:!?][{_CLOSERS}]?)(\d{{1,4}})(?=\s|$)"
)
_GLUED_TO_WORD_RE = re.compile(rf"(?<![\w-])({_LETTERS}*[a-zà-ÿ]{{3}})(\d{{1,2}})(?=[\s.,;:]|$)")


def strip_footnote_refs(text: str, lexicon: Lexicon | None = None) -> str:
    """Remove footnote reference numbers glued to words or punctuation.

    `onvoldoende.2223 70%` → `onvoldoende. 70%`, `(54%).47` → `(54%).`, `leerlingen1` →
    `leerlingen`. Numbers after a digit (`2.1`, `1.000`, `3,9`) or after a space
    (`in 2022`, `groep 8.`) are real and stay.
    """
    lex = _lexicon(text, lexicon)
    text = _GLUED_AFTER_PUNCT_RE.sub(lambda m: m.group(1), text)

    def word_repl(m: re.Match[str]) -> str:
        word = m.group(1)
        known = lex.is_word(word) or lex.count(word) >= 2
        return word if known and word.lower() == word else m.group(0)

    return _GLUED_TO_WORD_RE.sub(word_repl, text)


# --------------------------------------------------------------------------- duplicates

_SHINGLE = 40


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _shingles(key: str) -> set[int]:
    return {hash(key[k : k + _SHINGLE]) for k in range(0, max(1, len(key) - _SHINGLE + 1))}


def drop_repeated_blocks(
    blocks: list[str], min_chars: int = 150, overlap: float = 0.8
) -> list[str]:
    """Keep the first occurrence of repeated passages, drop later near-exact repeats.

    A substantial block whose text (letters and digits only, so hyphenation and line
    breaks do not matter) was mostly seen before is dropped; so is a short block seen
    before (a heading) that sits next to a dropped block. Short repeats elsewhere, such
    as recurring headings, stay. Page breaks are never dropped.
    """
    seen: set[int] = set()
    seen_short: set[str] = set()
    keys = [_alnum(b) for b in blocks]
    dropped = [False] * len(blocks)
    long_block = [len(k) >= min_chars for k in keys]
    for i, key in enumerate(keys):
        if blocks[i] == PAGE_BREAK or not long_block[i]:
            continue
        sh = _shingles(key)
        if len(sh & seen) >= overlap * len(sh):
            dropped[i] = True
        else:
            seen |= sh
    for i, key in enumerate(keys):
        if long_block[i] or blocks[i] == PAGE_BREAK or not key:
            continue
        if key in seen_short and (
            _nearest_long_dropped(i, -1, long_block, dropped, blocks)
            or _nearest_long_dropped(i, 1, long_block, dropped, blocks)
        ):
            dropped[i] = True
        seen_short.add(key)
    return [b for b, d in zip(blocks, dropped) if not d]


def _nearest_long_dropped(
    i: int, step: int, long_block: list[bool], dropped: list[bool], blocks: list[str]
) -> bool:
    j = i + step
    while 0 <= j < len(blocks):
        if long_block[j]:
            return dropped[j]
        j += step
    return False


# --------------------------------------------------------------------------- footnotes

_ENDS_SENTENCE = ".!?:;…\"'”’)"


def separate_footnotes(blocks: list[str]) -> list[str]:
    """Lift footnote entries out of the text they interrupt.

    A footnote printed at the bottom of a page lands between the two halves of a sentence:
    `"… die elkaar"`, `"13 Vlinder (1994). beïnvloeden. Dit model …"`. The rest of the
    sentence goes back to its paragraph and the entries become a block of their own after
    it, which chunking marks as a note (`rag.text.notes`).
    """
    out: list[str] = []
    for block in blocks:
        entries, rest = split_footnotes(block) if block != PAGE_BREAK else ("", block)
        if not entries or not rest or is_note(block):
            out.append(block)
            continue
        if rest[:1].islower():
            previous = next((i for i in range(len(out) - 1, -1, -1) if out[i] != PAGE_BREAK), None)
            if previous is not None and not is_note(out[previous]) and out[previous].rstrip()[-1:] not in _ENDS_SENTENCE:
                out[previous] = out[previous].rstrip() + " " + rest
                out.append(entries)
                continue
        out.extend([rest, entries])
    return out


# --------------------------------------------------------------------------- pipeline


def clean_text(raw: str) -> str:
    """Repair a raw PDF text extraction of a Dutch document into clean blocks.

    See the module docstring for the output format. Page boundaries (`\\f`) are kept,
    each as a block of its own.
    """
    text = normalize_whitespace(separate_framed_titles(raw))
    text = remove_letter_spaced_lines(text)
    text = collapse_spaces(join_split_ligatures(text))
    lex = Lexicon.of(text)
    text = join_split_words(text, lex)
    text = remove_repeated_furniture(text)
    text = remove_running_headers(text)
    text = remove_toc_and_page_labels(text)

    blocks: list[str] = []
    for n, page in enumerate(text.split(PAGE_BREAK)):
        if n:
            blocks.append(PAGE_BREAK)
        page = remove_page_numbers(page.strip("\n"))
        blocks.extend(strip_footnote_refs(b, lex) for b in reflow_paragraphs(page, lex))
    blocks = drop_repeated_blocks([b for b in blocks if b == PAGE_BREAK or b.strip()])
    return "\n\n".join(separate_footnotes(blocks))

