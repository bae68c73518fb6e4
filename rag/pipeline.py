"""The one place that decides which implementations Bronwijzer uses."""

from __future__ import annotations

from dataclasses import dataclass

from rag.embeddings import SentenceTransformerEmbedder
from rag.keyword import SyncedKeywordIndex
from rag.retrieval import HybridRetriever
from rag.settings import Settings, get_settings
from rag.store import ChromaStore


@dataclass(frozen=True)
class Components:
    settings: Settings
    store: ChromaStore
    embedder: SentenceTransformerEmbedder
    retriever: HybridRetriever


def build(settings: Settings | None = None) -> Components:
    """Wire the store, the embedding model and the retriever from the settings (cheap: nothing loads yet)."""
    settings = settings or get_settings()
    store = ChromaStore(settings)
    embedder = SentenceTransformerEmbedder(settings)
    keyword = SyncedKeywordIndex(store, settings.home / "keyword")
    return Components(settings, store, embedder, HybridRetriever(store, embedder, keyword))
