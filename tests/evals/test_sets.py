"""The evaluation question sets are well-formed and every quote is verifiable in the corpus."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.check_quotes import check_set, load_set

SETS = Path(__file__).resolve().parents[2] / "evals" / "sets"
DEV = SETS / "dev.jsonl"
BRONWIJZER = SETS / "bronwijzer.jsonl"


def _normalized(question: str) -> str:
    return " ".join(question.casefold().split())


@pytest.mark.slow  # cleans the whole corpus and matches every quote
@pytest.mark.parametrize("path", [DEV, BRONWIJZER], ids=lambda p: p.name)
def test_set_has_no_problems(path: Path) -> None:
    assert check_set(path) == []


def test_bronwijzer_size_and_mix() -> None:
    records = [rec for _, rec in load_set(BRONWIJZER)[0]]
    types = Counter(rec["type"] for rec in records)
    assert len(records) >= 80
    assert types["unanswerable"] >= 8
    assert types["followup"] >= 6
    assert types["multi"] >= 6


def test_bronwijzer_does_not_repeat_dev_questions() -> None:
    dev = {_normalized(rec["question"]) for _, rec in load_set(DEV)[0]}
    repeated = [rec["id"] for _, rec in load_set(BRONWIJZER)[0] if _normalized(rec["question"]) in dev]
    assert repeated == []


def test_check_set_reports_broken_records(tmp_path: Path) -> None:
    good = json.loads(BRONWIJZER.read_text(encoding="utf-8").splitlines()[0])
    bad_quote = good | {"id": "x2", "question": "Andere vraag?", "quotes": ["Deze zin staat nergens."]}
    bad_type = good | {"id": "x3", "question": "Nog een vraag?", "type": "trivia"}
    followup = good | {"id": "x4", "question": "En daar?", "type": "followup"}
    unanswerable = good | {"id": "x5", "question": "Onbekend?", "type": "unanswerable"}
    lines = [good, good, bad_quote, bad_type, followup, unanswerable]
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n{niet json\n", encoding="utf-8")
    problems = "\n".join(check_set(path))
    assert "line 2: duplicate id" in problems
    assert "line 3: quote 1 is not an exact substring" in problems
    assert "line 4: invalid type 'trivia'" in problems
    assert "line 5: followup without context_question" in problems
    assert "line 6: unanswerable question has quotes" in problems
    assert "line 7: invalid JSON" in problems
