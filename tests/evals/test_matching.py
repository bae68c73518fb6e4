"""Passage-covers-quote matching on hand-made texts with hand-counted canonical lengths."""

from __future__ import annotations

import pytest

from evals.matching import GoldQuotes, canonical, covers, quote_forms

# 20 distinct 7-character words: the quote has 140 canonical characters, so a partial
# match needs ceil(0.5 * 140) = 70 characters = 10 whole words.
WORDS = [f"woord{i:02d}" for i in range(20)]
QUOTE = " ".join(WORDS)


def test_canonical_keeps_only_folded_letters_and_digits():
    assert canonical("Ruimte in Onderwijs-\ntijd, 2020!") == "ruimteinonderwijstijd2020"
    assert canonical("Geïnspireerd") == "geïnspireerd"


def test_raw_layout_and_hyphenation_do_not_matter():
    quote = "Deze vijver-\nplanten kunnen worden ingedeeld in drie groepen: KROOS-wa-\nterplanten."
    passage = "Inleiding. Deze vijverplanten kunnen worden ingedeeld in drie groepen: KROOS-waterplanten. Slot."
    assert covers(passage, quote)


def test_footnote_numbers_in_the_quote_are_ignored():
    quote = "Dat is de taak van de schoolleider.12 Daarna volgt de evaluatie van het beleid."
    assert quote_forms(quote)[1] == "datisdetaakvandeschoolleiderdaarnavolgtdeevaluatievanhetbeleid"
    assert covers("Dat is de taak van de schoolleider. Daarna volgt de evaluatie van het beleid.", quote)


def test_a_passage_with_half_of_a_long_quote_covers_it():
    assert len(canonical(QUOTE)) == 140
    assert covers("Begin van de chunk. " + " ".join(WORDS[:10]), QUOTE)     # 70 of 140
    assert not covers("Begin van de chunk. " + " ".join(WORDS[:9]), QUOTE)  # 63 of 140
    assert covers(" ".join(WORDS[10:]) + " en dan de volgende zin.", QUOTE)  # the tail, 70


def test_a_quote_straddling_two_chunks_is_covered_by_the_one_holding_most_of_it():
    first, second = " ".join(WORDS[:11]), " ".join(WORDS[11:])  # 77 and 63 characters
    gold = GoldQuotes([QUOTE])
    assert [gold.covered_by(first), gold.covered_by(second)] == [frozenset({0}), frozenset()]


def test_short_quotes_need_at_least_40_characters_in_common():
    quote = " ".join(WORDS[:7])  # 49 canonical characters: half would be 25, the floor is 40
    assert not covers(" ".join(WORDS[:5]), quote)  # 35
    assert covers(" ".join(WORDS[:6]), quote)      # 42
    short = "in het primair onderwijs"  # 21 characters: only the whole quote counts
    assert covers("Leraren in het primair onderwijs werken hard.", short)
    assert not covers("Leraren in het primair", short)


def test_scattered_words_are_not_a_contiguous_part():
    scrambled = " ".join(reversed(WORDS))
    assert not covers(scrambled, QUOTE)
    assert not covers("", QUOTE)


def test_gold_quotes_report_which_quotes_a_passage_covers():
    gold = GoldQuotes(["Sinds 1998 beschikken tuinmannen over een keurmerk.",
                       "De huidige keurmerk dateert uit 2019.", QUOTE])
    passage = "Sinds 1998 beschikken tuinmannen over een keurmerk. De huidige keurmerk dateert uit 2019."
    assert gold.covered_by(passage) == frozenset({0, 1})
    assert len(gold) == 3


@pytest.mark.parametrize("quote", ["", "   ", "…"])
def test_a_quote_without_letters_or_digits_covers_nothing(quote):
    assert not GoldQuotes([quote]).covered_by("Welke tekst dan ook.")
