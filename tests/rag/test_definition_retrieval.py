"""A definition question keeps one passage that says what its subject is (invented text)."""

from __future__ import annotations

from rag.retrieval.hybrid import _with_definition
from rag.retrieval.ranking import Candidate
from rag.text.question import analyse_question
from rag.types import Chunk


def candidates(*texts: str) -> list[Candidate]:
    return [Candidate(Chunk("vijvers.txt", i, text, 0, len(text), content_hash=f"h{i}")) for i, text in enumerate(texts)]


RANKED = candidates(
    "In de zomer ligt er veel kroos op de vijvers.",
    "De tuinmannen halen het kroos elke week weg.",
    "Het kroos groeit harder bij warm weer.",
    "Kroos is een klein drijvend plantje dat het water bedekt.",
)


def test_the_passage_that_defines_the_subject_takes_the_last_place():
    chosen = _with_definition(RANKED[:3], RANKED, analyse_question("Wat is kroos?"), 3)
    assert [c.chunk.index for c in chosen] == [0, 1, 3]


def test_nothing_changes_when_a_chosen_passage_defines_it_or_the_question_asks_no_definition():
    assert _with_definition(RANKED[1:4], RANKED, analyse_question("Wat is kroos?"), 3) == RANKED[1:4]
    assert _with_definition(RANKED[:3], RANKED, analyse_question("Hoe snel groeit kroos?"), 3) == RANKED[:3]
    assert _with_definition(RANKED[:1], RANKED, analyse_question("Wat is kroos?"), 1) == RANKED[:1]  # one passage: the best
