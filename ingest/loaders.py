"""Turn a file on disk into plain text with light Markdown structure.

The first step of the write path: every supported format comes out as one string in which
blocks (paragraphs, lists, tables) are separated by blank lines, headings are Markdown `#`
lines and, for paged formats, pages are separated by one form feed (`\\f`). Everything that
can go wrong with a single file is raised as an `IngestError` subclass with a Dutch reason,
so a batch can report it and go on.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import threading
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import docx
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4 import XMLParsedAsHTMLWarning
from bs4.dammit import EncodingDetector
from bs4.element import PreformattedString
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from rag.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    IngestError,
    UnsupportedFormatError,
)
from rag.types import sha256_hex

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})

_FORMAT_BY_SUFFIX = {
    ".txt": "txt",
    ".md": "md",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}

_FORMAT_LABELS = {
    "txt": "tekstbestand",
    "md": "Markdown-bestand",
    "pdf": "PDF-bestand",
    "docx": "Word-bestand",
    "html": "HTML-bestand",
}


@dataclass(frozen=True)
class LoadedFile:
    """The text of one file, before cleaning.

    `text` uses "\\n" line endings and blank lines between blocks; for PDF the pages are
    joined with one "\\f", so `text.count("\\f") == page_count - 1`; so are the pages of a
    .txt that has form feeds (a pdftotext export). Everything else has `page_count` None and
    no "\\f" at all, so downstream code may treat every form feed as a page boundary.
    """

    path: Path
    text: str
    format: str
    raw_bytes_sha256: str
    title_hint: str | None
    page_count: int | None


@dataclass(frozen=True)
class DocumentLimits:
    """How much one document may hold, checked while it is read (not after).

    A file over a limit fails alone with a Dutch reason; defaults match `rag.settings`.
    """

    max_chars: int = 2_000_000
    max_pdf_pages: int = 1000
    max_docx_bytes: int = 100 * 1024 * 1024
    max_docx_members: int = 1000

    @classmethod
    def from_settings(cls, settings) -> "DocumentLimits":
        return cls(settings.max_document_chars, settings.max_pdf_pages, settings.max_docx_bytes, settings.max_docx_members)

    @property
    def max_text_bytes(self) -> int:
        """Bytes a text file (.txt, .md, .html) may have: four per character at most (UTF-32)."""
        return self.max_chars * 4


DEFAULT_LIMITS = DocumentLimits()


def _too_much_text(path: Path, limits: DocumentLimits, found: str) -> IngestError:
    return IngestError(
        str(path),
        f"Het document is te groot: er mogen hoogstens {limits.max_chars:,} tekens tekst uit komen "
        f"en dit document heeft {found}. Splits het in kleinere delen.".replace(",", "."),
    )


@dataclass(frozen=True)
class _Extracted:
    text: str
    title_hint: str | None = None
    page_count: int | None = None


def is_supported(path: Path) -> bool:
    """True when `load_file` knows the file's extension (case-insensitive)."""
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def load_file(path: Path, limits: DocumentLimits = DEFAULT_LIMITS) -> LoadedFile:
    """Read one file and extract its text.

    Raises `UnsupportedFormatError`, `EmptyDocumentError`, `EncryptedDocumentError` or
    `CorruptDocumentError` (all `IngestError`) with a Dutch reason; a file that cannot be
    read at all raises `IngestError` itself.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "zonder extensie"
        raise UnsupportedFormatError(
            str(path),
            f"Bestandstype {shown} wordt niet ondersteund. "
            f"Ondersteunde bestandstypen: {', '.join(sorted(SUPPORTED_SUFFIXES))}.",
        )
    fmt = _FORMAT_BY_SUFFIX[suffix]
    if fmt in ("txt", "md", "html"):
        size = _file_size(path)
        if size > limits.max_text_bytes:
            raise _too_much_text(path, limits, f"{size:,} bytes".replace(",", "."))
    data = _read_bytes(path)
    if not data.strip():
        raise EmptyDocumentError(str(path), "Het bestand is leeg of bevat alleen witruimte.")

    extracted = _EXTRACTORS[fmt](data, path, limits)
    if len(extracted.text) > limits.max_chars:
        raise _too_much_text(path, limits, f"{len(extracted.text):,} tekens".replace(",", "."))
    if not extracted.text.strip():
        raise EmptyDocumentError(
            str(path), f"Het {_FORMAT_LABELS[fmt]} bevat geen tekst (alleen opmaak of witruimte)."
        )
    return LoadedFile(
        path=path,
        text=extracted.text,
        format=fmt,
        raw_bytes_sha256=sha256_hex(data),
        title_hint=extracted.title_hint,
        page_count=extracted.page_count,
    )


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it says what is wrong


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError(str(path), "Het bestand bestaat niet (meer).") from None
    except IsADirectoryError:
        raise IngestError(str(path), "Dit is een map, geen bestand.") from None
    except PermissionError:
        raise IngestError(str(path), "Geen toestemming om het bestand te lezen.") from None
    except OSError as exc:
        raise IngestError(
            str(path), f"Het bestand kan niet worden gelezen ({exc.strerror or exc})."
        ) from None


# --- text normalisation and titles -------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\v]")


def _normalise(text: str) -> str:
    """"\\n" line endings, no trailing spaces, no NULs; a form feed becomes a blank line
    (callers split pages first, so the only form feeds left are the ones they join with)."""
    text = _LINE_BREAKS.sub("\n", text).replace("\x00", "").replace("\f", "\n\n")
    lines = (line.rstrip() for line in text.split("\n"))
    return "\n".join(lines).strip("\n")


_JUNK_TITLE = re.compile(
    r"^(?:untitled|naamloos|zonder titel|titel|title|none|null|unknown|onbekend|"
    r"document\s*\d*|presentatie\s*\d*|presentation\s*\d*|slide\s*\d*|pdf)$",
    re.IGNORECASE,
)
_FILE_NAME_LIKE = re.compile(
    r"(?:\.(?:docx?|dotx?|pdf|odt|rtf|pptx?|xlsx?|html?|txt|md|indd|qxp|ai|eps)$)|[\\/]",
    re.IGNORECASE,
)
_OFFICE_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)


def _title_or_none(raw: object) -> str | None:
    """A title worth showing, or None for the placeholders that tools write into metadata."""
    if raw is None:
        return None
    title = " ".join(str(raw).split())
    title = _OFFICE_PREFIX.sub("", title).strip()
    if len(title) < 3 or not any(ch.isalpha() for ch in title):
        return None
    if _JUNK_TITLE.match(title) or _FILE_NAME_LIKE.search(title):
        return None
    return title


# --- plain text and Markdown -------------------------------------------------------------

# Dutch files that are not UTF-8 are in practice Windows-1252 (or its subset Latin-1).
# charset-normalizer picks exotic code pages for short texts (mac_latin2, cp1006 for
# "patiënt"), so detection is limited to the encodings that occur here.
_DETECTION_CANDIDATES = ["cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850"]


def _decode_text(data: bytes, path: Path) -> str:
    """Decode text bytes: BOM, then strict UTF-8, then a detected Western encoding."""
    text: str | None = None
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with UTF-16 LE's
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_detected(data)
    if text is None or _looks_binary(text):
        raise CorruptDocumentError(
            str(path),
            "Het bestand bevat geen leesbare tekst maar binaire gegevens; misschien is het "
            "een ander bestandstype met een verkeerde extensie, of is het beschadigd.",
        )
    return text


def _decode_detected(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data, cp_isolation=_DETECTION_CANDIDATES).best()
    if best is not None:
        log.debug("detected encoding %s", best.encoding)
        return str(best)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _looks_binary(text: str) -> bool:
    """Control characters and replacement marks are absent from real text; junk is full of them."""
    if not text:
        return False
    bad = sum(
        1
        for ch in text
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    )
    return bad / len(text) > 0.01


def _extract_txt(data: bytes, path: Path, limits: DocumentLimits) -> _Extracted:
    text = _decode_text(data, path)
    if "\f" not in text:
        return _Extracted(_normalise(text))
    # A text file with form feeds is almost always a PDF export (pdftotext writes one after
    # every page, the last included): keep its pages so answers can cite them.
    pages = [_normalise(page) for page in text.rstrip().split("\f")]
    return _Extracted("\f".join(pages), page_count=len(pages))


_MD_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def _extract_md(data: bytes, path: Path, limits: DocumentLimits) -> _Extracted:
    text = _normalise(_decode_text(data, path))
    title = None
    in_fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and (match := _MD_H1.match(line)):
            title = _title_or_none(match.group(1))
            break
    return _Extracted(text, title_hint=title)


# --- PDF ---------------------------------------------------------------------------------


class _RelayToDebug(logging.Handler):
    """Re-logs pypdf's warnings (robustness fixes it applied) at debug level under our name."""

    def emit(self, record: logging.LogRecord) -> None:
        log.debug("pypdf (%s): %s", record.name, record.getMessage())


