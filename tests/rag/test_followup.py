"""The heuristic condenser: a follow-up completed with the subject of the conversation (invented text)."""

from __future__ import annotations

import pytest

from rag.answer.followup import HeuristicCondenser
from rag.engine import _names_what_is_asked
from rag.text.sources import SourceMatcher
from rag.types import Turn


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    return [turn for question, answer in pairs for turn in (Turn("user", question), Turn("assistant", answer))]


def test_a_follow_up_carries_the_previous_questions_content_words():
    history = turns(("Hoeveel vijvers telde het stadspark in 2021?", "14 [1]"))
    assert HeuristicCondenser().condense("En in 2023?", history) == "En in 2023? (hoeveel vijvers telde stadspark)"


def test_a_follow_up_on_a_follow_up_keeps_the_subject_of_the_first():
    history = turns(("Hoeveel tuinmannen werken er in het stadspark?", "3 [1]"), ("En in de winter?", "5 [1]"))
    assert HeuristicCondenser().condense("Wat zijn de oorzaken daarvan?", history) == (
        "Wat zijn de oorzaken daarvan? (winter tuinmannen werken stadspark)"
    )


def test_a_follow_up_does_not_carry_the_words_with_which_the_one_before_asked_to_explain():
    history = turns(("Hoeveel tuinmannen werken er in het stadspark?", "3 [1]"), ("Kun je dat toelichten?", "Ze maaien. [1]"))
    assert HeuristicCondenser().condense("En in de winter?", history) == "En in de winter? (tuinmannen werken stadspark)"


def test_a_follow_up_does_not_carry_the_superlative_the_one_before_ranked_by():
    # "grootst" asked which park ranks first; carried, it would favour "De grootste vijver ...".
    history = turns(("In welk park is het kroos het grootst?", "In het stadspark. [1]"))
    assert HeuristicCondenser().condense("Wat doet de gemeente eraan?", history) == "Wat doet de gemeente eraan? (park kroos)"


def test_a_follow_up_does_not_carry_the_word_with_which_the_one_before_pointed_back():
    # "daaraan" pointed at the kikkerproject; carried, it would be a key term no passage holds.
    history = turns(("Wat is het kikkerproject?", "Een project. [1]"), ("Wie werken daaraan?", "Vrijwilligers. [1]"))
    assert HeuristicCondenser().condense("Wat kost het?", history) == "Wat kost het? (werken kikkerproject)"


def test_a_long_chain_of_follow_ups_carries_a_bounded_subject():
    history = turns(("Hoeveel tuinmannen werken er in het stadspark van Vlinderstad aan de oostkant?", "3 [1]"))
    for n in range(12):
        history += turns((f"En in {2000 + n}?", "x [1]"))
    condensed = HeuristicCondenser().condense("En in 2030?", history)
    # Each year replaces the one before; the subject of the first question stays, bounded.
    assert condensed == "En in 2030? (tuinmannen werken stadspark vlinderstad oostkant)" and len(condensed.split()) <= 3 + 10


def test_a_question_that_stands_alone_is_left_as_it_is():
    history = turns(("Hoe groot is het tekort aan tuinmannen?", "3 [1]"))
    question = "Welke maatregelen neemt de gemeente tegen kroos in de vijvers?"
    assert HeuristicCondenser().condense(question, history) == question
    assert HeuristicCondenser().condense("En in 2023?", []) == "En in 2023?"


def test_a_definition_question_with_its_own_subject_stands_alone():
    history = turns(("Hoe groot is het tekort aan tuinmannen?", "3 [1]"))
    assert HeuristicCondenser().condense("Wat is kroos?", history) == "Wat is kroos?"
    assert HeuristicCondenser().condense("Wat houdt dat in?", history) != "Wat houdt dat in?"  # "dat" points back


def test_asked_to_explain_the_first_of_an_answer_without_a_list_carries_the_subject():
    history = turns(("Welke zorgen noemt het vijverplan?", "Kroos groeit snel en het water is troebel. [1]"))
    assert HeuristicCondenser().condense("Licht de eerste toe.", history) == "Licht de eerste toe. (welke zorgen noemt vijverplan)"


