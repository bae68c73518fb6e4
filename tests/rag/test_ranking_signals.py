"""Signals of the ranker that depend on a chunk's place in its document (invented text)."""

from __future__ import annotations

import pytest

from rag.retrieval.ranking import FEATURES, Candidate, features
from rag.text.question import analyse_question
from rag.types import Chunk

TEXT = "In het stadspark tellen vrijwilligers elk voorjaar ruim tweehonderd padden."


def candidate(section: str | None, index: int = 0) -> Candidate:
    chunk = Chunk("vijverplan.txt", index, TEXT, 0, len(TEXT), section=section, content_hash="h")
    return Candidate(chunk, dense=0.5, dense_rank=index + 1)


@pytest.mark.parametrize("section, summing_up", [
    ("Samenvatting", True),
    ("3 Padden > 3.1 Hoofdlijnen > Meer padden", True),
    ("5. Conclusie en aanbevelingen > 5.2 Conclusies", True),
    ("3 Padden > 3.2 Tellingen", False),
    (None, False),
    ("Samenvattingen van tellingen elders", False),  # a word of its own, not "samenvatting"
])
def test_a_chunk_in_a_section_that_sums_up_is_marked(section, summing_up):
    [row] = features(analyse_question("Hoeveel padden tellen de vrijwilligers?"), [candidate(section)], dense_depth=80)
    assert row["summary"] == float(summing_up)
    assert "summary" in FEATURES


def test_a_question_that_asks_for_the_conclusions_does_not_mark_them():
    question = analyse_question("Wat zijn de conclusies over de padden in het stadspark?")
    [row] = features(question, [candidate("Samenvatting")], dense_depth=80)
    assert row["summary"] == 0.0
