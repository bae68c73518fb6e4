"""The Engine (ask/search/stream) and its LangChain retriever on a real index of two invented
documents (real model, real Chroma, the shipped fitted models; no corpus text, no set question)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from ingest.pipeline import Ingestor
from rag.answer.citation_check import split_sentences
from rag.engine import REFUSAL_TEXT
from rag.errors import InvalidQuestionError
from rag.langchain import BronwijzerRetriever
from rag.text.question import searchable, unshouted
from rag.pipeline import build
from rag.settings import REPO_ROOT, Settings
from rag.testing import INVENTED_DOCUMENTS, INVENTED_MANIFEST
from rag.text.sources import document_years
from rag.types import IndexedDocument
from rag.types import Answer, RewrittenQuestion

pytestmark = pytest.mark.slow

DOCS = ["vijvers.md", "kikkers.md"]


@pytest.fixture(scope="module")
def engine_home(tmp_path_factory, models_dir, embedder):
    home = tmp_path_factory.mktemp("engine-home")
    docs = tmp_path_factory.mktemp("engine-docs")
    for name in DOCS:  # two of the invented documents that ship in rag.testing
        (docs / name).write_text(INVENTED_DOCUMENTS[name], encoding="utf-8")
    (docs / "manifest.toml").write_text(INVENTED_MANIFEST, encoding="utf-8")
    settings = Settings(_env_file=None, home=home, model_cache=models_dir)
    parts = build(settings)
    report = Ingestor(settings, parts.store, embedder).ingest([docs])
    assert report.failed == 0 and report.indexed == 2
    return home


@pytest.fixture(scope="module")
def engine(engine_home, models_dir):
    return build(Settings(_env_file=None, home=engine_home, model_cache=models_dir)).engine


def test_ask_answers_with_markers_that_point_at_citations(engine):
    answer = engine.ask("Hoeveel kikkers telden de vrijwilligers in 2023?")
    assert not answer.refused
    assert "310" in answer.text.split("[")[0]  # the first sentence answers
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers and markers == {c.marker for c in answer.citations}
    assert all(c.passage in answer.passages for c in answer.citations)
    assert answer.citations[0].passage.chunk.document_id == "kikkers.md"
    assert {"retrieve", "compose", "total", "embed", "dense", "keyword"} <= set(answer.timings_ms)


def test_unanswerable_question_is_refused_with_closest_passages(engine):
    answer = engine.ask("Hoeveel verdient een tuinman in Noorwegen gemiddeld per maand?")
    assert answer.refused
    assert answer.text.startswith(REFUSAL_TEXT)
    assert answer.citations == ()
    assert answer.passages


def test_a_greeting_gets_bronwijzers_own_reply_without_a_search(engine):
    answer = engine.ask("Hallo!")
    assert answer.refused and not answer.passages and not answer.citations
    assert answer.text.startswith("Hallo! Ik ben Bronwijzer.")
    titles = sorted(d.title for d in engine.documents())
    assert len(titles) == 2 and all(f"‘{t}’" in answer.text for t in titles)
    assert "retrieve" not in answer.timings_ms  # nothing was searched
    streamed = list(engine.stream("Where are the frogs counted?"))
    final = streamed[-1]
    assert isinstance(final, Answer) and final.refused and not final.passages and "please ask in Dutch" in final.text
    assert "".join(item for item in streamed if isinstance(item, str)).strip() == final.text
    # A question after the greeting is searched and answered.
    assert not engine.ask("Hallo, hoeveel kikkers telden de vrijwilligers in 2023?").refused
    # A request to write something is declined with the question to ask instead, in both doors.
    task = engine.ask("Schrijf een gedicht over de kikkers")
    assert task.refused and not task.passages and task.text.endswith("„Wat zeggen de documenten over de kikkers?”")
    assert list(engine.stream("Schrijf een gedicht over de kikkers"))[-1].text == task.text


def test_small_talk_is_no_subject_for_a_follow_up(engine):
    history = [{"role": "user", "content": "Schrijf een gedicht over de kikkers"},
               {"role": "assistant", "content": "Ik schrijf geen nieuwe teksten ..."}]
    assert engine.ask("Hoeveel vijvers zijn er?", history=history).rewritten is None
    greeted = [{"role": "user", "content": "Hallo!"}, {"role": "assistant", "content": "Hallo! Ik ben Bronwijzer. ..."}]
    assert engine.ask("En in 2023?", history=greeted).rewritten is None
    # A question to the documents before the small talk still carries over.
    asked = [{"role": "user", "content": "Hoeveel vijvers telde het stadspark in 2021?"},
             {"role": "assistant", "content": "14 vijvers [1]"}, *greeted]
    assert "vijvers" in engine.ask("En in 2023?", history=asked).rewritten


def test_a_question_for_bronwijzers_opinion_is_answered_from_the_documents_and_says_so(engine):
    answer = engine.ask("Wat vind jij van de kikkers?")
    assert not answer.refused and answer.citations
    assert answer.note.startswith("Bronwijzer heeft geen eigen mening")
    assert list(engine.stream("Wat vind jij van de kikkers?"))[-1].note == answer.note
    assert engine.ask("Hoeveel kikkers telden de vrijwilligers in 2023?").note is None


def test_a_question_about_a_whole_document_gets_its_description_said_to_be_no_quote(engine):
    answer = engine.ask("Waar gaat het kikkerplan over?")
    assert answer.refused and not answer.citations
    assert answer.text.startswith("‘Plan voor de kikkers’ (Stichting Groene Oevers, 2022): van dit document is geen beschrijving bekend.")
    assert "geen citaat" in answer.text
    assert answer.passages and {p.chunk.document_id for p in answer.passages} == {"kikkers.md"}
    # Asking about something in it is a question to its passages.
    assert not engine.ask("Welke maatregelen noemt het kikkerplan?").refused
    # An amount asked of the document is no question about it as a whole: no description gives one.
    assert "geen citaat" not in engine.ask("Wat kost het kikkerplan?").text
    # Its age, or when it is from, is when it was published.
    for question in ("Hoe oud is het kikkerplan?", "Van wanneer is het kikkerplan?"):
        assert engine.ask(question).text.startswith("‘Plan voor de kikkers’ is in 2022 uitgegeven door Stichting Groene Oevers."), question


def test_naming_the_source_and_its_year_is_no_reason_to_refuse(engine):
    answer = engine.ask("Welke maatregelen noemt het kikkerplan van 2022?")
    assert not answer.refused
    assert answer.citations[0].passage.chunk.document_id == "kikkers.md"


def test_an_answer_from_another_document_than_the_one_named_says_so(engine):
    question = "Hoeveel vijvers telde het stadspark in 2021 volgens het kikkerplan?"
    answer = engine.ask(question)
    assert not answer.refused and "14" in answer.text
    assert {c.passage.chunk.document_id for c in answer.citations} == {"vijvers.md"}
    assert answer.note == (
        "U noemt ‘Plan voor de kikkers’, maar daarin is geen passage gevonden die hierop antwoordt; "
        "dit antwoord komt uit ‘De vijvers van het stadspark’."
    )
    # What another document says is no sure answer about the named one.
    assert answer.uncertain
    streamed = list(engine.stream(question))[-1]
    assert (streamed.note, streamed.uncertain) == (answer.note, True)
    # Answered from the document it names: nothing to say.
    named = engine.ask("Welke maatregelen noemt het kikkerplan van 2022?")
    assert named.note is None and not named.uncertain


def test_an_answer_to_a_question_about_two_documents_that_quotes_one_says_which_did_not_answer(engine):
    answer = engine.ask("Wat zeggen het kikkerplan en De vijvers van het stadspark over het riet?")
    assert not answer.refused
    assert {c.passage.chunk.document_id for c in answer.citations} == {"vijvers.md"}
    assert answer.note.endswith(
        "U noemt ‘Plan voor de kikkers’ en ‘De vijvers van het stadspark’, maar in ‘Plan voor de kikkers’ is geen "
        "passage gevonden die hierop antwoordt: dit antwoord komt alleen uit ‘De vijvers van het stadspark’."
    )


@pytest.mark.parametrize("question", ["Welke maatregelen noemt het kikkerplan van 2019?", "Welke maatregelen noemt het kikkerplan 2019?"])
def test_an_answer_from_another_edition_than_the_one_named_says_so(engine, question):
    answer = engine.ask(question)
    assert not answer.refused and answer.citations[0].passage.chunk.document_id == "kikkers.md"
    # The edition note closes the note; a caution may stand before it (the refusal model's
    # probability for this invented question lies near its caution threshold).
    assert "U noemt ‘het kikkerplan" in answer.note
    assert answer.note.endswith("2019’, maar ik ken alleen ‘Plan voor de kikkers (2022)’: dit antwoord komt daaruit.")
    assert list(engine.stream(question))[-1].note == answer.note


def test_an_edition_is_known_by_its_year_and_by_a_year_its_title_gives():
    # A yearly report published the next year: "de kikkertelling van 2022" names it as well as "van 2023".
    report = IndexedDocument("telling.md", "Kikkertelling 2022: de oevers", "1", "h", 3, year=2023)
    assert document_years(report) == {"2022", "2023"}
    assert document_years(IndexedDocument("plan.md", "Plan voor de kikkers", "1", "h", 3, year=2022)) == {"2022"}
    assert document_years(IndexedDocument("x.md", "Zonder jaar", "1", "h", 3)) == frozenset()


def test_a_question_after_its_context_is_answered_and_says_when_the_passages_skip_its_names(engine):
    question = "Ik ben boswachter in Uilenburg. Hoeveel kikkers telden de vrijwilligers in 2023?"
    answer = engine.ask(question)
    # Before, "Uilenburg" was a key term no passage held, and the question was refused.
    assert not answer.refused and "310" in answer.text.split("[")[0]
    assert answer.note == "U noemt ‘Uilenburg’, maar de gevonden passages gaan daar niet in het bijzonder over: dit antwoord is algemeen."
    assert list(engine.stream(question))[-1].note == answer.note
    assert engine.ask("Ik ben boswachter. Hoeveel kikkers telden de vrijwilligers in 2023?").note is None


def test_a_follow_up_that_gets_the_previous_answer_again_says_so(engine):
    question = "Hoeveel kikkers telden de vrijwilligers in 2023?"
    first = engine.ask(question)
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": first.text}]
    again = engine.ask(question, history=history)
    assert again.text == first.text and not again.refused
    assert again.note == "Dit is hetzelfde antwoord als hiervoor: meer zeggen de gevonden passages hier niet over."
    assert list(engine.stream(question, history=history))[-1].note == again.note
    # An answer that differs from the one before it gets no such note.
    other = [{"role": "user", "content": question}, {"role": "assistant", "content": "Er waren 12 vijvers. [1]"}]
    assert engine.ask(question, history=other).note != again.note


def test_a_follow_up_that_only_repeats_sentences_of_the_previous_answer_says_so(engine):
    question = "Hoeveel kikkers telden de vrijwilligers in 2023?"
    first = engine.ask(question)
    # The previous answer said all this answer says, and more.
    longer = f"Het stadspark heeft twaalf vijvers. [2] {first.text} De boswachter telt mee. [3]"
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": longer}]
    again = engine.ask(question, history=history)
    assert again.text == first.text and not again.refused
    assert again.note == "Dit antwoord herhaalt alleen zinnen uit het vorige antwoord: meer zeggen de gevonden passages hier niet over."
    assert list(engine.stream(question, history=history))[-1].note == again.note
    # A sentence the previous answer gave with another figure is something new.
    assert "310" in first.text
    other = [{"role": "user", "content": question}, {"role": "assistant", "content": longer.replace("310", "301")}]
    assert engine.ask(question, history=other).note is None


def test_follow_up_uses_the_history(engine):
    first = "Hoeveel vijvers telde het stadspark in 2021?"
    followed = engine.search(
        "En in 2023?", k=5,
        history=[{"role": "user", "content": first}, {"role": "assistant", "content": "14 vijvers [1]"}],
    )
    assert "19" in followed[0].text and followed[0].chunk.document_id == "vijvers.md"


def test_filters_restrict_documents(engine):
    passages = engine.search("vijvers en kikkers", k=5, filters={"documents": [DOCS[1]]})
    assert passages and {p.chunk.document_id for p in passages} == {DOCS[1]}
    assert engine.search("kikkers", k=3, filters={"year_from": 2030}) == []


@pytest.mark.parametrize(
    ("question", "kwargs", "message"),
    [
        ("   ", {}, "leeg"),
        ("?", {}, "geen letters"),
        ("... !! \U0001f44d", {}, "geen letters"),
        ("x" * 2001, {}, "te lang"),
        ("Wat is een vijver?", {"history": [{"role": "system", "content": "x"}]}, "rol"),
        ("Wat is een vijver?", {"filters": {"jaar": 2020}}, "filter"),
        ("Wat is een vijver?", {"k": 0}, "top_k"),
    ],
)
def test_bad_input_gets_a_dutch_message(engine, question, kwargs, message):
    with pytest.raises(InvalidQuestionError, match=message):
        engine.ask(question, **kwargs)


def test_invisible_characters_copied_into_a_question_do_not_split_its_words(engine):
    plain = engine.ask("Hoeveel vijvers telde het stadspark in 2021?")
    pasted = engine.ask("Hoeveel vij\u200bvers telde het stads\u00adpark\u00a0in 2021?\ufeff")
    assert not pasted.refused and pasted.text == plain.text
    with pytest.raises(InvalidQuestionError, match="leeg"):
        engine.ask("\u200b\u00a0\ufeff")


def test_a_question_typed_in_capitals_is_answered_as_typed_in_lower_case(engine):
    plain = engine.ask("Hoeveel vijvers telde het stadspark in 2021?")
    shouted = engine.ask("HOEVEEL VIJVERS TELDE HET STADSPARK IN 2021?")
    assert not shouted.refused and shouted.text == plain.text
    assert shouted.question == "Hoeveel vijvers telde het stadspark in 2021?"


def test_an_extractive_answer_streams_sentence_by_sentence(engine):
    pieces = list(engine.stream("Hoeveel vijvers telde het stadspark in 2021 en hoeveel in 2023?"))
    answer = pieces[-1]
    assert isinstance(answer, Answer) and answer.mode == "extractive"
    # An uncertain answer says so first (see the next test); the rest is text.
    text = pieces[1:-1] if answer.uncertain else pieces[:-1]
    assert all(isinstance(p, str) for p in text)
    assert "".join(text) == answer.text
    assert len(text) == len(split_sentences(answer.text)) > 1
    for piece in text:  # each piece is a whole sentence with its marker
        assert re.search(r"\[\d+\][.!?]?$", piece.strip()), piece
    assert "first_text" in answer.timings_ms


def test_an_uncertain_answer_streams_its_caution_before_its_text(engine):
    from rag.answer.refusal import CAUTION_TEXT, RefusalModel
    from rag.types import AnswerNote

    composer = engine.composer
    fitted = composer.refusal
    composer.refusal = RefusalModel(fitted.model, threshold=fitted.threshold, caution=0.0)  # every answer doubted
    try:
        items = list(engine.stream("Hoeveel vijvers telde het stadspark in 2021 en hoeveel in 2023?"))
    finally:
        composer.refusal = fitted
    answer = items[-1]
    assert answer.uncertain and not answer.refused and answer.note == CAUTION_TEXT
    assert items[0] == AnswerNote(CAUTION_TEXT)
    assert "".join(items[1:-1]) == answer.text


def test_a_typing_error_is_searched_as_the_documents_word_and_what_was_searched_is_shown(engine):
    answer = engine.ask("Hoeveel kikers telden de vrijwilligrs in 2023?")
    assert answer.rewritten == "Hoeveel kikkers telden de vrijwilligers in 2023?"
    assert not answer.refused and "310" in answer.text.split("[")[0]
    assert "spelling" in answer.timings_ms


def test_a_rewritten_follow_up_is_shown(engine):
    history = [{"role": "user", "content": "Hoeveel vijvers telde het stadspark in 2021?"}]
    question = "En in 2023?"
    answer = engine.ask(question, history=history)
    assert answer.rewritten and answer.rewritten != question and "vijvers" in answer.rewritten
    items = list(engine.stream(question, history=history))
    assert items[0] == RewrittenQuestion(answer.rewritten)
    assert items[-1].rewritten == answer.rewritten
    assert engine.ask("Hoeveel vijvers telde het stadspark in 2021?").rewritten is None


def test_langchain_retriever_returns_documents_with_sources(engine):
    docs = BronwijzerRetriever(engine=engine, k=3).invoke("onderhoud van de vijvers")
    assert len(docs) == 3
    assert {"document", "title", "score", "rank"} <= set(docs[0].metadata)
    assert docs[0].metadata["document"] in DOCS


def test_cli_ask_json(engine_home, models_dir):
    env = os.environ | {"BRONWIJZER_HOME": str(engine_home), "BRONWIJZER_MODEL_CACHE": str(models_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "ask", "--json", "Wat kost het schoonmaken van een vijver?"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["refused"] is False and data["mode"] == "extractive"
    assert "€ 2.500" in data["answer"]
    assert data["citations"][0]["marker"] == 1
    assert {"document", "title", "section", "page", "text", "score"} <= set(data["citations"][0])


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("HOE GROOT IS DE VIJVER VAN HET STADSPARK?", "Hoe groot is de vijver van het stadspark?"),
        ("‘HOEVEEL KIKKERS ZIJN ER IN 2021?’", "‘Hoeveel kikkers zijn er in 2021?’"),
        ("WAT IS KVB?", "WAT IS KVB?"),  # too short to tell from an acronym
        ("Hoeveel kikkers telt het KVB-PARK?", "Hoeveel kikkers telt het KVB-PARK?"),
    ],
)
def test_only_a_question_wholly_in_capitals_is_put_in_sentence_case(typed, read):
    assert unshouted(typed) == read


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("Hoeveel kikkers telt de vijver? Antwoord in het Engels.", "Hoeveel kikkers telt de vijver?"),
        ("Hoeveel kikkers telt de vijver?! Graag kort. Bedankt!", "Hoeveel kikkers telt de vijver?"),
        ("Hoeveel kikkers telt de vijver 🐸🤔", "Hoeveel kikkers telt de vijver"),
        ("Hoeveel kikkers telt de vijver? https://vijvers.example/kikkers?jaar=2021", "Hoeveel kikkers telt de vijver?"),
        ("Hoeveel kikkers telt de vijver ???", "Hoeveel kikkers telt de vijver ?"),
        # HTML pasted along: tags, and a script or style element whole; a comparison stays.
        ("<script>alert(1)</script> Hoeveel kikkers telt de vijver?", "Hoeveel kikkers telt de vijver?"),
        ("<p>Hoeveel <b>kikkers</b> telt de vijver?</p>", "Hoeveel kikkers telt de vijver?"),
        ("Telt de vijver < 5 of > 10 kikkers?", "Telt de vijver < 5 of > 10 kikkers?"),
        # What follows the question and says more than how to answer is part of it.
        ("Hoeveel kikkers telt de vijver? Ik bedoel in 2021.", "Hoeveel kikkers telt de vijver? Ik bedoel in 2021."),
        ("Hoeveel  kikkers telt de vijver?", "Hoeveel  kikkers telt de vijver?"),
        ("🐸", "🐸"),
        # Large numbers as the documents write them; years, codes and decimals as typed.
        ("Telde het park 12000 kikkers of 250000?", "Telde het park 12.000 kikkers of 250.000?"),
        ("Telde vijver v1200 in 2021 of 1999 3,1415 kikkers?", "Telde vijver v1200 in 2021 of 1999 3,1415 kikkers?"),
    ],
)
def test_links_emoji_and_instructions_after_the_question_are_not_searched(typed, searched):
    assert searchable(typed) == searched


def test_an_instruction_after_the_question_neither_refuses_nor_changes_the_answer(engine):
    plain = engine.ask("Hoeveel vijvers telde het stadspark in 2021?")
    told = engine.ask("Hoeveel vijvers telde het stadspark in 2021? Antwoord in het Engels, graag.")
    assert not told.refused and told.text == plain.text
    assert told.rewritten == "Hoeveel vijvers telde het stadspark in 2021?"


PLAN_WITH_THEMES = """# Het oeverplan