_pypdf_relay = _RelayToDebug()
_pypdf_quiet_lock = threading.Lock()
_pypdf_quiet_users = 0


@contextmanager
def _pypdf_warnings_to_debug() -> Iterator[None]:
    """pypdf warns about every repaired quirk ("EOF marker not found", odd xref tables).

    For a school leader ingesting documents that is noise, so while we read a PDF those
    records go to our debug log instead of propagating to the application's handlers.
    Reference-counted so that loads in parallel threads do not undo each other.
    """
    global _pypdf_quiet_users
    pypdf_log = logging.getLogger("pypdf")
    with _pypdf_quiet_lock:
        if _pypdf_quiet_users == 0:
            pypdf_log.addHandler(_pypdf_relay)
            pypdf_log.propagate = False
        _pypdf_quiet_users += 1
    try:
        yield
    finally:
        with _pypdf_quiet_lock:
            _pypdf_quiet_users -= 1
            if _pypdf_quiet_users == 0:
                pypdf_log.removeHandler(_pypdf_relay)
                pypdf_log.propagate = True


def _extract_pdf(data: bytes, path: Path, limits: DocumentLimits) -> _Extracted:
    with _pypdf_warnings_to_debug():
        # pypdf raises a wide range of exceptions on malformed input (PdfReadError, but also
        # KeyError, ValueError, RecursionError...); any of them means "this PDF is broken".
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise EncryptedDocumentError(
                    str(path),
                    "De PDF is beveiligd met een wachtwoord en kan daardoor niet worden "
                    "gelezen. Sla een versie zonder wachtwoord op en voeg die toe.",
                )
            pages = list(reader.pages)
        except IngestError:
            raise
        except DependencyError as exc:
            log.debug("pypdf cannot decrypt %s: %s", path, exc)
            raise EncryptedDocumentError(
                str(path),
                "De PDF is versleuteld (AES) en om die te openen ontbreekt het Python-pakket "
                "'cryptography'. Installeer het met `pip install cryptography`.",
            ) from exc
        except Exception as exc:
            log.debug("pypdf cannot open %s", path, exc_info=True)
            raise CorruptDocumentError(
                str(path),
                "De PDF is beschadigd of onvolledig (bijvoorbeeld afgebroken tijdens het "
                f"downloaden) en kan niet worden gelezen (technische melding: {exc}).",
            ) from exc

        if not pages:
            raise EmptyDocumentError(str(path), "De PDF heeft geen pagina's.")
        if len(pages) > limits.max_pdf_pages:
            raise IngestError(
                str(path),
                f"De PDF heeft {len(pages)} pagina's; er mogen hoogstens {limits.max_pdf_pages} zijn. "
                "Splits het document in delen.",
            )

        texts: list[str] = []
        failed = 0
        extracted = 0
        for number, page in enumerate(pages, start=1):
            try:
                texts.append(_normalise(page.extract_text() or ""))
                extracted += len(texts[-1])
                if extracted > limits.max_chars:  # stop reading: the rest cannot be used
                    raise _too_much_text(path, limits, f"na {number} pagina's al meer")
            except IngestError:
                raise
            except Exception:
                # One broken content stream should not cost the other pages.
                log.debug("pypdf cannot read page %d of %s", number, path, exc_info=True)
                failed += 1
                texts.append("")

        try:
            title = _title_or_none(reader.metadata.title if reader.metadata else None)
        except Exception:
            log.debug("unreadable PDF metadata in %s", path, exc_info=True)
            title = None

    if not any(texts):
        if failed:
            raise CorruptDocumentError(
                str(path),
                f"De tekst van de PDF kan niet worden gelezen: {failed} van de {len(pages)} "
                "pagina's zijn beschadigd en de rest bevat geen tekst.",
            )
        raise EmptyDocumentError(
            str(path),
            f"De PDF bevat geen uitleesbare tekst ({len(pages)} pagina's); waarschijnlijk is "
            "het een scan. Laat er eerst tekstherkenning (OCR) op los, bijvoorbeeld met "
            "ocrmypdf, en voeg het bestand daarna opnieuw toe.",
        )
    return _Extracted("\f".join(texts), title_hint=title, page_count=len(pages))


