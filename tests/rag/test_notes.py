"""Notes (footnotes, references, URLs, captions) are recognised; ordinary text is not."""

from __future__ import annotations

import pytest

from rag.text.notes import explanation, is_note, is_note_sentence, split_footnotes


@pytest.mark.parametrize("block", [
    "4 Bureau Vlinder (2021). 5 Van der Veen en Mus (2019). 6 Stichting Kikker (2022a).",
    "7 Ministerie van Water (2018); Mus e.a. (2020); Van den Berg et al. (2017).",
    "2. Veen, A. en Mus, B. (2016). Een studie naar vijvers. Utrecht, Vlinderpers, p. 12-14.",
    "3. Stichting Kikker (2020). Vijverbeheer. Bron: https://voorbeeld.nl/vijvers",
    "11Voor deze telling zijn de cijfers van 2021 gebruikt, zie: https://voorbeeld.nl/telling",
    "https://voorbeeld.nl/a https://voorbeeld.nl/b",
    "Bron: Stichting Kikker (2020); bewerking door de auteurs.",
    "Figuur 3.1 Aantal vijvers per provincie",
    "Geraadpleegd op 4 mei 2022 via de site van de stichting.",
    # Entries that name a source by what and when, and repeats of the entry before.
    "30. Verslag vijverwerkgroep – gesprekken 12-19 maart 2031",
    "31. Idem.",
    "12. Notulen van de kikkeravond, 3 maart 2021. 13. Ibid.",
])
def test_notes_are_recognised(block):
    assert is_note(block)
    assert is_note_sentence(block)


def test_a_reference_list_whose_entries_have_titles_is_a_note():
    # Each entry's title and place run on to the end of its line, up to the next entry.
    block = (
        "7. Bureau Vlinder (2018). Een krachtig boek over vijvers. Den Haag, p. 10.\n"
        "8. Stichting Kikker (2014).\n"
        "9. Mus, K. (2016). Kikkers tellen: de vijver doet ertoe. Vijverbeheer Totaal, p. 6.\n"
        "10. Bureau Vlinder (2020). De staat van de vijvers. Utrecht, p. 43.\n"
        "11. Eendenplatform (2020a), Eendenplatform Zuid (2020a). Wat drijft de eend? Verkenning naar de redenen "
        "van eenden om te vertrekken uit stadsparken. Den Haag, p. 5.\n"
        "12. Veen (2019). Riet. Utrecht."
    )
    assert is_note(block)
    # Only the last entry's title stays outside: no next entry says where it ends.
    assert split_footnotes(block) == (block.removesuffix(" Riet. Utrecht."), "Riet. Utrecht.")
    # An entry that ends its own line takes no title from the line after it, even where the
    # entry after that follows; the next entry may also be one that names its source by a URL.
    assert split_footnotes("36. Mus (2020), p. 22\nDe vijver is diep en koud.\n37. Eend (2019).") == (
        "36. Mus (2020), p. 22", "De vijver is diep en koud.\n37. Eend (2019).",
    )
    entries = "63. Vlinder, M. (2020). Samen sterk voor elke vijver. Den Haag.\n64. Campagne ‘Kikkers tellen’. Bron: https://voorbeeld.nl/."
    assert split_footnotes(entries)[0] == entries.split("\n")[0]
    # A numbered list of points is no reference list.
    assert not is_note("1. Investeer in vijvers (zie hoofdstuk 2).\n2. Tel de kikkers elk voorjaar opnieuw.")


@pytest.mark.parametrize("block", [
    "In 2021 had ongeveer 1 op de 8 vijvers geen kikkers.",
    "1. Investeer in vijvers (zie hoofdstuk 2).",
    "3 gesprekken met 4 tuinmannen van verschillende gemeenten.",
    "2F-niveau wordt door 60% van de leerlingen gehaald.",
    "Het aantal vijvers groeit (Bureau Vlinder, 2021) en dat is goed.",
    "2. Op 1 januari 2024 zijn de nieuwe pompen geplaatst.",  # a numbered item that goes on after its date
    "4 kikkers werden op 12 maart 2023 geteld.",
])
def test_text_is_not_a_note(block):
    assert not is_note(block)
    assert not is_note_sentence(block)


