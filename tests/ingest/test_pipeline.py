"""The write path end to end on small real documents, a real model and Chroma on disk."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import Ingestor, split_pages
from rag.errors import EmbeddingModelMismatchError, NothingIndexedError
from rag.retrieval.hybrid import DenseRetriever
from rag.retrieval.store import ChromaStore
from rag.types import SearchFilters

pytestmark = pytest.mark.slow

SUBSIDIE = (
    "Subsidie zij-instroom\n\n"
    "Schoolbesturen kunnen een subsidie aanvragen voor zij-instromers die een bevoegdheid halen. "
    "De subsidie bedraagt € 20.000 per zij-instromer en wordt vooral aangevraagd in de Randstad.\n"
)
LEZEN = (
    "Leesmotivatie\n\n"
    "Nederlandse leerlingen lezen steeds minder graag. Uit internationaal onderzoek blijkt dat de "
    "leesmotivatie van vijftienjarigen in Nederland tot de laagste van alle deelnemende landen behoort.\n"
)
MANIFEST = """
["subsidie.txt"]
title = "Subsidies voor zij-instromers"
publisher = "Ministerie van OCW"
year = 2023

["lezen.md"]
title = "Leesmotivatie in beeld"
publisher = "NRO"
year = 2021
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "subsidie.txt").write_text(SUBSIDIE, encoding="utf-8")
    (root / "lezen.md").write_text(LEZEN, encoding="utf-8")
    (root / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    return root


@pytest.fixture
def setup(make_settings, embedder):
    settings = make_settings()
    store = ChromaStore(settings)
    return settings, store, Ingestor(settings, store, embedder), DenseRetriever(store, embedder)


def _stored_chunk_ids(store: ChromaStore) -> list[str]:
    return store.chunks.get(include=[])["ids"]


def test_ingest_indexes_documents_with_manifest_metadata(setup, corpus):
    settings, store, ingestor, retriever = setup
    report = ingestor.ingest([corpus])
    assert (report.indexed, report.unchanged, report.failed) == (2, 0, 0)
    docs = {d.id: d for d in store.documents()}
    assert docs["subsidie.txt"].title == "Subsidies voor zij-instromers"
    assert docs["subsidie.txt"].publisher == "Ministerie van OCW"
    assert docs["lezen.md"].year == 2021
    top = retriever.retrieve("Hoeveel subsidie krijgt een school voor een zij-instromer?", k=2)
    assert top[0].chunk.document_id == "subsidie.txt"
    assert "€ 20.000" in top[0].chunk.text
    assert top[0].score > top[1].score
    assert top[0].chunk.title == "Subsidies voor zij-instromers"


def test_second_run_embeds_nothing(setup, corpus):
    _, store, ingestor, _ = setup
    first = ingestor.ingest([corpus])
    ids_before = sorted(_stored_chunk_ids(store))
    second = ingestor.ingest([corpus])
    assert first.chunks_embedded > 0
    assert second.chunks_embedded == 0
    assert (second.indexed, second.unchanged) == (0, 2)
    assert sorted(_stored_chunk_ids(store)) == ids_before


def test_changed_document_replaces_its_chunks_without_duplicates(setup, corpus):
    _, store, ingestor, retriever = setup
    ingestor.ingest([corpus])
    old_ids = set(_stored_chunk_ids(store))
    (corpus / "subsidie.txt").write_text(SUBSIDIE.replace("€ 20.000", "€ 25.000"), encoding="utf-8")
    report = ingestor.ingest([corpus])
    assert (report.indexed, report.unchanged) == (1, 1)
    stored = store.chunks.get(include=["documents", "metadatas"])
    texts = [t for t in stored["documents"] if "zij-instromer" in t]
    assert texts and all("€ 25.000" in t and "€ 20.000" not in t for t in texts)
    assert len(stored["ids"]) == store.count_chunks() == sum(d.chunk_count for d in store.documents())
    assert set(stored["ids"]) & old_ids  # the unchanged document kept its chunks
    top = retriever.retrieve("subsidie zij-instromer bedrag", k=5)
    assert [p.chunk.document_id for p in top].count("subsidie.txt") == 1


class _FailingEmbedder:
    """The real model, made to fail on the first batch: an outage in the middle of a run."""

    def __init__(self, real):
        self._real = real
        self.model_name = real.model_name
        self.dimension = real.dimension

    def embed_documents(self, texts):
        raise RuntimeError("simulated embedding outage")

    def embed_query(self, text):
        return self._real.embed_query(text)


class _CrashAfterWrite(ChromaStore):
    """Dies between writing the new chunks and switching the registry to them."""

    def activate(self, record):
        raise RuntimeError("simulated crash before activation")


def test_failure_part_way_keeps_previous_version_searchable(setup, corpus, embedder):
    settings, store, ingestor, retriever = setup
    ingestor.ingest([corpus])
    (corpus / "subsidie.txt").write_text(SUBSIDIE.replace("€ 20.000", "€ 99.000"), encoding="utf-8")

    failed = Ingestor(settings, store, _FailingEmbedder(embedder)).ingest([corpus])
    assert failed.failed == 1 and "subsidie.txt" in failed.failures[0].message

    crashing_store = _CrashAfterWrite(settings)
    crashed = Ingestor(settings, crashing_store, embedder).ingest([corpus])
    assert crashed.failed == 1

    hits = retriever.retrieve("subsidie per zij-instromer", k=5)
    subsidie = [p for p in hits if p.chunk.document_id == "subsidie.txt"]
    assert len(subsidie) == 1 and "€ 20.000" in subsidie[0].chunk.text

    assert crashed.garbage_collected > 0  # the run removed the chunks it could not make live
    assert len(_stored_chunk_ids(store)) == store.count_chunks()

    recovered = ingestor.ingest([corpus])
    assert recovered.indexed == 1
    hits = retriever.retrieve("subsidie per zij-instromer", k=5)
    subsidie = [p for p in hits if p.chunk.document_id == "subsidie.txt"]
    assert len(subsidie) == 1 and "€ 99.000" in subsidie[0].chunk.text
    assert len(_stored_chunk_ids(store)) == store.count_chunks()


def test_garbage_of_a_killed_run_is_collected_by_the_next(setup, corpus, embedder):
    settings, store, ingestor, retriever = setup
    ingestor.ingest([corpus])
    live = store.live_chunks()
    # What a process killed between writing and activating leaves behind: chunks of a version nobody points at.
    orphan = dataclasses.replace(live[0], content_hash="killed-run-version", text="Een half geschreven versie.")
    store.write_chunks([orphan], [embedder.embed_documents([orphan.text])[0]])
    assert all(p.chunk.content_hash != "killed-run-version" for p in retriever.retrieve("half geschreven versie", 5))
    assert store.collect_garbage() == 1
    assert len(_stored_chunk_ids(store)) == store.count_chunks()


def test_bad_files_fail_alone_and_keep_what_the_index_had(setup, corpus):
    _, store, ingestor, _ = setup
    ingestor.ingest([corpus])
    before = store.count_chunks()
    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj<<>>\nthis is not a pdf")
    (corpus / "leeg.txt").write_text("   \n", encoding="utf-8")
    (corpus / "tabel.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / "subsidie.txt").write_bytes(b"")  # emptied by accident: keep the indexed version
    report = ingestor.ingest([corpus])
    failed = {Path(o.path).name: o.message for o in report.failures}
    assert set(failed) == {"kapot.pdf", "leeg.txt", "tabel.xlsx", "subsidie.txt"}
    for name, message in failed.items():
        assert name in message
    assert report.unchanged == 1
    assert store.count_chunks() == before
    assert {d.id for d in store.documents()} == {"subsidie.txt", "lezen.md"}


def test_manifest_change_updates_metadata_without_embedding(setup, corpus):
    _, store, ingestor, _ = setup
    ingestor.ingest([corpus])
    (corpus / "manifest.toml").write_text(MANIFEST.replace("Leesmotivatie in beeld", "Lezen in Nederland"), encoding="utf-8")
    report = ingestor.ingest([corpus])
    assert report.chunks_embedded == 0
    assert store.document("lezen.md").title == "Lezen in Nederland"


def test_manifest_url_reaches_registry_and_passages_without_embedding(setup, corpus):
    _, store, ingestor, retriever = setup
    ingestor.ingest([corpus])
    assert store.document("subsidie.txt").url is None
    with_url = MANIFEST.replace('year = 2023', 'year = 2023\nurl = "https://voorbeeld.nl/publicaties/subsidie"')
    (corpus / "manifest.toml").write_text(with_url, encoding="utf-8")
    report = ingestor.ingest([corpus])
    assert (report.unchanged, report.chunks_embedded) == (2, 0)
    assert store.document("subsidie.txt").url == "https://voorbeeld.nl/publicaties/subsidie"
    assert store.document("lezen.md").url is None
    passages = retriever.retrieve("subsidie voor zij-instromers", k=2)
    assert {p.chunk.document_id: p.url for p in passages} == {
        "subsidie.txt": "https://voorbeeld.nl/publicaties/subsidie", "lezen.md": None,
    }


def test_file_without_manifest_entry_gets_a_derived_title(setup, tmp_path):
    _, store, ingestor, _ = setup
    doc = tmp_path / "werkdruk-leraren-2022.txt"
    doc.write_text("Werkdruk in het primair onderwijs\n\nLeraren ervaren een hoge werkdruk.\n", encoding="utf-8")
    ingestor.ingest([doc])
    record = store.document("werkdruk-leraren-2022.txt")
    assert record.title == "Werkdruk in het primair onderwijs"
    assert record.year == 2022


def test_filters_by_document_publisher_and_year(setup, corpus):
    _, _, ingestor, retriever = setup
    ingestor.ingest([corpus])
    question = "leerlingen en leraren"
    assert {p.chunk.document_id for p in retriever.retrieve(question, 5, SearchFilters(documents=("lezen.md",)))} == {"lezen.md"}
    assert {p.chunk.document_id for p in retriever.retrieve(question, 5, SearchFilters(publishers=("ministerie van ocw",)))} == {"subsidie.txt"}
    assert {p.chunk.document_id for p in retriever.retrieve(question, 5, SearchFilters(year_from=2022))} == {"subsidie.txt"}
    assert retriever.retrieve(question, 5, SearchFilters(year_from=2030)) == []


def test_remove_document(setup, corpus):
    _, store, ingestor, retriever = setup
    ingestor.ingest([corpus])
    removed = store.remove_document("lezen.md")
    assert removed.id == "lezen.md"
    assert {p.chunk.document_id for p in retriever.retrieve("leesmotivatie", 5)} == {"subsidie.txt"}
    assert len(_stored_chunk_ids(store)) == store.count_chunks()


def test_search_on_empty_index_says_what_to_do(setup):
    _, _, _, retriever = setup
    with pytest.raises(NothingIndexedError, match="bronwijzer ingest"):
        retriever.retrieve("leraren", 3)


def test_other_embedding_model_is_refused_with_reindex_hint(setup, corpus, make_settings, embedder):
    _, store, ingestor, _ = setup
    ingestor.ingest([corpus])

    class OtherModel:
        model_name = "sentence-transformers/all-MiniLM-L6-v2"
        dimension = 384

        def embed_query(self, text):
            raise AssertionError("must refuse before embedding")

    with pytest.raises(EmbeddingModelMismatchError, match="--rebuild") as err:
        DenseRetriever(store, OtherModel()).retrieve("leraren", 3)
    assert "multilingual-e5-small" in err.value.message


def test_chroma_never_gets_a_default_embedding_function(setup, corpus):
    _, store, ingestor, _ = setup
    ingestor.ingest([corpus])
    reopened = ChromaStore(store._settings)
    assert reopened.chunks._embedding_function is None
    assert reopened.registry._embedding_function is None
    # Chroma warns about its own legacy config on the way to refusing; the refusal is what counts.
    with warnings.catch_warnings(), pytest.raises(ValueError, match="embedding function"):
        warnings.simplefilter("ignore", DeprecationWarning)
        reopened.chunks.query(query_texts=["leraren"], n_results=1)


def test_split_pages_keeps_page_offsets():
    text, starts = split_pages("Eerste pagina.\n\n\f\n\nTweede pagina.\f\fVierde.")
    assert text == "Eerste pagina.\n\nTweede pagina.\n\nVierde."
    assert starts[0] == 0
    assert text[starts[1]:].startswith("Tweede")
    assert text[starts[3]:].startswith("Vierde")
    assert starts[2] == starts[3]  # an empty page starts where the next one does


def test_an_edited_document_embeds_only_the_chunks_that_changed(make_settings, embedder, tmp_path):
    settings = make_settings(chunk_size=200, chunk_overlap=0)
    store = ChromaStore(settings)
    ingestor = Ingestor(settings, store, embedder)
    folder = tmp_path / "lang"
    folder.mkdir()
    paragraphs = [f"Paragraaf {i}. De vijver {i} meldt een tekort van {i * 10} kikkers in het noordelijke park." for i in range(12)]
    path = folder / "lang.txt"
    path.write_text("Tekorten per vijver\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    first = ingestor.ingest([folder])
    before = {m["embedding_key"]: v for m, v in zip(*(lambda g: (g["metadatas"], g["embeddings"]))(store.chunks.get(include=["metadatas", "embeddings"])))}
    path.write_text("Tekorten per vijver\n\n" + "\n\n".join(paragraphs) + "\n\nParagraaf 12. Een nieuwe vijver meldt geen tekort.\n", encoding="utf-8")
    second = ingestor.ingest([folder])
    assert second.indexed == 1 and second.chunks_reused > 0
    assert 0 < second.chunks_embedded < first.chunks_embedded
    assert second.chunks_embedded + second.chunks_reused == store.document("lang.txt").chunk_count
    got = store.chunks.get(include=["metadatas", "embeddings"])
    for meta, vector in zip(got["metadatas"], got["embeddings"]):
        if meta["embedding_key"] in before:  # reused: the stored vector (Chroma may round its last bit on the way back in)
            assert np.allclose(vector, before[meta["embedding_key"]], rtol=0, atol=1e-7)
