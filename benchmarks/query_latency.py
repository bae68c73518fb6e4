"""Warm query latency in process: search and extractive ask next to the bare pipeline, alternating in one run.

    .venv/bin/python benchmarks/query_latency.py [--rounds 2] [--json out/query.json]
    .venv/bin/python benchmarks/query_latency.py --synthetic 100000 [--chroma-url URL] [--json out/query-100k.json]

The bare pipeline is what the LangChain tutorial does per question: one e5 query embedding
and one Chroma query for the 5 nearest chunks, with the same embedder and the same collection
as Bronwijzer. For every question of evals/sets the three (bare, `Engine.search`,
`Engine.ask`) run back to back, their order rotating, so that the machine's load falls on all
of them alike. The load average is printed before and after.

Default: the index in $BRONWIJZER_HOME (embedded Chroma). `--synthetic N`: N synthetic chunks
(`benchmarks/synthetic.py`, embedded once and cached) plus the corpus's own chunks (copied with
their vectors from the index in $BRONWIJZER_HOME) in a Chroma *server*: `chroma run` on
loopback started here (data under $BRONWIJZER_HOME/synthetic), or `--chroma-url`. It also
reports how long writing them took (chunks/s into the server), the in-memory index build, and
the process's resident memory.

Targets (issue 11): search p50 <= 1.3x bare, search p95 <= 50 ms; at 100,000 chunks search
p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from evals.question_set import all_questions
from rag.pipeline import build
from rag.settings import REPO_ROOT, Settings, get_settings


def questions() -> list[str]:
    return all_questions(REPO_ROOT / "evals" / "sets")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1]


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executable = Path(sys.executable).parent / "chroma"
    command = str(executable) if executable.exists() else shutil.which("chroma")
    log = (path.parent / "chroma.log").open("w")
    process = subprocess.Popen([command, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("chroma run did not start")
            time.sleep(0.3)


def fill_synthetic(n: int, url: str, collection: str, source: Settings) -> dict:
    """Write N synthetic chunks and the corpus's chunks into the server (skipped when already there)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import PER_DOCUMENT, synthetic_chunks, synthetic_vectors

    from ingest.pipeline import store_document
    from rag.retrieval.embedders import make_embedder
    from rag.retrieval.store import ChromaStore, IndexedDocument

    settings = Settings(home=source.home, model_cache=source.model_cache, chroma_url=url, collection=collection)
    store = ChromaStore(settings)
    expected = n // PER_DOCUMENT
    present = [d for d in store.documents() if d.id.startswith("synthetisch-")]
    if len(present) == expected:
        return {"written": False, "chunks": n + sum(d.chunk_count for d in store.documents() if not d.id.startswith("synthetisch-"))}
    store.reset()
    embedder = make_embedder(source)
    chunks = synthetic_chunks(n)
    vectors = synthetic_vectors(chunks, source)
    corpus = build(source).store
    corpus_docs = corpus.documents()
    corpus_chunks, corpus_vectors = corpus.live_chunks_with_vectors(corpus_docs)
    store.ensure_model(embedder.model_name, embedder.dimension)
    started = time.perf_counter()
    for d in range(expected):
        part = chunks[d * PER_DOCUMENT : (d + 1) * PER_DOCUMENT]
        first = part[0]
        record = IndexedDocument(id=first.document_id, title=first.title, version=first.content_hash, content_hash=first.content_hash,
                                 chunk_count=len(part), publisher="Synthetisch", year=2024)
        store_document(store, record, part, vectors[d * PER_DOCUMENT : (d + 1) * PER_DOCUMENT].tolist())
    for doc in corpus_docs:
        rows = [i for i, c in enumerate(corpus_chunks) if c.document_id == doc.id]
        store_document(store, doc, [corpus_chunks[i] for i in rows], corpus_vectors[rows].tolist())
    seconds = time.perf_counter() - started
    total = n + len(corpus_chunks)
    return {"written": True, "chunks": total, "write_seconds": seconds, "write_chunks_per_s": total / seconds}


