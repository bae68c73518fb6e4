"""Unit tests per cleaning rule, on invented snippets with the damage of the raw corpus files
(the comments name the corpus lines whose shape a snippet copies)."""

from __future__ import annotations

import pytest

from ingest.clean import (
    PAGE_BREAK,
    Lexicon,
    clean_text,
    collapse_spaces,
    drop_repeated_blocks,
    join_line_break,
    join_split_ligatures,
    join_split_words,
    normalize_whitespace,
    reflow_paragraphs,
    remove_letter_spaced_lines,
    remove_page_numbers,
    remove_repeated_furniture,
    remove_running_headers,
    remove_toc_and_page_labels,
    separate_framed_titles,
    strip_footnote_refs,
)

# --------------------------------------------------------------------------- characters


def test_normalize_whitespace_replaces_tabs_odd_spaces_and_replacement_chars() -> None:
    raw = (
        "met\tkikkers,\tpadden\ten\tde\tsalamanders \n"  # tabs as in schoolleidersregister l.4
        "Vijver-n/z\ufffd 3,5\u00a0%\u2003x\n"  # as staat l.2733: U+FFFD, NBSP, em space
        " Inleiding"
    )
    assert normalize_whitespace(raw) == "met kikkers, padden en de salamanders\nVijver-n/z 3,5 % x\nInleiding"


def test_normalize_whitespace_keeps_form_feeds_and_line_breaks() -> None:
    raw = "eerste pagina\n\ftweede\u2011pagina"
    assert normalize_whitespace(raw) == "eerste pagina\n\n\f\ntweede-pagina"


def test_collapse_spaces() -> None:
    assert collapse_spaces("Het waterpeil blijft  hoog, ") == "Het waterpeil blijft hoog,"
    assert collapse_spaces("Kik Pad (S)al") == "Kik Pad (S)al"  # must not change


# --------------------------------------------------------------------------- furniture


def test_remove_letter_spaced_header() -> None:
    text = (
        "helder en schoon water.\n"
        "d e  v i j v e r g i d s  v a n  k i k k e r d o r p  -  r i e t  e n  k r o o s\n"
        "HOOFDSTUK 1"
    )
    assert remove_letter_spaced_lines(text) == "helder en schoon water.\nHOOFDSTUK 1"


def test_a_banner_laid_over_itself_on_one_line_is_dropped_and_other_repeated_lines_stay() -> None:
    banner = "DE VIJVERGIDS 2031 - KIKKERS DE VIJVERGIDS 2031 - KIKKERS DE VIJVERGIDS 2031 - KIKKERS"
    # Only the banner goes: other repeated lines may be a table's header row.
    kept = [
        "Kikkers leggen hun eieren in ondiep water. Kikkers leggen hun eieren in ondiep water.",
        "Het riet groeit langs de oever.",
        "ja ja ja",
        "2030 2031 2030 2031 2030 2031",
        "Kikkers Padden Kikkers Padden",
        "PAD (V)KIKKER PAD (V)KIKKER",
    ]
    assert remove_repeated_furniture("\n".join([banner, *kept])).split("\n") == kept


def test_letter_spaced_rule_keeps_short_words_and_table_rows() -> None:
    text = "n % n % n %\nHeel troebel 3 3 0 0 0 0\nd e"
    assert remove_letter_spaced_lines(text) == text


def test_remove_repeated_furniture_drops_banners_but_not_repeated_headings() -> None:
    banner = [
        "VIJVERBEELD UIT DE STAND VAN DE KIKKERS 2031",
        "STICHTING KIKKERDORP, APRIL 2031",
        "WWW.KIKKERDORP.NL",
    ]
    page = [*banner, "Vijvers in zwaar weer", "Aanbevelingen:", "HOOFDSTUK 1"]
    text = "\n".join(page * 3)
    kept = remove_repeated_furniture(text).split("\n")
    assert not set(banner) & set(kept)
    assert kept.count("Vijvers in zwaar weer") == 3
    assert kept.count("Aanbevelingen:") == 3
    # A capitalised line seen only once is a title, not furniture.
    assert "HOOFDSTUK 1" in remove_repeated_furniture("HOOFDSTUK 1\nHelderheid van het")


def test_remove_toc_and_page_labels() -> None:
    text = "\n".join(
        [
            "Pagina 1 van 27",
            "1.1  Kikkers in het kort      → 13",
            "→→",
            "€",
            "1.3 Toezicht op vijvers en sloten",
            "In 2030 is € 4,7 miljoen meer aan kroos besteed.",
        ]
    )
    assert remove_toc_and_page_labels(text).split("\n") == [
        "1.3 Toezicht op vijvers en sloten",
        "In 2030 is € 4,7 miljoen meer aan kroos besteed.",
    ]


def test_remove_page_numbers_drops_lone_numbers() -> None:
    text = "de oude vijvers.\n\n9\n\n\n\n10\n\nInhoudsopgave\n13\n1.1 Kikkers in het kort"
    lines = [line for line in remove_page_numbers(text).split("\n") if line]
    assert lines == ["de oude vijvers.", "Inhoudsopgave", "1.1 Kikkers in het kort"]


def test_remove_page_numbers_joins_chapter_number_to_its_title() -> None:
    # invented, shaped like schoolleidersregister l.338-344
    text = "vijverbeheerders.\n\n10\n\n\n\n2\nGetelde kikkers\nen padden"
    lines = [line for line in remove_page_numbers(text).split("\n") if line]
    assert lines == ["vijverbeheerders.", "2 Getelde kikkers", "en padden"]


def test_remove_page_numbers_keeps_numbers_inside_sentences() -> None:
    text = "In maart 2031 telde de boswachter\n9.400 kikkers, in vijver 8."
    assert remove_page_numbers(text) == text


def test_remove_running_headers_drops_page_number_with_chapter_title() -> None:
    # invented, shaped like kennisagenda l.1219 and l.1465: the chapter title, later repeated
    # beside page number 35
    text = (
        "Greet Riet, tuinman noord\n"
        "thema schoon water1 Er zijn grote verschillen tussen vijvers in helderheid\n"
        "en diepte.\n\n"
        "Wim Waterman, boswachter\n"
        "vijverplan noord en zuid\n\n\n\n"
        "35 thema schoon water\n\n"
        "4 onderhoud van de oever met behulp"
    )
    kept = remove_running_headers(text).split("\n")
    assert "35 thema schoon water" not in kept
    assert len(kept) == len(text.split("\n")) - 1


def test_remove_running_headers_keeps_numbered_titles() -> None:
    # A numbered title whose words occur earlier in a sentence (invented, shaped like
    # kennisagenda l.1640), and a chapter number (≤ 30) after a summary heading with the same words.
    text = (
        "De boswachter pleit voor een\nbrede oeverstrook langs alle vijvers.\n\n"
        "1 brede oeverstrook\n\n"
        "Getelde kikkers en padden\nIn 2031 is in veel vijvers geteld.\n\n"
        "2 Getelde kikkers en padden\nDe telling in het voorjaar laat zien dat"
    )
    assert remove_running_headers(text) == text


# --------------------------------------------------------------------------- words

