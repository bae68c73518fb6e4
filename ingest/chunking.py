"""Structure-aware chunking: cleaned document text -> `Chunk`s with a section path.

The cleaned text (see `ingest.clean`) is a sequence of blocks separated by blank lines:
single-line headings, one-line prose paragraphs, bullet lists (one item a line) and
table blocks (a `Tabel …` caption followed by rows). This module

* recognises headings and keeps a heading stack, so every chunk knows its section path
  ("2 Basisvaardigheden > 2.1 Hoofdlijnen");
* packs whole sentences (the one Dutch splitter, `rag.text.sentences.split_line`) into chunks of about
  `chunk_size` characters, preferring paragraph ends, never mixing two sections when that
  can be avoided, and carrying the last sentence(s) into the next chunk as overlap;
* keeps a table together with its caption as one chunk of kind "table";
* puts notes (footnotes, reference entries, bare URLs, source lines, figure captions; see
  `rag.text.notes`) into chunks of kind "note": searchable, never quoted as an answer;
* drops figure debris (axis ticks, legends, lone numbers).

Every chunk is an exact slice of the document text (`doc.text[start:end] == text`), so a
citation can always be located. Tables longer than twice the chunk size are cut between
rows; since a slice cannot repeat the caption, every piece of such a table carries the
caption in its `section` instead (`"… > Tabel 1.2.2a Eindoordelen …"`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal


from rag.text.notes import is_note
from rag.text.sentences import BULLET, split_line
from rag.types import Chunk, ChunkKind, Document

SECTION_SEPARATOR = " > "

# A heading is a short line; longer lines are prose whatever they look like.
_MAX_HEADING_CHARS = 120
_MAX_HEADING_WORDS = 15
_MAX_UNNUMBERED_WORDS = 10
_MAX_CHAPTER_NUMBER = 30

_BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")
# "2.1 Personeelsschaarste", "1 Kwaliteit van het onderwijs", "1. Professionalisering".
# Chapter numbers stay small; a year or an amount at the start of a line is prose.
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s*(?=[A-ZÀ-Þ(‘“\"'])(\S.*)$")
_KEYWORD_HEADING = re.compile(
    r"^(?P<kw>hoofdstuk|deel|bijlage|speerpunt|thema|actie|gamechanger|paragraaf)"
    r"\s+(?P<num>\d{1,2}|[IVX]{1,4})\b[.:]?(?P<rest>.*)$",
    re.IGNORECASE,
)
# The Kennisagenda's chapters: "thema gelijke kansen".
_THEMA_HEADING = re.compile(r"^[Tt]hema\s+[a-zà-ÿ]")
_KEYWORD_LEVEL = {
    "hoofdstuk": 1, "deel": 1, "bijlage": 1, "speerpunt": 1, "thema": 1,
    "actie": 2, "gamechanger": 2, "paragraaf": 2,
}  # fmt: skip
# Front and back matter: top level wherever they occur, and an anchor for the
# unnumbered sub-headings under them ("Samenvatting > Aanleiding").
_TOP_LEVEL_TITLES = frozenset(
    "voorwoord samenvatting managementsamenvatting inhoudsopgave inhoud bijlagen "
    "literatuur literatuurlijst referenties bronnen afkortingen colofon nawoord "
    "verantwoording".split()
)
# Captions and source lines look like titles but belong to a table or figure.
_CAPTION_START = re.compile(
    r"^(tabel|table|figuur|figure|fig\.|grafiek|afbeelding|foto|bron|bronnen:|noot|kader)\b",
    re.IGNORECASE,
)
_TABLE_CAPTION = re.compile(r"^(tabel|table)\s+\d[\w.\-]*", re.IGNORECASE)
_TABLE_SOURCE = re.compile(r"^(bron|bronnen)\s*:", re.IGNORECASE)
_CITATION_YEAR = re.compile(r"\(\s*(19|20)\d\d[a-z]?\s*\)")
_NUMERIC_TOKEN = re.compile(r"^[(\[]?[-+−–€$]?\d[\d.,]*[%‰]?[)\]]?[.,;:]?$")
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_FINAL = ".!?…"
_CLOSING = "\"'”’)»]"
# A line ending in one of these words was broken off mid-sentence, not a heading.
_FUNCTION_WORDS = frozenset(
    "de het een en of van in op met voor te die dat door aan bij als om naar tot over "
    "uit maar dan ook zijn is wordt worden niet er".split()
)

@dataclass(frozen=True)
class _Heading:
    level: int
    title: str
    anchored: bool  # numbered, keyword, Markdown or front matter: sets the depth
    start: int
    end: int
    number: str | None = None  # "2.1" for "2.1 Personeelsschaarste", "1" for "Bijlage 1"

    def contains(self, other: _Heading) -> bool:
        """Whether `other` (a numbered heading) can be a sub-section of this one."""
        if self.level >= other.level:
            return False
        if other.number is None or "." not in other.number:
            return True
        # "1.5 Ordeningskader" closes "Bijlage 2" and "Samenvatting", not only "1.4".
        if self.number is None:
            return False
        mine = self.number.split(".")
        return other.number.split(".")[: len(mine)] == mine


@dataclass
class _Block:
    start: int
    end: int
    text: str
    kind: Literal["text", "heading", "table", "debris", "note"] = "text"
    heading: _Heading | None = None


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a word-bounded piece of an overlong one): the smallest chunk part."""

    start: int
    end: int
    paragraph_end: bool = False  # last unit of a block: the preferred place to cut
    line_end: bool = False  # last unit of a line (a list item)
    debris: bool = False  # figure remains: kept inside a chunk, never at its start or end


