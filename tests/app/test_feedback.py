"""The feedback store (SQLite under the data directory) and `bronwijzer feedback export`."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from datetime import datetime

import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from app.feedback import FeedbackStore
from rag.settings import get_settings

ACTIEPLAN = "actieplan-schooldirecteur-topprioriteit-2020.txt"


@pytest.fixture
def store(make_settings) -> FeedbackStore:
    return FeedbackStore.for_settings(make_settings())


def test_a_rating_is_stored_with_everything_a_reviewer_needs(store, make_settings):
    row = store.record(
        "Hoeveel vijvers hadden in 2021 geen kikkerkoor?",
        "In 2021 had ongeveer 1 op de 15 vijvers geen kikkerkoor. [1]",
        refused=False,
        rating="up",
        comment="  Helder  ",
        cited_documents=[ACTIEPLAN, ACTIEPLAN],
    )
    assert store.path == make_settings().home / "feedback.sqlite3"
    assert store.path.exists()
    assert (row.rating, row.refused, row.comment, row.cited_documents) == ("up", False, "Helder", (ACTIEPLAN,))
    assert datetime.fromisoformat(row.created_at).tzinfo is not None
    with closing(sqlite3.connect(store.path)) as conn:
        stored = conn.execute("SELECT question, refused, rating, comment, cited_documents FROM feedback").fetchall()
    assert stored == [("Hoeveel vijvers hadden in 2021 geen kikkerkoor?", 0, "up", "Helder", json.dumps([ACTIEPLAN]))]


def test_a_reader_can_change_the_rating_add_a_comment_or_take_it_back(store):
    first = store.record("Vraag?", "Dat staat niet in de documenten die ik ken.", refused=True, rating="up")
    changed = store.update(first.id, rating="down", comment="Ik had wel een antwoord verwacht.")
    assert (changed.id, changed.rating, changed.comment, changed.refused) == (first.id, "down", "Ik had wel een antwoord verwacht.", True)
    second = store.record("Andere vraag?", "Antwoord [1]", refused=False, rating="up")
    store.delete(first.id)
    assert [row.id for row in store.all()] == [second.id]


@pytest.mark.parametrize("rating", ["like", "", "UP"])
def test_an_unknown_rating_is_refused(store, rating):
    with pytest.raises(ValueError, match="rating must be 'up' or 'down'"):
        store.record("Vraag?", "Antwoord", refused=False, rating=rating)
    assert store.all() == []


def test_updating_a_missing_row_names_it(store):
    with pytest.raises(ValueError, match="no feedback with id 42"):
        store.update(42, comment="x")


def test_export_as_csv_and_json_lines(store):
    store.record("Wat is het actieplan?", 'Een plan met "acties", en meer. [1]', refused=False, rating="up",
                 comment="regel 1\nregel 2", cited_documents=[ACTIEPLAN, "kennisagenda-voor-het-onderwijs-2022.txt"])
    store.record("Salaris in Japan?", "Dat staat niet in de documenten die ik ken.", refused=True, rating="down")

    out = io.StringIO()
    assert store.export(out, "csv") == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert rows[0]["answer"] == 'Een plan met "acties", en meer. [1]' and rows[0]["comment"] == "regel 1\nregel 2"
    assert rows[0]["cited_documents"] == f"{ACTIEPLAN}; kennisagenda-voor-het-onderwijs-2022.txt"
    assert rows[1]["refused"] == "True" and rows[1]["cited_documents"] == ""

    out = io.StringIO()
    assert store.export(out, "jsonl") == 2
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0]["cited_documents"] == [ACTIEPLAN, "kennisagenda-voor-het-onderwijs-2022.txt"]
    assert records[1]["refused"] is True and records[1]["question"] == "Salaris in Japan?"
    assert set(records[0]) == {"id", "created_at", "question", "answer", "refused", "rating", "comment", "cited_documents"}

    with pytest.raises(ValueError, match="format must be 'csv' or 'jsonl', got 'xml'"):
        store.export(io.StringIO(), "xml")


def test_export_of_an_empty_store_is_just_the_header(store):
    out = io.StringIO()
    assert store.export(out, "csv") == 0
    assert out.getvalue().startswith("id,created_at,question,answer,refused,rating,comment,cited_documents")
    assert not store.path.exists()  # exporting does not create the database


@pytest.fixture
def cli_home(tmp_path, monkeypatch):
    """`bronwijzer` in this process with BRONWIJZER_HOME pointing at a fresh data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("BRONWIJZER_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def test_cli_exports_to_a_file_or_the_screen(cli_home, tmp_path):
    FeedbackStore(cli_home / "feedback.sqlite3").record("Vraag?", "Antwoord [1]", refused=False, rating="up", comment="Goed")
    runner = CliRunner()

    target = tmp_path / "feedback.jsonl"
    result = runner.invoke(cli, ["feedback", "export", "--format", "jsonl", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["comment"] == "Goed"
    assert "Geëxporteerd: 1 beoordeling" in result.stderr

    result = runner.invoke(cli, ["feedback", "export"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("id,created_at,question")
    assert "Antwoord [1]" in result.stdout

    result = runner.invoke(cli, ["feedback", "export", "--format", "xml"])
    assert result.exit_code == 2
    assert "kies csv of jsonl" in result.stderr
