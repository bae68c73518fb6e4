"""Thumbs up/down (with an optional comment) on answers, kept in SQLite under the data directory.

One row per rated answer: the question, the answer text, whether it was a refusal, the
rating, the comment and the documents the answer cited. Exported as CSV or JSON Lines
(`bronwijzer feedback export`) for whoever reviews answer quality.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, TextIO

from rag.settings import Settings

Rating = Literal["up", "down"]
ExportFormat = Literal["csv", "jsonl"]

RATINGS: tuple[str, ...] = ("up", "down")
EXPORT_FORMATS: tuple[str, ...] = ("csv", "jsonl")
FILE_NAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    cited_documents TEXT NOT NULL DEFAULT '[]'
)
"""
_COLUMNS = "id, created_at, question, answer, refused, rating, comment, cited_documents"


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer. `created_at` is an ISO 8601 timestamp in UTC."""

    id: int
    created_at: str
    question: str
    answer: str
    refused: bool
    rating: Rating
    comment: str
    cited_documents: tuple[str, ...]

    def as_record(self) -> dict:
        """A flat dict for export (documents as a list)."""
        return asdict(self) | {"cited_documents": list(self.cited_documents)}


def _check_rating(rating: str) -> Rating:
    if rating not in RATINGS:
        raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
    return rating  # type: ignore[return-value]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """Feedback rows in one SQLite file; a short connection per call, so threads can share it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_settings(cls, settings: Settings) -> "FeedbackStore":
        return cls(settings.home / FILE_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            with conn:  # one transaction: commit on success, roll back on error
                conn.execute(_SCHEMA)
                yield conn

    def record(
        self,
        question: str,
        answer: str,
        refused: bool,
        rating: str,
        comment: str = "",
        cited_documents: Sequence[str] = (),
    ) -> Feedback:
        """Store a new rating and return it with its id."""
        rating = _check_rating(rating)
        documents = list(dict.fromkeys(cited_documents))
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, question, answer, refused, rating, comment, cited_documents)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), question, answer, int(bool(refused)), rating, (comment or "").strip(), json.dumps(documents, ensure_ascii=False)),
            )
            row_id = cursor.lastrowid
        return self.get(row_id)

    def update(self, feedback_id: int, *, rating: str | None = None, comment: str | None = None) -> Feedback:
        """Change the rating or the comment of an earlier row (a reader may change their mind)."""
        changes: dict[str, str] = {}
        if rating is not None:
            changes["rating"] = _check_rating(rating)
        if comment is not None:
            changes["comment"] = comment.strip()
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            with self._connect() as conn:
                cursor = conn.execute(f"UPDATE feedback SET {assignments} WHERE id = ?", (*changes.values(), feedback_id))
                if cursor.rowcount == 0:
                    raise ValueError(f"no feedback with id {feedback_id}")
        return self.get(feedback_id)

    def delete(self, feedback_id: int) -> None:
        """Forget a rating (the reader took their thumb back)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,))

    def get(self, feedback_id: int) -> Feedback:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM feedback WHERE id = ?", (feedback_id,)).fetchone()
        if row is None:
            raise ValueError(f"no feedback with id {feedback_id}")
        return _from_row(row)

    def all(self) -> list[Feedback]:
        """Every row, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM feedback ORDER BY id").fetchall()
        return [_from_row(row) for row in rows]

    def export(self, out: TextIO, format: str = "csv") -> int:
        """Write every row to `out` as CSV (documents joined by `; `) or JSON Lines; returns the count."""
        if format not in EXPORT_FORMATS:
            raise ValueError(f"format must be 'csv' or 'jsonl', got {format!r}")
        rows = self.all()
        if format == "jsonl":
            for row in rows:
                out.write(json.dumps(row.as_record(), ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(Feedback)], lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow(row.as_record() | {"cited_documents": "; ".join(row.cited_documents)})
        return len(rows)


def _from_row(row: tuple) -> Feedback:
    id_, created_at, question, answer, refused, rating, comment, documents = row
    return Feedback(id_, created_at, question, answer, bool(refused), rating, comment, tuple(json.loads(documents)))
