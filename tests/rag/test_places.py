"""Countries outside the Netherlands a text names (invented text)."""

from __future__ import annotations

import pytest

from rag.text.places import asks_abroad, foreign_places, names_home


@pytest.mark.parametrize("text, places", [
    ("In Zweden maaien vrijwilligers het riet.", {"Zweden"}),
    ("Bijna alle Finse tuinmannen hebben een diploma.", {"Finland"}),
    ("Het Schotse vijverplan en de Noorse kikkers", {"Schotland", "Noorwegen"}),
    ("Over de grens: vijvers in Nieuw-Zeeland", {"Nieuw-Zeeland"}),
    # A school subject, and where pupils' families come from, name no country the text is about.
    ("De tuinmannen geven les in Engels en Frans.", set()),
    ("Turkse en Marokkaanse kinderen vangen kikkers.", set()),
    # The kingdom's own islands are no other country.
    ("Op Bonaire en Curaçao zijn geen vijvers.", set()),
])
def test_foreign_places_by_name_and_adjective(text, places):
    assert foreign_places(text) == places


def test_a_question_about_other_countries_names_one_or_asks_about_them_at_large():
    assert asks_abroad("Hoe maaien ze het riet in Zweden?")
    assert asks_abroad("Hoe doen andere landen dat?") and asks_abroad("Wat zegt internationaal onderzoek?")
    assert not asks_abroad("Hoeveel tuinmannen maaien het riet?")
    assert names_home("Nederlandse kikkers") and names_home("in Nederland") and not names_home("in Zweden")


def test_a_country_and_its_adjective_find_each_other():
    from rag.text.terms import TermIndex, question_terms

    schotse = next(t for t in question_terms("Hoe maaien Schotse tuinmannen het riet?") if t.word == "schotse")
    assert TermIndex(["In Schotland maaien vrijwilligers het riet."]).contains(schotse)
    zweden = next(t for t in question_terms("Hoe maaien ze het riet in Zweden?") if t.word == "zweden")
    assert TermIndex(["Zweedse vrijwilligers maaien het riet."]).contains(zweden)
    # A language or where a family comes from is no such adjective.
    engels = next(t for t in question_terms("Wie geeft er Engels?") if t.word == "engels")
    assert not TermIndex(["In Engeland maaien vrijwilligers het riet."]).contains(engels)
