"""The one place that decides which implementations Bronwijzer uses."""

from __future__ import annotations

from dataclasses import dataclass

from rag.embeddings import Embedder, make_embedder
from rag.engine import Composer, Engine
from rag.extractive import ExtractiveComposer
from rag.followup import Condenser, FallbackCondenser, HeuristicCondenser
from rag.keyword import SyncedKeywordIndex
from rag.live_index import LiveIndex
from rag.retrieval import HybridRetriever
from rag.settings import Settings, get_settings
from rag.store import ChromaStore


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
    live = LiveIndex(store, SyncedKeywordIndex(store, settings.home / "keyword"), settings.index_sync_seconds)
    retriever = HybridRetriever(store, embedder, live)
    composer: Composer = ExtractiveComposer(settings)
    condenser: Condenser = HeuristicCondenser()
    if settings.llm_base_url:
        from rag.llm import LLMComposer, LLMCondenser

        composer = LLMComposer(settings, fallback=composer)
        condenser = FallbackCondenser(LLMCondenser(settings), condenser)
    engine = Engine(settings, retriever, composer, condenser)
    return Components(settings, store, embedder, retriever, live, engine)