def test_a_pronoun_joined_to_a_preposition_points_back():
    history = turns(("Hoe groot is het tekort aan tuinmannen in het stadspark?", "3 [1]"))
    for question in (
        "Wat doet de gemeente daartegen?", "Wat zegt het vijverplan hierover?", "Welke les trekt men daaruit?",
        "Wat vinden de vrijwilligers ervan?", "Wat zegt het vijverplan erover?",  # "er" + a preposition too
    ):
        assert HeuristicCondenser().condense(question, history) == f"{question} (tekort tuinmannen stadspark)"
    question = "Wat doet de gemeente daarom aan de vijvers van het stadspark?"  # "daarom": a reason, no pointer
    assert HeuristicCondenser().condense(question, history) == question


def test_a_follow_up_without_a_question_word_asks_as_the_previous_question_did():
    history = turns(("Hoe groot is het tekort aan tuinmannen?", "3 [1]"))
    # "groot" is how the first question asks, not its subject: carried with "hoe" only.
    assert HeuristicCondenser().condense("En in de winter?", history) == "En in de winter? (hoe groot tekort tuinmannen)"
    assert HeuristicCondenser().condense("Waarom is dat?", history) == "Waarom is dat? (tekort tuinmannen)"
    # A verb with its pronoun first asks yes or no: not "hoe groot" again.
    assert HeuristicCondenser().condense("Helpt het?", history) == "Helpt het? (tekort tuinmannen)"
    assert HeuristicCondenser().condense("En geldt dat ook in de winter?", history) == "En geldt dat ook in de winter? (tekort tuinmannen)"


def test_a_follow_up_that_names_a_document_of_its_own_does_not_carry_the_previous_one():
    matcher = SourceMatcher([("vijverplan", ["Het Vijverplan"]), ("kikkernota", ["De Kikkernota"])])
    condenser = HeuristicCondenser(lambda: matcher)
    history = turns(("Wat zegt het Vijverplan over kroos?", "Kroos groeit snel [1]"))
    assert condenser.condense("En wat zegt de Kikkernota daarover?", history) == "En wat zegt de Kikkernota daarover? (kroos)"
    # Without a document of its own, the conversation's document still carries; "over riet"
    # takes the place of "over kroos".
    assert condenser.condense("En over riet?", history) == "En over riet? (wat zegt vijverplan)"


def test_a_follow_up_about_another_subject_does_not_carry_the_previous_subject():
    history = turns(("Wat zegt het vijverplan over kroos in de zomer?", "Kroos groeit snel [1]"))
    assert HeuristicCondenser().condense("En over riet?", history) == "En over riet? (wat zegt vijverplan zomer)"
    assert HeuristicCondenser().condense("Maar over de nieuwe pompen?", history) == "Maar over de nieuwe pompen? (wat zegt vijverplan zomer)"
    # Another slot than the subject adds to it: "in de winter" besides "over kroos".
    assert HeuristicCondenser().condense("En in de winter?", history) == "En in de winter? (wat zegt vijverplan kroos zomer)"


def test_a_follow_up_about_another_sector_does_not_carry_the_previous_sector():
    history = turns(("Hoeveel vijvers hebben scholen in het primair onderwijs?", "12 [1]"))
    assert HeuristicCondenser().condense("En in het vo?", history) == "En in het vo? (hoeveel vijvers scholen)"
    assert HeuristicCondenser().condense("En in het voortgezet onderwijs?", history) == (
        "En in het voortgezet onderwijs? (hoeveel vijvers scholen)"
    )
    history = turns(("Hoeveel vijvers hebben po-scholen?", "12 [1]"))
    assert HeuristicCondenser().condense("En vo-scholen?", history) == "En vo-scholen? (hoeveel vijvers)"
    # No sector of its own: the sector carries over.
    assert HeuristicCondenser().condense("En in 2023?", history) == "En in 2023? (hoeveel vijvers po scholen)"


def test_a_follow_up_about_another_year_does_not_carry_the_previous_year():
    history = turns(("Hoeveel vijvers telde het park in 2031?", "12 [1]"))
    assert HeuristicCondenser().condense("En in 2030?", history) == "En in 2030? (hoeveel vijvers telde park)"
    # Without a year of its own, the year carries over.
    assert HeuristicCondenser().condense("En in het stadspark?", history) == "En in het stadspark? (hoeveel vijvers telde park 2031)"