# Invented, with the ligature splits of staat (`fi guur`, `eff ecten`, `wett elijk`, `offi  ciële`).
VIJVER_LIGATURES = (
    "helderder dan in de andere vijvers (fi guur 3.1b). Daar komen de reigers defi nitief niet.\n"
    "eff en water in de zomer. Het fi lter van de pomp\n"
    "padden en de kikkers zitt en graag op het gift ig blad\n"
    "die de vijvers laten schitt eren komen het kroos afh alen om\n"
    "de koffi  e van de boswachters en de fl inke snoeibeurt van de oever-"
)


def test_join_split_ligatures() -> None:
    fixed = collapse_spaces(join_split_ligatures(VIJVER_LIGATURES))
    for word in ("figuur", "definitief", "effen", "filter", "zitten", "giftig", "schitteren",
                 "afhalen", "koffie", "flinke"):
        assert word in fixed
    assert " fi " not in fixed and "eff " not in fixed


def test_join_split_ligatures_uses_document_vocabulary_for_two_real_words() -> None:
    # `behoeft en` could be two words; the document writing `behoeften` decides.
    text = (
        "voor kikkervisjes met extra voedselbehoeft en.\n"
        "vooral wat betreft de (extra) voedselbehoeften van de jonge kikkers."
    )
    assert join_split_ligatures(text).startswith("voor kikkervisjes met extra voedselbehoeften.")
    alone = "Zorg dat de vijver krijgt wat hij behoeft en verdient."
    assert join_split_ligatures(alone) == alone


@pytest.mark.parametrize(
    "line",
    [
        "Het waterpeil blijft hoog, vooral in de vijvers",
        "Ruim de helft van alle vijvers heeft nu kroos",
        "Op welke manier geeft de boswachter hier vorm aan",
        # a name: the word after the split opens with a capital, though `matters` is a word
        "De boswachter Matt Ers telt de eenden",
    ],
)
def test_join_split_ligatures_leaves_real_word_pairs(line: str) -> None:
    assert join_split_ligatures(line) == line


def test_join_split_words_repairs_fragments() -> None:
    text = (
        "Wa terbeheer en -toezicht niet structureel geregeld\n"
        "Het Waterschap Kikkerdorp b eschermt de vijvers.\n"
        "Waterbeheer is belangrijk. Het waterschap beschermt waterbeheer en de boswachter beschermt ze."
    )
    fixed = join_split_words(text).split("\n")
    assert fixed[0] == "Waterbeheer en -toezicht niet structureel geregeld"
    assert fixed[1] == "Het Waterschap Kikkerdorp beschermt de vijvers."


def test_join_split_words_keeps_real_words_and_abbreviations() -> None:
    text = "zoals in de kv en pv, en de kv-raad en riet- en kroosbeheer"
    assert join_split_words(text) == text


# --------------------------------------------------------------------------- line breaks


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.of(
        "Rust is nodig voor het amfibisch-aquatisch leven van kikkervisjes. "
        "De waterlelie van kikkervisjes en hun waterlelie. Salamanders en salamanders."
    )


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("in de vijvers zwem-", "men kikkers", "in de vijvers zwemmen kikkers"),
        ("de libel-", "len", "de libellen"),
        ("op grote oever-", "planten kunnen", "op grote oever-planten kunnen"),
        # must keep the hyphen
        ("een zoet-", "zoute plas", "een zoet-zoute plas"),
        ("gestoord door kroos-", "en rietgroei", "gestoord door kroos- en rietgroei"),
        ("met KVT-", "tellingen", "met KVT-tellingen"),
        ("In 2030-", "2031 telde", "In 2030-2031 telde"),
        ("het amfibisch-", "aquatisch leven", "het amfibisch-aquatisch leven"),
        # dropped soft hyphens (invented, as in kennisagenda l.139, l.146)
        ("kijken we naar de water", "lelie en", "kijken we naar de waterlelie en"),
        ("het riet. Salaman", "ders zwemmen", "het riet. Salamanders zwemmen"),
        ("een deel van de kikker", "visjes", "een deel van de kikkervisjes"),
        # must not join
        ("boswachters in het noordelijke bos", "de kroosvissers", "boswachters in het noordelijke bos de kroosvissers"),
        ("de plant", "en de kikker", "de plant en de kikker"),
        ("plek voor", "al die kikkers", "plek voor al die kikkers"),
    ],
)
def test_join_line_break(left: str, right: str, joined: str, lex: Lexicon) -> None:
    assert join_line_break(left, right, lex) == joined


# --------------------------------------------------------------------------- paragraphs


def test_reflow_single_spaced_prose_with_heading_and_page_break_inside_sentence() -> None:
    # invented, shaped like staat l.320-340: a heading glued to its paragraph, a page break
    # mid-sentence
    page = (
        "kroos schept en afvoert.\n\n"
        "Zorgen om helderheid vijvers noordelijk park \n"
        "In de zomer van 2030 is de boswachter begonnen met het \n"
        "steekproefsgewijs meten van de helderheid van \n"
        "de sloten en de pomp werkt maar zelden \n\n"
        "goed. Vooral in de kleine vijver (kv), maar"
    )
    blocks = reflow_paragraphs(collapse_spaces(page))
    assert blocks == [
        "kroos schept en afvoert.",
        "Zorgen om helderheid vijvers noordelijk park",
        "In de zomer van 2030 is de boswachter begonnen met het steekproefsgewijs meten "
        "van de helderheid van de sloten en de pomp werkt maar zelden goed. "
        "Vooral in de kleine vijver (kv), maar",
    ]


def test_reflow_double_spaced_text_restores_paragraphs() -> None:
    # Invented text, double-spaced as in a real extraction: an empty line after every line,
    # paragraphs end in blank lines
    page = collapse_spaces(
        "Aanleiding \n \n\n"
        "De kikkers in de vijvers van Kikkerdorp zijn ongelijk verdeeld. Sommige vijvers hebben \n\n"
        "genoeg kikkers, terwijl andere bijna leeg zijn. Dit geldt vooral voor vijvers aan de rand \n\n"
        "van het dorp met water dat snel opwarmt. Uit de tellingen blijkt dat kikkers in \n\n"
        "vijvers met een dikke laag kroos vaker te maken hebben met zuurstofarme \n\n"
        "omstandigheden. \n\n \n\n \n\n"
        "Doel en aanpak van de telling \n \n\n"
        "Het doel van deze telling is te achterhalen welke vijvers de boswachters moeten schoonmaken."
    )
    blocks = reflow_paragraphs(page)
    assert blocks[0] == "Aanleiding"
    assert blocks[1].startswith("De kikkers in de vijvers van Kikkerdorp")
    assert blocks[1].endswith("vaker te maken hebben met zuurstofarme omstandigheden.")
    assert blocks[2] == "Doel en aanpak van de telling"
    assert len(blocks) == 4


def test_reflow_double_spaced_line_ending_a_sentence_stays_in_its_paragraph() -> None:
    # Invented, double-spaced: a line that ends with a full stop inside the paragraph is
    # followed by the same single blank line as every other line, so the gap is spacing,
    # not a paragraph break; only the wider gap before the title breaks.
    page = collapse_spaces(
        "De reigers van Kikkerdorp vissen vooral in de vroege \n\n"
        "ochtend. Ze kiezen dan de ondiepe kant van de grote vijver. \n\n"
        "In de middag rusten ze in de wilgen langs de \n\n"
        "sloot. \n\n \n\n"
        "Tellingen in de winter \n \n\n"
        "In de winter trekken de meeste reigers naar het zuiden."
    )
    blocks = reflow_paragraphs(page)
    assert blocks[0] == (
        "De reigers van Kikkerdorp vissen vooral in de vroege ochtend. Ze kiezen dan de ondiepe kant "
        "van de grote vijver. In de middag rusten ze in de wilgen langs de sloot."
    )
    assert blocks[1] == "Tellingen in de winter"


