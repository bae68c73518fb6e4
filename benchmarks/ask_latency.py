"""Warm `ask` latency (extractive mode), in process: p50 / p95 / max over the eval questions.

    .venv/bin/python benchmarks/ask_latency.py [--rounds 2] [SET.jsonl ...]

Uses the index in $BRONWIJZER_HOME (run `bronwijzer ingest` first). The engine is warmed up
(model, keyword index, lexicon) and one question is asked before timing starts.
Targets (issue 3): p50 <= 150 ms, p95 <= 400 ms.

Also times the citation check an LLM answer goes through (`check_citations`), on each answered
question's extractive answer and passages as a stand-in: target p95 <= 20 ms per answer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from rag.answer.citation_check import check_citations
from rag.pipeline import build

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sets = args.sets or sorted((REPO / "evals" / "sets").glob("*.jsonl"))
    questions = [
        json.loads(line)["question"]
        for path in sets for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    engine = build().engine
    engine.warm_up()
    engine.ask(questions[0])
    totals, checks, parts = [], [], {"embed": [], "dense": [], "keyword": [], "compose": []}
    for _ in range(args.rounds):
        for q in questions:
            started = time.perf_counter()
            answer = engine.ask(q)
            totals.append((time.perf_counter() - started) * 1000)
            for key in parts:
                parts[key].append(answer.timings_ms.get(key, 0.0))
            if not answer.refused:
                started = time.perf_counter()
                check_citations(answer.text, answer.passages)
                checks.append((time.perf_counter() - started) * 1000)
    totals.sort()
    p = lambda xs, q: statistics.quantiles(xs, n=100, method="inclusive")[q - 1]  # noqa: E731
    print(f"machine: {os.cpu_count()} cores; {len(totals)} asks ({len(questions)} questions x {args.rounds})")
    print(f"ask p50 {p(totals, 50):.1f} ms, p95 {p(totals, 95):.1f} ms, max {totals[-1]:.1f} ms")
    for key, xs in parts.items():
        print(f"  {key:8s} p50 {p(sorted(xs), 50):6.1f} ms  p95 {p(sorted(xs), 95):6.1f} ms")
    checks.sort()
    print(f"citation check ({len(checks)} answers) p50 {p(checks, 50):.2f} ms, p95 {p(checks, 95):.2f} ms, max {checks[-1]:.2f} ms")
    ok = p(totals, 50) <= 150 and p(totals, 95) <= 400 and p(checks, 95) <= 20
    print("targets (p50 <= 150 ms, p95 <= 400 ms, check p95 <= 20 ms):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
