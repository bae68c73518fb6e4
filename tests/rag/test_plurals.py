"""The other number of a noun where the stemmer splits singular and plural (`rag.text.plurals`)."""

from __future__ import annotations

import pytest

from rag.text.plurals import other_number_forms, other_number_stems
from rag.text.terms import TermIndex, question_terms


@pytest.mark.parametrize("word, forms", [
    # The short vowel becomes long in the plural: the stemmer writes it double ("dagen" -> "daag").
    ("dag", ("dagen",)), ("dagen", ("dag",)), ("bedrag", ("bedragen",)), ("bedragen", ("bedrag",)), ("weg", ("wegen",)),
    # Plurals in -eren, and with another vowel, also as the head of a compound.
    ("kind", ("kinderen",)), ("kinderen", ("kind",)), ("stad", ("steden",)), ("hoofdsteden", ("hoofdstad",)),
    # Joined by the stemmer already, or no noun with another plural.
    ("jaar", ()), ("jaren", ()), ("les", ()), ("lessen", ()), ("vijver", ()), ("geleden", ()),
    # "themas", "regios" typed for "thema's", "regio's"; not "status" (no word "statu").
    ("themas", ("thema",)), ("regios", ("regio",)), ("status", ()),
])
def test_the_other_number_where_the_stemmer_splits_them(word, forms):
    assert other_number_forms(word) == forms


def test_a_question_term_is_found_in_the_other_number():
    term = next(t for t in question_terms("Is het pad langs de vijver verhard?") if t.word == "pad")
    assert other_number_stems("pad") == term.alternatives
    assert TermIndex(["De paden langs de vijver zijn in 2022 verhard."]).contains(term)
    assert not TermIndex(["De oevers langs de vijver zijn in 2022 verhard."]).contains(term)
