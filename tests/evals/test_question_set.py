"""Set-format validation: every bad line reported with its number, nothing asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.clients import EngineClient
from evals.question_set import QuestionSetError, load_question_set
from evals.runner import run_eval
from rag.errors import BronwijzerError
from rag.settings import REPO_ROOT
from tests.evals.conftest import RECORDS, ScriptedEngine, good_script, write_set


def test_a_valid_set_loads_with_docs_split_and_line_numbers(small_set: Path):
    qs = load_question_set(small_set)
    assert qs.name == "klein" and len(qs.sha256) == 64
    assert [q.id for q in qs.questions] == ["q1", "q2", "q3", "q4"]
    assert qs.questions[2].context_question == "Hoeveel subsidies zijn er toegekend?"
    assert qs.questions[3].docs == () and not qs.questions[3].answerable
    assert qs.questions[1].line == 2


def test_two_documents_are_split_on_semicolons(tmp_path: Path):
    record = RECORDS[0] | {"doc": "a.txt; b.txt", "type": "multi"}
    assert load_question_set(write_set(tmp_path / "s.jsonl", [record])).questions[0].docs == ("a.txt", "b.txt")


def test_the_shared_dev_set_is_valid():
    qs = load_question_set(REPO_ROOT / "evals" / "sets" / "dev.jsonl")
    assert len(qs.questions) >= 40
    assert {q.type for q in qs.questions} == {"fact", "explain", "list", "multi", "followup", "unanswerable"}


def test_every_bad_line_is_reported_with_its_number(tmp_path: Path):
    lines = [
        json.dumps(RECORDS[0]),                                       # 1: fine
        "{not json",                                                  # 2
        json.dumps(RECORDS[1] | {"type": "feit"}),                    # 3
        "",                                                           # 4: blank lines are skipped
        json.dumps({k: v for k, v in RECORDS[1].items() if k != "quotes"} | {"id": "x"}),  # 5
        json.dumps(RECORDS[2] | {"id": "y", "context_question": ""}),  # 6
        json.dumps(RECORDS[3] | {"id": "z", "quotes": ["iets"]}),     # 7
        json.dumps(RECORDS[0]),                                       # 8: duplicate id
        json.dumps(RECORDS[1] | {"id": "w", "extra": 1, "quotes": "tekst"}),  # 9
        "[1, 2]",                                                     # 10
    ]
    path = tmp_path / "kapot.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(QuestionSetError) as caught:
        load_question_set(path)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "regel 2", "regel 3", "regel 5", "regel 6", "regel 7", "regel 8", "regel 9", "regel 9", "regel 10"
    ]
    assert "geen geldige JSON" in problems[0]
    assert "onbekend type 'feit'" in problems[1]
    assert "'quotes' ontbreekt" in problems[2]
    assert "context_question" in problems[3]
    assert "onbeantwoordbare" in problems[4]
    assert "regel 1" in problems[5]
    assert "'quotes' moet een lijst" in problems[6] and "onbekende velden ['extra']" in problems[7]
    assert isinstance(caught.value, BronwijzerError) and "regel 7" in caught.value.message


def test_empty_and_unreadable_sets_are_refused(tmp_path: Path):
    empty = tmp_path / "leeg.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(QuestionSetError, match="geen vragen"):
        load_question_set(empty)
    with pytest.raises(QuestionSetError, match="niet gelezen"):
        load_question_set(tmp_path / "bestaat-niet.jsonl")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(json.dumps(RECORDS[0] | {"answer": "geïnspireerd"}, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(QuestionSetError, match="geen UTF-8"):
        load_question_set(latin)


def test_a_bad_set_stops_the_run_before_anything_is_asked(tmp_path: Path):
    path = write_set(tmp_path / "s.jsonl", [RECORDS[0], RECORDS[1] | {"difficulty": "lastig"}])
    engine = ScriptedEngine(good_script())
    with pytest.raises(QuestionSetError, match="regel 2"):
        run_eval(path, EngineClient(engine), progress=False)
    assert engine.calls == []


def test_splits_come_from_the_id_alone_and_dev_is_all_tune(tmp_path: Path):
    from evals.question_set import split_of

    ids = [f"x{i:03d}" for i in range(200)]
    splits = [split_of(i, "eigen") for i in ids]
    assert splits == [split_of(i, "ander") for i in ids]  # not the set name, not the order
    assert 70 < splits.count("tune") < 130
    assert {split_of(i, "dev") for i in ids} == {"tune"}
    records = [RECORDS[0] | {"id": i} for i in ids[:10]]
    loaded = load_question_set(write_set(tmp_path / "s.jsonl", records)).questions
    assert [q.split for q in loaded] == splits[:10]


def test_alt_quotes_must_be_lists_of_texts_one_group_per_quote(tmp_path: Path):
    good = RECORDS[0] | {"alt_quotes": [["elders gezegd"]]}
    assert load_question_set(write_set(tmp_path / "a.jsonl", [good])).questions[0].alt_quotes == (("elders gezegd",),)
    for bad in ({"alt_quotes": ["los"]}, {"alt_quotes": [[""]]}, {"alt_quotes": [[], [], [], []]}):
        with pytest.raises(QuestionSetError, match="alt_quotes"):
            load_question_set(write_set(tmp_path / "b.jsonl", [RECORDS[0] | bad]))
