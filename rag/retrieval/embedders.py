"""Which embedder the settings ask for."""

from __future__ import annotations

from rag.errors import ConfigurationError
from rag.protocols import Embedder
from rag.retrieval.embeddings import SentenceTransformerEmbedder
from rag.retrieval.onnx_embeddings import OnnxEmbedder
from rag.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for: ONNX Runtime (fp32 or int8), or torch."""
    torch_embedder = SentenceTransformerEmbedder(settings)
    if settings.embedding_runtime == "torch":
        if settings.embedding_precision != "fp32":
            raise ConfigurationError("Int8 werkt alleen met BRONWIJZER_EMBEDDING_RUNTIME=onnx.")
        return torch_embedder
    return OnnxEmbedder(settings, source=torch_embedder)
