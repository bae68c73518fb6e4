"""The ranker's sentence pass on its own: the corpus's sentences through the int8 sentence
embedder, three ways: one session with all the threads, and spread over one-thread sessions,
each in batches of `embed_batch_size`; and the shipped way, spread in batches of
`sentence_batch_size`.

    .venv/bin/python benchmarks/sentence_pass.py [--rounds 5] [--threads 2] [--fp32]

The sentences are those `bronwijzer ingest` embeds for corpus/ (`chunk_sentences` of every
chunk, each distinct text once), in the slices `SentenceVectors` uses. The ways alternate,
round after round, after one warm-up slice each (sessions made, pages touched); the script
prints each round and the medians. The first two give identical vectors (the same batches go
through the same model); other batches do not, because int8's dynamic quantisation scales a
batch's activations by that batch's range, so `--fp32` also embeds the sentences with the fp32
model and prints each way's cosine with those vectors. No index is read or written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from ingest.pipeline import collect_files, prepare_document  # noqa: E402
from rag.retrieval.embedders import make_embedder, sentence_embedder  # noqa: E402
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
    parser.add_argument("--fp32", action="store_true", help="also compare each way's vectors with the fp32 model's")
    args = parser.parse_args()
    settings = get_settings().model_copy(update={"embed_threads": args.threads})
    sentences = sorted(corpus_sentences(settings), key=len)  # as SentenceVectors orders them
    fp32 = make_embedder(settings)
    plain, shipped = settings.embed_batch_size, settings.sentence_batch_size
    ways = {
        f"one session, batch {plain}": fp32.with_precision("int8"),
        f"spread, batch {plain}": fp32.with_precision("int8", spread=True),
        f"spread, batch {shipped} (shipped)": sentence_embedder(settings, fp32),
    }
    for embedder in ways.values():
        embedder.embed_documents(sentences[-BATCH:])
    print(f"{len(sentences)} sentences, {args.threads} threads, {os.cpu_count()} cores")
    print("| round | " + " | ".join(f"{name} s" for name in ways) + " |")
    print("|---:|" + "---:|" * len(ways))
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    vectors: dict[str, np.ndarray] = {}
    for round_ in range(1, args.rounds + 1):
        for name, embedder in ways.items():
            took, vectors[name] = embed_all(embedder, sentences)
            seconds[name].append(took)
        print(f"| {round_} | " + " | ".join(f"{seconds[name][-1]:.1f}" for name in ways) + " |", flush=True)
    first, *others = ways
    base = statistics.median(seconds[first])
    for name in ways:
        median = statistics.median(seconds[name])
        faster = sum(s < b for b, s in zip(seconds[first], seconds[name]))
        against = f" ({median / base - 1:+.0%}, faster in {faster} of {args.rounds} rounds)" if name != first else ""
        print(f"median {name}: {median:.1f} s{against}")
    print(f"vectors of the first two identical: {np.array_equal(vectors[first], vectors[others[0]])}")
    if args.fp32:
        _, reference = embed_all(fp32, sentences)
        for name in ways:
            cosines = np.einsum("ij,ij->i", vectors[name], reference)
            print(f"cosine with fp32, {name}: mean {cosines.mean():.5f}, 1st percentile "
                  f"{np.percentile(cosines, 1):.5f}, lowest {cosines.min():.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