def test_reflow_joins_wrapped_heading_and_keeps_lower_case_titles() -> None:
    page = collapse_spaces(
        "2 Getelde kikkers \nen padden\n\n"
        "De telling van de vijvers in het park laat zien dat in 2031 in een groot \n"
        "aantal vijvers kikkers zijn gevonden.\n\n"
        "dank\n"
        "We zijn er blij mee dat we als boswachters en KVT samenwerkten om dit \n"
        "eerste Vijverplan voor het park op te stellen."
    )
    assert reflow_paragraphs(page) == [
        "2 Getelde kikkers en padden",
        "De telling van de vijvers in het park laat zien dat in 2031 in een groot "
        "aantal vijvers kikkers zijn gevonden.",
        "dank",
        "We zijn er blij mee dat we als boswachters en KVT samenwerkten om dit eerste "
        "Vijverplan voor het park op te stellen.",
    ]


def test_reflow_bullets_one_item_per_line() -> None:
    # Invented text: tab bullets, wrapped items separated by blank lines
    page = collapse_spaces(normalize_whitespace(
        "Kwantitatief\n\n"
        "•\t In 2030 had ongeveer 1 op de 15 vijvers in Kikkerdorp geen enkele kikker. \n\n"
        "•\t Het aantal boswachters met een vaste standplaats in het noordelijke bos is in zes \n\n"
        "jaar tijd met ruim 12% afgenomen.\n\n"
        "Kikkerdorp kampt met een sluipend boswachterstekort."
    ))
    assert reflow_paragraphs(page) == [
        "Kwantitatief",
        "• In 2030 had ongeveer 1 op de 15 vijvers in Kikkerdorp geen enkele kikker.\n"
        "• Het aantal boswachters met een vaste standplaats in het noordelijke bos is in "
        "zes jaar tijd met ruim 12% afgenomen.",
        "Kikkerdorp kampt met een sluipend boswachterstekort.",
    ]


def test_reflow_keeps_table_rows_after_caption() -> None:
    # Invented table, flattened as a real extraction leaves one: a caption wrapped over three
    # lines, every row a blank line apart
    page = collapse_spaces(
        "Tabel 3.4.1a Waterkwaliteit van vijvers en sloten in de \n"
        "voorjaarstellingen in het noorden, oosten en (zuid)westen in de periode \n"
        "maart tot en met juni 2031 \n\n"
        "Noord Oost (Zuid)west\n\nn % n % n %\n\n"
        "Helder 64 71,1 52 74,3 27 69,2\n\n"
        "Troebel 23 25,6 18 25,7 12 30,8\n\n"
        "Heel troebel 3 3 0 0 0 0\n\n"
        "Totaal 90 100 70 100 39 100\n\n"
        "Bron: Stichting Kikkerdorp (2031b)\n\n"
        "Kernvragen bij de waterkwaliteit \n"
        "In het vijverplan noemt de boswachter"
    )
    blocks = reflow_paragraphs(page)
    assert blocks[0].split("\n") == [
        "Tabel 3.4.1a Waterkwaliteit van vijvers en sloten in de voorjaarstellingen in "
        "het noorden, oosten en (zuid)westen in de periode maart tot en met juni 2031",
        "Noord Oost (Zuid)west",
        "n % n % n %",
        "Helder 64 71,1 52 74,3 27 69,2",
        "Troebel 23 25,6 18 25,7 12 30,8",
        "Heel troebel 3 3 0 0 0 0",
        "Totaal 90 100 70 100 39 100",
        "Bron: Stichting Kikkerdorp (2031b)",
    ]
    assert blocks[1:] == ["Kernvragen bij de waterkwaliteit", "In het vijverplan noemt de boswachter"]


VIJVERPLAN_THEMA_1 = (  # invented: a title in its own frame under a quote attribution
    "Vijverplan te doen.’\n"
    "Bert Padding, kikkerdirec\n"
    "teur Vijverbeheer en Oever\n"
    "zorg Kikkerdorp\n"
    " thema kroos en \n"
    " riet van \n"
    "vijvers1\n"
    "\n"
    "In de vijvers leren kikkers en hun jongen2 het zwemmen en \n"
    "duiken om goed te kunnen overleven in de zom"
)
VIJVERPLAN_THEMA_4 = (  # invented, as kennisagenda l.1217-1221: the paragraph follows on the title's line
    "plezier in het werk aan de vijvers.’\n"
    "Greet Riet, tuinman noord\n"
    " thema schoon water1 Er zijn grote verschillen tussen vijvers in helderheid \n"
    "en diepte. Dat komt lang niet altijd door \n"
    "de ligging of de begroeiing van de oever."
)


def test_separate_framed_titles_puts_a_glued_title_apart() -> None:
    lines = separate_framed_titles(VIJVERPLAN_THEMA_1).split("\n")
    assert lines[3:6] == ["zorg Kikkerdorp", "", " thema kroos en "]
    lines = separate_framed_titles(VIJVERPLAN_THEMA_4).split("\n")
    assert lines[2:5] == ["", "thema schoon water1", ""]
    assert lines[5].startswith("Er zijn grote verschillen tussen vijvers")


@pytest.mark.parametrize(
    "text",
    [
        # invented, as kennisagenda l.1459-1467: an attribution's second line, followed by page furniture
        "over wat helpt onmisbaar.’\nWim Waterman, boswachter \n vijverplan noord en zuid\n\n\n\n"
        "35 thema  schoon water\n\n4 onderhoud van de oever met behulp ",
        # invented: an indented line inside a running sentence
        "Op basis van een veldstudie en een korte enquête die is \n"
        " beantwoord door ruim 250 tuinmannen, boswachters, vijverbeheerders, kroos-\n"
        "vissers, kikkertellers en salamanderkenners uit noord, oost en zuid is ",
    ],
)
def test_separate_framed_titles_leaves_attributions_and_sentences(text: str) -> None:
    assert separate_framed_titles(text) == text


def _blocks(raw: str) -> list[str]:
    return clean_text(raw).split("\n\n")


def test_clean_text_keeps_lower_case_chapter_titles_apart() -> None:
    blocks = _blocks(VIJVERPLAN_THEMA_1)
    assert blocks[1:3] == [
        "thema kroos en riet van vijvers",
        "In de vijvers leren kikkers en hun jongen het zwemmen en duiken om goed te "
        "kunnen overleven in de zom",
    ]
    blocks = _blocks(VIJVERPLAN_THEMA_4)
    assert blocks[1] == "thema schoon water"
    assert blocks[2].startswith("Er zijn grote verschillen tussen vijvers in helderheid en")


