"""The Chroma store: chunks with their vectors, and a registry of indexed documents.

Two collections:
- `<name>` holds one record per chunk (vector, text, position metadata, `version`);
- `<name>-documents` holds one record per document: its title, publisher, year, url and the
  `version` that is live.

A document version is live exactly when the registry points at it. Searches only return
chunks of live versions, so replacing a document is: write the new chunks (invisible),
switch the registry record (one write), delete the old chunks. A failure at any step
leaves the previous version searchable and never shows two versions at once; leftovers
of an interrupted run are removed by `collect_garbage`.

The store works the same against an embedded persistent client and a Chroma server,
which several app processes may share.
"""

from __future__ import annotations

import functools
import logging
import shutil
import time
from urllib.parse import urlparse

import numpy as np

from rag.errors import (
    BronwijzerError,
    ConfigurationError,
    DocumentNotFoundError,
    EmbeddingModelMismatchError,
    IndexCorruptError,
    NothingIndexedError,
    StoreUnavailableError,
)
from rag.settings import Settings
from rag.types import Chunk, IndexedDocument, Passage, SearchFilters

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Chroma's registry records need a vector; the registry is never searched by vector.
_NO_VECTOR = [0.0]
_WRITE_BATCH = 256
#: The vector-graph settings of a collection that is read by id and never searched.
_UNSEARCHED = {"ef_construction": 16, "max_neighbors": 4}


def _chunk_metadata(chunk: Chunk) -> dict:
    meta = {
        "document_id": chunk.document_id,
        "version": chunk.content_hash,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind,
        "embedding_key": chunk.embedding_key,
    }
    # Chroma drops None values; absence means "unknown".
    if chunk.section:
        meta["section"] = chunk.section
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta


