"""Question sets: JSON Lines, one question per line, validated before anything is asked.

    {"id": "d001", "question": "...", "answer": "...", "doc": "a.txt" | "a.txt;b.txt" | "",
     "quotes": ["verbatim text from the raw corpus file", ...], "type": "fact",
     "difficulty": "easy", "context_question": "..." (follow-ups only),
     "alt_quotes": [["the same as quote 1, stated elsewhere", ...], [...], ...] (optional)}

`alt_quotes[i]` lists other places where the corpus states what `quotes[i]` states (a figure
in a chapter and again in a summary); a passage covering any of them covers quote i.

Every problem is reported with its line number, all at once, so a set is fixed in one go.
Whether the quotes really occur in the corpus is `evals/check_quotes.py`'s job: a run
against a remote `--url` may not have the corpus at hand.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import BronwijzerError

#: Every set but dev is cut in two by a hash of the question id: choose on tune, report test.
SPLITS = ("tune", "test")
#: Sets used to choose settings as a whole: all of it is tune.
TUNE_ONLY_SETS = frozenset({"dev"})

TYPES = ("fact", "explain", "list", "multi", "followup", "unanswerable")
DIFFICULTIES = ("easy", "medium", "hard")
REQUIRED_FIELDS: dict[str, type] = {
    "id": str,
    "question": str,
    "answer": str,
    "doc": str,
    "quotes": list,
    "type": str,
    "difficulty": str,
}
OPTIONAL_FIELDS: dict[str, type] = {"context_question": str, "alt_quotes": list}
_TYPE_NAMES = {str: "tekst", list: "lijst"}


class QuestionSetError(BronwijzerError):
    """A question set that cannot be used; `problems` are the lines to fix."""

    status = 422

    def __init__(self, path: Path, problems: list[str]) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... en nog {len(problems) - 50} problemen" if len(problems) > 50 else ""
        super().__init__(f"De vragenset {path} is niet bruikbaar; er is niets gevraagd.\n{shown}{more}")
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class Question:
    """One evaluation question. `docs` is empty for unanswerable questions."""

    id: str
    question: str
    answer: str
    docs: tuple[str, ...]
    quotes: tuple[str, ...]
    type: str
    difficulty: str
    context_question: str | None = None
    line: int = 0
    #: Per quote, the other places that state the same (see the module docstring).
    alt_quotes: tuple[tuple[str, ...], ...] = ()
    #: "tune" (choose settings on it) or "test" (report only); see `split_of`.
    split: str = "tune"

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass(frozen=True)
class QuestionSet:
    name: str
    path: str
    sha256: str
    questions: tuple[Question, ...]


def split_of(question_id: str, set_name: str) -> str:
    """"tune" or "test", from a hash of the id alone: stable, whoever adds questions.

    Half of every set is tune, except sets in `TUNE_ONLY_SETS` (dev), which are all tune.
    """
    if set_name in TUNE_ONLY_SETS:
        return "tune"
    digest = hashlib.sha256(f"bronwijzer-split:{question_id}".encode("utf-8")).hexdigest()
    return "tune" if int(digest[:8], 16) % 2 == 0 else "test"


def _problems_of(n: int, rec: dict) -> list[str]:
    problems = []
    for name, typ in (REQUIRED_FIELDS | OPTIONAL_FIELDS).items():
        if name not in rec:
            if name in REQUIRED_FIELDS:
                problems.append(f"regel {n}: veld {name!r} ontbreekt")
        elif not isinstance(rec[name], typ):
            problems.append(f"regel {n}: veld {name!r} moet een {_TYPE_NAMES[typ]} zijn")
    unknown = sorted(set(rec) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        problems.append(f"regel {n}: onbekende velden {unknown}")
    if problems:
        return problems

    if not rec["id"].strip():
        problems.append(f"regel {n}: lege id")
    if not rec["question"].strip():
        problems.append(f"regel {n}: lege vraag")
    if rec["type"] not in TYPES:
        problems.append(f"regel {n}: onbekend type {rec['type']!r} (kies uit {', '.join(TYPES)})")
    if rec["difficulty"] not in DIFFICULTIES:
        problems.append(f"regel {n}: onbekende moeilijkheid {rec['difficulty']!r} (kies uit {', '.join(DIFFICULTIES)})")
    if not all(isinstance(q, str) and q.strip() for q in rec["quotes"]):
        problems.append(f"regel {n}: elk citaat moet een niet-lege tekst zijn")
    alt = rec.get("alt_quotes", [])
    if not all(isinstance(group, list) and all(isinstance(q, str) and q.strip() for q in group) for group in alt):
        problems.append(f"regel {n}: 'alt_quotes' is een lijst van lijsten met niet-lege teksten, één per citaat")
    elif len(alt) > len(rec["quotes"]):
        problems.append(f"regel {n}: 'alt_quotes' heeft meer groepen ({len(alt)}) dan er citaten zijn ({len(rec['quotes'])})")

    if rec["type"] == "followup" and not rec.get("context_question", "").strip():
        problems.append(f"regel {n}: vervolgvraag zonder 'context_question'")
    if rec["type"] != "followup" and "context_question" in rec:
        problems.append(f"regel {n}: 'context_question' hoort alleen bij type 'followup'")

    if rec["type"] == "unanswerable":
        if rec["answer"].strip() or rec["doc"].strip() or rec["quotes"]:
            problems.append(f"regel {n}: een onbeantwoordbare vraag heeft geen answer, doc of quotes")
    else:
        if not rec["answer"].strip():
            problems.append(f"regel {n}: leeg antwoord")
        if not _split_docs(rec["doc"]):
            problems.append(f"regel {n}: geen document in 'doc'")
        if not rec["quotes"]:
            problems.append(f"regel {n}: geen citaten in 'quotes'")
    return problems


def _split_docs(doc: str) -> tuple[str, ...]:
    return tuple(d.strip() for d in doc.split(";") if d.strip())


def load_question_set(path: Path | str) -> QuestionSet:
    """Read and validate a set; raises QuestionSetError listing every bad line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QuestionSetError(path, [f"het bestand kan niet gelezen worden ({exc.strerror or exc})"]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionSetError(path, [f"het bestand is geen UTF-8 (byte {exc.start})"]) from exc

    problems: list[str] = []
    questions: list[Question] = []
    first_line_of: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"regel {n}: geen geldige JSON ({exc.msg}, kolom {exc.colno})")
            continue
        if not isinstance(rec, dict):
            problems.append(f"regel {n}: geen JSON-object")
            continue
        line_problems = _problems_of(n, rec)
        problems.extend(line_problems)
        if isinstance(rec.get("id"), str):
            if rec["id"] in first_line_of:
                problems.append(f"regel {n}: id {rec['id']!r} staat ook op regel {first_line_of[rec['id']]}")
            else:
                first_line_of[rec["id"]] = n
        if line_problems:
            continue
        questions.append(
            Question(
                id=rec["id"],
                question=rec["question"],
                answer=rec["answer"],
                docs=_split_docs(rec["doc"]),
                quotes=tuple(rec["quotes"]),
                type=rec["type"],
                difficulty=rec["difficulty"],
                context_question=rec.get("context_question"),
                line=n,
                alt_quotes=tuple(tuple(group) for group in rec.get("alt_quotes", [])),
                split=split_of(rec["id"], path.stem),
            )
        )
    if not problems and not questions:
        problems.append("de set bevat geen vragen")
    if problems:
        raise QuestionSetError(path, problems)
    return QuestionSet(path.stem, str(path), hashlib.sha256(raw).hexdigest(), tuple(questions))


def all_questions(directory: Path | str) -> list[str]:
    """The question texts of every set in `directory` (`*.jsonl`, sorted by file name), in
    file order: the same workload for every benchmark that asks them."""
    found = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["question"])
    return found
