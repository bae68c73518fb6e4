"""The heuristic condenser: a follow-up completed with the subject of the conversation (invented text)."""

from __future__ import annotations

from rag.answer.followup import HeuristicCondenser
from rag.types import Turn


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    return [turn for question, answer in pairs for turn in (Turn("user", question), Turn("assistant", answer))]


def test_a_follow_up_carries_the_previous_questions_key_terms():
    history = turns(("Hoeveel vijvers telde het stadspark in 2021?", "14 [1]"))
    assert HeuristicCondenser().condense("En in 2023?", history) == "En in 2023? (vijvers telde stadspark 2021)"


def test_the_words_that_ask_for_an_amount_or_name_a_source_are_no_subject():
    condense = HeuristicCondenser().condense
    assert condense("En in de winter?", turns(("Hoe groot is het tekort aan tuinmannen?", "3 [1]"))) == (
        "En in de winter? (tekort tuinmannen)"
    )
    assert condense("En wat stelt het kikkerplan voor?", turns(("Wat zegt het kikkerplan over het riet?", "x [1]"))) == (
        "En wat stelt het kikkerplan voor? (riet)"
    )


def test_names_keep_their_capitals():
    history = turns(("Hoeveel vijvers heeft Vlinderstad?", "14 [1]"))
    assert HeuristicCondenser().condense("En hoeveel kikkers?", history) == "En hoeveel kikkers? (vijvers Vlinderstad)"


def test_a_follow_up_on_a_follow_up_keeps_the_subject_of_the_first():
    history = turns(("Hoe groot is het tekort aan tuinmannen?", "3 [1]"), ("En in de winter?", "5 [1]"))
    assert HeuristicCondenser().condense("Wat zijn de oorzaken daarvan?", history) == (
        "Wat zijn de oorzaken daarvan? (winter tekort tuinmannen)"
    )


def test_a_question_that_stands_alone_is_left_as_it_is():
    history = turns(("Hoe groot is het tekort aan tuinmannen?", "3 [1]"))
    question = "Welke maatregelen neemt de gemeente tegen kroos in de vijvers?"
    assert HeuristicCondenser().condense(question, history) == question
    assert HeuristicCondenser().condense("En in 2023?", []) == "En in 2023?"
