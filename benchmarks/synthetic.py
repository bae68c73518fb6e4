"""Synthetic Dutch chunks made from the corpus, and their vectors, for the 100,000-chunk figures.

    .venv/bin/python benchmarks/synthetic.py --chunks 100000     # embed (resumable), then exit

Chunk i is one or two consecutive sentences of a corpus file, starting at a sentence chosen
by a seeded generator, so the text is real Dutch policy prose in new combinations. Chunks are
grouped into documents of 1,000 (`synthetisch-NNN.txt`). Vectors are embedded with the
configured passage embedder (int8 by default) and kept in
`$BRONWIJZER_HOME/synthetic/<n>-<model>.npy`, written part by part so an interrupted run goes
on where it stopped; `benchmarks/query_latency.py --synthetic N` reads them.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from pathlib import Path

import numpy as np

from rag.settings import REPO_ROOT, Settings, get_settings
from rag.types import Chunk

PER_DOCUMENT = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def corpus_sentences() -> list[list[str]]:
    files = []
    for path in sorted((REPO_ROOT / "corpus").glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        files.append([s for s in _SENTENCE_END.split(text) if 40 <= len(s) <= 400])
    return files


def synthetic_chunks(n: int, seed: int = 11) -> list[Chunk]:
    """`n` chunks of synthetic documents (see the module docstring); deterministic."""
    rng = random.Random(seed)
    files = corpus_sentences()
    chunks = []
    for i in range(n):
        sentences = files[rng.randrange(len(files))]
        start = rng.randrange(len(sentences) - 4)
        text = " ".join(sentences[start : start + rng.randint(1, 2)])
        doc = i // PER_DOCUMENT
        chunks.append(Chunk(
            document_id=f"synthetisch-{doc:03d}.txt", index=i % PER_DOCUMENT, text=text, start=0, end=len(text),
            section=f"Deel {1 + (i % PER_DOCUMENT) // 50}", title=f"Synthetisch document {doc}", content_hash=f"synthetic-{seed}-{doc}",
        ))
    return chunks


def vectors_path(n: int, settings: Settings, model_name: str) -> Path:
    return settings.home / "synthetic" / f"{n}-{model_name.replace('/', '_')}.npy"


def synthetic_vectors(chunks: list[Chunk], settings: Settings, part: int = 2000, progress: bool = True) -> np.ndarray:
    """The vectors of `chunks`, embedded once and kept on disk (resumable part by part)."""
    from rag.retrieval.embedders import make_embedder

    embedder = make_embedder(settings)
    final = vectors_path(len(chunks), settings, embedder.model_name)
    if final.is_file():
        return np.load(final)
    parts_dir = final.with_suffix(".parts")
    parts_dir.mkdir(parents=True, exist_ok=True)
    started, done_now = time.perf_counter(), 0
    for start in range(0, len(chunks), part):
        target = parts_dir / f"{start:07d}.npy"
        if target.is_file():
            continue
        vectors = np.asarray(embedder.embed_documents([c.contextual_text for c in chunks[start : start + part]]), dtype=np.float32)
        np.save(parts_dir / f"{start:07d}.tmp.npy", vectors)
        os.replace(parts_dir / f"{start:07d}.tmp.npy", target)
        done_now += len(vectors)
        if progress:
            rate = done_now / (time.perf_counter() - started)
            print(f"embedded {start + len(vectors)}/{len(chunks)} ({rate:.0f} chunks/s, load {os.getloadavg()[0]:.2f})", flush=True)
    matrix = np.concatenate([np.load(parts_dir / f"{s:07d}.npy") for s in range(0, len(chunks), part)])
    np.save(final, matrix)
    for leftover in parts_dir.iterdir():
        leftover.unlink()
    parts_dir.rmdir()
    return matrix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    args = parser.parse_args()
    chunks = synthetic_chunks(args.chunks)
    tokens = sum(len(c.contextual_text) for c in chunks) / 4
    print(f"{len(chunks)} synthetic chunks, ~{tokens / 1e6:.1f} M tokens (4 characters per token)", flush=True)
    started = time.perf_counter()
    synthetic_vectors(chunks, get_settings())
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
