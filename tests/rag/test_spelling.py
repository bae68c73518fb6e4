"""Typing errors in a question, read as the documents' words (invented text, no corpus)."""

from __future__ import annotations

import pytest

from rag.retrieval.keyword import KeywordIndex, respelled, written_as_compounds
from rag.types import Chunk

TEXTS = (
    "De salamanders van het stadspark leven in de vijvers. Vrijwilligers tellen de salamanders elk voorjaar.",
    "Het aantal salamanders steeg, zeggen de vrijwilligers van de stichting Groene Oevers.",
    "Eén kikkervisje werd gezien bij de vijverrand.",
    "Het beheer van de vijver is in handen van de gemeente.",
)


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    chunks = [Chunk("park.txt", i, text, 0, len(text), content_hash="h") for i, text in enumerate(TEXTS)]
    return KeywordIndex.build("g1", chunks)


@pytest.mark.parametrize("typed, meant", [
    ("salamnders", "salamanders"),  # a letter missing
    ("salamadners", "salamanders"),  # two letters swapped
    ("vrijwiliggers", "vrijwilligers"),  # two edits in a long word
    ("salamanders", None),  # the documents use it
    ("fiets", None),  # a Dutch word the documents do not use: not a typing error
    ("kikervisje", "kikkervisje"),  # a word used once is a document word too
    # A compound the documents use only in parts ("vijver", "beheer"), one part mistyped.
    ("vijverbeher", "vijverbeheer"),
    ("vijvrbeheer", "vijverbeheer"),
    ("slmndrs", None),  # too far off
    ("wedr", None),  # words shorter than five letters are not guessed at ("werd")
])
def test_a_word_no_document_uses_is_read_as_the_nearest_document_word(index, typed, meant):
    assert index.spelled(typed) == meant


def test_a_question_is_searched_with_its_typing_errors_corrected_and_names_as_typed(index):
    assert respelled("Hoeveel salamnders tellen de vrijwiliggers?", index) == "Hoeveel salamanders tellen de vrijwilligers?"
    # A capitalised word after the first is a name: read only as a name the documents write.
    assert respelled("Tellen de vrijwilligers in Salamndria?", index) == "Tellen de vrijwilligers in Salamndria?"
    assert respelled("Tellen de vrijwilligers van Groene Oevrs?", index) == "Tellen de vrijwilligers van Groene Oevers?"
    assert respelled("Tellen de Vrijwiliggers?", index) == "Tellen de Vrijwilligers?"  # first word of a sentence there
    assert respelled("Hoeveel Salamnders?", index) == "Hoeveel Salamnders?"  # never written with a capital
    assert respelled("Salamnders in het park?", index) == "Salamanders in het park?"
    assert respelled("Hoeveel salamanders zijn er?", index) == "Hoeveel salamanders zijn er?"


def _index(generation: str, *texts: str) -> KeywordIndex:
    return KeywordIndex.build(generation, [Chunk("park.txt", i, t, 0, len(t), content_hash="h") for i, t in enumerate(texts)])


def test_two_words_the_documents_write_as_one_compound_are_joined():
    index = _index(
        "g2",
        "Het kikkertekort in de vijvers groeit. Een kikkertekort treft vooral de kleine vijvers.",
        "De vijver heeft een rand van riet; de gemeente maait de rand.",
        "Eén vijverrand werd gemaaid.",
    )
    assert respelled("Hoe groot is het kikker tekort?", index) == "Hoe groot is het kikkertekort?"
    assert respelled("Kikker tekort: hoe groot?", index) == "Kikkertekort: hoe groot?"  # the first word's capital kept
    assert respelled("Is de vijver rand gemaaid?", index) == "Is de vijver rand gemaaid?"  # written once: no compound of theirs
    assert respelled("Welke kikker Tekort-stichting?", index) == "Welke kikker Tekort-stichting?"  # a name after it
    assert respelled("Hoeveel kikkers tekort?", index) == "Hoeveel kikkers tekort?"  # "kikkerstekort" is not written


def test_a_phrase_with_aan_or_van_finds_the_compound_the_documents_write_for_it():
    index = _index(
        "g4",
        "Het kikkertekort in de vijvers groeit. Een kikkertekort treft vooral de kleine vijvers.",
        "Het rietbeheer is goed geregeld; goed rietbeheer helpt de vijvers.",
        "Er is een tekort aan salamanders.",
    )
    assert written_as_compounds("Hoe groot is het tekort aan kikkers?", index) == ["kikkertekort"]  # not "kikkerstekort"
    assert written_as_compounds("Hoe gaat het met het beheer van het riet?", index) == ["rietbeheer"]
    assert written_as_compounds("Is er een tekort aan salamanders?", index) == []  # no compound of theirs
    assert written_as_compounds("Wat vinden de vrijwilligers van het riet?", index) == []
    # The parts with only function words between them.
    assert written_as_compounds("Hoeveel kikkers zijn er tekort?", index) == ["kikkertekort"]
    assert written_as_compounds("Hoeveel kikkers in de vijver zijn er tekort?", index) == []  # another word between
    assert written_as_compounds("Zijn er meer kikkers of minder? Het tekort groeit.", index) == []  # too far apart


def test_a_superlative_of_a_word_the_documents_use_is_known():
    index = _index("g3", "De zware vijver is zwaar om te onderhouden.", "Een kleine vijver en een grote vijver.", "Dien het plan in.")
    assert index.knows("zwaarst") and index.knows("zwaarste") and index.knows("kleinste")
    # Not a superlative: "dienst" is a word of its own, more common than "dien".
    assert not index.knows("dienst")
    assert not index.knows("breedste")  # the documents never write "breed"


def test_a_plural_typed_without_its_apostrophe_is_written_with_it():
    # "radios" for "radio's": the documents' word is "kikkerradio", the plural of a word that ends
    # in a vowel takes "'s", not a bare "s" (which a typing correction would drop).
    text = "De kikkerradio’s van het park staan in de zomer aan bij de vijvers van de gemeente."
    index = KeywordIndex.build("g2", [Chunk("radio.txt", 0, text, 0, len(text), content_hash="h")])
    assert respelled("Wanneer staan de kikkerradios aan?", index) == "Wanneer staan de kikkerradio's aan?"