def test_a_footnote_inside_a_sentence_is_split_from_the_rest():
    block = "14 Bureau Vlinder (2020); Mus (2019). aan het water te houden. Daarna groeit het riet."
    entries, rest = split_footnotes(block)
    assert entries == "14 Bureau Vlinder (2020); Mus (2019)."
    assert rest == "aan het water te houden. Daarna groeit het riet."
    assert not is_note(block)  # the rest of a sentence: text, once the entries are lifted out
    assert split_footnotes("Gewone tekst (2020).") == ("", "Gewone tekst (2020).")


def test_a_sentence_opening_with_a_figure_or_table_label_is_a_caption():
    assert is_note_sentence("Tabel 2.3 Aantal vijvers per gemeente")
    assert is_note_sentence("Figuur 4.1b Kikkers per vijver Kikkers houden van riet.")
    assert is_note_sentence("Figuur4.1b Kikkers per vijver")  # the space lost in extraction
    assert not is_note_sentence("Figuurlijk gesproken zijn de vijvers vol.")
    assert not is_note("Tabel 2.3 Aantal vijvers per gemeente")  # a table block stays a table
    # A block that is only a figure's caption is a note, also with the space after its word lost.
    assert is_note("Figuur 4.1b Kikkers per vijver")
    assert is_note("Figuur4.1b Kikkers per vijver")


def test_a_dated_entry_inside_a_sentence_is_split_from_the_rest():
    block = "52. Verslag vijverwerkgroep – gesprekken 12-19 maart 2031 53. Idem. krachten te bundelen."
    entries, rest = split_footnotes(block)
    assert entries == "52. Verslag vijverwerkgroep – gesprekken 12-19 maart 2031 53. Idem."
    assert rest == "krachten te bundelen."


def test_a_footnote_in_words_is_a_note_when_the_next_entry_follows_it():
    block = (
        "27 ‘Kroosvijver’ noemen we hier een vijver die voor meer dan de helft bedekt is. "
        "28 Mus e.a. (2019). 29 Bureau Vlinder (2020). De vijvers in het park zijn vaak ondiep."
    )
    entries, rest = split_footnotes(block)
    assert entries.startswith("27 ‘Kroosvijver’ noemen we hier") and entries.endswith("29 Bureau Vlinder (2020).")
    assert rest == "De vijvers in het park zijn vaak ondiep."
    # After entries too, numbered one higher than the one before.
    assert split_footnotes("12 Mus (2019). 13 Een kroosvijver is bedekt met kroos. 14 Vink (2021). Rest.")[1] == "Rest."


@pytest.mark.parametrize("block", [
    "13 daarvan waren nieuw in 2020. 14 Mus (2019). Rest.",  # a footnote opens with a capital
    "3 Tuinmannen maaien het riet elke week. 5 Mus (2019). Daarna groeit het weer.",  # 5 does not follow 3
    "27 Een kroosvijver is bedekt met kroos. De tuinmannen maaien het riet.",  # no entry after it
])
def test_a_numbered_sentence_without_the_next_entry_is_text(block):
    assert split_footnotes(block)[0] == ""


@pytest.mark.parametrize("sentence, note", [
    ("41 Daarbij is het vijverregister van 2020 gebruikt.", True),  # a footnote in words, alone
    ("132 Voor de telling zijn alle parken bezocht.", True),
    ("3 Veel tuinmannen maaien het riet elke week.", False),  # a report's numbered point
    ("41 vijvers hebben riet langs de oever.", False),  # a count in running text
    ("2021 Was een goed jaar voor de kikkers.", False),  # a year is no footnote number
])
def test_a_sentence_opening_with_a_footnote_number_of_twenty_or_more_is_a_note(sentence, note):
    assert is_note_sentence(sentence) is note


@pytest.mark.parametrize("sentence, start", [
    ("57 We rekenen een vijver tot de grote vijvers als hij meer dan een hectare beslaat.", 3),
    ("8 ‘Kroosdek’ wordt gedefinieerd als een laag kroos die het hele water van een vijver bedekt.", 2),
    ("12 Bureau Vlinder (2019).", 0),
    ("14 Mus e.a. (2020); zie ook Van der Veen (2021) voor de telling van de vijvers.", 0),
    ("30. Verslag van de vijverwerkgroep – gesprekken met de tuinmannen 12-19 maart 2031", 0),
    ("41 Een krachtige rol voor de tuinman in het park van de stad.", 0),  # a title: no clause
    ("Het park heeft negentien vijvers en de meeste zijn groter dan een hectare.", 0),  # no footnote
])
def test_a_footnote_that_explains_is_told_from_one_that_names_a_source(sentence, start):
    assert explanation(sentence) == start
