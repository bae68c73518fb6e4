"""Loaders over real files made in tmp_path with the real libraries (reportlab, pypdf,
python-docx), plus the bad files users actually drop into a corpus folder."""

from __future__ import annotations

import hashlib
import io
import logging
import random
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from docx.enum.style import WD_STYLE_TYPE
from reportlab.pdfgen import canvas

from ingest import loaders
from ingest.loaders import SUPPORTED_SUFFIXES, LoadedFile, is_supported, load_file
from rag.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    IngestError,
    UnsupportedFormatError,
)

PAGES = [
    "Pagina een: de leerling krijgt passend onderwijs.",
    "Pagina twee: coördinatie tussen scholen is één doel.",
    "Pagina drie: ideeën voor de financiën van het bestuur.",
]


def make_pdf(pages: list[str], *, title: str | None = None) -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    if title is not None:
        pdf.setTitle(title)
    for text in pages:
        if text:
            pdf.drawString(72, 720, text)
            pdf.drawString(72, 700, "Tweede regel van deze pagina.")
        else:
            pdf.rect(72, 600, 200, 100)  # a drawing, no text: what a scanned page looks like
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password="eigenaar")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def assert_dutch_reason(error: IngestError, path: Path, *words: str) -> None:
    """The reason is Dutch, names the problem, and the message carries the path."""
    assert str(path) in str(error)
    assert error.path == str(path)
    for word in words:
        assert word.lower() in error.reason.lower(), (word, error.reason)
    assert re.search(r"\b(het|de|een|niet|is)\b", error.reason, re.IGNORECASE), error.reason
    assert "Traceback" not in error.reason


# --- supported suffixes --------------------------------------------------------------------


def test_supported_suffixes_are_the_documented_set() -> None:
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.pdf", True), ("B.PDF", True), ("c.Docx", True), ("d.htm", True), ("e.xlsx", False),
     ("f.doc", False), ("README", False)],
)
def test_is_supported(name: str, expected: bool) -> None:
    assert is_supported(Path(name)) is expected


def test_unsupported_extension_lists_the_supported_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "begroting.xlsx", b"PK\x03\x04 whatever")
    with pytest.raises(UnsupportedFormatError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "'.xlsx'", "niet ondersteund")
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in info.value.reason


def test_file_without_extension_is_unsupported(tmp_path: Path) -> None:
    path = write(tmp_path, "LEESMIJ", "Gewone tekst.")
    with pytest.raises(UnsupportedFormatError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "zonder extensie")


def test_missing_file_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "weg.txt"
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "bestaat niet")


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_pages_are_joined_with_form_feeds(tmp_path: Path) -> None:
    data = make_pdf(PAGES, title="Staat van het Onderwijs 2024")
    path = write(tmp_path, "staat.pdf", data)

    loaded = load_file(path)

    assert isinstance(loaded, LoadedFile)
    assert loaded.format == "pdf"
    assert loaded.page_count == 3
    assert loaded.text.count("\f") == 2
    pages = loaded.text.split("\f")
    for expected, page in zip(PAGES, pages, strict=True):
        assert page.startswith(expected)
        assert "Tweede regel van deze pagina." in page
    assert loaded.title_hint == "Staat van het Onderwijs 2024"
    assert loaded.raw_bytes_sha256 == hashlib.sha256(data).hexdigest()
    assert loaded.path == path
    assert "\r" not in loaded.text


def test_pdf_page_without_text_stays_an_empty_page(tmp_path: Path) -> None:
    path = write(tmp_path, "met-figuur.pdf", make_pdf([PAGES[0], "", PAGES[2]]))

    loaded = load_file(path)

    assert loaded.page_count == 3
    assert loaded.text.split("\f")[1] == ""
    assert loaded.text.split("\f")[2].startswith(PAGES[2])


@pytest.mark.parametrize("title", ["Microsoft Word - nota.docx", "untitled", "Document1", "   "])
def test_pdf_placeholder_titles_are_no_title(tmp_path: Path, title: str) -> None:
    path = write(tmp_path, "nota.pdf", make_pdf(PAGES[:1], title=title))
    assert load_file(path).title_hint is None