def test_reflow_lower_case_title_between_blank_lines() -> None:
    # invented, as kennisagenda l.163-173: a page number between a URL and a title wrapped over
    # two lines
    raw = (
        "https://kikkerdorp.nl/vijvers/vijverplan\n\n\n6\n\n"
        "de weg naar het \n vijverplan\n\n"
        "Hoe is het Vijverplan gemaakt? Wie hielpen er mee \n"
        "en wat wilden de boswachters?"
    )
    assert _blocks(raw) == [
        "https://kikkerdorp.nl/vijvers/vijverplan",
        "de weg naar het vijverplan",
        "Hoe is het Vijverplan gemaakt? Wie hielpen er mee en wat wilden de boswachters?",
    ]


def test_reflow_title_after_sentence_ending_in_footnote_mark() -> None:
    # invented, as kennisagenda l.1318-1323: `zorgen.19` ends a sentence
    raw = (
        "troebel water een van de grootste zorgen.19\n\n"
        "helder water als som van losse \nmaatregelen\n"
        "Het thema Schoon water is breed, waarbij meerdere maatregelen \n"
        "elkaar onderling versterken."
    )
    assert _blocks(raw)[1] == "helder water als som van losse maatregelen"
    # invented, double-spaced
    raw = (
        "kikkers die opgroeien in troebel water.41  \n\n"
        "2.3 Knelpunten op niveau van vijver en beheer  \n\n"
        "De knelpunten waarmee boswachters te maken hebben bij vijvers met een dikke \n\n"
        "laag kroos, kunnen het hele bos beïnvloeden."
    )
    assert _blocks(raw)[1] == "2.3 Knelpunten op niveau van vijver en beheer"


def test_reflow_title_right_below_a_figure_caption_is_a_title() -> None:
    # No blank line between caption, title and text, as PDF extractions often leave them.
    raw = (
        "De vijvers werden in 2023 geteld.\n\n"
        "Figuur 3.2a Aantal vijvers per wijk van Vlinderstad in de jaren 2019 tot en \n"
        "met 2023 (n=412)\n"
        "Meer vijvers in het oosten dan \n"
        "in het westen\n"
        "In de oostelijke wijken liggen twee keer zoveel vijvers als in de westelijke. \n"
        "Dat komt door de oude rivierarm."
    )
    blocks = _blocks(raw)
    assert "Meer vijvers in het oosten dan in het westen" in blocks
    assert any(b.startswith("In de oostelijke wijken liggen") for b in blocks)
    # A caption that ends on a function word goes on in the next line: no title there.
    raw = (
        "De vijvers werden geteld.\n\n"
        "Figuur 3.2b Aantal kikkers per vijver van het park in \n"
        "2023 (n=88)\n"
        "Kikkers leven vooral in de ondiepe vijvers."
    )
    assert "2023 (n=88)" not in _blocks(raw)


def test_reflow_section_word_stays_a_title_of_its_own() -> None:
    # invented, as kennisagenda l.1529-1533: `achtergrond` directly above a sub-title
    raw = (
        "heden per vijver verschillen.\n\nachtergrond\nbouwstenen voor een gezonde vijver\n"
        "De helderheid van het water is een belangrijke factor voor de kikkers."
    )
    assert _blocks(raw)[1:3] == ["achtergrond", "bouwstenen voor een gezonde vijver"]


def test_reflow_joins_numbered_title_wrapped_in_double_spaced_text() -> None:
    # invented, shaped like sterk-onderwijs l.3720-3730
    raw = (
        "geteld.” \n\n \n\n"
        "3.4.2 Aanvullende maatregelen en behoefte aan extra onderhoud op gemeentelijk \n\n"
        "niveau \n\n"
        "Uit de tellingen blijkt dat er, naast de afspraken die al gelden, waar tuinmannen"
    )
    assert _blocks(raw)[1] == (
        "3.4.2 Aanvullende maatregelen en behoefte aan extra onderhoud op gemeentelijk niveau"
    )


def test_reflow_labelled_part_title_on_a_new_page_is_a_heading() -> None:
    # invented, double-spaced: "Bijlage 2." labels the title; its full stop ends no sentence
    raw = (
        "Soms tellen de boswachters meer dan 25 kikkers per vijver met een grote \n\n"
        "behoefte aan schoon water. \n"
        " Bijlage 2.  Gesprekken met de boswachters \n\n"
        "De tellingen zijn besproken met drie boswachters en een ecoloog van het \n\n"
        "waterschap."
    )
    blocks = _blocks(raw)
    assert blocks[0].endswith("behoefte aan schoon water.")
    assert blocks[1] == "Bijlage 2. Gesprekken met de boswachters"
    assert blocks[2].startswith("De tellingen zijn besproken")


def test_reflow_list_item_goes_on_with_a_name_after_a_function_word() -> None:
    # invented, double-spaced: the item's line ends on "van", so the capitalised line goes on with it
    raw = (
        "o\t Het Kikkerpact is een samenwerking tussen de Vijverbond, de Stichting Kroos en de Vereniging van \n\n"
        "Boswachters (VvB) en het Gilde van Reigers. \n\n"
        "o\t Dit pact verdeelt het schoonmaken van de vijvers over de partners. \n"
    )
    blocks = _blocks(raw)
    assert blocks[0].split("\n")[0].endswith("de Vereniging van Boswachters (VvB) en het Gilde van Reigers.")


def test_reflow_marked_title_after_a_list_of_other_items() -> None:
    # invented: `1. Inleiding` on the line after the last bullet
    raw = (
        "• Vaste subsidie waarmee vijvers hun kikkerstand kunnen behouden.  \n\n"
        "• Meer meedenkende en helpende rol van de Stichting Kikkerdorp. \n"
        " 1. Inleiding \n\n1.1 Aanleiding \n\n"
        "“Elke vijver moet voor alle kikkers schoon en veilig zijn, daarbij mag de ligging of de "
    )
    blocks = _blocks(raw)
    assert blocks[0].endswith("rol van de Stichting Kikkerdorp.")
    assert blocks[1:3] == ["1. Inleiding", "1.1 Aanleiding"]
    # invented: a `»` marker after a `•` item wrapped over double-spaced lines
    raw = (
        "•\t Beginnende boswachters hebben grote behoefte aan praktische begeleiding om te \n\n"
        "groeien in hun vak, maar krijgen daarbij lang niet altijd steun.38 En veel ervaren bos-\n\n"
        "wachters brengen hun laatste dienstjaren door als tijdelijke opzichters in het \n\n"
        "park vanwege de beperkte doorgroeikansen, waardoor hun ervaring en kennis van vijvers \n\n"
        "slechts deels kan worden benut.39\n\n"
        "\t» Gewenste situatie\n"
        "Samenwerkingen tussen boswachters, tuinmannen en vijverbeheerders om te \n"
        "leren van elkaar vinden structureel en in heel Kikkerdorp plaats."
    )
    blocks = _blocks(raw)
    assert blocks[0].endswith("waardoor hun ervaring en kennis van vijvers slechts deels kan worden benut.")
    assert blocks[1] == "» Gewenste situatie"