SOORTEN = "Het park kent drie soorten vijvers:\n• Kroosvijvers;\n• Rietvijvers;\n• Vissenvijvers. [1]"


def test_a_follow_up_that_points_at_an_item_of_the_listed_answer_asks_about_that_item():
    history = turns(("Welke soorten vijvers kent het park?", SOORTEN))
    condense = HeuristicCondenser().condense
    assert condense("Licht de eerste toe.", history) == "Licht ‘Kroosvijvers’ toe."
    assert condense("Wat houdt het laatste soort in?", history) == "Wat houdt het soort ‘Vissenvijvers’ in?"
    assert condense("Wat is het tweede punt?", history).startswith("Wat is ‘Rietvijvers’?")
    # An ordinal with a thing of its own is no pointer into the list; nor is a place past its end.
    assert condense("Wat is de eerste fase van het vijverplan?", history) == "Wat is de eerste fase van het vijverplan?"
    assert "‘" not in condense("En de vierde?", history)
    # Without a list in the answer before, "de eerste" points at nothing.
    assert "‘" not in condense("Licht de eerste toe.", turns(("Welke soorten vijvers kent het park?", "Drie soorten. [1]")))


def test_a_follow_up_can_point_at_an_item_of_the_listed_answer_by_what_it_is_about():
    history = turns(("Welke soorten vijvers kent het park?", SOORTEN))
    condense = HeuristicCondenser().condense
    assert condense("Welke daarvan heeft riet?", history).startswith("Welke ‘Rietvijvers’ heeft riet?")
    assert condense("Hoe diep is het soort met vissen?", history).startswith("Hoe diep is het soort ‘Vissenvijvers’?")
    # No item, or more than one, holds the word; a noun the conversation did not use names no item.
    assert "‘" not in condense("Welke daarvan heeft eenden?", history)
    assert "‘" not in condense("Welke daarvan zijn vijvers?", history)
    assert "‘" not in condense("Hoe diep is het bad met vissen?", history)


def test_a_follow_up_can_point_at_an_item_of_a_list_written_in_a_sentence():
    answer = "Drie zaken bedreigen de vijvers: een dik kroosdek, weinig (stromend) water en een tekort aan tuinmannen. [1]"
    history = turns(("Wat bedreigt de vijvers?", answer))
    condense = HeuristicCondenser().condense
    assert condense("Kun je de laatste uitleggen?", history) == "Kun je ‘een tekort aan tuinmannen’ uitleggen?"
    assert condense("Licht de tweede toe.", history) == "Licht ‘weinig (stromend) water’ toe."
    # A colon inside brackets, or one item after the colon, lists nothing.
    for plain in ("Het kroos (vooral in juni: 40%) groeit snel. [1]", "Het doel: schone vijvers. [1]"):
        assert "‘" not in condense("Licht de eerste toe.", turns(("Wat bedreigt de vijvers?", plain)))


def test_inline_items_are_parted_by_commas_and_the_last_en_outside_brackets():
    from rag.answer.followup import inline_items

    assert inline_items("Het park kent: kroos, riet (en biezen) of waterlelies.") == ["kroos", "riet (en biezen)", "waterlelies"]
    assert inline_items("Twee soorten: kroosvijvers en rietvijvers.") == ["kroosvijvers", "rietvijvers"]
    assert inline_items("Geen lijst in deze zin.") == []
    # Commas without a last "en" or "of" part clauses, not items.
    assert inline_items("Het plan noemt twee doelen: vijvers die, waar het kan, weer open water krijgen.") == []
    # Semicolons part items that hold commas or "en" themselves (as a list read from headings).
    assert inline_items("Het plan noemt: kroos, riet en biezen; vissen en eenden.") == ["kroos, riet en biezen", "vissen en eenden"]


def test_a_question_that_opens_with_a_modal_verb_ends_with_its_verb_not_a_noun_of_the_ordinal():
    history = turns(("Welke soorten vijvers kent het park?", SOORTEN))
    condense = HeuristicCondenser().condense
    assert condense("Kun je de eerste uitleggen?", history) == "Kun je ‘Kroosvijvers’ uitleggen?"
    assert condense("Wil je de laatste toelichten?", history) == "Wil je ‘Vissenvijvers’ toelichten?"


