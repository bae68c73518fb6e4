"""The ONNX Runtime embedder: the exported model (`rag.retrieval.onnx_export`) at fp32 or int8.

Same contract as `SentenceTransformerEmbedder` (e5 prefixes, unit vectors, a LangChain
`Embeddings`); at fp32 the same vectors about 1.5x as fast on a CPU, at int8 about twice as
fast with vectors at cosine 0.999 of fp32. Threads are fixed once per session: one session
with `query_threads` for questions, created by `warm_up`, and one with `embed_threads` for
batches of passages, created on the first batch, so a serving process never holds the
second and the thread counts never change under a running request. `InferenceSession.run`
releases the GIL and may be called from several threads at once.

An embedder made with `with_precision(..., spread=True)` (the sentence vectors' int8 one) runs
its batches round-robin over `embed_threads` sessions of one thread each (at most `MAX_SPREAD`
sessions, which share the threads on more cores) instead of one session with all the threads:
a batch of short sentences (30 tokens or so) keeps two threads of one session waiting on each
other, two batches side by side do not. Each batch is the same as in one session, and so are
its vectors. On this 2-core host the corpus's 6,055 sentences embed in 21.7 s instead of
22.9 s (medians of 5, faster in every round: `benchmarks/sentence_pass.py`); the chunks, some
250 tokens each, gain nothing.

`batch_size` (default `embed_batch_size`) is how many texts go through a session at once. At
fp32 it changes a vector by rounding only. At int8 it changes it a little more: the export's
dynamic quantisation scales each activation by the range of the whole batch, so a text's
vector depends on the texts batched with it, and the smaller the batch, the closer to fp32.
The sentence vectors go in batches of `sentence_batch_size` (8): on the corpus's sentences
19.5 s instead of 21.2 s with 32, at mean cosine 0.99927 with fp32 instead of 0.99911
(`benchmarks/sentence_pass.py --fp32`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import ConfigurationError
from rag.retrieval.embeddings import SentenceTransformerEmbedder
from rag.retrieval.onnx_export import EXPORT_VERSION, MODEL_FILES, ensure_onnx, onnx_exported, padded
from rag.settings import Settings

log = logging.getLogger(__name__)

#: Suffix of the model name the index records for int8 vectors: they are not mixed with fp32
#: ones, nor with those of another export's int8 model (its quantisation may differ).
INT8_SUFFIX = f"@int8-v{EXPORT_VERSION}"


#: At most this many sessions side by side for a `spread` embedder; on more cores each gets
#: several threads. (A second int8 session, run once, adds about 20 MB of RSS here.)
MAX_SPREAD = 4


class OnnxEmbedder(Embeddings):
    """Embeds passages and queries with the ONNX export of the configured model."""

    def __init__(
        self,
        settings: Settings,
        source: "object | None" = None,
        precision: str | None = None,
        *,
        spread: bool = False,
        batch_size: int | None = None,
    ) -> None:
        self._settings = settings
        self.precision = precision or settings.embedding_precision
        if self.precision not in MODEL_FILES:
            raise ValueError(f"precision must be one of {sorted(MODEL_FILES)}, got {self.precision!r}")
        #: Where the fp32 model comes from (a `SentenceTransformerEmbedder`), for its path.
        self._source = source
        self._lock = threading.Lock()
        self._directory: Path | None = None
        self._info: dict | None = None
        self._tokenizer = None
        #: Sessions by (threads, worker): worker > 0 only for the side-by-side sessions of `spread`.
        self._sessions: dict[tuple[int, int], object] = {}
        #: Batches of passages go round-robin over one-thread sessions (see the module docstring).
        self.spread = spread
        #: Texts per session run (default `embed_batch_size`). With int8 it changes the vectors a
        #: little: dynamic quantisation scales each batch's activations by the batch's range.
        self.batch_size = batch_size or settings.embed_batch_size
        #: The embedder of another precision this one was made from (`with_precision`).
        self._sibling: "OnnxEmbedder | None" = None
        self._batch_threads = settings.embed_threads or os.cpu_count() or 1
        self.query_prefix = settings.effective_query_prefix
        self.passage_prefix = settings.effective_passage_prefix

    @property
    def model_name(self) -> str:
        # fp32 vectors equal torch's (cosine 0.9999995): the same index serves both.
        return self._settings.embedding_model + (INT8_SUFFIX if self.precision == "int8" else "")

    def with_precision(self, precision: str, *, spread: bool = False, batch_size: int | None = None) -> "OnnxEmbedder":
        """The same model, from the same export, at `precision` (`spread`, `batch_size`: see the
        module docstring). It reads its tokenizer from this one if this one has loaded it by then
        (an ingest saves half a second or more)."""
        other = OnnxEmbedder(self._settings, source=self._source, precision=precision, spread=spread, batch_size=batch_size)
        other._sibling = self
        return other

    @property
    def loaded(self) -> bool:
        return self._tokenizer is not None

    @property
    def prepared(self) -> bool:
        """False while the model still has to be converted or exported to ONNX (a minute or
        so, once per model cache): what the first `warm_up` or embedding would do first."""
        source = self._source_embedder()
        if not source.prepared:
            return False
        path = Path(source.model_path())
        # A model that is no local directory cannot be exported; loading it says why.
        return not path.is_dir() or onnx_exported(path)

    def prepare(self) -> None:
        """Convert and export the model if that is still to be done (`prepared`); no session."""
        self._model_directory()

    def _source_embedder(self) -> SentenceTransformerEmbedder:
        return self._source or SentenceTransformerEmbedder(self._settings)

    def _model_directory(self) -> Path:
        source = Path(self._source_embedder().model_path())
        if not source.is_dir():
            raise ConfigurationError(
                f"Voor int8 is een lokaal model nodig; '{source}' is geen map. Geef een pad op in "
                "BRONWIJZER_EMBEDDING_MODEL of zet BRONWIJZER_EMBEDDING_RUNTIME=torch."
            )
        return ensure_onnx(source, self.passage_prefix)

    def _load(self) -> None:
        if self._tokenizer is not None:
            return
        with self._lock:
            if self._tokenizer is not None:
                return
            sibling = self._sibling
            if sibling is not None and sibling.loaded:
                directory, info, tokenizer, pad_id = sibling._directory, sibling._info, sibling._tokenizer, sibling._pad_id
            else:
                directory, info, tokenizer, pad_id = self._read_tokenizer()
            self._directory, self._info, self._pad_id = directory, info, pad_id
            self._tokenizer = tokenizer  # last: `loaded` says the rest is set
            log.info("Loaded ONNX embedding model %s (%s) from %s", self._settings.embedding_model, self.precision, directory)

    def _read_tokenizer(self) -> tuple[Path, dict, object, int]:
        """The export's directory, its `embedder.json`, its tokenizer (truncating, not padding)
        and the padding token's id."""
        from tokenizers import Tokenizer

        directory = self._model_directory()
        info = json.loads((directory / "embedder.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tokenizer.enable_truncation(int(info["max_seq_length"]))
        tokenizer.no_padding()
        pad = tokenizer.token_to_id("<pad>")
        return directory, info, tokenizer, pad if pad is not None else 0

    def _session(self, threads: int, worker: int = 0):
        key = (threads, worker)
        session = self._sessions.get(key)
        if session is not None:
            return session
        with self._lock:
            if key not in self._sessions:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                # Idle threads sleep instead of spinning: the cores belong to the other requests.
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                options.log_severity_level = 3
                self._sessions[key] = ort.InferenceSession(
                    str(self._directory / MODEL_FILES[self.precision]), options, providers=["CPUExecutionProvider"]
                )
            return self._sessions[key]

    def warm_up(self) -> None:
        """Export the model if needed, load the tokenizer and the query session."""
        self._load()
        self._session(self._settings.query_threads)

    @property
    def dimension(self) -> int:
        self._load()
        return int(self._info["dimension"])

    def encode(self, texts: list[str], threads: int) -> np.ndarray:
        """Unit vectors (float32, one row per text), batched by length so that batches pad little."""
        self._load()
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=True)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), int(self._info["dimension"])), dtype=np.float32)
        batch_size = self.batch_size
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        width = min(threads, MAX_SPREAD) if self.spread else 1
        workers = min(width, len(batches))

        def run(worker: int) -> None:
            session = self._session(threads // width, worker)
            for rows in batches[worker::workers]:
                out[rows] = session.run(None, padded([encodings[i].ids for i in rows], self._pad_id))[0]

        if workers > 1:
            with ThreadPoolExecutor(workers, thread_name_prefix="onnx-batch") as pool:
                list(pool.map(run, range(workers)))  # list(): a worker's error is raised here
        elif batches:
            run(0)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode([self.passage_prefix + t for t in texts], self._batch_threads).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([self.query_prefix + text], self._settings.query_threads)[0].tolist()
