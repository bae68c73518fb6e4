"""A question that names a document by title, publisher, alias or acronym is recognised."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.text.sources import SourceMatcher

DOCS = [
    SimpleNamespace(id="vijvers.txt", title="De Toestand van de Vijvers 2023", publisher="Bureau voor Vijvers",
                    aliases=("Toestand van de Vijvers", "de Toestand", "vijverbureau")),
    SimpleNamespace(id="kikker.txt", title="Plan Kikker Voorop!", publisher="KNV en Stichting Kikker",
                    aliases=("kikkerplan",)),
]


@pytest.fixture(scope="module")
def matcher() -> SourceMatcher:
    return SourceMatcher.of_documents(DOCS)


@pytest.mark.parametrize("question, document", [
    ("Wat staat er in De Toestand van de Vijvers 2023 over riet?", "vijvers.txt"),
    ("Wat zegt de Toestand over riet?", "vijvers.txt"),
    ("Volgens het Bureau voor Vijvers groeit het riet?", "vijvers.txt"),
    ("Wat vindt het vijverbureau?", "vijvers.txt"),
    ("Wat wil de KNV?", "kikker.txt"),
    ("Wat stelt Stichting Kikker voor?", "kikker.txt"),
    ("Wat staat er in het nieuwe kikkerplan?", "kikker.txt"),
])
def test_named_sources_are_found(matcher, question, document):
    assert matcher.match(question).documents == (document,)


@pytest.mark.parametrize("question", [
    "Wat is de toestand van het riet?",  # common words without their capitals name nothing
    "Hoeveel vijvers zijn er?",
    "Wat staat er over kikkers?",
])
def test_ordinary_words_name_no_source(matcher, question):
    assert not matcher.match(question)


def test_the_mention_can_be_stripped_with_its_article_and_year(matcher):
    question = "Hoeveel vijvers telt De Toestand van de Vijvers 2023 in het noorden?"
    mention = matcher.match(question)
    assert mention.strip(question) == "Hoeveel vijvers telt in het noorden?"


def test_two_named_documents_are_both_found_in_order(matcher):
    mention = matcher.match("Zijn de KNV en het vijverbureau het eens?")
    assert mention.documents == ("kikker.txt", "vijvers.txt")
