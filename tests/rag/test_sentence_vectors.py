"""Sentence vectors for the ranker: one vector per sentence of the live chunks, kept in the
store by sentence, embedded once, read into the in-memory index, pruned with their documents.
Real embedded Chroma; the hashing embedder stands in for the model (invented text)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import Ingestor
from rag.pipeline import build
from rag.retrieval.keyword import KeywordIndex, SyncedKeywordIndex
from rag.retrieval.ranking import Candidate, features
from rag.retrieval.sentence_vectors import SentenceMatrix, SentenceVectors, chunk_sentences
from rag.retrieval.store import ChromaStore
from rag.testing import HashingEmbedder
from rag.text.question import analyse_question
from rag.types import Chunk

POND = (
    "Vijvers in het park\n\n"
    "De gemeente legde in 2021 drie nieuwe vijvers aan in het stadspark. "
    "In de oostelijke vijver tellen vrijwilligers elk voorjaar ruim tweehonderd padden. "
    "Het onderhoud van het riet kost jaarlijks 4.000 euro.\n"
)
BEES = "Bijen\n\nOp de daken van het stadhuis staan sinds vorig jaar twaalf bijenkasten met elk een eigen imker.\n"


def chunk(text: str, index: int = 0) -> Chunk:
    return Chunk(document_id="vijvers.txt", index=index, text=text, start=0, end=len(text), content_hash="v1")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_a_chunk_gives_its_sentences_and_list_items_but_no_headings_or_scraps():
    text = "Vijvers in het park\n\nDe gemeente legde drie vijvers aan. Zie blz.\n\n- riet langs de oevers van elke vijver\n"
    assert chunk_sentences(chunk(text)) == ["De gemeente legde drie vijvers aan.", "- riet langs de oevers van elke vijver"]


def test_a_matrix_gives_the_best_sentence_of_each_chunk_and_none_for_a_chunk_without():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    matrix = SentenceMatrix(vectors, np.array([0, 2, 2, 3]))
    query = np.array([0.0, 1.0], dtype=np.float32)
    assert matrix.best(0, query) == pytest.approx(1.0)
    assert matrix.best(1, query) is None
    assert matrix.best(2, query) == pytest.approx(0.8)
    with pytest.raises(ValueError):
        SentenceMatrix(vectors, np.array([0, 2]))


def test_sentences_are_embedded_once_and_read_back_from_the_store(make_settings):
    store = ChromaStore(make_settings())
    embedder = HashingEmbedder()
    sentences = SentenceVectors(store, embedder)
    chunks = [chunk(POND), chunk(BEES, 1)]
    first, embedded = sentences.for_chunks(chunks)
    assert embedded == 4  # three pond sentences, one bee sentence; no headings
    assert list(first.bounds) == [0, 3, 4]
    assert np.allclose(np.linalg.norm(first.vectors, axis=1), 1.0)

    calls = embedder.calls
    again, embedded = SentenceVectors(ChromaStore(make_settings()), embedder).for_chunks(chunks)
    assert embedded == 0 and embedder.calls == calls
    assert np.allclose(again.vectors, first.vectors, atol=1e-6)

    # The same sentence in another chunk is the same record: nothing new to embed.
    _, embedded = sentences.for_chunks([chunk(BEES, 7)])
    assert embedded == 0


def test_sentences_are_embedded_shortest_first_over_all_calls_and_each_keeps_its_own_vector(make_settings, monkeypatch):
    # Batches of two: the model's padding is least when every call holds sentences of one length.
    monkeypatch.setattr("rag.retrieval.sentence_vectors.BATCH", 2)
    embedder = HashingEmbedder()
    seen: list[str] = []
    original = embedder.embed_documents
    monkeypatch.setattr(embedder, "embed_documents", lambda texts: seen.extend(texts) or original(texts))
    chunks = [chunk(POND), chunk(BEES, 1)]
    matrix, embedded = SentenceVectors(ChromaStore(make_settings()), embedder).for_chunks(chunks)
    assert embedded == 4
    assert [len(t) for t in seen] == sorted(len(t) for t in seen)
    # Rows stay in the chunks' order, whatever order they were embedded in.
    expected = np.array(original([s for c in chunks for s in chunk_sentences(c)]), dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(matrix.vectors, expected, atol=1e-6)


def test_the_sentence_collection_is_built_as_a_sparse_graph_and_the_chunks_are_not(make_settings):
    # Sentence vectors are read by id, never searched; the chunks are searched by Chroma.
    store = ChromaStore(make_settings())
    SentenceVectors(store, HashingEmbedder()).complete([chunk(POND)])
    assert store.sentences.configuration_json["hnsw"]["max_neighbors"] == 4
    assert store.chunks.configuration_json["hnsw"]["max_neighbors"] == 16  # Chroma's default
    # An existing store keeps what its collection was made with.
    assert ChromaStore(make_settings()).sentences.configuration_json["hnsw"]["max_neighbors"] == 4


def test_complete_keeps_exactly_the_sentences_of_the_chunks_given(make_settings):
    store = ChromaStore(make_settings())
    sentences = SentenceVectors(store, HashingEmbedder())
    assert sentences.complete([chunk(POND), chunk(BEES, 1)]) == 4
    assert len(store.sentence_ids()) == 4
    assert sentences.complete([chunk(BEES, 1)]) == 0  # nothing to embed; the pond's three go
    assert len(store.sentence_ids()) == 1
    assert sentences.complete([chunk(BEES, 1)]) == 0 and len(store.sentence_ids()) == 1
    assert sentences.for_chunks([chunk(BEES, 1)])[1] == 0


def test_the_in_memory_index_scores_a_chunk_by_its_best_sentence_and_caches_the_vectors(make_settings, tmp_path):
    settings = make_settings()
    embedder = HashingEmbedder()
    Ingestor(settings, ChromaStore(settings), embedder).ingest([write(tmp_path / "docs", "vijvers.txt", POND)])
    store = ChromaStore(settings)
    documents = store.documents()
    synced = SyncedKeywordIndex(store, tmp_path / "cache", SentenceVectors(store, embedder))
    index = synced.load_or_build(documents)
    (only,) = index.chunks
    question = embedder.embed_query("Hoeveel padden tellen de vrijwilligers in de oostelijke vijver?")
    (best,) = index.sentence_similarity([only.id], question)
    whole = float(index.vectors_of([only.id])[0] @ np.asarray(question, dtype=np.float32))
    assert best is not None and best > whole  # one sentence says it; the chunk's vector blends three

    calls = embedder.calls
    loaded = SyncedKeywordIndex(store, tmp_path / "cache", SentenceVectors(store, embedder)).load_or_build(documents)
    assert embedder.calls == calls  # from the cache on disk
    assert loaded.sentence_similarity([only.id], question) == pytest.approx([best])

    without = SyncedKeywordIndex(store, tmp_path / "cache").load_or_build(documents)
    assert without.sentence_similarity([only.id], question) == [None]
    # A question vector of another model (another dimension) is not compared: no signal, no crash.
    assert index.sentence_similarity([only.id], [1.0, 0.0]) == [None]


def test_the_ranker_signal_falls_back_to_the_chunks_cosine_without_sentence_vectors():
    question = analyse_question("Hoeveel padden zijn er?")
    with_sentence = Candidate(chunk(POND), dense=0.5, dense_rank=1, sentence=0.9)
    without = Candidate(chunk(BEES, 1), dense=0.4, dense_rank=2)
    rows = features(question, [with_sentence, without], dense_depth=80)
    assert rows[0]["sentence"] == pytest.approx(0.9) and rows[0]["sentence_rel"] == 0.0
    assert rows[1]["sentence"] == pytest.approx(0.4) and rows[1]["sentence_rel"] == pytest.approx(-0.5)


def test_ingest_embeds_the_sentences_of_new_text_only_and_prunes_a_removed_document(make_settings, tmp_path):
    settings = make_settings()
    embedder = HashingEmbedder()
    store = ChromaStore(settings)
    ingestor = Ingestor(settings, store, embedder)
    seen: list[tuple[int, int]] = []
    report = ingestor.ingest([write(tmp_path / "docs", "vijvers.txt", POND)], on_sentences=lambda d, t: seen.append((d, t)))
    assert report.sentences_embedded == 3 and seen[-1] == (3, 3)
    assert 0 < report.sentence_seconds < report.seconds  # what the sentence pass added to this run
    report = ingestor.ingest([write(tmp_path / "docs", "bijen.txt", BEES)])
    assert report.sentences_embedded == 1  # the pond's sentences are in the store already
    assert ingestor.ingest([tmp_path / "docs"]).sentences_embedded == 0

    store.remove_document("bijen.txt")
    assert ingestor.ingest([tmp_path / "docs" / "vijvers.txt"]).sentences_embedded == 0
    assert len(store.sentences.get(include=[])["ids"]) == 3  # the bees' sentence went with its document


def test_switched_off_no_sentence_is_embedded_and_the_ranker_still_answers(make_settings, tmp_path):
    settings = make_settings(sentence_vectors=False)
    embedder = HashingEmbedder()
    report = Ingestor(settings, ChromaStore(settings), embedder).ingest([write(tmp_path / "docs", "vijvers.txt", POND)])
    assert report.sentences_embedded == 0 and report.sentence_seconds == 0.0
    parts = build(settings, embedder=embedder)
    (passage,) = parts.engine.search("Hoeveel padden tellen de vrijwilligers?", k=1)
    assert passage.document_id == "vijvers.txt" and passage.sentence_score is None


class _BrokenModel(HashingEmbedder):
    """Embeds queries, fails on every batch of passages: a model outage during ingest."""

    def embed_documents(self, texts):
        raise RuntimeError("simulated embedding outage")


def test_a_failing_sentence_model_loses_no_document_and_the_index_serves_without_the_signal(make_settings, tmp_path, caplog):
    settings = make_settings()
    store = ChromaStore(settings)
    Ingestor(settings, store, HashingEmbedder()).ingest([write(tmp_path / "docs", "vijvers.txt", POND)])
    broken = _BrokenModel(model_name="hashing-broken")
    report = Ingestor(settings, store, HashingEmbedder(), SentenceVectors(store, broken)).ingest(
        [write(tmp_path / "docs", "bijen.txt", BEES)]
    )
    assert report.indexed == 1 and report.failed == 0 and report.sentences_failed
    assert {d.id for d in store.documents()} == {"vijvers.txt", "bijen.txt"}

    synced = SyncedKeywordIndex(store, tmp_path / "cache", SentenceVectors(store, broken))
    index = synced.load_or_build(store.documents())
    assert len(index.chunks) == 2 and index.sentences is None
    assert "Sentence vectors could not be completed" in caplog.text
    assert not (tmp_path / "cache").exists()  # an index without its sentences is not cached as one with them


def test_a_rebuild_is_not_served_from_the_keyword_index_cached_before_it(make_settings, tmp_path, monkeypatch):
    # The same file and pipeline version, chunked otherwise by the rebuild (as after a change
    # to the cleaning): the index cached on disk before the rebuild must not be taken for it.
    settings = make_settings()
    embedder = HashingEmbedder()
    path = write(tmp_path / "docs", "vijvers.txt", POND)
    Ingestor(settings, ChromaStore(settings), embedder).ingest([path])
    store = ChromaStore(settings)
    before = SyncedKeywordIndex(store, tmp_path / "cache").load_or_build(store.documents())
    assert "padden" in before.chunks[0].text

    import ingest.pipeline

    monkeypatch.setattr(ingest.pipeline, "clean_text", lambda raw: raw.replace("padden", "kikkers"))
    Ingestor(settings, store, embedder).ingest([path], rebuild=True)
    after = SyncedKeywordIndex(store, tmp_path / "cache").load_or_build(store.documents())
    assert [d.version for d in store.documents()] == [before.chunks[0].content_hash]  # same versions
    assert "kikkers" in after.chunks[0].text and "padden" not in after.chunks[0].text