def test_reflow_numbered_items_of_one_list_stay_a_list() -> None:
    # invented: numbered items under a sentence, not titles
    raw = (
        "Een gezonde vijver vraagt om vijf soorten onderhoud:\n\n"
        "1. Water verversen: op basis van actuele metingen uit de vijver\n"
        "2. Kroos afscheppen\n"
        "3. Riet snoeien\n\n"
        "In het rapport Schone vijvers uit 2029 stellen de boswachters maatregelen voor."
    )
    blocks = _blocks(raw)
    assert blocks[1].split("\n") == [
        "1. Water verversen: op basis van actuele metingen uit de vijver",
        "2. Kroos afscheppen",
        "3. Riet snoeien",
    ]


@pytest.mark.parametrize(
    ("raw", "paragraph"),
    [
        # invented, shaped like staat l.9918-9930, double-spaced: a sentence runs on over a short
        # line before a capitalised word; the short line is no title
        (
            "Ruim 20% getelde vijvers van \nslechte kwaliteit\n"
            "De eerste uitkomsten uit steekproeftellingen bij \n\n"
            "(zoet)water-vijvers wijzen er op dat 22,5% troebel \n\n"
            "water heeft . Vaak kregen de getelde vijvers \n\n"
            "een slechte score voor de categorie \n\n"
            "Helderheid. Boswachters kunnen vijvers beter \n\n"
            "beschermen door vaker te kijken naar de ",
            "Vaak kregen de getelde vijvers een slechte score voor de categorie "
            "Helderheid. Boswachters kunnen vijvers beter beschermen",
        ),
        # invented: labels of a figure above its caption stay figure text
        (
            "kroosvissen\nen oever-\n\nbeheer\n\noeverbeheer \nmet tuinmannen\n\n"
            "Figuur 1: De acht taken van de goede boswachter",
            "kroosvissen en oeverbeheer oeverbeheer met tuinmannen",
        ),
    ],
)
def test_reflow_short_line_that_is_no_title_stays_in_its_paragraph(raw: str, paragraph: str) -> None:
    assert any(paragraph in block for block in _blocks(raw)), _blocks(raw)


# --------------------------------------------------------------------------- footnotes


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("de zomerse vijver te weinig.2223 70% van de", "de zomerse vijver te weinig. 70% van de"),
        ("aan maaien en kroos scheppen (54%).47", "aan maaien en kroos scheppen (54%)."),
        ("in Kikkerdorp geen boswachter.1", "in Kikkerdorp geen boswachter."),
        ("verschilt eveneens per vijver.1112 In dit", "verschilt eveneens per vijver. In dit"),
        ("gebruiken we de term ‘kroosscore’.9 Deze score", "gebruiken we de term ‘kroosscore’. Deze score"),
        ("thema kroos en riet van vijvers1", "thema kroos en riet van vijvers"),
        # several marks at once: run together, or listed with a slash or a comma
        ("telt de gemeente de kikkers.117118 Over de padden", "telt de gemeente de kikkers. Over de padden"),
        ("bloeien de waterlelies.68/69 Ook de biezen", "bloeien de waterlelies. Ook de biezen"),
        ("een plan voor de lange termijn.126,127", "een plan voor de lange termijn."),
        # after a closing quote
        ("het initiatief ‘De vijver van het jaar’31 met hulp van", "het initiatief ‘De vijver van het jaar’ met hulp van"),
        ("een review over ‘overvolle vijvers’27, laat zien", "een review over ‘overvolle vijvers’, laat zien"),
    ],
)
def test_strip_footnote_refs(raw: str, clean: str) -> None:
    assert strip_footnote_refs(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "In 2030 is € 4,7 miljoen meer aan kroos besteed",
        "ligt de kikkerstand met 12,4% van het totaal hoger",
        "aan de rand van vijver 8.",
        "zie artikel 2.1 en paragraaf 1.3 van de wet",
        "uitbreiden van 13 naar 1.000 vijvers",
        "Vijverplatform (2019), p.4 en p. 33.",
        "Uit de telling van KVT2 blijkt dat",
        # lower case, but no word the text or Dutch knows: a code, not a word with a mark
        "Bij meetpunt vkb12 staat de sluis open.",
        "In 2022-2023 behaalde 80,1% de norm.",
        "De vijver groeide van 1.200 naar 117.118 liter.",
        "Zie p.117118 en verder.",
        "De vijvers uit de jaren ’80 en ’90 zijn ondiep.",
    ],
)
def test_strip_footnote_refs_keeps_real_numbers(text: str) -> None:
    assert strip_footnote_refs(text) == text


# --------------------------------------------------------------------------- duplicates

SUMMARY = (
    "Het water in de vijvers van het park is deze zomer opnieuw warm en troebel. Het kroos "
    "groeit snel, vooral in vijvers met een ondiepe oeverbegroeiing. Het aantal "
    "kikkervisjes in de vijvers neemt af."
)


def test_drop_repeated_blocks_keeps_first_copy_of_a_repeated_section() -> None:
    second_copy = SUMMARY.replace("oeverbegroeiing", "oever-begroeiing")  # other line wrap
    blocks = [
        "Vijvers in zwaar weer", SUMMARY, "Aanbevelingen:", "Inleiding",
        "Vijvers in zwaar weer", second_copy, "Aanbevelingen:",
    ]
    assert drop_repeated_blocks(blocks) == ["Vijvers in zwaar weer", SUMMARY, "Aanbevelingen:", "Inleiding"]


VIJVER_LIST = (
    "• Kroos op het water van de grote vijver in het noorden van het park;\n• Riet langs de randen van de vijvers;\n"
    "• Eenden die het water vertroebelen en de oevers kapot trappen;\n• Pompen die te vaak stilvallen in de zomer."
)


def test_drop_repeated_blocks_keeps_a_list_that_a_new_lead_in_announces() -> None:
    blocks = [
        "Het plan noemt vier knelpunten:", VIJVER_LIST, "Daarna volgt de aanpak.",
        "In de gesprekken met tuinmannen kwamen dezelfde knelpunten terug:", VIJVER_LIST,
        "Het plan noemt vier knelpunten:", VIJVER_LIST,  # a repeated page: lead-in and list again
    ]
    assert drop_repeated_blocks(blocks) == blocks[:5]


def test_drop_repeated_blocks_keeps_repeated_short_headings_and_page_breaks() -> None:
    blocks = ["achtergrond", "Eerste tekst over kikkerdril.", PAGE_BREAK, "achtergrond", PAGE_BREAK]
    assert drop_repeated_blocks(blocks) == blocks


# --------------------------------------------------------------------------- whole pipeline


def test_clean_text_output_contract() -> None:
    raw = (
        "d e  v i j v e r g i d s  k i k k e r d o r p\n\n13\n"
        " 1.1 Kikkers in het kort\n\n"
        "Kikkers en padden hebben recht op \nwater van goede kwaliteit.\t \n"
        "\f"
        "Pagina 2 van 27\nschone fi lters voor de waterkwa-\nliteit.\n"
        "\f\f"
        "laatste pagina"
    )
    cleaned = clean_text(raw)
    assert cleaned == (
        "1.1 Kikkers in het kort\n\n"
        "Kikkers en padden hebben recht op water van goede kwaliteit.\n\n"
        "\f\n\n"
        "schone filters voor de waterkwaliteit.\n\n"
        "\f\n\n\f\n\n"
        "laatste pagina"
    )
    assert cleaned.count(PAGE_BREAK) == raw.count(PAGE_BREAK)
    assert "\n\n\n" not in cleaned and "  " not in cleaned and " \n" not in cleaned