def test_pdf_without_any_text_is_probably_a_scan(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", make_pdf(["", ""]))
    with pytest.raises(EmptyDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "scan", "OCR", "geen uitleesbare tekst")


def test_pdf_with_user_password_is_encrypted_error(tmp_path: Path) -> None:
    path = write(tmp_path, "geheim.pdf", encrypt_pdf(make_pdf(PAGES), "geheim"))
    with pytest.raises(EncryptedDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "wachtwoord")


def test_pdf_encrypted_with_empty_password_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "beperkt.pdf", encrypt_pdf(make_pdf(PAGES, title="Beperkt"), ""))
    assert pypdf.PdfReader(path).is_encrypted

    loaded = load_file(path)

    assert loaded.page_count == 3
    assert loaded.text.split("\f")[1].startswith(PAGES[1])
    assert loaded.title_hint == "Beperkt"


def test_pdf_needing_a_missing_crypto_package_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing_aes(self: pypdf.PdfReader, password: str) -> None:
        raise pypdf.errors.DependencyError("cryptography is required for AES algorithm")

    path = write(tmp_path, "aes.pdf", encrypt_pdf(make_pdf(PAGES), "geheim"))
    monkeypatch.setattr(pypdf.PdfReader, "decrypt", missing_aes)
    with pytest.raises(EncryptedDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "versleuteld", "cryptography")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.1])
def test_truncated_pdf_is_corrupt(tmp_path: Path, keep: float) -> None:
    data = make_pdf(PAGES)
    path = write(tmp_path, "afgebroken.pdf", data[: int(len(data) * keep)])
    with pytest.raises(CorruptDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "beschadigd of onvolledig")


def test_random_bytes_named_pdf_is_corrupt(tmp_path: Path) -> None:
    path = write(tmp_path, "nep.pdf", random.Random(7).randbytes(3000))
    with pytest.raises(CorruptDocumentError):
        load_file(path)


def test_repaired_pdf_quirks_go_to_the_debug_log_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = make_pdf(PAGES)
    match = re.search(rb"startxref\s+(\d+)", data)
    assert match is not None
    wrong = str(int(match.group(1)) + 7).encode()
    path = write(tmp_path, "scheef.pdf", data[: match.start(1)] + wrong + data[match.end(1) :])

    with caplog.at_level(logging.DEBUG):
        loaded = load_file(path)

    assert loaded.page_count == 3
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    relayed = [r for r in caplog.records if r.name == "ingest.loaders" and "startxref" in r.getMessage()]
    assert relayed and all(r.levelno == logging.DEBUG for r in relayed)
    # The pypdf logger is left as it was found.
    assert logging.getLogger("pypdf").propagate is True
    assert loaders._pypdf_relay not in logging.getLogger("pypdf").handlers


# --- DOCX ----------------------------------------------------------------------------------


def make_docx() -> docx.document.Document:
    document = docx.Document()
    document.core_properties.title = "Beleidsnota basisvaardigheden"
    document.add_heading("Beleidsnota", level=0)  # the "Title" style
    document.add_heading("Inleiding", level=1)
    document.add_paragraph("Scholen werken aan lezen, schrijven en rekenen.")
    document.add_heading("Doelen", level=2)
    document.add_paragraph("Meer leesplezier", style="List Bullet")
    document.add_paragraph("Betere rekenvaardigheid", style="List Number")
    kop3 = document.styles.add_style("Kop 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Financiën", style=kop3)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["Jaar", "Bedrag", "Doel"], ["2024", "€ 100 mln", "Lezen"], ["", "", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 0).merge(table.cell(2, 1)).text = "Totaal"
    table.cell(2, 2).text = "€ 100 mln"
    document.add_paragraph("Na de tabel volgt de conclusie.")
    return document


