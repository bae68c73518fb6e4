"""Retrieval: a question -> ranked Passages.

`HybridRetriever` gathers candidates from dense search (e5 vectors in Chroma) and keyword
search (BM25 over Dutch stems; a term also by the abbreviation the documents introduce for
it, `rag.text.abbreviations`, and back), ranks them with the fitted model of `rag.retrieval.ranking` (signals
such as both scores, key-term coverage and whether the question names the document), drops
near-duplicate passages and keeps room for a second document, so that questions spanning two
documents get passages of both. Every returned Passage carries its probability as `score`
and both raw signals (`dense_score`, `keyword_score`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from rag.protocols import Embedder
from rag.errors import NothingIndexedError
from rag.retrieval.keyword import respelled, written_as_compounds
from rag.retrieval.live_index import LiveIndex, LiveSnapshot
from rag.linear import LinearModel, bundled
from rag.text.definitions import defines_in
from rag.text.question import QuestionInfo, analyse_question
from rag.retrieval.ranking import Candidate, Diversity, diversify, distinct, features
from rag.retrieval.store import ChromaStore
from rag.types import IndexedDocument, SearchFilters
from rag.types import Chunk, Passage


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
class Gathered:
    """Everything retrieval knows about a question before choosing: the analysed question,
    the candidates with their signals (`rag.retrieval.ranking.features`, same order) and the registry."""

    question: QuestionInfo
    candidates: list[Candidate]
    rows: list[dict[str, float]]
    documents: dict[str, IndexedDocument]
    timings: dict[str, float]


@dataclass(frozen=True)
class Retrieved:
    """The passages of one search, the question as analysed, and where the time went."""

    passages: list[Passage]
    question: QuestionInfo
    timings: dict[str, float]


class HybridRetriever:
    """Dense + BM25 candidates, ranked by the fitted model; near-duplicates removed; diverse.

    Per question: one query embedding, an exact nearest-neighbour search over the snapshot's
    vectors and BM25 over its keyword index; documents, chunk texts and vectors come from the
    `LiveIndex` snapshot, never from the store (asked only by a keyword search that holds no
    vectors).
    """

    #: Candidates from each search: the nearest chunks and the best BM25 chunks.
    CANDIDATES = 80

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        live: LiveIndex,
        ranker: LinearModel | None = None,
        diversity: Diversity | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self.live = live
        self._dense = DenseRetriever(store, embedder)
        self.ranker = ranker if ranker is not None else bundled("ranker")
        self.diversity = diversity or Diversity()

    def warm_up(self) -> None:
        """Load the embedding model and the in-memory index of the current store."""
        warm = getattr(self._embedder, "warm_up", None)
        if warm:
            warm()
        index = self.live.current().keyword
        if index is not None and hasattr(index, "warm_up"):
            index.warm_up()

    def _dense_candidates(self, vector: list[float], n: int, snapshot: LiveSnapshot, admitted: set[str], filtered: bool) -> list[tuple[Chunk, float]]:
        """The `n` nearest live chunks of the snapshot, best first, with their cosine: exact, from
        the snapshot's vectors, or from the store when the snapshot does not hold them."""
        index = snapshot.keyword
        exact = index.nearest(vector, n, admitted if filtered else None)
        if exact is not None:
            return exact
        versions = None if not filtered else sorted(admitted)
        ids, similarities = self._store.nearest_ids(vector, n, versions)
        found = [(chunk, s) for i, s in zip(ids, similarities) if (chunk := index.chunk(i)) is not None]
        if len(found) < len(ids) and versions is None:
            # Chunks outside the snapshot (a version being written or removed by an ingest):
            # ask again for exactly the snapshot's versions, as a filtered search always did.
            ids, similarities = self._store.nearest_ids(vector, n, sorted(admitted))
            found = [(chunk, s) for i, s in zip(ids, similarities) if (chunk := index.chunk(i)) is not None]
        return found

    def gather(self, query: str, filters: SearchFilters | None = None) -> Gathered | None:
        """The candidates of `query` with their signals; None when the filters admit nothing."""
        _require_query(query)
        self._dense.check_model()
        timings: dict[str, float] = {}
        snapshot = self.live.current()
        documents = snapshot.documents
        if not documents or snapshot.keyword is None:
            raise NothingIndexedError()
        docs = snapshot.by_id
        admitted = {d.version for d in documents if filters is None or filters.admits(d)}
        if not admitted:
            return None
        question = analyse_question(query, snapshot.matcher)

        t = time.perf_counter()
        vector = self._embedder.embed_query(query)
        timings["embed"] = _ms(t)
        n = self.CANDIDATES
        t = time.perf_counter()
        dense = self._dense_candidates(vector, n, snapshot, admitted, filtered=filters is not None)
        timings["dense"] = _ms(t)

        t = time.perf_counter()
        index = snapshot.keyword
        # A term is also found, and searched, by the other name the documents give it ("vbp").
        other_names = index.abbreviations().in_question(query)
        searched = other_names.searched(question.terms)
        question = replace(
            question,
            unknown_terms=tuple(t.word for t in question.terms if not index.knows(t.word)),
            terms=other_names.widen(question.terms),
            topic_terms=other_names.widen(question.topic_terms),
        )
        top = index.top(" ".join([query, *searched, *written_as_compounds(query, index)]), n, admitted if filters is not None else None)
        timings["keyword"] = _ms(t)

        candidates: dict[str, Candidate] = {}
        for rank, (chunk, similarity) in enumerate(dense, start=1):
            candidates[chunk.id] = Candidate(chunk, dense=similarity, dense_rank=rank)
        for rank, (chunk, score) in enumerate(top, start=1):
            cand = candidates.setdefault(chunk.id, Candidate(chunk))
            cand.bm25, cand.bm25_rank = score, rank
        missing = [cid for cid, c in candidates.items() if c.dense is None]
        if missing:
            query_vec = np.asarray(vector, dtype=np.float32)
            for cid, similarity in zip(missing, index.vectors_of(missing) @ query_vec):
                candidates[cid].dense = float(similarity)
        t = time.perf_counter()
        for cand, best in zip(candidates.values(), index.sentence_similarity(list(candidates), vector)):
            cand.sentence = best
        timings["sentences"] = _ms(t)
        t = time.perf_counter()
        ordered = sorted(candidates.values(), key=lambda c: (c.chunk.document_id, c.chunk.index))
        rows = features(question, ordered, dense_depth=n)
        timings["features"] = _ms(t)
        return Gathered(question, ordered, rows, docs, timings)

    def outline(self, document_id: str) -> list[Passage]:
        """The first chunk under each heading path of a live document, in document order, as
        passages (rank in that order, score 0): where each part of the document begins."""
        snapshot = self.live.current()
        document = snapshot.by_id.get(document_id)
        if document is None or snapshot.keyword is None:
            return []
        return _in_order(document, snapshot.keyword.section_starts(document_id))

    def following(self, passage: Passage, n: int) -> list[Passage]:
        """The passage's chunk and the chunks of its document after it, in document order, `n`
        at most, as passages (rank in that order, score 0): where a part the passage announces
        goes on."""
        snapshot = self.live.current()
        document = snapshot.by_id.get(passage.chunk.document_id)
        if document is None or snapshot.keyword is None:
            return []
        return _in_order(document, snapshot.keyword.following(passage.chunk, n))

    def spelled(self, query: str) -> str:
        """`query` with its typing errors of the documents' words corrected
        (`rag.retrieval.keyword.respelled`); as it is when nothing is indexed yet."""
        index = self.live.current().keyword
        return respelled(query, index) if index is not None else query

    def retrieve(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]:
        return self.search(query, k, filters).passages

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> Retrieved:
        """The top k passages with the analysed question and the timings of this search."""
        if k <= 0:
            raise ValueError(f"k must be greater than 0, got {k}")
        started = time.perf_counter()
        gathered = self.gather(query, filters)
        if gathered is None or not gathered.candidates:
            return Retrieved([], gathered.question if gathered else analyse_question(query), {})
        probabilities = self.ranker.probability(self.ranker.matrix(gathered.rows))
        for cand, p in zip(gathered.candidates, probabilities):
            cand.probability = float(p)
        ranked = sorted(gathered.candidates, key=lambda c: (-c.probability, c.chunk.document_id, c.chunk.index))
        chosen = diversify(distinct(ranked, self.diversity.near_duplicate), k, gathered.question, self.diversity)
        chosen = _with_definition(chosen, ranked, gathered.question, k)
        timings = dict(gathered.timings, retrieve_total=_ms(started))
        docs = gathered.documents
        passages = [
            Passage(
                chunk=replace(c.chunk, title=docs[c.chunk.document_id].title),
                score=c.probability,
                rank=rank,
                publisher=docs[c.chunk.document_id].publisher,
                year=docs[c.chunk.document_id].year,
                url=docs[c.chunk.document_id].url,
                dense_score=c.dense,
                keyword_score=c.bm25,
                sentence_score=c.sentence,
            )
            for rank, c in enumerate(chosen, start=1)
        ]
        return Retrieved(passages, gathered.question, timings)


