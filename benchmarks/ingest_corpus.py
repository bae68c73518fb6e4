"""Cold and warm ingest of corpus/ through the real CLI, wall clock and peak memory.

    .venv/bin/python benchmarks/ingest_corpus.py [--fresh-model]

Cold: an empty data directory (the converted model is reused from the model cache unless
--fresh-model, which also times the one-off conversion). Warm: the same command again, which
must embed nothing. Targets (issue 2): cold <= 150 s, warm <= 10 s with 0 chunks embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_ingest(env: dict) -> tuple[float, dict, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "--json"], env=env, cwd=REPO,
        capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - started
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds, json.loads(proc.stdout), peak_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh-model", action="store_true", help="convert the bundled model anew (timed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"BRONWIJZER_HOME": str(Path(tmp) / "home")}
        if args.fresh_model:
            env["BRONWIJZER_MODEL_CACHE"] = str(Path(tmp) / "models")
        else:
            # Make sure the shared model exists so that "cold" measures indexing, not conversion.
            subprocess.run([sys.executable, "-c", "from rag.pipeline import build; build().embedder.warm_up()"],
                           env=env, cwd=REPO, check=True)
        cold_s, cold, cold_mb = run_ingest(env)
        warm_s, warm, _ = run_ingest(env)
    print(f"machine: {os.cpu_count()} cores")
    print(f"cold ingest: {cold_s:.1f} s wall, {cold['documents']} documents, {cold['chunks_embedded']} chunks embedded, "
          f"peak RSS {cold_mb:.0f} MB{' (includes model conversion)' if args.fresh_model else ''}")
    print(f"warm ingest: {warm_s:.1f} s wall, {warm['unchanged']} unchanged, {warm['chunks_embedded']} chunks embedded")
    ok = cold_s <= 150 and warm_s <= 10 and warm["chunks_embedded"] == 0
    print("targets (cold <= 150 s, warm <= 10 s, 0 embedded):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