def test_docx_headings_lists_and_tables_in_order(tmp_path: Path) -> None:
    path = tmp_path / "nota.docx"
    make_docx().save(path)

    loaded = load_file(path)

    assert loaded.format == "docx"
    assert loaded.page_count is None
    assert loaded.title_hint == "Beleidsnota basisvaardigheden"
    assert loaded.text == (
        "# Beleidsnota\n\n"
        "# Inleiding\n\n"
        "Scholen werken aan lezen, schrijven en rekenen.\n\n"
        "## Doelen\n\n"
        "• Meer leesplezier\n"
        "• Betere rekenvaardigheid\n\n"
        "### Financiën\n\n"
        "Jaar | Bedrag | Doel\n"
        "2024 | € 100 mln | Lezen\n"
        "Totaal | € 100 mln\n\n"
        "Na de tabel volgt de conclusie."
    )


def test_docx_with_no_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "leeg.docx"
    document = docx.Document()
    document.add_paragraph("   ")
    document.save(path)
    with pytest.raises(EmptyDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "geen tekst")


def test_random_bytes_named_docx_is_corrupt(tmp_path: Path) -> None:
    path = write(tmp_path, "kapot.docx", random.Random(3).randbytes(4096))
    with pytest.raises(CorruptDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "beschadigd", ".docx")


