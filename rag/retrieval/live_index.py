"""What the read path keeps in memory: the live documents, their chunks, vectors and keyword index.

A question reads none of this from the store: it takes the current `LiveSnapshot` (the
registry as last read, and the keyword index of exactly those document versions, with their
vectors, searched exactly for the nearest chunks). The snapshot follows the store:

- `refresh()` reads the registry (one small read) and, when the set of live versions (the
  *generation*) has changed, loads or builds the keyword index of the new generation and then
  swaps the new snapshot in. Questions keep using the previous snapshot meanwhile, so a
  document never shows up in dense search before its keyword index is ready, or vice versa.
- A server runs `watch()`: a daemon thread that refreshes every `sync_seconds`, so a document
  ingested through another process sharing the Chroma server is searchable here within
  `sync_seconds` plus the time to build the keyword index (the README states the figures).
- Without a watcher (CLI, library use) a snapshot older than `sync_seconds` is refreshed on
  the next question, in the caller's thread.
- A process that writes the store itself calls `refresh()` right after, so its own uploads and
  removals are visible at once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from rag.retrieval.keyword import KeywordSearch, SyncedKeywordIndex, generation_of
from rag.text.sources import SourceMatcher
from rag.retrieval.store import ChromaStore
from rag.types import IndexedDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveSnapshot:
    """The live documents at one moment and the keyword index (chunks, vectors) of exactly them."""

    generation: str
    documents: tuple[IndexedDocument, ...]
    keyword: KeywordSearch | None
    matcher: SourceMatcher
    by_id: dict[str, IndexedDocument] = field(default_factory=dict)


class LiveIndex:
    """The current `LiveSnapshot` of a store, kept in step with its registry."""

    def __init__(self, store: ChromaStore, keyword: SyncedKeywordIndex, sync_seconds: float = 2.0) -> None:
        self._store = store
        self._keyword = keyword
        self.sync_seconds = sync_seconds
        self._snapshot: LiveSnapshot | None = None
        self._checked = 0.0
        self._refresh_lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    def current(self) -> LiveSnapshot:
        """The snapshot to answer from (read from the store on first use)."""
        return self._snapshot if self._is_current() else self.refresh()

    def _is_current(self) -> bool:
        """A snapshot exists and is kept in step (a watcher) or was read within `sync_seconds`."""
        return self._snapshot is not None and (self._watcher is not None or time.monotonic() - self._checked <= self.sync_seconds)

    def documents(self) -> list[IndexedDocument]:
        """The live documents: the snapshot's while it is current, else one registry read
        (listing documents never loads or builds a keyword index)."""
        snapshot = self._snapshot
        return list(snapshot.documents) if snapshot is not None and self._is_current() else self._store.documents()

    def refresh(self) -> LiveSnapshot:
        """Read the registry now; on a change, load the new keyword index and swap it in."""
        with self._refresh_lock:
            documents = self._store.documents()
            generation = generation_of(documents)
            snapshot = self._snapshot
            if snapshot is None or snapshot.generation != generation:
                started = time.perf_counter()
                keyword = self._keyword.load_or_build(documents) if documents else None
                snapshot = LiveSnapshot(
                    generation=generation,
                    documents=tuple(documents),
                    keyword=keyword,
                    matcher=SourceMatcher.of_documents(documents),
                    by_id={d.id: d for d in documents},
                )
                if self._snapshot is not None:
                    log.info(
                        "Index changed to generation %s (%d documents); caught up in %.2f s",
                        generation, len(documents), time.perf_counter() - started,
                    )
            elif [d for d in documents] != list(snapshot.documents):
                # Same versions, other titles or years (a manifest change): no new keyword index needed.
                snapshot = LiveSnapshot(generation, tuple(documents), snapshot.keyword,
                                        SourceMatcher.of_documents(documents), {d.id: d for d in documents})
            self._snapshot = snapshot
            self._checked = time.monotonic()
            return snapshot

    # -- the watcher (servers) ---------------------------------------------------------

    def watch(self) -> None:
        """Refresh every `sync_seconds` in a daemon thread until `stop_watching`."""
        if self._watcher is not None:
            return
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch, name="bronwijzer-live-index", daemon=True)
        self._watcher.start()

    def stop_watching(self) -> None:
        self._stop.set()
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.join(timeout=30)

    def _watch(self) -> None:
        while not self._stop.wait(self.sync_seconds):
            try:
                self.refresh()
            except Exception as exc:  # the store away for a moment: keep answering from the last snapshot
                log.warning("Could not refresh the index from the store (%s: %s); retrying", type(exc).__name__, exc)
