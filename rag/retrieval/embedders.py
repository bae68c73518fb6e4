"""Which embedder the settings ask for."""

from __future__ import annotations

from rag.errors import ConfigurationError
from rag.protocols import Embedder
from rag.retrieval.embeddings import SentenceTransformerEmbedder
from rag.retrieval.onnx_embeddings import OnnxEmbedder
from rag.retrieval.sentence_vectors import SentenceVectors
from rag.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for: ONNX Runtime (fp32 or int8), or torch."""
    torch_embedder = SentenceTransformerEmbedder(settings)
    if settings.embedding_runtime == "torch":
        if settings.embedding_precision != "fp32":
            raise ConfigurationError("Int8 werkt alleen met BRONWIJZER_EMBEDDING_RUNTIME=onnx.")
        return torch_embedder
    return OnnxEmbedder(settings, source=torch_embedder)


def sentence_embedder(settings: Settings, embedder: Embedder) -> Embedder:
    """What embeds the chunks' sentences (`rag.retrieval.sentence_vectors`): the int8 export
    of an ONNX fp32 model (the sentence vectors feed one ranker signal; int8 embeds them about
    1.4x as fast), its batches of `sentence_batch_size` spread over one-thread sessions (short
    texts run faster that way on 2 cores: `benchmarks/sentence_pass.py`), else `embedder`
    itself."""
    if isinstance(embedder, OnnxEmbedder) and embedder.precision == "fp32":
        return embedder.with_precision("int8", spread=True, batch_size=settings.sentence_batch_size)
    return embedder


def sentence_vectors(settings: Settings, store, embedder: Embedder) -> SentenceVectors | None:
    """The sentence vectors of `store` as the settings ask (None: `sentence_vectors` is off)."""
    return SentenceVectors(store, sentence_embedder(settings, embedder)) if settings.sentence_vectors else None
