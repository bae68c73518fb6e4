"""Dutch stems: endings come off, a "ge" inside a word stays (invented and everyday words)."""

import pytest

from rag.text.analysis import content_stems, stem


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("begeleiding", "beleid"),  # guidance is no policy
        ("gemiddeld", "middel"),  # an average is no means
        ("gemeente", "meente"),
        ("mogelijk", "molijk"),
        ("burgerschap", "burrschap"),
    ],
)
def test_a_ge_inside_a_word_is_not_taken_out(one: str, other: str):
    assert stem(one) != stem(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("begeleiding", "begeleiden"),
        ("gemeente", "gemeenten"),
        ("gemiddeld", "gemiddelde"),
        ("scholen", "school"),
        ("leraren", "leraar"),
        ("vijvers", "vijver"),
        ("geven", "gegeven"),  # a participle whose stem keeps its own beginning still meets its verb
    ],
)
def test_forms_of_one_word_share_a_stem(one: str, other: str):
    assert stem(one) == stem(other)


def test_a_double_consonant_before_an_ending_is_no_ge():
    assert stem("zeggen") == stem("zeg")
    assert stem("leggen") == stem("leg")


def test_content_stems_stem_every_word_as_stem_does():
    text = "De begeleiding van kikkers in de gemeentelijke vijvers"
    assert content_stems(text) == [stem(w) for w in ("begeleiding", "kikkers", "gemeentelijke", "vijvers")]


@pytest.mark.parametrize("word, is_adjective", [
    ("kleine", True), ("grote", True), ("middelbare", True), ("uitgestroomde", True), ("gemiddelde", True),
    # Nouns in -e, and words too short to tell.
    ("periode", False), ("ziekte", False), ("gemeente", False), ("fte", False), ("vijver", False),
])
def test_an_attributive_adjective_is_told_from_a_noun_in_e(word, is_adjective):
    from rag.text.analysis import attributive

    assert attributive(word) is is_adjective


def test_the_head_noun_of_a_phrase_comes_after_its_adjectives():
    from rag.text.analysis import head_noun

    assert head_noun("kleine ondiepe vijvers in het park") == "vijvers"
    assert head_noun("van de grote, diepe vijvers", 7) == "grote"  # a comma ends the run
    assert head_noun("periode van droogte") == "periode"
    assert head_noun("") is None


def test_a_kind_and_its_level_before_a_noun_is_no_head_noun():
    from rag.answer.extractive import share_of
    from rag.text.analysis import head_noun

    assert head_noun("klas-3 kikkers in het park") == "kikkers"
    assert share_of("Welk percentage van de klas-3 kikkers zwemt?") == "kikkers"  # not "3"
    assert head_noun("klas-3") == "klas-3"