def test_follow_ups_by_place_keep_pointing_into_the_list_they_started_from():
    condense = HeuristicCondenser().condense
    history = turns(
        ("Welke soorten vijvers kent het park?", SOORTEN),
        ("Kun je de eerste uitleggen?", "Kroosvijvers: vijvers waarin kroos de baas is. [1]"),
    )
    # Only the place: the question before, about the next item.
    assert condense("En de tweede?", history) == "Kun je ‘Rietvijvers’ uitleggen?"
    # The answer before holds no list, or a list of its own: the list started from counts.
    assert condense("Licht de derde toe.", history) == "Licht ‘Vissenvijvers’ toe."
    history = history + turns(("En de tweede?", "Het park kent:\n• Rietvijvers;\n• Vissenvijvers;\n• Eendenvijvers. [1]"))
    assert condense("En de derde?", history) == "Kun je ‘Vissenvijvers’ uitleggen?"
    # Without a list to point into, the ordinal of the question before is no subject to carry.
    history = turns(("Welke soorten vijvers kent het park?", "Drie soorten. [1]"), ("Licht de eerste soort toe.", "Kroos. [1]"))
    # ("Licht ... toe" asked to explain; it is no subject either.)
    assert condense("En de tweede?", history) == "En de tweede? (soort)"


def test_a_follow_up_after_one_that_pointed_at_an_item_carries_that_item():
    history = turns(
        ("Welke soorten vijvers kent het park?", SOORTEN),
        ("Wat houdt de tweede in?", "Rietvijvers zijn vijvers met veel riet langs de oever. [1]"),
    )
    # The item pointed at, not the words that asked what it means ("houdt ... in").
    assert HeuristicCondenser().condense("En wie onderhoudt die?", history) == "En wie onderhoudt die? (rietvijvers)"
    # After a definition question, what it asked about is carried, the source it named too.
    history = turns(("Wat houdt kroosbeheer in het vijverplan in?", "Het scheppen van kroos. [1]"))
    assert HeuristicCondenser().condense("Hoeveel tuinmannen doen dat?", history) == "Hoeveel tuinmannen doen dat? (kroosbeheer vijverplan)"


@pytest.mark.parametrize("answer, follow_up, previous, answered", [
    # The answer before already gave the figure for the sector the follow-up turns to.
    ("In het po zag 17% van de kikkers een reiger en in het vo 9%. [1]", "En in het po?", "Hoeveel kikkers zagen een reiger in het vo?", True),
    ("In het vo zag 9% van de kikkers een reiger. [1]", "En in het po?", "Hoeveel kikkers zagen een reiger in het vo?", False),
    # A new subject word, named in the answer or not.
    ("De vijvers hebben 40 kikkers en 12 salamanders. [1]", "En salamanders?", "Hoeveel kikkers hebben de vijvers?", True),
    ("De vijvers hebben 40 kikkers. [1]", "En salamanders?", "Hoeveel kikkers hebben de vijvers?", False),
    # Nothing new asked: "why", or the same question again.
    ("De vijvers hebben 40 kikkers. [1]", "En waarom?", "Hoeveel kikkers hebben de vijvers?", False),
    ("De vijvers hebben 40 kikkers. [1]", "Hoeveel kikkers hebben de vijvers?", "Hoeveel kikkers hebben de vijvers?", False),
    # Another kind of answer asked, which the answer before gave ("Wanneer ...?": a year).
    ("Een kikkerpoel is een ondiepe vijver. Uiterlijk in 2030 moet elk park er een hebben. [1]", "Wanneer moeten die er zijn?", "Wat is een kikkerpoel?", True),
    ("Een kikkerpoel is een ondiepe vijver voor kikkers. [1]", "Wanneer moeten die er zijn?", "Wat is een kikkerpoel?", False),
])
def test_a_repeated_answer_may_already_name_what_the_follow_up_asks(answer, follow_up, previous, answered):
    assert _names_what_is_asked(answer, follow_up, previous) is answered
