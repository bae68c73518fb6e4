"""The one place that decides which implementations Bronwijzer uses."""

from __future__ import annotations

from dataclasses import dataclass

from rag.embeddings import SentenceTransformerEmbedder
from rag.retrieval import DenseRetriever, Retriever
from rag.settings import Settings, get_settings
from rag.store import ChromaStore


@dataclass(frozen=True)
class Components:
    settings: Settings
    store: ChromaStore
    embedder: SentenceTransformerEmbedder
    retriever: Retriever


def build(settings: Settings | None = None) -> Components:
    """Wire the store, the embedding model and the retriever from the settings (cheap: nothing loads yet)."""
    settings = settings or get_settings()
    store = ChromaStore(settings)
    embedder = SentenceTransformerEmbedder(settings)
    return Components(settings, store, embedder, DenseRetriever(store, embedder))