def run(settings: Settings, rounds: int, limit: int | None = None) -> dict:
    rss_before = psutil.Process().memory_info().rss
    components = build(settings)
    engine = components.engine
    started = time.perf_counter()
    engine.warm_up()
    warm_seconds = time.perf_counter() - started
    store, embedder = components.store, components.embedder
    asked = questions()[:limit]

    def bare(question: str) -> None:
        vector = embedder.embed_query(question)
        store.chunks.query(query_embeddings=[vector], n_results=5, include=["documents", "metadatas", "distances"])

    steps = {"bare": bare, "search": lambda q: engine.search(q), "ask": lambda q: engine.ask(q)}
    for step in steps.values():
        step(asked[0])
    times: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    load_before = os.getloadavg()
    for r in range(rounds):
        for i, question in enumerate(asked):
            shift = (i + r) % len(names)
            for name in names[shift:] + names[:shift]:
                t = time.perf_counter()
                steps[name](question)
                times[name].append((time.perf_counter() - t) * 1000)
    load_after = os.getloadavg()
    figures = {name: {"p50_ms": percentile(xs, 50), "p95_ms": percentile(xs, 95), "n": len(xs)} for name, xs in times.items()}
    return {
        "figures": figures,
        "search_over_bare_p50": figures["search"]["p50_ms"] / figures["bare"]["p50_ms"],
        "load_average": {"before": load_before, "after": load_after},
        "warm_up_seconds": warm_seconds,
        "rss_mb": psutil.Process().memory_info().rss / 2**20,
        "rss_added_by_engine_mb": (psutil.Process().memory_info().rss - rss_before) / 2**20,
        "chunks": len(components.live.current().keyword.chunks),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--synthetic", type=int, default=0, help="N synthetic chunks in a Chroma server")
    parser.add_argument("--chroma-url", default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions (a quick look)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    settings = get_settings()
    result: dict = {"machine_cores": os.cpu_count()}
    server = None
    try:
        if args.synthetic:
            url = args.chroma_url
            if url is None:
                data = settings.home / "synthetic" / f"chroma-{args.synthetic}"
                data.mkdir(parents=True, exist_ok=True)
                server, url = start_chroma(data)
            collection = f"synthetic-{args.synthetic}"
            result["fill"] = fill_synthetic(args.synthetic, url, collection, settings)
            settings = Settings(home=settings.home / "synthetic" / "app", model_cache=settings.models_dir, chroma_url=url, collection=collection)
        result |= run(settings, args.rounds, args.limit)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)

    f = result["figures"]
    where = f"Chroma server, {result['chunks']:,} chunks" if args.synthetic else f"embedded Chroma, {result['chunks']:,} chunks"
    print(f"{where}; {f['search']['n']} questions per step; load average {result['load_average']['before'][0]:.2f} -> "
          f"{result['load_average']['after'][0]:.2f}; warm-up {result['warm_up_seconds']:.1f} s; RSS {result['rss_mb']:.0f} MB")
    if "fill" in result and result["fill"].get("written"):
        print(f"written into the server: {result['fill']['chunks']:,} chunks in {result['fill']['write_seconds']:.0f} s "
              f"({result['fill']['write_chunks_per_s']:.0f} chunks/s)")
    print("| step | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, label in (("bare", "bare pipeline (1 embedding + 1 Chroma query)"), ("search", "Bronwijzer search"), ("ask", "Bronwijzer extractive ask")):
        print(f"| {label} | {f[name]['p50_ms']:.1f} | {f[name]['p95_ms']:.1f} |")
    print(f"search / bare (p50): {result['search_over_bare_p50']:.2f}x")
    if args.synthetic:
        ok = f["search"]["p95_ms"] <= 150
        print("target (search p95 <= 150 ms):", "met" if ok else "NOT met")
    else:
        ok = result["search_over_bare_p50"] <= 1.3 and f["search"]["p95_ms"] <= 50
        print("targets (search <= 1.3x bare, p95 <= 50 ms):", "met" if ok else "NOT met")
    result["targets_met"] = ok
    out = args.json or Path("out") / (f"query-{args.synthetic}.json" if args.synthetic else "query.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