# --- DOCX --------------------------------------------------------------------------------

_DOCX_HEADING = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
_DOCX_TITLE_STYLES = {"title", "titel"}
_DOCX_LIST_STYLE_PREFIXES = ("list", "lijst")
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _check_docx_package(data: bytes, path: Path, limits: DocumentLimits) -> None:
    """Refuse a .docx that unpacks to too much (a zip bomb) before python-docx unpacks it.

    Each part is inflated in pieces and counted, so a header that understates a part's size
    does not help: reading stops as soon as the total passes the limit.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: python-docx says it is broken, with the usual message
    with package:
        if len(members) > limits.max_docx_members:
            raise IngestError(
                str(path),
                f"Het Word-bestand bestaat uit {len(members)} onderdelen; er mogen hoogstens "
                f"{limits.max_docx_members} zijn. Dit is geen gewoon .docx-bestand.",
            )
        too_big = IngestError(
            str(path),
            f"Het Word-bestand pakt uit tot meer dan {limits.max_docx_bytes // (1024 * 1024)} MB; "
            "dat is te groot (of het is een 'zipbom'). Sla het op zonder grote afbeeldingen of splits het.",
        )
        if sum(m.file_size for m in members) > limits.max_docx_bytes:
            raise too_big
        total = 0
        for member in members:
            try:
                with package.open(member) as part:
                    while chunk := part.read(1024 * 1024):
                        total += len(chunk)
                        if total > limits.max_docx_bytes:
                            raise too_big
            except IngestError:
                raise
            except Exception:  # a broken part: python-docx reports the file as corrupt
                return


def _extract_docx(data: bytes, path: Path, limits: DocumentLimits) -> _Extracted:
    if data.startswith(_OLE2_MAGIC):
        # Password-protected .docx files are stored inside an OLE2 container, next to the
        # legacy .doc format; the stream name tells them apart.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise EncryptedDocumentError(
                str(path),
                "Het Word-bestand is beveiligd met een wachtwoord en kan daardoor niet worden "
                "gelezen. Sla een versie zonder wachtwoord op en voeg die toe.",
            )
        raise CorruptDocumentError(
            str(path),
            "Het bestand heet .docx maar is een oud Word-bestand (.doc). Open het in Word en "
            "sla het op als .docx.",
        )
    _check_docx_package(data, path, limits)
    # python-docx raises zipfile, lxml and KeyError exceptions for broken packages.
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(document.iter_inner_content())
        title = _title_or_none(document.core_properties.title)
    except Exception as exc:
        log.debug("python-docx cannot read %s", path, exc_info=True)
        raise CorruptDocumentError(
            str(path),
            "Het Word-bestand (.docx) is beschadigd of geen echt .docx-bestand en kan niet "
            "worden geopend.",
        ) from exc
    return _Extracted("\n\n".join(blocks), title_hint=title)


def _docx_blocks(content: Iterator[Paragraph | Table]) -> list[str]:
    blocks: list[str] = []
    list_items: list[str] = []

    def flush_list() -> None:
        if list_items:
            blocks.append("\n".join(list_items))
            list_items.clear()

    for item in content:
        if isinstance(item, Table):
            flush_list()
            if rows := _docx_table_rows(item):
                blocks.append("\n".join(rows))
            continue
        if not isinstance(item, Paragraph):
            continue
        text = _normalise(item.text)
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if heading := _DOCX_HEADING.match(style.strip()):
            flush_list()
            level = min(max(int(heading.group(1)), 1), 6)
            blocks.append("#" * level + " " + " ".join(text.split()))
        elif style.strip().lower() in _DOCX_TITLE_STYLES:
            flush_list()
            blocks.append("# " + " ".join(text.split()))
        elif _docx_is_list_item(item, style):
            list_items.append("• " + " ".join(text.split()))
        else:
            flush_list()
            blocks.append(text)
    flush_list()
    return blocks


def _docx_is_list_item(paragraph: Paragraph, style: str) -> bool:
    # Direct numbering (w:numPr) is how Word marks most lists; list styles cover the rest.
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    return style.strip().lower().startswith(_DOCX_LIST_STYLE_PREFIXES)


def _docx_table_rows(table: Table) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A horizontally merged cell is returned once per grid column it spans.
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


# --- HTML --------------------------------------------------------------------------------

# <button> stays: accordion pages put their questions in buttons; <form> stays because
# ASP.NET sites wrap the whole page in one.
_HTML_DROP = ["script", "style", "noscript", "template", "nav", "aside", "svg", "iframe",
              "select", "head"]
_HTML_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_HTML_INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "img", "input", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
}
_HTML_LISTS = {"ul", "ol", "menu"}
# A private-use character stands in for <br> so it survives whitespace collapsing.
_BR = "\ue000"


def _extract_html(data: bytes, path: Path, limits: DocumentLimits) -> _Extracted:
    markup = _decode_html(data, path)
    with warnings.catch_warnings():
        # XHTML parsed as HTML, or a tiny page that looks like a URL, is fine for us.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "lxml")

    title = _title_or_none(_flat_text(soup.title)) if soup.title else None
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    # The site's banner and footer go, but an <article>'s own <header> holds its title.
    for tag in soup.find_all(["header", "footer"]):
        if tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with(_BR)
    if title is None and (h1 := soup.find("h1")) is not None:
        title = _title_or_none(_flat_text(h1))

    blocks: list[str] = []
    _html_walk(soup.body or soup, blocks)
    return _Extracted(_normalise("\n\n".join(blocks)), title_hint=title)


_WHATWG_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"}


def _decode_html(data: bytes, path: Path) -> str:
    """Valid UTF-8 wins; otherwise the page's declared charset; otherwise detection."""
    has_bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not has_bom:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        declared = EncodingDetector.find_declared_encoding(data, is_html=True)
        if declared:
            # Browsers read these labels as Windows-1252 (WHATWG Encoding), and so do we.
            encoding = "cp1252" if declared.lower() in _WHATWG_CP1252_LABELS else declared
            try:
                text = data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                log.debug("declared charset %r does not fit %s", declared, path)
            else:
                if not _looks_binary(text):
                    return text
    return _decode_text(data, path)


