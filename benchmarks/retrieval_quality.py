"""Retrieval quality of dense, keyword and hybrid search on eval sets: recall@5 and MRR.

    .venv/bin/python benchmarks/retrieval_quality.py [SET.jsonl ...]   (default: evals/sets/*.jsonl)

Uses the index in $BRONWIJZER_HOME (run `bronwijzer ingest` first). A passage is relevant when
it covers a gold quote (evals.matching). Follow-ups get their context question as history.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from evals.matching import covers
from rag.engine import as_turns
from rag.followup import HeuristicCondenser
from rag.pipeline import build
from rag.retrieval import FusionSettings, HybridRetriever

REPO = Path(__file__).resolve().parent.parent


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(retrieve, rows: list[dict], k: int = 5) -> dict:
    recalls, rrs = [], []
    condenser = HeuristicCondenser()
    for row in rows:
        if row["type"] == "unanswerable":
            continue
        question = row["question"]
        if row.get("context_question"):
            question = condenser.condense(question, as_turns([{"role": "user", "content": row["context_question"]}]))
        passages = retrieve(question, max(k, 10))
        hit_ranks = [
            rank for rank, p in enumerate(passages, start=1) if any(covers(p.text, q) for q in row["quotes"])
        ]
        covered = sum(any(covers(p.text, q) for p in passages[:k]) for q in row["quotes"])
        recalls.append(covered / len(row["quotes"]))
        rrs.append(1 / hit_ranks[0] if hit_ranks else 0.0)
    return {"n": len(recalls), "recall@5": statistics.mean(recalls), "mrr": statistics.mean(rrs)}


def main() -> None:
    sets = [Path(a) for a in sys.argv[1:]] or sorted((REPO / "evals" / "sets").glob("*.jsonl"))
    parts = build()
    base: HybridRetriever = parts.retriever
    variants = {
        "dense": lambda q, k: parts.store.query(parts.embedder.embed_query(q), k),
        "hybrid (default)": lambda q, k: base.retrieve(q, k),
        "keyword only": None,
    }
    keyword_only = HybridRetriever(parts.store, parts.embedder, base._keyword, replace(base.fusion, dense_weight=0.0))
    variants["keyword only"] = lambda q, k: keyword_only.retrieve(q, k)
    for name, fusion in {
        "hybrid no cap": replace(base.fusion, per_document_cap=99),
        "hybrid kw 1.5": replace(base.fusion, keyword_weight=1.5),
        "hybrid dense 1.5": replace(base.fusion, dense_weight=1.5),
    }.items():
        r = HybridRetriever(parts.store, parts.embedder, base._keyword, fusion)
        variants[name] = lambda q, k, r=r: r.retrieve(q, k)
    for path in sets:
        rows = load(path)
        print(f"== {path.name}")
        for name, fn in variants.items():
            m = evaluate(fn, rows)
            print(f"  {name:18s} n={m['n']:3d}  recall@5={m['recall@5']:.3f}  MRR={m['mrr']:.3f}")


if __name__ == "__main__":
    main()
