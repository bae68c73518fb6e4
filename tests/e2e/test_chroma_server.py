"""Ingest and search against a real `chroma run` server process on loopback."""

from __future__ import annotations

import pytest

from ingest.pipeline import Ingestor
from rag.errors import StoreUnavailableError
from rag.retrieval.hybrid import DenseRetriever
from rag.retrieval.store import ChromaStore
from tests.e2e.servers import chroma_server, free_port  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_ingest_and_search_through_a_chroma_server(chroma_server, make_settings, embedder, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tekort.txt").write_text(
        "Lerarentekort\n\nIn het primair onderwijs is het lerarentekort opgelopen tot 9.800 fte. "
        "Vooral scholen in de grote steden hebben moeite met het vervullen van vacatures.\n",
        encoding="utf-8",
    )
    (docs / "veiligheid.txt").write_text(
        "Sociale veiligheid\n\nScholen moeten de sociale veiligheid van leerlingen jaarlijks monitoren.\n",
        encoding="utf-8",
    )
    settings = make_settings(chroma_url=chroma_server)
    store = ChromaStore(settings)
    report = Ingestor(settings, store, embedder).ingest([docs])
    assert (report.indexed, report.failed) == (2, 0)
    assert not settings.chroma_dir.exists()  # nothing went to the embedded store

    # A second process-like client sees the same index and searches it.
    other = ChromaStore(make_settings(chroma_url=chroma_server))
    hits = DenseRetriever(other, embedder).retrieve("Hoe groot is het tekort aan leraren?", 2)
    assert hits[0].chunk.document_id == "tekort.txt"
    assert "9.800 fte" in hits[0].chunk.text
    assert {d.id for d in other.documents()} == {"tekort.txt", "veiligheid.txt"}

    again = Ingestor(settings, other, embedder).ingest([docs])
    assert again.chunks_embedded == 0


def test_unreachable_server_gives_a_clear_message(make_settings):
    store = ChromaStore(make_settings(chroma_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(StoreUnavailableError, match="niet bereikbaar"):
        store.documents()
