"""The CLI as an operator runs it: progress in a log, ids that `documents remove` can use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import LogProgress
from rag.settings import REPO_ROOT


def test_log_progress_prints_at_most_every_interval_and_always_the_end():
    lines: list[str] = []
    progress = LogProgress(lines.append, every=3600)
    for done in range(1, 11):
        progress(done, 10)
    assert lines == ["Embedden: 1 van 10 passages (10%)", "Embedden: 10 van 10 passages (100%)"]


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_ingest_in_a_log_shows_progress_and_list_search_ask_show_whole_ids_and_urls(tmp_path: Path, models_dir: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    long_id = "een-document-met-een-heel-erg-lange-bestandsnaam-over-vijvers-en-kikkers-2023.txt"
    (docs / long_id).write_text("De vijvers in het park zijn belangrijk voor kikkers. " * 20, encoding="utf-8")
    url = "https://gemeente.example/publicaties/vijvers-en-kikkers-in-het-stadspark-2023"
    (docs / "manifest.toml").write_text(f'["{long_id}"]\ntitle = "Vijvers en kikkers"\nurl = "{url}"\n', encoding="utf-8")
    env = os.environ | {"BRONWIJZER_HOME": str(tmp_path / "home"), "BRONWIJZER_MODEL_CACHE": str(models_dir),
                        "COLUMNS": "60"}
    ingested = _cli(env, "ingest", str(docs))  # stderr is a pipe here, as in a log file
    assert ingested.returncode == 0, ingested.stderr
    assert "Embedden: 1 van 1 passages (100%)" in ingested.stderr
    listed = _cli(env, "documents", "list")
    assert listed.returncode == 0, listed.stderr
    assert long_id in listed.stdout.splitlines()
    assert f"    {url}" in listed.stdout.splitlines()  # never wrapped, so a terminal can open it
    searched = _cli(env, "search", "vijvers voor kikkers", "-k", "1")
    assert searched.returncode == 0, searched.stderr
    assert f"Publicatie: {url}" in searched.stdout.splitlines()
    asked = _cli(env, "ask", "Waarom zijn de vijvers belangrijk voor kikkers?")
    assert asked.returncode == 0, asked.stderr
    assert f"    {url}" in asked.stdout.splitlines()
    removed = _cli(env, "documents", "remove", long_id)
    assert removed.returncode == 0, removed.stderr


@pytest.mark.slow
def test_the_first_ingest_says_it_prepares_the_model_before_embedding(tmp_path: Path, models_dir: Path, monkeypatch):
    # Converting and exporting the model for real takes a minute (tests/rag/test_onnx_embeddings.py
    # does it); here the embedder only reports that it still needs it, and prepare is watched.
    from typer.testing import CliRunner

    from app.cli import PREPARING, app
    from rag.retrieval.onnx_embeddings import OnnxEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "vijvers.txt").write_text("De vijvers in het park zijn belangrijk voor kikkers. " * 20, encoding="utf-8")
    monkeypatch.setenv("BRONWIJZER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRONWIJZER_MODEL_CACHE", str(models_dir))
    calls: list[str] = []
    exported: list[bool] = []  # as the export's marker on disk: seen by every embedder made later
    prepare = OnnxEmbedder.prepare

    def prepare_and_mark(self):
        calls.append(self.precision)
        prepare(self)
        exported.append(True)

    monkeypatch.setattr(OnnxEmbedder, "prepared", property(lambda self: bool(exported)))
    monkeypatch.setattr(OnnxEmbedder, "prepare", prepare_and_mark)
    result = CliRunner().invoke(app, ["ingest", str(docs)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert f"{PREPARING} …" in lines
    assert lines.index(f"{PREPARING} …") < lines.index("Embedden: 1 van 1 passages (100%)")
    assert calls == ["fp32"]
    assert "(en het model voorbereiden: " in " ".join(result.stdout.split())  # the time above leaves it out
    calls.clear()
    (docs / "kikkers.txt").write_text("Kikkers leggen hun eieren in ondiep water. " * 20, encoding="utf-8")
    again = CliRunner().invoke(app, ["ingest", str(docs)])
    assert again.exit_code == 0 and PREPARING not in again.stderr and calls == []


def test_eval_of_several_sets_reports_each_and_all_together_and_compares_with_a_report_folder(tmp_path: Path, monkeypatch):
    # The engine answers from a script (tests/evals/conftest.py): what is tested here is the
    # command's handling of several sets, not the answers.
    from types import SimpleNamespace

    from typer.testing import CliRunner

    import app.cli as cli
    from tests.evals.conftest import RECORDS, ScriptedEngine, good_script, write_set

    class Engine(ScriptedEngine):
        def warm_up(self) -> None:
            pass

    monkeypatch.setenv("BRONWIJZER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cli, "_components", lambda: SimpleNamespace(engine=Engine(good_script())))
    first = write_set(tmp_path / "eerste.jsonl", RECORDS[:2])
    second = write_set(tmp_path / "tweede.jsonl", RECORDS[2:])
    result = CliRunner().invoke(cli.app, ["eval", str(first), str(second), "--report", str(tmp_path / "v1")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "v1").glob("*-results.json")} == {
        "eerste-results.json", "tweede-results.json", "alle-sets-results.json"}
    assert "# Bronwijzer-evaluatie: alle-sets" in result.output

    again = CliRunner().invoke(cli.app, ["eval", str(first), str(second), "--report", str(tmp_path / "v2"),
                                         "--compare", str(tmp_path / "v1")])
    assert again.exit_code == 0, again.output
    assert again.output.count("Vergeleken met") == 3  # each set and all together, with its own earlier report
    one_file = CliRunner(env={"COLUMNS": "400"}).invoke(cli.app, ["eval", str(first), str(second), "--compare",
                                                                  str(tmp_path / "v1" / "eerste-results.json")])
    assert one_file.exit_code == 2 and "map van een eerder rapport" in one_file.output