def _chunk_from_record(text: str, meta: dict, title: str) -> Chunk:
    return Chunk(
        document_id=meta["document_id"],
        index=int(meta["index"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        section=meta.get("section"),
        page=meta.get("page"),
        kind=meta.get("kind", "text"),
        title=title,
        content_hash=meta["version"],
    )


REBUILD_HINT = "Bouw de index opnieuw op met `bronwijzer ingest --rebuild`."


def _chroma_call(method):
    """Turn whatever Chroma raises into one of our errors, with what to do about it."""

    @functools.wraps(method)
    def wrapper(self: "ChromaStore", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except BronwijzerError:
            raise
        except Exception as exc:
            raise self._unreadable(exc) from exc

    return wrapper


class ChromaStore:
    """Chunks and the document registry in Chroma (embedded on disk, or a server)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client = None
        self._chunks = None
        self._registry = None
        self._sentences = None

    # -- connection ---------------------------------------------------------------

    @property
    def location(self) -> str:
        return self._settings.chroma_url or str(self._settings.chroma_dir)

    @property
    def collection_name(self) -> str:
        return self._settings.collection

    def _connect(self):
        if self._client is not None:
            return self._client
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self._settings.chroma_url:
                url = urlparse(self._settings.chroma_url)
                self._client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                self._client.heartbeat()
            else:
                self._settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self._settings.chroma_dir), settings=chroma_settings
                )
        except Exception as exc:
            self._client = None
            raise self._unreadable(exc) from exc
        return self._client

    def _unreadable(self, exc: Exception) -> BronwijzerError:
        """What a failing Chroma call means for users: an incomplete installation, a server that
        is away, or an index that is broken."""
        if isinstance(exc, ImportError):
            # A package Chroma needs is missing or shadowed: rebuilding the index would not help.
            log.error("Chroma could not import what it needs (%s); the installation is incomplete: run scripts/setup.sh again", exc)
            return ConfigurationError(
                "Bronwijzer is niet volledig geïnstalleerd: de index kan niet worden gelezen. "
                "Voer `bash scripts/setup.sh` opnieuw uit; de index zelf is niet aangetast."
            )
        if self._settings.chroma_url:
            log.error("Chroma server at %s failed: %s: %s", self.location, type(exc).__name__, exc)
            return StoreUnavailableError(
                f"De Chroma-opslag op {self.location} is niet bereikbaar. "
                "Controleer BRONWIJZER_CHROMA_URL of start de Chroma-server."
            )
        log.error(
            "The index in %s cannot be read (%s: %s); rebuild it with `bronwijzer ingest --rebuild`",
            self.location, type(exc).__name__, exc,
        )
        return IndexCorruptError(f"De index is beschadigd of onleesbaar. {REBUILD_HINT}")

    def _collection(self, name: str, metadata: dict | None = None, hnsw: dict | None = None):
        client = self._connect()
        # embedding_function=None everywhere: Chroma's default function would download a model.
        return client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine", **(hnsw or {})}},
            metadata=metadata,
            embedding_function=None,
        )

    @property
    def chunks(self):
        if self._chunks is None:
            self._chunks = self._collection(self._settings.collection)
        return self._chunks

    @property
    def registry(self):
        if self._registry is None:
            self._registry = self._collection(f"{self._settings.collection}-documents")
        return self._registry

    @property
    def sentences(self):
        """One vector per distinct sentence of the chunks (`rag.retrieval.sentence_vectors`)."""
        if self._sentences is None:
            # Read by id only, never searched: the sparsest graph Chroma builds is enough and
            # takes half the time to write (the configuration applies when it is created).
            self._sentences = self._collection(f"{self._settings.collection}-sentences", hnsw=_UNSEARCHED)
        return self._sentences

    # -- model bookkeeping ----------------------------------------------------------

    @_chroma_call
    def index_model(self) -> tuple[str, int] | None:
        """The embedding model (name, dimension) the index was built with, if any."""
        meta = self.chunks.metadata or {}
        if "embedding_model" not in meta:
            return None
        return str(meta["embedding_model"]), int(meta["embedding_dimension"])

    @_chroma_call
    def collection_id(self) -> str:
        """The chunk collection's id: a new one after every `reset`, so that what was derived
        from the old collection (the keyword index cached on disk) is not taken for the new one."""
        return str(self.chunks.id)

    def ensure_model(self, model_name: str, dimension: int | None = None) -> None:
        """Refuse to mix vectors of two models; record the model on first use."""
        recorded = self.index_model()
        if recorded is None:
            if dimension is not None:
                self.chunks.modify(
                    metadata={
                        "embedding_model": model_name,
                        "embedding_dimension": dimension,
                        "schema_version": SCHEMA_VERSION,
                    }
                )
            return
        name, dim = recorded
        if name != model_name or (dimension is not None and dim != dimension):
            raise EmbeddingModelMismatchError(
                f"De index is gebouwd met embeddingmodel '{name}' ({dim} dimensies), maar ingesteld is "
                f"'{model_name}'. Zet BRONWIJZER_EMBEDDING_MODEL terug op '{name}', of bouw de index "
                "opnieuw op met het nieuwe model: `bronwijzer ingest --rebuild`."
            )

    def reset(self) -> None:
        """Drop the collections (for a rebuild with another model, or of a broken index)."""
        try:
            client = self._connect()
        except IndexCorruptError:
            # An embedded index that cannot even be opened: start it afresh on disk.
            self._discard_embedded()
            client = self._connect()
        for name in (self._settings.collection, f"{self._settings.collection}-documents", f"{self._settings.collection}-sentences"):
            try:
                client.delete_collection(name)
            except Exception:  # absent collection: nothing to drop
                log.debug("collection %s not present", name)
        self._chunks = self._registry = self._sentences = None

    def _discard_embedded(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        log.warning("Removing the unreadable index in %s to rebuild it", self.location)
        SharedSystemClient.clear_system_cache()
        shutil.rmtree(self._settings.chroma_dir, ignore_errors=True)
        self._client = self._chunks = self._registry = self._sentences = None

    # -- registry -------------------------------------------------------------------

    @_chroma_call
    def documents(self) -> list[IndexedDocument]:
        got = self.registry.get(include=["metadatas"])
        docs = [IndexedDocument.from_metadata(m) for m in got["metadatas"] or []]
        return sorted(docs, key=lambda d: d.id)

    @_chroma_call
    def document(self, document_id: str) -> IndexedDocument | None:
        got = self.registry.get(ids=[document_id], include=["metadatas"])
        metas = got["metadatas"] or []
        return IndexedDocument.from_metadata(metas[0]) if metas else None

    def activate(self, record: IndexedDocument) -> None:
        """Make `record.version` the live version of its document (one write)."""
        self.registry.upsert(ids=[record.id], embeddings=[_NO_VECTOR], metadatas=[record.to_metadata()])

    # -- chunks ---------------------------------------------------------------------

    def write_chunks(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        """Write chunks of a not-yet-live version (upsert: safe to repeat)."""
        if len(chunks) != len(embeddings):
            raise ValueError(f"got {len(chunks)} chunks but {len(embeddings)} embeddings")
        for i in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[i : i + _WRITE_BATCH]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=embeddings[i : i + _WRITE_BATCH],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c) for c in part],
            )

    def delete_versions_except(self, document_id: str, keep_version: str | None) -> int:
        """Delete the chunks of `document_id` that do not belong to `keep_version`."""
        where: dict = {"document_id": document_id}
        if keep_version is not None:
            where = {"$and": [where, {"version": {"$ne": keep_version}}]}
        stale = self.chunks.get(where=where, include=[])["ids"]
        for i in range(0, len(stale), _WRITE_BATCH):
            self.chunks.delete(ids=stale[i : i + _WRITE_BATCH])
        return len(stale)

    @_chroma_call
    def remove_document(self, document_id: str) -> IndexedDocument:
        record = self.document(document_id)
        if record is None:
            raise DocumentNotFoundError(f"Document '{document_id}' staat niet in de index.")
        # Registry first: from this moment the document is gone from every search.
        self.registry.delete(ids=[document_id])
        self.delete_versions_except(document_id, None)
        return record

    @_chroma_call
    def collect_garbage(self) -> int:
        """Delete chunks of versions that are not live (left by an interrupted ingest)."""
        live = {d.id: d.version for d in self.documents()}
        got = self.chunks.get(include=["metadatas"])
        stale = [
            cid
            for cid, meta in zip(got["ids"], got["metadatas"] or [])
            if live.get(meta["document_id"]) != meta["version"]
        ]
        for i in range(0, len(stale), _WRITE_BATCH):
            self.chunks.delete(ids=stale[i : i + _WRITE_BATCH])
        return len(stale)

    @_chroma_call
    def count_chunks(self) -> int:
        return sum(d.chunk_count for d in self.documents())

    @_chroma_call
    def live_chunks(self, filters: SearchFilters | None = None) -> list[Chunk]:
        """Every chunk of every live version (for keyword indexes and checks)."""
        docs = {d.id: d for d in self.documents() if filters is None or filters.admits(d)}
        if not docs:
            return []
        got = self.chunks.get(
            where={"version": {"$in": [d.version for d in docs.values()]}},
            include=["documents", "metadatas"],
        )
        chunks = [
            _chunk_from_record(text, meta, docs[meta["document_id"]].title)
            for text, meta in zip(got["documents"], got["metadatas"])
        ]
        return sorted(chunks, key=lambda c: (c.document_id, c.index))

    @_chroma_call
    def live_chunks_with_vectors(self, documents: list[IndexedDocument], page: int = 2000) -> tuple[list[Chunk], np.ndarray]:
        """The chunks of exactly these document versions with their stored vectors (float32 rows,
        same order), read a page at a time so that a large collection never arrives in one piece."""
        docs = {d.id: d for d in documents}
        chunks: list[Chunk] = []
        vectors: list = []
        for doc in docs.values():
            # One document at a time: bounded pages, and a version filter Chroma answers from its index.
            offset = 0
            while True:
                got = self.chunks.get(
                    where={"version": doc.version}, include=["documents", "metadatas", "embeddings"],
                    limit=page, offset=offset,
                )
                for text, meta in zip(got["documents"], got["metadatas"]):
                    chunks.append(_chunk_from_record(text, meta, doc.title))
                if len(got["ids"]):
                    vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
                if len(got["ids"]) < page:
                    break
                offset += page
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(chunks)), key=lambda i: (chunks[i].document_id, chunks[i].index))
        return [chunks[i] for i in order], matrix[order] if len(order) else matrix

    @_chroma_call
    def nearest_ids(self, embedding, n: int, versions: list[str] | None = None) -> tuple[list[str], list[float]]:
        """Ids and cosine similarities of the `n` chunks nearest to `embedding`, best first;
        `versions` restricts them to those document versions (a metadata filter), None searches all."""
        if n <= 0:
            raise ValueError(f"n must be greater than 0, got {n}")
        result = self.chunks.query(
            query_embeddings=[embedding], n_results=n, include=["distances"],
            where={"version": {"$in": versions}} if versions is not None else None,
        )
        # Cosine distance -> similarity, as in `query`.
        return list(result["ids"][0]), [1.0 - float(d) for d in result["distances"][0]]

    @_chroma_call
    def vectors_of_version(self, version: str) -> dict[str, list[float]]:
        """The vectors of one document version by `Chunk.embedding_key` (to reuse when it is replaced)."""
        got = self.chunks.get(where={"version": version}, include=["metadatas", "embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        return {m["embedding_key"]: [float(x) for x in v] for m, v in zip(got["metadatas"] or [], vectors) if "embedding_key" in m}

    @_chroma_call
    def vectors_by_key(self, keys: list[str], page: int = 500) -> dict[str, list[float]]:
        """Stored vectors of chunks whose `Chunk.embedding_key` is among `keys` (any document,
        any version: the same text has the same vector in an index of one model)."""
        found: dict[str, list[float]] = {}
        wanted = sorted(set(keys))
        for i in range(0, len(wanted), page):
            got = self.chunks.get(where={"embedding_key": {"$in": wanted[i : i + page]}}, include=["metadatas", "embeddings"])
            for meta, vector in zip(got["metadatas"] or [], got["embeddings"] if got["embeddings"] is not None else []):
                found.setdefault(meta["embedding_key"], [float(x) for x in vector])
        return found

    @_chroma_call
    def vectors(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these chunks."""
        if not chunk_ids:
            return {}
        got = self.chunks.get(ids=chunk_ids, include=["embeddings"])
        return {cid: list(vec) for cid, vec in zip(got["ids"], got["embeddings"])}

    # -- sentence vectors ------------------------------------------------------------

    @_chroma_call
    def sentence_vectors(self, keys: list[str], page: int = 500) -> dict[str, list[float]]:
        """The stored sentence vectors among `keys` (`rag.retrieval.sentence_vectors.sentence_key`)."""
        found: dict[str, list[float]] = {}
        for i in range(0, len(keys), page):
            got = self.sentences.get(ids=keys[i : i + page], include=["embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            found.update((key, [float(x) for x in vector]) for key, vector in zip(got["ids"], vectors))
        return found

    @_chroma_call
    def write_sentence_vectors(self, keys: list[str], vectors: list[list[float]]) -> None:
        """Store sentence vectors by key (upsert: the same key always has the same vector)."""
        if len(keys) != len(vectors):
            raise ValueError(f"got {len(keys)} keys but {len(vectors)} vectors")
        for i in range(0, len(keys), _WRITE_BATCH):
            self.sentences.upsert(ids=keys[i : i + _WRITE_BATCH], embeddings=vectors[i : i + _WRITE_BATCH])

    @_chroma_call
    def sentence_ids(self) -> set[str]:
        """The keys of every stored sentence vector (no vectors read)."""
        return set(self.sentences.get(include=[])["ids"])

    @_chroma_call
    def delete_sentence_vectors(self, keys: list[str]) -> None:
        for i in range(0, len(keys), _WRITE_BATCH):
            self.sentences.delete(ids=keys[i : i + _WRITE_BATCH])

    def query(
        self,
        embedding: list[float],
        k: int,
        filters: SearchFilters | None = None,
        documents: list[IndexedDocument] | None = None,
    ) -> list[Passage]:
        """The `k` live chunks nearest to `embedding`, best first, score = cosine similarity.

        `documents` is the registry as the caller just read it (saves a round trip).
        """
        if k <= 0:
            raise ValueError(f"k must be greater than 0, got {k}")
        return self._query(embedding, k, filters, documents)

    @_chroma_call
    def _query(self, embedding, k, filters, documents) -> list[Passage]:
        docs = {d.id: d for d in (documents if documents is not None else self.documents())}
        if not docs:
            raise NothingIndexedError()
        admitted = [d for d in docs.values() if filters is None or filters.admits(d)]
        if not admitted:
            return []
        started = time.perf_counter()
        result = self.chunks.query(
            query_embeddings=[embedding],
            n_results=k,
            where={"version": {"$in": [d.version for d in admitted]}},
            include=["documents", "metadatas", "distances"],
        )
        log.debug("chroma query took %.1f ms", (time.perf_counter() - started) * 1000)
        passages = []
        for rank, (text, meta, distance) in enumerate(
            zip(result["documents"][0], result["metadatas"][0], result["distances"][0]), start=1
        ):
            doc = docs[meta["document_id"]]
            passages.append(
                Passage(
                    chunk=_chunk_from_record(text, meta, doc.title),
                    # Cosine distance -> similarity: the one place distances are converted.
                    score=1.0 - float(distance),
                    rank=rank,
                    publisher=doc.publisher,
                    year=doc.year,
                    url=doc.url,
                    dense_score=1.0 - float(distance),
                )
            )
        return passages
