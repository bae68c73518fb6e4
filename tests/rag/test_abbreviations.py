"""A term and the abbreviation the documents introduce for it are one subject (invented text)."""

from __future__ import annotations

import pytest

from ingest.pipeline import Ingestor
from rag.pipeline import build
from rag.retrieval.keyword import KeywordIndex
from rag.settings import Settings
from rag.text.abbreviations import introduced_abbreviations, with_other_names
from rag.text.analysis import stem
from rag.text.terms import question_terms
from rag.types import Chunk


def test_a_word_with_its_abbreviation_in_brackets_introduces_it_both_ways():
    found = introduced_abbreviations(["Het vijverbeheerplan (vbp) is in 2020 vastgesteld. Het Kroosbeleid (KB's) volgde later."])
    assert found[stem("vbp")] == {"vijverbeheerplan"}
    assert found[stem("vijverbeheerplan")] == {"vbp"}
    assert found[stem("kb")] == {"kroosbeleid"}
    # The plural of the term is found by its stem.
    assert found.get(stem("vijverbeheerplannen")) == {"vbp"}


@pytest.mark.parametrize("text", [
    "De stichting vijverbeheer (svb) maait het riet.",  # a longer name's abbreviation: other first letter
    "Het vijverbeheer (vbk) begint in maart.",  # the letters are not all in the word, in order
    "De vijvergemeenschap (basis) telt mee.",  # a common word in brackets is a comment
    "Het plan (pl) geldt voor twee jaar.",  # a word too short to spell an abbreviation out
    "Het kikkerplan (2022) noemt drie maatregelen.",  # a year
    "Het kikkerplan (zie bijlage) noemt drie maatregelen.",  # a pointer
])
def test_brackets_that_do_not_abbreviate_the_word_before_them_introduce_nothing(text):
    assert introduced_abbreviations([text]) == {}


def test_question_terms_also_match_by_the_other_name():
    names = introduced_abbreviations(["Het vijverbeheerplan (vbp) is vastgesteld."])
    terms = with_other_names(question_terms("Wat kost het vijverbeheerplan?"), lambda s: names.get(s, frozenset()))
    plan = next(t for t in terms if t.word == "vijverbeheerplan")
    assert stem("vbp") in plan.alternatives
    short = next(t for t in with_other_names(question_terms("Wat kost het VBP?"), lambda s: names.get(s, frozenset())) if t.word == "vbp")
    assert stem("vijverbeheerplan") in short.alternatives


def test_the_keyword_index_knows_the_abbreviations_of_its_chunks():
    texts = ["Het vijverbeheerplan (vbp) is in 2020 vastgesteld.", "Het vbp kost jaarlijks € 40.000."]
    index = KeywordIndex.build("g1", [Chunk("park.txt", i, t, 0, len(t), content_hash="h") for i, t in enumerate(texts)])
    assert index.also_written(stem("vijverbeheerplan")) == {"vbp"}
    assert index.also_written(stem("vijver")) == frozenset()


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
