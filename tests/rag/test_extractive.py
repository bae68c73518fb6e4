"""Extractive answers from hand-made passages of invented text (no corpus, no question set)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.answer.extractive import (
    EXTRA_SIGNALS,
    REFUSAL_POINTER,
    SENTENCE_FEATURES,
    ExtractiveComposer,
    candidate_units,
    counted_noun,
    question_intent,
    unit_signals,
)
from rag.linear import LinearModel
from rag.text.abbreviations import Abbreviations
from rag.text.question import analyse_question
from rag.answer.refusal import REFUSAL_FEATURES, REFUSAL_TEXT, RefusalModel
from rag.text.sentences import split_sentences
from rag.types import Chunk, Passage, Turn

VIJVERS = (
    "De vijvers in het park\n\n"
    "Het park heeft veel vijvers. In de vijvers leven kikkers en salamanders. In 2021 telde het park 14 vijvers, "
    "in 2023 waren het er 19. De meeste nieuwe vijvers liggen aan de oostkant."
)
RIET = (
    "Het riet groeit snel omdat het water voedselrijk is. Daardoor moeten de tuinmannen het riet elk jaar maaien."
)
MAATREGELEN = (
    "De gemeente neemt de volgende maatregelen om de vijvers schoon te houden:\n"
    "• Het riet wordt elk najaar gemaaid.\n"
    "• Bladeren worden wekelijks uit het water geschept.\n"
    "• Er komen twee nieuwe pompen."
)
VOETNOOT = "12 Bureau Vlinder (2021). 13 Van der Veen en Mus (2019)."


def make_passages(*texts: str, kinds: tuple[str, ...] = ()) -> list[Passage]:
    return [
        Passage(
            Chunk(f"doc{i}.txt", i, text, 0, len(text), content_hash="h", title=f"Document {i}",
                  kind=kinds[i] if i < len(kinds) else "text"),
            score=0.9 - i / 10,
            rank=i + 1,
            dense_score=0.9 - i / 100,
            keyword_score=8.0 - i,
        )
        for i, text in enumerate(texts)
    ]


def model(**weights: float) -> LinearModel:
    """A sentence model with the given weights (the rest 0), to test the mechanics."""
    n = len(SENTENCE_FEATURES)
    coef = tuple(weights.get(f, 0.0) for f in SENTENCE_FEATURES)
    return LinearModel("sentences", SENTENCE_FEATURES, (0.0,) * n, (1.0,) * n, coef, 0.0)


NEVER_REFUSE = RefusalModel.never()


def composer(margin: float = 0.5, **weights: float) -> ExtractiveComposer:
    return ExtractiveComposer(refusal=NEVER_REFUSE, model=model(**weights), follower_margin=margin)


def test_notes_headings_and_broken_off_starts_are_never_candidates():
    passage = make_passages("en dat bleek later ook. Het park heeft 19 vijvers.\nDe vijvers\nZie https://voorbeeld.nl hier.")[0]
    texts = [u.text for u in candidate_units(0, passage)]
    assert texts == ["Het park heeft 19 vijvers."]
    note = make_passages(VOETNOOT, kinds=("note",))[0]
    assert candidate_units(0, note) == []


def test_a_footnote_that_explains_is_quoted_without_its_number_one_that_names_a_source_never():
    text = "12 Bureau Vlinder (2021). 13 Een kroosdek wordt gedefinieerd als een laag kroos die het hele water van een vijver bedekt. 14 Mus (2019)."
    note = make_passages(text, kinds=("note",))[0]
    definition = "Een kroosdek wordt gedefinieerd als een laag kroos die het hele water van een vijver bedekt."
    assert [u.text for u in candidate_units(0, note)] == [definition]
    answer = composer(overlap=1.0).compose("Wat is een kroosdek?", [note])
    assert answer.text.startswith(definition) and not answer.uncertain


def test_a_label_in_square_brackets_is_never_a_candidate_alone():
    text = (
        "“We maaien het riet in de herfst. Het kroos scheppen we in de zomer.” [Boswachter Park B]\n\n"
        "Het park heeft 19 vijvers [zie kaart]."
    )
    texts = [u.text for u in candidate_units(0, make_passages(text)[0])]
    assert "[Boswachter Park B]" not in texts
    assert "Het park heeft 19 vijvers [zie kaart]." in texts


def test_a_lower_case_item_is_quoted_in_a_list_but_not_alone_below_a_table():
    text = (
        "Vijvers per park 2030*\nNoordpark 4 6\nZuidpark 3 5\n\n*exclusief vijvers zonder kikkers\n\n"
        "In de parken doen we drie dingen:\n• riet maaien in de herfst\n• kroos scheppen in de zomer"
    )
    texts = [u.text for u in candidate_units(0, make_passages(text)[0])]
    assert not any("exclusief" in t for t in texts)
    assert "riet maaien in de herfst" in texts
    assert "kroos scheppen in de zomer" in texts


def test_a_sentence_that_breaks_off_is_no_candidate_alone_but_its_list_still_is():
    text = (
        "• Riet in de vijvers van het Noordpark,\n• kroos in die van het Zuidpark,\n• algen in die van het Oostpark.\n\n"
        "In het Noordpark heeft 40% van de vijvers riet, tegenover 12% buiten de\n\n"
        "Het Zuidpark telt 7 vijvers."
    )
    units = candidate_units(0, make_passages(text)[0])
    assert [u.text for u in units if not u.is_enumeration] == ["algen in die van het Oostpark.", "Het Zuidpark telt 7 vijvers."]
    [enumeration] = [u.text for u in units if u.is_enumeration]
    assert enumeration.startswith("• Riet in de vijvers van het Noordpark,\n") and enumeration.endswith("algen in die van het Oostpark.")


def test_a_sentence_that_announces_a_list_the_passage_breaks_off_before_still_gives_its_figure():
    cut_off = "Het Noordpark telt 14 vijvers, verdeeld over drie soorten:"
    units = [u.text for u in candidate_units(0, make_passages(f"De tuinploeg telt elk jaar.\n\n{cut_off}")[0])]
    assert cut_off in units
    # With its items it is quoted as a list; without a figure, or with more text after it, not alone.
    assert "Het Noordpark heeft vijvers van drie soorten:" not in [
        u.text for u in candidate_units(0, make_passages("Het Noordpark heeft vijvers van drie soorten:")[0])
    ]
    assert cut_off not in [u.text for u in candidate_units(0, make_passages(f"{cut_off}\n\nDe vijvers zijn diep.")[0])]


def test_a_list_is_a_candidate_with_its_lead_in():
    units = candidate_units(0, make_passages(MAATREGELEN)[0])
    enumeration = [u for u in units if u.is_enumeration]
    assert len(enumeration) == 1
    assert enumeration[0].text.startswith("De gemeente neemt de volgende maatregelen")
    assert enumeration[0].text.endswith("Er komen twee nieuwe pompen.")


def test_a_heading_is_the_lead_in_of_the_list_below_it():
    text = "Speerpunt 2: Meer zorg voor het riet\n1. Maai het riet elk najaar.\n2. Schep het kroos in de zomer.\n\nDe vijvers zijn diep."
    units = candidate_units(0, make_passages(text)[0])
    listed = [u for u in units if u.is_enumeration]
    assert len(listed) == 1
    assert listed[0].text.startswith("Speerpunt 2: Meer zorg voor het riet")
    assert listed[0].text.endswith("Schep het kroos in de zomer.")
    # Alone, the heading is no candidate.
    assert "Speerpunt 2: Meer zorg voor het riet" not in [u.text for u in units]


def test_the_best_scoring_sentence_leads_with_its_marker():
    answer = composer(overlap=1.0, number_wanted=2.0).compose(
        "Hoeveel vijvers telde het park in 2023?", make_passages(RIET, VIJVERS)
    )
    assert answer.text.startswith("In 2021 telde het park 14 vijvers, in 2023 waren het er 19. [1]")
    assert answer.citations[0].passage.chunk.document_id == "doc1.txt"
    assert not answer.refused


def test_the_users_own_question_in_a_document_does_not_lead():
    # The document asks the same question above its answer; said back, it answers nothing.
    passages = make_passages("Hoe is het vijverplan tot stand gekomen? Het vijverplan is samen met de buurt opgesteld in 2020.")
    answer = composer(margin=0.1, overlap=1.0).compose("Hoe is het vijverplan tot stand gekomen?", passages)
    assert answer.text.startswith("Het vijverplan is samen met de buurt opgesteld in 2020.")
    assert "tot stand gekomen?" not in answer.text


def test_a_question_about_two_sectors_gets_a_sentence_for_each():
    passages = make_passages(
        "In het po maaien 40 vrijwilligers het riet, in het sbo 12 en in het so 9. "
        "Het riet in het po groeit snel. In het vo maaien 25 vrijwilligers het riet."
    )
    answer = composer(margin=0.1, overlap=1.0, numbers=2.0).compose("Maaien in het vo minder vrijwilligers het riet dan in het po?", passages)
    assert answer.text.startswith("In het po maaien 40 vrijwilligers")
    assert "In het vo maaien 25 vrijwilligers het riet." in answer.text


def test_a_follower_must_add_a_figure_or_key_term():
    # Both sentences about vijvers score the same; the second adds nothing new to "vijvers".
    passages = make_passages("Het park heeft veel vijvers. Er zijn veel vijvers in het park.")
    answer = composer(margin=5.0, overlap=1.0).compose("Zijn er vijvers?", passages)
    assert answer.text.count("[1]") == 1


def test_followers_outside_the_margin_are_left_out():
    passages = make_passages(VIJVERS, RIET)
    wide = composer(margin=10.0, overlap=1.0, has_number=1.0).compose("Hoeveel vijvers en kikkers zijn er?", passages)
    narrow = composer(margin=0.01, overlap=1.0, has_number=1.0).compose("Hoeveel vijvers en kikkers zijn er?", passages)
    assert wide.text.count("[") > narrow.text.count("[") == 1


# A passage cut from the document after a list's lead-in: it opens with the items.
ZONDER_AANLOOP = (
    "• Het maaien gebeurt elk najaar.\n• Het kroos wordt elk voorjaar geschept.\n"
    "• De paden worden geveegd.\nHet riet in het park groeit snel."
)


def test_list_items_without_their_lead_in_follow_only_a_list_question():
    weights = {"overlap": 1.0, "enumeration": 0.3}
    answer = composer(margin=5.0, **weights).compose("Hoe snel groeit het riet in het park ondanks het maaien?", make_passages(ZONDER_AANLOOP))
    assert answer.text.startswith("Het riet in het park groeit snel. [1]")
    assert "kroos" not in answer.text  # the item that answers, not the whole list


def test_a_list_question_that_counts_its_items_is_led_by_the_list_that_names_them():
    passages = make_passages(
        "Voor zijn doelen kreeg het vijverplan in 2023 drie ton, voor 40 eenden en 3 vijvers.",
        "Het vijverplan kent drie doelen:\n1. Schoner water\n2. Meer eenden\n3. Minder kroos",
    )
    # The sentence with figures holds as many of the question's words and scores higher.
    answer = composer(overlap=1.0, has_number=0.5).compose("Wat zijn de drie doelen van het vijverplan?", passages)
    assert answer.text.startswith("Het vijverplan kent drie doelen:\n1. Schoner water")


def test_a_list_question_that_counts_its_items_gets_the_sentence_that_gives_the_announced_items():
    passages = make_passages(
        "Het vijverplan heeft drie doelen. Het water wordt schoner, de eenden krijgen rust en het kroos gaat weg."
    )
    answer = composer(overlap=1.0).compose("Welke drie doelen heeft het vijverplan?", passages)
    assert answer.text.startswith("Het vijverplan heeft drie doelen. Het water wordt schoner")


def test_a_list_question_gets_the_list():
    answer = composer(overlap=1.0, enumeration_wanted=3.0).compose(
        "Welke maatregelen neemt de gemeente voor de vijvers?", make_passages(VIJVERS, MAATREGELEN)
    )
    first = answer.text.split(" [")[0]
    assert first.startswith("De gemeente neemt de volgende maatregelen") and "• Er komen twee nieuwe pompen." in first


def test_a_list_on_another_subject_is_not_quoted_whole_for_one_shared_word():
    aanbevelingen = "Aanbevelingen:\n• Tuinmannen: maai het riet elk najaar.\n• Gemeente: onderzoek de oorzaken van vissterfte."
    heavy = composer(overlap=1.0, words=5.0, enumeration_wanted=3.0)
    answer = heavy.compose("Noem de oorzaken van het kikkertekort.", make_passages(aanbevelingen))
    assert "Aanbevelingen:" not in answer.text and "maai het riet" not in answer.text
    # A list whose lead-in names the question's subject is quoted whole.
    answer = heavy.compose("Welke maatregelen neemt de gemeente voor de vijvers?", make_passages(MAATREGELEN))
    assert answer.text.startswith("De gemeente neemt de volgende maatregelen") and "• Er komen twee nieuwe pompen." in answer.text


def test_signals_describe_what_the_question_wants():
    info = analyse_question("Waarom moet het riet elk jaar worden gemaaid?")
    signalled = {u.text: s for u, s, _, _ in unit_signals(info, make_passages(RIET))}
    causal = signalled["Het riet groeit snel omdat het water voedselrijk is."]
    assert causal["causal_wanted"] == 1.0 and causal["overlap"] > 0
    assert set(causal) == set(SENTENCE_FEATURES) | set(EXTRA_SIGNALS)


@pytest.mark.parametrize("question, asked", [
    ("Wat verdient een tuinman?", True),
    ("Hoe hoog is het budget voor het maaien?", True),
    ("Wat zijn de kosten van het maaien?", True),
    ("Hoeveel subsidie krijgt een vijverclub?", True),
    ("Wie krijgt subsidie voor het maaien?", False),
    # Money named as the topic ("over het salaris", "als het salaris ..."), or in a why-question, is not asked.
    ("Hoe tevreden zijn de tuinmannen over hun salaris?", False),
    ("Wat doen de tuinmannen als het salaris daalt?", False),
    ("Waarom kost het maaien van het riet zoveel?", False),
    ("Welk percentage van de tuinmannen is tevreden over het salaris?", False),
])
def test_an_amount_of_money_is_asked_only_where_the_money_is_not_the_topic(question, asked):
    assert analyse_question(question).asks_money is asked


KOSTEN = "Het maaien van het riet kost de gemeente 40.000 euro per jaar. Het riet wordt in maart gemaaid."
AANDEEL = "Het riet wordt in maart gemaaid. Een derde van de vijvers heeft een rietkraag."
ZEISEN = "Het riet langs de vijvers wordt door vrijwilligers gemaaid. Zij gebruiken daarvoor zeisen."


@pytest.mark.parametrize("question, texts, refused, reason", [
    # An amount of money asked, none given where the passages are about it.
    ("Wat kost het maaien van het riet?", (RIET,), True, "U vraagt naar een bedrag"),
    ("Wat kost het maaien van het riet?", (KOSTEN,), False, None),
    ("Wat verdient een tuinman die het riet maait?", (RIET,), True, "U vraagt naar een bedrag"),
    # An amount in a passage that does not name what the question names is some other amount.
    ("Wat kost het maaien van het riet in Kikkerdorp?", (KOSTEN,), True, "U vraagt naar een bedrag"),
    ("Wat kost het maaien van het riet in Kikkerdorp?", (KOSTEN + " Dat geldt ook voor Kikkerdorp.",), False, None),
    # A million of something else is no amount of money; a million euros is.
    ("Wat kost het maaien van het riet?", ("Voor het maaien van het riet komen een kwart miljoen vrijwilligers 3 uur per jaar.",), True, "U vraagt naar een bedrag"),
    ("Wat kost het maaien van het riet?", ("Het maaien van het riet kost de gemeente 2 miljoen per jaar.",), False, None),
    # A share asked: a figure or words ("een derde") give it.
    ("Welk deel van de vijvers heeft een rietkraag?", (RIET,), True, "U vraagt naar een percentage of aandeel"),
    ("Welk deel van de vijvers heeft een rietkraag?", (AANDEEL,), False, None),
    # A share of those paid asked: the share answers it, not an amount of money.
    ("Welk percentage van de tuinmannen is tevreden over het salaris?",
     ("Een derde van de tuinmannen is tevreden over het salaris.",), False, None),
    ("Welk percentage van de tuinmannen is tevreden over het salaris?",
     ("Het salaris van de tuinmannen is in 2023 verhoogd.",), True, "U vraagt naar een percentage of aandeel"),
    # Not a how-much question: nothing is asked that a figure must give.
    ("Hoe tevreden is de gemeente over het maaien van het riet?", (RIET,), False, None),
    # One school asked: only its name answers; a sentence about schools of that kind names none.
    ("Welke basisschool maait het riet het vaakst?", ("Basisscholen laten het riet vaker maaien dan andere scholen.",), True,
     "U vraagt naar een school of instelling bij naam"),
    ("Welke basisschool maait het riet het vaakst?", ("Op basisschool De Vijver wordt het riet het vaakst gemaaid.",), False, None),
    ("Welke scholen maaien het riet?", ("Basisscholen laten het riet vaker maaien dan andere scholen.",), False, None),
    # A time asked: a year, a month or a span of time gives it; "Hoe oud" asks an age.
    ("Wanneer wordt het riet gemaaid?", (ZEISEN,), True, "U vraagt naar een jaar of datum"),
    ("Wanneer wordt het riet gemaaid?", (AANDEEL,), False, None),
    ("Wanneer wordt het riet gemaaid?", ("Het riet wordt over twee weken gemaaid.",), False, None),
    ("Wanneer wordt het riet gemaaid?", (RIET,), False, None),  # "elk jaar"
    ("Hoe oud is het riet dat vrijwilligers maaien?", (ZEISEN,), False, None),
    # The time in a sentence that goes on from one about the subject ("Dat gebeurde ...").
    ("Wanneer werd het riet gemaaid?", ("Het riet werd door de vrijwilligers gemaaid. Dat gebeurde in maart 2021.",), False, None),
    # A count asked: a figure other than a year, a count in words, a share or a frequency gives it.
    ("Hoeveel vrijwilligers maaien het riet?", (ZEISEN,), True, "U vraagt naar een aantal"),
    ("Hoeveel vrijwilligers maaien het riet?", ("Sinds 2019 maaien vrijwilligers het riet met zeisen.",), True, "U vraagt naar een aantal"),
    ("Hoeveel vrijwilligers maaien het riet?", ("Het riet wordt door 25 vrijwilligers gemaaid.",), False, None),
    ("Hoeveel vrijwilligers maaien het riet?", ("Het riet wordt door twaalf vrijwilligers gemaaid.",), False, None),
    ("Hoe vaak maaien de vrijwilligers het riet?", ("De vrijwilligers maaien het riet jaarlijks.",), False, None),
    ("Hoe vaak maaien de vrijwilligers het riet?", ("Vrijwilligers doen een tweejaarlijkse maaironde door het riet.",), False, None),
    # "Hoe lang" asks a span, which years that bound one give; a share, a count or a year alone does not.
    ("Hoe lang maaien vrijwilligers het riet?", (ZEISEN,), True, "U vraagt naar een tijdsduur"),
    ("Hoe lang maaien vrijwilligers het riet?", ("Vrijwilligers maaien het riet van 2019 tot 2025.",), False, None),
    ("Hoe lang maaien vrijwilligers het riet?", ("Vrijwilligers maaien het riet al drie zomers lang, elk jaar twee weken.",), False, None),
    ("Hoe lang maaien vrijwilligers het riet?", ("Vrijwilligers maaien het riet sinds de winter van 2019.",), False, None),
    ("Hoe lang duurt een maaironde door het riet?", ("Een maaironde door het riet duurt anderhalf uur.",), False, None),
    ("Hoe lang duurt een maaironde door het riet?", ("Van de maairondes door het riet gaat 40% over de oever.",), True, "U vraagt naar een tijdsduur"),
    ("Hoe lang duurt een maaironde door het riet?", ("In 2023 ging een maaironde door het riet voor het eerst over de oever.",), True, "U vraagt naar een tijdsduur"),
    # Asked with a count as well, any figure may answer.
    ("Hoe lang duurt een maaironde door het riet, en hoeveel vrijwilligers doen mee?", ("Aan een maaironde door het riet doen 40 vrijwilligers mee.",), False, None),
])
def test_a_question_for_an_amount_a_count_or_a_time_is_refused_when_the_passages_give_none(question, texts, refused, reason):
    answer = composer(overlap=1.0).compose(question, make_passages(*texts))
    assert answer.refused is refused
    if reason:
        assert answer.note.startswith(reason)


@pytest.mark.parametrize("question, refused", [
    ("Hoeveel vijvers telde het park in 2022?", True),  # the passage gives 2021 and 2023
    ("Hoeveel vijvers telde het park in 2023?", False),
    ("Hoeveel vijvers telde het park in schooljaar 2020-2021?", True),  # 2020 is named nowhere
    ("Hoeveel vijvers telde het park sinds 2022?", False),  # a period from 2022 on: 2023 is in it
])
def test_a_question_about_a_year_no_sentence_about_it_names_is_refused(question, refused):
    answer = composer(overlap=1.0).compose(question, make_passages(VIJVERS))
    assert answer.refused is refused
    if refused:
        assert answer.note.startswith("De gevonden passages over dit onderwerp noemen 20")


TELLING = "In 2023 telde het park 19 vijvers met kikkers."
UITBREIDING = "In 2022 werd het park groter."


@pytest.mark.parametrize("question, note", [
    # 2022 is named where the passages are about the park, but the answer is the count for 2023.
    ("Hoeveel vijvers met kikkers telde het park in 2022?", "U vraagt naar 2022, maar dit antwoord noemt alleen 2023"),
    ("Hoeveel vijvers met kikkers telde het park in 2023?", None),
    # The year names a study, not the time asked about; and "wanneer" asks for the date itself.
    ("Hoeveel vijvers met kikkers telde het park volgens de VTM 2022?", None),
    ("Wanneer telde het park sinds 2022 vijvers met kikkers?", None),
    # A year that bounds a period: 2023 is in it.
    ("Hoeveel vijvers met kikkers telde het park sinds 2022?", None),
    ("Hoeveel vijvers met kikkers telde het park vanaf begin 2022?", None),
    ("Hoeveel vijvers met kikkers telde het park tussen 2022 en 2024?", None),
])
def test_an_answer_about_another_year_than_the_one_asked_says_so(question, note):
    answer = composer(margin=0.1, overlap=1.0).compose(question, make_passages(TELLING, UITBREIDING))
    assert not answer.refused and answer.text.startswith(TELLING)
    assert "2022" not in answer.text
    assert answer.uncertain is bool(note)
    assert (answer.note or "").startswith(note or "")


@pytest.mark.parametrize("text, note", [
    # The passages speak of the kroosdek without saying what it is.
    ("Het Kroosdek groeide in 2023 in elf vijvers van het park.", "U vraagt wat het Kroosdek is, maar de gevonden passages zeggen dat niet"),
    ("Een kroosdek is een laag kroos die het hele water bedekt.", None),
    # The term ends a clause and a colon brings what it is.
    ("Te veel mest leidt tot het Kroosdek: kroos groeit dan over het hele water.", None),
])
def test_an_answer_to_what_is_x_that_does_not_say_what_it_is_says_so(text, note):
    answer = composer(overlap=1.0).compose("Wat is het Kroosdek?", make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    assert answer.uncertain is bool(note)
    assert (answer.note or "").startswith(note or "")


@pytest.mark.parametrize("text, note", [
    # The answer is about the vijvers of the park, not about their kroosverzuim.
    ("In 2023 lag er in 40% (VBP) van de vijvers van het park riet.",
     "U vraagt wat het kroosverzuim van de vijvers is, maar de gevonden passages zeggen dat niet, en dit antwoord noemt geen kroosverzuim."),
    ("Het kroosverzuim van de vijvers van het park groeide in 2023.",
     "U vraagt wat het kroosverzuim van de vijvers is, maar de gevonden passages zeggen dat niet; wel staat er dit over"),
])
def test_the_caution_for_what_x_is_says_when_the_answer_does_not_name_x(text, note):
    # "(VBP)" spells out no word of what is asked: the caution stands.
    answer = composer(overlap=1.0).compose("Wat is het kroosverzuim van de vijvers in het VBP?", make_passages(text))
    assert not answer.refused and answer.uncertain
    assert answer.note.startswith(note)


def test_the_caution_names_the_subject_as_asked_with_the_source_it_names():
    from rag.text.sources import SourceMention

    question = "Wat is het kroosplan van het vijverbureau?"
    # As analysed with the documents' names: the source is left out of what to find defined.
    info = replace(analyse_question(question), mention=SourceMention(documents=("doc0.txt",)), defined="kroosplan")
    text = "Het kroosplan van het vijverbureau groeide in 2023."
    answer = composer(overlap=1.0).compose(question, make_passages(text), analysis=info)
    assert answer.uncertain and answer.note.startswith("U vraagt wat het kroosplan van het vijverbureau is, maar")


_DOES = "Het vijverbureau maakt elk voorjaar met de tuinmannen afspraken over het maaien van het riet, met als doel de vijvers open te houden."
_RISKS = "Een risico van het vroege maaien in het voorjaar is daarnaast dat de kikkers hun schuilplaatsen verliezen."


@pytest.mark.parametrize("question, text", [
    # No sentence says "de rol van het vijverbureau is ...": what it does answers.
    ("Wat is de rol van het vijverbureau bij het maaien?", _DOES),
    ("Wat is het doel van het maaiplan?", _DOES),
    # What something risks or brings about is said of it, with words between ("Een risico van ... is daarnaast dat").
    ("Wat is het risico van maaien in het voorjaar?", _RISKS),
    ("Wat is het gevolg van maaien in het voorjaar?", _RISKS),
])
def test_what_something_is_for_or_brings_about_is_said_of_it_not_by_a_definition(question, text):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    assert not (answer.note or "").startswith("U vraagt wat")


def test_a_quoted_name_is_the_subject_as_a_whole_and_its_part_with_items_says_what_it_holds():
    question = "Wat houdt het speerpunt ‘Meer riet in de vijver’ in?"
    assert analyse_question(question).defined == "meer riet in de vijver"
    text = "Speerpunt 2: Meer riet in de vijver\n1. Plant riet langs de oevers.\n2. Maai het riet pas in de herfst."
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert answer.text.startswith("Speerpunt 2: Meer riet in de vijver")
    assert not (answer.note or "").startswith("U vraagt wat")


def test_the_caution_for_a_follow_up_names_the_subject_with_its_article_as_searched():
    # "Kun je de laatste uitleggen?", searched with the list item it points at.
    searched = analyse_question("Kun je ‘een kroosdek op de vijver’ uitleggen?")
    text = "Een kroosdek op de vijver groeide in 2023 in elf vijvers van het park."
    answer = composer(overlap=1.0).compose("Kun je de laatste uitleggen?", make_passages(text), analysis=searched)
    assert answer.uncertain and answer.note.startswith("U vraagt wat een kroosdek op de vijver is, maar")


def test_the_caution_for_what_things_are_says_zijn():
    text = "Kroosdekken groeiden in 2023 in elf vijvers van het park."
    answer = composer(overlap=1.0).compose("Wat zijn kroosdekken?", make_passages(text))
    assert answer.uncertain and answer.note.startswith("U vraagt wat kroosdekken zijn, maar de gevonden passages zeggen dat niet")


def test_a_colon_after_the_term_defines_it_only_before_a_clause():
    from rag.text.analysis import fold
    from rag.text.definitions import defines

    assert defines("kroosdek", fold("Mest leidt tot het kroosdek: kroos groeit dan over het hele water."))
    assert defines("kroosdek", fold("Dan ontstaat het zogenoemde kroosdek: kroos groeit over het hele water."))
    assert not defines("kroosdek", fold("Mest leidt tot het kroosdek: riet, kroos, algen."))
    assert not defines("kroosdek", fold("Er is onvrede over de kosten van het kroosdek: hogere kosten betekenen minder geld."))


def test_an_article_inside_the_subject_may_be_left_out_where_the_text_defines_it():
    from rag.text.analysis import fold
    from rag.text.definitions import defines

    # A list item asked about ("Leg het eerste uit") and the text's glossary entry for it.
    text = "Maaien versus het vissen: het maaien houdt de vijver open, het vissen houdt hem schoon."
    assert defines("maaien versus het vissen", fold(text))
    assert defines("maaien versus vissen", fold("Maaien versus het vissen: het maaien houdt de vijver open."))
    assert not defines("maaien versus het vissen", fold("Maaien en vissen: beide kosten geld."))


@pytest.mark.parametrize("text, said", [
    # What falls under it, and what it consists of, say what it covers.
    ("Onder het kroosbeheer vallen het maaien, het vissen en het baggeren.", True),
    ("Onder de vijverzorg valt ook het snoeien van het riet.", True),
    ("Een kroosdek bestaat uit duizenden drijvende plantjes.", True),
    # Falling under the thing is no sentence about it.
    ("De bladeren die onder het kroosdek vallen rotten weg.", False),
])
def test_what_falls_under_a_thing_or_makes_it_up_says_what_it_is(text, said):
    from rag.text.analysis import fold
    from rag.text.definitions import defines

    subject = "kroosdek" if "kroosdek" in text else "kroosbeheer" if "kroosbeheer" in text else "vijverzorg"
    assert defines(subject, fold(text)) is said


@pytest.mark.parametrize("sentence", [
    "De nieuwe pompen worden in 2031 geplaatst.",
    "De nieuwe pompen worden de komende twee jaar geplaatst.",
    "De nieuwe pompen worden volgend jaar geplaatst.",
])
def test_a_time_told_without_a_year_answers_when(sentence):
    info = analyse_question("Wanneer worden de nieuwe pompen geplaatst?")
    signals = {u.text: s for u, s, _, _ in unit_signals(info, make_passages(sentence))}
    assert signals[sentence]["date_wanted"] == 1.0


def test_the_year_of_a_named_edition_counts_half_as_the_source_name_does():
    from rag.text.sources import SourceMention

    # "Wat zegt het vijverbureau in 2023 over kroos?": 2023 names the edition as much as a time.
    asked = replace(analyse_question("Wat zegt het vijverbureau in 2023 over kroos?"), mention=SourceMention(documents=("doc0.txt",)))
    year = "Vanaf 2023-2024 worden de paden langs de vijvers vernieuwd."
    text = f"Het kroos groeit in warme zomers het snelst. {year}"

    def overlap(info) -> float:
        return {u.text: o for u, _, o, _ in unit_signals(info, make_passages(text))}[year]

    assert 0 < overlap(replace(asked, source_years=frozenset({"2023"}))) < overlap(asked)


@pytest.mark.parametrize("question, wanted", [
    ("Waarom groeit er kroos in de vijvers?", 1.0),
    ("Wat kunnen tuinmannen doen tegen kroos in de vijvers?", 0.0),  # what to do, not why
    ("Wat kunnen tuinmannen doen tegen kroos in de vijvers, en waarom?", 1.0),
    # Read from the question itself, as its intent is, not from the context before it.
    ("Ik ben tuinman in het park. Wat kunnen we doen tegen kroos in de vijvers?", 0.0),
])
def test_only_a_question_for_a_reason_wants_a_sentence_that_gives_one(question, wanted):
    reason = "Er groeit kroos in de vijvers doordat er veel mest in het water komt."
    signals = {u.text: s for u, s, _, _ in unit_signals(analyse_question(question), make_passages(reason))}
    assert signals[reason]["causal_wanted"] == wanted


def test_a_term_the_sentence_negates_counts_half_when_the_question_negates_nothing():
    info = analyse_question("Hoeveel vijvers zijn er gebaggerd?")
    negating, stating = "In het park zijn 12 vijvers niet gebaggerd.", "In het park zijn 8 vijvers gebaggerd."
    overlap = {u.text: o for u, _, o, _ in unit_signals(info, make_passages(f"{negating} {stating}"))}
    assert overlap[negating] < overlap[stating]
    # A question that negates keeps its own rule: a sentence that negates nothing counts half.
    without, with_riet = "In het park hebben 12 vijvers geen riet.", "In het park hebben 8 vijvers riet."
    asked_not = {u.text: o for u, _, o, _ in unit_signals(analyse_question("Hoeveel vijvers hebben geen riet?"), make_passages(f"{without} {with_riet}"))}
    assert asked_not[without] > asked_not[with_riet]


def test_a_number_that_names_a_thing_matches_only_with_its_noun():
    from rag.answer.extractive import _matches
    from rag.text.terms import analyse, question_terms

    terms = question_terms("Hoeveel uur per week wordt vijver 8 gemaaid?")
    at = [t.word for t in terms].index("8")
    for text, expected in [("De tuinmannen maaien 6 tot 8 uur per week.", 0.0), ("Vijver 8 wordt twee uur per week gemaaid.", 1.0)]:
        assert _matches(terms, analyse(text).stems, text)[at] == expected, text


def test_an_abbreviation_given_as_also_called_is_introduced():
    from rag.text.analysis import fold
    from rag.text.definitions import introduces
    from rag.text.terms import question_terms

    gva = next(t for t in question_terms("Wat is GVA?") if t.word == "gva")
    assert introduces(gva, fold("Een voorbeeld is de Groene Vijver Aanpak (ook wel GVA genoemd) uit Vlinderstad."))
    assert introduces(gva, fold("Een voorbeeld is de Groene Vijver Aanpak (kortweg GVA) uit Vlinderstad."))
    assert not introduces(gva, fold("Een voorbeeld is de aanpak van de GVA in Vlinderstad."))


ONDERHOUD = "Het onderhoud van de vijvers kost de gemeente € 300 per maand."
BUDGET = "Voor het onderhoud van de vijvers is landelijk een budget van € 3 miljoen beschikbaar."


@pytest.mark.parametrize("question, text, note", [
    ("Wat kost het onderhoud van de vijvers per jaar?", ONDERHOUD, "U vraagt naar een cijfer per jaar, maar dit antwoord noemt alleen cijfers per maand."),
    ("Wat kost het onderhoud van de vijvers jaarlijks?", ONDERHOUD, "U vraagt naar een cijfer per jaar, maar dit antwoord noemt alleen cijfers per maand."),
    ("Wat kost het onderhoud van de vijvers per maand?", ONDERHOUD, None),
    ("Wat kost het onderhoud van de vijvers?", ONDERHOUD, None),
    ("Wat kost het onderhoud van de vijvers per saldo?", ONDERHOUD, None),  # no rate
    # An amount per vijver asked, a total given.
    ("Hoeveel euro krijgt een gemeente per vijver voor het onderhoud?", BUDGET, "U vraagt naar een bedrag per vijver, maar dit antwoord noemt geen bedrag per vijver."),
    ("Hoeveel euro is er voor het onderhoud van de vijvers?", BUDGET, None),
    # The asked rate only where no money is counted ("tuinmannen per vijver"): still a total.
    (
        "Hoeveel euro krijgt een gemeente per vijver voor het onderhoud?",
        BUDGET + " Voor het onderhoud van de vijvers zijn er gemiddeld 2 tuinmannen per vijver.",
        "U vraagt naar een bedrag per vijver, maar dit antwoord noemt geen bedrag per vijver.",
    ),
])
def test_an_answer_counted_per_something_else_than_asked_says_so(question, text, note):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused and text.split(". ")[0] in answer.text
    assert answer.uncertain is bool(note)
    assert (answer.note or "").startswith(note or "")


def _assert_note(answer, note: str | None, absent: str) -> None:
    """The answer's note starts with `note` and marks it uncertain; with no note expected, the
    note (if any) does not say `absent`, the mark of the note under test."""
    assert (answer.note or "").startswith(note or "") and (note is None or answer.uncertain)
    if note is None:
        assert absent not in (answer.note or "")


BUITENLAND = "Bijna alle tuinmannen (95%) hebben een diploma. Zij maaien het riet elk najaar."


@pytest.mark.parametrize("follower, note", [
    # The asked year only in a sentence that counts nothing: the figure is still 2023's.
    ("In 2022-2023 zijn we met het tellen van de vijvers met kikkers gestart.", "U vraagt naar 2022, maar dit antwoord noemt alleen 2023"),
    # A sentence that gives the figure for the asked year.
    ("In 2022 telde het park 17 vijvers met kikkers.", None),
])
def test_a_year_named_by_a_sentence_without_a_figure_does_not_answer_a_count_for_it(follower, note):
    answer = composer(margin=10.0, overlap=1.0).compose("Hoeveel vijvers met kikkers telde het park in 2022?", make_passages(TELLING + " " + follower))
    assert not answer.refused and follower in answer.text
    assert answer.uncertain is bool(note)
    assert (answer.note or "").startswith(note or "")


@pytest.mark.parametrize("question, history, section, note", [
    # The passage's heading names another country, the question none.
    ("Hoeveel tuinmannen hebben een diploma?", (), "Vijvers > Over de grens: vijvers in Zweden", "Dit antwoord gaat over Zweden, niet over Nederland."),
    ("Hoeveel tuinmannen hebben een diploma?", (), "Vijvers > Tuinmannen", None),
    # The question, or the one it follows on, asks about that country or other countries.
    ("Hoeveel tuinmannen in Zweden hebben een diploma?", (), "Vijvers > Over de grens: vijvers in Zweden", None),
    ("Hoeveel tuinmannen hebben een diploma?", ("Hoe gaan andere landen met vijvers om?", "..."), "Vijvers > Over de grens: vijvers in Zweden", None),
])
def test_an_answer_about_another_country_says_so(question, history, section, note):
    passages = [replace(p, chunk=replace(p.chunk, section=section)) for p in make_passages(BUITENLAND)]
    turns = [Turn(role, text) for role, text in zip(("user", "assistant"), history)]
    answer = composer(overlap=1.0).compose(question, passages, turns)
    assert not answer.refused and answer.text.startswith("Bijna alle tuinmannen")
    _assert_note(answer, note, absent="niet over Nederland")


@pytest.mark.parametrize("paragraph, note", [
    # A box's title that runs on into its text names the country of the whole paragraph.
    ("Over de grens: vijvers in Zweden De Zweedse wet kwam in 2031. Bijna alle tuinmannen (95%) hebben er een diploma.",
     "Dit antwoord gaat over Zweden, niet over Nederland."),
    # Not when the paragraph names the Netherlands before the sentence, or another paragraph names the country.
    ("Over de grens: vijvers in Zweden en Nederland De wet kwam in 2031. Bijna alle tuinmannen (95%) hebben er een diploma.", None),
    ("Over de grens: vijvers in Zweden De Zweedse wet kwam in 2031.\n\nBijna alle tuinmannen (95%) hebben een diploma.", None),
])
def test_an_answer_from_a_paragraph_about_another_country_says_so(paragraph, note):
    passages = [replace(p, chunk=replace(p.chunk, section="Vijvers > Tuinmannen")) for p in make_passages(paragraph)]
    answer = composer(overlap=1.0).compose("Hoeveel tuinmannen hebben een diploma?", passages)
    assert not answer.refused and answer.text.startswith("Bijna alle tuinmannen")
    _assert_note(answer, note, absent="niet over Nederland")


@pytest.mark.parametrize("text, note", [
    # Only the first sentence names another country: the note says so of that sentence.
    # (in a paragraph of its own: a paragraph that opens with another country is about it throughout)
    ("In Zweden heeft 95% van de tuinmannen een diploma.\n\nTuinmannen halen hun diploma meestal in 3 jaar.",
     "De eerste zin van dit antwoord gaat over Zweden, niet over Nederland."),
    # The answer names the Netherlands too, or opens with it.
    ("In Zweden heeft 95% van de tuinmannen een diploma. In Nederland heeft 60% van de tuinmannen een diploma.", None),
    ("Bijna alle tuinmannen (95%) hebben een diploma. In Zweden halen tuinmannen hun diploma in het voorjaar.", None),
])
def test_an_answer_that_opens_with_another_country_says_so(text, note):
    answer = composer(margin=10.0, overlap=1.0).compose("Hoeveel tuinmannen hebben een diploma?", make_passages(text))
    assert not answer.refused and answer.text.startswith(text.split(".")[0])
    _assert_note(answer, note, absent="niet over Nederland")


@pytest.mark.parametrize("question, text, section, note", [
    # The quantity asked is named nowhere: the figures measure something else.
    ("Wat is de gemiddelde leeftijd van tuinmannen in het park?", "Tuinmannen in het park zijn de meeste tijd kwijt aan het riet (54%).",
     "Vijvers", "U vraagt naar de gemiddelde leeftijd, maar dit antwoord noemt geen leeftijd."),
    ("Hoe hoog is het ziekteverzuim onder tuinmannen in het park?", "Van de tuinmannen in het park werkt 54% in deeltijd.",
     "Vijvers", "U vraagt naar het ziekteverzuim, maar dit antwoord noemt geen ziekteverzuim."),
    # Named in the answer, by a compound's head, or in the heading (a table's caption).
    ("Wat is de gemiddelde leeftijd van tuinmannen in het park?", "De leeftijd van tuinmannen in het park is gemiddeld 54 jaar.", "Vijvers", None),
    ("Wat is het watertekort in het park?", "Het tekort in het park is 54 liter.", "Vijvers", None),
    ("Wat is de gemiddelde leeftijd van tuinmannen in het park?", "Tuinmannen in het park: 54 jaar.", "Tabel 3 Gemiddelde leeftijd van tuinmannen", None),
    # A measure asked, not a quantity by name.
    ("Wat is het aantal tuinmannen in het park?", "In het park werken 54 tuinmannen.", "Vijvers", None),
    # A person asked by role: the answer names the role, or holds another.
    ("Wie is de voorzitter van de vijverclub?", "De vijverclub telt 54 leden en maait het riet.", "Vijvers",
     "U vraagt naar de voorzitter, maar dit antwoord noemt geen voorzitter."),
    ("Wie is de voorzitter van de vijverclub?", "De voorzitter van de vijverclub is Anna de Vries.", "Vijvers", None),
])
def test_an_answer_that_does_not_name_the_asked_quantity_says_so(question, text, section, note):
    passages = [replace(p, chunk=replace(p.chunk, section=section)) for p in make_passages(text)]
    answer = composer(overlap=1.0).compose(question, passages)
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, note, absent="maar dit antwoord noemt geen")


@pytest.mark.parametrize("question, text, note", [
    # How many there are, answered with shares of them or other figures.
    ("Hoeveel vijvers zijn er in het park?", "In het park heeft 40% van de vijvers een rietkraag.",
     "U vraagt hoeveel vijvers er zijn, maar dit antwoord noemt geen aantal vijvers."),
    ("Hoeveel vijvers zijn er?", "In 2020 had 1 op de 20 vijvers in het park een rietkraag.", "U vraagt hoeveel vijvers er zijn"),
    ("Hoeveel vijvers zijn er?", "Bij de telling (n=98) had het park kikkers in de vijvers.", "U vraagt hoeveel vijvers er zijn"),
    # A share in words ("twee derde van de ...") counts them no more than "40%" does.
    ("Hoeveel vijvers zijn er?", "In het park heeft twee derde van de vijvers een rietkraag.", "U vraagt hoeveel vijvers er zijn"),
    ("Hoeveel vijvers zijn er gemiddeld in een park?", "In het park heeft 40% van de vijvers een rietkraag.", "U vraagt hoeveel vijvers er zijn"),
    # "werken" and "zitten" ask how many there are without "er" too.
    ("Hoeveel tuinmannen werken in het park?", "In het park heeft 40% van de tuinmannen een diploma.", "U vraagt hoeveel tuinmannen er zijn"),
    # A survey's sample is no number of them.
    ("Hoeveel tuinmannen werken in het park?", "Voor dit onderzoek vulden 312 tuinmannen een vragenlijst in over het riet.",
     "U vraagt hoeveel tuinmannen er zijn"),
    ("Hoeveel tuinmannen werken er?", "In de enquête onder 312 tuinmannen gaf de helft aan riet te maaien.", "U vraagt hoeveel tuinmannen er zijn"),
    ("Hoeveel tuinmannen werken er?", "Er waren 4 groepsgesprekken met 3 of 4 tuinmannen uit één park.", "U vraagt hoeveel tuinmannen er zijn"),
    # Only the noun, with at most a place or time: how many there are.
    ("Hoeveel vijvers?", "In het park heeft 40% van de vijvers een rietkraag.", "U vraagt hoeveel vijvers er zijn"),
    ("Hoeveel vijvers in het park?", "In het park heeft 40% van de vijvers een rietkraag.", "U vraagt hoeveel vijvers er zijn"),
    # A name that holds a number counts nothing.
    ("Hoeveel vijvers zijn er?", "Volgens de telling VIJVER-2024 zijn vijvers in 40% van de parken groen.", "U vraagt hoeveel vijvers er zijn"),
    # A number of them; or the question asks how many of them do something.
    ("Hoeveel vijvers in het park kregen in 2023 een rietkraag?", "In 2023 kreeg 40% van de vijvers in het park een rietkraag.", None),
    ("Hoeveel procent in het park?", "In het park heeft 40% van de vijvers een rietkraag.", None),
    ("Hoeveel vijvers zijn er in het park?", "In het park liggen 19 vijvers, waarvan 40% met een rietkraag.", None),
    ("Hoeveel vijvers zaten er zonder rietkraag?", "In het park heeft 40% van de vijvers geen rietkraag.", None),
    ("Hoeveel tuinmannen werken in het park?", "In het park werken 312 tuinmannen, van wie de helft het riet maait.", None),
    ("Hoeveel tuinmannen werken parttime?", "In het park heeft 40% van de tuinmannen een diploma.", None),
])
def test_an_answer_to_how_many_there_are_that_gives_no_number_of_them_says_so(question, text, note):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, note, absent="noemt geen aantal")


MAAIRONDE = "Van de maairondes door het riet gaat 40% over de oever. Een maaironde door het riet duurt anderhalf uur."


@pytest.mark.parametrize("weights, lead, note", [
    # The sentence of shares leads, and alone: the span of time asked is in the passage, not in the answer.
    ({"overlap": 1.0, "has_number": 5.0}, "Van de maairondes", "U vraagt naar een tijdsduur, maar dit antwoord noemt er geen."),
    ({"overlap": 1.0}, "Een maaironde door het riet duurt anderhalf uur.", None),
])
def test_an_answer_that_gives_not_the_kind_of_figure_asked_says_so(weights, lead, note):
    answer = composer(**weights).compose("Hoe lang duurt een maaironde door het riet?", make_passages(MAAIRONDE))
    assert not answer.refused and answer.text.startswith(lead)
    _assert_note(answer, note, absent="maar dit antwoord noemt er geen")


@pytest.mark.parametrize("named, quoted", [
    # Both documents named: the second's best sentence about it joins the answer.
    (("doc0.txt", "doc1.txt"), {"doc0.txt", "doc1.txt"}),
    # One named, or none: the answer is as before.
    (("doc0.txt",), {"doc0.txt"}),
    ((), {"doc0.txt"}),
])
def test_a_question_that_names_two_documents_quotes_each_that_has_a_passage_about_it(named, quoted):
    from rag.text.sources import SourceMention

    question = "Wat zeggen het vijverplan en de kikkernota over het riet?"
    info = replace(analyse_question(question), mention=SourceMention(documents=named))
    passages = make_passages("Het riet langs de vijvers is volgens het plan een schuilplaats voor kikkers.", RIET)
    answer = composer(overlap=1.0).compose(question, passages, analysis=info)
    assert not answer.refused
    assert {c.passage.chunk.document_id for c in answer.citations} == quoted


@pytest.mark.parametrize("question, text, note", [
    # A share of the vijvers asked, shares of other wholes given.
    ("Welk percentage van de vijvers heeft een rietkraag?", "Ongeveer een derde van de parken heeft vijvers met een rietkraag.",
     "U vraagt naar een aandeel van de vijvers, maar dit antwoord noemt geen aandeel van de vijvers."),
    # A share of them, in figures or in words.
    ("Welk percentage van de vijvers heeft een rietkraag?", "Ongeveer een derde van de vijvers heeft een rietkraag.", None),
    ("Hoeveel procent van de vijvers heeft een rietkraag?", "Van de vijvers in het park heeft 40% een rietkraag.", None),
])
def test_an_answer_that_gives_no_share_of_what_the_question_asks_a_share_of_says_so(question, text, note):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, note, absent="noemt geen aandeel")


def test_how_many_percent_of_a_whole_is_refused_when_only_shares_of_other_wholes_are_given():
    question = "Hoeveel procent van de vijvers heeft een rietkraag?"
    other = composer(overlap=1.0).compose(question, make_passages("In 40% van de parken hebben vijvers een rietkraag."))
    assert other.refused and other.note.startswith("U vraagt naar een percentage of aandeel")
    own = composer(overlap=1.0).compose(question, make_passages("Van de vijvers in het park heeft 40% een rietkraag."))
    assert not own.refused and own.text.startswith("Van de vijvers in het park heeft 40%")


@pytest.mark.parametrize("caption, row, note", [
    # The caption says the row's figures are shares, and the caption or the row names the whole.
    ("Percentage vijvers met een rietkraag per park (%)", "Noordpark 40 52", None),
    ("Rietkraag per park (%)", "Vijvers in het Noordpark 40 52", None),
    # Shares of something else.
    ("Rietkraag per park (%)", "Oevers in het Noordpark 40 52", "U vraagt naar een aandeel van de vijvers"),
])
def test_a_table_row_gives_a_share_of_what_its_caption_names_as_shares(caption, row, note):
    table = f"Tabel 4.1 {caption}\n2022 2023\n{row}\nBron: Parkbureau (2024)"
    question = "Welk percentage van de vijvers in het Noordpark had in 2023 een rietkraag?"
    answer = composer(overlap=1.0, table=2.0).compose(question, make_passages(table, kinds=("table",)))
    assert not answer.refused and row in answer.text
    _assert_note(answer, note, absent="noemt geen aandeel")


def test_a_table_row_under_a_percent_column_header_gives_a_share_of_what_its_caption_names():
    table = "Tabel 4.1 Rietkraag bij vijvers per park\nNoord Zuid\nn % n %\nMet rietkraag 40 52 12 30\nBron: Parkbureau (2024)"
    question = "Welk deel van de vijvers had een rietkraag?"
    answer = composer(overlap=1.0, table=2.0).compose(question, make_passages(table, kinds=("table",)))
    assert not answer.refused and "Met rietkraag 40 52 12 30" in answer.text
    _assert_note(answer, None, absent="noemt geen aandeel")


def test_a_table_of_counts_gives_no_share():
    table = "Tabel 4.1 Aantal vijvers met een rietkraag per park\n2022 2023\nNoordpark 40 52\nBron: Parkbureau (2024)"
    question = "Welk percentage van de vijvers in het Noordpark had in 2023 een rietkraag?"
    answer = composer(overlap=1.0, table=2.0).compose(question, make_passages(table, kinds=("table",)))
    assert answer.refused and answer.note.startswith("U vraagt naar een percentage of aandeel")


@pytest.mark.parametrize("question, text, note", [
    # A share of the tuinmannen asked, a share of them given, but not of those that are what was asked.
    ("Welk percentage van de tuinmannen werkt parttime?", "Van de tuinmannen maait 40% het riet elk najaar.",
     "U vraagt naar een aandeel van de tuinmannen, maar dit antwoord noemt ‘parttime’ niet."),
    ("Hoeveel procent van de tuinmannen is vrouw?", "Van de tuinmannen gaf 40% dit aan in de enquête.", "U vraagt naar een aandeel van de tuinmannen"),
    # What was asked is named (a sector is the scope, not what was asked: other notes see to it).
    ("Welk percentage van de tuinmannen werkt parttime?", "Van de tuinmannen werkt 40% parttime.", None),
    ("Hoeveel procent van de tuinmannen in het po heeft een diploma?", "Van de tuinmannen heeft 95% een diploma.", None),
    # The head of the asked compound alone is another thing ("diploma" is no "waterdiploma").
    ("Welk percentage van de tuinmannen heeft een waterdiploma?", "Van de tuinmannen heeft 95% een diploma.",
     "U vraagt naar een aandeel van de tuinmannen, maar dit antwoord noemt ‘waterdiploma’ niet."),
])
def test_an_answer_that_gives_a_share_but_not_of_what_was_asked_says_so(question, text, note):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, note, absent="maar dit antwoord noemt ‘")


@pytest.mark.parametrize("text, note", [
    # Other staff than the people asked about: the leraren's hours are no answer about the directeuren.
    ("Leraren besteden gemiddeld 6 uur per week aan de vijvers.",
     "U vraagt naar schooldirecteuren, maar dit antwoord gaat over leraren: voor schooldirecteuren geven de gevonden passages dit niet."),
    # Another word for them, also in a compound, is theirs; pupils are named in sentences about anyone.
    ("Schoolleiders besteden gemiddeld 6 uur per week aan de vijvers.", None),
    ("Het schoolleiderswerk aan de vijvers kost 6 uur per week, met de leraren.", None),
    ("Leerlingen besteden gemiddeld 6 uur per week aan de vijvers.", None),
])
def test_an_answer_about_other_staff_than_those_asked_says_so(text, note):
    answer = composer(overlap=1.0).compose("Hoeveel uur per week besteden schooldirecteuren aan de vijvers?", make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, note, absent="maar dit antwoord gaat over")


def test_a_question_for_who_does_something_leads_with_the_item_that_names_them():
    text = (
        "Verstevig de vijverplannen van het park met een nadruk op het maaien van riet en kroos.\n"
        "• Vijverbureaus: Verstevig de vijverplannen door de nadruk op riet."
    )
    question = "Wie moet de vijverplannen verstevigen?"
    # The first sentence holds more of the question (maaien ... kroos aside, it scores as high).
    answer = composer(margin=3.0, overlap=1.0).compose(question, make_passages(text))
    assert answer.text.startswith("Vijverbureaus: Verstevig de vijverplannen")
    # Asked what is done, the sentence that says so leads.
    assert composer(margin=3.0, overlap=1.0).compose("Wat moet er met de vijverplannen gebeuren?", make_passages(text)).text.startswith("Verstevig de vijverplannen van het park")


def test_a_question_about_pupils_gets_no_note_for_staff_named_in_the_answer():
    # Money for pupils is told in sentences about schools and their leraren.
    text = "De vijverscholen krijgen extra geld, zodat het beroep van leraar aantrekkelijker wordt."
    answer = composer(overlap=1.0).compose("Krijgen leerlingen van de vijverscholen extra geld?", make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, None, absent="maar dit antwoord gaat over")


GROEP = "In de dorpen Vlinderstad, Kikkerdorp, Rietveld en Oeverwijk is het tekort aan tuinmannen 24%."


@pytest.mark.parametrize("question, texts, note", [
    # The asked place only as one of a group with one figure.
    ("Hoe groot is het tekort aan tuinmannen in Kikkerdorp?", (GROEP,), "U vraagt naar Kikkerdorp, maar dit antwoord noemt Kikkerdorp alleen samen met Vlinderstad, Rietveld en Oeverwijk"),
    ("Hoe groot is het tekort aan tuinmannen op Kikkerdorpse vijvers?", (GROEP,), "U vraagt naar Kikkerdorp,"),
    # The question names another member too; a sentence names the place on its own; no figure.
    ("Hoe groot is het tekort aan tuinmannen in Kikkerdorp en Rietveld?", (GROEP,), None),
    ("Hoe groot is het tekort aan tuinmannen in Kikkerdorp?", (GROEP + " In Kikkerdorp is het tekort aan tuinmannen 30%.",), None),
    ("Is er een tekort aan tuinmannen in Kikkerdorp?", ("In de dorpen Vlinderstad, Kikkerdorp, Rietveld en Oeverwijk is het tekort aan tuinmannen groot.",), None),
])
def test_an_answer_that_names_the_asked_place_only_in_a_group_says_so(question, texts, note):
    answer = composer(margin=10.0, overlap=1.0).compose(question, make_passages(*texts))
    assert not answer.refused
    _assert_note(answer, note, absent="alleen samen met")


@pytest.mark.parametrize("question, texts, note", [
    # The asked place named nowhere in the answer: its figure is another place's, or the country's.
    ("Hoeveel vijvers in Kikkerdorp hebben een tekort aan tuinmannen?", ("In Rietveld heeft 17% van de vijvers een tekort aan tuinmannen.",),
     "U vraagt naar Kikkerdorp, maar dit antwoord noemt Kikkerdorp niet"),
    ("Hoe groot is het tekort aan tuinmannen in de regio Kikkerdorp?", ("Het tekort aan tuinmannen is 12%.",), "U vraagt naar Kikkerdorp,"),
    # Named in the answer (or in the heading above it); a name that is no place asked about.
    ("Hoeveel vijvers in Kikkerdorp hebben een tekort aan tuinmannen?", ("In Kikkerdorp heeft 17% van de vijvers een tekort aan tuinmannen.",), None),
    ("Hoeveel vijvers hebben volgens Vijverbond een tekort aan tuinmannen?", ("Van de vijvers heeft 17% een tekort aan tuinmannen.",), None),
])
def test_an_answer_that_does_not_name_the_asked_place_says_so(question, texts, note):
    answer = composer(margin=10.0, overlap=1.0).compose(question, make_passages(*texts))
    assert not answer.refused
    _assert_note(answer, note, absent="maar dit antwoord noemt Kikkerdorp niet")


@pytest.mark.parametrize("question, texts, note", [
    # Which one asked; one figure for the group.
    ("In welk dorp is het tekort aan tuinmannen het grootst?", (GROEP,), "U vraagt welke het grootst is, maar dit antwoord geeft alleen één cijfer"),
    ("Welk dorp heeft het grootste tekort aan tuinmannen?", (GROEP,), "U vraagt welke het grootst is"),
    # A member named on its own; or no which-question.
    ("In welk dorp is het tekort aan tuinmannen het grootst?", (GROEP + " In Kikkerdorp is het tekort aan tuinmannen het grootst: 30%.",), None),
    ("Hoe groot is het tekort aan tuinmannen in de dorpen?", (GROEP,), None),
])
def test_an_answer_that_gives_only_a_groups_figure_to_which_one_is_largest_says_so(question, texts, note):
    answer = composer(margin=10.0, overlap=1.0).compose(question, make_passages(*texts))
    assert not answer.refused and answer.text.startswith(GROEP)
    _assert_note(answer, note, absent="voor een hele groep")


# The second sentence names no sector: it is about the one the sentence before it named.
KIKKERTELLING = "Op de basisscholen telde men 40 kikkers. Het aandeel groene kikkers is slechts 3%."


@pytest.mark.parametrize("question, note", [
    ("Welk aandeel van de kikkers is groen in het vo?", "U vraagt naar het vo, maar dit antwoord gaat over het po: voor het vo"),
    ("Welk aandeel van de kikkers is groen in het vo en het mbo?", "U vraagt naar het vo en het mbo, maar dit antwoord gaat over het po"),
    ("Welk aandeel van de kikkers is groen in het primair onderwijs?", None),
    ("Welk aandeel van de kikkers is groen?", None),  # no sector asked
])
def test_an_answer_about_another_sector_than_the_one_asked_says_so(question, note):
    answer = composer(overlap=1.0).compose(question, make_passages(KIKKERTELLING))
    assert not answer.refused and "3%" in answer.text
    assert answer.uncertain is bool(note)
    assert (answer.note or "").startswith(note or "")


def test_a_sentence_that_names_no_sector_and_follows_none_that_does_is_about_none():
    answer = composer(overlap=1.0).compose(
        "Welk aandeel van de kikkers is groen in het vo?", make_passages("Men telde 40 kikkers. Het aandeel groene kikkers is 3%.")
    )
    assert not answer.refused and not answer.uncertain


def test_a_year_a_follow_up_carries_over_is_not_asked_again():
    # The follow-up as searched carries 2022 from before; as the user wrote it, it names no year.
    history = [Turn("user", "Hoeveel vijvers telde het park in 2022?"), Turn("assistant", "Dat staat niet in de documenten.")]
    searched = analyse_question("Welke dieren leven er in de vijvers? (vijvers park 2022)")
    answer = composer(overlap=1.0).compose("Welke dieren leven er in de vijvers?", make_passages(VIJVERS), history, searched)
    assert not answer.refused


VIJVERTABEL = (
    "Tabel 3.1 Vijvers per park in 2022 en 2023\n2022 2023\nNoordpark 4 6\nZuidpark 3 5\nBron: Parkbureau (2024)"
)


def test_a_table_row_answers_what_or_why_only_when_its_own_label_is_about_the_question():
    passage = make_passages(VIJVERTABEL, kinds=("table",))[0]

    def rows(question):
        return [u.text.split("\n")[-1] for u, _, _, _ in unit_signals(analyse_question(question), [passage]) if u.row]

    # Figures for what the caption names: a number question's answer, no meaning or reason.
    assert rows("Hoeveel vijvers had het Noordpark in 2023?") == ["Noordpark 4 6", "Zuidpark 3 5"]
    assert rows("Wat is een vijver?") == []
    assert rows("Waarom heeft het Zuidpark vijvers?") == ["Zuidpark 3 5"]


def test_a_table_row_is_a_candidate_with_the_caption_and_column_headings_above_it():
    from rag.answer.extractive import table_units

    passage = make_passages(VIJVERTABEL, kinds=("table",))[0]
    rows = [u for u in candidate_units(0, passage) if u.row]
    assert [u.text for u in rows] == [
        "Vijvers per park in 2022 en 2023\n2022 2023\nNoordpark 4 6",  # without the label "Tabel 3.1"
        "Vijvers per park in 2022 en 2023\n2022 2023\nZuidpark 3 5",
    ]
    assert not any(u.is_enumeration for u in rows)
    # Without a caption the figures count nothing a reader can tell: no rows.
    assert table_units(0, tuple(split_sentences("2022 2023\nNoordpark 4 6\nZuidpark 3 5"))) == []
    # Column headings printed over several lines are all kept, the first column's too.
    headed = "Tabel 3.3 Tuinmannen per park\nn % met vast contract\n% van de tijd\nvoor maaien\n% dat de tijd\nvoor maaien\noverschrijdt\nNoordpark 12 80 60 40"
    (unit,) = table_units(0, tuple(split_sentences(headed)))
    assert unit.text.split("\n")[1] == "n % met vast contract"


KIKKERTABEL = "Tabel 3.2 Kikkers per vijver in 2020 en 2021\n2020 2021\nVijvers met riet 40 52\nBron: Parkbureau (2024)"


@pytest.mark.parametrize("question, refused", [
    ("Hoeveel kikkers telden de vijvers in 2020?", False),  # the row's label names the vijvers
    ("Hoeveel parkvijvers waren er in 2020 zonder kroos?", True),  # only "vijvers" inside a longer word
])
def test_a_table_row_gives_the_year_only_for_what_its_own_label_names(question, refused):
    passages = make_passages(RIET, KIKKERTABEL, kinds=("text", "table"))
    assert composer(overlap=1.0, table=2.0).compose(question, passages).refused is refused


KIKKERS_PER_PARK = "Tabel 3.3 Kikkers in de parken in 2020 en 2021\n2020 2021\nNoordpark 40 52\nZuidpark 12 9"


@pytest.mark.parametrize("question, refused", [
    ("Hoeveel kikkers leefden er in 2021 in de stad?", False),  # no row names the stad, the caption names kikkers
    ("Hoeveel kikkers leefden er in 2022 in de stad?", True),  # the table is about 2020 and 2021
])
def test_a_table_gives_the_years_of_its_caption_when_the_caption_is_about_the_question(question, refused):
    passages = make_passages(KIKKERS_PER_PARK, kinds=("table",))
    answer = composer(overlap=1.0, table=2.0).compose(question, passages)
    assert answer.refused is refused
    if refused:
        assert answer.note == "De gevonden passages over dit onderwerp noemen 2022 niet."


@pytest.mark.parametrize("line, label", [
    ("Noordpark 4 6", "Noordpark"),
    ("Vijvers met een rietkraag 26,2 23,7 44,7%", "Vijvers met een rietkraag"),
    ("Zuidpark 3 -", "Zuidpark"),
    ("2022 2023", None),  # column headings
    ("Noordpark 4", None),  # one figure: no row of a table
    ("Het park telt 4 6 vijvers.", None),
    ("Bron: Parkbureau (2024)", None),
])
def test_row_label(line, label):
    from rag.answer.extractive import row_label

    assert row_label(line) == label
    # Read from the end token by token: a very long line is no slower than its length.
    assert row_label("Noordpark " + "4 " * 50_000 + "vijvers") is None


def test_a_question_answered_by_a_table_quotes_the_row_below_its_caption():
    passages = make_passages(RIET, VIJVERTABEL, kinds=("text", "table"))
    answer = composer(overlap=1.0, table=2.0).compose("Hoeveel vijvers had het Noordpark in 2023?", passages)
    assert "Vijvers per park in 2022 en 2023\n2022 2023\nNoordpark 4 6 [" in answer.text
    assert "Tabel 3.1" not in answer.text and "Zuidpark" not in answer.text


def test_a_question_that_names_one_document_is_answered_from_it_when_it_can_be():
    from types import SimpleNamespace

    from rag.text.sources import SourceMatcher

    matcher = SourceMatcher.of_documents([
        SimpleNamespace(id="doc0.txt", title="Stand van het Park", publisher="Parkbureau", aliases=()),
        SimpleNamespace(id="doc1.txt", title="Het Vijverplan", publisher="Gemeente Vlinderstad", aliases=("vijverplan",)),
    ])
    passages = make_passages(RIET, "Het vijverplan wil het riet elk voorjaar maaien, zodat er minder kroos komt.")
    question = "Wanneer wil het vijverplan het riet maaien?"
    heavy = composer(passage_rank=5.0, overlap=1.0)  # left alone, the first passage leads
    assert heavy.compose(question, passages).text.startswith("Het riet groeit snel")
    answer = heavy.compose(question, passages, analysis=analyse_question(question, matcher))
    assert answer.text.startswith("Het vijverplan wil het riet elk voorjaar maaien")
    # Named, but with nothing about the question in its passages: the others still answer.
    other = analyse_question("Wanneer wil het vijverplan het riet maaien?", matcher)
    assert heavy.compose(question, make_passages(RIET, VIJVERS), analysis=other).text.startswith("Het riet groeit snel")


def test_a_sentence_that_only_names_the_source_does_not_lead():
    from types import SimpleNamespace

    from rag.text.sources import SourceMatcher

    matcher = SourceMatcher.of_documents([
        SimpleNamespace(id="doc0.txt", title="Het Vijverplan", publisher="Gemeente Vlinderstad", aliases=("vijverplan",)),
    ])
    names_plan = "Het vijverplan is in 2020 opgesteld, omdat de gemeente een plan wilde."
    answers = "Riet is nuttig, omdat de wortels het water zuiveren."
    question = "Waarom vindt het vijverplan riet nuttig?"
    heavy = composer(passage_rank=5.0, overlap=1.0)  # left alone, the first passage leads
    passages = make_passages(names_plan, answers)
    analysis = analyse_question(question, matcher)
    assert heavy.compose(question, passages, analysis=analysis).text.startswith("Riet is nuttig")
    # A sentence that has the subject too may lead, as the sentence model has it.
    about = "Het vijverplan noemt riet nuttig voor de eenden."
    assert heavy.compose(question, make_passages(about, answers), analysis=analysis).text.startswith(about)
    # Without the source named, the words are all subject: the model's order stands.
    plain = analyse_question(question)
    assert heavy.compose(question, passages, analysis=plain).text.startswith(names_plan)


def test_an_amount_asked_of_the_named_document_itself_must_come_from_it():
    from types import SimpleNamespace

    from rag.text.sources import SourceMatcher

    matcher = SourceMatcher.of_documents([
        SimpleNamespace(id="doc0.txt", title="Het Vijverplan", publisher="Gemeente Vlinderstad", aliases=("vijverplan",)),
        SimpleNamespace(id="doc1.txt", title="Stand van het Park", publisher="Parkbureau", aliases=()),
    ])
    plan = "Het vijverplan wil het riet elk voorjaar maaien."
    elsewhere = "Voor nieuwe pompen is vanaf 2024 jaarlijks 40.000 euro per jaar beschikbaar."
    question = "Hoeveel kost het vijverplan per jaar?"
    answer = composer(overlap=1.0).compose(question, make_passages(plan, elsewhere), analysis=analyse_question(question, matcher))
    assert answer.refused and answer.note.startswith("U vraagt naar een bedrag")
    # From the plan itself, the amount answers.
    costs = "Het vijverplan kost de gemeente 40.000 euro per jaar."
    answer = composer(overlap=1.0).compose(question, make_passages(costs, elsewhere), analysis=analyse_question(question, matcher))
    assert not answer.refused and answer.text.startswith(costs)
    # A subject of its own ("pompen") may be answered from any document, as naming a source is no reason to refuse.
    pumps = "Hoeveel kosten de pompen volgens het vijverplan per jaar?"
    answer = composer(overlap=1.0).compose(pumps, make_passages(plan, elsewhere), analysis=analyse_question(pumps, matcher))
    assert not answer.refused


def test_a_list_gives_reasons_only_when_its_lead_in_says_so():
    advice = (
        "Adviezen voor de vijvers:\n• Tuinmannen: zoek de oorzaken van het kroos.\n"
        "• Gemeente: maai het riet in het Noordpark."
    )
    answers = "De vijvers in het Noordpark hebben veel kroos door de mest uit de weilanden."
    question = "Waarom hebben de vijvers in het Noordpark veel kroos?"
    passages = make_passages(answers, advice)
    signals = {u.text: s for u, s, _, _ in unit_signals(analyse_question(question), passages)}
    listed = next(s for text, s in signals.items() if text.startswith("Adviezen"))
    assert listed["causal_wanted"] == 0.0
    # The list holds every key term, as the sentence does; a cause it does not give weighs nothing.
    answer = composer(overlap=1.0, causal_wanted=0.5, passage_rank=0.2).compose(question, passages)
    assert answer.text.startswith(answers)
    # A list whose lead-in gives the reason is one.
    reasons = "Er is veel kroos in de vijvers, omdat:\n• er mest in het water komt;\n• het riet niet wordt gemaaid."
    signals = {u.text: s for u, s, _, _ in unit_signals(analyse_question(question), make_passages(reasons))}
    assert next(s for text, s in signals.items() if text.startswith("Er is veel kroos"))["causal_wanted"] == 1.0


def test_how_a_document_uses_its_words_answers_only_what_a_word_means():
    usage = "De woorden ‘tuinman’ en ‘hovenier’ worden hierin afwisselend gebruikt voor wie de vijvers onderhoudt."
    answers = "De tuinmannen maaien het riet rond de vijvers elk najaar."
    heavy = composer(passage_rank=5.0, overlap=1.0)  # left alone, the first passage leads
    answer = heavy.compose("Wanneer maaien de tuinmannen het riet rond de vijvers?", make_passages(usage, answers))
    assert answer.text.startswith(answers)
    # Asked what the word means, the sentence on how the document uses it may answer.
    defined = heavy.compose("Wat is een hovenier?", make_passages(usage, answers))
    assert defined.text.startswith("De woorden ‘tuinman’ en ‘hovenier’")
    # So when asked whether two words mean the same.
    same = heavy.compose("Zijn een tuinman en een hovenier in dit plan hetzelfde?", make_passages(usage, answers))
    assert same.text.startswith("De woorden ‘tuinman’ en ‘hovenier’")
    # A sentence that uses things interchangeably, not words, stays a candidate.
    boats = "Bij de vijvers worden de boten door elkaar gebruikt door de tuinmannen."
    texts = [u.text for u, _, _, _ in unit_signals(analyse_question("Welke boten gebruiken de tuinmannen?"), make_passages(boats))]
    assert texts == [boats]


def test_the_words_naming_the_source_weigh_half_in_a_sentence():
    from types import SimpleNamespace

    from rag.text.sources import SourceMatcher

    matcher = SourceMatcher.of_documents([
        SimpleNamespace(id="doc0.txt", title="Stand van het Park", publisher="Parkbureau", aliases=()),
    ])
    question = "Welke oorzaken noemt het Parkbureau voor de kroosgroei?"
    names_source = "Van de vijvers met veel kroosgroei kreeg 30% een onvoldoende van het Parkbureau."
    answers = "Oorzaken van de kroosgroei zijn mest en warm water."
    overlap = {u.text: o for u, _, o, _ in unit_signals(analyse_question(question, matcher), make_passages(names_source, answers))}
    # The source's name chose the document; the sentence that answers covers more of what is asked.
    assert overlap[answers] > overlap[names_source]
    # Without a source named, every word of the question counts alike.
    plain = "Welke oorzaken noemt het parkbureau voor de kroosgroei?"
    alike = {u.text: o for u, _, o, _ in unit_signals(analyse_question(plain), make_passages(names_source, answers))}
    assert alike[answers] <= alike[names_source]


@pytest.mark.parametrize("question, intent, defined", [
    ("Wat zijn kroosvijvers in het vijverplan?", "define", "kroosvijvers"),
    ("Wat zijn kroosvijvers volgens het vijverplan?", "define", "kroosvijvers"),
    ("Wat is volgens het vijverplan een kroosdek?", "define", "kroosdek"),
    ("Wat zijn de maatregelen van het vijverplan?", "list", None),
])
def test_a_definition_question_that_names_its_source_asks_for_the_definition(question, intent, defined):
    from types import SimpleNamespace

    from rag.text.sources import SourceMatcher

    matcher = SourceMatcher.of_documents([
        SimpleNamespace(id="doc1.txt", title="Het Vijverplan", publisher="Gemeente Vlinderstad", aliases=("vijverplan",)),
    ])
    info = analyse_question(question, matcher)
    assert (info.intent, info.defined) == (intent, defined)


def test_a_sentence_that_announces_what_the_document_covers_is_no_candidate():
    text = (
        "Per vijver wordt ingegaan op de kikkers en de salamanders die er leven. "
        "In de grote vijver leven 40 kikkers en 12 salamanders."
    )
    texts = [u.text for u, _, _, _ in unit_signals(analyse_question("Welke dieren leven er in de vijvers?"), make_passages(text))]
    assert texts == ["In de grote vijver leven 40 kikkers en 12 salamanders."]
    answer = composer(margin=10.0, overlap=1.0).compose("Welke dieren leven er in de vijvers, kikkers of salamanders?", make_passages(text))
    assert answer.text == "In de grote vijver leven 40 kikkers en 12 salamanders. [1]"


def _candidate_texts(text: str, question: str) -> list[str]:
    return [u.text for u, _, _, _ in unit_signals(analyse_question(question), make_passages(text))]


def _signals(question: str, text: str) -> dict[str, dict[str, float]]:
    """Each candidate's signals for `question` over one passage of `text`, by the candidate's text."""
    return {u.text: sig for u, sig, _, _ in unit_signals(analyse_question(question), make_passages(text))}


def test_a_long_sentence_counts_as_long_unless_it_lists_after_a_colon():
    # More than 60 words either way; the first lists three causes after its colon.
    opening = (
        "Hoewel een grondig onderzoek naar de omvang en de oorzaken van het tekort aan tuinmannen in de "
        "gemeente nog altijd ontbreekt, valt uit eerdere verkenningen en uit de ervaringen van de tuinmannen "
        "die de afgelopen jaren aan het vijverprogramma van het Parkbureau meededen wel af te leiden dat "
    )
    listing = opening + "drie factoren het tekort veroorzaken: een grote uitstroom, een kleine instroom en een zware baan."
    rambling = opening + "het tekort nog wel enige tijd zal blijven bestaan omdat het werk in de parken zwaar is en blijft."
    signals = _signals("Welke oorzaken heeft het tuinmannentekort?", f"{listing}\n\n{rambling}")
    assert signals[listing]["long"] == 0.0
    assert signals[rambling]["long"] == 1.0


@pytest.mark.parametrize("announcing", [
    "In hoofdstuk 5 trekken we de voornaamste conclusies over de vijvers.",  # where it is said
    "In paragraaf 2.3 schetsen wij de vijvers en hun dieren.",
    "Deze notitie presenteert de uitkomsten van de kikkertelling in 2023.",  # the document itself
    "Het vijverboek kan van begin tot eind worden gelezen, maar wie vooral de kikkers zoekt, kan meteen naar hoofdstuk 4.",
    "We beschrijven de vijvers en hun dieren op drie niveaus (paragraaf 3.1 tot en met 3.3).",  # the authors, what follows
    "In hoofdstuk 3 staan de conclusies over de vijvers centraal.",
    "De conclusies over de vijvers zijn als volgt samen te vatten.",
    "De belangrijkste conclusies over de vijvers zijn de volgende.",
])
def test_a_sentence_that_says_where_or_what_the_document_tells_is_no_candidate(announcing):
    texts = _candidate_texts(f"{announcing} In de grote vijver leven 40 kikkers.", "Wat zijn de conclusies over de vijvers?")
    assert texts == ["In de grote vijver leven 40 kikkers."]


@pytest.mark.parametrize("text", [
    "Het rapport beschrijft dat 40% van de vijvers droogvalt.",  # the document presents a figure
    "In hoofdstuk 2 zagen we dat de vijvers droogvallen.",  # a finding, with the chapter it was in
    "We beschrijven 40% van de vijvers als droog.",  # a figure
    "Een tuinman verwoordt het als volgt: de vijvers vallen elke zomer droog door de hitte.",  # what follows is in it
    "De vijvers vallen droog, en de kikkers zijn de volgende die verdwijnen.",
])
def test_a_sentence_that_names_the_document_with_what_it_found_stays_a_candidate(text):
    assert _candidate_texts(text, "Vallen de vijvers droog?") == [text]


def test_follow_up_borrows_the_previous_question():
    history = [Turn("user", "Hoeveel vijvers heeft het park?"), Turn("assistant", "19 [1]")]
    answer = composer(overlap=1.0, number_wanted=1.0).compose("En in 2021?", make_passages(VIJVERS), history)
    assert "14 vijvers" in answer.text


def test_nothing_on_topic_is_a_refusal_with_the_closest_passages():
    answer = composer(overlap=1.0).compose("Wat kost een fietsenstalling?", make_passages(RIET))
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT)
    assert answer.passages and not answer.citations


def test_a_question_of_only_numbers_is_refused_but_a_follow_up_of_one_is_not():
    passages = make_passages(VIJVERS)
    answer = composer(overlap=1.0).compose("Wat is 14 + 19?", passages)
    assert answer.refused and "alleen getallen" in answer.note
    history = [Turn("user", "Hoeveel vijvers heeft het park?"), Turn("assistant", "19 [1]")]
    assert not composer(overlap=1.0).compose("En in 2021?", passages, history).refused


def test_the_bundled_model_answers_an_obvious_question_from_the_right_sentence():
    answer = ExtractiveComposer(refusal=NEVER_REFUSE).compose(
        "Hoeveel vijvers telde het park in 2023?", make_passages(RIET, VIJVERS, VOETNOOT, kinds=("text", "text", "note"))
    )
    assert "19" in answer.text.split("[")[0]
    assert "Bureau Vlinder" not in answer.text


def test_a_list_of_questions_answers_no_how_many_question():
    # A study's research questions give no figure, whatever words and years they share.
    passage = (
        "Bij de telling van de tuinmannen in het park hoorden deze onderzoeksvragen:\n"
        "• Welke taken hebben de tuinmannen in het park, en welke zijn er in 2023 bijgekomen?\n"
        "• Welke knelpunten ervaren de tuinmannen in het park?\n\n"
        "In 2023 groeide het riet langs 12 vijvers van het park hard."
    )
    question = "Hoeveel tuinmannen stonden er in 2023 in het park?"
    answer = ExtractiveComposer(refusal=NEVER_REFUSE).compose(question, make_passages(passage))
    assert not answer.refused and "onderzoeksvragen" not in answer.text


def test_an_age_asked_is_answered_by_an_age_not_by_a_year():
    passage = (
        "Sinds 2004 hebben de boswachters van het park een eigen vereniging. "
        "Van de boswachters is 40% ouder dan 55 jaar."
    )
    answer = ExtractiveComposer(refusal=NEVER_REFUSE).compose("Hoe oud zijn de boswachters?", make_passages(passage))
    assert "ouder dan 55" in split_sentences(answer.text)[0].text


@pytest.mark.parametrize("question, intent", [
    ("Hoeveel vijvers zijn er?", "number"),
    ("Hoe oud zijn de boswachters?", "number"),  # an age: a number, not a date
    ("Sinds wanneer is er een keurmerk?", "date"),
    ("Tot welk jaar loopt het vijverplan?", "date"),
    ("Welk jaar begon de telling?", "date"),
    ("Hoelang duurt het maaien?", "number"),
    ("Waar liggen de meeste vijvers?", "place"),
    ("Waarom groeit het riet?", "explain"),
    ("Wat is een salamander?", "define"),
    ("Waar staat VBP voor?", "define"),
    ("Wat is er nodig om de vijvers schoon te houden?", "other"),  # "wat is er": no definition asked
    ("Wat bedoelen ze met een kroosdek?", "define"),
    ("Wat wordt er verstaan onder kroosbeheer?", "define"),
    ("Wat houden de kroosregels in?", "define"),
    ("Wat houdt het vijverplan volgens de tuinmannen in?", "define"),
    ("Wat houdt de tuinmannen tegen bij het maaien?", "other"),  # "tegenhouden": what stops them, no definition
    ("Wat houdt de tuinmannen in de winter bezig?", "other"),
    ("Hoe wordt een kroosdek gedefinieerd?", "define"),
    ("Wat betekent het kroostekort voor de eenden?", "other"),  # what follows from it, not what it means
    ("Wat zijn kroosvijvers?", "define"),  # a bare plural: what they are
    ("Wat zijn de oorzaken van het kroos?", "list"),
    ("Wat zijn belangrijke redenen om riet te maaien?", "list"),
    # A polite frame around the question: the question inside decides.
    ("Kun je me vertellen welke maatregelen de gemeente neemt?", "list"),
    ("Ik wil graag weten hoeveel vijvers er zijn.", "number"),
    ("Weet je wat een salamander is?", "define"),
    ("Ik ben benieuwd waarom het riet groeit.", "explain"),
    ("Wat is de oorzaak van het kroos?", "explain"),  # a cause, not a definition
    ("Wat is de belangrijkste verklaring voor het kroos?", "explain"),
    ("Wat is volgens de boswachters de belangrijkste reden voor het kroos?", "explain"),
    ("Wat was de aanleiding voor het vijverplan?", "explain"),
    ("Wat verklaart de groei van het riet?", "explain"),
    ("Wat zijn de oorzaken van het kroos?", "list"),
    ("Welke maatregelen neemt de gemeente?", "list"),
    ("Is het water schoon?", "other"),
    # A follow-up's opening "En" / "Maar" does not hide what it asks.
    ("En welke maatregelen neemt de gemeente?", "list"),
    ("Maar in welke provincie ligt het park?", "place"),
    # "Welke gemeente ...?" asks for a place as "In welke gemeente ...?" does, not for a list.
    ("Welke gemeente heeft de meeste vijvers?", "place"),
    ("Welke regio's hebben de minste kikkers?", "place"),
    ("Welke gemeenten kappen bomen?", "place"),
    ("Welke gemeentelijke regels gelden voor vijvers?", "list"),
    ("Wat zijn daar de kroosregels?", "list"),  # as "Wat zijn de kroosregels?"
    ("En, wat is een salamander?", "define"),
    # "waar ... aan" is "waaraan": what, not where.
    ("Waar besteedt de gemeente het geld aan?", "other"),
    ("Waar zijn de boswachters vooral mee bezig?", "other"),
    ("Waar gaat het rapport over?", "other"),
    ("Waar staan de bomen die voor de school geplant zijn?", "place"),
    ("Waar komen de salamanders vandaan?", "place"),
    # Split off as the question's last word: "waarop", "waartegenaan"; before a noun they open a place.
    ("Waar letten de boswachters op?", "other"),
    ("Waar lopen de boswachters tegenaan?", "other"),
    ("Waar groeit het meeste riet op het eiland?", "place"),
    # "Wat is het (gemiddelde) loon ...?": an amount, like "Wat kost ...?".
    ("Wat is het gemiddelde loon van een boswachter?", "number"),
    ("Wat zijn de kosten van het maaien?", "number"),
    ("Wat kosten de nieuwe pompen?", "number"),
    ("Wat kostte het maaien in 2021?", "number"),
    ("Wat kostbaar is, gaat naar de schuur.", "other"),
    ("Wat was het budget voor nieuwe pompen?", "number"),
    ("Wat vinden boswachters van hun loon?", "other"),
    # A shortage is an amount too: "Wat is het tekort ...?" asks how large it is.
    ("Wat is het boswachterstekort in de provincie?", "number"),
    ("Wat is het tekort aan tuinmannen?", "number"),
    ("Wat is de omvang van het kroosprobleem?", "number"),
    ("Wat is een kroostekort?", "define"),  # "een": what it is
    # An average or median is an amount: "Wat is de gemiddelde ...?" is no definition question.
    ("Wat is de gemiddelde leeftijd van boswachters?", "number"),
    ("Wat was het gemiddeld aantal eenden per vijver?", "number"),
    ("Wat is de mediaan van de kroosdikte?", "number"),
    ("Wat is een gemiddelde vijver?", "define"),
    ("Wat zijn de gevolgen van het tekort aan tuinmannen?", "list"),
    # Asked to explain a thing: what it is; asked to explain why: a reason.
    ("Kun je kroosbeheer uitleggen?", "define"),
    ("Licht het vijverplan toe.", "define"),
    ("Leg uit waarom het riet wordt gemaaid.", "explain"),
    ("Welke maatregelen licht het vijverplan toe?", "list"),
    # An amount in a clause of its own, after another question word: that word asks.
    ("Waarop is gebaseerd hoeveel kroosgeld een vijver krijgt?", "other"),
    ("Hoe wordt bepaald hoeveel riet er gemaaid wordt?", "other"),
    ("Waarom weet niemand hoeveel kikkers er zijn?", "explain"),
    ("Bij hoeveel vijvers groeit riet?", "number"),
    ("Weet u hoeveel vijvers er zijn?", "number"),
    ("Hoe vaak wordt er gemaaid?", "number"),
    # Other ways to ask for a reason.
    ("In welke maand wordt het riet gemaaid?", "date"),
    ("In welke periode groeit het kroos?", "date"),
    ("Welke periodes van droogte noemt het plan?", "list"),
    ("Om welke reden wordt het riet gemaaid?", "explain"),
    ("Om welke redenen verdwijnen de kikkers?", "explain"),
    ("Waaraan ligt het dat de vijver dichtgroeit?", "explain"),
    ("Hoe ontstaat een kroosdek?", "explain"),
    ("Wat leidt tot kroos in de vijvers?", "explain"),
    ("Wat is de aanleiding voor het vijverplan?", "explain"),
    # What it takes is no definition of "nodig"; a needed thing named by a noun is.
    ("Wat is volgens het vijverplan nodig voor schone vijvers?", "other"),
    ("Wat is een noodzakelijke maaibeurt?", "define"),
    # So is anything said of the asked thing by an adjective; an adjective before a noun is not.
    ("Wat is belangrijk bij het aanleggen van een vijver?", "other"),
    ("Wat is nog onduidelijk over de vijverkwaliteit?", "other"),
    ("Wat is volgens de tuinman vooral lastig?", "other"),
    ("Wat is effectief tegen kroos?", "other"),
    ("Wat is effectief maaien?", "define"),
    ("Wat is eigenlijk een kroosdek?", "define"),
    ("Wat is goed tuinonderhoud?", "define"),
    # How something works, what someone does: told in words.
    ("Hoe werkt de vijverpas?", "explain"),
    ("Wat doet een kroosmeester?", "explain"),
    ("Hoeveel uur werkt een kroosmeester?", "number"),
    ("Wat kunnen tuinmannen doen tegen kroos?", "explain"),
    ("Wat moet de gemeente volgens het vijverplan doen?", "explain"),
    ("Hoe kan een gemeente het kroos aanpakken?", "explain"),
    ("Hoeveel kunnen tuinmannen per dag maaien?", "number"),
    # "Wanneer spreekt X van Y?" asks what counts as Y, not a date; a meeting is a date.
    ("Wanneer spreekt het vijverplan van een kroosdek?", "define"),
    ("Wanneer spreek je van een kroosvijver?", "define"),
    ("Wanneer spreekt de tuinman met de gemeente?", "date"),
    # "Wat is de grootste X?" asks which X ranks first, not what an X is.
    ("Wat is de grootste bedreiging voor de kikkers?", "other"),
    ("Wat zijn de meeste klachten over het maaien?", "list"),
    ("Wat is een grote bedreiging?", "define"),
])
def test_question_intent(question, intent):
    assert question_intent(question) == intent


def test_counted_noun():
    assert counted_noun("Hoeveel vo-vijvers zijn er?") == "vijvers"
    assert counted_noun("Hoeveel procent van de vijvers?") == "%"
    assert counted_noun("Hoeveel is het?") is None
    assert counted_noun("Hoeveel fte werkt er bij de vijverdienst?") == "fte"  # a unit counts too
    # A verb right after "hoeveel" asks an amount and counts nothing by name.
    assert counted_noun("Hoeveel bedraagt de vijvertoelage?") is None
    assert counted_noun("Hoeveel krijgen de tuinmannen?") is None
    assert counted_noun("Hoeveel kost een kroosnet?") is None


def test_the_verb_of_an_amount_asked_is_no_subject():
    from rag.text.terms import form_words
    from rag.text.analysis import words

    question = "Hoeveel bedraagt de vijvertoelage?"
    assert [w for w, form in zip(words(question), form_words(question)) if form] == ["bedraagt"]
    question = "Wat bedroeg het budget voor kroosnetten?"
    assert [w for w, form in zip(words(question), form_words(question)) if form] == ["bedroeg"]
    # With the unit asked between: the unit is a subject, the verb is not.
    question = "Hoeveel liter bedraagt het watertekort?"
    assert [w for w, form in zip(words(question), form_words(question)) if form] == ["bedraagt"]


@pytest.mark.parametrize("question, form", [
    # "Welke rol speelt X bij Y?" asks how X bears on Y: the role and the playing are its form.
    ("Welke rol speelt het kroos bij de visstand?", ["rol", "speelt"]),
    ("En welke rol spelen de reigers daarbij?", ["rol", "spelen"]),
    # Asked what the role is, or what role someone has, "rol" is the subject.
    ("Wat is de rol van het kroos?", []),
    ("Welke rol heeft de tuinman?", []),
])
def test_the_role_played_is_the_form_of_the_question(question, form):
    from rag.text.terms import form_words
    from rag.text.analysis import STOPWORDS, words

    assert [w for w, f in zip(words(question), form_words(question)) if f and w not in STOPWORDS] == form


@pytest.mark.parametrize("question, counted, whole", [
    # Attributive adjectives (inflected with -e) stand before the noun that is counted.
    ("Hoeveel nieuwe vijvers zijn er gegraven?", "vijvers", None),
    ("Hoeveel procent van de gedempte stadsvijvers had riet?", "%", "stadsvijvers"),
    ("Welk percentage van alle kleine ondiepe vijvers droogt op?", None, "vijvers"),
    # A noun in -e that no content word follows is the noun itself.
    ("Welk aandeel van de periode in de zomer is droog?", None, "periode"),
    # "Welk deel van ...?" asks a share as "Welk aandeel van ...?" does.
    ("Welk deel van de kleine vijvers droogt op?", None, "vijvers"),
    ("Hoeveel grote zijn er?", "grote", None),
    # Letters in brackets may open the noun ("(v)so": "so" and "vso"), after an adjective too.
    ("Welk deel van de getelde (z)oet-vijvers droogt op?", None, "vijvers"),
    ("Hoeveel (z)oet-vijvers zijn er?", "vijvers", None),
])
def test_the_counted_noun_and_the_whole_of_a_share_are_nouns_not_their_adjectives(question, counted, whole):
    from rag.answer.extractive import share_of

    assert (counted_noun(question), share_of(question)) == (counted, whole)


def test_counts_noun_takes_units_but_not_word_ends_of_three_letters():
    from rag.answer.extractive import counts_noun

    assert counts_noun("De vijverdienst mist 12 fte aan hoveniers.", "fte")
    assert counts_noun("Er waren 3 lesuur aan vissen.", "uur")
    assert not counts_noun("De vijverdienst mist 12 procent.", "fte")
    assert not counts_noun("Er zijn 5 gen in de vis.", "leerlingen")


def test_a_number_counts_what_follows_it_not_what_a_preposition_relates_it_to():
    from rag.answer.extractive import counts_noun

    assert not counts_noun("In 2031 zijn 40 pompen gekocht voor tuinmannen.", "tuinmannen")
    assert not counts_noun("Er werken 12 hoveniers in parken.", "parken")
    assert counts_noun("In 2031 stopten 40 ervaren tuinmannen.", "tuinmannen")
    assert counts_noun("In 2031 stopten 40 ervaren voltijd riet- en kroostuinmannen.", "tuinmannen")  # five words on
    assert counts_noun("Het gaat om 60% van de tuinmannen.", "tuinmannen")  # a share of them
    assert counts_noun("Bij 1 op de 20 parken groeit riet.", "parken")


def test_a_share_asked_of_something_counts_only_as_a_share_of_it():
    from rag.answer.extractive import counts_share, share_of

    assert share_of("Hoeveel procent van de vijvers heeft kroos?") == "vijvers"
    assert share_of("Welk aandeel van het vo-budget gaat naar kroos?") == "budget"
    assert share_of("Hoeveel procent heeft kroos?") is None
    # "%" typed as a word of its own asks a share as "procent" does.
    assert share_of("Hoeveel % van de vijvers heeft kroos?") == "vijvers"
    assert analyse_question("Hoeveel % van de vijvers heeft kroos?").asks_percent
    assert counts_share("Kroos groeit in 65% van de vijvers.", "vijvers")
    assert counts_share("Van de vijvers heeft 40 procent kroos.", "vijvers")
    assert not counts_share("Het kroos groeide in 2023 met 15,1 procent in de sloten.", "vijvers")
    # A sentence that opens with its whole: the share may stand further on.
    assert counts_share("Van de vijvers in het oosten van het park is 40% ouder dan tien jaar.", "vijvers")
    assert not counts_share("Van de parken in de stad heeft 40% vijvers met kroos.", "vijvers")
    signals = _signals(
        "In hoeveel procent van de vijvers groeit kroos?",
        "Daarnaast groeit het kroos in de vijvers dit jaar met 15,1 procent.\n\n"
        "Kroos groeit in 65% van de vijvers.",
    )
    assert signals["Kroos groeit in 65% van de vijvers."]["counted"] == 1.0
    assert signals["Daarnaast groeit het kroos in de vijvers dit jaar met 15,1 procent."]["counted"] == 0.0


def test_a_proportion_is_a_share_of_the_whole_right_after_it():
    from rag.answer.extractive import counts_noun, counts_share

    assert counts_share("Kroos groeit in 1 op de 4 vijvers.", "vijvers")
    assert counts_share("Bij één op de vijf van de vijvers is het water troebel.", "vijvers")
    assert counts_share("Volgens de tellers heeft twee op de drie vijvers kroos.", "vijvers")
    assert not counts_share("In 1 op de 4 parken ligt een vijver.", "vijvers")
    assert not counts_share("Het kroos bedekt de vijvers op de 3 drukste dagen.", "vijvers")
    assert counts_noun("Eén op de zeven hoveniers werkt parttime.", "%")
    assert not counts_noun("Hoveniers werken op de 7 grootste vijvers.", "%")
    signals = _signals(
        "Welk percentage van de vijvers heeft kroos?",
        "In de vijvers groeit kroos sinds 2019.\n\nKroos bedekt 1 op de 3 vijvers in het park.",
    )
    assert signals["Kroos bedekt 1 op de 3 vijvers in het park."]["percent_wanted"] == 1.0
    assert signals["In de vijvers groeit kroos sinds 2019."]["percent_wanted"] == 0.0


def test_counts_noun_takes_counts_written_in_words_but_not_the_article():
    from rag.answer.extractive import counts_noun

    assert counts_noun("De vijverdienst onderscheidt zes soorten kroos.", "soorten")
    assert counts_noun("Er werken twaalf hoveniers bij de vijver.", "hoveniers")
    assert not counts_noun("Er werkt een hovenier bij de vijver.", "hoveniers")


def test_counts_noun_takes_another_name_for_it_but_not_a_year():
    from rag.answer.extractive import counts_noun

    # The documents introduce "vijverbeheerders (vbh’s)": a count of vbh’s counts vijverbeheerders.
    assert counts_noun("Van de 47 vbh’s kreeg de helft een voldoende.", "vijverbeheerders", {"vbh"})
    assert not counts_noun("Van de 47 vbh’s kreeg de helft een voldoende.", "vijverbeheerders")
    # A plural written with an apostrophe counts the word before it.
    assert counts_noun("Er zijn 29 nieuwe vijverregio’s.", "vijverregio")
    assert counts_noun("Er zijn 29 nieuwe vijverregio's.", "vijverregio")
    # A year dates the columns below it; it counts nothing.
    assert not counts_noun("Kikkers per vijver in december 2023\nVbh Park", "vijverbeheerders", {"vbh"})
    assert not counts_noun("In 2023 kikkers geteld.", "kikkers")
    # A name that holds a number ("KIKKER-2024", "K9") counts nothing.
    assert not counts_noun("Volgens het onderzoek KIKKER-2024 hebben Nederlandse kikkers meer kroos.", "kikkers")
    assert not counts_noun("In de K9 leven kikkers.", "kikkers")


def test_a_count_by_the_abbreviation_the_documents_introduce_is_a_count_of_the_noun():
    passages = make_passages(
        "De vijverbeheerders (vbh’s) letten op het riet. Van de 47 vbh’s kreeg de helft een voldoende. "
        "De vijverbeheerders werken in de zomer."
    )
    info = analyse_question("Hoeveel vijverbeheerders kregen een voldoende?")
    other_names = Abbreviations.of_texts([passages[0].text]).in_question(info.text)
    info = replace(info, terms=other_names.widen(info.terms), topic_terms=other_names.widen(info.topic_terms))
    signals = {u.text: sig for u, sig, _, _ in unit_signals(info, passages)}
    assert signals["Van de 47 vbh’s kreeg de helft een voldoende."]["counted"] == 1.0
    assert signals["De vijverbeheerders werken in de zomer."]["counted"] == 0.0


def test_a_count_in_words_is_what_a_how_many_question_wants():
    text = "De gemeente beheert meer dan dertig vijvers. Het kroos groeit snel. Het riet staat in vijf vijvers."
    signals = _signals("Hoeveel vijvers beheert de gemeente?", text)
    assert signals["De gemeente beheert meer dan dertig vijvers."]["number_wanted"] == 1.0
    assert signals["Het kroos groeit snel."]["number_missing"] == 1.0
    # A count in one word of numerals, as a figure.
    signals = _signals("Hoeveel vrijwilligers kwamen er?", "Er kwamen zevenhonderd vrijwilligers. Het kroos groeit snel.")
    assert signals["Er kwamen zevenhonderd vrijwilligers."]["number_wanted"] == 1.0
    assert signals["Er kwamen zevenhonderd vrijwilligers."]["counted"] == 1.0
    # A count the question names itself is no answer to it.
    signals = _signals("Hoeveel van de vijf vijvers hebben riet?", text)
    assert signals["Het riet staat in vijf vijvers."]["number_missing"] == 1.0
    # A share in words answers "hoeveel" as a percentage would; not where the question names it.
    text = "Meer dan de helft van de vijvers kreeg een maaibeurt. Het kroos groeit snel."
    assert _signals("Hoeveel vijvers kregen een maaibeurt?", text)["Meer dan de helft van de vijvers kreeg een maaibeurt."]["number_wanted"] == 1.0
    assert _signals("Hoeveel van de helft kreeg een maaibeurt?", text)["Meer dan de helft van de vijvers kreeg een maaibeurt."]["number_missing"] == 1.0


def test_a_sentence_that_lists_the_asked_items_after_a_colon_is_what_a_list_question_wants():
    signals = _signals(
        "Welke maatregelen neemt de gemeente?",
        "Na overleg kwam de gemeente tot een besluit: ze neemt drie maatregelen: maaien, baggeren en vissen uitzetten. "
        "Voor elke maatregel is geld: 3 euro, 4 euro en 5 euro.",
    )
    assert signals["Na overleg kwam de gemeente tot een besluit: ze neemt drie maatregelen: maaien, baggeren en vissen uitzetten."]["enumeration_wanted"] == 1.0
    # The colon does not follow the asked items' noun.
    assert signals["Voor elke maatregel is geld: 3 euro, 4 euro en 5 euro."]["enumeration_wanted"] == 0.0


def test_a_share_in_words_is_what_a_percentage_question_wants():
    signals = _signals("Welk percentage van de vijvers heeft kroos?", "Een derde van de vijvers heeft kroos. In 2023 kwamen er vijvers bij. 12% van de vijvers is diep.")
    assert signals["Een derde van de vijvers heeft kroos."]["percent_wanted"] == 1.0
    assert signals["12% van de vijvers is diep."]["percent_wanted"] == 1.0
    assert signals["In 2023 kwamen er vijvers bij."]["percent_wanted"] == 0.0


@pytest.mark.parametrize("question, parts", [
    ("Hoeveel vijvers zijn er, en wanneer zijn ze gegraven?", ("Hoeveel vijvers zijn er", "wanneer zijn ze gegraven?")),
    ("Zijn er kikkers? Hoeveel zijn het er?", ("Zijn er kikkers", "Hoeveel zijn het er?")),
    ("Wat doen de tuinmannen en waarom?", ("Wat doen de tuinmannen", "waarom?")),
    ("Hoeveel kikkers en salamanders zijn er?", None),  # one question about two things
    ("Hoeveel vijvers zijn er? Antwoord in het Engels.", None),  # how to answer, not a second question
    ("Hoeveel vijvers zijn er? Graag met bron erbij", None),
    ("Hoeveel vijvers zijn er?", None),
])
def test_second_question(question, parts):
    from rag.answer.extractive import second_question

    assert second_question(question) == parts


GRAVEN = (
    "Het park telt 19 vijvers met kikkers. De vijvers van het park zijn in 1990 gegraven. "
    "Wat betekent dat voor de vijvers van het park?"
)


def test_a_question_that_asks_two_things_gets_a_sentence_for_each():
    # The lead (the count) wins by far; the year of digging answers the second part.
    weights = {"overlap": 1.0, "number_wanted": 3.0, "date_wanted": 1.0}
    one = composer(margin=0.1, **weights).compose("Hoeveel vijvers telt het park?", make_passages(GRAVEN))
    assert one.text == "Het park telt 19 vijvers met kikkers. [1]"
    two = composer(margin=0.1, **weights).compose("Hoeveel vijvers telt het park, en wanneer zijn ze gegraven?", make_passages(GRAVEN))
    assert two.text == "Het park telt 19 vijvers met kikkers. [1] De vijvers van het park zijn in 1990 gegraven. [1]"


def test_a_paragraph_number_before_a_sentence_is_not_quoted_but_a_counted_number_is():
    from rag.answer.extractive import without_stray_number

    assert without_stray_number("6 De vijvers zijn de laatste jaren schoon gebleven.") == "De vijvers zijn de laatste jaren schoon gebleven."
    assert without_stray_number("70 Hij telde de kikkers twee keer.") == "Hij telde de kikkers twee keer."
    assert without_stray_number("6 vijvers zijn schoon gebleven.") == "6 vijvers zijn schoon gebleven."
    assert without_stray_number("3 Friese vijvers zijn schoon.") == "3 Friese vijvers zijn schoon."
    # A capitalised noun after the number starts the sentence: the number is a paragraph's.
    assert without_stray_number("5 Kroosbestrijding is ook een uitdaging voor de vijvers.") == "Kroosbestrijding is ook een uitdaging voor de vijvers."
    assert without_stray_number("6 Vijver-beheerders besteden weinig tijd aan het riet.") == "Vijver-beheerders besteden weinig tijd aan het riet."
    assert without_stray_number("4 Haarlemse vijvers zijn schoon.") == "4 Haarlemse vijvers zijn schoon."
    assert without_stray_number("5 KVT-metingen tonen minder kroos.") == "5 KVT-metingen tonen minder kroos."
    assert without_stray_number("2031 De vijvers") == "2031 De vijvers"
    passage = make_passages("Het riet groeit.\n\n6 De vijvers zijn de laatste jaren schoon gebleven.")[0]
    assert "De vijvers zijn de laatste jaren schoon gebleven." in [u.text for u in candidate_units(0, passage)]


def test_an_uncertain_answer_keeps_its_text_and_says_so_in_its_note():
    from rag.answer.refusal import CAUTION_TEXT

    n = len(REFUSAL_FEATURES)
    doubting = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0), threshold=0.9, caution=0.4)
    question = "Hoeveel vijvers telde het park in 2023?"
    sure = ExtractiveComposer(refusal=NEVER_REFUSE, model=model(overlap=1.0, number_wanted=2.0)).compose(question, make_passages(RIET, VIJVERS))
    doubtful = ExtractiveComposer(refusal=doubting, model=model(overlap=1.0, number_wanted=2.0)).compose(question, make_passages(RIET, VIJVERS))
    assert doubtful.uncertain and not doubtful.refused and doubtful.note == CAUTION_TEXT
    assert doubtful.text == sure.text and not sure.uncertain and sure.note is None


def test_a_lead_in_is_quoted_with_its_list_never_alone():
    passage = make_passages("Het park heeft drie soorten vijvers:\n\nDe grootste ligt in het noorden.")[0]
    texts = [u.text for u in candidate_units(0, passage)]
    assert texts == ["De grootste ligt in het noorden."]
    units = candidate_units(0, make_passages(MAATREGELEN)[0])
    assert not any(u.text.rstrip().endswith(":") for u in units)
    assert any(u.is_enumeration and u.text.startswith("De gemeente neemt de volgende maatregelen") for u in units)


VBP_KOSTEN = "Het VBP kost de gemeente jaarlijks 40.000 euro. Het VBP wordt elk jaar in maart herzien."
VBP_UITLEG = "Sinds 2019 werkt de gemeente met een vijverbeheerplan (VBP) voor alle vijvers van het park."


@pytest.mark.parametrize("question", ["Wat is het VBP?", "Waar staat VBP voor?", "Wat is een vijverbeheerplan?"])
def test_a_definition_question_leads_with_the_sentence_that_spells_the_abbreviation_out(question):
    # The model prefers the first passage's sentences; the one that says what the VBP is leads.
    answer = composer(passage_rank=5.0, overlap=1.0).compose(question, make_passages(VBP_KOSTEN, VBP_UITLEG))
    assert answer.text.startswith("Sinds 2019 werkt de gemeente met een vijverbeheerplan (VBP)")


def test_other_questions_keep_the_models_order():
    answer = composer(passage_rank=5.0, overlap=1.0).compose("Hoeveel kost het VBP?", make_passages(VBP_KOSTEN, VBP_UITLEG))
    assert answer.text.startswith("Het VBP kost de gemeente jaarlijks 40.000 euro.")


@pytest.mark.parametrize("text, introduced", [
    ("een vijverbeheerplan (VBP) voor", True),
    ("de vijverbeheerplannen (vbp’s) van", True),
    ("het VBP kost veel", False),
    ("het vijverbeheerplan (zie figuur 2) kost", False),
    ("het vijverbeheerplan (2019) kost", False),
    # After a figure the bracket says what the figure is of.
    ("tot 61% (VBP) van de vijvers", False),
    ("het plan(VBP) kost", True),
    # A bracket inside a word is part of it, no abbreviation.
    ("betrokken (vbp)beheerders kosten", False),
    ("een vijverbeheerplan (vbp)beheer kost", False),
])
def test_introduces(text, introduced):
    from rag.text.definitions import introduces
    from rag.text.analysis import fold
    from rag.text.terms import question_terms

    term = next(t for t in question_terms("Wat is het VBP?") if t.word == "vbp")
    word = next(t for t in question_terms("Wat is een vijverbeheerplan?") if t.word == "vijverbeheerplan")
    assert (introduces(term, fold(text)) or introduces(word, fold(text))) == introduced


KROOS_NUT = "Kroos groeit het hardst in warme zomers. In de vijvers van het park ligt veel kroos."
KROOS_UITLEG = "Kroos is een klein drijvend plantje dat het water snel bedekt."
KROOSDEK = "Een dicht kroosdek (laag van drijvende plantjes) houdt licht tegen. Een kroosdek (tussen 2 en 5 cm) is normaal."


@pytest.mark.parametrize("question, lead", [
    ("Wat is kroos?", "Kroos is een klein drijvend plantje"),
    ("Wat houdt een kroosdek in?", "Een dicht kroosdek (laag van drijvende plantjes)"),
])
def test_a_definition_question_leads_with_the_sentence_that_says_what_it_is(question, lead):
    answer = composer(passage_rank=5.0, overlap=1.0).compose(question, make_passages(KROOS_NUT, KROOS_UITLEG, KROOSDEK))
    assert answer.text.startswith(lead)


@pytest.mark.parametrize("subject, text, defined", [
    ("drijvend kroosdek", "een drijvend kroosdek is een laag plantjes die ...", True),
    ("drijvend kroosdek", "de vijver met een drijvend kroosdek is belangrijk", False),
    ("kroos", "het kroos is een groot probleem in de zomer", False),  # what it is like, not what it is
    # A purpose says what it is in an infinitive, also with what it is of in between.
    ("doel", "doel van het vijverplan is de vijvers schoon te houden.", True),
    ("doel", "het doel van het plan is om kroos te weren.", True),
    ("doel", "het doel is in 2023 bereikt.", False),
    ("vijver", "de vijver van het park is moeilijk te bereiken.", False),  # no purpose
    ("kroos", "kroos is groot", False),
    ("kroosbeheer", "kroosbeheer is beheer dat de vijvers open houdt.", True),  # a kind and what sets it apart
    ("kroosvijvers", "kroosvijvers zijn vijvers waarin kroos de overhand heeft.", True),
    ("kroos", "kroos is soms lastig omdat het groeit.", False),
    ("kroosdekken", "in het plan worden twee kroosdekken onderscheiden: lagen die het licht tegenhouden.", True),
    ("kroosdekken", "het plan noemt drie kroosdekken: dunne, dikke en drijvende.", False),  # a list, not what they are
    # a clause of its own after the colon, not what they are
    ("kroosdekken", "er is onvrede over de kosten van kroosdekken: hogere kosten betekenen dat er minder geld is.", False),
    ("kroosdek", "een kroosdek (laag van drijvende plantjes) houdt licht tegen", True),
    ("kroosdek", "een kroosdek (tussen 2 en 5 cm) is normaal", False),
    ("kroosdek", "een kroosdek (zie figuur 2) is normaal", False),
    ("vijverbeheerplan", "onder een vijverbeheerplan verstaan we de afspraken over ...", True),
    ("vbp", "het vijverbeheerplan (vbp) is klaar", True),
    ("beheerplan", "het vijverbeheerplan (vbp) is klaar", False),  # the abbreviation of a longer name
    ("vijver beheer", "de stichting vijver beheer (svb) is klaar", False),
    # Named with its abbreviation is no definition; with the abbreviation before "is een" it is one.
    ("vijverbeheerplan", "het vijverbeheerplan (vbp) wordt elk jaar besproken.", False),
    ("vijverbeheerplan", "een vijverbeheerplan (vbp) is een plan met afspraken over de vijvers.", True),
    ("kroos en rietbeheer", "kroos- en rietbeheer (krb) is een van de taken van de tuinmannen.", True),
    # Asked in the singular, defined in the plural.
    ("zij-vijver", "het park heeft steeds meer zij-vijvers: vijvers die naast een grote vijver liggen.", True),
    ("kroos", "in de vijvers drijft veel. kroos is een klein drijvend plantje.", True),  # a sentence of a passage
    ("kroos", "in de vijvers drijft kroos is een vreemde zin", False),
    ("kroosdek", "het water is groen. dit wordt een kroosdek genoemd: een laag plantjes.", True),
    ("kroosvijvers", "vijvers die dichtgroeien worden kroosvijvers genoemd.", True),
    ("kroosdek", "in 38% van de plannen wordt het kroosdek genoemd.", False),  # mentioned, not named
    ("kroosdek", "‘kroosdek’ wordt gedefinieerd als een laag plantjes.", True),
    ("groot kroostekort", "we definieren een groot kroostekort als 5% of meer.", True),
    ("groot kroostekort", "een groot kroostekort definieren we als 5% of meer.", True),
    ("groot kroostekort", "we definieren de doelen van het plan met een groot kroostekort in gedachten.", False),
    ("kroosvijvers", "vijvers met veel kroos noemen we in dit plan ‘kroosvijvers’.", True),
    ("kroosvijvers", "in dit plan beschouwen we vijvers als kroosvijvers als ze dicht zijn.", True),
    ("kroosvijvers", "in dit plan beschouwen we parken als parken met veel kroosvijvers als ze dicht zijn.", False),
    ("kroosvijvers", "vijvers met veel kroos noemen we kroosvijvers.", True),
    ("kroos", "de tuinman noemt het kroos lastig.", False),
    # A glossary entry: the term opens the sentence, a colon, then what it is about.
    ("riet versus kroos", "riet versus kroos: om de vijvers open te houden, wordt riet gemaaid.", True),
    ("riet versus kroos", "• riet versus kroos;", False),
    ("kroos", "in de vijvers van het park groeit kroos: een plantje.", False),
    # What it is for says what it is; what it has does not.
    ("kroosteam", "een kroosteam heeft als doel om alle vijvers open te houden.", True),
    ("kroosteam", "een kroosteam is bedoeld voor de grote vijvers.", True),
    ("kroosteam", "het kroosteam heeft als taak de vijvers te maaien en twee boten.", False),
])
def test_defines(subject, text, defined):
    from rag.text.definitions import defines

    assert defines(subject, text) is defined


def test_what_one_understands_by_y_is_after_onder_not_after_an_earlier_met():
    from rag.text.question import defined_subject

    assert defined_subject("Wat verstaat het plan bij vijvers met kroos onder een dichte vijver?") == "dichte vijver"
    assert defined_subject("Wat bedoelt het plan onder de vijvers met een dicht kroosdek?") == "dicht kroosdek"


@pytest.mark.parametrize("question, subject", [
    ("Wat bedoelen ze met een kroosdek op de vijver?", "kroosdek"),
    ("Wat bedoelt het rapport met kroosbeheer?", "kroosbeheer"),
    ("Wat wordt bedoeld met een vijverplan?", "vijverplan"),
    ("Wat wordt er verstaan onder kroosbeheer?", "kroosbeheer"),
    ("Wat is de betekenis van kroosbeheer?", "kroosbeheer"),
    ("Wat is de definitie van een kroosdek?", "kroosdek"),
    ("Wat is het begrip kroosdek?", "kroosdek"),
    ("Hoe worden kroosregels omschreven in het plan?", "kroosregels"),
    ("Wat betekent het kroostekort voor de eenden?", None),
    # Asked to explain it, with or without quotes around it.
    ("Kun je kroosbeheer uitleggen?", "kroosbeheer"),
    ("Kun je ‘kroosbeheer’ uitleggen?", "kroosbeheer"),
    ("Wil je het begrip kroosbeheer toelichten?", "kroosbeheer"),
    ("Licht kroosbeheer toe.", "kroosbeheer"),
    ("Leg kroosbeheer uit.", "kroosbeheer"),
    ("Beschrijf kroosbeheer.", "kroosbeheer"),
    ("Wat houdt \"kroosbeheer\" in?", "kroosbeheer"),
    ("Leg uit waarom kroosbeheer nodig is.", None),  # asks why
    # Adverbs after the verb are no part of the subject.
    ("Wat is daar een kroosdek?", "kroosdek"),
    ("Wat is nu eigenlijk een kroosdek?", "kroosdek"),
    # So is a word that points back at the question before ("daarvoor", "hierbij").
    ("Wat is daarvoor de kroosdikte?", "kroosdikte"),
    ("Wat is hierbij een kroosdek?", "kroosdek"),
])
def test_defined_subject(question, subject):
    from rag.text.question import analyse_question, defined_subject

    assert defined_subject(question) == subject
    if subject is not None:  # the words that ask for a meaning are no key terms: they need not be in the text
        assert [t.word for t in analyse_question(question).topic_terms][:1] == [subject]


@pytest.mark.parametrize("text, defined", [
    ("in het park ligt een kroosdek. dat wil zeggen dat er overal plantjes drijven.", True),
    ("in het park ligt een kroosdek. daarmee wordt bedoeld dat er plantjes drijven.", True),
    ("in het park ligt een kroosdek. daarom zwemmen er geen eenden.", False),
    ("in het park ligt een kroosdekje. dat wil zeggen: plantjes.", False),
])
def test_a_sentence_that_says_what_the_one_before_meant_defines_it(text, defined):
    from rag.text.definitions import defines

    assert defines("kroosdek", text) is defined


KROOSDEK_UITGELEGD = (
    "Kroos groeit snel in de zomer. In het park ligt een kroosdek. "
    "Dat wil zeggen dat het water helemaal bedekt is met drijvende plantjes."
)


def test_the_explaining_sentence_leads_a_definition_with_the_sentence_it_explains():
    answer = composer(passage_rank=5.0, overlap=1.0).compose(
        "Wat bedoelen ze met een kroosdek?", make_passages(KROOS_NUT, KROOSDEK_UITGELEGD)
    )
    assert answer.text.startswith("In het park ligt een kroosdek. Dat wil zeggen dat het water helemaal bedekt is")


MAAIEN = "Het riet in de vijvers groeit elk jaar sneller. Dit komt doordat het water in het park zeer voedselrijk is."


def test_a_lead_that_refers_back_is_quoted_with_the_sentence_before_it():
    # The model puts the explaining sentence first; alone, "Dit komt doordat ..." says not what "dit" is.
    answer = composer(overlap=1.0, causal_wanted=5.0).compose("Waarom groeit het riet zo snel?", make_passages(MAAIEN))
    assert answer.text == f"{MAAIEN} [1]"  # one piece, one marker
    assert answer.citations[0].sentences[0] == "Het riet in de vijvers groeit elk jaar sneller."  # highlighted too


def test_a_lead_that_refers_back_inside_a_list_item_is_quoted_with_the_item_s_first_sentence():
    # The item's first sentence is what "Dit komt doordat ..." refers to; it is quoted without its marker.
    text = "Over de vijvers:\n• Het riet in de vijvers groeit elk jaar sneller. Dit komt doordat het water zeer voedselrijk is.\n• Het park telt elf vijvers."
    answer = composer(overlap=1.0, causal_wanted=5.0).compose("Waarom groeit het riet zo snel?", make_passages(text))
    assert answer.text.startswith("Het riet in de vijvers groeit elk jaar sneller. Dit komt doordat het water zeer voedselrijk is. [1]")


def test_a_lead_that_points_back_inside_it_is_quoted_with_the_sentence_before_it():
    # "hieraan" points at the sentence before, wherever in the lead it stands.
    text = "Het riet in de vijvers groeit elk jaar sneller. Het voedselrijke water ligt hieraan ten grondslag."
    answer = composer(overlap=1.0, causal_wanted=5.0).compose("Waarom groeit het riet zo snel?", make_passages(text))
    assert answer.text == f"{text} [1]"


def test_a_lead_that_points_back_is_quoted_with_the_sentence_before_it_across_a_paragraph_break():
    # The layout often breaks a short paragraph after its first sentence; "hiervan" still points at it.
    before, lead = "In het park worden de vijvers opnieuw geteld.", "De uitkomst hiervan wordt in 2031 verwacht."
    question = "Wanneer komt de uitkomst van de nieuwe telling?"
    answer = composer(overlap=1.0, date_wanted=5.0).compose(question, make_passages(f"{before}\n\n{lead}"))
    assert answer.text == f"{before} {lead} [1]"
    # Not a heading above it.
    answer = composer(overlap=1.0, date_wanted=5.0).compose(question, make_passages(f"Tellingen in het park\n\n{lead}"))
    assert answer.text == f"{lead} [1]"


def test_a_lead_with_hierom_written_apart_is_quoted_with_the_sentence_before_it():
    # "Het gaat hier om ..." is "hierom" written in two words: it says what "hier" is no more than "hierom" does.
    text = "Een klein deel van de vijvers krijgt elk jaar een nieuwe pomp. Het gaat hier om nog geen 3% van de vijvers."
    answer = composer(overlap=1.0, has_number=5.0).compose("Hoeveel vijvers krijgen een nieuwe pomp?", make_passages(text))
    assert answer.text == f"{text} [1]"


ONDERZOEKSVRAGEN = (
    "Het onderzoek stelde de volgende vragen:\n• Welke knelpunten zien de tuinmannen bij het maaien van riet langs de grote vijvers in alle stadsparken?\n"
    "• Hoe gaan de tuinmannen met de knelpunten om?\n\n"
    "Vooral te weinig pompen en te veel kroos zijn knelpunten."
)


def test_questions_answer_nothing_unless_questions_are_asked_for():
    # The study's own questions hold every word of the question, and answer none of it.
    answer = composer(overlap=1.0, enumeration_wanted=5.0).compose("Welke knelpunten zien de tuinmannen?", make_passages(ONDERZOEKSVRAGEN))
    assert answer.text == "Vooral te weinig pompen en te veel kroos zijn knelpunten. [1]"
    # Asked for the questions, they are the answer.
    answer = composer(overlap=1.0, enumeration_wanted=5.0).compose("Welke vragen stelde het onderzoek?", make_passages(ONDERZOEKSVRAGEN))
    assert answer.text.startswith("Het onderzoek stelde de volgende vragen:\n• Welke knelpunten zien de tuinmannen")


def test_a_lead_whose_subject_after_its_verb_is_dit_is_quoted_with_the_sentence_before_it():
    # Dutch puts the verb second: "In 2031 was dit nog 40%" refers back as "Dit was in 2031 ..." does.
    text = "De meeste tuinmannen werken parttime. In 2031 was dit nog 40% en in 2033 liep dit op naar 55%."
    answer = composer(overlap=1.0, has_number=5.0).compose("Hoeveel tuinmannen werken parttime?", make_passages(text))
    assert answer.text == f"{text} [1]"
    # "dit" before a noun of its own names what it is about.
    text = "De meeste tuinmannen werken parttime. In 2031 was dit aandeel parttimers 40% bij de tuinmannen."
    answer = composer(overlap=1.0, has_number=5.0).compose("Hoeveel tuinmannen werken parttime?", make_passages(text))
    assert answer.text.startswith("In 2031 was dit aandeel")


@pytest.mark.parametrize("sentence", [
    "Het voedselrijke water ligt hieraan ten grondslag.",
    "De snelle groei is te wijten aan het voedselrijke water.",
    "De snelle groei wordt veroorzaakt door het voedselrijke water.",
    "De snelle groei is het gevolg van het voedselrijke water.",
    "De snelle groei is toe te schrijven aan het voedselrijke water.",
])
def test_words_that_give_a_cause_make_a_sentence_causal(sentence):
    info = analyse_question("Waarom groeit het riet zo snel?")
    signals = {u.text: s for u, s, _, _ in unit_signals(info, make_passages(sentence))}
    assert signals[sentence]["causal_wanted"] == 1.0


KNELPUNTEN = (
    "Het vijverplan kent een aantal knelpunten. Daarbij valt te denken aan te weinig tuinmannen en een "
    "kleine begroting voor pompen. Het plan loopt tot 2030."
)


KROOSVIJVERS = (
    "Kroos groeit snel in warme zomers. Sommige vijvers groeien in de zomer helemaal dicht met kroos. "
    "Vijvers die dit doen worden kroosvijvers genoemd."
)


def test_a_sentence_that_names_what_came_before_leads_a_definition_with_that_sentence():
    answer = composer(overlap=1.0).compose("Wat zijn kroosvijvers?", make_passages(KROOSVIJVERS))
    assert answer.text.startswith(
        "Sommige vijvers groeien in de zomer helemaal dicht met kroos. Vijvers die dit doen worden kroosvijvers genoemd. [1]"
    )


GROEI = "Het riet in de vijvers groeit elk jaar sneller. Dit komt vooral doordat het water warmer wordt. Het park heeft 19 vijvers."


@pytest.mark.parametrize("question, explained", [
    ("Waarom groeit het riet in de vijvers elk jaar sneller?", True),  # what happens leads, why follows
    ("Hoe snel groeit het riet in de vijvers?", False),  # not asked why
])
def test_a_why_question_gets_the_reason_after_a_lead_that_gives_none(question, explained):
    answer = composer(overlap=1.0, passage_rank=5.0).compose(question, make_passages(GROEI))
    assert answer.text.startswith("Het riet in de vijvers groeit elk jaar sneller.")
    assert ("Dit komt vooral doordat het water warmer wordt." in answer.text) is explained


@pytest.mark.parametrize("follower", [
    "Het voordeel hiervan is dat de kikkers meer ruimte krijgen.",
    "Dat is nodig omdat de kikkers anders geen ruimte hebben.",
])
def test_a_why_question_gets_what_the_lead_is_good_for(follower):
    text = f"De tuinmannen pleiten ervoor om het riet in de vijvers elk jaar te maaien. {follower} Het park heeft 19 vijvers."
    answer = composer(overlap=1.0, passage_rank=5.0).compose("Waarom pleiten de tuinmannen voor het maaien van het riet?", make_passages(text))
    assert answer.text.startswith(f"De tuinmannen pleiten ervoor om het riet in de vijvers elk jaar te maaien. {follower}")


VERSCHILLEN = (
    "Het park en zijn mensen\n"
    "• De inspectie ziet grote verschillen tussen de tuinmannen. Dit verschil zit vooral in het snoeien en het maaien.\n"
    "• Het park heeft 19 vijvers."
)


def test_a_lead_that_only_says_again_what_is_asked_is_quoted_with_the_sentence_that_goes_on():
    answer = composer(overlap=1.0).compose("Op welke punten ziet de inspectie verschillen tussen de tuinmannen?", make_passages(VERSCHILLEN))
    assert answer.text.startswith(
        "De inspectie ziet grote verschillen tussen de tuinmannen. Dit verschil zit vooral in het snoeien en het maaien. [1]"
    )


def test_a_lead_that_says_more_than_the_question_stands_alone():
    text = VERSCHILLEN.replace("ziet grote verschillen", "ziet sinds de natte zomer van vorig jaar grote verschillen")
    answer = composer(overlap=1.0).compose("Op welke punten ziet de inspectie verschillen tussen de tuinmannen?", make_passages(text))
    assert answer.text.startswith("De inspectie ziet sinds de natte zomer") and "tuinmannen. Dit verschil" not in answer.text


def test_a_lead_is_quoted_with_the_sentence_that_names_what_it_announced_one_by_one():
    lead = "Sinds vorig jaar stelt de boswachter bij elke vijver in het park vragen over het water en de oevers."
    text = f"{lead} Dit zijn: is het helder en leven er kikkers? Het park heeft 19 vijvers."
    answer = composer(overlap=1.0, passage_rank=5.0).compose("Wat vraagt de boswachter bij elke vijver?", make_passages(text))
    assert answer.text.startswith(f"{lead} Dit zijn: is het helder en leven er kikkers? [1]")


def test_a_lead_that_announces_is_quoted_with_the_sentence_that_says_what():
    answer = composer(overlap=1.0, passage_rank=5.0).compose("Welke knelpunten kent het vijverplan?", make_passages(KNELPUNTEN))
    assert answer.text.startswith(
        "Het vijverplan kent een aantal knelpunten. Daarbij valt te denken aan te weinig tuinmannen en een kleine "
        "begroting voor pompen. [1]"
    )
    assert "Daarbij valt te denken aan" in " ".join(answer.citations[0].sentences)  # highlighted too


@pytest.mark.parametrize("text, question, elaborated", [
    ("Het vijverplan noemt diverse maatregelen. Zo komen er meer pompen en wordt het riet vaker gemaaid. Het plan loopt tot 2030.",
     "Welke maatregelen noemt het vijverplan?", True),
    ("Naast meer eenden ziet de tuinman risico's. Kroos groeit sneller en de pompen raken verstopt. Het plan loopt tot 2030.",
     "Welke risico's ziet de tuinman?", True),
    ("Het vijverplan noemt twee maatregelen. Zo komen er meer pompen en wordt het riet vaker gemaaid. Het plan loopt tot 2030.",
     "Hoeveel maatregelen noemt het vijverplan?", False),  # no list question
    ("Het vijverplan noemt de maatregelen voor het riet. Zo komen er meer pompen. Het plan loopt tot 2030.",
     "Welke maatregelen noemt het vijverplan?", False),  # names them, announces nothing
    # A verb's particle after the noun closes the announcing sentence.
    ("Om het kroos in de grote vijver voor te blijven zetten de tuinmannen in de zomer nog meer ingrepen in. "
     "Die richten zich op het riet en de pompen. Het plan loopt tot 2030.",
     "Welke ingrepen zetten de tuinmannen in?", True),
    # A count in figures announces them as one in words does.
    ("In het vijverplan staan 2 maatregelen voor de vijvers in het park. Zo komen er meer pompen. Het plan loopt tot 2030.",
     "Welke maatregelen staan er in het vijverplan?", True),
])
def test_a_list_question_gets_the_items_its_lead_announces(text, question, elaborated):
    answer = composer(overlap=1.0, passage_rank=5.0).compose(question, make_passages(text))
    first = text.split(". ")[0] + "."
    second = text.split(". ")[1] + "."
    assert answer.text.startswith(f"{first} {second} [1]" if elaborated else f"{first} [1]")


def test_a_lead_that_stands_alone_gets_no_sentence_before_it():
    answer = composer(overlap=1.0).compose("Hoeveel vijvers telde het park in 2023?", make_passages(VIJVERS))
    assert not answer.text.startswith("Het park heeft veel vijvers.")


def test_a_question_about_one_sector_is_not_led_by_a_sentence_only_about_another():
    passages = make_passages(
        "In het po telt het park 40 kikkerpoelen met 12 kikkers per poel.",
        "In het vo zijn er 9 kikkerpoelen met 30 kikkers per poel.",
    )
    # Without the sector rule the first sentence leads: it matches as many words and ranks first.
    answer = composer(overlap=1.0).compose("Hoeveel kikkers zitten er per poel op middelbare scholen?", passages)
    assert answer.text.startswith("In het vo zijn er 9 kikkerpoelen") and "In het po" not in answer.text
    both = composer(overlap=1.0).compose("Hoeveel kikkers per poel zijn er in het park?", passages)
    assert both.text.startswith("In het po telt het park 40 kikkerpoelen")


def test_a_follow_up_that_names_a_sector_asks_about_that_one_not_the_one_before():
    passages = make_passages(
        "In het po telt het park 40 kikkerpoelen met 12 kikkers per poel.",
        "In het vo zijn er 9 kikkerpoelen met 30 kikkers per poel.",
    )
    history = [Turn("user", "Hoeveel kikkers zitten er per poel in het po?"), Turn("assistant", "12 [1]")]
    # As searched, the follow-up carries the words of the question before it, "po" too.
    searched = analyse_question("En in het vo? (hoeveel kikkers poel po)")
    answer = composer(overlap=1.0).compose("En in het vo?", passages, history, searched)
    assert answer.text.startswith("In het vo zijn er 9 kikkerpoelen") and "In het po" not in answer.text


def answer_follow_up(passages: list[str], before: tuple[str, str], question: str, searched: str, **weights: float):
    """The composed answer to `question`, asked after `before` (question, answer) and searched as
    `searched` (the follow-up completed with what came before)."""
    history = [Turn("user", before[0]), Turn("assistant", before[1])]
    return composer(**(weights or {"overlap": 1.0})).compose(question, make_passages(*passages), history, analyse_question(searched))


def test_a_follow_up_is_not_answered_with_the_sentence_the_user_has_just_read():
    answer = answer_follow_up(
        ["In het park zwemmen 40 eenden in de vijvers.", "De eenden worden elke ochtend door de tuinman gevoerd met graan."],
        ("Hoeveel eenden zwemmen er in de vijvers?", "In het park zwemmen 40 eenden in de vijvers. [1]"),
        "Wie voert ze?", "Wie voert ze? (hoeveel eenden zwemmen vijvers)",
    )
    assert answer.text.startswith("De eenden worden elke ochtend") and "40 eenden" not in answer.text


def test_a_follow_up_keeps_a_sentence_read_before_when_it_holds_what_the_follow_up_adds():
    answer = answer_follow_up(
        ["In het po zwemmen 40 eenden in de vijvers en in het vo 12.", "De eenden worden elke ochtend door de tuinman gevoerd met graan."],
        ("Hoeveel eenden zwemmen er in het po in de vijvers?", "In het po zwemmen 40 eenden in de vijvers en in het vo 12. [1]"),
        "En in het vo?", "En in het vo? (hoeveel eenden zwemmen vijvers po)",
    )
    assert answer.text.startswith("In het po zwemmen 40 eenden in de vijvers en in het vo 12.")


def test_asked_to_explain_the_answer_is_about_the_subject_not_about_explaining():
    answer = answer_follow_up(
        [
            "In het park wonen 40 kikkers. Een toelichting op de telling staat in bijlage 1.",
            "De kikkers wonen vooral bij de grote vijver, waar het water schoon is.",
        ],
        ("Hoeveel kikkers wonen er in het park?", "In het park wonen 40 kikkers. [1]"),
        "Kun je dat toelichten?", "Kun je dat toelichten? (hoeveel kikkers wonen park)",
    )
    assert answer.text.startswith("De kikkers wonen vooral bij de grote vijver") and "bijlage" not in answer.text


def test_a_follow_up_that_asks_another_kind_of_answer_may_get_a_sentence_read_before():
    answer = answer_follow_up(
        [
            "De vijverpas geeft tuinmannen toegang tot alle vijvers. Voor de vijverpas is € 40.000 per jaar beschikbaar.",
            "De vijverpas is blauw en past in elke jaszak.",
        ],
        ("Wat is de vijverpas?", "De vijverpas geeft tuinmannen toegang tot alle vijvers. [1] Voor de vijverpas is € 40.000 per jaar beschikbaar. [1]"),
        "Hoeveel geld is ermee gemoeid?", "Hoeveel geld is ermee gemoeid? (vijverpas)", overlap=1.0, money_wanted=1.0,
    )
    assert answer.text.startswith("Voor de vijverpas is € 40.000 per jaar beschikbaar.")


def test_a_follow_up_about_another_subject_does_not_borrow_the_subject_before_it():
    passages = make_passages(
        "Volgens het vijverplan is kroos de grootste zorg van de tuinmannen.",
        "Riet wordt elk najaar gemaaid.",
        "Het vijverplan is in 2020 vastgesteld. Het vijverplan geldt voor alle parken.",
    )
    history = [Turn("user", "Wat zegt het vijverplan over kroos?"), Turn("assistant", "Kroos groeit snel [1]")]
    searched = analyse_question("En over riet? (wat zegt vijverplan)")
    answer = composer(overlap=1.0).compose("En over riet?", passages, history, searched)
    assert answer.text.startswith("Riet wordt elk najaar gemaaid.")


def test_a_question_that_negates_a_term_is_led_by_a_sentence_that_negates_it_too():
    passages = make_passages(
        "In 2023 hadden 14 vijvers in het park kroos op het water.",
        "Daarnaast hadden 9 vijvers geen kroos.",
    )
    answer = composer(overlap=1.0).compose("Hoeveel vijvers hebben geen kroos?", passages)
    assert answer.text.startswith("Daarnaast hadden 9 vijvers geen kroos.")


def test_a_follower_that_shares_only_the_year_or_sector_of_the_question_is_left_out():
    passages = make_passages(
        "In 2021 hadden 14 basisscholen geen kikkervijver.",
        "In 2021 kregen 30 basisscholen een nieuw schoolplein.",
        "In 2021 hadden ook 6 middelbare scholen geen kikkervijver.",
    )
    answer = composer(margin=10.0, overlap=1.0).compose("Hoeveel basisscholen hadden in 2021 geen kikkervijver?", passages)
    assert answer.text.startswith("In 2021 hadden 14 basisscholen") and "schoolplein" not in answer.text
    # Asked about two sectors, a sentence per sector answers: the sectors are the subject.
    both = composer(margin=10.0, overlap=1.0).compose(
        "Hoeveel plekken hebben het sbo en het praktijkonderwijs?",
        make_passages("Het sbo heeft 40 plekken.", "In het pro (12) en het sbo (40) is dat op orde."),
    )
    assert "[2]" in both.text


def test_a_table_row_is_about_the_sector_its_own_label_names():
    # The caption names every sector, so only the rows' labels tell them apart.
    table = "Tabel 4.1 Kikkers die van so naar bo en vo overstappen\n2020 2021\nSo naar bo 88 90\nSo naar vo 91 93"
    answer = composer(overlap=1.0).compose("Hoeveel kikkers stappen over naar het vo?", make_passages(table, kinds=("table",)))
    assert answer.text.splitlines()[-1].startswith("So naar vo 91 93")


def test_praktijkonderwijs_is_a_sector():
    from rag.text.sectors import sectors

    assert sectors("In het pro en het praktijkonderwijs") == {"pro"}
    assert "pro" in sectors("het funderend onderwijs")
    assert sectors("een professionele aanpak") == frozenset()


def test_a_table_row_counts_what_its_caption_names():
    # "Hoeveel vijvers ...": the row's figures count vijvers because the caption says so,
    # though the row itself has no "6 vijvers"; a caption about something else counts nothing.
    signals = {u.text: s for u, s, _, _ in unit_signals(analyse_question("Hoeveel vijvers heeft het Noordpark?"),
                                                          make_passages(VIJVERTABEL, kinds=("table",)))}
    assert signals["Vijvers per park in 2022 en 2023\n2022 2023\nNoordpark 4 6"]["counted"] == 1.0
    other = {u.text: s for u, s, _, _ in unit_signals(analyse_question("Hoeveel kikkers heeft het Noordpark?"),
                                                        make_passages(VIJVERTABEL, kinds=("table",)))}
    assert other["Vijvers per park in 2022 en 2023\n2022 2023\nNoordpark 4 6"]["counted"] == 0.0


# ------------------------------------------------- rules that no test held (found by negating each condition)


def test_a_lettered_name_matches_only_where_the_whole_name_stands():
    # "School B" is a name with a letter: "School A" has the word "school" but is another school.
    passages = make_passages("School A telt 210 leerlingen en twee vijvers.", "School B telt 150 leerlingen en een vijver.")
    answer = composer(overlap=1.0).compose("Hoeveel leerlingen telt School B?", passages)
    assert answer.text.startswith("School B telt 150 leerlingen")


def test_a_negated_term_counts_half_in_a_sentence_that_negates_nothing():
    # "geen kroos" is asked: the sentence with kroos and no negation says the opposite. The
    # other sentences make "vijvers" common among them and "kroos" rare, as in real passages.
    common = " ".join(f"Vijver {n} ligt aan de {side} van het park." for n, side in
                      zip(range(1, 9), ["noordkant", "zuidkant", "oostkant", "westkant"] * 2))
    passages = make_passages("In het park hebben 12 vijvers veel kroos.", "Er is 5 keer geen kroos gevonden.", common)
    answer = composer(overlap=1.0).compose("Hoeveel vijvers hebben geen kroos?", passages)
    assert answer.text.startswith("Er is 5 keer geen kroos gevonden.")


def test_the_refusal_model_sees_the_best_sentence_of_the_passages():
    passages = make_passages(VIJVERS, RIET)
    question = "Hoeveel vijvers telde het park in 2023?"
    c = composer(overlap=1.0, number_wanted=2.0)
    info = analyse_question(question)
    scored = c.score_units(question, passages, (), info)
    signals = c.refusal_signals(info, passages, (), scored)
    assert signals.values["best_sentence"] == pytest.approx(scored[0].score)
    assert signals.values["best_overlap"] == pytest.approx(scored[0].overlap) and scored[0].overlap > 0


def test_a_list_question_may_quote_a_longer_answer_than_other_questions():
    # Three long sentences (about 250 characters each) about the measures: two fit in an
    # ordinary answer (600 characters), all three in the answer to a list question (1000).
    long_sentences = [
        "Maatregel één van de gemeente voor de vijvers is een nieuwe pomp bij de grote vijver aan de noordkant, "
        "die vanaf 2031 elk uur 4.000 liter water door een zandfilter stuurt, zodat de kikkers en salamanders "
        "ook in een droge zomer genoeg zuurstof krijgen.",
        "Maatregel twee van de gemeente voor de vijvers is het herstel van de rietkraag langs 120 meter oever "
        "met wilgentenen uit de eigen kwekerij, waarachter reigers en eenden kunnen broeden zonder dat honden "
        "of wandelaars hen in het voorjaar storen.",
        "Maatregel drie van de gemeente voor de vijvers is dat vrijwilligers van de buurtvereniging om de 3 weken "
        "het kroos van het water scheppen en in de herfst het blad van de paden harken, met materiaal dat de "
        "gemeente in een schuurtje bij de ingang bewaart.",
    ]
    assert all(240 < len(t) < 300 for t in long_sentences)
    passages = make_passages(*long_sentences)
    listed = composer(margin=50.0, overlap=1.0).compose("Welke maatregelen neemt de gemeente voor de vijvers?", passages)
    other = composer(margin=50.0, overlap=1.0).compose("Hoe onderhoudt de gemeente de vijvers?", passages)
    assert listed.text.count("Maatregel") == 3
    assert other.text.count("Maatregel") == 2


def test_a_refusal_points_to_the_closest_passages_only_when_there_are_some():
    n = len(REFUSAL_FEATURES)
    always = RefusalModel(LinearModel("always", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 50.0), threshold=0.5)
    refusing = ExtractiveComposer(refusal=always, model=model(overlap=1.0))
    refused = refusing.compose("Hoeveel zwanen wonen er bij de vijvers?", make_passages(VIJVERS))
    assert refused.refused and refused.text == f"{REFUSAL_TEXT} {REFUSAL_POINTER}"
    empty = refusing.compose("Hoeveel zwanen wonen er bij de vijvers?", [])
    assert empty.refused and empty.text == REFUSAL_TEXT


def test_a_follower_that_repeats_the_lead_with_a_little_more_is_left_out():
    # A summary repeats the body's sentence with one more figure: the reader has read it already.
    passages = make_passages(
        "In 2023 telde het park 19 vijvers met kikkers.",
        "In 2023 telde het park 19 vijvers met kikkers en 4 met salamanders.",
    )
    answer = composer(margin=50.0, overlap=1.0).compose("Hoeveel vijvers met kikkers telde het park in 2023?", passages)
    assert answer.text.count("[") == 1


@pytest.mark.parametrize("question, lead", [
    ("Klopt het dat 40% van de tuinmannen ouder is dan 55?", "Van de tuinmannen in het park is 40% ouder dan 55 jaar."),
    ("Is het waar dat 40% van de tuinmannen ouder is dan 55 jaar?", "Van de tuinmannen in het park is 40% ouder dan 55 jaar."),
    # No claim to check: the figures are asked, and the model's best sentence leads.
    ("Hoeveel tuinmannen zijn jonger dan 30?", "Het aandeel jonge tuinmannen (< 30 jaar) is slechts 4%."),
])
def test_a_claim_to_check_leads_with_the_sentence_that_holds_its_figures(question, lead):
    text = "Van de tuinmannen in het park is 40% ouder dan 55 jaar. Het aandeel jonge tuinmannen (< 30 jaar) is slechts 4%."
    answer = composer(overlap=1.0, has_number=5.0).compose(question, make_passages(text))
    assert answer.text.startswith(lead)


CLAIM_TEXT = (
    "In 2023 kreeg 40% van de 19 vijvers in 3 wijken een rietkraag. "
    "Het aantal tuinmannen in het park bedroeg 120. "
    "De kikkers in het park zijn met 19 soorten."
)


@pytest.mark.parametrize("question, lead", [
    # The claim's figure is not the documents': the sentence with a figure that holds the rest
    # of the claim corrects it, not one that has the claim's figure about something else.
    ("Klopt het dat het aantal tuinmannen in het park 40 was?", "Het aantal tuinmannen in het park bedroeg 120."),
    ("Klopt het dat het aantal tuinmannen in het park 120 was?", "Het aantal tuinmannen in het park bedroeg 120."),
])
def test_a_claim_with_another_figure_than_the_documents_is_corrected(question, lead):
    answer = composer(has_number=5.0, numbers=5.0).compose(question, make_passages(CLAIM_TEXT))
    assert answer.text.startswith(lead)


def test_the_figure_of_a_claim_is_no_term_the_passages_must_hold():
    from rag.answer.refusal import refusal_signals
    from rag.text.question import analyse_question

    passages = make_passages(CLAIM_TEXT)
    claim = refusal_signals(analyse_question("Klopt het dat het aantal tuinmannen in het park 40.000 was?"), passages)
    asked = refusal_signals(analyse_question("Waren er 40.000 tuinmannen in het park?"), passages)
    assert claim.missing == () and claim.values["coverage"] == 1.0
    assert "000" in asked.missing


@pytest.mark.parametrize("subject, text, defined", [
    # A name may open with its article; a common noun may not ("Het kroos is een probleem").
    ("vlinderschool", "De Vlinderschool is een basisschool aan de rand van het park.", True),
    ("vlinderschool", "De Vlinderschool is sinds 2015 een school voor natuuronderwijs.", True),
    ("groene vijver academie", "De Groene Vijver Academie is in Vlinderstad een opleiding voor tuinmannen.", True),
    ("kroos", "Het kroos is een groot probleem in de zomer.", False),
    ("kroos", "Het kroos is sinds 2015 een groot probleem.", False),
    ("vlinderschool", "De Vlinderschool is een van de scholen die meedoen.", False),  # among others, not what it is
    # The kind in dashes or commas after the word that opens the sentence.
    ("kroosvissen", "Kroosvissen – een methode om vijvers met een net te reinigen – kost weinig tijd.", True),
    ("kroosvissen", "Kroosvissen, een methode om vijvers met een net te reinigen, kost weinig tijd.", True),
    ("kroosvissen", "Kroosvissen kost weinig tijd – een voordeel voor de tuinmannen.", False),
])
def test_defines_in_a_text_as_written(subject, text, defined):
    from rag.text.definitions import defines_in

    assert defines_in(subject, text) is defined


AANTAL = (
    "In 2023 maaiden 150 tuinmannen het gras in het park. "
    "Dat geldt ook voor het aantal tuinmannen dat in de winter riet maait. "
    "Dit aantal schommelt rond de 80."
)


def test_a_figure_that_points_back_counts_what_the_sentence_before_names():
    # "Dit aantal ..." gives the figure of what the sentence before names: the terms matched
    # there are its own, and that sentence is quoted with it, though it refers back in turn.
    answer = composer(overlap=3.0, number_wanted=1.0).compose("Hoeveel tuinmannen maaien in de winter riet?", make_passages(AANTAL))
    assert answer.text.startswith(
        "Dat geldt ook voor het aantal tuinmannen dat in de winter riet maait. Dit aantal schommelt rond de 80. [1]"
    )
    # Without a figure noun the sentence before is no part of it ("Dit gras ...").
    text = AANTAL.replace("Dit aantal schommelt rond de 80.", "Dit gras groeit 80 dagen per jaar.")
    answer = composer(overlap=3.0, number_wanted=1.0).compose("Hoeveel tuinmannen maaien in de winter riet?", make_passages(text))
    assert answer.text.startswith("In 2023 maaiden 150 tuinmannen het gras in het park.")


@pytest.mark.parametrize("text, measured", [
    ("Het kroostekort in het Noordpark bedroeg 120 kilo in mei 2023.", True),
    ("In het Zuidpark is het kroostekort 24%.", True),
    ("Er was een kroostekort van 80 kilo.", True),
    ("Van de vijvers met een groot kroostekort had 30% in 2023 geen eenden.", False),  # a figure of vijvers
    ("Het kroostekort bestaat sinds 2019.", False),  # a year is no size
])
def test_measures(text, measured):
    from rag.answer.extractive import measures

    assert measures(text, "kroostekort") is measured


def test_the_size_asked_leads_over_a_figure_of_what_it_qualifies():
    text = (
        "Van de vijvers met een groot kroostekort had ongeveer 30% in 2023 geen eenden, tegenover 9% van de andere vijvers. "
        "In het Zuidpark is het kroostekort 24%. Het kroostekort in het park bedroeg 120 kilo in mei 2023."
    )
    answer = composer(overlap=1.0, numbers=2.0).compose("Hoe groot is het kroostekort?", make_passages(text))
    # The one that opens with the thing gives its size as such, not that of a part of the park.
    assert answer.text.startswith("Het kroostekort in het park bedroeg 120 kilo in mei 2023.")


@pytest.mark.parametrize("question, text, note", [
    ("Wie is de directeur van de Vijverbond?", "De directeur van de Vijverbond stuurt jaarlijks de tuinmannen aan in het park.",
     "U vraagt wie de directeur is, maar dit antwoord noemt niemand bij naam."),
    ("Wie is de directeur van de Vijverbond?", "De directeur van de Vijverbond is sinds 2019 Anna de Wit, die eerder tuinman was.", None),  # a name
    # One person asked by office: "Welke wethouder ...?".
    ("Welke wethouder opende het vijverplan?", "Het vijverplan werd in 2019 geopend door de wethouder van het park.",
     "U vraagt welke wethouder het is, maar dit antwoord noemt niemand bij naam."),
    ("Welke wethouder opende het vijverplan?", "Het vijverplan werd in 2019 geopend door wethouder Anna de Wit.", None),
])
def test_an_answer_to_who_holds_a_role_that_names_no_one_says_so(question, text, note):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused and answer.text.startswith(text)
    _assert_note(answer, note, absent="niemand bij naam")


def test_a_list_question_led_by_a_wider_list_gets_the_item_that_names_what_it_asks():
    text = (
        "Steun in de klas voor jonge kinderen:\n"
        "• Extra lessen: extra lessen na schooltijd helpen jonge kinderen.\n"
        "• Spellen: spellen als Kikkerjacht en Rietrace zijn goed voor de taal van jonge kinderen.\n"
        "• Kleine klassen: in kleine klassen leren jonge kinderen meer."
    )
    answer = composer(overlap=1.0, enumeration=5.0).compose("Welke spellen zijn goed voor jonge kinderen?", make_passages(text))
    assert answer.text.startswith("Spellen: spellen als Kikkerjacht en Rietrace")
    # The list stays when its lead-in names them.
    named = text.replace("Steun in de klas voor jonge kinderen:", "Spellen en steun in de klas voor jonge kinderen:")
    answer = composer(overlap=1.0, enumeration=5.0).compose("Welke spellen zijn goed voor jonge kinderen?", make_passages(named))
    assert answer.text.startswith("Spellen en steun in de klas")


def test_a_capital_that_opens_a_sentence_does_not_make_a_name():
    from rag.text.definitions import defines_in, written_as_name

    assert written_as_name("vlinderschool", "Wij bezochten de Vlinderschool in mei.")
    assert written_as_name("groene vijver", "Groene Vijver is een stichting.")  # a second capital tells
    assert not written_as_name("kroos", "Kroos is een van de planten die drijven.")
    assert defines_in("kroos", "Kroos is een van de planten die drijven.")  # as for any word


def test_a_cell_of_a_tables_text_is_never_quoted_as_a_sentence():
    # A flattened table with a list in its cells: "Meer riet langs de" goes on in the next cell.
    text = (
        "Tabel 3 Maatregelen van de tuinmannen tegen kroos\n"
        "• Meer riet langs de\n"
        "• Kroos vissen met netten\n"
        "De tuinmannen vissen het kroos in de zomer."
    )
    answer = composer(overlap=1.0, table=2.0).compose("Vissen de tuinmannen het kroos met netten?", make_passages(text, kinds=("table",)))
    assert answer.text.startswith("De tuinmannen vissen het kroos in de zomer.")
    assert "Kroos vissen met netten" not in answer.text and "Meer riet langs de" not in answer.text


@pytest.mark.parametrize("text, weights, asked, lead, plain, plain_lead", [
    # The model prefers more figures; "niveau 1" is asked, not the other levels.
    ("Op niveau 2, 3 en 4 stopt 8%, 7% en 6% van de tuinmannen. Op niveau 1 stopt 14% van de tuinmannen.",
     {"numbers": 1.0}, "Hoeveel tuinmannen stoppen op niveau 1?", "Op niveau 1 stopt 14%",
     "Hoeveel tuinmannen stoppen er?", "Op niveau 2, 3 en 4"),
    # The model prefers the sentence after it; "de grootste bedreiging" is asked, not "een bedreiging".
    ("Volgens de boswachters is kroos de grootste bedreiging voor de kikkers. Droogte is ook een bedreiging voor de kikkers in het park.",
     {"previous_overlap": 5.0}, "Wat is de grootste bedreiging voor de kikkers?", "Volgens de boswachters is kroos de grootste bedreiging",
     "Wat is een bedreiging voor de kikkers?", "Droogte is ook een bedreiging"),
])
def test_a_sentence_that_holds_what_the_question_singles_out_leads(text, weights, asked, lead, plain, plain_lead):
    answer = composer(margin=10.0, overlap=1.0, **weights).compose(asked, make_passages(text))
    assert answer.text.startswith(lead)
    # A question that singles nothing out keeps the model's choice.
    answer = composer(margin=10.0, overlap=1.0, **weights).compose(plain, make_passages(text))
    assert answer.text.startswith(plain_lead)


def test_a_question_that_names_two_documents_quotes_each_also_when_the_first_fills_the_answer():
    from rag.text.sources import SourceMention

    question = "Wat zeggen het vijverplan en de kikkernota over het riet?"
    info = replace(analyse_question(question), mention=SourceMention(documents=("doc0.txt", "doc1.txt")))
    long_lead = (
        "Het riet langs de vijvers is volgens het plan een schuilplaats voor kikkers, padden en salamanders, die er in het "
        "voorjaar hun eieren leggen en er in de zomer de hitte ontlopen, en het wordt daarom pas in de late herfst gemaaid, "
        "als de kikkers al in de modder overwinteren en de vogels hun nesten hebben verlaten, terwijl het riet langs de "
        "kleine vijvers om de twee jaar wordt gemaaid, steeds aan één oever en nooit in het broedseizoen, zodat er voor de "
        "kikkers, de padden, de salamanders en de vogels van het park altijd ergens riet blijft staan."
    )
    passages = make_passages(long_lead, "Volgens de kikkernota houdt het riet de oevers koel voor de kikkers.")
    answer = composer(overlap=1.0, passage_score=1.0).compose(question, passages, analysis=info)
    assert not answer.refused and answer.text.startswith("Het riet langs de vijvers")
    assert len(answer.text) > 600  # longer than an answer from one document may be
    assert {c.passage.chunk.document_id for c in answer.citations} == {"doc0.txt", "doc1.txt"}


def test_the_sentence_that_names_the_superlative_asked_alone_leads():
    # "het hoogst" ranks without a noun after it; "bij" in "het hoogst bij ..." is no thing ranked.
    from rag.answer.extractive import _ranked_thing

    text = "Volgens de tuinmannen groeit het riet het hoogst langs de grote vijver. Ook langs de sloten groeit het riet hoog."
    answer = composer(margin=10.0, previous_overlap=5.0, overlap=1.0).compose("Waar groeit het riet het hoogst?", make_passages(text))
    assert answer.text.startswith("Volgens de tuinmannen groeit het riet het hoogst")
    assert _ranked_thing("Is het riet het hoogst bij de vijver?") == ("hoogst", "")
    assert _ranked_thing("Welke vijver heeft het hoogste riet?") == ("hoogst", "riet")


@pytest.mark.parametrize("question, text, note", [
    # Neither sentence names both: what one is says nothing of how it differs from the other.
    ("Wat is het verschil tussen een vijver en een sloot?", "Een vijver is een plas water in het park. Kikkers leven in de vijver.",
     "U vraagt naar het verschil tussen een vijver en een sloot, maar geen zin van dit antwoord noemt die twee samen."),
    # What sets them apart is their own word; the word they share says nothing ("riet").
    ("Wat is het verschil tussen hoog riet en laag riet in het park?", "Hoog riet groeit aan de oever van de vijver.",
     "U vraagt naar het verschil tussen hoog riet en laag riet"),
    ("Wat is het verschil tussen een vijver en een sloot?", "Een vijver is stilstaand water, een sloot is smal en stroomt.", None),
])
def test_an_answer_to_what_sets_two_apart_that_never_names_both_says_so(question, text, note):
    answer = composer(overlap=1.0).compose(question, make_passages(text))
    assert not answer.refused
    _assert_note(answer, note, absent="noemt die twee samen")
