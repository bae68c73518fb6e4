"""Keyword search: BM25 (bm25s) over Dutch Snowball stems, derived from what is in the store.

The index is never a second source of truth: it is built from the store's live chunks and
labelled with the store's *generation* (a hash of every live document version). Before each
search the generation is read from the registry; when another process (or an ingest, or a
removal) has changed the store, the index is rebuilt, or loaded from disk if a process
already built that generation. So it stays consistent with an embedded store and with a
Chroma server shared by several app processes, and a restart loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from rag.analysis import content_stems, stem, words
from rag.store import ChromaStore, IndexedDocument
from rag.types import Chunk, sha256_hex

log = logging.getLogger(__name__)
_MIN_PART = 4
_PREFIX = 6
# bm25s logs every index build at DEBUG on its own handler; operators need none of it.
logging.getLogger("bm25s").setLevel(logging.WARNING)


def generation_of(documents: list[IndexedDocument]) -> str:
    """Identifies the set of live document versions in the store."""
    return sha256_hex("|".join(f"{d.id}@{d.version}" for d in sorted(documents, key=lambda d: d.id)))[:16]


@dataclass
class KeywordIndex:
    """BM25 over a fixed list of chunks."""

    generation: str
    chunks: list[Chunk]
    bm25: bm25s.BM25 | None
    _words: frozenset[str] | None = field(default=None, repr=False)
    _prefixes: frozenset[str] | None = field(default=None, repr=False)

    @property
    def words(self) -> frozenset[str]:
        """Every word of the indexed chunks, folded (built on first use)."""
        if self._words is None:
            self._words = frozenset(w for c in self.chunks for w in words(c.contextual_text))
            self._prefixes = frozenset(w[:_PREFIX] for w in self._words if len(w) >= _PREFIX)
        return self._words

    def knows(self, word: str) -> bool:
        """Whether the documents use `word`: as a word, by its stem or its first six letters,
        or as a compound of two words they use ("vijverrand": "vijver" + "rand")."""
        vocabulary = self.words
        if word in vocabulary or word.isdigit():
            return True
        if len(word) >= _PREFIX and word[:_PREFIX] in (self._prefixes or ()):
            return True  # an inflection or derivation: "vergrijsd" next to "vergrijzing"
        if self.bm25 is not None and stem(word) in self.bm25.vocab_dict:
            return True
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            if right not in vocabulary and stem(right) not in (self.bm25.vocab_dict if self.bm25 else {}):
                continue
            lefts = [left] + [left[: -len(s)] for s in ("s", "e", "en") if left.endswith(s) and len(left) - len(s) >= _MIN_PART]
            if any(piece in vocabulary for piece in lefts):
                return True
        return False

    @classmethod
    def build(cls, generation: str, chunks: list[Chunk]) -> "KeywordIndex":
        if not chunks:
            return cls(generation, [], None)
        bm25 = bm25s.BM25()
        bm25.index([content_stems(c.contextual_text) or ["\u2205"] for c in chunks], show_progress=False)
        return cls(generation, chunks, bm25)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros when no query term is known)."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self.bm25.vocab_dict
        terms = [t for t in content_stems(query) if t in vocab]
        if not terms:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return self.bm25.get_scores(terms)

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + f".tmp-{time.time_ns()}")
        tmp.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(tmp), show_progress=False)
        (tmp / "chunks.json").write_text(
            json.dumps([_chunk_to_json(c) for c in self.chunks], ensure_ascii=False), encoding="utf-8"
        )
        try:
            tmp.rename(directory)  # atomic: readers never see a half-written index
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved the same generation first

    @classmethod
    def load(cls, generation: str, directory: Path) -> "KeywordIndex":
        chunks = [Chunk(**c) for c in json.loads((directory / "chunks.json").read_text(encoding="utf-8"))]
        bm25 = bm25s.BM25.load(str(directory), show_progress=False) if chunks else None
        return cls(generation, chunks, bm25)


def _chunk_to_json(chunk: Chunk) -> dict:
    return {
        "document_id": chunk.document_id, "index": chunk.index, "text": chunk.text,
        "start": chunk.start, "end": chunk.end, "section": chunk.section, "page": chunk.page,
        "kind": chunk.kind, "title": chunk.title, "content_hash": chunk.content_hash,
    }


class SyncedKeywordIndex:
    """The keyword index for the store's current generation, rebuilt or loaded when it changes."""

    def __init__(self, store: ChromaStore, cache_dir: Path | None) -> None:
        self._store = store
        self._cache_dir = cache_dir
        self._index: KeywordIndex | None = None
        self._lock = threading.Lock()

    def current(self, documents: list[IndexedDocument]) -> KeywordIndex:
        """The index matching `documents` (the registry as just read by the caller)."""
        generation = generation_of(documents)
        index = self._index
        if index is not None and index.generation == generation:
            return index
        with self._lock:
            if self._index is None or self._index.generation != generation:
                self._index = self._load_or_build(generation)
            return self._index

    def _load_or_build(self, generation: str) -> KeywordIndex:
        started = time.perf_counter()
        directory = self._cache_dir / generation if self._cache_dir else None
        if directory is not None and (directory / "chunks.json").is_file():
            try:
                index = KeywordIndex.load(generation, directory)
                log.info("Loaded keyword index %s (%d chunks) in %.2f s", generation, len(index.chunks), time.perf_counter() - started)
                return index
            except Exception:  # a damaged cache is rebuilt, never trusted
                log.warning("Keyword index cache %s is unreadable; rebuilding", directory, exc_info=True)
        chunks = self._store.live_chunks()
        index = KeywordIndex.build(generation, chunks)
        if directory is not None:
            directory.parent.mkdir(parents=True, exist_ok=True)
            if not directory.exists():
                index.save(directory)
            self._prune(keep=generation)
        log.info("Built keyword index %s (%d chunks) in %.2f s", generation, len(chunks), time.perf_counter() - started)
        return index

    def _prune(self, keep: str) -> None:
        # Old generations are useless once the store has moved on; keep the cache small.
        for child in self._cache_dir.iterdir():
            if child.is_dir() and child.name != keep and not child.name.startswith(f"{keep}.tmp"):
                age = time.time() - child.stat().st_mtime
                if age > 3600:
                    shutil.rmtree(child, ignore_errors=True)
