"""The in-memory index follows the store: changes made through another store client show up
after a refresh, in dense search and keyword search together; questions read no collection."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from rag.pipeline import build
from rag.retrieval.store import ChromaStore

pytestmark = pytest.mark.slow

FIRST = "Lerarentekort\n\nIn het primair onderwijs is het lerarentekort opgelopen tot 9.800 fte.\n"
SECOND = "Het Kwartelplan\n\nMet het Kwartelplan krijgt elke basisschool een leesconsulent voor twee dagen per week.\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_a_document_written_by_another_client_appears_after_a_refresh(make_settings, embedder, tmp_path):
    settings = make_settings(index_sync_seconds=3600)  # only explicit refreshes
    writer = Ingestor(settings, ChromaStore(settings), embedder)
    writer.ingest([write(tmp_path / "docs", "tekort.txt", FIRST)])
    parts = build(settings)
    parts.retriever._embedder = parts.retriever._dense._embedder = embedder
    engine = parts.engine
    assert engine.search("Wat regelt het Kwartelplan?")[0].document_id == "tekort.txt"
    before = parts.live.current()

    writer.ingest([write(tmp_path / "docs", "kwartel.txt", SECOND)])
    # Not yet refreshed: the snapshot (documents, chunks, keyword index) is the old one, whole.
    assert parts.live.current() is before
    assert {p.document_id for p in engine.search("Wat regelt het Kwartelplan?", k=5)} == {"tekort.txt"}

    after = parts.live.refresh()
    assert after.generation != before.generation
    assert {d.id for d in after.documents} == {"tekort.txt", "kwartel.txt"}
    assert after.keyword.knows("kwartelplan")
    top = engine.search("Wat regelt het Kwartelplan?", k=2)[0]
    assert top.document_id == "kwartel.txt" and top.keyword_score > 0 and top.dense_score > 0
    # Its vectors came along with the keyword index, one row per chunk.
    assert after.keyword.vectors.shape == (len(after.keyword.chunks), embedder.dimension)

    ChromaStore(settings).remove_document("kwartel.txt")
    assert parts.live.refresh().generation == before.generation
    assert {p.document_id for p in engine.search("Wat regelt het Kwartelplan?", k=5)} == {"tekort.txt"}


def test_without_a_watcher_an_old_snapshot_is_refreshed_on_the_next_question(make_settings, embedder, tmp_path):
    settings = make_settings(index_sync_seconds=0.01)
    writer = Ingestor(settings, ChromaStore(settings), embedder)
    writer.ingest([write(tmp_path / "docs", "tekort.txt", FIRST)])
    parts = build(settings)
    parts.retriever._embedder = parts.retriever._dense._embedder = embedder
    parts.engine.search("lerarentekort")
    writer.ingest([write(tmp_path / "docs", "kwartel.txt", SECOND)])
    parts.live._checked = 0.0  # as after the sync interval
    assert parts.engine.search("Wat regelt het Kwartelplan?", k=1)[0].document_id == "kwartel.txt"


def test_the_watcher_picks_up_changes_by_itself(make_settings, embedder, tmp_path):
    import threading

    settings = make_settings(index_sync_seconds=0.2)
    writer = Ingestor(settings, ChromaStore(settings), embedder)
    writer.ingest([write(tmp_path / "docs", "tekort.txt", FIRST)])
    parts = build(settings)
    first = parts.live.current()
    swapped = threading.Event()
    original = parts.live.refresh

    def refresh():
        snapshot = original()
        if snapshot.generation != first.generation:
            swapped.set()
        return snapshot

    parts.live.refresh = refresh
    parts.live.watch()
    try:
        writer.ingest([write(tmp_path / "docs", "kwartel.txt", SECOND)])
        assert swapped.wait(timeout=60)
        assert {d.id for d in parts.live.current().documents} == {"tekort.txt", "kwartel.txt"}
    finally:
        parts.live.stop_watching()
