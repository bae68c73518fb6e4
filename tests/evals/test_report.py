"""The report files: self-contained HTML that parses, JSON that round-trips, a comparison."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evals.clients import EngineClient
from evals.report import compare_runs, environment_changes, render_html, write_report
from evals.runner import EvalRun, run_eval
from tests.evals.conftest import OTHER, RECORDS, Scripted, ScriptedEngine, good_script, write_set

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}


class StrictTags(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> str:
    parser = StrictTags()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return " ".join(parser.text)


@pytest.fixture
def run(small_set: Path) -> EvalRun:
    return run_eval(small_set, EngineClient(ScriptedEngine(good_script()), "testengine"), progress=False)


def worse_script() -> dict[str, Scripted]:
    """q2 now misses its passage and its facts; q3 is answered instead of refused."""
    script = good_script()
    script[RECORDS[1]["question"]] = Scripted("Geen idee [1].", (OTHER,), cited=(0,), document="doc-b.txt")
    script[RECORDS[2]["question"]] = Scripted(
        "Vooral in de kustprovincies [1].", ("Aanvragen komen vooral uit de kustprovincies.",), cited=(0,),
        document="doc-b.txt")
    return script


def test_write_report_writes_html_json_and_markdown(run: EvalRun, tmp_path: Path):
    paths = write_report(run, tmp_path / "rapport")
    assert set(paths) == {"html", "json", "markdown"}
    assert all(p.is_file() and p.parent == tmp_path / "rapport" for p in paths.values())
    assert paths["html"].name == "klein-report.html"


def test_html_parses_is_self_contained_and_shows_the_figures(run: EvalRun, tmp_path: Path):
    html = write_report(run, tmp_path)["html"].read_text(encoding="utf-8")
    text = parse(html)
    assert "<style>" in html and html.count("<svg") == 2
    assert not re.search(r"<script|<link|src=\"http|url\(http", html)
    assert f"{run.figures['recall@5']:.3f}" == "0.667" and "0.667" in text
    assert f"{run.figures['mrr']:.3f}" in text and f"{run.figures['fact_recall']:.3f}" in text
    for heading in ("Kerncijfers", "Per vraagtype", "Per document", "Per vraag", "doc-b.txt", "followup"):
        assert heading in text
    # Definitions are in the report, and the judge figures say why they are missing.
    assert "Mean reciprocal rank" in text and "goudcitaat" in text
    assert "niet gemeten: er is geen LLM-beoordelaar" in text
    # The per-question table: question text, answer excerpt, refusal marker.
    assert RECORDS[2]["question"] in text and "Er zijn 4700 subsidies toegekend" in text


def test_html_escapes_what_the_system_answered(small_set: Path, tmp_path: Path):
    script = good_script()
    script[RECORDS[0]["question"]] = Scripted("<script>alert(1)</script> & meer", (OTHER,))
    run = run_eval(small_set, EngineClient(ScriptedEngine(script)), progress=False)
    html = render_html(run)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in html
    parse(html)


def test_json_round_trips_to_the_same_run(run: EvalRun, tmp_path: Path):
    path = write_report(run, tmp_path)["json"]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["figures"]["recall@5"] == run.figures["recall@5"]
    assert data["results"][0]["answer"]["passages"][1]["text"].startswith("Inleiding.")
    assert "recall@5" in data["definitions"]
    assert EvalRun.load(path) == run


def test_compare_lists_questions_that_got_better_and_worse(run: EvalRun, small_set: Path, tmp_path: Path):
    before = write_report(run, tmp_path / "v1")["json"]
    worse = run_eval(small_set, EngineClient(ScriptedEngine(worse_script())), progress=False)
    comparison = compare_runs(worse, EvalRun.load(before))
    assert [c.id for c in comparison.worse] == ["q2"]
    assert [c.id for c in comparison.better] == ["q3"]
    q2 = comparison.worse[0]
    assert ("recall@k", 1.0, 0.0, False) in q2.changes and ("feiten-recall", 1.0, 0.0, False) in q2.changes
    recall = next(c for c in comparison.figures if c.name == "recall@5")
    assert (recall.before, recall.after, recall.improved) == (pytest.approx(2 / 3), pytest.approx(2 / 3), None)
    false_refusals = next(c for c in comparison.figures if c.name == "false_refusal_rate")
    assert false_refusals.delta == pytest.approx(-1 / 3) and false_refusals.improved  # lower is better
    assert comparison.warnings == ()

    paths = write_report(worse, tmp_path / "v2", compare=before)
    text = parse(paths["html"].read_text(encoding="utf-8"))
    assert "Vergelijking met" in text and "Slechter: 1 vragen" in text and "Beter: 1 vragen" in text
    assert "-0.333" in text  # false refusal rate and fact recall changes
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "1 vragen beter, 1 slechter" in markdown and "- Slechter: q2" in markdown
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["comparison"]["worse"][0]["id"] == "q2"


def test_compare_warns_when_the_set_or_k_changed(run: EvalRun, tmp_path: Path):
    other_set = write_set(tmp_path / "klein.jsonl", RECORDS[:2])
    other = run_eval(other_set, EngineClient(ScriptedEngine(good_script())), k=3, progress=False)
    comparison = compare_runs(other, run)
    assert len(comparison.warnings) == 2 and comparison.removed == ("q3", "q4")
    assert next(c for c in comparison.figures if c.name == "recall@3").before is None


def test_compare_warns_when_the_runs_ran_in_another_environment(run: EvalRun, tmp_path: Path):
    # The same questions and answers, measured with another onnxruntime on another processor.
    before = dataclasses.replace(run, environment=run.environment | {"onnxruntime": "0.1.0", "cpu": "Kikker 3000", "host": "elders"})
    write_report(before, tmp_path / "voor")
    comparison = compare_runs(run, EvalRun.load(tmp_path / "voor" / f"{run.set_name}-results.json"))
    assert len(comparison.warnings) == 1
    warning = comparison.warnings[0]
    assert f"onnxruntime 0.1.0 → {run.environment['onnxruntime']}" in warning
    assert f"cpu Kikker 3000 → {run.environment['cpu']}" in warning
    assert "host" not in warning  # the machine's name moves no figure
    assert comparison.better == comparison.worse == ()


def test_environment_changes_ignore_the_code_and_what_only_one_run_records():
    before = {"bronwijzer": "0.1.0", "commit": "aaa", "host": "a", "python": "3.11.7", "numpy": "2.0.0"}
    after = {"bronwijzer": "0.2.0", "commit": "bbb", "host": "b", "python": "3.11.7", "numpy": "2.0.0", "bm25s": "0.3.0"}
    assert environment_changes(after, before) == []
    assert environment_changes(after | {"python": "3.12.1"}, before) == ["python 3.11.7 → 3.12.1"]


def test_a_run_records_what_its_figures_depend_on(run: EvalRun):
    # This checkout is a git repository with onnxruntime and numpy installed (the suite needs both).
    assert {"commit", "cpu", "onnxruntime", "numpy", "python"} <= run.environment.keys()
    assert re.fullmatch(r"[0-9a-f]{12}(\+changes)?", run.environment["commit"])


def test_markdown_summary_has_the_headline_figures(run: EvalRun, tmp_path: Path):
    markdown = write_report(run, tmp_path)["markdown"].read_text(encoding="utf-8")
    assert markdown.startswith("# Bronwijzer-evaluatie: klein")
    assert "| recall@5 | 0.667 |" in markdown and "| false_refusal_rate | 0.333 |" in markdown
    assert "| followup | 1 | 0.000 |" in markdown
    assert len(markdown.splitlines()) < 60


def test_tune_and_test_are_shown_side_by_side_with_large_gaps_flagged(run: EvalRun, tmp_path: Path):
    from evals.report import split_rows

    assert set(run.by_split) == {"tune", "test"}  # q1..q4 fall in both halves
    rows = {name: (a, b, gap, flagged) for name, a, b, gap, flagged in split_rows(run)}
    tune, test = run.by_split["tune"], run.by_split["test"]
    assert rows["mrr"][:2] == (tune["mrr"], test["mrr"])
    assert all(flagged == (gap is not None and abs(gap) > 0.05) for _, _, gap, flagged in rows.values())
    html = parse(render_html(run))
    assert "Tune en test" in html
    markdown = write_report(run, tmp_path)["markdown"].read_text(encoding="utf-8")
    assert "| cijfer | tune | test | test − tune |" in markdown


def test_figures_come_with_their_interval_and_a_change_of_one_question_may_be_chance(run: EvalRun, small_set: Path, tmp_path: Path):
    before = write_report(run, tmp_path / "v1")["json"]
    data = json.loads(before.read_text(encoding="utf-8"))
    low, high = data["intervals"]["overall"]["mrr"]
    assert low <= run.figures["mrr"] <= high and low < high  # four questions: a wide interval
    assert set(data["intervals"]["by_split"]) == {"tune", "test"} and "latency_p95_ms" not in data["intervals"]["overall"]

    worse = run_eval(small_set, EngineClient(ScriptedEngine(worse_script())), progress=False)
    comparison = compare_runs(worse, EvalRun.load(before))
    false_refusals = next(c for c in comparison.figures if c.name == "false_refusal_rate")
    assert false_refusals.delta == pytest.approx(-1 / 3) and false_refusals.chance  # one question of four
    paths = write_report(worse, tmp_path / "v2", compare=before)
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "| cijfer | waarde | 95%-interval | verschil | 95%-interval van het verschil |" in markdown
    assert "(toeval?)" in markdown and "van test − tune" in markdown
    html = parse(paths["html"].read_text(encoding="utf-8"))
    assert "95%-interval van het verschil" in html and "bootstrap over de vragen" in html