def test_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    buf = io.BytesIO()
    make_docx().save(buf)
    path = write(tmp_path, "half.docx", buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(CorruptDocumentError):
        load_file(path)


def test_zip_that_is_not_a_docx_is_corrupt(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("notities.txt", "geen Word-document")
    path = write(tmp_path, "archief.docx", buf.getvalue())
    with pytest.raises(CorruptDocumentError):
        load_file(path)


OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


def test_legacy_doc_renamed_to_docx_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "oud.docx", OLE2 + b"\x00" * 504 + "WordDocument".encode("utf-16-le"))
    with pytest.raises(CorruptDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "oud Word-bestand (.doc)")


def test_password_protected_docx_is_encrypted(tmp_path: Path) -> None:
    # Word stores a protected .docx as an OLE2 container with an "EncryptedPackage" stream;
    # the signature and stream name are the bytes the loader looks at.
    data = OLE2 + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
    data += "EncryptedPackage".encode("utf-16-le")
    path = write(tmp_path, "beveiligd.docx", data)
    with pytest.raises(EncryptedDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "wachtwoord")


# --- HTML ----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="nl"><head><title>Passend onderwijs | Rijksoverheid.nl</title>
<script>var tracking = "niet in de tekst";</script><style>p { color: red }</style></head>
<body>
<header><a href="/">Logo Rijksoverheid</a></header>
<nav><ul><li>Home</li><li>Contact</li></ul></nav>
<main><article>
<header><h1>Passend <em>onderwijs</em></h1></header>
<p>Elke leerling krijgt een <b>pass</b>ende plek.<br>Ook bij extra ondersteuning.</p>
<!-- redactie: niet publiceren -->
<h2>Doelen</h2>
<ul><li>Minder <a href="#">thuiszitters</a><ul><li>Binnen drie maanden een plek</li></ul></li>
<li>Betere ondersteuning</li></ul>
<h3>Budget</h3>
<table><tr><th>Jaar</th><th>Bedrag</th></tr><tr><td><p>2024</p></td><td>€ 1 mld</td></tr></table>
</article>
<aside>Lees ook: gerelateerde artikelen</aside></main>
<footer>© Rijksoverheid, privacyverklaring</footer>
</body></html>"""


def test_html_structure_without_navigation_or_scripts(tmp_path: Path) -> None:
    path = write(tmp_path, "passend-onderwijs.html", PAGE)

    loaded = load_file(path)

    assert loaded.format == "html"
    assert loaded.title_hint == "Passend onderwijs | Rijksoverheid.nl"
    assert loaded.text == (
        "# Passend onderwijs\n\n"
        "Elke leerling krijgt een passende plek.\nOok bij extra ondersteuning.\n\n"
        "## Doelen\n\n"
        "• Minder thuiszitters\n"
        "• Binnen drie maanden een plek\n"
        "• Betere ondersteuning\n\n"
        "### Budget\n\n"
        "Jaar | Bedrag\n"
        "2024 | € 1 mld"
    )
    for noise in ("tracking", "Logo", "Home", "Contact", "Lees ook", "privacyverklaring", "redactie"):
        assert noise not in loaded.text


def test_html_inline_markup_keeps_word_boundaries(tmp_path: Path) -> None:
    html = (
        "<p><b>Vet </b>woord, ver<b>bod</b> en <a href='#'>link</a>.</p>"
        "<ul><li><b>Let </b>op: <p>alinea in item</p></li></ul>"
        "<table><tr><td><p>a</p><p>b</p></td><td><i>schuin</i>e tekst</td></tr></table>"
    )
    assert load_file(write(tmp_path, "inline.html", html)).text == (
        "Vet woord, verbod en link.\n\n• Let op: alinea in item\n\na b | schuine tekst"
    )


def test_htm_cp1252_with_declared_charset_and_h1_title(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><h1>Ideeën voor één school</h1><p>“Coördinatie” kost € 5.</p></body></html>"
    )
    path = write(tmp_path, "oud.htm", html.encode("cp1252"))

    loaded = load_file(path)

    assert loaded.title_hint == "Ideeën voor één school"
    assert loaded.text == "# Ideeën voor één school\n\n“Coördinatie” kost € 5."


def test_xhtml_does_not_warn(tmp_path: Path) -> None:
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Tekst.</p></body></html>'
    )
    assert load_file(write(tmp_path, "x.html", xhtml)).text == "Tekst."


def test_html_with_only_navigation_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "menu.html", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(EmptyDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "geen tekst")


# --- Markdown and plain text ---------------------------------------------------------------


def test_markdown_keeps_headings_and_takes_first_h1_as_title(tmp_path: Path) -> None:
    md = (
        "```bash\n# geen titel\n```\n\n"
        "# Werkdrukmiddelen 2025\r\n\r\nTekst over werkdruk.\r\n\r\n## Verantwoording\r\nMeer tekst.\r\n"
    )
    loaded = load_file(write(tmp_path, "werkdruk.md", md.encode("utf-8")))

    assert loaded.format == "md"
    assert loaded.title_hint == "Werkdrukmiddelen 2025"
    assert "## Verantwoording\nMeer tekst." in loaded.text
    assert "\r" not in loaded.text


def test_utf8_text_with_bom(tmp_path: Path) -> None:
    data = "\ufeffDe inspectie beoordeelt één school.\r\n\r\nTweede alinea: ideeën.\r\n".encode()
    path = write(tmp_path, "bom.txt", data)

    loaded = load_file(path)

    assert loaded.format == "txt"
    assert loaded.text == "De inspectie beoordeelt één school.\n\nTweede alinea: ideeën."
    assert loaded.title_hint is None
    assert loaded.page_count is None
    assert loaded.raw_bytes_sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "text",
    [
        "Café één ëvenement",
        "De leerling heeft ideeën; de coördinator zegt “reëel” en ’s avonds kost het € 5.",
        "patiënt",
        "ë",
    ],
)
def test_cp1252_text_is_decoded(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "windows.txt", text.encode("cp1252"))
    assert load_file(path).text == text


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    text = "Het ministerie van Onderwijs financiert de coördinatie van één regio."
    assert load_file(write(tmp_path, "latin.txt", text.encode("latin-1"))).text == text


def test_text_export_with_form_feeds_keeps_its_pages(tmp_path: Path) -> None:
    # pdftotext writes a form feed after every page, including the last.
    export = "Pagina een.\r\n\fPagina twee.\n\f\fPagina vier.\n\f"
    loaded = load_file(write(tmp_path, "export.txt", export))

    assert loaded.page_count == 4
    assert loaded.text.split("\f") == ["Pagina een.", "Pagina twee.", "", "Pagina vier."]


def test_form_feed_in_markdown_is_no_page_break(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "ff.md", "Eerste deel.\fTweede deel."))
    assert "\f" not in loaded.text
    assert loaded.text == "Eerste deel.\n\nTweede deel."
    assert loaded.page_count is None


@pytest.mark.parametrize("name", ["junk.txt", "junk.md", "junk.html"])
def test_binary_junk_named_as_text_is_corrupt(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, random.Random(42).randbytes(4096))
    with pytest.raises(CorruptDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "binaire gegevens")


@pytest.mark.parametrize(
    "data",
    [
        # Decodes as valid UTF-8 (all bytes < 0x80), yet is full of control characters.
        b"SQLite format 3\x00" + bytes(range(128)) * 16,
        # Decodes as Windows-1252 (none of its five undefined bytes), yet is noise.
        bytes(b for b in random.Random(5).randbytes(6000) if b not in b"\x81\x8d\x8f\x90\x9d"),
    ],
    ids=["ascii-controls", "cp1252-decodable"],
)
def test_junk_that_decodes_is_still_corrupt(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "data.txt", data)
    with pytest.raises(CorruptDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path, "binaire gegevens")


def test_png_named_txt_is_corrupt(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(CorruptDocumentError):
        load_file(write(tmp_path, "plaatje.txt", png))


@pytest.mark.parametrize(("name", "data"), [("leeg.txt", b""), ("spaties.txt", b"  \r\n\t\n"),
                                            ("leeg.pdf", b""), ("bom.md", b"\xef\xbb\xbf \n")])
def test_empty_or_whitespace_files_are_empty(tmp_path: Path, name: str, data: bytes) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(EmptyDocumentError) as info:
        load_file(path)
    assert_dutch_reason(info.value, path)
    assert "leeg" in info.value.reason or "geen tekst" in info.value.reason


# --- limits: what one document may hold, checked while it is read ------------------------------


def docx_bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_that_unpacks_to_far_too_much_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    """A zip bomb: a small .docx whose media part inflates to 200 MB (the default limit is 100 MB)."""
    package = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes(make_docx()))) as source, zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        with bomb.open("word/media/bom.bin", "w") as part:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                part.write(zeros)
    data = package.getvalue()
    assert len(data) < 1024 * 1024
    path = write(tmp_path, "bom.docx", data)
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "pakt uit tot meer dan 100 MB" in info.value.reason and "zipbom" in info.value.reason


def test_a_docx_with_thousands_of_parts_is_refused(tmp_path: Path) -> None:
    package = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes(make_docx()))) as source, zipfile.ZipFile(package, "w") as many:
        for item in source.infolist():
            many.writestr(item, source.read(item))
        for i in range(1001):
            many.writestr(f"extra/onderdeel{i}.xml", "<a/>")
    path = write(tmp_path, "veel.docx", package.getvalue())
    with pytest.raises(IngestError, match="hoogstens 1000"):
        load_file(path)


def test_a_normal_docx_is_within_the_limits(tmp_path: Path) -> None:
    path = write(tmp_path, "nota.docx", docx_bytes(make_docx()))
    limits = loaders.DocumentLimits(max_docx_bytes=1024 * 1024, max_docx_members=50)
    assert load_file(path, limits).text


def test_a_pdf_with_too_many_pages_is_refused_before_its_text_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "dik.pdf", make_pdf(PAGES * 2))
    with pytest.raises(IngestError, match="6 pagina's; er mogen hoogstens 5"):
        load_file(path, loaders.DocumentLimits(max_pdf_pages=5))
    assert load_file(path, loaders.DocumentLimits(max_pdf_pages=6)).page_count == 6


def test_extracted_text_is_limited_per_document(tmp_path: Path) -> None:
    limits = loaders.DocumentLimits(max_chars=200)
    text = write(tmp_path, "lang.txt", "Een zin over leraren. " * 20)
    with pytest.raises(IngestError, match="hoogstens 200 tekens"):
        load_file(text, limits)
    # A text file that cannot fit even at four bytes a character is refused without being read.
    huge = write(tmp_path, "enorm.md", "x" * 900)
    with pytest.raises(IngestError, match="900 bytes"):
        load_file(huge, limits)
    pdf = write(tmp_path, "lang.pdf", make_pdf(PAGES * 3))
    with pytest.raises(IngestError, match="pagina's al meer"):
        load_file(pdf, loaders.DocumentLimits(max_chars=150))
