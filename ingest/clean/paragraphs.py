"""Reflow one page's lines into blocks: paragraphs, headings, lists and tables."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ingest.clean.lexicon import Lexicon, lexicon_for
from ingest.clean.shared import (
    CLOSERS,
    FUNCTION_WORDS,
    PAGE_BREAK,
    TITLE_RUN_PUNCTUATION,
    continues_sentence,
    ends_sentence,
    looks_like_heading_text,
)
from ingest.clean.words import join_line_break
from rag.text.notes import is_note

# Not rag.text.sentences.BULLET: on raw PDF lines `»` marks items and a leading dash is a broken hyphenation.
# A lettered item ("a. de school", "b) het bestuur") is one too.
_LETTERED_ITEM = r"[a-z][.)](?= )"
_RAW_BULLET_RE = re.compile(rf"^(?:[•·▪◦●○■»]|o(?= \S)|\d{{1,2}}[.)](?= )|{_LETTERED_ITEM})\s*")
_NUMERIC_TOKEN_RE = re.compile(r"^[-−+(€$]*\d[\d.,]*[%)]*$|^[%n]$")
_TABLE_CAPTION_RE = re.compile(r"^(?:Tabel|Table)\s+\d", re.IGNORECASE)
_SOURCE_LINE_RE = re.compile(r"^(?:Bron|Bronnen|Noot)\s*:", re.IGNORECASE)
_FIGURE_WORDS = "Figuur|Figure|Grafiek|Afbeelding"
_CAPTION_WORDS = rf"(?:{_FIGURE_WORDS}|Tabel|Table|Bron)"
_CAPTION_RE = re.compile(rf"^{_CAPTION_WORDS}\b", re.IGNORECASE)
#: A figure's caption, perhaps with the space after its word lost ("Figuur1.5a").
_FIGURE_START_RE = re.compile(rf"^(?:{_FIGURE_WORDS})\s*\d", re.IGNORECASE)
# A caption may be glued to its number ("Figuur1.5.1a"); a footnote entry is a number and a
# capitalised word ("57 We definiëren …").
_CAPTION_START_RE = re.compile(rf"^{_CAPTION_WORDS}(?![^\W\d_])", re.IGNORECASE)
_FOOTNOTE_START_RE = re.compile(r"^\d{1,3}\s+[^\W\d_]*[A-ZÀ-Ý]")
# A capitalised word after a lower-case word or a comma: a name ("van het Convenant").
_NAME_IN_SENTENCE_RE = re.compile(r"(?<=[a-zà-ÿ,] )([A-ZÀ-Ý][\w-]*)")


@dataclass
class _Line:
    text: str
    gap: int  # blank lines between this line and the previous one



def _is_bullet(line: str) -> bool:
    return bool(_RAW_BULLET_RE.match(line)) and not re.match(r"^\d{1,2}[.)] ?\d", line)


#: A long row label followed by its figures ("Tussentijdse uitstroom van de vijvers naar de
#: sloten 5,3 0 100"): a run of this many figures closing a line makes it a table row, though
#: its words outnumber them. Prose lines do not end in three bare figures.
_ROW_FIGURES = 3
#: A line of more words than this that does not end a sentence is a sentence cut off, not a title.
_MIN_SENTENCE_WORDS = 8


def _is_table_row(line: str) -> bool:
    tokens = line.split()
    is_numeric = [bool(_NUMERIC_TOKEN_RE.match(t)) for t in tokens]
    numeric = sum(is_numeric)
    if numeric >= 2 and numeric / len(tokens) >= 0.5:
        return True
    return len(tokens) > _ROW_FIGURES and all(is_numeric[-_ROW_FIGURES:])


_NUMBER_IN_TEXT_RE = re.compile(r"^\d{1,3} [a-zà-ÿ]")
#: A figure that opens a line and goes on in lower case ("12,5% en 8,1% van de", "3.500
#: kikkers"): a title above it has space above itself; a line set right below the text is
#: the sentence before it, cut off ("… leefde respectievelijk ⏎12,5% en 8,1% van de …").
_FIGURE_IN_TEXT_RE = re.compile(r"^\d{1,3}(?:(?:[.,]\d+)+%?|%) [a-zà-ÿ]")


def _number_runs_on(line: str) -> bool:
    """Whether a line that opens with a number in lower-case text is a sentence going on ("3
    vragen bij de kwaliteit van het water in de", "4 gemaaid zijn, de kikkers ..."), not a
    numbered title ("4 kikkers en padden"), which has no comma or full stop inside and does not
    end on a function word."""
    return bool(_NUMBER_IN_TEXT_RE.match(line)) and (
        continues_sentence(line) or ends_sentence(line) or bool(re.search(r"[,;] |[.!?] \S", line))
    )


#: A line that opens with a bracket and goes on in lower case after it closes ("(vve) naar het").
_BRACKET_RUNS_ON = re.compile(r"\([^()]*\)\s+[a-zà-ÿ]")


#: The label of a numbered part before its title ("Bijlage 3. ", "Hoofdstuk II. "): its full
#: stop closes no sentence.
_PART_LABEL = re.compile(r"^(?:bijlage|hoofdstuk|deel|paragraaf)\s+(?:\d{1,2}|[IVX]{1,4})\.\s+(?=[A-ZÀ-Þ])", re.IGNORECASE)


def _is_heading_line(line: str, next_line: str | None) -> bool:
    """A short title line: no closing punctuation, not ending on a function word,
    followed by a capitalised line (or nothing)."""
    # Lower case is fine: this may be the last line of a wrapped title.
    if not looks_like_heading_text(line, capitalised=False) or ends_sentence(line):
        return False
    if re.search(r"[.!?] \S", _PART_LABEL.sub("", line)) or _is_bullet(line) or _is_table_row(line):
        return False
    last = line.split()[-1].lower().strip(CLOSERS + "(,")
    if last in FUNCTION_WORDS:
        return False
    if next_line is None:
        return True
    if _number_runs_on(next_line):
        return False  # "... stelt de boswachter ⏎3 vragen bij de ...": the sentence goes on
    first = next_line[0]
    if first == "(" and _BRACKET_RUNS_ON.match(next_line):
        return False  # "... vroegschoolse educatie ⏎(vve) naar het ...": the sentence runs on
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
        if ends_sentence(prev):
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
        and not ends_sentence(lines[start - 1].text)
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


#: A figure or table caption wraps over at most this many lines (a long one with its n's: four).
_CAPTION_LINES = 4


def _ends_caption(lines: list[_Line], soft: list[bool], heading_start: list[bool], end: int) -> bool:
    """Whether line `end` is the last line of a figure or table caption (wrapped over at most `_CAPTION_LINES` lines):
    what follows a caption opens a new block, even without a blank line between them. A caption
    that ends on a function word, a comma or a slash goes on in the next line."""
    if end < 0:
        return False
    last = lines[end].text.rstrip()
    if last.endswith((",", "-", "/")) or last.split()[-1].lower() in FUNCTION_WORDS:
        return False
    k = end
    while k >= 0 and end - k < _CAPTION_LINES:
        if _CAPTION_START_RE.match(lines[k].text):
            return True
        if not soft[k] or heading_start[k]:
            return False  # the run, or a title that is no caption, starts here
        k -= 1
    return False


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
    if len(words) > 12 or any(TITLE_RUN_PUNCTUATION.search(t) for t in texts):
        return False
    if _is_bullet(texts[0]) or _is_table_row(texts[0]) or continues_sentence(lines[start - 1].text):
        return False
    last = re.sub(r"\d+$", "", words[-1]).lower()
    following = lines[end + 1].text
    if _CAPTION_RE.match(following):
        return False  # the label of a figure above its caption
    return last not in FUNCTION_WORDS and (following[0].isupper() or following[0] in "‘“\"")


def _list_marker(line: str) -> str:
    """The kind of marker of a list item: `1.` and `2)` are one kind, `a.` and `b)` another,
    each symbol another."""
    if line[:1].isdigit():
        return "1."
    return "a." if re.match(_LETTERED_ITEM, line) else line[:1]


def _is_title_after_list(lines: list[_Line], i: int) -> bool:
    """A marked title directly under a list with another marker (`• … Onderwijs.⏎1.
    Inleiding`, `• … ingezet.⏎» Gewenste situatie`).

    An item with another marker cannot continue the list above it; when it is short, has
    no closing punctuation and a paragraph (not another item) follows, it marks a title.
    """
    text = lines[i].text
    marker = _RAW_BULLET_RE.match(text)
    if i == 0 or marker is None or not _is_bullet(text) or len(text.split()) > 12:
        return False
    title = text[marker.end() :]
    if not title[:1].isupper() or ends_sentence(text) or re.search(r"[.!?] \S", title):
        return False
    if not looks_like_heading_text(title):
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
    lex = lexicon_for(page, lexicon)
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
            if start and lines[start].gap == 0 and nxt is not None and _FIGURE_IN_TEXT_RE.match(nxt):
                continue
            first = lines[start].text
            before = lines[start - 1].text if start else ""
            # A title right below a figure caption opens too (a capitalised line: one in lower
            # case goes on with the caption).
            below_caption = not first[0].islower() and _ends_caption(lines, soft, heading_start, start - 1)
            opens = start == 0 or not soft[start] or ends_sentence(before) or below_caption
            if not opens and start == i and len(first.split()) <= 6:
                # A title dropped into a sentence by a broken reading order
                # (`zoals strategisch ⏎Spanningsvelden in 2023⏎Spanningsvelden …`). In
                # lower case that is a sentence running on (`Vaak kregen de onderzochte
                # scholen⏎een onvoldoende oordeel …`), unless a title stands above it.
                last = before.split()[-1].lower().strip(CLOSERS + "(,")
                opens = last not in FUNCTION_WORDS and not before.endswith("-")
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
                    if above == 0 or not soft[above] or ends_sentence(lines[above - 1].text):
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
    # A figure printed inside a sentence: its caption, and the sentence's rest below it.
    inside_sentence = False

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
            # An item goes on past a line break where its last line cannot end ("… vereniging van").
            and not (kind == "list" and text[0].isupper() and not continues_sentence(current[-1]))
            and not (inside_sentence and _resumes_sentence(lines[i - 1].text, text))
            and not _after_source(current[-1], text)
        ):
            current[-1] = join_line_break(current[-1], text, lex)
        else:
            flush()
            kind = "prose"
            current = [text]
            inside_sentence = bool(_FIGURE_START_RE.match(text)) and _breaks_off(_last_text(blocks))
        i += 1
    flush()
    return blocks


def _last_text(blocks: list[str]) -> str:
    """The last block of running text, past the notes and tables printed after it ("" if none)."""
    return next((block for block in reversed(blocks) if _printed_between(block) is None), "")


def _resumes_sentence(previous: str, line: str) -> bool:
    """Whether `line`, below a figure's caption (`previous` is the caption's last line, or its
    source line), is the rest of the sentence the figure was printed in (`... de kans op`
    ⏎ `Figuur 3.2a Uitval per instelling in 2021-2022` ⏎ `uitval groter voor ...`): it goes on
    in lower case, with a figure or a bracket, where the caption's line is complete."""
    return (
        (line[0].islower() or line[0].isdigit() or line[0] == "(")
        and not continues_sentence(previous)
        and not _opens_bracket(previous)  # "... (in" ⏎ "percentages)": the caption goes on
    )


