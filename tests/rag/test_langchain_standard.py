"""LangChain's standard test suites (package `langchain-tests`) over Bronwijzer's LangChain parts.

`BronwijzerRetriever` runs over a real engine (embedded Chroma, keyword index, hybrid
retrieval) with `rag.testing.HashingEmbedder` in place of the e5 model, over the invented
documents of `rag.testing`; the embeddings suites run over `HashingEmbedder` itself, which is
a LangChain `Embeddings` like the product's e5 embedders (`rag.retrieval.embeddings`), so no adapter is
needed. No model is loaded: the whole file takes about a second.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from ingest.pipeline import Ingestor
from rag.errors import InvalidQuestionError
from rag.langchain import BronwijzerRetriever
from rag.pipeline import build
from rag.settings import Settings
from rag.testing import HashingEmbedder, invented_corpus

_built: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def invented_engine(tmp_path_factory: pytest.TempPathFactory):
    """A real engine over the invented documents (the suites' constructors take it from `_built`)."""
    root = tmp_path_factory.mktemp("langchain-standard")
    settings = Settings(_env_file=None, home=root / "home", model_cache=root / "models")
    embedder = HashingEmbedder()
    parts = build(settings, embedder=embedder)
    report = Ingestor(settings, parts.store, embedder).ingest([invented_corpus(root / "docs")])
    assert report.indexed == 3
    parts.live.refresh()
    _built["engine"] = parts.engine
    yield parts.engine
    _built.clear()


class TestBronwijzerRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[BronwijzerRetriever]:
        return BronwijzerRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"engine": _built["engine"]}

    @property
    def retriever_query_example(self) -> str:
        return "Wat doet de gemeente voor de vijvers, de kikkers en de bijen?"


class HashingEmbedderParams:
    """What both embeddings suites construct: the hashing embedder, small."""

    @property
    def embeddings_class(self) -> type[HashingEmbedder]:
        return HashingEmbedder

    @property
    def embedding_model_params(self) -> dict:
        return {"dimension": 64}


class TestHashingEmbedderUnit(HashingEmbedderParams, EmbeddingsUnitTests):
    pass


class TestHashingEmbedderIntegration(HashingEmbedderParams, EmbeddingsIntegrationTests):
    pass


# -- beyond the standard suites: k and filters per call, with concrete documents ------------------


def test_k_and_filters_given_per_call_win_over_the_constructor(invented_engine):
    retriever = BronwijzerRetriever(engine=invented_engine, k=5, filters={"publishers": ["Gemeente Vlinderstad"]})
    query = "Wat doet de gemeente voor de vijvers, de kikkers en de bijen?"
    found = retriever.invoke(query)
    assert {d.metadata["document"] for d in found} == {"vijvers.md", "bijen.txt"}
    assert all(isinstance(d, Document) and d.id for d in found)
    assert len(retriever.invoke(query, k=1)) == 1
    only_frogs = retriever.invoke(query, k=2, filters={"documents": ["kikkers.md"]})
    assert [d.metadata["document"] for d in only_frogs] == ["kikkers.md", "kikkers.md"]
    assert only_frogs[0].metadata["publisher"] == "Stichting Groene Oevers" and only_frogs[0].metadata["year"] == 2022


def test_k_zero_per_call_is_refused_not_replaced_by_the_default(invented_engine):
    retriever = BronwijzerRetriever(engine=invented_engine, k=3)
    with pytest.raises(InvalidQuestionError, match="top_k"):
        retriever.invoke("Hoeveel kikkers telden de vrijwilligers?", k=0)