def test_a_footnote_that_interrupts_a_sentence_is_lifted_out() -> None:
    from ingest.clean import separate_footnotes

    blocks = [
        "De vijvers in het park zijn belangrijk om de kikkers",
        "14 Bureau Vlinder (2020); Mus (2019). aan het water te houden. Daarna groeit het riet.",
        "Een nieuwe alinea.",
        "5 Stichting Kikker (2021). 6 Mus (2018).",
    ]
    assert separate_footnotes(blocks) == [
        "De vijvers in het park zijn belangrijk om de kikkers aan het water te houden. Daarna groeit het riet.",
        "14 Bureau Vlinder (2020); Mus (2019).",
        "Een nieuwe alinea.",
        "5 Stichting Kikker (2021). 6 Mus (2018).",
    ]


def test_footnote_entries_that_interrupt_a_name_give_its_rest_back() -> None:
    from ingest.clean import separate_footnotes

    # The page broke inside a name ("Groene Vijver Aanpak"): what goes on after the entries opens
    # with a capital, and the block is mostly entries.
    blocks = [
        "Het riet groeit snel. Een bekend voorbeeld is de Groene Vijver",
        "14 Bureau Vlinder (2020). 15 Mus (2019). 16 Kikker (2018). Aanpak (ook wel GVA genoemd) uit Vlinderstad.",
    ]
    assert separate_footnotes(blocks) == [
        "Het riet groeit snel. Een bekend voorbeeld is de Groene Vijver Aanpak (ook wel GVA genoemd) uit Vlinderstad.",
        "14 Bureau Vlinder (2020). 15 Mus (2019). 16 Kikker (2018).",
    ]
    # Not after a heading, which ends in no sentence.
    heading = ["Groene Vijver", blocks[1]]
    assert separate_footnotes(heading) == heading


def test_footnote_entries_inside_a_block_give_the_sentence_they_interrupt_back() -> None:
    from ingest.clean import separate_footnotes

    # The extraction ran the entries into the paragraph: the sentence broke off above them and
    # goes on in lower case after the last one.
    blocks = [
        "• In de vijvers zwemmen veel kikkers. Daarnaast worden de eenden\n"
        "26. Bureau Vlinder (2014).\n"
        "27. Mus (2018). Een vijverboek. Den Haag, p. 20.\n"
        "28. Stichting Kikker (2018), p. 12. ook geteld in het voorjaar.\n"
        "• Het riet wordt elk jaar gemaaid.",
        "Een nieuwe alinea.\n3. Tel ook de reigers.",
    ]
    assert separate_footnotes(blocks) == [
        "• In de vijvers zwemmen veel kikkers. Daarnaast worden de eenden ook geteld in het voorjaar.\n"
        "• Het riet wordt elk jaar gemaaid.",
        "26. Bureau Vlinder (2014).\n27. Mus (2018). Een vijverboek. Den Haag, p. 20.\n28. Stichting Kikker (2018), p. 12.",
        "Een nieuwe alinea.\n3. Tel ook de reigers.",
    ]


def test_a_footnote_block_that_interrupts_a_hyphenated_word_gives_the_rest_back() -> None:
    from ingest.clean import Lexicon, separate_footnotes

    text = "De tuinmannen en de vijverbeheerders werken samen. Elke vijverbeheerder telt kikkers."
    blocks = [
        "Volgens de ervaringen van de vijverbe-",
        "7. Bureau Vlinder (2019). Kikkers tellen. Den Haag, p. 10.\n8. Mus (2020). Riet. Den Haag. heerders is het water te warm.",
        "Een nieuwe alinea.",
    ]
    assert separate_footnotes(blocks, Lexicon.of(text)) == [
        "Volgens de ervaringen van de vijverbeheerders is het water te warm.",
        "7. Bureau Vlinder (2019). Kikkers tellen. Den Haag, p. 10.\n8. Mus (2020). Riet. Den Haag.",
        "Een nieuwe alinea.",
    ]
    # The halves make no word the text or Dutch knows: the block stays as it was.
    other = ["Volgens de ervaringen van de vijverbe-", "7. Bureau Vlinder (2019). Den Haag. xqzw is het water te warm."]
    assert separate_footnotes(other, Lexicon.of(text))[0] == "Volgens de ervaringen van de vijverbe-"


# --------------------------------------------------------------------------- sentences broken across blocks
# Invented text.


def test_a_sentence_broken_by_a_page_break_is_joined_when_the_rest_goes_on_with_it() -> None:
    from ingest.clean import rejoin_broken_sentences

    blocks = [
        "In de Vijverwijk telt 12% van de tuinen een vijver, tegenover 4% buiten de",
        PAGE_BREAK,
        "Vijverwijk.",
        "De Vijverwijk ligt aan de rivier. In de Vijverwijk wonen veel kikkers.",
        "• Het aandeel tuinen met riet steeg tussen",
        "2019 en 2023 van 5% naar 9%.",
        "De gemeente telt de kikkers in het voorjaar, met hulp van",
        "14 Gemeente Vlinderstad (2023). 15 Stichting Oever (2024).",
        "vrijwilligers uit de wijk.",
    ]
    assert rejoin_broken_sentences(blocks) == [
        "In de Vijverwijk telt 12% van de tuinen een vijver, tegenover 4% buiten de Vijverwijk.",
        PAGE_BREAK,
        "De Vijverwijk ligt aan de rivier. In de Vijverwijk wonen veel kikkers.",
        "• Het aandeel tuinen met riet steeg tussen 2019 en 2023 van 5% naar 9%.",
        "De gemeente telt de kikkers in het voorjaar, met hulp van vrijwilligers uit de wijk.",
        "14 Gemeente Vlinderstad (2023). 15 Stichting Oever (2024).",
    ]


def test_blocks_stay_apart_where_the_next_one_starts_a_sentence_or_is_no_prose() -> None:
    from ingest.clean import rejoin_broken_sentences

    blocks = [
        "Elk jaar plant de wijkraad nieuwe struiken. Een",  # the rest of this sentence is lost
        "Verschillende bewoners vragen om meer bankjes bij de vijvers.",
        "2 De vijvers van het park en de",  # a title
        "Kikkers in de stad",
        "De stichting meet het water samen met de",
        "Figuur 3.1 Doorzicht van het water per maand",
        "De wijkraad overlegt elke maand met de",
        "• Gemeente Vlinderstad",
        "Maand, doorzicht in cm, zuurstof in mg/l, 12, 40, 8,",
        "13, 35, 7",
        "Het riet groeit snel langs de",
        "57 We tellen een vijver als ondiep bij minder dan 50 cm.",
    ]
    assert rejoin_broken_sentences(blocks) == blocks


