"""Do extractive answers carry the gold answer's numbers? And how long does composing take?

    python -m evals.extractive_numbers [SET.jsonl ...] [--types fact] [--k 5] [--cache FILE] [--show]

For every question of the chosen types whose gold answer has numbers: retrieve k passages,
compose the extractive answer, and check that all gold numbers (`rag.analysis.numbers`)
occur in the answer. A miss is a *retrieval miss* when the top-k passages do not hold all
gold numbers either, else a *composition miss* (or a *refusal*).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from evals.calibrate_refusal import SETS_DIR, load_questions, retrieve_all
from rag.analysis import numbers
from rag.extractive import ExtractiveComposer
from rag.types import Turn


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="question sets (default: evals/sets/dev.jsonl)")
    parser.add_argument("--types", default="fact", help="comma-separated question types (default: fact)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--cache", type=Path, help="pickle of retrieved passages (see evals.calibrate_refusal)")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args(argv)
    types = set(args.types.split(","))
    rows = [r for r in load_questions(args.sets or [SETS_DIR / "dev.jsonl"]) if r[1]["type"] in types]
    passages_all = retrieve_all(rows, args.k, args.cache)

    composer = ExtractiveComposer()
    composer.warm_up()
    hits, misses, timings = [], [], []
    for (_, row), passages in zip(rows, passages_all):
        history = [Turn("user", row["context_question"])] if row.get("context_question") else []
        started = time.perf_counter()
        answer = composer.compose(row["question"], passages, history)
        timings.append((time.perf_counter() - started) * 1000)
        gold = numbers(row["answer"])
        if args.show:
            print(f"--- {row['id']} {row['question']}\n{answer.text}\n")
        if not gold:
            continue
        got = numbers(answer.text)
        if gold <= got:
            hits.append(row["id"])
            continue
        in_passages = numbers(" ".join(p.text for p in passages))
        kind = "refused" if answer.refused else ("composition miss" if gold <= in_passages else "retrieval miss")
        misses.append((row["id"], kind, sorted(gold - got), sorted(gold - in_passages), answer.text[:160].replace("\n", " ")))

    total = len(hits) + len(misses)
    print(f"{len(rows)} questions ({', '.join(sorted(types))}); {total} with numbers in the gold answer")
    print(f"all gold numbers in the answer: {len(hits)}/{total} = {len(hits) / max(total, 1):.0%}")
    for kind in ("retrieval miss", "composition miss", "refused"):
        print(f"  {kind}: {sum(1 for m in misses if m[1] == kind)}")
    for qid, kind, missing, not_retrieved, text in misses:
        print(f"  {qid} {kind:<16} missing {missing} (not in passages: {not_retrieved}) | {text}")
    timings.sort()
    print(f"compose ms: p50 {statistics.median(timings):.2f}  p90 {timings[int(0.9 * (len(timings) - 1))]:.2f}  max {timings[-1]:.2f}")


if __name__ == "__main__":
    main()
