"""Structure-aware chunking: section paths, sentence ends, overlap, tables, offsets, pages."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from ingest.chunking import chunk_document, is_figure_debris
from ingest.clean import clean_text
from rag.types import Chunk, Document, DocumentMeta, sha256_hex

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SENTENCE_END = tuple(".!?…")
CLOSERS = "\"'”’)»]"


def make_doc(text: str, page_starts: tuple[int, ...] = (), doc_id: str = "doc.txt") -> Document:
    return Document(
        id=doc_id,
        text=text,
        meta=DocumentMeta(title="Testdocument"),
        content_hash=sha256_hex(text),
        page_starts=page_starts,
    )


def ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSERS).endswith(SENTENCE_END)


def assert_exact_slices(doc: Document, chunks: list[Chunk]) -> None:
    for n, chunk in enumerate(chunks):
        assert chunk.index == n
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert chunk.document_id == doc.id and chunk.title == doc.title
        assert chunk.content_hash == doc.content_hash


# Sentences of 60–130 characters, with the abbreviations and numbers a Dutch policy text
# is full of: a splitter that cuts at "o.a." or "1.270" shows up in the chunk ends.
SENTENCES = [
    "Scholen melden o.a. tekorten bij rekenen en taal, vooral in de grote steden.",
    "Het kabinet trekt bijv. € 3,9 miljard extra uit voor het funderend onderwijs.",
    "Dat is t.o.v. vorig jaar een stijging van ca. 12 procent.",
    "Het tekort aan schoolleiders bedraagt 1.270 fte, ofwel 15,8% van de vraag.",
    "Zie nr. 5 van de kamerbrief voor de precieze verdeling over de sectoren.",
    "Het lerarentekort is in de G5 met 15,8% ruim twee keer zo hoog als elders (6,6%).",
    "Besturen krijgen dr. Jansen als adviseur voor het nieuwe personeelsbeleid.",
    "Waarom blijft het kroos zo hardnekkig groeien in de ondiepe vijvers van Kikkerdorp?",
]


def paragraph(n: int, offset: int = 0) -> str:
    return " ".join(SENTENCES[(offset + k) % len(SENTENCES)] for k in range(n))


# ---------------------------------------------------------------------------------------
# Section paths


def test_numbered_and_unnumbered_headings_give_section_paths() -> None:
    text = "\n\n".join(
        [
            "2 Basisvaardigheden",
            "2.1 Hoofdlijnen",
            paragraph(3),
            "Daling leesvaardigheid over hele linie",
            paragraph(3, 2),
            "2.2 Herstelopdrachten voor basisvaardigheden",
            paragraph(3, 4),
            "3 Kansengelijkheid",
            paragraph(2, 1),
        ]
    )
    doc = make_doc(text)
    chunks = chunk_document(doc)
    assert_exact_slices(doc, chunks)
    assert [c.section for c in chunks] == [
        "2 Basisvaardigheden > 2.1 Hoofdlijnen",
        "2 Basisvaardigheden > 2.1 Hoofdlijnen > Daling leesvaardigheid over hele linie",
        "2 Basisvaardigheden > 2.2 Herstelopdrachten voor basisvaardigheden",
        "3 Kansengelijkheid",
    ]
    # Headings are context of the chunk under them, never a chunk of their own.
    assert chunks[0].text.startswith("2 Basisvaardigheden\n\n2.1 Hoofdlijnen\n\nScholen melden")
    assert chunks[2].text.startswith("2.2 Herstelopdrachten voor basisvaardigheden\n\n")


def test_markdown_keyword_and_front_matter_headings() -> None:
    text = "\n\n".join(
        [
            "Samenvatting",
            "Aanleiding",
            paragraph(3),
            "Speerpunt 1: Investeer in de opleiding van boswachters",
            "Actie 2",
            paragraph(3, 3),
            "» Huidige situatie",
            paragraph(2, 5),
            "# Bijlage",
            "## Gesprekken met schooldirecteuren",
            paragraph(2, 6),
        ]
    )
    chunks = chunk_document(make_doc(text))
    assert [c.section for c in chunks] == [
        "Samenvatting > Aanleiding",
        "Speerpunt 1: Investeer in de opleiding van boswachters > Actie 2",
        "Speerpunt 1: Investeer in de opleiding van boswachters > Actie 2 > Huidige situatie",
        "Bijlage > Gesprekken met schooldirecteuren",
    ]


def test_numbering_closes_sections_that_do_not_contain_it() -> None:
    # A stray "Bijlage 2." from a broken layout must not swallow section 1.5.
    text = "\n\n".join(
        ["1 Inleiding", paragraph(2), "Bijlage 2.", paragraph(1), "1.5 Ordeningskader", paragraph(2, 3)]
    )
    sections = [c.section for c in chunk_document(make_doc(text))]
    assert sections[-1] == "1.5 Ordeningskader"


@pytest.mark.parametrize(
    "line",
    [
        "Dat is veel!",  # a short sentence
        "Helder 64 71,1 52 74,3 27 69,2",  # a table row
        "• Werkdruk verlagen",  # a bullet
        "0% 15% 30% 45% 60% 75%",  # figure axis
        "48",  # lone number
        "Onvoldoende Voldoende Goed",  # figure legend
        "Figuur 2.4c Leesvaardigheid naar schooltype",  # caption
        "1 op de 20 basisscholen heeft geen schoolleider",  # starts with a number, lower case
        "Ministerie van OCW, Kamerbrief over het lerarentekort",  # comma: a reference
        "2.1 procent van de leerlingen",  # decimal, lower case
        "ontwikkeling van het onderwijs",  # tail of a broken sentence (previous block)
    ],
)
def test_non_headings_do_not_open_a_section(line: str) -> None:
    text = "\n\n".join(
        ["1.1 Hoofdlijnen", "Leerlingen leren te weinig en dat baart zorgen bij de", line, paragraph(3)]
    )
    chunks = chunk_document(make_doc(text))
    assert {c.section for c in chunks} == {"1.1 Hoofdlijnen"}


def test_text_before_the_first_heading_has_no_section() -> None:
    chunks = chunk_document(make_doc(paragraph(2) + "\n\n1 Inleiding\n\n" + paragraph(2, 3)))
    assert [c.section for c in chunks] == [None, "1 Inleiding"]


def test_short_introduction_joins_the_first_subsection() -> None:
    text = "\n\n".join(
        ["2 Basisvaardigheden", "Dit hoofdstuk gaat over taal en rekenen.", "2.1 Hoofdlijnen", paragraph(3)]
    )
    chunks = chunk_document(make_doc(text))
    assert len(chunks) == 1
    assert chunks[0].section == "2 Basisvaardigheden > 2.1 Hoofdlijnen"
    assert chunks[0].text.startswith("2 Basisvaardigheden\n\nDit hoofdstuk")


# ---------------------------------------------------------------------------------------
# Sentences, sizes, overlap


def test_chunks_end_on_sentence_boundaries_despite_abbreviations() -> None:
    text = "1 Inleiding\n\n" + paragraph(40)
    doc = make_doc(text)
    chunks = chunk_document(doc, chunk_size=400, overlap=0)
    assert len(chunks) >= 6
    assert_exact_slices(doc, chunks)
    allowed_ends = {s[-12:] for s in SENTENCES}
    for chunk in chunks:
        assert chunk.text[-12:] in allowed_ends, chunk.text[-40:]
        assert len(chunk.text) <= 400
    # Without overlap the chunks tile the paragraph: nothing lost, nothing repeated.
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert text[before.end : after.start].strip() == ""


def test_paragraph_end_is_preferred_over_a_fuller_chunk() -> None:
    first = paragraph(9)  # about 800 characters
    text = "1 Inleiding\n\n" + first + "\n\n" + paragraph(9, 4)
    chunks = chunk_document(make_doc(text), chunk_size=1200, overlap=0)
    assert chunks[0].text.endswith(first)


def test_overlap_repeats_last_sentences_within_a_section_only() -> None:
    text = "1 Inleiding\n\n" + paragraph(30) + "\n\n2 Aanpak\n\n" + paragraph(30, 3)
    doc = make_doc(text)
    chunks = chunk_document(doc, chunk_size=500, overlap=150)
    assert_exact_slices(doc, chunks)
    overlapped = 0
    for before, after in zip(chunks, chunks[1:], strict=False):
        if before.section != after.section:
            assert after.start >= before.end  # never across a section change
            continue
        assert after.start < before.end  # the last sentence(s) come again
        repeated = doc.text[after.start : before.end]
        assert len(repeated) <= 150 and ends_sentence(repeated)
        assert repeated[0].isupper()  # starts at a sentence start
        overlapped += 1
    assert overlapped >= 4
    assert {c.section for c in chunks} == {"1 Inleiding", "2 Aanpak"}


def test_overlong_sentence_is_cut_between_words() -> None:
    words = " ".join(f"woord{n}" for n in range(400))  # one 3,000-character "sentence"
    doc = make_doc("1 Inleiding\n\n" + words + ".")
    chunks = chunk_document(doc, chunk_size=1000, overlap=100)
    assert_exact_slices(doc, chunks)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(chunk.text) <= 1100
        assert doc.text[chunk.end : chunk.end + 1] in ("", " ")  # at a word end


def test_small_tail_merges_into_previous_chunk() -> None:
    body = paragraph(12) + " Tot slot."
    chunks = chunk_document(make_doc("1 Inleiding\n\n" + body), chunk_size=1000, overlap=0)
    assert chunks[-1].text.endswith("Tot slot.")
    assert len(chunks[-1].text) > 200


def test_invalid_sizes_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlap"):
        chunk_document(make_doc("Tekst."), chunk_size=100, overlap=100)
    with pytest.raises(ValueError, match="chunk_size"):
        chunk_document(make_doc("Tekst."), chunk_size=0)


# ---------------------------------------------------------------------------------------
# Tables and figure debris

# An invented table, shaped as `clean_text` leaves a real one: caption, column header, rows, source.
TABLE_SNIPPET = """\
Eerste uitkomsten voorjaarstellingen

