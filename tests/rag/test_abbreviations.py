"""A term and the abbreviation the documents introduce for it are one subject (invented text)."""

from __future__ import annotations

import pytest

from ingest.pipeline import Ingestor
from rag.pipeline import build
from rag.retrieval.keyword import KeywordIndex
from rag.settings import Settings
from rag.text.abbreviations import Abbreviations
from rag.text.analysis import stem
from rag.text.terms import question_terms
from rag.types import Chunk


def _terms(question: str, texts: list[str]):
    other_names = Abbreviations.of_texts(texts).in_question(question)
    terms = question_terms(question)
    return other_names.widen(terms), other_names.searched(terms)


def test_a_word_with_its_abbreviation_in_brackets_introduces_it():
    found = Abbreviations.of_texts(["Het vijverbeheerplan (vbp) is in 2020 vastgesteld. Het Kroosbeleid (KB's) volgde later."])
    assert found.terms == {"vbp": (("vijverbeheerplan",),), "kb": (("kroosbeleid",),)}


def test_a_name_of_several_words_introduces_its_abbreviation_without_its_small_words_giving_letters():
    found = Abbreviations.of_texts([
        "Dat besloot de stichting Groene Oevers (SGO). Er is zorg voor kikkers en salamanders (ks). "
        "Het gaat om de overgang van voor- en vroegschoolse kikkerzorg (vvk) naar de vijver."
    ])
    assert found.terms["sgo"] == (("stichting", "groene", "oevers"),)
    assert found.terms["ks"] == (("kikkers", "en", "salamanders"),)
    assert found.terms["vvk"] == (("voor", "en", "vroegschoolse", "kikkerzorg"),)


@pytest.mark.parametrize("text", [
    "Het vijverbeheer (svb) maait het riet.",  # another first letter: a longer name's abbreviation
    "Het vijverbeheer (vbk) begint in maart.",  # the letters are not all in the word, in order
    "De vijvergemeenschap (basis) telt mee.",  # a common word in brackets is a comment
    "Het plan (pl) geldt voor twee jaar.",  # a word too short to spell an abbreviation out
    "Het kikkerplan (2022) noemt drie maatregelen.",  # a year
    "Het kikkerplan (zie bijlage) noemt drie maatregelen.",  # a pointer
    "De kikkers leven in het speciaal onderwijs (so).",  # a sector: `rag.text.sectors` knows those
    "De gemeente telt. Vijvers (gv) zijn er genoeg.",  # a name does not reach back over a sentence's end
    "Het vijverbeheer (vb)werk begint in maart.",  # a bracket inside a word is part of it
])
def test_brackets_that_do_not_abbreviate_the_words_before_them_introduce_nothing(text):
    assert not Abbreviations.of_texts([text])


def test_a_question_term_is_also_found_by_its_other_name():
    texts = ["Het vijverbeheerplan (vbp) is vastgesteld door de stichting Groene Oevers (SGO)."]
    terms, searched = _terms("Wat kost het vijverbeheerplan?", texts)
    assert next(t for t in terms if t.word == "vijverbeheerplan").has_other_name_in({stem("vbp")})
    assert searched == ["vbp"]
    terms, searched = _terms("Wat kost het VBP?", texts)
    assert next(t for t in terms if t.word == "vbp").has_other_name_in({stem("vijverbeheerplan")})
    assert searched == ["vijverbeheerplan"]
    # A name of more words is found where all its words are; each of its words also as the abbreviation.
    terms, searched = _terms("Wat doet de SGO?", texts)
    sgo = next(t for t in terms if t.word == "sgo")
    assert sgo.has_other_name_in({stem(w) for w in ("stichting", "groene", "oevers", "doet")})
    assert not sgo.has_other_name_in({stem(w) for w in ("stichting", "oevers")})
    terms, searched = _terms("Wat doet de stichting Groene Oevers?", texts)
    assert all(t.has_other_name_in({"sgo"}) for t in terms if t.word in ("stichting", "groene", "oevers"))
    assert searched == ["sgo"]


def test_an_abbreviation_the_documents_introduce_is_a_name_also_in_lower_case():
    texts = ["Het vijverbeheerplan (vbp) is vastgesteld."]
    terms, _ = _terms("Wat kost het vbp per jaar?", texts)
    assert next(t for t in terms if t.word == "vbp").is_specific
    assert not next(t for t in terms if t.word == "jaar").is_specific


def test_the_keyword_index_knows_the_abbreviations_of_its_chunks():
    texts = ["Het vijverbeheerplan (vbp) is in 2020 vastgesteld.", "Het vbp kost jaarlijks € 40.000."]
    index = KeywordIndex.build("g1", [Chunk("park.txt", i, t, 0, len(t), content_hash="h") for i, t in enumerate(texts)])
    assert index.abbreviations().terms == {"vbp": (("vijverbeheerplan",),)}


PARK = """# Het beheer van de vijvers

## Het plan

De gemeente stelde in 2020 het vijverbeheerplan (vbp) vast. Het plan beschrijft hoe het riet langs de oevers wordt gemaaid en wanneer de vijvers worden uitgebaggerd.

## De kosten

Uitvoering van het vbp kost jaarlijks € 40.000. De vrijwilligers van de stichting helpen bij het maaien.

## De kikkers

Kikkers schuilen in het riet. Bij de telling van 2023 zagen de vrijwilligers 310 kikkers.
"""


@pytest.mark.slow
def test_a_question_by_the_spelled_out_term_is_answered_from_the_passage_that_abbreviates_it(tmp_path, models_dir, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "park.md").write_text(PARK, encoding="utf-8")
    settings = Settings(_env_file=None, home=tmp_path / "home", model_cache=models_dir)
    parts = build(settings)
    assert Ingestor(settings, parts.store, embedder).ingest([docs]).indexed == 1
    engine = build(settings).engine
    answer = engine.ask("Hoeveel geld gaat er naar het vijverbeheerplan?")
    assert not answer.refused, answer.text
    assert "€ 40.000" in answer.text.split("[1]")[0]