Het oeverplan beschrijft drie thema's voor de oevers van het stadspark.

## Thema riet

Het riet langs de oevers groeit sinds 2019 te hard. De tuinploeg maait het twee keer per jaar.

## Thema kroos

Kroos bedekt in de zomer de helft van de kleine vijver. Een pomp moet het water in beweging houden.

## Thema paden

De paden langs het water zijn in 2022 verbreed, zodat rolstoelen er kunnen passeren.
"""


def _engine_of(tmp_path_factory, models_dir, embedder, name: str, text: str):
    """An engine over one invented document, `name` with `text`, in a home of its own."""
    home = tmp_path_factory.mktemp(f"{name}-home")
    docs = tmp_path_factory.mktemp(f"{name}-docs")
    (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(_env_file=None, home=home, model_cache=models_dir)
    report = Ingestor(settings, build(settings).store, embedder).ingest([docs])
    assert report.failed == 0 and report.indexed == 1
    return build(settings).engine


@pytest.fixture(scope="module")
def plan_engine(tmp_path_factory, models_dir, embedder):
    return _engine_of(tmp_path_factory, models_dir, embedder, "oeverplan.md", PLAN_WITH_THEMES)


def _filler(subject: str) -> str:
    """Text enough to put each numbered part in a passage of its own (the cleaner drops repeated blocks)."""
    return " ".join(
        f"Over {subject} spreekt de tuinploeg in {month} met {who}, en de gemeente zet de afspraken op haar website."
        for month, who in (("maart", "de buurt"), ("april", "de school"), ("mei", "de vissers"), ("juni", "het parkbureau"),
                           ("juli", "de imkers"), ("augustus", "de wijkraad"))
    )
VIJVER_ADVIES = f"""# Het vijveradvies

