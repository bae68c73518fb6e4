"""Calibrate the refusal thresholds on the eval sets: both error kinds over a grid.

    python -m evals.calibrate_refusal [SET.jsonl ...] [--k 5] [--show-questions]

Every question is retrieved (k passages, follow-ups with their context question in front,
as a standalone rewrite would), its refusal signals are computed once, and then each rule
of the grid is applied: `false refusals` are answerable questions refused, `answered` are
unanswerable questions not refused. The chosen rule keeps false refusals <= 5% while
refusing as many unanswerable questions as possible; leave-one-set-out shows how stable
that choice is. Uses the settings from the environment (`BRONWIJZER_HOME`, ...).
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.pipeline import build
from rag.refusal import RefusalPolicy, RefusalSignals
from rag.settings import get_settings

SETS_DIR = Path(__file__).resolve().parent / "sets"
DEFAULT_SETS = ("dev.jsonl", "bronwijzer.jsonl")
MAX_FALSE_REFUSALS = 0.05

#: The grid: rare-word Zipf cut-off (None: do not refuse on missing specific terms),
#: minimum weighted coverage, minimum top cosine (None: not used).
RARE_ZIPF = (None, 1.0, 1.5, 2.0, 2.5)
MIN_COVERAGE = (0.0, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)
MIN_DENSE = (None, 0.85, 0.855, 0.86, 0.865, 0.87)


@dataclass(frozen=True)
class Item:
    set_name: str
    id: str
    type: str
    question: str
    signals_by_zipf: dict  # rare_zipf -> RefusalSignals

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass(frozen=True)
class Rule:
    rare_zipf: float | None
    min_coverage: float
    min_dense: float | None

    def policy(self) -> RefusalPolicy:
        return RefusalPolicy(
            min_dense=self.min_dense,
            min_coverage=self.min_coverage,
            rare_zipf=self.rare_zipf if self.rare_zipf is not None else 0.0,
            refuse_on_missing_specific=self.rare_zipf is not None,
        )

    def refuses(self, item: Item) -> bool:
        signals: RefusalSignals = item.signals_by_zipf[self.rare_zipf if self.rare_zipf is not None else 0.0]
        return self.policy().decide_signals(signals).refuse

    @property
    def complexity(self) -> int:
        return sum([self.rare_zipf is not None, self.min_coverage > 0, self.min_dense is not None])

    def __str__(self) -> str:
        zipf = "off" if self.rare_zipf is None else f"{self.rare_zipf:.1f}"
        dense = "off" if self.min_dense is None else f"{self.min_dense:.3f}"
        return f"rare_zipf={zipf:>4} min_coverage={self.min_coverage:.2f} min_dense={dense:>5}"


@dataclass(frozen=True)
class Score:
    answerable: int
    false_refusals: int
    unanswerable: int
    refused_unanswerable: int

    @property
    def false_refusal_rate(self) -> float:
        return self.false_refusals / self.answerable if self.answerable else 0.0

    def __str__(self) -> str:
        return (
            f"false refusals {self.false_refusals:>2}/{self.answerable:<3} ({self.false_refusal_rate:5.1%})  "
            f"unanswerable refused {self.refused_unanswerable:>2}/{self.unanswerable}"
        )


def load_questions(paths: Sequence[Path]) -> list[tuple[str, dict]]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append((path.stem, json.loads(line)))
    return rows


def retrieval_query(row: dict) -> str:
    """Follow-ups are retrieved with their context question in front (a crude standalone rewrite)."""
    context = row.get("context_question")
    return f"{context} {row['question']}" if context else row["question"]


def retrieve_all(rows: Sequence[tuple[str, dict]], k: int, cache: Path | None) -> list[list]:
    """Passages for every question; `cache` (a pickle) saves re-retrieving while iterating on the policy."""
    key = [(set_name, row["id"], retrieval_query(row), k) for set_name, row in rows]
    if cache and cache.exists():
        stored = pickle.loads(cache.read_bytes())
        if stored["key"] == key:
            return stored["passages"]
    retriever = build(get_settings()).retriever
    passages = [retriever.retrieve(retrieval_query(row), k) for _, row in rows]
    if cache:
        cache.write_bytes(pickle.dumps({"key": key, "passages": passages}))
    return passages


def collect(paths: Sequence[Path], k: int, cache: Path | None = None) -> list[Item]:
    policies = {z: RefusalPolicy(rare_zipf=z) for z in {z if z is not None else 0.0 for z in RARE_ZIPF}}
    rows = load_questions(paths)
    items = []
    for (set_name, row), passages in zip(rows, retrieve_all(rows, k, cache)):
        signals = {z: policy.signals(row["question"], passages, row.get("context_question")) for z, policy in policies.items()}
        items.append(Item(set_name, row["id"], row["type"], row["question"], signals))
    return items


def score(rule: Rule, items: Sequence[Item]) -> Score:
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    return Score(
        len(answerable),
        sum(rule.refuses(i) for i in answerable),
        len(unanswerable),
        sum(rule.refuses(i) for i in unanswerable),
    )


def grid() -> list[Rule]:
    return [Rule(z, c, d) for z, c, d in itertools.product(RARE_ZIPF, MIN_COVERAGE, MIN_DENSE)]


def choose(items: Sequence[Item], rules: Sequence[Rule]) -> Rule:
    """Most unanswerable refused with false refusals <= 5%; then fewest false refusals, then the simplest rule."""
    admissible = [r for r in rules if score(r, items).false_refusal_rate <= MAX_FALSE_REFUSALS]

    def key(rule: Rule):
        s = score(rule, items)
        return (-s.refused_unanswerable, s.false_refusals, rule.complexity)

    return min(admissible, key=key)


def describe(item: Item, zipf: float | None) -> str:
    s = item.signals_by_zipf[zipf if zipf is not None else 0.0]
    dense = f"{s.top_dense:.3f}" if s.top_dense is not None else "  -  "
    keyword = f"{s.top_keyword:5.1f}" if s.top_keyword is not None else "  -  "
    return (
        f"{item.id:<5} {item.type:<12} cos {dense} bm25 {keyword} cov {s.coverage:.2f} "
        f"missing {list(s.missing)} specific {list(s.missing_specific)}  | {item.question}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="question sets (default: evals/sets/dev.jsonl and bronwijzer.jsonl)")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--show-questions", action="store_true", help="print every question's signals")
    parser.add_argument("--top", type=int, default=15, help="grid rows shown")
    parser.add_argument("--cache", type=Path, help="pickle of the retrieved passages, reused when the questions are unchanged")
    args = parser.parse_args(argv)
    paths = args.sets or [SETS_DIR / name for name in DEFAULT_SETS if (SETS_DIR / name).exists()]

    started = time.perf_counter()
    items = collect(paths, args.k, args.cache)
    print(f"{len(items)} questions from {', '.join(p.name for p in paths)}, k={args.k}, retrieved in {time.perf_counter() - started:.0f} s")
    rules = grid()
    default = Rule(RefusalPolicy().rare_zipf, RefusalPolicy().min_coverage, RefusalPolicy().min_dense)

    print("\nBest rules on all sets (false refusals <= 5%, most unanswerable refused):")
    ranked = sorted(rules, key=lambda r: (score(r, items).false_refusal_rate > MAX_FALSE_REFUSALS, -score(r, items).refused_unanswerable, score(r, items).false_refusals, r.complexity))
    for rule in ranked[: args.top]:
        print(f"  {rule}  {score(rule, items)}")
    print("\nOne signal at a time:")
    for rule in [Rule(z, 0.0, None) for z in RARE_ZIPF[1:]] + [Rule(None, c, None) for c in MIN_COVERAGE[1:]] + [Rule(None, 0.0, d) for d in MIN_DENSE[1:]]:
        print(f"  {rule}  {score(rule, items)}")

    print("\nSignal distributions (min / 5% / 25% / median):")
    for label, group in (("answerable", [i for i in items if i.answerable]), ("unanswerable", [i for i in items if not i.answerable])):
        for name in ("top_dense", "top_keyword", "coverage"):
            values = sorted(v for i in group if (v := getattr(i.signals_by_zipf[0.0], name)) is not None)
            if values:
                q = [values[min(len(values) - 1, int(f * len(values)))] for f in (0.0, 0.05, 0.25, 0.5)]
                print(f"  {label:<12} {name:<11} " + " / ".join(f"{v:.3f}" for v in q))

    chosen = choose(items, rules)
    print(f"\nChosen on all sets: {chosen}  {score(chosen, items)}")
    print(f"Current defaults:   {default}  {score(default, items)}")
    set_names = sorted({i.set_name for i in items})
    for name in set_names:
        subset = [i for i in items if i.set_name == name]
        print(f"  defaults on {name:<12} {score(default, subset)}")
    if len(set_names) > 1:
        print("\nLeave one set out (choose on the others, score on the held-out set):")
        for held in set_names:
            train = [i for i in items if i.set_name != held]
            test = [i for i in items if i.set_name == held]
            rule = choose(train, rules)
            print(f"  held out {held:<12} chose {rule}  held-out: {score(rule, test)}")

    print("\nUnanswerable questions (signals):")
    for item in items:
        if not item.answerable:
            mark = "refused " if default.refuses(item) else "ANSWERED"
            print(f"  {mark} {describe(item, default.rare_zipf)}")
    print("\nAnswerable questions refused by the defaults:")
    for item in items:
        if item.answerable and default.refuses(item):
            reason = default.policy().decide_signals(item.signals_by_zipf[default.rare_zipf or 0.0]).reason
            print(f"  {describe(item, default.rare_zipf)}\n      -> {reason}")
    if args.show_questions:
        print("\nAll questions:")
        for item in items:
            print(f"  {describe(item, default.rare_zipf)}")


if __name__ == "__main__":
    main()
