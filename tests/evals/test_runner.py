"""Running a set: follow-ups with history, figures per group, errors, JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.clients import EngineClient, HttpClient
from evals.runner import MAX_CONSECUTIVE_ERRORS, NO_DOCUMENT, EvalRun, run_eval
from rag.types import Turn
from tests.evals.conftest import RECORDS, ScriptedEngine, engine_server, good_script, write_set


def test_run_scores_the_small_set_as_computed_by_hand(small_set: Path):
    engine = ScriptedEngine(good_script())
    run = run_eval(small_set, EngineClient(engine, "testengine"), k=5, progress=False)
    fig = run.figures
    assert (fig["questions"], fig["answerable"], fig["unanswerable"], fig["errors"]) == (4, 3, 1, 0)
    # q1: both quotes at rank 2; q2: its quote at rank 1; q3: refused, nothing relevant.
    assert fig["recall@5"] == pytest.approx(2 / 3)
    assert fig["mrr"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert fig["ndcg@10"] == pytest.approx((1.2618595 / 1.6309298 + 1 + 0) / 3)
    assert fig["citation_precision"] == pytest.approx((1 + 0.5) / 2)
    assert fig["citation_recall"] == pytest.approx(2 / 3)
    assert fig["fact_recall"] == pytest.approx((5 / 6 + 1 + 0) / 3)
    assert fig["refusal_accuracy"] == 1.0
    assert fig["false_refusal_rate"] == pytest.approx(1 / 3)
    assert fig["latency_p50_ms"] is not None and fig["latency_p95_ms"] >= fig["latency_p50_ms"]
    assert sum(len(r.latencies_ms) for r in run.results) == 5  # the follow-up asked two
    assert run.client == "testengine" and run.modes == ["extractive"] and run.set_name == "klein"


def test_follow_up_is_asked_after_its_context_question_with_history(small_set: Path):
    engine = ScriptedEngine(good_script())
    run = run_eval(small_set, EngineClient(engine), progress=False)
    context, follow_up = engine.calls[2], engine.calls[3]
    assert context == (RECORDS[2]["context_question"], [], 5)
    assert follow_up[1] == [Turn("user", RECORDS[2]["context_question"]),
                            Turn("assistant", "Er zijn 4700 subsidies toegekend [1].")]
    assert run.results[2].context_answer == "Er zijn 4700 subsidies toegekend [1]."


def test_figures_per_type_and_per_document(small_set: Path):
    run = run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=False)
    assert set(run.by_type) == {"fact", "followup", "unanswerable"}
    assert run.by_type["fact"]["recall@5"] == 1.0 and run.by_type["followup"]["recall@5"] == 0.0
    assert run.by_type["unanswerable"]["refusal_accuracy"] == 1.0
    assert set(run.by_document) == {"doc-a.txt", "doc-b.txt", NO_DOCUMENT}
    assert run.by_document["doc-b.txt"]["questions"] == 2
    assert run.by_document["doc-b.txt"]["mrr"] == 0.5


def test_a_question_spanning_two_documents_counts_for_both(tmp_path: Path):
    path = write_set(tmp_path / "m.jsonl", [RECORDS[0] | {"doc": "doc-a.txt;doc-c.txt", "type": "multi"}])
    run = run_eval(path, EngineClient(ScriptedEngine(good_script())), progress=False)
    assert run.by_document["doc-a.txt"]["recall@5"] == run.by_document["doc-c.txt"]["recall@5"] == 1.0


def test_a_failing_question_is_recorded_and_kept_out_of_the_figures(small_set: Path):
    engine = ScriptedEngine(good_script(), failing={RECORDS[0]["question"]})
    run = run_eval(small_set, EngineClient(engine), progress=False)
    assert run.results[0].error == f"RuntimeError: kapot bij {RECORDS[0]['question']!r}"
    assert run.results[0].scores is None and run.figures["errors"] == 1
    assert run.figures["recall@5"] == 0.5  # q2 and q3 only


def test_the_run_stops_when_every_request_fails(tmp_path: Path):
    records = [RECORDS[0] | {"id": f"q{i}"} for i in range(MAX_CONSECUTIVE_ERRORS + 3)]
    engine = ScriptedEngine(good_script(), failing={RECORDS[0]["question"]})
    with pytest.raises(RuntimeError, match="kapot"):
        run_eval(write_set(tmp_path / "s.jsonl", records), EngineClient(engine), progress=False)
    assert len(engine.calls) == MAX_CONSECUTIVE_ERRORS


def test_k_is_passed_on_and_must_be_positive(small_set: Path):
    engine = ScriptedEngine(good_script())
    run = run_eval(small_set, EngineClient(engine), k=1, progress=False)
    assert {k for _, _, k in engine.calls} == {1} and "recall@1" in run.figures
    assert run.figures["recall@1"] == pytest.approx(1 / 3)  # q1's passage is at rank 2 now
    with pytest.raises(ValueError, match="k must be greater than 0"):
        run_eval(small_set, EngineClient(engine), k=0, progress=False)


def test_the_same_figures_over_http(small_set: Path):
    engine = ScriptedEngine(good_script())
    with engine_server(engine) as (url, _), HttpClient(url) as client:
        over_http = run_eval(small_set, client, progress=False)
    in_process = run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=False)
    skip = {"latency_p50_ms", "latency_p95_ms"}
    assert {k: v for k, v in over_http.figures.items() if k not in skip} == \
        {k: v for k, v in in_process.figures.items() if k not in skip}
    assert over_http.client == url


def test_run_round_trips_through_json(small_set: Path):
    run = run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=False)
    again = EvalRun.from_dict(json.loads(run.to_json()))
    assert again == run
    with pytest.raises(ValueError, match="not a Bronwijzer evaluation run"):
        EvalRun.from_dict({"format": "iets anders"})


def test_progress_bar_runs(small_set: Path, capsys):
    run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=True)
    assert capsys.readouterr().out == ""  # the bar goes to stderr, stdout stays clean for --json


def test_runs_of_several_sets_pool_into_one_run_over_all_their_questions(small_set, tmp_path):
    from evals.metrics import aggregate
    from evals.runner import POOLED_NAME, pooled

    # The same questions under other ids: a second set.
    other = write_set(tmp_path / "ander.jsonl", [dict(r, id=f"x{r['id']}") for r in RECORDS])
    engine = EngineClient(ScriptedEngine(good_script()))
    first, second = run_eval(small_set, engine, progress=False), run_eval(other, engine, progress=False)
    both = pooled([first, second])
    assert both.set_name == POOLED_NAME and len(both.results) == 8
    assert both.figures == aggregate([(r.question, r.scores, r.latencies_ms) for r in both.results], 5)
    assert both.figures["mrr"] == pytest.approx(first.figures["mrr"])  # the same answers twice
    assert both.set_path == f"{first.set_path}, {second.set_path}"
    with pytest.raises(ValueError, match="more than one set: q1"):
        pooled([first, first])
    with pytest.raises(ValueError, match="another k"):
        pooled([first, run_eval(other, engine, k=3, progress=False)])
