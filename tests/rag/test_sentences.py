"""The fast Dutch sentence splitter: exact spans, abbreviations, list items and headings."""

from __future__ import annotations

import pytest

from rag.text.sentences import split_sentences

TEXT = (
    "Over de sloot: het Friese KROOS-programma\n\n"
    "Het Friese KROOS-programma bestaat al ruim 12 jaar. Het programma groeit nog steeds. Ongeveer 1.400 vijvers "
    "(40% van alle vijvers) doen aan het programma mee.\n\n"
    "De volgende tellingen hebben plaatsgevonden:\n\n"
    "• 3 groepstellingen met 7 boswachters van verschillende vijvers.\n"
    "• 9 losse tellingen."
)


def test_spans_are_exact_slices_with_line_kinds():
    sentences = split_sentences(TEXT)
    assert [s.text for s in sentences] == [
        "Over de sloot: het Friese KROOS-programma",
        "Het Friese KROOS-programma bestaat al ruim 12 jaar.",
        "Het programma groeit nog steeds.",
        "Ongeveer 1.400 vijvers (40% van alle vijvers) doen aan het programma mee.",
        "De volgende tellingen hebben plaatsgevonden:",
        "• 3 groepstellingen met 7 boswachters van verschillende vijvers.",
        "• 9 losse tellingen.",
    ]
    assert all(TEXT[s.start : s.end] == s.text for s in sentences)
    assert [s.kind for s in sentences] == ["heading", "prose", "prose", "prose", "prose", "bullet", "bullet"]
    assert [s.number for s in sentences] == list(range(7))
    assert sentences[4].ends_with_colon


@pytest.mark.parametrize(
    "line",
    [
        "Dit geldt o.a. voor het po. En ook voor het vo.",
        "Het gaat om ca. 30 scholen. Dat is weinig.",
        "Volgens J. de Vries is dat zo. Anderen twijfelen.",
        "Er is € 3,9 mld. meer uitbetaald. Dat bleek later.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(line):
    assert len(split_sentences(line)) == 2


def test_a_stop_before_a_lower_case_word_is_no_sentence_end():
    assert len(split_sentences("Het aantal steeg t.o.v. vorig jaar. Dat is opvallend.")) == 2
    assert len(split_sentences("Zie blz. 12 voor details, en hfst. drie.")) == 1


def test_a_prose_line_broken_off_by_the_layout_continues_on_the_next_line():
    text = "Kop\nIn de vijvers van Vlinderstad, Kikkerdorp,\nRandland en Rietveld is het kroos 24%, maar ook elders. Nieuwe zin.\n• een item"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Kop",
        "In de vijvers van Vlinderstad, Kikkerdorp,\nRandland en Rietveld is het kroos 24%, maar ook elders.",
        "Nieuwe zin.",
        "• een item",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.kind for s in sentences] == ["heading", "prose", "prose", "bullet"]


def test_a_full_stop_typed_for_a_comma_in_a_list_of_names_ends_no_sentence():
    text = "In de dorpen Kikkerdorp, Padstede. Vlinderhoven, Oeverwijk en Rietstad zijn 40 vijvers. Dat is veel."
    assert [s.text for s in split_sentences(text)] == [
        "In de dorpen Kikkerdorp, Padstede. Vlinderhoven, Oeverwijk en Rietstad zijn 40 vijvers.", "Dat is veel.",
    ]
    # A name ends a sentence as usual when no list goes on after it.
    assert len(split_sentences("Hij woont in Kikkerdorp, Padstede. Ook in Rietstad, zegt hij, zijn vijvers.")) == 2
    assert len(split_sentences("Zo zegt Jansen. Daarom, zegt hij, moet het anders.")) == 2


def test_a_title_glued_to_the_first_sentence_of_its_paragraph_is_a_heading():
    text = "Meer vijvers dan ooit in het park In 2023 telde het park 19 vijvers. Dat is veel."
    assert [(s.kind, s.text) for s in split_sentences(text)] == [
        ("heading", "Meer vijvers dan ooit in het park"), ("prose", "In 2023 telde het park 19 vijvers."), ("prose", "Dat is veel."),
    ]
    # Capitalised words inside a sentence that are names or titles stay in it.
    for sentence in ("Volgens De Rots is het park groot.", "Ten eerste noemt Van der Veen de vijvers.", "Het rapport De Vijvers verschijnt jaarlijks."):
        assert [s.text for s in split_sentences(sentence)] == [sentence]
