"""The one family of errors Bronwijzer raises on purpose.

Each error carries a message a school leader or operator can act on, in Dutch, and an
HTTP status, so that the edges (CLI, REST, Gradio) map them in exactly one place.
"""

from __future__ import annotations


class BronwijzerError(Exception):
    """Base class: `message` is for the user (Dutch), `status` for HTTP edges."""

    status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(BronwijzerError):
    """The settings do not make sense, or a configured resource cannot be used."""

    status = 500


class NothingIndexedError(BronwijzerError):
    """A search was asked of an empty index."""

    status = 503

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Er is nog niets geïndexeerd: voer eerst `bronwijzer ingest corpus/` uit."
        )


class EmbeddingModelMismatchError(BronwijzerError):
    """The index was built with another embedding model than the one configured."""

    status = 409


class DocumentNotFoundError(BronwijzerError):
    status = 404


class StoreUnavailableError(BronwijzerError):
    """The Chroma store (embedded or server) cannot be reached."""

    status = 503


class IndexCorruptError(BronwijzerError):
    """The embedded index on disk cannot be read: it has to be rebuilt."""

    status = 503


class IngestError(BronwijzerError):
    """A single file could not be ingested; the rest of the batch goes on."""

    status = 422

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedFormatError(IngestError):
    pass


class EmptyDocumentError(IngestError):
    pass


class EncryptedDocumentError(IngestError):
    pass


class CorruptDocumentError(IngestError):
    pass


class InvalidQuestionError(BronwijzerError):
    """The question (or its history or filters) cannot be asked as given."""

    status = 422