def _after_source(block_line: str, line: str) -> bool:
    """Whether `line` is the rest of a sentence that a figure was printed in, below the figure's
    source line (`Bron: Inspectie (2024t)` ⏎ `lopdrachten gegeven …`): a source line that closes
    its bracket is complete, and what goes on in lower case below it belongs to the text."""
    return bool(_SOURCE_LINE_RE.match(block_line)) and block_line.rstrip().endswith(")") and (line[0].islower() or line[0].isdigit())


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
            len(tokens) <= 8 and not ends_sentence(text) and lines[i].gap <= 2
        )
        if not is_row or _TABLE_CAPTION_RE.match(text):
            break
        rows.append(text)
        i += 1
    blocks.append("\n".join(rows))
    return i


def rejoin_broken_sentences(blocks: list[str], lexicon: Lexicon | None = None) -> list[str]:
    """Join a block that breaks off mid-sentence to the block that goes on with it.

    A page or column break, or footnotes printed in between, can leave a sentence in two
    blocks (`… versus 3% buiten de` ⏎⏎ `G5.`). A block whose last line cannot end a sentence
    (it ends on a function word, a comma or an opening bracket, and is not a title or a
    table row) takes the next block of prose, past page breaks and notes, when that block
    goes on with it: it starts in lower case, with a figure or a bracket, or with an
    acronym or a name, a capitalised word that the document also writes capitalised
    inside sentences (at least twice). A capitalised common word starts a new sentence
    (`… Een` ⏎⏎ `Verschillende schooldirecteuren …`: the rest of that sentence is lost), and
    the blocks stay apart. A block that leaves a bracket open takes the next block that closes
    it (`… (Den` ⏎⏎ `Uijl et al., 2023). …`), whatever that block starts with. A table printed
    inside a sentence is passed over too, when the rest goes on in lower case. Past a table or
    notes, a long line without a full stop is a sentence cut off even where its last word could
    end one (`… een herstelonderzoek` ⏎⏎ table ⏎⏎ `uit. …`).
    """
    names = Counter(_NAME_IN_SENTENCE_RE.findall("\n\n".join(blocks)))
    known = {word for word, n in names.items() if n >= 2}

    def brackets(block: str, rest: str, across: set[str]) -> bool:
        return _opens_bracket(block) and _closes_bracket(rest)

    def sentences(block: str, rest: str, across: set[str]) -> bool:
        if _breaks_off(block) and _goes_on(rest, known) and (rest[0].islower() or "table" not in across):
            return True
        # "... een herstelonderzoek" ⏎⏎ table ⏎⏎ "uit. Wanneer ...": a sentence that did not end,
        # and its rest, in lower case or from a figure on, past what was printed inside it.
        if bool(across - {"page"}) and _unfinished(block) and _goes_on(rest, set()) and (rest[0].islower() or rest[0].isdigit()):
            return True
        # "... in hoofdstuk" ⏎⏎ "2 beschrijven we de maatregelen, ...": a count or a number that goes on
        # with the sentence, not a numbered title.
        return _unfinished(block) and "\n" not in rest and _number_runs_on(rest)

    # Brackets first: a caption's "(2022-2023:" ⏎⏎ "n bo=...)" is one note before any sentence
    # looks past it for its rest.
    lex = lexicon_for("\n\n".join(blocks), lexicon)
    return _rejoin(_rejoin(list(blocks), brackets, lex), sentences, lex)


