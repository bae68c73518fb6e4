"""Text embeddings: the bundled multilingual-e5-small, or any sentence-transformers model.

`make_embedder(settings)` chooses: by default ONNX Runtime runs an export of the model
(`rag.retrieval.onnx_embeddings`) at `embedding_precision` fp32 (the same vectors as torch, faster) or
int8 (faster still, measured slightly worse retrieval: opt-in); `embedding_runtime=torch`
runs the model itself in sentence-transformers (`SentenceTransformerEmbedder`), as do models
the export does not support. Both are LangChain `Embeddings`, so the index can be used
from LangChain too. Models load lazily on first use (`warm_up`), never at construction.
"""

from __future__ import annotations

import logging
import os
import threading

from langchain_core.embeddings import Embeddings

from rag.errors import ConfigurationError
from rag.protocols import Embedder  # noqa: F401 (what the embedders here implement)
from rag.settings import BUNDLED_E5, Settings

log = logging.getLogger(__name__)


def _force_offline() -> None:
    # No model hub is reachable here: fail fast instead of retrying network calls.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class SentenceTransformerEmbedder(Embeddings):
    """Embeds passages and queries with a sentence-transformers model, e5 prefixes included."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model = None
        self._lock = threading.Lock()
        self._batch_threads = settings.embed_threads or os.cpu_count() or 1
        self._threads: int | None = None
        self.query_prefix = settings.effective_query_prefix
        self.passage_prefix = settings.effective_passage_prefix

    @property
    def model_name(self) -> str:
        return self._settings.embedding_model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def prepared(self) -> bool:
        """False while the bundled e5 still has to be converted (about a minute, once per
        model cache); a named or local model is used as it is."""
        if self._settings.embedding_model != BUNDLED_E5:
            return True
        from rag.retrieval.e5_conversion import bundled_e5_converted

        return bundled_e5_converted(self._settings.models_dir)

    def prepare(self) -> None:
        """Convert the bundled e5 if that is still to be done (`prepared`); loads nothing."""
        self.model_path()

    def model_path(self) -> str:
        """Where the model comes from: the converted bundled e5, or the configured name/path."""
        name = self._settings.embedding_model
        if name == BUNDLED_E5:
            from rag.retrieval.e5_conversion import ensure_bundled_e5

            return str(ensure_bundled_e5(self._settings.models_dir))
        return name

    def warm_up(self) -> None:
        """Load the model (converting the bundled e5 on first use)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            _force_offline()
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # Our own progress bars report the work; the library's weight-loading bar is noise.
            transformers_logging.disable_progress_bar()

            source = self.model_path()
            try:
                model = SentenceTransformer(source, device="cpu")
            except Exception as exc:  # the library raises many kinds; all mean "cannot load"
                raise ConfigurationError(
                    f"Het embeddingmodel '{source}' kan niet worden geladen ({type(exc).__name__}: {exc}). "
                    "Zonder internet werkt alleen een model dat lokaal staat: geef een pad op in "
                    "BRONWIJZER_EMBEDDING_MODEL, of gebruik het meegeleverde 'multilingual-e5-small'."
                ) from exc
            log.info("Loaded embedding model %s from %s", self.model_name, source)
            self._model = model

    @property
    def dimension(self) -> int:
        self.warm_up()
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(get_dim())

    def _encode(self, texts: list[str], threads: int | None = None) -> list[list[float]]:
        self.warm_up()
        if threads is not None and threads != self._threads:
            import torch

            # Process-wide and not free: set when the kind of work changes (in practice once per
            # process: a server embeds questions, an ingest passages), never per call.
            torch.set_num_threads(threads)
            self._threads = threads
        vectors = self._model.encode(
            texts,
            batch_size=self._settings.embed_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts], self._batch_threads)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text], self._settings.query_threads)[0]
