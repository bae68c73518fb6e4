"""Messages that are no question to the documents (invented messages, no set question)."""

from __future__ import annotations

import pytest

from rag.text.conversation import (
    asks_overview,
    asks_publication,
    conversation_kind,
    conversation_reply,
    overview_reply,
)
from rag.text.question import analyse_question, asks_opinion
from rag.types import IndexedDocument


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Hallo", "greeting"),
        ("hoi!", "greeting"),
        ("Goedemiddag, Bronwijzer.", "greeting"),
        ("Bedankt!", "thanks"),
        ("Heel erg fijn, dank u wel", None),  # "heel erg fijn" is no phrase of ours: searched, harmlessly
        ("Dank je wel voor de uitleg.", "thanks"),
        ("Wat kun jij allemaal?", "about"),
        ("Hoi, welke documenten ken je?", "about"),
        ("Hoeveel documenten ken je?", "about"),
        ("help", "about"),
        ("Where can I find the rules for school trips?", "other_language"),
        ("Do principals earn more than teachers?", "other_language"),
        ("Wie viele Frösche leben im Teich?", "other_language"),  # German, French, Spanish too
        ("Combien de grenouilles vivent dans l'étang?", "other_language"),
        ("¿Cuántas ranas viven en el estanque?", "other_language"),
        ("Wie telt de kikkers in de vijver?", None),  # "wie" is Dutch as well
        ("ما هو عدد الضفادع في البركة؟", "other_language"),  # another script: Arabic, Cyrillic, ...
        ("Сколько лягушек в пруду?", "other_language"),
        ("Hoeveel kikkers telt de vijver in Kyiv (Київ)?", None),  # a name in another script
        ("Schrijf een gedicht over de kikkers", "task"),
        ("Kun je een brief aan de buurt schrijven over de vijvers?", "task"),
        ("Vertaal dit naar het Frans.", "task"),
        ("Maak een nieuwsbrief voor de tuinmannen", "task"),
        ("Wilt u een toespraak opstellen voor de opening van het park?", "task"),
    ],
)
def test_greetings_thanks_questions_about_bronwijzer_and_english_are_recognised(message, kind):
    assert conversation_kind(message) == kind


@pytest.mark.parametrize(
    "message",
    [
        "Hallo, hoeveel vijvers heeft het park?",  # a question after the greeting is a question
        "Hoe werkt dit?",  # after an answer, a follow-up on it
        "Ok, en in 2021?",
        "Wat weet je over de kikkers in het park?",
        "Wat is de impact van de nieuwe pompen?",  # English loan words in a Dutch question
        "Hoeveel procent van de vijvers heeft een fontein?",
        "Help, hoe houd ik de vijver schoon?",
        "Schrijft de gemeente iets over de kikkers?",  # the third person asks what a text says
        "Maak een overzicht van de maatregelen voor de vijvers",  # a list from the documents
        "Hoe maak ik een vijverplan?",
        "Welke teksten schrijft de gemeente over het riet?",
        "Schrijf ik een vijverplan voor elke vijver?",  # a subject after the verb: a question
        "Stel dat de gemeente een brief stuurt, wat staat erin?",
        "Maak je een nieuwsbrief voor de buurt verplicht?",
    ],
)
def test_questions_to_the_documents_are_left_alone(message):
    assert conversation_kind(message) is None


def test_the_reply_names_the_documents_and_says_how_answers_work():
    reply = conversation_reply("greeting", ["De vijvers", "De kikkers"])
    assert reply.startswith("Hallo! Ik ben Bronwijzer.") and "deze 2 documenten: ‘De vijvers’ en ‘De kikkers’" in reply
    assert "staat het antwoord er niet in, dan zeg ik dat" in reply
    many = conversation_reply("about", [f"Rapport {n}" for n in range(1, 10)])
    assert "‘Rapport 6’ en nog 3 andere" in many and "Hallo" not in many
    assert "nog geen documenten" in conversation_reply("about", [])
    assert "please ask in Dutch" in conversation_reply("other_language", ["De vijvers"])
    assert conversation_reply("thanks", ["De vijvers"]).startswith("Graag gedaan.")


