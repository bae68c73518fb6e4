"""The refusal decision on hand-made passages of real corpus sentences."""

from __future__ import annotations

import pytest

from rag.refusal import RefusalPolicy, TermIndex, question_terms
from rag.types import Chunk, Passage

VERZUIM = (
    "Op po-scholen en bij vmbo-afdelingen waar leerlingen een hoger welzijn en hogere sociale veiligheid "
    "ervaren, is het ziekteverzuim onder onderwijspersoneel lager (Inspectie van het Onderwijs, 2024r)."
)
STRESS = "Het percentage jongeren dat druk ervaart door schoolwerk ligt in 2021 op 45% (Boer et al., 2022)."
TOEZICHT = (
    "Op 1 augustus 2023 stonden 8 besturen onder aangepast financieel toezicht (Inspectie van het Onderwijs, 2024k). "
    "Het ging om 3 besturen in het po, 2 in het (v)so, 2 in het vo en 1 in het hbo."
)
NP_GELD = (
    "In 2022-2023 zette bijna driekwart van de po-scholen de NP-Onderwijsmiddelen deels in op activiteiten "
    "die het welbevinden van leerlingen bevorderen."
)
SCHOOLLEIDERS = (
    "Schoolleiders worden in Nederland opgeleid via een schoolleidersopleiding; sinds 2002 beschikken "
    "schooldirecteuren over een beroepsstandaard."
)


def passages(*texts: str, dense: float | None = 0.9, keyword: float | None = 8.0) -> list[Passage]:
    return [
        Passage(Chunk("doc.txt", i, t, 0, len(t), content_hash="h"), score=0.9 - i / 100, rank=i + 1, dense_score=dense, keyword_score=keyword)
        for i, t in enumerate(texts)
    ]


def test_answerable_question_is_not_refused():
    decision = RefusalPolicy().decide("Hoeveel schoolbesturen staan onder aangepast financieel toezicht?", passages(TOEZICHT))
    assert not decision.refuse
    assert decision.signals.coverage == 1.0


def test_absent_rare_word_refuses_even_when_the_passages_are_close():
    question = "Wat was het gemiddelde ziekteverzuimpercentage van leraren in het primair onderwijs in 2021?"
    decision = RefusalPolicy().decide(question, passages(VERZUIM, TOEZICHT, dense=0.91))
    assert decision.refuse
    assert "ziekteverzuimpercentage" in decision.signals.missing_specific
    assert "ziekteverzuimpercentage" in decision.reason


def test_compound_counts_as_present_when_both_parts_occur():
    question = "Wat was het ziekteverzuimpercentage in 2021?"
    decision = RefusalPolicy().decide(question, passages(VERZUIM, STRESS))
    assert "ziekteverzuimpercentage" not in decision.signals.missing
    assert not decision.refuse


def test_absent_name_refuses():
    decision = RefusalPolicy().decide("Hoe worden schoolleiders in Japan opgeleid en geselecteerd?", passages(SCHOOLLEIDERS))
    assert decision.refuse
    assert decision.signals.missing_specific == ("japan",)


def test_hyphenated_name_counts_as_present_when_one_part_occurs():
    question = "Hoeveel basisscholen hebben hun NP-Onderwijsgeld gebruikt voor het welbevinden van leerlingen?"
    signals = RefusalPolicy().signals(question, passages(NP_GELD))
    assert "onderwijsgeld" in signals.missing  # the word itself is not there ...
    assert signals.missing_specific == ()  # ... but "NP" is, so it is no missing name


def test_absent_year_refuses():
    decision = RefusalPolicy().decide("Hoeveel besturen stonden in 2019 onder aangepast financieel toezicht?", passages(TOEZICHT))
    assert decision.refuse and decision.signals.missing_specific == ("2019",)


def test_low_cosine_refuses_and_missing_cosine_is_no_evidence():
    question = "Hoeveel besturen stonden onder aangepast financieel toezicht?"
    assert RefusalPolicy().decide(question, passages(TOEZICHT, dense=0.80)).refuse
    assert not RefusalPolicy().decide(question, passages(TOEZICHT, dense=None)).refuse


def test_keyword_threshold_is_used_only_when_set():
    question = "Hoeveel besturen stonden onder aangepast financieel toezicht?"
    low_bm25 = passages(TOEZICHT, keyword=1.0)
    assert not RefusalPolicy().decide(question, low_bm25).refuse
    assert RefusalPolicy(min_keyword=2.0).decide(question, low_bm25).refuse


def test_low_coverage_refuses():
    question = "Welke vergoeding krijgen stagiairs voor reiskosten en huisvesting tijdens de opleiding?"
    decision = RefusalPolicy(refuse_on_missing_specific=False).decide(question, passages(TOEZICHT))
    assert decision.refuse and decision.signals.coverage < 0.3


def test_no_passages_is_a_refusal():
    assert RefusalPolicy().decide("Wat is passend onderwijs?", []).refuse


def test_pointers_to_the_conversation_are_not_key_terms():
    assert [t.word for t in question_terms("En welke rol heeft de schoolleider daarin?")] == ["rol", "schoolleider"]


def test_term_index_finds_inflections_and_compound_parts():
    index = TermIndex(["De vergrijzing van directeuren zet door.", "Er zijn veel directeursvacatures in het westen."])
    present = {t.word: index.contains(t) for t in question_terms("Hoe vergrijsd zijn directeuren, en waar zijn de vacatures? Japan?")}
    assert present == {"vergrijsd": True, "directeuren": True, "vacatures": True, "japan": False}


@pytest.mark.parametrize(
    "kwargs, message",
    [({"top_n": 0}, "top_n must be greater than 0, got 0"), ({"min_coverage": 1.5}, "min_coverage must be between 0 and 1, got 1.5")],
)
def test_nonsense_thresholds_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RefusalPolicy(**kwargs)


def test_a_name_is_not_found_inside_other_words():
    # "Duitsland" must not count as present because "duits" hides in "einduitstroom" and "land" is a word.
    from rag.refusal import TermIndex, question_terms

    index = TermIndex(["De einduitstroom naar het mbo stijgt in het hele land."])
    duitsland = next(t for t in question_terms("Hoeveel verdient een directeur in Duitsland?") if t.word == "duitsland")
    assert duitsland.is_name
    assert not index.contains(duitsland)
    assert index.contains(next(t for t in question_terms("Hoe groot is de einduitstroom?") if t.word == "einduitstroom"))
