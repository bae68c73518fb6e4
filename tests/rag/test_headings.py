"""Lists that a document gives only as headings (`rag.text.headings`), on invented heading paths."""

from __future__ import annotations

import pytest

from rag.text.headings import announced_count, heading_list, heading_list_reply, numbered_titles, parts_asked
from rag.text.question import analyse_question

PLAN = [
    "Het vijverplan > Inleiding",
    "Het vijverplan > Thema water",
    "Het vijverplan > Thema water > Achtergrond",
    "Het vijverplan > Thema oevers",
    "Het vijverplan > Thema vissen",
    "Het vijverplan > Thema vissen > Kennisvragen",
    "Het vijverplan > Bijlagen",
]


def found(question: str, sections=PLAN):
    asked = parts_asked(question, analyse_question(question).topic_terms)
    return asked and heading_list(asked, sections)


@pytest.mark.parametrize("question", [
    "Wat zijn de thema's?", "Welke thema’s worden er behandeld?", "Wat zijn de drie thema's?", "Noem de thema's.",
    "Wat zijn de belangrijkste thema's?",
])
def test_the_parts_a_document_gives_as_headings_are_listed_in_its_order(question):
    result = found(question)
    assert result is not None
    assert [item.title for item in result.items] == ["water", "oevers", "vissen"]
    assert [PLAN[item.path_index] for item in result.items] == [PLAN[1], PLAN[3], PLAN[4]]  # where each part begins
    assert result.asked in question


def test_a_year_in_the_question_is_when_not_how_many_and_seeing_asks_nothing_more():
    asked = parts_asked("Welke thema's zien we in 2031?", analyse_question("Welke thema's zien we in 2031?").topic_terms)
    assert asked is not None and asked.count is None and asked.years == {"2031"}
    assert [item.title for item in heading_list(asked, PLAN).items] == ["water", "oevers", "vissen"]


def test_an_ordinal_and_its_noun_point_at_a_part_the_headings_give():
    from rag.text.headings import with_heading_part

    assert with_heading_part("Wat houdt het tweede thema in?", PLAN) == "Wat houdt het thema ‘oevers’ in?"
    assert with_heading_part("Wat is het laatste thema?", PLAN) == "Wat is het thema ‘vissen’?"
    assert with_heading_part("Wat houdt het vierde thema in?", PLAN) is None  # three themes
    assert with_heading_part("Wanneer begint de eerste fase?", PLAN) is None  # no heading gives phases
    assert with_heading_part("Wat houdt het thema water in?", PLAN) is None  # no ordinal


def test_numbered_headings_lose_their_word_and_number_and_must_run_without_a_gap():
    numbered = ["Plan > Speerpunt 1: Meer riet", "Plan > Speerpunt 2: Schoon water", "Plan > Speerpunt 3. Minder kroos"]
    assert [i.title for i in found("Wat zijn de speerpunten?", numbered).items] == ["Meer riet", "Schoon water", "Minder kroos"]
    # "Hoofdstuk 1" and "Hoofdstuk 4": the chapters in between were not recognised as headings.
    assert found("Wat zijn de hoofdstukken?", ["Hoofdstuk 1 Water", "Hoofdstuk 4 Vissen > 4.1 Karpers"]) is None


@pytest.mark.parametrize("question", [
    "Wat zijn de vier thema's?",  # the question counts other parts than the headings give
    "Welke thema's gaan over vissen?",  # it asks for some of them
    "Wat is het thema?",  # for one
    "Wat zijn de kennisvragen?",  # one heading, no list
])
def test_no_list_when_the_question_asks_for_more_or_other_than_the_headings(question):
    assert found(question) is None


RAPPORT = [
    "Inleiding",
    "3 Gevonden knelpunten in de parken",
    "3 Gevonden knelpunten in de parken > Overzicht",
    "3 Gevonden knelpunten in de parken > 3.1 Te weinig tuinmannen",
    "3 Gevonden knelpunten in de parken > 3.1 Te weinig tuinmannen > Werving",
    "3 Gevonden knelpunten in de parken > 3.2 Kroos op de vijvers",
    "3 Gevonden knelpunten in de parken > 3.3 Oude pompen",
    "4 Conclusies > 4.1 Water",
]


