"""Questions with a typing error: searched as typed, and with the errors corrected.

    .venv/bin/python benchmarks/typos.py [--sets evals/sets/*.jsonl] [--json out/typos.json]

Every answerable question of the sets (tune and test, side by side) gets one typing error, the
same every run (seeded by its id): in one of its lower-case words of six letters or more, a
letter left out, doubled, swapped with the next or replaced. Each is asked three times through
the engine (in this process, on the default index): as written, with the error and
`BRONWIJZER_SPELLING` off, with the error and spelling on. Printed: recall@5 of the gold quotes,
the share refused, and how often the error was corrected to the word as written. The
unchanged questions also show what spelling does to correct questions (rewritten: should be 0).

Needs the corpus indexed (`bronwijzer ingest`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from evals.fit import SETS_DIR, _components, history_of  # noqa: E402
from evals.matching import GoldQuotes  # noqa: E402
from evals.question_set import load_question_set  # noqa: E402

SPLITS = ("tune", "test")
_WORD = re.compile(r"\b[a-zà-ÿ]{6,}\b")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def with_typo(question_id: str, text: str) -> tuple[str, str] | None:
    """(the question with one typing error, the word as written); None without a long word."""
    rng = random.Random(int(hashlib.sha256(question_id.encode()).hexdigest()[:12], 16))
    found = list(_WORD.finditer(text))
    if not found:
        return None
    match = rng.choice(found)
    word = match.group(0)
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        typo = word[:i] + word[i + 1:]
    elif kind == "double":
        typo = word[:i] + word[i] + word[i:]
    elif kind == "swap":
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    else:
        typo = word[:i] + rng.choice([c for c in _LETTERS if c != word[i]]) + word[i + 1:]
    if typo == word:
        typo = word[:i] + word[i + 1:]
    return text[: match.start()] + typo + text[match.end():], word


def run(paths: list[Path]) -> dict:
    parts = _components()
    engine = parts.engine
    results = {}
    for split in SPLITS:
        questions = [q for p in paths for q in load_question_set(p).questions if q.split == split and q.answerable]
        rows = {"as written": [], "typo, spelling off": [], "typo, spelling on": []}
        corrected = rewritten_plain = n = 0
        for q in questions:
            typo = with_typo(q.id, q.question)
            if typo is None:
                continue
            n += 1
            typed, word = typo
            history = history_of(q, engine)
            gold = GoldQuotes(q.quotes, getattr(q, "alt_quotes", ()))
            for name, text, spelling in (("as written", q.question, True), ("typo, spelling off", typed, False),
                                         ("typo, spelling on", typed, True)):
                engine.settings.spelling = spelling
                answer = engine.ask(text, history=history)
                covered = set().union(*(gold.covered_by(p.text) for p in answer.passages[:5])) if answer.passages else set()
                rows[name].append((len(covered) / len(gold) if len(gold) else 0.0, answer.refused))
                if name == "typo, spelling on" and word in (answer.rewritten or "").lower():
                    corrected += 1
                if name == "as written" and not history and answer.rewritten:
                    rewritten_plain += 1
        engine.settings.spelling = True
        results[split] = {
            "questions": n,
            **{name: {"recall@5": round(sum(r for r, _ in v) / len(v), 3), "refused": round(sum(f for _, f in v) / len(v), 3)}
               for name, v in rows.items()},
            "typo corrected to the written word": round(corrected / n, 3),
            "correct questions rewritten": rewritten_plain,
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", type=Path, default=sorted(SETS_DIR.glob("*.jsonl")))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = run(args.sets)
    print(f"{'recall@5 / refused':42s}" + "".join(f"{s:>22s}" for s in SPLITS))
    for name in ("as written", "typo, spelling off", "typo, spelling on"):
        cells = "".join(f"{results[s][name]['recall@5']:>12.3f} / {results[s][name]['refused']:.3f}" for s in SPLITS)
        print(f"{name:42s}{cells}")
    for key in ("typo corrected to the written word", "correct questions rewritten", "questions"):
        print(f"{key:42s}" + "".join(f"{results[s][key]:>22}" for s in SPLITS))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