## Adviezen voor de vijvers

Voor de vijvers van het stadspark zijn vier adviezen te onderscheiden.

1 meer riet langs de oevers

Riet houdt de oevers vast en geeft eenden beschutting. {_filler('het riet')}

2 minder kroos in de zomer

Kroos groeit hard in warm water met veel mest. {_filler('het kroos')}

3 een pomp voor de kleine vijver

Stromend water houdt het kroos tegen. {_filler('de pomp')}

4 brede paden

Rolstoelen moeten langs het water kunnen. {_filler('de paden')}

## Adviezen voor de paden

Voor de paden zijn twee adviezen te onderscheiden. De paden moeten breder en de bankjes moeten vaker geverfd worden.
"""


@pytest.fixture(scope="module")
def advice_engine(tmp_path_factory, models_dir, embedder):
    return _engine_of(tmp_path_factory, models_dir, embedder, "vijveradvies.md", VIJVER_ADVIES)


def test_parts_a_sentence_announces_and_numbered_titles_give_are_listed(advice_engine):
    question = "Welke adviezen zijn er voor de vijvers?"
    answer = advice_engine.ask(question)
    assert not answer.refused
    lines = answer.text.split("\n")
    assert lines[0].startswith("Voor de vijvers van het stadspark zijn vier adviezen te onderscheiden. [")
    assert [line.rsplit(" [", 1)[0] for line in lines[1:]] == [
        "1. meer riet langs de oevers", "2. minder kroos in de zomer", "3. een pomp voor de kleine vijver", "4. brede paden",
    ]
    # The titles stand in more than one passage: each line cites the one it stands in, and those come first.
    assert len({c.passage.chunk.id for c in answer.citations}) > 1
    for citation in answer.citations:
        assert all(quoted in citation.passage.text for quoted in citation.sentences)
    assert [p.chunk.id for p in answer.passages[: len(answer.citations)]] == [c.passage.chunk.id for c in answer.citations]
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    streamed = list(advice_engine.stream(question))
    assert streamed[-1].text == answer.text
    # Asked about another part, whose sentence announces no numbered titles: answered from the sentences.
    paths = advice_engine.ask("Welke adviezen zijn er voor de paden?")
    assert "1. meer riet" not in paths.text


def test_a_list_announced_in_another_document_than_the_one_named_is_no_answer(advice_engine):
    from dataclasses import replace

    from rag.text.sources import SourceMention

    question = "Welke adviezen zijn er voor de vijvers?"
    passages, _, timings, _, analysis = advice_engine._retrieve(question, None, None, None)
    own = replace(analysis, mention=SourceMention(documents=("vijveradvies.md",)))
    other = replace(analysis, mention=SourceMention(documents=("kikkerplan.md",)))
    assert advice_engine._announced_list(question, own, passages, timings) is not None
    assert advice_engine._announced_list(question, other, passages, timings) is None


def test_a_list_the_document_gives_only_as_headings_is_answered_with_them(plan_engine):
    answer = plan_engine.ask("Wat zijn de drie thema's?")
    assert not answer.refused
    assert answer.text == "De kopjes van ‘Het oeverplan’ noemen drie thema's: riet [1]; kroos [2]; paden [3]."
    # Each marker cites the passage where its part begins, and those come first.
    assert [c.passage.chunk.section.split(" > ")[-1] for c in answer.citations] == ["Thema riet", "Thema kroos", "Thema paden"]
    assert [p.chunk.id for p in answer.passages[:3]] == [c.passage.chunk.id for c in answer.citations]
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    streamed = list(plan_engine.stream("Wat zijn de drie thema's?"))
    assert streamed[-1].text == answer.text and "".join(s for s in streamed if isinstance(s, str)).strip() == answer.text
    # A question about one of them, or for another count, is answered from the sentences.
    assert not plan_engine.ask("Wat zijn de vier thema's?").text.startswith("De kopjes")
    assert not plan_engine.ask("Welke thema's gaan over water?").text.startswith("De kopjes")
    # The parts of another year than the document's are not its headings.
    assert not plan_engine.ask("Welke thema's had het plan in 2019?").text.startswith("De kopjes")


def test_a_part_named_by_its_place_among_the_headings_is_searched_by_its_title(plan_engine):
    answer = plan_engine.ask("Wat staat er in het tweede thema?")
    assert answer.rewritten == "Wat staat er in het thema ‘kroos’?"
    assert answer.text.startswith("Kroos bedekt in de zomer de helft van de kleine vijver.")
    # A place the headings do not have, or a noun they do not give, is searched as asked.
    assert plan_engine.ask("Wat staat er in het vijfde thema?").rewritten is None
    assert plan_engine.ask("Wat gebeurt er in de eerste zomer?").rewritten is None