def test_the_numbered_sections_under_a_numbered_heading_that_names_the_parts_are_the_list():
    result = found("Welke knelpunten noemt het rapport?", RAPPORT)
    assert [item.title for item in result.items] == ["Te weinig tuinmannen", "Kroos op de vijvers", "Oude pompen"]
    assert [RAPPORT[item.path_index] for item in result.items] == [RAPPORT[3], RAPPORT[5], RAPPORT[6]]
    assert found("Wat zijn de drie knelpunten?", RAPPORT) is not None
    assert found("Wat zijn de vier knelpunten?", RAPPORT) is None  # another count
    # A gap in the numbers: some sections were not recognised.
    assert found("Welke knelpunten zijn er?", [RAPPORT[1], RAPPORT[3], RAPPORT[6]]) is None
    # A heading of two things, each a section of its own: no list of either.
    halves = ["5 Conclusies en aanbevelingen > 5.1 Conclusies", "5 Conclusies en aanbevelingen > 5.2 Aanbevelingen",
              "5 Conclusies en aanbevelingen > 5.3 Tot slot"]
    assert found("Wat zijn de aanbevelingen?", halves) is None
    # A title with a colon names two things: its sections need not be either.
    two = ["6 Knelpunten en kansen: drie parken > 6.1 Noord", "6 Knelpunten en kansen: drie parken > 6.2 Zuid",
           "6 Knelpunten en kansen: drie parken > 6.3 Oost"]
    assert found("Welke knelpunten zijn er?", two) is None
    # Nor does one where the word follows a preposition.
    towards = [f"7 Van knelpunten naar oplossingen > 7.{n} Oplossing {name}" for n, name in enumerate(("a", "b", "c"), start=1)]
    assert found("Welke knelpunten zijn er?", towards) is None


def test_no_list_from_headings_under_different_parents_or_without_titles():
    # One "Gamechangers" heading per theme: not a list of gamechangers.
    spread = ["Thema water > Gamechangers water", "Thema oevers > Gamechangers oevers"]
    assert found("Wat zijn de gamechangers?", spread) is None
    # "Actie 1", "Actie 2": numbers without a title say nothing.
    assert found("Welke acties zijn er?", ["Plan > Actie 1", "Plan > Actie 2"]) is None


def test_the_reply_says_the_list_comes_from_the_headings_with_a_marker_per_part():
    result = found("Wat zijn de drie thema's?")
    assert heading_list_reply("Het vijverplan", result) == (
        "De kopjes van ‘Het vijverplan’ noemen drie thema's: water [1]; oevers [2]; vissen [3]."
    )


@pytest.mark.parametrize("sentence, count", [
    ("Er zijn vier adviezen voor de vijvers te onderscheiden.", 4),
    ("Het plan kent 3 grote adviezen.", 3),
    ("Binnen dit thema zijn zes adviezen te onderscheiden, waarvan twee over riet.", 6),
    ("Het plan geeft adviezen voor vier vijvers.", None),  # four ponds, not four pieces of advice
    ("Het plan geeft adviezen.", None),
    # Announced without their number: 0, the titles that follow say how many.
    ("Voor elke vijver zijn adviezen te onderscheiden met grote gevolgen voor het riet.", 0),
    ("In het plan worden verschillende adviezen onderscheiden.", 0),
    ("De tuinmannen onderscheiden riet en kroos.", None),  # no adviezen
])
def test_a_sentence_announces_how_many_parts_there_are(sentence, count):
    assert announced_count(sentence, {"advies"}) == count  # the stem of "adviezen"


def test_numbered_titles_are_read_in_order_across_pieces_of_text():
    first = "Er zijn drie adviezen.\n\n1 meer riet\n\nRiet houdt de oever vast.\n\n2 minder kroos"
    second = "2 minder kroos\n\nKroos groeit hard.\n\n3 (veel) bredere paden\n\nRolstoelen moeten erlangs."
    titles = numbered_titles([first, second], 3)
    assert [(t.number, t.title, t.text_index) for t in titles] == [
        (1, "meer riet", 0), (2, "minder kroos", 0), (3, "(veel) bredere paden", 1),
    ]
    # A number skipped, too few titles, or numbered lines that are paragraphs or notes: no list.
    assert numbered_titles([first.replace("2 minder kroos", "kroos"), second.replace("2 minder kroos", "kroos")], 3) is None
    assert numbered_titles([first], 3) is None
    assert numbered_titles(["1 Het riet groeit elk jaar een stuk harder dan de tuinploeg het kan bijhouden, zegt de gemeente.", "2 kroos"], 2) is None
    assert numbered_titles(["1 meer riet", "2 Van Dijk (2020), p. 12"], 2) is None
    # Their number not announced (0): as far as they go on in order, two at least; a bracket
    # that ends a title does not make it too long to be one.
    text = "1 meer riet\n\n2 minder kroos in de kleine en de grote vijvers (oever en water – vijverniveau)\n\n4 paden"
    assert [t.title for t in numbered_titles([text], 0)] == ["meer riet", "minder kroos in de kleine en de grote vijvers (oever en water – vijverniveau)"]
    assert numbered_titles(["1 meer riet\n\nRiet houdt de oever vast."], 0) is None
    # Only from where the announcing sentence ends.
    assert numbered_titles(["1 oud\n\nEr zijn twee adviezen.\n\n1 riet\n\n2 kroos"], 2, start=10)[0].title == "riet"