@dataclass
class _Section:
    """The body of one section in text order: runs of units (text) and table blocks."""

    path: str | None
    lead_start: int | None = None  # offset of the heading line(s) that open the section
    items: list[list[_Unit] | _Block] = field(default_factory=list)

    def add_units(self, units: list[_Unit]) -> None:
        if self.items and isinstance(self.items[-1], list):
            self.items[-1].extend(units)
        else:
            self.items.append(list(units))

    def content_chars(self) -> int:
        return sum(
            sum(u.end - u.start for u in item) if isinstance(item, list) else item.end - item.start
            for item in self.items
        )


def chunk_document(doc: Document, *, chunk_size: int = 1200, overlap: int = 150) -> list[Chunk]:
    """Cut a cleaned document into chunks that follow its sections and sentences.

    `chunk_size` is the target size in characters; a chunk exceeds it only to keep a
    sentence or a table whole (a sentence longer than 1.5 × `chunk_size` is cut between
    words; a table longer than 2 × `chunk_size` between rows). `overlap` is the most
    characters of whole sentences repeated from the end of the previous chunk of the
    same section.
    """
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be greater than 0, got {chunk_size}")
    if overlap < 0 or overlap >= chunk_size:
        raise ValueError(f"overlap must be between 0 and chunk_size ({chunk_size}), got {overlap}")

    spans: list[tuple[int, int, str | None, ChunkKind]] = []
    for section in _sections(doc.text, chunk_size):
        spans.extend(_chunk_section(doc.text, section, chunk_size, overlap))

    chunks: list[Chunk] = []
    for start, end, section_path, kind in spans:
        text = doc.text[start:end]
        if kind == "text" and is_figure_debris(text):
            continue
        chunks.append(
            Chunk(
                document_id=doc.id,
                index=len(chunks),
                text=text,
                start=start,
                end=end,
                section=section_path,
                page=doc.page_at(start),
                kind=kind,
                title=doc.title,
                content_hash=doc.content_hash,
            )
        )
    return chunks


# ---------------------------------------------------------------------------------------
# Blocks and headings