def _flat_text(node: Tag | str, *, skip: frozenset[str] = frozenset()) -> str:
    """The text of a node on one line; block children (except `skip`) are space-separated."""
    if isinstance(node, str):
        return " ".join(node.replace(_BR, " ").split())
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, PreformattedString):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag) and child.name not in skip:
            # Inline text is taken as is: "<b>vet </b>woord" keeps its space, "ver<b>bod</b>"
            # stays one word.
            inline = _html_is_inline(child)
            parts.append("".join(child.strings) if inline else f" {_flat_text(child)} ")
    return " ".join("".join(parts).replace(_BR, " ").split())


def _paragraph_text(raw: str) -> str:
    """Collapse source whitespace; <br> (the placeholder) becomes a line break."""
    lines = (" ".join(line.split()) for line in raw.split(_BR))
    return "\n".join(line for line in lines if line)


def _html_is_inline(tag: Tag) -> bool:
    if tag.name not in _HTML_INLINE:
        return False
    # HTML5 allows <a> around whole blocks; those must be walked, not flattened.
    return tag.find(lambda t: t.name not in _HTML_INLINE) is None


def _html_walk(node: Tag, blocks: list[str]) -> None:
    inline: list[str] = []

    def flush() -> None:
        if text := _paragraph_text("".join(inline)):
            blocks.append(text)
        inline.clear()

    for child in node.children:
        if isinstance(child, PreformattedString):  # comments, CDATA, doctype
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if _html_is_inline(child):
            # No separator: "<b>ver</b>bod" stays one word, as the reader sees it.
            inline.append("".join(child.strings))
            continue
        flush()
        name = child.name
        if name in _HTML_HEADINGS:
            if text := _flat_text(child):
                blocks.append("#" * _HTML_HEADINGS[name] + " " + text)
        elif name in _HTML_LISTS or name == "li":
            if items := _html_list_items(child):
                blocks.append("\n".join(items))
        elif name == "table" and child.find(["table", *_HTML_HEADINGS]) is None:
            _html_table(child, blocks)
        elif name == "pre":
            if text := child.get_text().replace(_BR, "\n").strip("\n"):
                blocks.append(text)
        else:
            # Containers (div, section, p, a layout table, unknown tags) are walked.
            _html_walk(child, blocks)
    flush()


def _html_list_items(node: Tag) -> list[str]:
    """One "• " line per item; nested lists follow their parent item."""
    items: list[str] = []
    for li in [node] if node.name == "li" else node.find_all("li", recursive=False):
        if text := _flat_text(li, skip=frozenset(_HTML_LISTS)):
            items.append("• " + text)
        for nested in li.find_all(list(_HTML_LISTS), recursive=False):
            items.extend(_html_list_items(nested))
    return items


def _html_table(table: Tag, blocks: list[str]) -> None:
    if table.caption is not None and (caption := _flat_text(table.caption)):
        blocks.append(caption)
    rows: list[str] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [_flat_text(cell) for cell in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cells))
    if rows:
        blocks.append("\n".join(rows))

_EXTRACTORS: dict[str, Callable[[bytes, Path], _Extracted]] = {
    "txt": _extract_txt,
    "md": _extract_md,
    "pdf": _extract_pdf,
    "docx": _extract_docx,
    "html": _extract_html,
}