def _rejoin(out: list[str], joins: Callable[[str, str, set[str]], bool], lex: Lexicon) -> list[str]:
    """Join each block to the next block of text (past page breaks, notes and tables, whose
    kinds `joins` is told: `_printed_between`) where `joins` says it goes on with it."""
    i = 0
    while i < len(out):
        j = i + 1
        across: set[str] = set()
        while j < len(out) and (kind := _printed_between(out[j])):
            across.add(kind)
            j += 1
        if j < len(out) and joins(out[i], out[j], across):
            rest = out.pop(j)
            # "herste-" + "lopdrachten": a word broken at the end of the first part is repaired.
            out[i] = join_line_break(out[i], rest, lex) if out[i].endswith("-") else f"{out[i]} {rest}"
            continue  # the joined block may break off again
        i += 1
    return out


def _printed_between(block: str) -> str | None:
    """What kind of block a sentence may run on past ("page", "table", "note"); None for text."""
    if block == PAGE_BREAK:
        return "page"
    if _is_table(block):
        return "table"
    return "note" if is_note(block) else None


def _unfinished(block: str) -> bool:
    """Whether a block of prose stops mid-sentence: its last line is a long run of words without
    a full stop (not a title, a row or an item)."""
    last = block.split("\n")[-1]
    return (
        block != PAGE_BREAK
        and len(last.split()) > _MIN_SENTENCE_WORDS
        and not ends_sentence(last)
        and not last.endswith(":")
        and not _is_table_row(last)
        and not _is_bullet(last)
    )