def _blocks(text: str) -> list[_Block]:
    """Blank-line separated blocks, as stripped spans of `text`.

    A numbered heading glued to the end or start of a list ("• …⏎1. Inleiding") is split
    off into a block of its own.
    """
    blocks: list[_Block] = []
    position = 0
    for match in [*_BLOCK_SEPARATOR.finditer(text), None]:
        end = match.start() if match else len(text)
        raw = text[position:end]
        stripped = raw.strip()
        if stripped:
            start = position + (len(raw) - len(raw.lstrip()))
            blocks.extend(_split_glued_headings(_Block(start, start + len(stripped), stripped)))
        position = match.end() if match else len(text)
    return blocks


def _split_glued_headings(block: _Block) -> list[_Block]:
    lines = block.text.split("\n")
    if len(lines) == 1:
        return [block]
    numbered_items = sum(1 for line in lines if re.match(r"\d{1,2}[.)]\s", line))
    cuts = {0, len(lines)}
    for n, line in enumerate(lines):
        found = _anchored_heading(line)
        if found and (found[2] is None or "." in found[2] or numbered_items <= 1):
            cuts.update((n, n + 1))
    if len(cuts) == 2:
        return [block]
    pieces: list[_Block] = []
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    ordered = sorted(cuts)
    for a, b in zip(ordered, ordered[1:], strict=False):
        piece = "\n".join(lines[a:b])
        stripped = piece.strip()
        if stripped:
            start = block.start + offsets[a] + (len(piece) - len(piece.lstrip()))
            pieces.append(_Block(start, start + len(stripped), stripped))
    return pieces


def _words(line: str) -> list[str]:
    return line.split()


def _is_numeric(token: str) -> bool:
    return bool(_NUMERIC_TOKEN.match(token))


def _looks_like_title(title: str, *, max_words: int) -> bool:
    """Shared checks for every heading: short, not a sentence, not a row of numbers."""
    words = _words(title)
    if not words or len(title) > _MAX_HEADING_CHARS or len(words) > max_words:
        return False
    last = title.rstrip(_CLOSING)
    if title[-1] in "\"'”’" or (last and last[-1] in ".,;:"):
        return False
    if sum(_is_numeric(w) for w in words) > 1 or _CITATION_YEAR.search(title):
        return False
    return any(len(w) >= 3 for w in _LETTERS.findall(title))


def _anchored_heading(line: str) -> tuple[int, str, str | None] | None:
    """(level, title, number) for a Markdown, numbered, keyword or front-matter heading."""
    if "\n" in line:
        return None
    if match := _MARKDOWN_HEADING.match(line):
        return len(match.group(1)), match.group(2), None
    if BULLET.match(line) and not _NUMBERED_HEADING.match(line):
        return None
    if match := _NUMBERED_HEADING.match(line):
        number, title = match.group(1), match.group(2)
        # "1.1 Hoofdlijnen 13" is a line of a table of contents, not a heading.
        ends_in_page_number = re.search(r"\s\d{1,3}$", title)
        first_letter = next((c for c in title if c.isalpha()), "")
        if (
            _looks_like_title(title, max_words=_MAX_HEADING_WORDS)
            and first_letter.isupper()
            and not _CAPTION_START.match(title)
            and not ends_in_page_number
            # "1. Inventariseren: Wat zijn …?" is a numbered list item
            and not title.endswith("?")
            # "41. Feedback schoolleiders … oktober 2020" is a footnote; chapters stay few
            and int(number.split(".")[0]) <= _MAX_CHAPTER_NUMBER
        ):
            return number.count(".") + 1, line, number
        return None
    if match := _KEYWORD_HEADING.match(line):
        if not match.group("rest").strip() or _looks_like_title(line, max_words=_MAX_HEADING_WORDS):
            number = match.group("num") if match.group("num").isdigit() else None
            return _KEYWORD_LEVEL[match.group("kw").lower()], line, number
        return None
    if _THEMA_HEADING.match(line) and _looks_like_title(line, max_words=_MAX_HEADING_WORDS):
        return _KEYWORD_LEVEL["thema"], line, None
    if line.strip(" :").lower() in _TOP_LEVEL_TITLES:
        return 1, line.strip(" :"), None
    return None