def test_a_block_that_leaves_a_bracket_open_takes_the_block_that_closes_it() -> None:
    from ingest.clean import rejoin_broken_sentences

    blocks = [
        "Het tekort aan kikkers in de stadsvijvers bedraagt 4,3% van de stand (Van der",
        PAGE_BREAK,
        "Poel et al., 2023). Bij de salamanders is het tekort kleiner.",
        "Figuur 2.1 Aandeel vijvers met riet (2023:",
        "n vijvers=120, n sloten=45)*",
        "De wijkraad telt elke maand (zie bijlage 2) de eenden.",
        "Kikkers in de stad (deel 2) verschijnt in het voorjaar.",
    ]
    assert rejoin_broken_sentences(blocks) == [
        "Het tekort aan kikkers in de stadsvijvers bedraagt 4,3% van de stand (Van der Poel et al., 2023). "
        "Bij de salamanders is het tekort kleiner.",
        PAGE_BREAK,
        "Figuur 2.1 Aandeel vijvers met riet (2023: n vijvers=120, n sloten=45)*",
        # Closed brackets, and a block that opens its own: nothing is joined.
        "De wijkraad telt elke maand (zie bijlage 2) de eenden.",
        "Kikkers in de stad (deel 2) verschijnt in het voorjaar.",
    ]


def test_a_figure_printed_inside_a_sentence_gives_the_sentence_its_rest_back() -> None:
    raw = (
        "De stichting telt elk jaar de kikkers in de vijvers van de stad. In de grote \n"
        "vijvers ligt de kans op \n\n"
        "Figuur 3.1a Aantal kikkers per vijver in de seizoenen 2027-2028 tot en \n"
        "met 2029-2030\n"
        " Bron: Stichting Vijver (2023)\n"
        " overleving groter dan in de kleine vijvers, omdat het water \n"
        "daar minder snel opwarmt. Ook het riet helpt daarbij. \n\n"
        "Figuur 3.1b Aantal salamanders per sloot (in \n"
        "percentages)\n"
        "De salamanders leven vooral in de sloten. \n"
    )
    assert clean_text(raw).split("\n\n") == [
        "De stichting telt elk jaar de kikkers in de vijvers van de stad. In de grote vijvers ligt de kans op "
        "overleving groter dan in de kleine vijvers, omdat het water daar minder snel opwarmt. Ook het riet helpt daarbij.",
        # The caption keeps its wrapped lines ("tot en" ⏎ "met 2029-2030", "(in" ⏎ "percentages)").
        "Figuur 3.1a Aantal kikkers per vijver in de seizoenen 2027-2028 tot en met 2029-2030 Bron: Stichting Vijver (2023)",
        "Figuur 3.1b Aantal salamanders per sloot (in percentages)",
        "De salamanders leven vooral in de sloten.",
    ]


def test_text_that_goes_on_below_a_figures_source_line_is_no_part_of_that_line() -> None:
    # A figure with its axis labels printed inside a sentence: the sentence's start cannot be
    # found past the labels, but its rest is text, not part of the source line (a note).
    raw = (
        "Het waterschap telt elk jaar de kikkers in de vijvers van de stad. In de grote vijvers zijn relatief weinig kik-\n\n"
        "Figuur 3.1a Aantal kikkers per vijver\n\n"
        "Noord Zuid\n\n"
        "Grote vijvers\n\n"
        "Bron: Stichting Vijver (2023)\n"
        " kers geteld. In de kleine vijvers waren het er meer, omdat het water \n"
        "daar minder snel opwarmt.\n"
    )
    blocks = clean_text(raw).split("\n\n")
    assert "Bron: Stichting Vijver (2023)" in blocks
    assert blocks[-1] == "kers geteld. In de kleine vijvers waren het er meer, omdat het water daar minder snel opwarmt."


def test_a_word_broken_where_a_table_interrupts_it_is_repaired() -> None:
    from ingest.clean import rejoin_broken_sentences

    table = "Tabel 4.1a Aantal eenden per vijver in de jaren 2021 tot en met 2023\n2021 2022 2023\nGrote vijver 12 14 40"
    blocks = ["In de grote vijvers zijn relatief weinig eenden en zwanen geteld, maar veel waterhoen-", table, "ders en meerkoeten."]
    assert rejoin_broken_sentences(blocks) == [
        "In de grote vijvers zijn relatief weinig eenden en zwanen geteld, maar veel waterhoenders en meerkoeten.", table,
    ]


def test_a_table_printed_inside_a_sentence_is_passed_over_when_the_rest_goes_on_in_lower_case() -> None:
    from ingest.clean import rejoin_broken_sentences

    table = "Tabel 4.1a Aantal eenden per vijver in de jaren 2021 tot en met 2023\n2021 2022 2023\nGrote vijver 12 14 40"
    blocks = [
        "De stichting telt de eenden en maakt afspraken met de wijkraad en",
        table,
        "dat de tellingen elk jaar worden herhaald.",
        "Ook het aantal zwanen in de vijvers van de",
        table,
        "Vijverwijk daalt.",  # a name after a table: no sure sign the sentence goes on
        "Vijverwijk ligt aan de rivier.",
    ]
    assert rejoin_broken_sentences(blocks) == [
        "De stichting telt de eenden en maakt afspraken met de wijkraad en dat de tellingen elk jaar worden herhaald.",
        table,
        "Ook het aantal zwanen in de vijvers van de",
        table,
        "Vijverwijk daalt.",
        "Vijverwijk ligt aan de rivier.",
    ]
    # A table and then a figure: the figure's caption ends where the sentence goes on.
    raw = (
        "De wijkraad telt elk jaar de eenden. Ook de stichting kan hier meer aandacht voor \n\n"
        "Tabel 4.1a Aantal eenden per vijver in de jaren 2021 tot en met 2023 \n"
        "2021 2022 2023 \n"
        "Grote vijver 12 14 40 \n"
        "Kleine vijver 4 0 12 \n\n"
        "Figuur 4.1a Aantal eenden per jaar in de jaren 2019 tot en met 2023\n"
        " hebben. Zo blijft de stand op peil. \n"
    )
    assert clean_text(raw).split("\n\n") == [
        "De wijkraad telt elk jaar de eenden. Ook de stichting kan hier meer aandacht voor hebben. Zo blijft de stand op peil.",
        "Tabel 4.1a Aantal eenden per vijver in de jaren 2021 tot en met 2023\n2021 2022 2023\nGrote vijver 12 14 40\n"
        "Kleine vijver 4 0 12",
        "Figuur 4.1a Aantal eenden per jaar in de jaren 2019 tot en met 2023",
    ]


def test_a_long_sentence_without_a_full_stop_takes_its_rest_from_past_a_table_or_notes() -> None:
    from ingest.clean import rejoin_broken_sentences

    table = "Tabel 4.2 Aantal eenden per vijver in de jaren 2021 tot en met 2023\n2021 2022 2023\nGrote vijver 12 14 40"
    caption = "Figuur 4.3 Aandeel vijvers met riet (2023:"
    blocks = [
        "Na deze termijn voert de wijkraad bij elke vijver in de stad een nieuwe telling",
        table,
        "uit. Dan blijkt of de stand hersteld is.",
        "Op de 15% rijkste vijvers telde de stichting in elke maand van het jaar minstens",
        caption,
        "n vijvers=120, n sloten=45)*",
        "89% meer eenden dan in het jaar ervoor.",
        "De stichting telt de eenden in het voorjaar en in het najaar bij de grote vijvers",
        table,
        "De wijkraad telt de zwanen.",  # a new sentence: the one above stays as it is
        "De eenden tellen we elk jaar",  # a short line: a title, perhaps
        table,
        "daarna tellen we de zwanen.",
    ]
    assert rejoin_broken_sentences(blocks) == [
        "Na deze termijn voert de wijkraad bij elke vijver in de stad een nieuwe telling uit. Dan blijkt of de stand hersteld is.",
        table,
        "Op de 15% rijkste vijvers telde de stichting in elke maand van het jaar minstens 89% meer eenden dan in het jaar ervoor.",
        caption + " n vijvers=120, n sloten=45)*",
        "De stichting telt de eenden in het voorjaar en in het najaar bij de grote vijvers",
        table,
        "De wijkraad telt de zwanen.",
        "De eenden tellen we elk jaar",
        table,
        "daarna tellen we de zwanen.",
    ]


