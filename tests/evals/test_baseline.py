"""The LangChain tutorial pipeline of benchmarks/baseline_rag.py, over two invented texts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from evals.clients import EvalPassage
from rag.settings import REPO_ROOT

pytestmark = pytest.mark.slow


def _load_script():
    # By path: pysbd installs a top-level package named `benchmarks` that shadows ours.
    spec = importlib.util.spec_from_file_location("baseline_rag", REPO_ROOT / "benchmarks" / "baseline_rag.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


baseline_rag = _load_script()
BaselineClient, SplitterSettings, build_tutorial_index = (
    baseline_rag.BaselineClient, baseline_rag.SplitterSettings, baseline_rag.build_tutorial_index)

# Invented: no such school, municipality or project exists in the corpus or the question sets.
MOESTUIN = """Het moestuinproject van basisschool De Kiekendief

In het schooljaar 2031-2032 legde basisschool De Kiekendief in Ommerwolde een moestuin aan van 340 vierkante meter achter het gymlokaal. Elke klas kreeg een eigen bed.

De leerlingen van groep 6 zaaiden bonen, pompoenen en radijs. De oogst werd in de schoolkantine verwerkt tot soep die op vrijdag werd geserveerd.

Een gepensioneerde hovenier, meneer Brakel, kwam twee ochtenden per week helpen. Hij leerde de kinderen composteren en water opvangen in regentonnen.
"""

ZWEMBAD = """Vervoer naar het schoolzwemmen in Lindehoek

Sinds 2029 betaalt de gemeente Lindehoek een elektrisch busje dat de leerlingen van groep 4 elke dinsdag naar zwembad De Waterlelie brengt.

De rit duurt twaalf minuten. Twee ouders rijden beurtelings mee als begeleider; zij krijgen daarvoor een vrijwilligersvergoeding.

In de winter van 2030 viel het busje drie weken uit door een kapotte accu. De lessen gingen toen door met een taxi die de school zelf huurde.
"""

SMALL = SplitterSettings(chunk_size=200, chunk_overlap=40)


class CountingEmbeddings(Embeddings):
    """The real embedder, counting the passages it embeds."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.query_prefix = inner.query_prefix
        self.passage_prefix = inner.passage_prefix
        self.documents_embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents_embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "moestuin-kiekendief.txt").write_text(MOESTUIN, encoding="utf-8")
    (corpus / "zwembadvervoer-lindehoek.txt").write_text(ZWEMBAD, encoding="utf-8")
    (corpus / "manifest.toml").write_text("# geen tekst: wordt niet geladen\n", encoding="utf-8")
    return corpus


def test_client_returns_k_passages_in_rank_order_with_the_right_one_first(corpus_dir, tmp_path, embedder):
    index = build_tutorial_index(corpus_dir, tmp_path / "baseline", embedder, embedder.model_name, splitter=SMALL)
    assert index.built and index.chunks >= 6
    answer = BaselineClient(index.store).ask("Hoe groot is de moestuin van De Kiekendief?", [], 4)

    assert len(answer.passages) == 4
    assert all(isinstance(p, EvalPassage) for p in answer.passages)
    assert [p.score for p in answer.passages] == sorted((p.score for p in answer.passages), reverse=True)
    first = answer.passages[0]
    assert first.document == first.title == "moestuin-kiekendief.txt"
    assert "340 vierkante meter" in first.text
    assert {p.document for p in answer.passages} <= {"moestuin-kiekendief.txt", "zwembadvervoer-lindehoek.txt"}
    assert (answer.text, answer.refused, answer.mode, answer.citations) == ("", False, "baseline", ())
    assert answer.latency_ms > 0

    other = BaselineClient(index.store).ask("Wat gebeurde er toen het busje naar het zwembad kapot was?", [], 2)
    assert other.passages[0].document == "zwembadvervoer-lindehoek.txt"


def test_second_build_reuses_the_persisted_store_without_embedding(corpus_dir, tmp_path, embedder):
    root = tmp_path / "baseline"
    first_embedder = CountingEmbeddings(embedder)
    first = build_tutorial_index(corpus_dir, root, first_embedder, embedder.model_name, splitter=SMALL)
    assert first.built and first_embedder.documents_embedded == first.chunks

    again_embedder = CountingEmbeddings(embedder)
    again = build_tutorial_index(corpus_dir, root, again_embedder, embedder.model_name, splitter=SMALL)
    assert not again.built and again_embedder.documents_embedded == 0
    assert (again.directory, again.chunks) == (first.directory, first.chunks)
    answer = BaselineClient(again.store).ask("Hoe groot is de moestuin van De Kiekendief?", [], 3)
    assert len(answer.passages) == 3 and "340 vierkante meter" in answer.passages[0].text

    # A changed text is another corpus: a new store, embedded from scratch.
    (corpus_dir / "zwembadvervoer-lindehoek.txt").write_text(ZWEMBAD + "\nHet busje is groen.\n", encoding="utf-8")
    changed_embedder = CountingEmbeddings(embedder)
    changed = build_tutorial_index(corpus_dir, root, changed_embedder, embedder.model_name, splitter=SMALL)
    assert changed.built and changed.directory != first.directory
    assert changed_embedder.documents_embedded == changed.chunks


def test_the_table_gives_the_difference_with_its_paired_interval(small_set, tmp_path):
    from evals.clients import EngineClient
    from evals.runner import run_eval
    from tests.evals.conftest import ScriptedEngine, good_script
    from tests.evals.test_report import worse_script

    tutorial = run_eval(small_set, EngineClient(ScriptedEngine(worse_script())), progress=False)
    ours = run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=False)
    rows = baseline_rag.compare({"klein": {baseline_rag.TUTORIAL_NAME: tutorial, baseline_rag.BRONWIJZER_NAME: ours}}, k=5)
    row = next(r for r in rows if r["system"] == baseline_rag.BRONWIJZER_NAME and r["split"] == baseline_rag.ALL)
    low, high = row["interval_recall@5"]
    # One question found only by each system: no difference, and an interval that says it may be chance.
    assert row["diff_recall@5"] == 0.0 and low < 0 < high
    assert "95%" in baseline_rag.format_table(rows, k=5).splitlines()[0]
