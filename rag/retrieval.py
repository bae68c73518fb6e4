"""Retrieval: a question -> ranked Passages.

`HybridRetriever` fuses dense search (e5 vectors in Chroma) and keyword search (BM25 over
Dutch stems) with weighted reciprocal rank fusion, drops near-duplicate passages and keeps
room for a second document, so that questions spanning two documents get passages of both.
Every returned Passage carries both raw signals (`dense_score`, `keyword_score`), which the
refusal decision uses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from rag.analysis import content_stems
from rag.embeddings import Embedder
from rag.errors import NothingIndexedError
from rag.keyword import SyncedKeywordIndex
from rag.store import ChromaStore, SearchFilters
from rag.types import Chunk, Passage


class Retriever(Protocol):
    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]: ...


def _require_query(query: str) -> None:
    if not query.strip():
        raise ValueError("query must not be empty")


class DenseRetriever:
    """Nearest chunks by embedding (cosine similarity) in the store."""

    def __init__(self, store: ChromaStore, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder
        self._model_checked = False

    def check_model(self) -> None:
        if not self._model_checked:
            # Vectors of two models are not comparable: refuse before embedding the query.
            self._store.ensure_model(self._embedder.model_name)
            self._model_checked = True

    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]:
        _require_query(query)
        self.check_model()
        return self._store.query(self._embedder.embed_query(query), k, filters)


@dataclass(frozen=True)
class FusionSettings:
    """Knobs of the fusion, chosen on both eval sets (benchmarks/retrieval_quality.py).

    Measured (recall@5 / MRR, dev | own set): RRF k=60, 40 candidates, cap 4: 0.910/0.851 |
    0.663/0.616; k=20, 80 candidates, cap 3: 0.932/0.860 | 0.685/0.626. Without a cap the
    sets score ~0.015 higher, but two-document questions then get both documents in the top 5
    for 7 of 12 instead of 10 of 12, so the cap stays.
    """

    candidates: int = 80
    rrf_k: int = 20
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    #: At most this many of the top k may come from one document while others are candidates.
    per_document_cap: int = 3
    #: Passages sharing this share of their word shingles with a better one are dropped.
    near_duplicate: float = 0.7


@dataclass
class _Candidate:
    chunk: Chunk
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    keyword_score: float | None = None
    fused: float = 0.0


class HybridRetriever:
    """Dense + BM25, fused; near-duplicates removed; a per-document cap for diversity."""

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        keyword: SyncedKeywordIndex,
        fusion: FusionSettings | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._keyword = keyword
        self._dense = DenseRetriever(store, embedder)
        self.fusion = fusion or FusionSettings()
        self.last_timings: dict[str, float] = {}

    def warm_up(self) -> None:
        """Load the embedding model and the keyword index of the current store."""
        warm = getattr(self._embedder, "warm_up", None)
        if warm:
            warm()
        documents = self._store.documents()
        if documents:
            self._keyword.current(documents)

    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]:
        _require_query(query)
        if k <= 0:
            raise ValueError(f"k must be greater than 0, got {k}")
        self._dense.check_model()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        documents = self._store.documents()
        if not documents:
            raise NothingIndexedError()
        docs = {d.id: d for d in documents}
        admitted = {d.version for d in documents if filters is None or filters.admits(d)}
        if not admitted:
            return []

        t = time.perf_counter()
        vector = self._embedder.embed_query(query)
        timings["embed"] = _ms(t)
        n = max(self.fusion.candidates, k)
        t = time.perf_counter()
        dense = self._store.query(vector, n, filters, documents=documents)
        timings["dense"] = _ms(t)

        t = time.perf_counter()
        index = self._keyword.current(documents)
        scores = index.scores(query)
        position = {c.id: i for i, c in enumerate(index.chunks)}
        allowed = np.array([c.content_hash in admitted for c in index.chunks], dtype=bool)
        masked = np.where(allowed, scores, 0.0) if len(scores) else scores
        top = [i for i in np.argsort(-masked, kind="stable")[:n] if masked[i] > 0]
        timings["keyword"] = _ms(t)

        candidates: dict[str, _Candidate] = {}
        for p in dense:
            candidates[p.chunk.id] = _Candidate(p.chunk, dense_rank=p.rank, dense_score=p.dense_score)
        for rank, i in enumerate(top, start=1):
            chunk = index.chunks[i]
            cand = candidates.setdefault(chunk.id, _Candidate(chunk))
            cand.keyword_rank = rank
        for cid, cand in candidates.items():
            if cid in position:
                cand.keyword_score = float(scores[position[cid]])
        missing = [cid for cid, c in candidates.items() if c.dense_score is None]
        if missing:
            query_vec = np.asarray(vector, dtype=np.float32)
            for cid, vec in self._store.vectors(missing).items():
                candidates[cid].dense_score = float(np.dot(query_vec, np.asarray(vec, dtype=np.float32)))

        f = self.fusion
        for cand in candidates.values():
            cand.fused = (f.dense_weight / (f.rrf_k + cand.dense_rank) if cand.dense_rank else 0.0) + (
                f.keyword_weight / (f.rrf_k + cand.keyword_rank) if cand.keyword_rank else 0.0
            )
        ranked = sorted(candidates.values(), key=lambda c: (-c.fused, c.chunk.document_id, c.chunk.index))
        chosen = _diversify(_drop_near_duplicates(ranked, f.near_duplicate), k, f.per_document_cap)
        timings["retrieve_total"] = _ms(started)
        self.last_timings = timings
        return [
            Passage(
                chunk=replace(c.chunk, title=docs[c.chunk.document_id].title),
                score=c.fused,
                rank=rank,
                publisher=docs[c.chunk.document_id].publisher,
                year=docs[c.chunk.document_id].year,
                dense_score=c.dense_score,
                keyword_score=c.keyword_score,
            )
            for rank, c in enumerate(chosen, start=1)
        ]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    stems = content_stems(text)
    return {tuple(stems[i : i + size]) for i in range(max(len(stems) - size + 1, 1))}


def _drop_near_duplicates(ranked: list[_Candidate], threshold: float) -> list[_Candidate]:
    """Drop a passage when most of its word shingles already appear in a better passage."""
    kept: list[tuple[_Candidate, set]] = []
    for cand in ranked:
        sh = _shingles(cand.chunk.text)
        if any(len(sh & other) / max(min(len(sh), len(other)), 1) >= threshold for _, other in kept):
            continue
        kept.append((cand, sh))
    return [c for c, _ in kept]


def _diversify(ranked: list[_Candidate], k: int, cap: int) -> list[_Candidate]:
    """Top k, with at most `cap` passages of one document while other documents have candidates."""
    chosen: list[_Candidate] = []
    deferred: list[_Candidate] = []
    per_doc: dict[str, int] = {}
    for cand in ranked:
        if len(chosen) == k:
            break
        doc = cand.chunk.document_id
        if per_doc.get(doc, 0) >= cap:
            deferred.append(cand)
            continue
        per_doc[doc] = per_doc.get(doc, 0) + 1
        chosen.append(cand)
    # Only one document had candidates: fill up from it after all.
    chosen.extend(deferred[: k - len(chosen)])
    return chosen


__all__ = ["DenseRetriever", "FusionSettings", "HybridRetriever", "Retriever"]
