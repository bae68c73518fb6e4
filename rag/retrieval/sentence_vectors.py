"""Sentence vectors: every sentence of every live chunk embedded on its own, for the ranker.

A chunk's vector blends all its sentences, while a question is mostly answered by one of
them. The ranker's `sentence` signal (`rag.retrieval.ranking`) is the best cosine between
the question and a single sentence of the chunk: a multi-vector max-sim next to the chunk's
own cosine.

The vectors live in the store's `<collection>-sentences` collection, one record per distinct
sentence, its id a hash of the model and the sentence (`sentence_key`). So a sentence is
embedded once, whichever document or version holds it, and every process that shares the
store reads the same vectors. They are completed where a generation's in-memory index is
built (`rag.retrieval.keyword.SyncedKeywordIndex`) and by `bronwijzer ingest` right after it
writes (`ingest.pipeline.Ingestor`), so that a server finds them ready. The model that embeds
them is the index's model; with ONNX at fp32 its int8 export, about 1.4 times as fast for
vectors at cosine 0.999 (a signal, not the index's vectors).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.protocols import Embedder
from rag.text.sentences import split_sentences
from rag.types import Chunk, sha256_hex

log = logging.getLogger(__name__)

#: A sentence of fewer words (a page number, "Tabel 3") says too little to match a question.
MIN_WORDS = 3
#: Sentences embedded per call, so that progress is logged on a large batch.
BATCH = 512


def chunk_sentences(chunk: Chunk) -> list[str]:
    """The sentences and list items of a chunk that get a vector of their own (no headings)."""
    return [
        text
        for s in split_sentences(chunk.text)
        if s.kind != "heading" and len((text := s.text.strip()).split()) >= MIN_WORDS
    ]


def sentence_key(model_name: str, sentence: str) -> str:
    """The store id of a sentence's vector: the same text under the same model, the same id."""
    return sha256_hex(f"{model_name}\n{sentence}")[:32]


@dataclass(frozen=True)
class SentenceMatrix:
    """The unit vectors of the sentences of a list of chunks: the rows of chunk i are
    `vectors[bounds[i]:bounds[i + 1]]` (none for a chunk without such sentences)."""

    vectors: np.ndarray
    bounds: np.ndarray

    def __post_init__(self) -> None:
        if len(self.bounds) == 0 or self.bounds[-1] != len(self.vectors):
            raise ValueError(f"bounds end at {self.bounds[-1] if len(self.bounds) else None}, vectors have {len(self.vectors)} rows")

    def best(self, row: int, query: np.ndarray) -> float | None:
        """The best cosine of a unit `query` with a sentence of chunk `row` (None: it has none)."""
        start, end = int(self.bounds[row]), int(self.bounds[row + 1])
        return float((self.vectors[start:end] @ query).max()) if end > start else None


class SentenceVectors:
    """Reads the sentence vectors of a store, and completes and prunes them (`complete`)."""

    def __init__(self, store, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder

    @property
    def model_name(self) -> str:
        return self._embedder.model_name

    def for_chunks(
        self, chunks: Sequence[Chunk], on_progress: Callable[[int, int], None] | None = None
    ) -> tuple[SentenceMatrix, int]:
        """The sentence vectors of `chunks` (in their order) and how many had to be embedded:
        those the store does not hold yet are embedded and written to it, `on_progress(done,
        total)` after each batch."""
        keys, text_of = self._keys(chunks)
        found = self._store.sentence_vectors(sorted(text_of))
        missing = [k for k in text_of if k not in found]
        if missing:
            found.update(self._embed(missing, text_of, on_progress))
        dimension = next((len(v) for v in found.values()), 0)
        rows = [found[k] for ks in keys for k in ks]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(rows), dimension)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1.0)
        bounds = np.concatenate([[0], np.cumsum([len(ks) for ks in keys])]).astype(np.int64)
        return SentenceMatrix(vectors, bounds), len(missing)

    def complete(self, chunks: Sequence[Chunk], on_progress: Callable[[int, int], None] | None = None) -> int:
        """Make the store hold exactly the sentence vectors of `chunks` (the live chunks): embed
        those it lacks and delete those of sentences no chunk holds (a removed or replaced
        document's). Reads the store's ids, not its vectors; returns how many were embedded."""
        _, text_of = self._keys(chunks)
        stored = self._store.sentence_ids()
        missing = [k for k in text_of if k not in stored]
        if missing:
            self._embed(missing, text_of, on_progress)
        self._store.delete_sentence_vectors(sorted(stored - text_of.keys()))
        return len(missing)

    def _keys(self, chunks: Sequence[Chunk]) -> tuple[list[list[str]], dict[str, str]]:
        """The keys of each chunk's sentences, in order, and the text of every key."""
        sentences = [chunk_sentences(c) for c in chunks]
        model = self.model_name
        keys = [[sentence_key(model, s) for s in group] for group in sentences]
        return keys, {k: s for group, ks in zip(sentences, keys) for k, s in zip(ks, group)}

    def _embed(
        self, keys: list[str], text_of: dict[str, str], on_progress: Callable[[int, int], None] | None
    ) -> dict[str, list[float]]:
        started = time.perf_counter()
        log.info("Embedding %d sentences for the ranker", len(keys))
        # Shortest first over all of them, not only within a call's batches: each batch then pads
        # its sentences to nearly the same length (about 10% faster on the corpus).
        keys = sorted(keys, key=lambda k: len(text_of[k]))
        done: dict[str, list[float]] = {}
        for i in range(0, len(keys), BATCH):
            part = keys[i : i + BATCH]
            vectors = self._embedder.embed_documents([text_of[k] for k in part])
            self._store.write_sentence_vectors(part, vectors)
            done.update(zip(part, vectors))
            if on_progress:
                on_progress(len(done), len(keys))
        log.info("Embedded %d sentences in %.1f s", len(keys), time.perf_counter() - started)
        return done


__all__ = ["MIN_WORDS", "SentenceMatrix", "SentenceVectors", "chunk_sentences", "sentence_key"]