def _is_legend(title: str) -> bool:
    """Figure legends: "Onvoldoende Voldoende Goed", "Positief advies Negatief advies"."""
    words = [w.lower() for w in _LETTERS.findall(title) if len(w) >= 3]
    if len(words) != len(set(words)):
        return True
    tokens = _words(title)
    capitalised = sum(1 for t in tokens if t[:1].isupper() and t[1:2].islower())
    return len(tokens) >= 3 and capitalised == len(tokens)


def _unnumbered_heading(line: str, next_block: _Block | None) -> str | None:
    """The title if `line` is a short title-like line that introduces a text block."""
    if "\n" in line:
        return None
    title = line[1:].strip() if line.startswith("»") else line
    if not title or not title[0].isalpha() or BULLET.match(title) or _CAPTION_START.match(title):
        return None
    if "," in title or not _looks_like_title(title, max_words=_MAX_UNNUMBERED_WORDS):
        return None
    if len(_words(title)[0]) == 1 or _is_legend(title):
        return None
    if title[-1] == "!" or _words(title)[-1].lower() in _FUNCTION_WORDS:
        return None
    # A title introduces something to read; legends and labels are followed by more debris.
    if next_block is None or not _introduces_reading(next_block):
        return None
    return title


def _introduces_reading(block: _Block) -> bool:
    if block.kind != "text" or _anchored_heading(block.text):
        return False
    lines = block.text.splitlines()
    if any(_is_prose_line(line) for line in lines):
        return True
    return sum(1 for line in lines if BULLET.match(line)) >= 1 and len(_words(block.text)) >= 6


def _breaks_off(block: _Block, *, lower_case: bool) -> bool:
    """Whether `block` ends mid-sentence, so that the next line continues it.

    A list item often ends without a full stop, so after a list only a lower-case line
    (the Kennisagenda writes its titles in lower case) is taken for a continuation.
    """
    if block.kind != "text":
        return False
    last_line = block.text.rsplit("\n", 1)[-1]
    if last_line.rstrip(_CLOSING)[-1:] in _SENTENCE_FINAL + ":;":
        return False
    return lower_case or not BULLET.match(last_line)


def _normalise_title(title: str) -> str:
    title = title.lstrip("#» ").strip().rstrip(":").strip()
    return re.sub(r"\s+", " ", title)


# ---------------------------------------------------------------------------------------
# Tables and figure debris


