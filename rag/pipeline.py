"""The one place that decides which implementations Bronwijzer uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.protocols import Embedder
from rag.retrieval.embedders import make_embedder, sentence_vectors
from rag.engine import Engine
from rag.protocols import Composer, Condenser
from rag.answer.extractive import ExtractiveComposer
from rag.answer.followup import FallbackCondenser, HeuristicCondenser
from rag.retrieval.keyword import SyncedKeywordIndex
from rag.retrieval.live_index import LiveIndex
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import Settings, get_settings
from rag.retrieval.store import ChromaStore
from rag.types import Answer, Passage, SearchFilters, Turn


@dataclass(frozen=True)
class Components:
    settings: Settings
    store: ChromaStore
    embedder: Embedder
    retriever: HybridRetriever
    live: LiveIndex
    engine: Engine


def build(settings: Settings | None = None, *, embedder: Embedder | None = None) -> Components:
    """Wire everything from the settings (cheap: nothing loads until first use or `warm_up`).

    Without `llm_base_url` answers are extractive and follow-ups are completed from the
    previous question; with it, an LLM writes the answer (checked against its citations,
    extractive fallback) and condenses follow-ups. `embedder` replaces the configured model
    (tests use `rag.testing.HashingEmbedder`).
    """
    settings = settings or get_settings()
    store = ChromaStore(settings)
    embedder = embedder if embedder is not None else make_embedder(settings)
    sentences = sentence_vectors(settings, store, embedder)
    live = LiveIndex(store, SyncedKeywordIndex(store, settings.home / "keyword", sentences), settings.index_sync_seconds)
    retriever = HybridRetriever(store, embedder, live)
    composer: Composer = ExtractiveComposer(settings)
    condenser: Condenser = HeuristicCondenser(lambda: live.current().matcher)
    if settings.llm_base_url:
        from rag.answer.llm import LLMComposer, LLMCondenser

        composer = LLMComposer(settings, fallback=composer)
        condenser = FallbackCondenser(LLMCondenser(settings), condenser)
    engine = Engine(settings, retriever, composer, condenser, documents=live.documents)
    return Components(settings, store, embedder, retriever, live, engine)


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine of the settings in the environment, built once per process."""
    return build().engine


def ask(question: str, history: Sequence[Turn] | None = None, filters: SearchFilters | None = None) -> Answer:
    """Answer a Dutch question from the indexed documents (settings from the environment)."""
    return default_engine().ask(question, history=history, filters=filters)


def search(query: str, k: int | None = None, filters: SearchFilters | None = None, history: Sequence[Turn] | None = None) -> list[Passage]:
    """Ranked passages for a question (settings from the environment)."""
    return default_engine().search(query, k=k, filters=filters, history=history)
