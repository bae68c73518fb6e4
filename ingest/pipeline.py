"""The write path: files -> cleaned Documents -> Chunks -> vectors -> store.

Incremental: each document has a version (hash of its bytes and of the pipeline settings
that shape its chunks). An unchanged document is not read past its hash and nothing is
embedded for it. A changed document's new chunks are written first and made live in one
registry write, then the old chunks are deleted (see `rag.retrieval.store`), so a failure part-way
leaves the previous version searchable and duplicates are never visible.

Each file fails alone: its error is reported with its name and the rest of the batch goes on.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.chunking import chunk_document
from ingest.clean import clean_text
from ingest.loaders import DocumentLimits, LoadedFile, is_supported, load_file
from ingest.manifest import MANIFEST_NAME, derive_meta, read_manifest
from rag.protocols import Embedder
from rag.errors import BronwijzerError, IngestError, UnsupportedFormatError
from rag.retrieval.embedders import sentence_vectors
from rag.retrieval.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.retrieval.store import ChromaStore
from rag.types import IndexedDocument
from rag.types import Chunk, Document, DocumentMeta, sha256_hex

log = logging.getLogger(__name__)

#: Bump when cleaning or chunking changes its output, so that ingest re-indexes everything.
PIPELINE_VERSION = "29"

Status = Literal["indexed", "unchanged", "failed"]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    path: str
    status: Status
    document_id: str | None = None
    chunks: int = 0
    message: str | None = None


@dataclass
class IngestReport:
    """The summary of one ingest run."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    chunks_embedded: int = 0
    #: Chunks of new or changed documents whose text was already embedded in the index (not embedded again).
    chunks_reused: int = 0
    #: Sentences of the live chunks embedded for the ranker (`rag.retrieval.sentence_vectors`).
    sentences_embedded: int = 0
    #: Completing them failed (logged); the documents themselves are indexed.
    sentences_failed: bool = False
    #: Of `seconds`, the time spent completing the sentence vectors (what they add to a run).
    sentence_seconds: float = 0.0
    garbage_collected: int = 0

    def _count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def indexed(self) -> int:
        return self._count("indexed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass(frozen=True)
class PreparedDocument:
    """A changed document, cleaned and chunked, waiting to be embedded."""

    document: Document
    chunks: list[Chunk]
    loaded: LoadedFile

    def record(self, source_path: str | None = None) -> IndexedDocument:
        """The registry record that makes this version live (`source_path`: where the file is kept)."""
        doc = self.document
        return IndexedDocument(
            id=doc.id,
            title=doc.title,
            version=doc.content_hash,
            content_hash=self.loaded.raw_bytes_sha256,
            chunk_count=len(self.chunks),
            publisher=doc.meta.publisher,
            year=doc.meta.year,
            description=doc.meta.description,
            aliases=doc.meta.aliases,
            url=doc.meta.url,
            source_path=source_path or doc.source_path,
            format=self.loaded.format,
            pages=self.loaded.page_count,
            ingested_at=time.time(),
        )


def prepare_document(path: Path, settings: Settings, meta: DocumentMeta | None = None, version: str | None = None) -> PreparedDocument:
    """Load (within the settings' document limits), clean and chunk one file."""
    loaded = load_file(path, DocumentLimits.from_settings(settings))
    meta = meta or derive_meta(path, loaded.text, loaded.title_hint)
    version = version or document_version(loaded.raw_bytes_sha256, settings)
    document = build_document(loaded, meta, version)
    chunks = chunk_document(document, chunk_size=settings.chunk_size, overlap=settings.chunk_overlap)
    if not chunks:
        raise IngestError(str(path), "na het opschonen bleef er geen tekst over om te indexeren.")
    return PreparedDocument(document, chunks, loaded)


def embed_chunks(
    chunks: Sequence[Chunk],
    embedder: Embedder,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
    known: Mapping[str, Sequence[float]] | None = None,
) -> list[list[float]]:
    """Vectors for `chunks`, in their order; `on_batch(n)` after each batch of n chunks embedded.

    A chunk whose `embedding_key` is in `known` (vectors already in the index) takes that
    vector and is not embedded. The rest go longest-last, so each batch pads to similar lengths.
    """
    known = known or {}
    vectors: list[list[float] | None] = [list(known[c.embedding_key]) if c.embedding_key in known else None for c in chunks]
    todo = sorted((i for i, v in enumerate(vectors) if v is None), key=lambda i: len(chunks[i].contextual_text))
    step = max(batch_size * 2, 1)
    for i in range(0, len(todo), step):
        batch = todo[i : i + step]
        for j, vector in zip(batch, embedder.embed_documents([chunks[j].contextual_text for j in batch])):
            vectors[j] = vector
        if on_batch:
            on_batch(len(batch))
    return vectors  # type: ignore[return-value]


def store_document(store: ChromaStore, record: IndexedDocument, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> int:
    """Write a version's chunks, make it live in one registry write, drop older versions' chunks.

    Returns the number of old chunks removed. A failure before `activate` leaves the previous
    version live (the new chunks are garbage that `collect_garbage` removes).
    """
    store.write_chunks(list(chunks), [list(v) for v in vectors])
    store.activate(record)
    return store.delete_versions_except(record.id, record.version)


ProgressCallback = Callable[[int, int], None]
"""Called as (chunks embedded so far, chunks to embed in this run)."""


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus the files below named directories (hidden files and the manifest skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and child.name != MANIFEST_NAME and not any(
                    part.startswith(".") for part in relative.parts
                ):
                    files.append(child)
        else:
            files.append(path)
    return files


def split_pages(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove form-feed page markers; return the text and the offset where each page starts."""
    if "\f" not in text:
        return text.strip(), ()
    pieces: list[str] = []
    starts: list[int] = []
    waiting = 0  # empty pages start where the next page with text does
    offset = 0
    for page in text.split("\f"):
        page = page.strip()
        if not page:
            waiting += 1
            continue
        if pieces:
            offset += 2  # the "\n\n" that joins this page to the previous text
        starts.extend([offset] * (waiting + 1))
        waiting = 0
        pieces.append(page)
        offset += len(page)
    starts.extend([offset] * waiting)
    return "\n\n".join(pieces), tuple(starts)


def document_version(content_hash: str, settings: Settings) -> str:
    """The version of a document: its bytes and everything that shapes its chunks."""
    return sha256_hex(
        f"{content_hash}:{PIPELINE_VERSION}:{settings.chunk_size}:{settings.chunk_overlap}"
    )[:20]


def build_document(loaded: LoadedFile, meta: DocumentMeta, version: str) -> Document:
    """Clean a loaded file into a Document (pages kept as offsets)."""
    text, page_starts = split_pages(clean_text(loaded.text))
    return Document(
        id=loaded.path.name,
        text=text,
        meta=meta,
        content_hash=version,
        source_path=str(loaded.path),
        page_starts=page_starts,
    )


class Ingestor:
    """Indexes files into the store, incrementally."""

    def __init__(
        self, settings: Settings, store: ChromaStore, embedder: Embedder, sentences: SentenceVectors | None = None
    ) -> None:
        self._settings = settings
        self._store = store
        self._embedder = embedder
        #: Completes the live chunks' sentence vectors after each run (None: the settings decide).
        self._sentences = sentences if sentences is not None else sentence_vectors(settings, store, embedder)

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
        on_sentences: ProgressCallback | None = None,
    ) -> IngestReport:
        """Index `paths` (files, or directories with their files); `on_progress` follows the
        chunks embedded, `on_sentences` the sentences embedded after them."""
        started = time.perf_counter()
        report = IngestReport()
        if rebuild:
            self._store.reset()
        self._refuse_other_model()

        indexed = {d.id: d for d in self._store.documents()}
        manifests: dict[Path, dict[str, DocumentMeta]] = {}
        prepared: list[PreparedDocument] = []
        seen: dict[str, str] = {}

        for path in collect_files(paths):
            try:
                outcome = self._prepare(path, indexed, manifests, seen, prepared)
            except IngestError as exc:
                outcome = FileOutcome(str(path), "failed", message=exc.message)
            except Exception as exc:  # one broken file must never stop the batch
                log.exception("Unexpected error while preparing %s", path)
                outcome = FileOutcome(
                    str(path), "failed", message=f"{path}: onverwachte fout ({type(exc).__name__}: {exc})"
                )
            if outcome is not None:
                report.outcomes.append(outcome)

        total = sum(len(p.chunks) for p in prepared)
        if prepared:
            self._store.ensure_model(self._embedder.model_name, self._embedder.dimension)
        for item in prepared:
            report.outcomes.append(self._index(item, report, total, on_progress))

        report.garbage_collected = self._store.collect_garbage() if prepared else 0
        if self._sentences is not None:
            # Every run, not only one that changed something: an index written before sentence
            # vectors existed (or while they were off) gets them from a plain `bronwijzer ingest`.
            sentences_started = time.perf_counter()
            try:
                report.sentences_embedded = self._sentences.complete(self._store.live_chunks(), on_sentences)
            except Exception as exc:  # the documents are indexed; the signal can be completed later
                log.error("Sentence vectors could not be completed (%s: %s); the next `bronwijzer ingest` "
                          "or index load completes them", type(exc).__name__, exc)
                report.sentences_failed = True
            report.sentence_seconds = time.perf_counter() - sentences_started
        report.seconds = time.perf_counter() - started
        return report

    # -- steps ----------------------------------------------------------------------

    def _refuse_other_model(self) -> None:
        recorded = self._store.index_model()
        if recorded is not None and recorded[0] != self._embedder.model_name:
            # Same check as at query time; dimension is compared once the model is loaded.
            self._store.ensure_model(self._embedder.model_name)

    def _prepare(
        self,
        path: Path,
        indexed: dict[str, IndexedDocument],
        manifests: dict[Path, dict[str, DocumentMeta]],
        seen: dict[str, str],
        prepared: list[PreparedDocument],
    ) -> FileOutcome | None:
        if not path.exists():
            raise IngestError(str(path), "bestand niet gevonden.")
        if not is_supported(path):
            raise UnsupportedFormatError(
                str(path), f"bestandstype '{path.suffix or '(geen)'}' wordt niet ondersteund."
            )
        if path.name in seen:
            raise IngestError(
                str(path),
                f"er is in deze run al een document met de naam '{path.name}' ({seen[path.name]}); "
                "documentnamen moeten uniek zijn.",
            )
        seen[path.name] = str(path)

        directory = path.parent.resolve()
        if directory not in manifests:
            manifests[directory] = read_manifest(directory)
        listed = manifests[directory].get(path.name)
        # Hash the bytes before parsing anything: an unchanged file costs one read.
        version = document_version(sha256_hex(path.read_bytes()), self._settings)

        current = indexed.get(path.name)
        if current is not None and current.version == version:
            if listed is not None and _meta_of(current) != listed:
                # Title/publisher/year/url live in the registry only: no re-embedding needed.
                self._store.activate(_with_meta(current, listed))
            return FileOutcome(str(path), "unchanged", path.name, current.chunk_count)

        prepared.append(prepare_document(path, self._settings, listed, version))
        return None

    def _index(
        self, item: PreparedDocument, report: IngestReport, total: int, on_progress: ProgressCallback | None
    ) -> FileOutcome:
        doc = item.document
        try:
            vectors = self._embed(item.chunks, report, total, on_progress)
            removed = store_document(self._store, item.record(), item.chunks, vectors)
            log.info("Indexed %s: %d chunks (%d old chunks removed)", doc.id, len(item.chunks), removed)
            return FileOutcome(doc.source_path, "indexed", doc.id, len(item.chunks))
        except BronwijzerError as exc:
            return FileOutcome(doc.source_path, "failed", doc.id, message=f"{doc.source_path}: {exc.message}")
        except Exception as exc:
            log.exception("Indexing %s failed; its previous version stays live", doc.id)
            return FileOutcome(
                doc.source_path, "failed", doc.id,
                message=f"{doc.source_path}: indexeren mislukt ({type(exc).__name__}: {exc}); "
                "de vorige versie blijft doorzoekbaar.",
            )

    def _embed(
        self, chunks: list[Chunk], report: IngestReport, total: int, on_progress: ProgressCallback | None
    ) -> list[list[float]]:
        known = self._store.vectors_by_key([c.embedding_key for c in chunks])
        reused = sum(1 for c in chunks if c.embedding_key in known)
        report.chunks_reused += reused

        def counted(n: int) -> None:
            report.chunks_embedded += n
            if on_progress:
                on_progress(report.chunks_embedded + report.chunks_reused, total)

        if reused and on_progress:
            on_progress(report.chunks_embedded + report.chunks_reused, total)
        return embed_chunks(chunks, self._embedder, self._settings.embed_batch_size, counted, known)


def _meta_of(doc: IndexedDocument) -> DocumentMeta:
    return DocumentMeta(
        title=doc.title, publisher=doc.publisher, year=doc.year, description=doc.description, aliases=doc.aliases,
        url=doc.url,
    )


def _with_meta(current: IndexedDocument, meta: DocumentMeta) -> IndexedDocument:
    return dataclasses.replace(
        current, title=meta.title, publisher=meta.publisher, year=meta.year, description=meta.description,
        aliases=meta.aliases, url=meta.url,
    )
