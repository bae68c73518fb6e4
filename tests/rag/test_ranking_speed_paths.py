"""The fast paths of retrieval give exactly what the plain ones gave."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rag.text.question import analyse_question
from rag.text.sources import SourceMention
from rag.retrieval.ranking import Candidate, Diversity, distinct, diversify, drop_near_duplicates
from rag.retrieval.keyword import top_rows
from rag.types import Chunk


def test_top_rows_is_a_stable_argsort_cut_off():
    rng = np.random.default_rng(3)
    for size, n in ((10, 80), (500, 80), (2000, 5), (300, 299)):
        scores = np.round(rng.random(size) * 5, 1).astype(np.float32)  # many ties
        scores[rng.random(size) < 0.3] = 0.0
        assert top_rows(scores, n) == [int(i) for i in np.argsort(-scores, kind="stable")[:n]]


def _candidate(doc: str, index: int, text: str) -> Candidate:
    return Candidate(Chunk(document_id=doc, index=index, text=text, start=0, end=len(text)))


def test_lazy_distinct_chooses_what_dropping_all_duplicates_first_chose():
    base = "De inspectie ziet dat scholen het burgerschapsonderwijs verschillend inrichten en toetsen"
    ranked = []
    for i in range(60):
        doc = f"d{i % 3}.txt"
        text = base if i % 4 == 0 else f"{base} variant {i} met eigen woorden nummer {i} extra zin over leraren {i}"
        ranked.append(_candidate(doc, i, text if i % 5 else f"Geheel andere passage {i} over leesmotivatie en lezen {i}"))
    question = analyse_question("Hoe richten scholen burgerschap in?")
    for k in (1, 3, 5, 10):
        eager = diversify(drop_near_duplicates(ranked, 0.7), k, question, Diversity())
        lazy = diversify(distinct(ranked, 0.7), k, question, Diversity())
        assert [c.chunk.index for c in lazy] == [c.chunk.index for c in eager]
    assert [c.chunk.index for c in distinct(ranked, 0.7)] == [c.chunk.index for c in drop_near_duplicates(ranked, 0.7)]


def test_a_question_naming_two_documents_keeps_a_place_for_each_of_them():
    texts = [("a.txt", "Vijvers in het park"), ("a.txt", "Meer vijvers"), ("c.txt", "Riet langs de oever"),
             ("c.txt", "Meer riet"), ("b.txt", "Het kikkerplan"), ("d.txt", "Het bijenplan")]  # fmt: skip
    ranked = [_candidate(doc, i, text) for i, (doc, text) in enumerate(texts)]
    question = replace(analyse_question("Wat zeggen het kikkerplan en het bijenplan?"), mention=SourceMention(("b.txt", "d.txt")))
    chosen = diversify(ranked, 5, question, Diversity(per_document=2, comparing=2))
    docs = [c.chunk.document_id for c in chosen]
    assert "b.txt" in docs and "d.txt" in docs, docs
    # Two named documents, both missing from the top: both get a place.
    question = replace(question, mention=SourceMention(("e.txt", "f.txt")))
    ranked += [_candidate("e.txt", 7, "Het egelplan"), _candidate("f.txt", 8, "Het vossenplan")]
    docs = [c.chunk.document_id for c in diversify(ranked, 5, question, Diversity(per_document=2, comparing=2))]
    assert "e.txt" in docs and "f.txt" in docs, docs


def test_the_one_document_a_question_names_gets_a_place_when_none_of_its_passages_made_the_top():
    ranked = [_candidate("a.txt", i, f"Vijver {i} in het park") for i in range(3)]
    ranked += [_candidate("b.txt", 3, "Riet langs de oever"), _candidate("c.txt", 4, "Kroos op het water")]
    ranked += [_candidate("d.txt", 5, "Het kikkerplan over vijvers")]
    question = replace(analyse_question("Wat zegt het kikkerplan over vijvers?"), mention=SourceMention(("d.txt",)))
    docs = [c.chunk.document_id for c in diversify(ranked, 5, question, Diversity(per_document=3, comparing=2))]
    assert docs == ["a.txt"] * 3 + ["b.txt", "d.txt"]  # the last place, softly: the rest stays in order
    # Not named: the order stands.
    plain = analyse_question("Wat staat er over vijvers?")
    docs = [c.chunk.document_id for c in diversify(ranked, 5, plain, Diversity(per_document=3, comparing=2))]
    assert docs == ["a.txt"] * 3 + ["b.txt", "c.txt"]


def test_one_document_takes_at_most_its_share_of_the_top_unless_the_question_names_it():
    # Six passages of a.txt rank first, then one of b.txt and one of c.txt.
    ranked = [_candidate("a.txt", i, f"Vijver {i} in het park") for i in range(6)]
    ranked += [_candidate("b.txt", 6, "Riet langs de oever"), _candidate("c.txt", 7, "Kroos op het water")]
    question = analyse_question("Hoeveel vijvers heeft het park?")
    docs = [c.chunk.document_id for c in diversify(ranked, 5, question, Diversity(per_document=3, comparing=2))]
    assert docs == ["a.txt"] * 3 + ["b.txt", "c.txt"]
    # A question that compares gets the smaller cap; the places left go to what was held back.
    comparing = replace(question, compares=True)
    docs = [c.chunk.document_id for c in diversify(ranked, 5, comparing, Diversity(per_document=3, comparing=2))]
    assert docs == ["a.txt"] * 2 + ["b.txt", "c.txt", "a.txt"]
    # The one document the question names may fill every place.
    named = replace(question, mention=SourceMention(("a.txt",)))
    docs = [c.chunk.document_id for c in diversify(ranked, 5, named, Diversity(per_document=3, comparing=2))]
    assert docs == ["a.txt"] * 5
