"""Extractive answers from hand-made passages of real corpus text, and once over a real index."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from rag.analysis import numbers
from rag.engine import REFUSAL_TEXT
from rag.extractive import ExtractiveComposer, counted_noun, question_intent
from rag.types import Chunk, Passage, Turn

TOEZICHT = (
    "Ongeveer 1% van de besturen onder aangepast financieel toezicht\n\n"
    "Als de inspectie zorgen heeft over de financiële continuïteit van besturen kan het deze onder aangepast "
    "financieel toezicht plaatsen. Dit betekent dat we bij deze besturen nauwlettend volgen hoe de financiële positie "
    "zich ontwikkelt. Op 1 augustus 2023 stonden 8 besturen onder aangepast financieel toezicht (Inspectie van het "
    "Onderwijs, 2024k). Het ging om 3 besturen in het po, 2 in het (v)so, 2 in het vo en 1 in het hbo. De aantallen "
    "daalden ten opzichte van 1 augustus 2022. Toen stonden 17 besturen onder aangepast financieel toezicht."
)
RIJKSBIJDRAGE = (
    "In 2022 is € 3,9 miljard meer uitbetaald aan rijksbijdragen dan was begroot door de schoolbesturen "
    "(Inspectie van het Onderwijs, 2024k). Veel besturen hielden daardoor geld over."
)
DEIS = (
    "Over de grens: het Ierse DEIS-programma\n\n"
    "Het Ierse DEIS-programma bestaat al ruim 15 jaar. Het programma wordt uitgebreid. Ongeveer 1.200 scholen "
    "(30% van alle scholen) zijn in het programma opgenomen. Ierse DEIS-scholen worden geïdentificeerd door middel "
    "van een sociaaleconomische wegingsformule. Het programma geeft recht op extra voorzieningen en bekostiging."
)
GESPREKKEN = (
    "De gesprekken met schooldirecteuren hebben in verschillende vormen plaatsgevonden. Alle gesprekken zijn gevoerd "
    "aan de hand van een vooraf opgestelde gespreksleidraad. De volgende gesprekken hebben plaatsgevonden:\n\n"
    "• 2 groepsgesprekken met 5 schooldirecteuren van verschillende stichtingen.\n"
    "• 5 groepsgesprekken met 2 of 3 schooldirecteuren van eenzelfde stichting.\n"
    "• 6 individuele gesprekken."
)
BEROEPSSTANDAARD = (
    "Sinds 2002 beschikken schooldirecteuren over een beroepsstandaard. De huidige beroepsstandaard dateert uit 2020. "
    "Deze beroepsstandaard vormt samen met de kennisbasis het fundament voor de herregistratie."
)
LEESMOTIVATIE = (
    "Nederlandse leerlingen lezen steeds minder graag. Uit internationaal onderzoek blijkt dat de leesmotivatie van "
    "vijftienjarigen in Nederland tot de laagste van alle deelnemende landen behoort."
)


def make_passages(*texts: str, dense: float = 0.9) -> list[Passage]:
    return [
        Passage(
            Chunk(f"doc{i}.txt", i, text, 0, len(text), content_hash="h", title=f"Document {i}"),
            score=0.9 - i / 100,
            rank=i + 1,
            dense_score=dense - i / 100,
            keyword_score=8.0 - i,
        )
        for i, text in enumerate(texts)
    ]


def sentences_of(answer_text: str) -> list[tuple[str, int]]:
    """(sentence, marker) pairs of an answer text."""
    return [(s.strip(), int(n)) for s, n in re.findall(r"(.+?) \[(\d+)\]", answer_text, flags=re.DOTALL)]


@pytest.fixture(scope="module")
def composer() -> ExtractiveComposer:
    return ExtractiveComposer()


def test_leads_with_the_sentence_holding_the_asked_number(composer):
    answer = composer.compose("Hoeveel schoolbesturen staan onder aangepast financieel toezicht?", make_passages(LEESMOTIVATIE, TOEZICHT))
    first, marker = sentences_of(answer.text)[0]
    assert first == "Op 1 augustus 2023 stonden 8 besturen onder aangepast financieel toezicht (Inspectie van het Onderwijs, 2024k)."
    assert marker == 1 and answer.citations[0].passage.chunk.document_id == "doc1.txt"
    assert not answer.refused and answer.mode == "extractive"


def test_numbers_and_amounts_are_copied_verbatim(composer):
    answer = composer.compose("Hoeveel meer rijksbijdrage kregen schoolbesturen in 2022 dan ze zelf hadden begroot?", make_passages(RIJKSBIJDRAGE, TOEZICHT))
    assert "€ 3,9 miljard" in answer.text
    cited = " ".join(p.text for p in answer.passages)
    for sentence, _ in sentences_of(answer.text):
        assert sentence in cited  # copied, never rewritten
    assert numbers(re.sub(r"\[\d+\]", "", answer.text)) <= numbers(cited)


def test_a_sentence_continuing_its_topic_sentence_is_found(composer):
    answer = composer.compose("Hoe groot is het Ierse DEIS-programma voor scholen in achterstandssituaties?", make_passages(DEIS, LEESMOTIVATIE))
    assert "Ongeveer 1.200 scholen (30% van alle scholen) zijn in het programma opgenomen." in answer.text
    assert "leesmotivatie" not in answer.text  # off the question: dropped


def test_markers_are_numbered_in_order_of_first_use(composer):
    passages = make_passages(LEESMOTIVATIE, BEROEPSSTANDAARD, TOEZICHT)
    answer = composer.compose("Sinds wanneer is er een beroepsstandaard voor schooldirecteuren, en hoe oud is de huidige versie?", passages)
    markers = [m for _, m in sentences_of(answer.text)]
    assert markers and markers[0] == 1
    assert [c.marker for c in answer.citations] == sorted(set(markers)) == list(range(1, len(answer.citations) + 1))
    assert "Sinds 2002 beschikken schooldirecteuren over een beroepsstandaard." in answer.text
    assert "De huidige beroepsstandaard dateert uit 2020." in answer.text
    for citation in answer.citations:
        assert citation.sentences and all(s in citation.passage.text for s in citation.sentences)
    assert answer.passages == tuple(passages)


def test_near_identical_sentences_from_overlapping_chunks_appear_once(composer):
    overlap = "Toen stonden 17 besturen onder aangepast financieel toezicht. Over meerdere jaren bekeken staat ongeveer 1% van de besturen onder aangepast financieel toezicht."
    answer = composer.compose("Hoeveel schoolbesturen staan onder aangepast financieel toezicht?", make_passages(TOEZICHT, overlap))
    assert answer.text.count("Toen stonden 17 besturen") <= 1
    texts = [s for s, _ in sentences_of(answer.text)]
    assert len(texts) == len(set(texts))


def test_list_question_gets_the_enumeration_with_its_lead_in(composer):
    answer = composer.compose("Welke gesprekken met schooldirecteuren hebben plaatsgevonden?", make_passages(GESPREKKEN))
    assert "De volgende gesprekken hebben plaatsgevonden:\n• 2 groepsgesprekken" in answer.text
    assert "• 6 individuele gesprekken. [1]" in answer.text
    assert len(answer.citations[0].sentences) >= 4


def test_answer_stays_short(composer):
    long_passages = make_passages(TOEZICHT, RIJKSBIJDRAGE, DEIS, BEROEPSSTANDAARD, GESPREKKEN)
    answer = composer.compose("Wat weet de inspectie over de financiën van schoolbesturen?", long_passages)
    assert 1 <= len(sentences_of(answer.text)) <= 4
    assert len(re.sub(r" \[\d+\]", "", answer.text)) <= 550
    assert answer.timings_ms["compose"] > 0


def test_follow_up_uses_the_previous_question(composer):
    history = [Turn("user", "Hoeveel schoolbesturen staan onder aangepast financieel toezicht?")]
    answer = composer.compose("En hoeveel waren dat er een jaar eerder?", make_passages(TOEZICHT, LEESMOTIVATIE), history)
    assert "Toen stonden 17 besturen onder aangepast financieel toezicht." in answer.text


def test_refuses_when_a_rare_key_term_is_in_no_passage(composer):
    passages = make_passages(TOEZICHT, LEESMOTIVATIE)
    answer = composer.compose("Wat was het gemiddelde ziekteverzuimpercentage van leraren in het primair onderwijs in 2023?", passages)
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT)
    assert answer.citations == () and answer.passages == tuple(passages)
    assert "ziekteverzuimpercentage" in answer.note


def test_refuses_without_passages(composer):
    answer = composer.compose("Wat is passend onderwijs?", [])
    assert answer.refused and answer.text == REFUSAL_TEXT and answer.passages == ()


@pytest.mark.parametrize(
    "question, intent",
    [
        ("Hoeveel voorscholen heeft de inspectie in 2022 bezocht?", "number"),
        ("Hoe groot is het Ierse DEIS-programma?", "number"),
        ("Sinds wanneer is er een beroepsstandaard?", "date"),
        ("Welke acties stelt het actieplan voor?", "list"),
        ("Waarom pleiten de opstellers voor een campagne?", "explain"),
        ("Wat is een lerende organisatie?", "define"),
    ],
)
def test_question_intent(question, intent):
    assert question_intent(question) == intent


def test_counted_noun():
    assert counted_noun("Hoeveel vo-leerlingen missen de basiskennis?") == "leerlingen"
    assert counted_noun("Hoeveel procent van de leraren is onbevoegd?") == "%"
    assert counted_noun("Hoeveel is er uitgegeven?") is None


# -- over a real index ----------------------------------------------------------------

CORPUS_FILES = ("actieplan-schooldirecteur-topprioriteit-2020.txt",)  # the smallest: ~50 chunks


@pytest.fixture(scope="module")
def real_retriever(tmp_path_factory, models_dir):
    from ingest.pipeline import Ingestor  # the write path, only to build the test index
    from rag.embeddings import SentenceTransformerEmbedder
    from rag.keyword import SyncedKeywordIndex
    from rag.retrieval import HybridRetriever
    from rag.settings import REPO_ROOT, Settings
    from rag.store import ChromaStore

    root = tmp_path_factory.mktemp("extractive")
    docs = root / "docs"
    docs.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(REPO_ROOT / "corpus" / name, docs / name)
    shutil.copy(REPO_ROOT / "corpus" / "manifest.toml", docs / "manifest.toml")
    settings = Settings(_env_file=None, home=root / "home", model_cache=Path(models_dir))
    store = ChromaStore(settings)
    embedder = SentenceTransformerEmbedder(settings)
    report = Ingestor(settings, store, embedder).ingest([docs])
    assert report.indexed == len(CORPUS_FILES)
    return HybridRetriever(store, embedder, SyncedKeywordIndex(store, settings.home / "keyword"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "question, expected",
    [
        ("Hoe vaak wordt een schooldirecteur binnengehaald via een kweekvijvertraject?", "20"),
        ("Hoeveel van hun tijd zijn Nederlandse schooldirecteuren kwijt aan administratie en management?", "54"),
        ("Hoeveel koppels schooldirecteur-bedrijfsleider willen de opstellers van het actieplan uiteindelijk?", "1000"),
    ],
)
def test_real_questions_get_the_right_number_with_a_marker(real_retriever, question, expected):
    answer = ExtractiveComposer().compose(question, real_retriever.retrieve(question, 5))
    assert not answer.refused, answer.note
    marked = [(s, m) for s, m in sentences_of(answer.text) if expected in numbers(s)]
    assert marked, answer.text
    sentence, marker = marked[0]
    assert sentence.split("\n")[-1] in answer.citations[marker - 1].passage.text


@pytest.mark.slow
def test_real_unanswerable_question_is_refused(real_retriever):
    question = "Hoe worden schoolleiders in Japan opgeleid en geselecteerd?"
    answer = ExtractiveComposer().compose(question, real_retriever.retrieve(question, 5))
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT) and answer.passages