#: How deep a definition question looks for a passage that says what its subject is.
DEFINITION_DEPTH = 20


def _with_definition(chosen: list[Candidate], ranked: list[Candidate], question: QuestionInfo, k: int) -> list[Candidate]:
    """For "Wat is X?": when none of the chosen passages says what X is (`rag.text.definitions`)
    and one of the next best does, that one takes the last place."""
    subject = question.defined
    if not subject or k < 2 or any(defines_in(subject, c.chunk.text) for c in chosen):
        return chosen
    taken = {c.chunk.id for c in chosen}
    found = next(
        (c for c in ranked[:DEFINITION_DEPTH] if c.chunk.id not in taken and defines_in(subject, c.chunk.text)), None
    )
    return chosen if found is None else [*chosen[: k - 1], found]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def _in_order(document: IndexedDocument, chunks: list[Chunk]) -> list[Passage]:
    """Chunks of `document` as passages in the order given (rank 1, 2, ..., score 0)."""
    return [
        Passage(chunk=replace(c, title=document.title), score=0.0, rank=rank, publisher=document.publisher, year=document.year, url=document.url)
        for rank, c in enumerate(chunks, start=1)
    ]


__all__ = ["DenseRetriever", "Gathered", "HybridRetriever", "Retrieved", "Retriever"]
