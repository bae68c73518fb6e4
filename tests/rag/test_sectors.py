"""Which sectors of education a text names (invented sentences)."""

from __future__ import annotations

import pytest

from rag.text.sectors import other_sector_only, scope_sectors, sector_names, sector_words, sectors


@pytest.mark.parametrize("text, named", [
    ("Po-scholen en basisscholen tellen veel vijvers.", {"po"}),
    ("Op de middelbare school, in het vmbo en op het vwo", {"vo"}),
    ("Het speciaal basisonderwijs (sbo) heeft een vijver.", {"sbo"}),
    ("In het (v)so en het voortgezet speciaal onderwijs", {"so"}),
    ("Roc's, hogescholen en universiteiten", {"mbo", "hbo", "wo"}),
    ("In het funderend onderwijs groeit het kroos.", {"po", "sbo", "so", "vo", "pro"}),
    ("Het kroos groeit in de vijver.", set()),
    ("Hoeveel vijvers heeft het hoger onderwijs?", {"hbo", "wo"}),
    ("In het ho is het kroos hoger dan in het vo.", {"hbo", "wo", "vo"}),
    ("Het kroos groeit hoger op.", set()),
    ("De vos en de povere boer", set()),
])
def test_sectors(text, named):
    assert sectors(text) == named


def test_a_text_about_another_sector_only():
    asked = sectors("Hoeveel vijvers hebben middelbare scholen?")
    assert other_sector_only(asked, "In het po zijn er 12 vijvers.")
    assert not other_sector_only(asked, "In het po zijn er 12 vijvers, in het vo 3.")
    assert not other_sector_only(asked, "Er zijn 12 vijvers.")
    assert not other_sector_only(frozenset(), "In het po zijn er 12 vijvers.")


@pytest.mark.parametrize("text, found", [
    ("Hoeveel vijvers hebben scholen in het primair onderwijs?", {"primair", "onderwijs"}),
    ("Tellen basisscholen en po-scholen vijvers?", {"basisscholen", "po"}),
    ("In het voortgezet speciaal onderwijs (vso)", {"voortgezet", "speciaal", "onderwijs", "vso"}),
    ("Het kroos groeit in de vijver.", set()),
])
def test_sector_words(text, found):
    assert sector_words(text) == found


def test_sector_names_in_school_order():
    assert sector_names(frozenset({"mbo", "po", "so"})) == ["het po", "het (v)so", "het mbo"]


@pytest.mark.parametrize("text, scope", [
    ("Is het maaien in het vo duurder dan in het po?", {"vo", "po"}),
    ("Hoeveel vijvers hebben scholen in het hbo en het wo?", {"hbo", "wo"}),
    ("Wat is het verschil tussen po en vo?", {"po", "vo"}),
    # Named, but not as the scope of the question: a level, a group of pupils.
    ("Waarom halen zoveel vmbo'ers het leesniveau van de basisschool niet?", set()),
])
def test_the_sectors_a_question_names_as_its_scope(text, scope):
    assert scope_sectors(text) == scope