def test_reflow_keeps_rows_with_long_labels_apart() -> None:
    # A row's label may have more words than the row has figures; a line that closes on three
    # figures is still a row, and rows a blank line apart are not one paragraph.
    page = collapse_spaces(
        "Gemiddeld Minimum Maximum\n\n"
        "Tussentijdse verhuizing van kikkers naar de grote vijver 5,3 0 100\n\n"
        "Verhuizing van salamanders naar de sloot 17,5 0 100\n\n"
        "Het riet groeit snel in de zomer van\n\n"
        "2023 en 2024 bij de vijver.\n"
    )
    blocks = reflow_paragraphs(page)
    assert "Tussentijdse verhuizing van kikkers naar de grote vijver 5,3 0 100\nVerhuizing van salamanders naar de sloot 17,5 0 100" in blocks
    assert "Het riet groeit snel in de zomer van 2023 en 2024 bij de vijver." in blocks


def test_a_line_that_opens_with_a_bracket_and_runs_on_in_lower_case_goes_on_the_sentence() -> None:
    page = collapse_spaces(
        "De gemeente telt elk jaar de dieren. \n"
        "Het gaat om de overgang van kikkervisjes en jonge kikkers \n"
        "(kjk) naar de grote vijver en de oevers daaromheen.\n\n"
        "Kikkers in de vijver \n"
        "(Vijver)kikkers leven in het riet."
    )
    assert reflow_paragraphs(page) == [
        "De gemeente telt elk jaar de dieren. Het gaat om de overgang van kikkervisjes en jonge kikkers "
        "(kjk) naar de grote vijver en de oevers daaromheen.",
        "Kikkers in de vijver",  # a title: the bracket after it is part of a word, "(Vijver)kikkers"
        "(Vijver)kikkers leven in het riet.",
    ]


def test_a_title_below_a_caption_of_four_lines_is_a_title() -> None:
    page = collapse_spaces(
        "Figuur 4.1b Aantal kikkers per vijver in het stadspark in de \n"
        "jaren 2026 tot en met 2031 naar de grootte van de vijver en \n"
        "de soort oever (2023: n kleine vijvers=12, n middelgrote \n"
        "vijvers=5, n grote vijvers=2)\n"
        "Minder kikkers in de kleine \n"
        "vijvers\n"
        "Het aantal kikkers in de kleine vijvers daalde in 2031."
    )
    blocks = reflow_paragraphs(page)
    assert blocks[1:] == ["Minder kikkers in de kleine vijvers", "Het aantal kikkers in de kleine vijvers daalde in 2031."]


def test_reflow_lettered_items_one_per_line() -> None:
    # Invented text: a lead-in and three lettered items, the first two wrapped on to the
    # lead-in's paragraph, the last one a blank line apart
    page = collapse_spaces(normalize_whitespace(
        "De vijvers van het park zijn in te delen in drie soorten: \n\n"
        "a. diepe vijvers: vijvers waarin het hele jaar door water staat en \n\n"
        "kikkers overwinteren (blijvend); \n"
        "b. ondiepe vijvers: vijvers die in een droge zomer soms \n"
        "leegvallen (tijdelijk); \n\n"
        "c. poelen: kleine plassen die alleen in het voorjaar water houden.\n\n"
        "Samen vormen deze soorten het leefgebied van de kikkers."
    ))
    assert reflow_paragraphs(page) == [
        "De vijvers van het park zijn in te delen in drie soorten:",
        "a. diepe vijvers: vijvers waarin het hele jaar door water staat en kikkers overwinteren (blijvend);\n"
        "b. ondiepe vijvers: vijvers die in een droge zomer soms leegvallen (tijdelijk);\n"
        "c. poelen: kleine plassen die alleen in het voorjaar water houden.",
        "Samen vormen deze soorten het leefgebied van de kikkers.",
    ]


def test_a_sentence_that_goes_on_with_a_number_on_the_next_line_is_one_paragraph() -> None:
    # Invented text: the line after "... de boswachter" opens with a count, as a numbered
    # title would ("4 kikkers en padden"), but goes on with the sentence.
    page = collapse_spaces(normalize_whitespace(
        "Kernvragen bij het vijverbeheer\n"
        "In het beheerplan formuleert de boswachter \n"
        "3 vragen bij de kwaliteit van het water in de \n"
        "vijvers. Dit zijn: is het water helder, leven er kikkers en groeit er riet?"
    ))
    assert reflow_paragraphs(page) == [
        "Kernvragen bij het vijverbeheer",
        "In het beheerplan formuleert de boswachter 3 vragen bij de kwaliteit van het water in de vijvers. "
        "Dit zijn: is het water helder, leven er kikkers en groeit er riet?",
    ]
    # A numbered title below a line that ends no sentence stays a title.
    titled = collapse_spaces(normalize_whitespace("Bea de Vries, boswachter\n4 kikkers en padden\n\nIn het park leven kikkers."))
    assert reflow_paragraphs(titled)[-2:] == ["4 kikkers en padden", "In het park leven kikkers."]


def test_a_paragraph_cut_before_a_number_that_goes_on_with_its_sentence_is_joined() -> None:
    # Invented text.
    from ingest.clean import rejoin_broken_sentences

    blocks = [
        "Het plan begint met een overzicht van de vijvers in het park en de kikkers. In hoofdstuk",
        "2 beschrijven we de maatregelen voor het riet, en in hoofdstuk 3 die voor het kroos.",
        "5 kikkers en padden",
        "In het park leven kikkers.",
    ]
    assert rejoin_broken_sentences(blocks) == [
        "Het plan begint met een overzicht van de vijvers in het park en de kikkers. In hoofdstuk "
        "2 beschrijven we de maatregelen voor het riet, en in hoofdstuk 3 die voor het kroos.",
        "5 kikkers en padden",
        "In het park leven kikkers.",
    ]


def test_a_line_set_right_below_a_sentence_that_runs_on_into_a_figure_goes_on_the_sentence() -> None:
    page = collapse_spaces(
        "De boswachter telde de kikkers in alle vijvers. \n"
        "In de vijvers 3 en 4 leefde in 2031 respectievelijk \n"
        "12,5% en 8,1% van de kikkers in het riet. \n\n"
        "Kikkers in de sloot \n"
        "40% van de kikkers leeft in de sloot."
    )
    assert reflow_paragraphs(page) == [
        "De boswachter telde de kikkers in alle vijvers. In de vijvers 3 en 4 leefde in 2031 respectievelijk "
        "12,5% en 8,1% van de kikkers in het riet.",
        "Kikkers in de sloot",  # a title, with space above it: the figure below opens its text
        "40% van de kikkers leeft in de sloot.",
    ]
