"""Write rag/models/calibration-nl.txt: the texts the int8 export calibrates its smoothing on.

    .venv/bin/python scripts/calibration_texts.py [corpus/] [--out rag/models/calibration-nl.txt]

Sentences and whole chunks of the shipped documents, cleaned and chunked as ingest does, drawn
at random with a fixed seed: the int8 model embeds sentences, and, with
BRONWIJZER_EMBEDDING_PRECISION=int8, whole chunks (`rag.retrieval.onnx_export.smooth`). Only
the documents' own text: no question of any set.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from ingest.pipeline import collect_files, prepare_document
from rag.retrieval.sentence_vectors import chunk_sentences
from rag.settings import REPO_ROOT, Settings

SENTENCES = 500
CHUNKS = 80
SEED = 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO_ROOT / "corpus"])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "rag" / "models" / "calibration-nl.txt")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    chunks = [c for path in collect_files(args.paths) for c in prepare_document(path, settings).chunks]
    sentences = sorted({s for c in chunks for s in chunk_sentences(c)})
    passages = sorted({" ".join(c.text.split()) for c in chunks if c.kind == "text"})
    rng = random.Random(SEED)
    drawn = rng.sample(sentences, min(SENTENCES, len(sentences))) + rng.sample(passages, min(CHUNKS, len(passages)))
    header = (
        "# Calibration texts of the int8 export's smoothing (rag/retrieval/onnx_export.py), one per line:\n"
        f"# {SENTENCES} sentences and {CHUNKS} chunks drawn (seed {SEED}) from the documents of corpus/.\n"
        "# Written by scripts/calibration_texts.py.\n"
    )
    args.out.write_text(header + "\n".join(" ".join(t.split()) for t in drawn) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(drawn)} texts from {len(chunks)} chunks")


if __name__ == "__main__":
    main()