def _is_prose_line(line: str) -> bool:
    words = _words(line)
    numeric = sum(_is_numeric(w) for w in words)
    if numeric >= max(2, len(words) // 3):
        return False
    return len(line) > 100 or (len(words) >= 8 and line.rstrip(_CLOSING)[-1:] in _SENTENCE_FINAL)


def _is_table_row_block(block: _Block) -> bool:
    if _anchored_heading(block.text):
        return False
    return not any(_is_prose_line(line) for line in block.text.splitlines())


def _has_sentence(text: str) -> bool:
    """A line with at least four real words, and more words than numbers."""
    for line in text.splitlines():
        tokens = _words(line)
        words = [t for t in tokens if any(len(run) >= 2 for run in _LETTERS.findall(t))]
        if len(words) >= 4 and 2 * sum(_is_numeric(t) for t in tokens) <= len(tokens):
            return True
    return False


def is_figure_debris(text: str) -> bool:
    """True for what is left of a figure: mostly numbers and 1–3 character tokens, no sentence."""
    tokens = _words(text)
    if not tokens:
        return True
    if _has_sentence(text):
        return False
    if any(BULLET.match(line) and len(_words(line)) > 1 for line in text.splitlines()):
        return False
    short = sum(1 for t in tokens if _is_numeric(t) or len(t.strip(".,;:()[]%'\"’‘“”")) <= 3)
    return short / len(tokens) >= 0.7


def _classify(blocks: list[_Block]) -> list[_Block]:
    """Mark headings, tables (caption + rows, merged into one block) and debris."""
    result: list[_Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        lines = block.text.splitlines()
        # "Tabel 2.1 laat zien dat …" opens a sentence, not a table.
        is_caption = bool(_TABLE_CAPTION.match(block.text)) and not lines[0].rstrip().endswith(".")
        if is_caption or all(line.lstrip().startswith("|") for line in lines):
            end, j = block.end, i + 1
            ended_by_source = any(_TABLE_SOURCE.match(line) for line in lines[1:])
            while (
                j < len(blocks)
                and not ended_by_source
                and _is_table_row_block(blocks[j])
                and not _unnumbered_heading(blocks[j].text, blocks[j + 1] if j + 1 < len(blocks) else None)
            ):
                end = blocks[j].end
                ended_by_source = any(_TABLE_SOURCE.match(line) for line in blocks[j].text.splitlines())
                j += 1
            if j > i + 1 or len(lines) > 1:
                result.append(_Block(block.start, end, "", kind="table"))
                i = j
                continue
        if is_note(block.text):
            block.kind = "note"
        elif is_figure_debris(block.text):
            block.kind = "debris"
        result.append(block)
        i += 1
    # Headings second: whether a short line is a title depends on what follows it.
    absorbed: set[int] = set()
    for index, block in enumerate(result):
        if block.kind != "text" or index in absorbed:
            continue
        if found := _anchored_heading(block.text):
            level, title, number = found
            end = block.end
            following = result[index + 1] if index + 1 < len(result) else None
            # "HOOFDSTUK 1" ⏎⏎ "Kwaliteit van het onderwijs": one heading.
            if (
                (match := _KEYWORD_HEADING.match(title))
                and not match.group("rest").strip()
                and following is not None
                and following.kind == "text"
                and "\n" not in following.text
                and not _anchored_heading(following.text)
                and _looks_like_title(following.text, max_words=_MAX_UNNUMBERED_WORDS)
            ):
                title, end = f"{title} {following.text}", following.end
                absorbed.add(index + 1)
                following.kind = "heading"
            block.kind = "heading"
            block.heading = _Heading(level, _normalise_title(title), True, block.start, end, number)
            continue
        next_block = result[index + 1] if index + 1 < len(result) else None
        if next_block is not None and next_block.kind == "text" and _anchored_heading(next_block.text):
            next_block = None
        previous = result[index - 1] if index else None
        if previous is not None and _breaks_off(previous, lower_case=block.text[:1].islower()):
            continue  # the tail of a sentence broken by the layout, not a title
        if title := _unnumbered_heading(block.text, next_block):
            block.kind = "heading"
            # level is set against the heading stack while walking the document
            block.heading = _Heading(0, _normalise_title(title), False, block.start, block.end)
    return result


# ---------------------------------------------------------------------------------------
# Sentences


def _word_pieces(text: str, start: int, end: int, size: int) -> Iterator[tuple[int, int]]:
    """Cut an overlong sentence between words into pieces of at most `size` characters."""
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size + 1)
        if cut <= start:
            cut = start + size
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def _units(text: str, block: _Block, chunk_size: int) -> list[_Unit]:
    longest = int(chunk_size * 1.5)
    units: list[_Unit] = []
    line_start = block.start
    for line in block.text.split("\n"):
        spans = split_line(line)
        offset = line_start
        for n, (s, e) in enumerate(spans):
            if e - s > longest:
                pieces = list(_word_pieces(text, offset + s, offset + e, chunk_size))
            else:
                pieces = [(offset + s, offset + e)]
            for m, (ps, pe) in enumerate(pieces):
                last_of_line = n == len(spans) - 1 and m == len(pieces) - 1
                units.append(_Unit(ps, pe, line_end=last_of_line))
        line_start += len(line) + 1
    if units:
        last = units[-1]
        units[-1] = _Unit(last.start, last.end, paragraph_end=True, line_end=True)
    return units


# ---------------------------------------------------------------------------------------
# Sections


def _sections(text: str, chunk_size: int) -> Iterator[_Section]:
    """Walk the blocks with a heading stack; yield each section's body with its path."""
    stack: list[_Heading] = []
    # Headings seen since the last content: the first chunk of a section starts with them.
    pending: list[_Heading] = []
    section = _Section(path=None)
    small_section = chunk_size // 6

    def path() -> str | None:
        return SECTION_SEPARATOR.join(h.title for h in stack) or None

    for block in _classify(_blocks(text)):
        if block.kind == "heading" and block.heading is None:
            continue  # the title line of a "HOOFDSTUK 1" heading, part of that heading
        if block.kind == "heading":
            assert block.heading is not None
            heading = block.heading
            if not heading.anchored:
                depth = max((h.level for h in stack if h.anchored), default=0)
                heading = _Heading(depth + 1, heading.title, False, heading.start, heading.end)
            current = stack[-1] if stack else None
            while stack and not stack[-1].contains(heading):
                stack.pop()
            # A short introduction directly above a sub-section opens that sub-section's
            # first chunk instead of becoming a tiny chunk of its own.
            # An unnumbered title over a sentence or two ("Nadere uitkomsten") usually
            # introduces the titles that follow it, so it may lead a sibling too.
            carry = (
                bool(section.items)
                and current is not None
                and (current in stack or (not current.anchored and heading.level >= current.level))
                and section.content_chars() < small_section
            )
            if section.items and not carry:
                yield section
                section = _Section(path=None)
            stack.append(heading)
            if carry:
                section.path = path()
                section.add_units([_Unit(heading.start, heading.end)])  # no cut right after it
            else:
                pending = [h for h in pending if h in stack] + [heading]
            continue
        if not section.items:
            section.path = path()
            # Only the trailing run of pending headings that are still open leads the
            # section; headings left without content (a table of contents) are dropped.
            lead = [h for h in pending if h in stack]
            section.lead_start = lead[0].start if lead else None
            pending = []
        if block.kind == "debris":
            # Figure remains between paragraphs stay inside the flow of text, so that they
            # do not break it into small chunks; `_pack` trims them off the ends of a
            # chunk, and a long stretch of them separates two chunks.
            section.add_units([_Unit(block.start, block.end, paragraph_end=True, line_end=True, debris=True)])
        elif block.kind == "text":
            section.add_units(_units(text, block, chunk_size))
        elif block.kind == "note" and section.items and isinstance(section.items[-1], _Block) and section.items[-1].kind == "note":
            section.items[-1].end = block.end  # consecutive notes: one stretch
        else:
            section.items.append(_Block(block.start, block.end, block.text, block.kind))
    if section.items:
        yield section


def _chunk_section(
    text: str, section: _Section, chunk_size: int, overlap: int
) -> Iterator[tuple[int, int, str | None, ChunkKind]]:
    lead_start = section.lead_start
    for item in section.items:
        if isinstance(item, _Block) and item.kind == "note":
            # Notes never take the section's heading lines: those open the text after them.
            for start, end in _line_pieces(text, item.start, item.end, chunk_size):
                yield start, end, section.path, "note"
            continue
        if isinstance(item, list):
            units = item
            first = next((n for n, unit in enumerate(units) if not unit.debris), None)
            # The heading line(s) open the first chunk, unless a figure stands in between.
            if lead_start is not None and first is not None and units[first].start - lead_start < chunk_size // 2:
                unit = units[first]
                units = [_Unit(lead_start, unit.end, unit.paragraph_end, unit.line_end), *units[first + 1 :]]
            for run in _split_at_figures(units, chunk_size // 4):
                for start, end in _pack(run, chunk_size, overlap):
                    yield start, end, section.path, "text"
        else:
            start = lead_start if lead_start is not None else item.start
            yield from _table_pieces(text, start, item.end, section.path, chunk_size)
        lead_start = None


def _split_at_figures(units: list[_Unit], longest: int) -> Iterator[list[_Unit]]:
    """Runs of units between stretches of figure debris longer than `longest` characters."""
    run: list[_Unit] = []
    debris: list[_Unit] = []
    for unit in [*units, None]:
        if unit is not None and unit.debris:
            debris.append(unit)
            continue
        if debris and debris[-1].end - debris[0].start > longest:
            if run:
                yield run
            run = []
        else:
            run.extend(debris)
        debris = []
        if unit is not None:
            run.append(unit)
    if run:
        yield run


def _pack(units: list[_Unit], size: int, overlap: int) -> Iterator[tuple[int, int]]:
    """Greedy packing of units into (start, end) spans; see `chunk_document`."""
    min_tail = size // 5
    n = len(units)
    i = 0
    while i < n:
        j = i + 1
        while j < n and units[j].end - units[i].start <= size:
            j += 1
        k = j
        if j < n:
            # Cut at the last paragraph end (or list item end) if it leaves the chunk
            # reasonably full; otherwise after the last sentence that fits.
            for wanted, fill in (("paragraph_end", 0.5), ("line_end", 0.7)):
                for candidate in range(j, i, -1):
                    unit = units[candidate - 1]
                    if getattr(unit, wanted) and unit.end - units[i].start >= fill * size:
                        k = candidate
                        break
                if k != j:
                    break
            # A small remainder joins this chunk rather than becoming a tiny one.
            if units[n - 1].end - units[k].start < min_tail and units[n - 1].end - units[i].start <= 1.5 * size:
                k = n
        kept = [unit for unit in units[i:k] if not unit.debris]
        if kept:
            first = next(index for index in range(i, k) if not units[index].debris)
            last = max(index for index in range(i, k) if not units[index].debris)
            yield units[first].start, units[last].end
        if k >= n:
            return
        next_start = k
        while next_start - 1 > i and units[k - 1].end - units[next_start - 1].start <= overlap:
            next_start -= 1
        i = next_start


def _line_pieces(text: str, start: int, end: int, size: int) -> Iterator[tuple[int, int]]:
    """`text[start:end]` cut between lines into pieces of at most about `size` characters."""
    piece_start = None
    position = start
    last_end = start
    for line in text[start:end].split("\n"):
        stripped = line.strip()
        if stripped:
            line_start = position + line.index(stripped)
            if piece_start is None:
                piece_start = line_start
            elif line_start + len(stripped) - piece_start > size:
                yield piece_start, last_end
                piece_start = line_start
            last_end = line_start + len(stripped)
        position += len(line) + 1
    if piece_start is not None:
        yield piece_start, last_end


def _table_pieces(
    text: str, start: int, end: int, path: str | None, chunk_size: int
) -> Iterator[tuple[int, int, str | None, Literal["text", "table"]]]:
    if end - start <= 2 * chunk_size:
        yield start, end, path, "table"
        return
    lines = [line.strip() for line in text[start:end].split("\n") if line.strip()]
    # The span may open with the section's heading line(s); the caption comes after.
    caption_line = next((line for line in lines if _TABLE_CAPTION.match(line)), lines[0])
    caption = _normalise_title(caption_line)[:_MAX_HEADING_CHARS]
    piece_path = SECTION_SEPARATOR.join(p for p in (path, caption) if p)
    rows: list[_Unit] = []
    position = start
    for line in text[start:end].split("\n"):
        stripped = line.strip()
        if stripped:
            row_start = position + line.index(stripped)
            rows.append(_Unit(row_start, row_start + len(stripped), line_end=True))
        position += len(line) + 1
    piece_start = rows[0].start
    for index, row in enumerate(rows):
        is_last = index == len(rows) - 1
        if is_last or rows[index + 1].end - piece_start > chunk_size:
            yield piece_start, row.end, piece_path, "table"
            if not is_last:
                piece_start = rows[index + 1].start
