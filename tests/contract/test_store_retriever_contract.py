"""One contract for the store, the keyword index and hybrid retrieval, over every Chroma backend.

Each test runs twice: against an embedded Chroma on `tmp_path` and against a real `chroma run`
server process on loopback (started once per session; every test gets its own collection).
Everything is the real thing (`ChromaStore`, `SyncedKeywordIndex`, `LiveIndex`,
`HybridRetriever` as `rag.pipeline.build` wires them, documents written by the real
`Ingestor`) except the embedding model: `rag.testing.HashingEmbedder` stands in for e5, so the
suite needs no model and runs in seconds. The documents are invented (`rag.testing`, plus
one below), never corpus text or questions of a set.

The live index never refreshes by itself here (`index_sync_seconds` is an hour): a test that
expects a change to be seen calls `refresh()`, as a process that wrote the store does.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import Ingestor
from rag.pipeline import Components, build
from rag.retrieval.ranking import Diversity
from rag.types import SearchFilters
from rag.testing import HashingEmbedder, invented_corpus
from rag.types import Passage
from tests.e2e.servers import running_chroma

pytestmark = pytest.mark.integration

#: An invented log with one section per month, all about the water of the ponds: six chunks of
#: one document that would fill any top k by themselves.
LOGBOOK = "# Logboek van de waterkwaliteit\n\n" + "".join(
    f"## {month}\n\nIn {month} mat {who} de waterkwaliteit van de vijvers: {detail}\n\n"
    for month, who, detail in [
        ("januari", "Anouk", "het water was helder en koud, er lag ijs op twee vijvers."),
        ("februari", "Bram", "de zuurstof in het water daalde onder de ijslaag, de vissen bleven diep."),
        ("maart", "Carla", "algen kleurden het water groen na drie zonnige weken."),
        ("april", "Daan", "de fosfaat in het water steeg door regen die mest van de akkers meenam."),
        ("mei", "Esra", "het doorzicht van het water was vijftig centimeter na het maaien."),
        ("juni", "Floor", "blauwalg dreef aan de oostkant, de zwemplek ging dicht."),
    ]
)
EGELS = (
    "# Egels in het stadspark\n\n"
    "De gemeente plaatst dit najaar veertig egelhuisjes onder de struiken. "
    "Vrijwilligers vullen de egelhuisjes met droog blad.\n"
)


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    """One `chroma run` server for the whole session (about a second to start)."""
    with running_chroma(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url
        _close_http_sessions()


def _close_http_sessions() -> None:
    # Chroma's HTTP clients keep their connection pools until the interpreter exits, where each
    # open socket becomes a ResourceWarning; close them while the server is still up.
    from chromadb.api.fastapi import FastAPI as ChromaHttpClient
    from chromadb.api.shared_system_client import SharedSystemClient

    for system in SharedSystemClient._identifier_to_system.values():
        for component in system.components():
            if isinstance(component, ChromaHttpClient):
                component._session.close()


class Index:
    """One client of the backend: the real components over the hashing embedder."""

    def __init__(self, settings, embedder: HashingEmbedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.parts: Components = build(settings, embedder=embedder)
        self.others: list[Index] = []

    @property
    def store(self):
        return self.parts.store

    def ingest(self, *paths: Path) -> None:
        report = Ingestor(self.settings, self.store, self.embedder).ingest(list(paths))
        assert report.failed == 0, report.failures
        self.parts.live.refresh()  # this process wrote the store: its own writes are visible at once

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Passage]:
        return self.parts.retriever.retrieve(query, k, filters)

    def other_client(self) -> "Index":
        """A second client of the same store, as another process would open it."""
        other = Index(self.settings, HashingEmbedder())
        self.others.append(other)
        return other



def documents_of(passages: list[Passage]) -> list[str]:
    return [p.chunk.document_id for p in passages]


@pytest.fixture(params=["embedded", "server"])
def index(request, make_settings, tmp_path: Path) -> Index:
    """The invented corpus, ingested into a fresh store of the backend under test."""
    backend = {} if request.param == "embedded" else {
        "chroma_url": request.getfixturevalue("chroma_url"),
        "collection": f"contract-{uuid.uuid4().hex[:12]}",  # the server is shared by the session
    }
    settings = make_settings(index_sync_seconds=3600, **backend)
    index = Index(settings, HashingEmbedder())
    index.ingest(invented_corpus(tmp_path / "docs"))
    if request.param == "server":
        assert not settings.chroma_dir.exists()  # everything went to the server
    return index


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# -- what a search returns -----------------------------------------------------------------------


def test_passages_are_ranked_with_the_registry_metadata_and_k_is_honoured(index):
    passages = index.search("Hoeveel vijvers telde het stadspark in 2021?", k=3)
    assert len(passages) == 3
    assert [p.rank for p in passages] == [1, 2, 3]
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    best = passages[0]
    assert (best.chunk.document_id, best.chunk.section) == ("vijvers.md", "De vijvers van het stadspark > Aantal vijvers")
    assert "14 vijvers" in best.chunk.text
    assert (best.chunk.title, best.publisher, best.year) == ("De vijvers van het stadspark", "Gemeente Vlinderstad", 2023)
    assert len(index.search("Hoeveel vijvers telde het stadspark in 2021?", k=1)) == 1


def test_re_ingesting_unchanged_documents_writes_and_embeds_nothing(index, tmp_path):
    before = sorted(c.id for c in index.store.live_chunks())
    calls = index.embedder.calls
    report = Ingestor(index.settings, index.store, index.embedder).ingest([tmp_path / "docs"])
    assert (report.indexed, report.unchanged, report.chunks_embedded) == (0, 3, 0)
    assert index.embedder.calls == calls
    assert sorted(c.id for c in index.store.live_chunks()) == before


# -- fusion of the dense and the keyword side ----------------------------------------------------


def test_a_keyword_only_and_a_dense_only_passage_both_come_back(index):
    # "riet" occurs in one chunk only (vijvers.md, Onderhoud): BM25 finds it. "kikkertellingen"
    # is no word of any document, so BM25 cannot use it, but its letter trigrams bring the
    # vector near the chunk about counting frogs (kikkers.md, Tellingen).
    query = "riet kikkertellingen"
    onderhoud = next(c for c in index.store.live_chunks() if c.section == "De vijvers van het stadspark > Onderhoud")
    tellingen = next(c for c in index.store.live_chunks() if c.section == "Plan voor de kikkers > Tellingen")
    snapshot = index.parts.live.current()
    assert [c.id for c, _ in snapshot.keyword.top(query, 10)] == [onderhoud.id]
    nearest, _ = index.store.nearest_ids(index.embedder.embed_query(query), 1)
    assert nearest == [tellingen.id]

    # One candidate from each side: whatever else comes back came through fusion.
    index.parts.retriever.CANDIDATES = 1
    passages = index.search(query, k=5)
    by_id = {p.chunk.id: p for p in passages}
    assert set(by_id) == {onderhoud.id, tellingen.id}
    assert by_id[onderhoud.id].keyword_score > 0  # found by BM25 ...
    assert by_id[tellingen.id].keyword_score == 0.0  # ... and this one by the dense side only
    assert by_id[onderhoud.id].dense_score is not None  # BM25-only candidates get their cosine too


def test_the_dense_candidates_are_the_exact_nearest_chunks_of_the_stored_vectors(index, monkeypatch):
    # The store's HNSW index is approximate (and which near chunk it misses varies from process
    # to process): a question is answered from the snapshot's vectors, never from it.
    def approximate(*args, **kwargs):
        raise AssertionError("a question asked the store's approximate nearest-neighbour index")

    monkeypatch.setattr(index.store, "nearest_ids", approximate)
    # Brute force over what the store holds: chunk ids, vectors, document versions.
    got = index.store.chunks.get(include=["embeddings", "metadatas"])
    ids, metas = got["ids"], got["metadatas"]
    vectors = np.asarray(got["embeddings"], dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    kikkers = SearchFilters(documents=("kikkers.md",))
    for query, filters in [("Wanneer tellen de vrijwilligers de kikkers bij de vijvers?", None), ("water en riet", kikkers)]:
        query_vector = np.asarray(index.embedder.embed_query(query), dtype=np.float64)
        cosine = vectors @ (query_vector / np.linalg.norm(query_vector))
        admitted = [i for i, m in enumerate(metas) if filters is None or m["document_id"] == "kikkers.md"]
        expected = sorted(admitted, key=lambda i: -cosine[i])[:4]
        index.parts.retriever.CANDIDATES = 4
        gathered = index.parts.retriever.gather(query, filters)
        dense = sorted((c for c in gathered.candidates if c.dense_rank is not None), key=lambda c: c.dense_rank)
        assert [c.chunk.id for c in dense] == [ids[i] for i in expected], query
        assert [c.dense for c in dense] == pytest.approx([cosine[i] for i in expected], abs=1e-5)


def test_a_keyword_search_that_holds_no_vectors_leaves_the_nearest_chunks_to_the_store(index, monkeypatch):
    # A shared keyword search (OpenSearch, README "Deployment") may not hold every vector:
    # `nearest` answers None and the store's own nearest-neighbour query is used, filters too.
    snapshot = index.parts.live.current()
    monkeypatch.setattr(snapshot.keyword, "nearest", lambda *args, **kwargs: None)
    index.parts.retriever.CANDIDATES = 3
    for query, filters, versions in [
        ("Wanneer tellen de vrijwilligers de kikkers bij de vijvers?", None, None),
        ("water en riet", SearchFilters(documents=("kikkers.md",)), [d.version for d in snapshot.documents if d.id == "kikkers.md"]),
    ]:
        ids, similarities = index.store.nearest_ids(index.embedder.embed_query(query), 3, versions)
        gathered = index.parts.retriever.gather(query, filters)
        dense = sorted((c for c in gathered.candidates if c.dense_rank is not None), key=lambda c: c.dense_rank)
        assert [c.chunk.id for c in dense] == ids, query
        assert [c.dense for c in dense] == pytest.approx(similarities)


# -- filters ------------------------------------------------------------------------------------


#: Filters and the documents they admit (one index for all: ingesting is most of a test's time).
FILTER_CASES = [
    (SearchFilters(documents=("kikkers.md",)), {"kikkers.md"}),
    (SearchFilters(publishers=("stichting groene oevers",)), {"kikkers.md"}),  # case does not matter
    (SearchFilters(publishers=("Gemeente Vlinderstad",)), {"vijvers.md", "bijen.txt"}),
    (SearchFilters(year_from=2023), {"vijvers.md", "bijen.txt"}),
    (SearchFilters(year_to=2022), {"kikkers.md"}),
    (SearchFilters(year_from=2022, year_to=2022, publishers=("Gemeente Vlinderstad",)), set()),
    (SearchFilters(year_from=2030), set()),
]


def test_filters_admit_exactly_their_documents(index):
    # A question every document has words for, so that without filters all three come back.
    query = "Wat doet de gemeente in het voorjaar voor de kikkers, de vijvers en de bijen?"
    assert set(documents_of(index.search(query, k=10))) == {"vijvers.md", "kikkers.md", "bijen.txt"}
    for filters, expected in FILTER_CASES:
        assert set(documents_of(index.search(query, k=10, filters=filters))) == expected, filters


# -- diversity -----------------------------------------------------------------------------------


def test_no_single_document_fills_the_top_k(index, tmp_path):
    index.ingest(write(tmp_path / "more", "logboek.md", LOGBOOK))
    assert sum(c.document_id == "logboek.md" for c in index.store.live_chunks()) > Diversity().per_document
    found = documents_of(index.search("Hoe was de waterkwaliteit van het water in de vijvers?", k=5))
    assert found == ["logboek.md"] * Diversity().per_document + ["vijvers.md"]  # the place left goes to the next document


def test_a_document_the_question_names_may_fill_the_top_k(index, tmp_path):
    index.ingest(write(tmp_path / "more", "logboek.md", LOGBOOK))
    found = documents_of(index.search("Wat staat in het Logboek van de waterkwaliteit over het water in de vijvers?", k=5))
    assert found == ["logboek.md"] * 5


def test_every_document_the_question_names_gets_a_place(index, tmp_path):
    index.ingest(write(tmp_path / "more", "logboek.md", LOGBOOK))
    plain = documents_of(index.search("Hoe was de waterkwaliteit van het water in de vijvers?", k=4))
    assert "kikkers.md" not in plain
    named = documents_of(index.search("Wat zeggen het kikkerplan en het Logboek van de waterkwaliteit over het water in de vijvers?", k=4))
    assert {"kikkers.md", "logboek.md"} <= set(named)


# -- the keyword index follows the store ---------------------------------------------------------


def test_a_document_added_after_the_first_search_is_found_by_keyword(index, tmp_path):
    assert "egels.md" not in documents_of(index.search("Hoeveel egelhuisjes plaatst de gemeente?"))
    generation = index.parts.live.current().generation
    index.ingest(write(tmp_path / "more", "egels.md", EGELS))
    assert index.parts.live.current().generation != generation
    passages = index.search("Hoeveel egelhuisjes plaatst de gemeente?", k=3)
    assert passages[0].chunk.document_id == "egels.md"
    assert passages[0].keyword_score > 0
    assert index.parts.live.current().keyword.knows("egelhuisjes")


def test_a_second_client_sees_the_writes_of_another_after_refresh(index, tmp_path):
    other = index.other_client()
    query = "Hoeveel egelhuisjes plaatst de gemeente?"
    assert "egels.md" not in documents_of(other.search(query))
    index.ingest(write(tmp_path / "more", "egels.md", EGELS))
    # Without a refresh the other client keeps answering from its snapshot: no half-seen document.
    assert "egels.md" not in documents_of(other.search(query))
    other.parts.live.refresh()
    passages = other.search(query, k=3)
    assert passages[0].chunk.document_id == "egels.md" and passages[0].keyword_score > 0
    assert {d.id for d in other.store.documents()} == {"bijen.txt", "egels.md", "kikkers.md", "vijvers.md"}


# -- removal -------------------------------------------------------------------------------------


def test_a_removed_document_is_found_by_neither_side(index):
    query = "Hoeveel soorten wilde bijen telden de imkers?"
    bijen = [c.id for c in index.store.live_chunks() if c.document_id == "bijen.txt"]
    assert bijen and documents_of(index.search(query))[0] == "bijen.txt"
    other = index.other_client()
    assert documents_of(other.search(query))[0] == "bijen.txt"

    removed = index.store.remove_document("bijen.txt")
    assert removed.id == "bijen.txt"
    index.parts.live.refresh()

    # The store: no registry record, no chunks, and no vector of them comes back from a query.
    assert "bijen.txt" not in {d.id for d in index.store.documents()}
    assert index.store.chunks.get(where={"document_id": "bijen.txt"}, include=[])["ids"] == []
    ids, _ = index.store.nearest_ids(index.embedder.embed_query(query), 10)
    assert ids and not set(ids) & set(bijen)
    # The keyword index: neither the chunks nor their words.
    snapshot = index.parts.live.current()
    assert all(snapshot.keyword.chunk(cid) is None for cid in bijen)
    assert not snapshot.keyword.top("bijen imkers bloemenweides", 10)
    assert not snapshot.keyword.knows("imkers")
    # Retrieval, here and in another client once it has refreshed.
    assert "bijen.txt" not in documents_of(index.search(query, k=10))
    other.parts.live.refresh()
    assert "bijen.txt" not in documents_of(other.search(query, k=10))
    assert np.asarray(other.parts.live.current().keyword.vectors).shape[0] == len(index.store.live_chunks())


def test_a_keyword_index_cached_by_another_tokenizer_is_built_again(index, tmp_path, monkeypatch):
    from rag.retrieval import keyword
    from rag.text.analysis import words

    documents = index.store.documents()
    cache = tmp_path / "keyword-cache"
    before = keyword.SyncedKeywordIndex(index.store, cache).load_or_build(documents)
    assert keyword.SyncedKeywordIndex(index.store, cache).load_or_build(documents).bm25.vocab_dict == before.bm25.vocab_dict
    # New tokenizer code (here: words unstemmed, stopwords kept) must not load the old index.
    monkeypatch.setattr(keyword, "content_stems", words)
    after = keyword.SyncedKeywordIndex(index.store, cache).load_or_build(documents)
    assert len([d for d in cache.iterdir() if d.is_dir()]) == 2
    assert "de" in after.bm25.vocab_dict and "de" not in before.bm25.vocab_dict
