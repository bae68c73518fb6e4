"""A question that names a document by title, publisher, alias or acronym is recognised."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.text.sources import SourceMatcher

DOCS = [
    SimpleNamespace(id="vijvers.txt", title="De Toestand van de Vijvers 2023", publisher="Bureau voor Vijvers",
                    aliases=("Toestand van de Vijvers", "de Toestand", "vijverbureau")),
    SimpleNamespace(id="kikker.txt", title="Plan Kikker Voorop!", publisher="KNV en Stichting Kikker",
                    aliases=("kikkerplan",)),
]


@pytest.fixture(scope="module")
def matcher() -> SourceMatcher:
    return SourceMatcher.of_documents(DOCS)


@pytest.mark.parametrize("question, document", [
    ("Wat staat er in De Toestand van de Vijvers 2023 over riet?", "vijvers.txt"),
    ("Wat zegt de Toestand over riet?", "vijvers.txt"),
    ("Toestand van de Vijvers: hoeveel riet staat erin?", "vijvers.txt"),  # more than one word with capitals
    ("Volgens het Bureau voor Vijvers groeit het riet?", "vijvers.txt"),
    ("Wat vindt het vijverbureau?", "vijvers.txt"),
    ("Wat wil de KNV?", "kikker.txt"),
    ("Wat stelt Stichting Kikker voor?", "kikker.txt"),
    ("Wat staat er in het nieuwe kikkerplan?", "kikker.txt"),
])
def test_named_sources_are_found(matcher, question, document):
    assert matcher.match(question).documents == (document,)


@pytest.mark.parametrize("question, by_publisher", [
    ("Volgens het Bureau voor Vijvers groeit het riet?", ("vijvers.txt",)),
    ("Wat wil de KNV?", ("kikker.txt",)),
    ("Wat zegt de Toestand over riet?", ()),
    ("Wat staat er in het kikkerplan van de KNV?", ()),  # named by its title as well
])
def test_a_document_named_only_by_its_publisher_is_told_apart(matcher, question, by_publisher):
    assert matcher.match(question).by_publisher == by_publisher


@pytest.mark.parametrize("question", [
    "Wat is de toestand van het riet?",  # common words without their capitals name nothing
    "Hoeveel vijvers zijn er?",
    "Wat staat er over kikkers?",
    "Toestand van het riet: is die goed?",  # the first word's capital is grammar, not a name
])
def test_ordinary_words_name_no_source(matcher, question):
    assert not matcher.match(question)


def test_the_mention_can_be_stripped_with_its_article_and_year(matcher):
    question = "Hoeveel vijvers telt De Toestand van de Vijvers 2023 in het noorden?"
    mention = matcher.match(question)
    assert mention.strip(question) == "Hoeveel vijvers telt in het noorden?"


@pytest.mark.parametrize("question, stripped", [
    # A preposition left without its object goes with the name.
    ("Wat is het oordeel van het vijverbureau over het riet?", "Wat is het oordeel over het riet?"),
    ("Wat staat er in de Toestand over riet?", "Wat staat er over riet?"),
    ("Hoeveel riet groeit er volgens het vijverbureau?", "Hoeveel riet groeit er?"),
    # One that keeps an object, or a verb before the name, stays.
    ("Wat zegt het vijverbureau over riet in de vijvers?", "Wat zegt over riet in de vijvers?"),
])
def test_a_preposition_left_without_its_object_goes_with_the_name(matcher, question, stripped):
    assert matcher.match(question).strip(question) == stripped


def test_two_named_documents_are_both_found_in_order(matcher):
    mention = matcher.match("Zijn de KNV en het vijverbureau het eens?")
    assert mention.documents == ("kikker.txt", "vijvers.txt")


DESCRIBED = [
    SimpleNamespace(id="oevers.txt", title="Groene oevers", publisher="Oeverfonds", aliases=(),
                    description="Onderzoek naar het beheer van rietkragen langs stadsvijvers met veel kroos."),
    SimpleNamespace(id="padden.txt", title="Paddentrek 2030", publisher="Paddenwerkgroep", aliases=(),
                    description="Jaarlijkse telling van padden bij wegen en de overzetacties van vrijwilligers."),
]


@pytest.mark.parametrize("question, documents", [
    ("Wat zegt het rapport over rietkragen bij stadsvijvers over maaien?", ("oevers.txt",)),
    ("Volgens het onderzoek naar vrijwilligers bij de paddentrek, hoeveel padden?", ("padden.txt",)),
    ("Wat zeggen het rapport over stadsvijvers met kroos en de Paddenwerkgroep?", ("oevers.txt", "padden.txt")),
])
def test_a_document_described_by_its_subject_is_named(question, documents):
    assert SourceMatcher.of_documents(DESCRIBED).match(question).documents == documents


@pytest.mark.parametrize("question", [
    "Wat zegt het rapport over het weer in de winter?",  # about no document
    "Wat zegt het rapport over vrijwilligers?",  # one shared term is not enough
    "Hoeveel rietkragen telt het park?",  # no description at all
])
def test_a_subject_that_fits_no_document_names_nothing(question):
    assert not SourceMatcher.of_documents(DESCRIBED).match(question)


def test_the_words_of_a_description_stay_terms_of_the_question():
    question = "Wat zegt het rapport over rietkragen bij stadsvijvers over maaien?"
    mention = SourceMatcher.of_documents(DESCRIBED).match(question)
    assert mention.documents == ("oevers.txt",)
    assert mention.strip(question) == question


@pytest.mark.parametrize("question, stripped", [
    # Words of the title that open the description name the document, as its title would.
    ("Wat zegt het onderzoek naar groene oevers over maaien?", "Wat zegt over maaien?"),
    ("Is er volgens het rapport over de groene oever meer riet?", "Is er volgens meer riet?"),
    # One word of the title may be the subject asked about: it stays.
    ("Hoe beschrijft het onderzoek naar oevers van stadsvijvers het kroos?", "Hoe beschrijft het onderzoek naar oevers van stadsvijvers het kroos?"),
])
def test_a_description_in_the_words_of_the_title_is_a_name(question, stripped):
    mention = SourceMatcher.of_documents(DESCRIBED).match(question)
    assert mention.documents and mention.strip(question) == stripped


def test_a_polite_frame_and_what_the_named_source_does_are_no_key_terms(matcher):
    from rag.text.question import analyse_question, defined_subject, without_frame

    assert without_frame("Kun je me vertellen welke vijvers schoon zijn?") == "welke vijvers schoon zijn?"
    assert without_frame("Weet je de weg naar het park?") == "Weet je de weg naar het park?"  # no question inside
    assert defined_subject("Kunt u uitleggen wat een kroosdek is?") == "kroosdek"
    framed = analyse_question("Ik wil graag weten hoeveel vijvers er zijn.", matcher)
    assert [t.word for t in framed.topic_terms] == ["vijvers"]
    named = analyse_question("Welke maatregelen stelt het kikkerplan voor?", matcher)
    assert [t.word for t in named.topic_terms] == ["maatregelen"]
    # Advising is reporting too: what the plan advises on the salaris is asked, not "adviseert".
    advised = analyse_question("Wat adviseert het kikkerplan over het salaris van de tuinman?", matcher)
    assert [t.word for t in advised.topic_terms] == ["salaris", "tuinman"]
    # Without a named source the verb stays: it may be what the question is about.
    assert "stelt" in [t.word for t in analyse_question("Welke maatregelen stelt de gemeente voor?", matcher).topic_terms]


@pytest.mark.parametrize("question, subject", [
    ("Kun je dat toelichten? (kikkers vijver)", ["kikkers", "vijver"]),
    ("En kun je daar meer over vertellen? (kikkers vijver)", ["kikkers", "vijver"]),
    ("Licht dat eens toe. (kikkers vijver)", ["kikkers", "vijver"]),
    ("Wat betekent dat voor de eenden? (kikkers vijver)", ["eenden", "kikkers", "vijver"]),
    ("Kunt u het kroosdek uitleggen?", ["kroosdek"]),
])
def test_the_words_that_ask_to_explain_or_tell_more_are_no_key_terms(question, subject):
    from rag.text.question import analyse_question

    info = analyse_question(question)
    assert [t.word for t in info.terms] == subject and [t.word for t in info.topic_terms] == subject


def test_a_word_for_explaining_is_a_key_term_when_it_is_what_is_asked_for():
    from rag.text.question import analyse_question

    assert "toelichting" in [t.word for t in analyse_question("Waar staat de toelichting bij het vijverplan?").terms]


def test_the_documents_at_large_and_what_they_say_are_no_subject(matcher):
    from rag.text.question import analyse_question

    for question in ("Wat zeggen de documenten over de begeleiding van kikkers?", "Wat schrijven de rapporten over kikkers?"):
        info = analyse_question(question, matcher)
        assert "zeggen" not in [t.word for t in info.terms] and "rapporten" not in [t.word for t in info.terms]
        assert "kikkers" in [t.word for t in info.topic_terms]
    # A person who says something is another matter: the verb may be part of the subject.
    assert "zegt" in [t.word for t in analyse_question("Wat zegt de boswachter over kikkers?", matcher).terms]


def test_context_before_the_question_gives_its_sector_but_no_required_terms(matcher):
    from rag.text.question import analyse_question, question_sentence

    assert question_sentence("Ik werk op een vo-school in Vlinderstad. Hoeveel kikkers zijn er?") == "Hoeveel kikkers zijn er in het vo?"
    assert question_sentence("Ik ben boswachter. Hoeveel kikkers zijn er?") == "Hoeveel kikkers zijn er?"
    info = analyse_question("Ik ben boswachter in Vlinderstad. Hoeveel kikkers wonen in de vijver?", matcher)
    assert [t.word for t in info.topic_terms] == ["kikkers", "wonen", "vijver"]
    assert info.intent == "number"
    # A question that points back at its context, or has no subject of its own, keeps it.
    pointing = "Een boswachter kweekt zelf kikkers. Hoeveel zijn dat er per seizoen, en hoe lukt haar dat?"
    assert question_sentence(pointing) == pointing
    assert question_sentence("Wij hebben veel kikkers. Wat nu?") == "Wij hebben veel kikkers. Wat nu?"
    # As typed in a chat: in lower case, the question after a comma, without its mark.
    assert question_sentence("ik werk op een vo-school in vlinderstad, hoeveel kikkers zijn er") == "hoeveel kikkers zijn er in het vo?"
    assert question_sentence("ik ben boswachter. hoeveel kikkers zijn er") == "hoeveel kikkers zijn er"
    info = analyse_question("we zijn een school in Vlinderstad, hoeveel kikkers wonen in de vijver?", matcher)
    assert [t.word for t in info.topic_terms] == ["kikkers", "wonen", "vijver"]
    assert info.context_names == ("Vlinderstad",)
    # A comma inside the question itself parts nothing.
    assert question_sentence("Wat is kroos, en hoe groeit het?") == "Wat is kroos, en hoe groeit het?"


def test_the_names_of_a_context_are_its_capitalised_words_but_not_a_sentence_start_or_a_sector(matcher):
    from rag.text.question import analyse_question

    info = analyse_question("Ik ben boswachter in Vlinderstad. Kikkers verdwijnen. Ik werk voor het VSO. Hoeveel kikkers zijn er?", matcher)
    assert info.context_names == ("Vlinderstad",)
    assert analyse_question("Hoeveel kikkers zijn er in Vlinderstad?", matcher).context_names == ()


@pytest.mark.parametrize("question", [
    "Wat is het Bureau voor Vijvers?",
    "Wat is de KNV en wie is er lid van?",
])
def test_a_question_what_a_named_source_is_has_the_name_as_its_subject(matcher, question):
    from rag.text.question import analyse_question

    info = analyse_question(question, matcher)
    assert not info.mention
    assert info.defined and info.defined.split()[0] in ("bureau", "knv")
    assert info.topic == question  # the name stays in what is searched and checked


def test_a_name_beside_the_defined_subject_stays_a_source(matcher):
    from rag.text.question import analyse_question

    info = analyse_question("Wat is volgens het vijverbureau een gezonde vijver?", matcher)
    assert info.mention.documents == ("vijvers.txt",)


def test_a_second_question_after_en_is_no_part_of_the_defined_subject():
    from rag.text.question import defined_subject

    assert defined_subject("Wat is een kikkerpas en hoe vraag je die aan?") == "kikkerpas"
    assert defined_subject("Wat zijn kikkers en padden?") == "kikkers en padden"


def test_an_organisation_after_in_is_the_organisation_itself_not_a_source():
    docs = [SimpleNamespace(id="trend.txt", title="Trends bij vijvers 2023", publisher="Vijverregister NL", aliases=("Vijverregister", "trendrapport"))]
    matcher = SourceMatcher.of_documents(docs)
    assert not matcher.match("Wie staan er in het Vijverregister?")  # the register, not its report
    assert matcher.match("Wat zegt het Vijverregister over riet?").documents == ("trend.txt",)
    assert matcher.match("Wat staat er in het trendrapport over riet?").documents == ("trend.txt",)  # a document's name
    assert matcher.match("Wat staat er in Trends bij vijvers over riet?").documents == ("trend.txt",)


@pytest.mark.parametrize("question, named", [
    # A shorter name that goes on with its title's next words names the document as a whole.
    ("Wie heeft het actieplan vijver geschreven?", "het actieplan vijver"),
    ("Wat zegt de Toestand van de Vijvers over riet?", "de Toestand van de Vijvers"),
    ("Wat zegt de Toestand over de vijvers?", "de Toestand"),  # "over" is not in the title
])
def test_a_name_that_goes_on_with_its_title_is_taken_whole(question, named):
    matcher = SourceMatcher([("plan.txt", ["Actieplan Vijver Voorop!", "actieplan"]), ("vijvers.txt", ["De Toestand van de Vijvers 2023", "de Toestand"])])
    mention = matcher.match(question)
    assert [question[a:b] for a, b in mention.spans] == [named]


def test_a_year_after_a_source_that_says_something_names_its_edition(matcher):
    from rag.text.question import analyse_question, named_editions

    question = "Wat zegt het Bureau voor Vijvers in 2023 over riet?"
    assert [years for _, years in named_editions(question, matcher.match(question))] == [frozenset({"2023"})]
    assert analyse_question(question, matcher).source_years == {"2023"}
    # A year after a source that does something else is when it did it.
    done = "Hoeveel vijvers baggerde het Bureau voor Vijvers in 2023?"
    assert [years for _, years in named_editions(done, matcher.match(done))] == [frozenset()]