def _is_table(block: str) -> bool:
    """A table block: its caption ("Tabel 5.3a ...") over its rows, or rows alone."""
    first = block.split("\n")[0]
    return bool(_TABLE_CAPTION_RE.match(first)) or ("\n" in block and _is_table_row(first))


def _opens_bracket(block: str) -> bool:
    """Whether the block's last line leaves a bracket open (`... van de werkgelegenheid (Den`)."""
    last = block.split("\n")[-1]
    opened = last.rfind("(")
    return opened >= 0 and ")" not in last[opened:]


def _closes_bracket(block: str) -> bool:
    """Whether the block's first line closes a bracket it did not open (`Uijl et al., 2023). ...`):
    it is the rest of a bracket, whatever word it starts with. (A block of text: `_rejoin` passes
    page breaks and notes over.)"""
    first = block.split("\n")[0]
    closed = first.find(")")
    return closed >= 0 and "(" not in first[:closed]


def _breaks_off(block: str) -> bool:
    last = block.split("\n")[-1]
    if block == PAGE_BREAK or not continues_sentence(last) or last.endswith("-") or _is_table_row(last):
        return False
    # A title never ends on a function word, but the first line of a numbered or short one,
    # wrapped, may ("1.2 Beeld van de kwaliteit van").
    return _is_bullet(last) or not (looks_like_heading_text(last) and (last[0].isdigit() or len(last.split()) <= 6))


def _goes_on(block: str, names: set[str]) -> bool:
    if "\n" in block or _CAPTION_START_RE.match(block) or _FOOTNOTE_START_RE.match(block) or _is_bullet(block):
        return False
    if looks_like_heading_text(block) and not ends_sentence(block):
        return False  # a title
    first = block.split()[0]
    word = first.strip(CLOSERS + "(,.;:")
    return not first[0].isupper() or any(ch.isdigit() for ch in first) or word.isupper() or word in names
