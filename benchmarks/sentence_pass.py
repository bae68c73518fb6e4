"""The ranker's sentence pass on its own: the corpus's sentences through the int8 sentence embedder,
its batches in one session with all the threads against spread over one-thread sessions.

    .venv/bin/python benchmarks/sentence_pass.py [--rounds 5] [--threads 2]

The sentences are those `bronwijzer ingest` embeds for corpus/ (`chunk_sentences` of every
chunk, each distinct text once), in the slices `SentenceVectors` uses. The two ways alternate,
round after round, after one warm-up slice each (sessions made, pages touched); the script
prints each round, the medians, and whether the vectors are identical (they must be: the same
batches go through the same model). No index is read or written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from ingest.pipeline import collect_files, prepare_document  # noqa: E402
from rag.retrieval.embedders import make_embedder  # noqa: E402
from rag.retrieval.sentence_vectors import BATCH, chunk_sentences  # noqa: E402
from rag.settings import REPO_ROOT, get_settings  # noqa: E402


def corpus_sentences(settings) -> list[str]:
    """The distinct sentences of corpus/'s chunks, in first-seen order."""
    seen: dict[str, None] = {}
    for path in collect_files([REPO_ROOT / "corpus"]):
        for chunk in prepare_document(path, settings).chunks:
            seen.update(dict.fromkeys(chunk_sentences(chunk)))
    return list(seen)


def embed_all(embedder, sentences: list[str]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    vectors = [v for i in range(0, len(sentences), BATCH) for v in embedder.embed_documents(sentences[i : i + BATCH])]
    return time.perf_counter() - started, np.asarray(vectors, dtype=np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    settings = get_settings().model_copy(update={"embed_threads": args.threads})
    sentences = sorted(corpus_sentences(settings), key=len)  # as SentenceVectors orders them
    fp32 = make_embedder(settings)
    ways = {"one session": fp32.with_precision("int8"), "spread": fp32.with_precision("int8", spread=True)}
    for embedder in ways.values():
        embedder.embed_documents(sentences[-BATCH:])
    print(f"{len(sentences)} sentences, {args.threads} threads, {os.cpu_count()} cores")
    print("| round | one session s | spread s |")
    print("|---:|---:|---:|")
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    vectors: dict[str, np.ndarray] = {}
    for round_ in range(1, args.rounds + 1):
        for name, embedder in ways.items():
            took, vectors[name] = embed_all(embedder, sentences)
            seconds[name].append(took)
        print(f"| {round_} | {seconds['one session'][-1]:.1f} | {seconds['spread'][-1]:.1f} |", flush=True)
    one, spread = (statistics.median(seconds[name]) for name in ways)
    faster = sum(s < o for o, s in zip(seconds["one session"], seconds["spread"]))
    print(f"median: one session {one:.1f} s, spread {spread:.1f} s ({spread / one - 1:+.0%}); "
          f"spread faster in {faster} of {args.rounds} rounds")
    print(f"vectors identical: {np.array_equal(vectors['one session'], vectors['spread'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
