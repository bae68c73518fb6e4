"""Retrieval: a question -> ranked Passages."""

from __future__ import annotations

from typing import Protocol

from rag.embeddings import Embedder
from rag.store import ChromaStore, SearchFilters
from rag.types import Passage


class Retriever(Protocol):
    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]: ...


class DenseRetriever:
    """Nearest chunks by embedding (cosine similarity) in the store."""

    def __init__(self, store: ChromaStore, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder
        self._model_checked = False

    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]:
        if not query.strip():
            raise ValueError("query must not be empty")
        if not self._model_checked:
            # Vectors of two models are not comparable: refuse before embedding the query.
            self._store.ensure_model(self._embedder.model_name)
            self._model_checked = True
        return self._store.query(self._embedder.embed_query(query), k, filters)