def test_a_request_to_write_something_is_declined_with_a_question_to_ask_instead():
    reply = conversation_reply("task", ["De vijvers"], "Schrijf een gedicht over de kikkers in het park!")
    assert reply.startswith("Ik schrijf geen nieuwe teksten")
    assert reply.endswith("Stel bijvoorbeeld „Wat zeggen de documenten over de kikkers in het park?”")
    assert conversation_reply("task", ["De vijvers"], "Vertaal dit").endswith("een vraag over een onderwerp uit de documenten.")


@pytest.mark.parametrize(
    ("topic", "overview"),
    [("Waar gaat het over?", True), ("Wat zegt het?", True), ("Vat het samen.", True), ("Wat zijn de hoofdpunten?", True),
     ("Kun je het samenvatten?", True),
     ("Wat zegt het over de kikkers?", False), ("Hoeveel vijvers zijn er?", False)],
)
def test_a_question_about_a_document_as_a_whole_is_recognised(topic, overview):
    info = analyse_question(topic)
    assert asks_overview(info.topic_terms) is overview


def test_the_overview_is_the_description_and_says_it_is_no_quote():
    doc = IndexedDocument("vijvers.md", "De vijvers", "1", "h", 3, publisher="Gemeente Vlinderstad", year=2023,
                          description="Telling van de vijvers in het stadspark.")
    reply = overview_reply([doc])
    assert reply.startswith("‘De vijvers’ (Gemeente Vlinderstad, 2023): Telling van de vijvers in het stadspark. ")
    assert "geen citaat" in reply and "stel een vraag over een onderwerp eruit" in reply


@pytest.mark.parametrize(
    ("topic", "publication"),
    [("Wanneer is het verschenen?", True), ("Wie heeft het geschreven?", True), ("Wanneer werd het gepubliceerd?", True),
     ("Wie heeft het gemaakt?", True), ("Door wie is het samengesteld?", True),
     ("Waar gaat het over?", False), ("Wanneer verschenen de kikkers?", False), ("Welke keuzes zijn er gemaakt?", False)],
)
def test_who_made_a_document_and_when_is_answered_from_the_manifest(topic, publication):
    info = analyse_question(topic)
    # As the engine asks: a question about the document as a whole, and about who made it or when.
    assert (asks_overview(info.topic_terms) and asks_publication(info.topic_terms)) is publication
    doc = IndexedDocument("vijvers.md", "De vijvers", "1", "h", 3, publisher="Gemeente Vlinderstad", year=2023)
    assert overview_reply([doc], publication=True) == (
        "‘De vijvers’ is in 2023 uitgegeven door Gemeente Vlinderstad. Dit staat in de lijst van documenten; het is geen citaat."
    )
    assert overview_reply([IndexedDocument("x.md", "X", "1", "h", 1)], publication=True).startswith("Wie ‘X’ uitgaf en wanneer")


@pytest.mark.parametrize(
    ("question", "opinion"),
    [
        ("Wat vind jij van de nieuwe pompen?", True),
        ("Ben je het eens met de gemeente?", True),
        ("Wat is jouw mening over het riet?", True),
        ("Wat moet ik doen tegen kroos in mijn vijver?", True),
        ("Wat vindt de gemeente van de nieuwe pompen?", False),  # what a source thinks: a question to the documents
        ("Wat denken de tuinmannen over het maaien?", False),
        ("Welk advies geeft het vijverbureau?", False),
        ("Waar vind je de cijfers over de kikkers?", False),  # where to find, not what one thinks
        ("Vind je het riet mooi?", True),
        ("Wat moet ik weten over het kroos?", False),  # what the documents say about it
        ("Wat zou ik moeten weten over het kroos?", False),
    ],
)
def test_a_question_for_bronwijzers_own_opinion_is_recognised(question, opinion):
    assert asks_opinion(question) is opinion


def test_the_words_asking_an_opinion_are_no_key_terms():
    assert [t.word for t in analyse_question("Wat vind jij van de kikkers in het park?").topic_terms] == ["kikkers", "park"]
    assert [t.word for t in analyse_question("Wat is jouw mening over het riet?").topic_terms] == ["riet"]
    assert [t.word for t in analyse_question("Wat moet ik weten over het riet?").topic_terms] == ["riet"]