Begin 2031 heeft de boswachter voorjaarstellingen uitgevoerd bij vijvers en sloten in het noorden, oosten en (zuid)westen. Bijna 70% van deze tellingen leverde het oordeel helder op (tabel 3.4.1a) (Stichting Kikkerdorp, 2031b). Omdat in dit eerste telseizoen maar weinig vijvers zijn bekeken, geven de percentages alleen een ruwe indruk van alle vijvers in Kikkerdorp.

Tabel 3.4.1a Waterkwaliteit van vijvers en sloten in de voorjaarstellingen in het noorden, oosten en (zuid)westen in de periode maart tot en met juni 2031
Noord Oost (Zuid)west
n % n % n %
Helder 64 71,1 52 74,3 27 69,2
Troebel 23 25,6 18 25,7 12 30,8
Heel troebel 3 3 0 0 0 0
Totaal 90 100 70 100 39 100
Bron: Stichting Kikkerdorp (2031b)

Kernvragen bij de waterkwaliteit

In het vijverplan noemt de boswachter 3 vragen over de staat van het water in de vijvers. Dit zijn: vinden de kikkers genoeg voedsel, blijft het water helder en is er beschutting in het riet? Daarmee zeggen de boswachters waar het hun vooral om gaat."""


def test_table_stays_with_its_caption_in_one_chunk() -> None:
    doc = make_doc(TABLE_SNIPPET)
    chunks = chunk_document(doc)
    assert_exact_slices(doc, chunks)
    assert [c.kind for c in chunks] == ["text", "table", "text"]
    table = chunks[1]
    assert table.text.startswith("Tabel 3.4.1a Waterkwaliteit")
    assert "Heel troebel 3 3 0 0 0 0" in table.text
    assert table.text.endswith("Bron: Stichting Kikkerdorp (2031b)")
    assert table.section == "Eerste uitkomsten voorjaarstellingen"
    assert chunks[2].section == "Kernvragen bij de waterkwaliteit"


def test_table_caption_as_its_own_block_collects_the_rows() -> None:
    text = "\n\n".join(
        [
            "3.5 De kwaliteit van het water",
            paragraph(2),
            "Tabel 3.5.2b Waterkwaliteit bij jaarlijkse metingen bij vijvers in het park",
            "Vijver beheerd Vijver niet-beheerd",
            "2030 2031 2030 2031\nHelder 4 1 2 3\nTroebel 12 8 15 11",
            "Bron: Stichting Kikkerdorp (2031c)",
            paragraph(2, 4),
        ]
    )
    chunks = chunk_document(make_doc(text))
    tables = [c for c in chunks if c.kind == "table"]
    assert len(tables) == 1
    assert tables[0].text.startswith("Tabel 3.5.2b") and tables[0].text.endswith("(2031c)")
    assert chunks[-1].kind == "text" and chunks[-1].text.startswith("Scholen melden") is False


def test_markdown_table_is_a_table_chunk() -> None:
    table = "| Sector | Tekort (fte) |\n|---|---|\n| po | 9.800 |\n| vo | 1.270 |"
    text = "## Tekorten\n\n" + paragraph(3) + "\n\n" + table + "\n\n" + paragraph(3, 4)
    chunks = chunk_document(make_doc(text))
    assert [c.kind for c in chunks] == ["text", "table", "text"]
    assert chunks[1].text == table and chunks[1].section == "Tekorten"


def test_long_table_is_split_between_rows_with_caption_in_section() -> None:
    rows = "\n".join(f"Bestuur {n} {n % 7} {n % 5},{n % 10} {n * 3}" for n in range(300))
    caption = "Tabel 6.4.1a Percentage boswachters met een vaste standplaats"
    doc = make_doc(f"6.4 Boswachters in het park\n\n{paragraph(2)}\n\n{caption}\n{rows}")
    chunks = chunk_document(doc, chunk_size=500, overlap=50)
    assert_exact_slices(doc, chunks)
    pieces = [c for c in chunks if c.kind == "table"]
    assert len(pieces) > 3
    assert pieces[0].text.startswith(caption)
    for piece in pieces:
        assert piece.section == f"6.4 Boswachters in het park > {caption}"
        assert len(piece.text) <= 500
        assert doc.text[piece.end : piece.end + 1] in ("", "\n")  # whole rows
    # The pieces cover every row exactly once.
    assert "\n".join(p.text for p in pieces) == f"{caption}\n{rows}"


def test_figure_debris_is_dropped_but_text_around_it_kept() -> None:
    debris = "\n\n".join(["0% 15% 30% 45% 60% 75%", "2027", "2028", "po\nvo\nmbo\n(v)so", "493\n26 475"] * 12)
    text = "1 Inleiding\n\n" + paragraph(3) + "\n\n" + debris + "\n\n" + paragraph(3, 2)
    doc = make_doc(text)
    chunks = chunk_document(doc)
    assert_exact_slices(doc, chunks)
    assert chunks and not any("15% 30%" in c.text for c in chunks)
    assert sum(len(c.text) for c in chunks) >= 2 * len(paragraph(3)) - 20


def test_small_debris_between_paragraphs_does_not_end_a_chunk() -> None:
    text = "1 Inleiding\n\n" + paragraph(3) + "\n\n2027\n\n" + paragraph(3, 2)
    chunks = chunk_document(make_doc(text))
    assert len(chunks) == 1 and "2027" in chunks[0].text


def test_is_figure_debris() -> None:
    assert is_figure_debris("0% 15% 30% 45% 60% 75%")
    assert is_figure_debris("po\nvo\nmbo\n(v)so")
    assert not is_figure_debris("Het lerarentekort is 9.800 fte in het po.")
    assert not is_figure_debris("- OBS De Pijlstaart Vinkeveen")


# ---------------------------------------------------------------------------------------
# Pages and determinism


def test_page_numbers_come_from_page_starts() -> None:
    pages = ["1 Inleiding\n\n" + paragraph(12), paragraph(12, 3), "2 Aanpak\n\n" + paragraph(12, 5)]
    text = "\n\n".join(pages)
    starts = (0, len(pages[0]) + 2, len(pages[0]) + len(pages[1]) + 4)
    doc = make_doc(text, page_starts=starts)
    chunks = chunk_document(doc, chunk_size=600, overlap=100)
    for chunk in chunks:
        expected = sum(1 for s in starts if s <= chunk.start)
        assert chunk.page == expected
    assert {c.page for c in chunks} == {1, 2, 3}
    assert chunk_document(make_doc(text))[0].page is None


def test_output_is_deterministic() -> None:
    doc = make_doc(TABLE_SNIPPET + "\n\n" + paragraph(30))
    assert chunk_document(doc) == chunk_document(doc)
    assert [c.id for c in chunk_document(doc)] == [c.id for c in chunk_document(doc)]


# ---------------------------------------------------------------------------------------
# The whole corpus, cleaned


@pytest.fixture(scope="module")
def corpus_chunks() -> dict[str, tuple[Document, list[Chunk]]]:
    result = {}
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        doc = make_doc(clean_text(raw), doc_id=path.name)
        result[path.name] = (doc, chunk_document(doc))
    assert len(result) == 5
    return result


@pytest.mark.slow
def test_corpus_chunks_are_exact_slices(corpus_chunks: dict[str, tuple[Document, list[Chunk]]]) -> None:
    for doc, chunks in corpus_chunks.values():
        assert len(chunks) > 50
        assert_exact_slices(doc, chunks)
        assert [c.start for c in chunks] == sorted(c.start for c in chunks)


@pytest.mark.slow
def test_corpus_chunk_sizes_and_ends(corpus_chunks: dict[str, tuple[Document, list[Chunk]]]) -> None:
    for name, (doc, chunks) in corpus_chunks.items():
        sizes = [len(c.text) for c in chunks]
        assert 700 <= statistics.median(sizes) <= 1200, name
        for chunk in chunks:
            if chunk.kind == "text":
                assert len(chunk.text) <= 2 * 1200, (name, chunk.index)
                # A chunk ends at a sentence end or at the end of a line (a paragraph,
                # a list item, a heading-less title); never in the middle of a line.
                at_line_end = doc.text[chunk.end : chunk.end + 1] in ("", "\n")
                assert ends_sentence(chunk.text) or at_line_end, (name, chunk.text[-80:])
            assert not (chunk.kind == "text" and is_figure_debris(chunk.text))


@pytest.mark.slow
def test_corpus_tables_keep_caption_and_rows(corpus_chunks: dict[str, tuple[Document, list[Chunk]]]) -> None:
    doc, chunks = corpus_chunks["staat-van-het-onderwijs-2024.txt"]
    tables = [c for c in chunks if c.kind == "table"]
    assert len(tables) == doc.text.count("\nTabel ")
    table = next(c for c in tables if "Tabel 1.3.1a" in c.text)
    assert "Totaal 122 165 56 83" in table.text
    assert table.text.rstrip().endswith(")")  # the "Bron: …" line


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("staat-van-het-onderwijs-2024.txt", "6.2 Leraar- en schoolleiderstekort > 6.2.1 Tekorten > Fors tekort aan schoolleiders"),
        ("staat-van-het-onderwijs-2024.txt", "HOOFDSTUK 1 Kwaliteit van het onderwijs > 1.3 Toezicht op scholen en opleidingen"),
        ("sterk-onderwijs-in-uitdagende-omgevingen-2025.txt", "2.3 Uitdagingen op niveau van school en beleid > Werkdruk"),
        ("sterk-onderwijs-in-uitdagende-omgevingen-2025.txt", "Samenvatting > Aanleiding"),
        ("schoolleidersregister-trends-2023.txt", "2 Geïdentificeerde trends en ontwikkelingen > 2.1 Personeelsschaarste"),
        ("actieplan-schooldirecteur-topprioriteit-2020.txt", "Speerpunt 2: Meer ondersteuning en (financiële) waardering > Actie 3"),
        ("kennisagenda-voor-het-onderwijs-2022.txt", "thema de school als lerende en professionele organisatie > gamechangers"),
    ],
)
def test_corpus_section_paths(
    corpus_chunks: dict[str, tuple[Document, list[Chunk]]], name: str, expected: str
) -> None:
    _, chunks = corpus_chunks[name]
    assert any(c.section and expected in c.section for c in chunks), sorted({c.section or "" for c in chunks})


@pytest.mark.slow
def test_corpus_headings_are_not_numbers_rows_or_sentences(
    corpus_chunks: dict[str, tuple[Document, list[Chunk]]],
) -> None:
    for _, chunks in corpus_chunks.values():
        for chunk in chunks:
            for title in (chunk.section or "").split(" > "):
                assert len(title) <= 200
                assert not title.rstrip(CLOSERS).endswith((".", ",", ";")), title
                assert sum(t.replace(",", "").replace(".", "").isdigit() for t in title.split()) <= 2, title


def test_notes_become_chunks_of_their_own_kind() -> None:
    text = (
        "1 Vijvers\n\n"
        "De vijvers in het park zijn belangrijk voor kikkers en salamanders. Ze hebben schoon water nodig.\n\n"
        "4 Bureau Vlinder (2021). 5 Van der Veen en Mus (2019).\n\n"
        "https://voorbeeld.nl/vijvers\n\n"
        "Het riet groeit langs de randen en biedt beschutting aan de dieren in het water."
    )
    chunks = chunk_document(make_doc(text), chunk_size=400, overlap=0)
    notes = [c for c in chunks if c.kind == "note"]
    assert [c.text for c in notes] == ["4 Bureau Vlinder (2021). 5 Van der Veen en Mus (2019).\n\nhttps://voorbeeld.nl/vijvers"]
    assert all("Bureau Vlinder" not in c.text for c in chunks if c.kind == "text")
    assert all(text[c.start:c.end] == c.text for c in chunks)
    assert notes[0].section == "1 Vijvers"
