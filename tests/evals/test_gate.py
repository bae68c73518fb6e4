"""The quality gate against thresholds in TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.clients import EngineClient
from evals.gate import DEFAULT_THRESHOLDS, check, load_thresholds
from evals.runner import EvalRun, run_eval
from tests.evals.conftest import ScriptedEngine, good_script


@pytest.fixture
def run(small_set: Path) -> EvalRun:
    # recall@5 0.667, mrr 0.5, fact recall 0.611, refusal accuracy 1, false refusals 0.333
    return run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=False)


def thresholds(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_gate_passes_when_every_figure_reaches_its_threshold(run, tmp_path):
    path = thresholds(tmp_path, '[sets.klein.min]\n"recall@5" = 0.6\nmrr = 0.5\n[sets.klein.max]\n'
                                "false_refusal_rate = 0.34\nerrors = 0\n")
    assert check(run, path, "klein") == []
    assert check(run, path) == []  # the set name defaults to the run's


def test_gate_fails_on_figures_below_minimum_or_above_maximum(run, tmp_path):
    path = thresholds(tmp_path, '[sets.klein.min]\n"recall@5" = 0.7\nfact_recall = 0.5\n'
                                "refusal_accuracy = 1\n[sets.klein.max]\nfalse_refusal_rate = 0.2\n")
    assert check(run, path, "klein") == [
        "recall@5: 0.667 < minimum 0.7",
        "false_refusal_rate: 0.333 > maximum 0.2",
    ]


def test_a_threshold_for_a_figure_the_run_did_not_measure_fails(run, tmp_path):
    path = thresholds(tmp_path, '[sets.klein.min]\n"recall@10" = 0.5\nfaithfulness = 0.8\n')
    failures = check(run, path, "klein")
    assert len(failures) == 2 and all("niet gemeten" in f for f in failures)


def test_unknown_sets_and_figure_names_are_configuration_errors(run, tmp_path):
    path = thresholds(tmp_path, "[sets.klein.min]\nrecal = 0.5\n")
    with pytest.raises(ValueError, match="unknown figure 'recal'"):
        check(run, path, "klein")
    with pytest.raises(ValueError, match="no thresholds for set 'ander'"):
        check(run, path, "ander")
    with pytest.raises(ValueError, match="must be a number"):
        check(run, thresholds(tmp_path, '[sets.klein.max]\nerrors = "0"\n'), "klein")


def test_the_repository_thresholds_cover_every_shipped_set():
    sets = sorted(p.stem for p in (DEFAULT_THRESHOLDS.parent / "sets").glob("*.jsonl"))
    assert sets == ["bronwijzer", "dev", "general", "unanswerable"]
    for name in sets:
        minimums, maximums = load_thresholds(DEFAULT_THRESHOLDS, name)
        assert "refusal_accuracy" in minimums and maximums["junk"] == 0.0  # never a footnote as an answer
        assert maximums["broken"] == 0.0  # never a sentence that breaks off
        if name != "unanswerable":
            assert {"recall@5", "mrr", "lead", "fact_figures"} <= set(minimums)
            assert maximums["false_refusal_rate"] <= 0.06
