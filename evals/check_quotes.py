"""Validate Bronwijzer evaluation question sets (JSON Lines).

Usage:
    .venv/bin/python evals/check_quotes.py evals/sets/*.jsonl

Each line is one question with the fields `id`, `question`, `answer`, `doc`, `quotes`,
`type`, `difficulty` and, for follow-ups, `context_question`. `doc` names one corpus file,
or two or more joined by `;`; unanswerable questions have an empty answer, an empty doc
and no quotes. Every quote must be an exact substring of the RAW text of one of the listed
documents, and `rag.text.textmatch.find_quote` must find it in the cleaned text of that document
(`ingest.clean.clean_text`), so a citation checker working on cleaned chunks can verify it.

The script prints, per set, the number of questions per type and per document, then every
problem with its line number, and exits with status 1 when there is any problem.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow running as a plain script
    sys.path.insert(0, str(REPO_ROOT))

from ingest.clean import clean_text  # noqa: E402
from rag.text.textmatch import find_quote  # noqa: E402
from evals.question_set import DIFFICULTIES, OPTIONAL_FIELDS, REQUIRED_FIELDS, TYPES  # noqa: E402

CORPUS_DIR = REPO_ROOT / "corpus"
# One schema for sets: the harness's own.
REQUIRED, OPTIONAL = REQUIRED_FIELDS, OPTIONAL_FIELDS


@lru_cache(maxsize=None)
def raw_text(doc: str) -> str:
    return (CORPUS_DIR / doc).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def cleaned_text(doc: str) -> str:
    return clean_text(raw_text(doc))


def split_docs(doc: str) -> list[str]:
    return [d.strip() for d in doc.split(";") if d.strip()]


def load_set(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    """(line number, record) pairs and the problems found while parsing."""
    records: list[tuple[int, dict]] = []
    problems: list[str] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(rec, dict):
            problems.append(f"line {n}: not a JSON object")
            continue
        records.append((n, rec))
    return records, problems


def _check_fields(n: int, rec: dict) -> list[str]:
    problems = []
    for field, typ in REQUIRED.items():
        if field not in rec:
            problems.append(f"line {n}: missing field {field!r}")
        elif not isinstance(rec[field], typ):
            problems.append(f"line {n}: field {field!r} must be {typ.__name__}")
    for field, typ in OPTIONAL.items():
        if field in rec and not isinstance(rec[field], typ):
            problems.append(f"line {n}: field {field!r} must be {typ.__name__}")
    unknown = set(rec) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        problems.append(f"line {n}: unknown field(s) {sorted(unknown)}")
    if isinstance(rec.get("quotes"), list) and not all(isinstance(q, str) for q in rec["quotes"]):
        problems.append(f"line {n}: every quote must be a string")
    alt = rec.get("alt_quotes", [])
    if isinstance(alt, list):
        if not all(isinstance(g, list) and all(isinstance(q, str) for q in g) for g in alt):
            problems.append(f"line {n}: alt_quotes must be a list of lists of strings")
        elif isinstance(rec.get("quotes"), list) and len(alt) > len(rec["quotes"]):
            problems.append(f"line {n}: alt_quotes has more groups than there are quotes")
    return problems


def _check_quote(n: int, i: int, quote: str, docs: list[str]) -> tuple[list[str], str | None]:
    """Problems for one quote and the document it comes from (None when not found)."""
    if not quote.strip():
        return [f"line {n}: quote {i} is empty"], None
    in_raw = [d for d in docs if quote in raw_text(d)]
    if not in_raw:
        return [f"line {n}: quote {i} is not an exact substring of {' or '.join(docs)}: {quote[:70]!r}"], None
    for doc in in_raw:
        if find_quote(quote, cleaned_text(doc)) is not None:
            return [], doc
    return [f"line {n}: quote {i} not found by find_quote in cleaned {in_raw[0]}: {quote[:70]!r}"], in_raw[0]


def check_record(n: int, rec: dict) -> list[str]:
    problems = _check_fields(n, rec)
    if problems:
        return problems
    qtype, docs, quotes = rec["type"], split_docs(rec["doc"]), rec["quotes"]
    if not rec["question"].strip():
        problems.append(f"line {n}: empty question")
    if qtype not in TYPES:
        problems.append(f"line {n}: invalid type {qtype!r}")
    if rec["difficulty"] not in DIFFICULTIES:
        problems.append(f"line {n}: invalid difficulty {rec['difficulty']!r}")
    if qtype == "followup":
        if not rec.get("context_question", "").strip():
            problems.append(f"line {n}: followup without context_question")
    elif "context_question" in rec:
        problems.append(f"line {n}: context_question on a {qtype!r} question")

    if qtype == "unanswerable":
        if quotes:
            problems.append(f"line {n}: unanswerable question has quotes")
        if rec["doc"].strip():
            problems.append(f"line {n}: unanswerable question has doc {rec['doc']!r}")
        if rec["answer"].strip():
            problems.append(f"line {n}: unanswerable question has an answer")
        return problems

    if not rec["answer"].strip():
        problems.append(f"line {n}: empty answer")
    if not docs:
        problems.append(f"line {n}: no doc")
    missing = [d for d in docs if not (CORPUS_DIR / d).is_file()]
    for d in missing:
        problems.append(f"line {n}: doc {d!r} not in corpus/")
    if len(set(docs)) != len(docs):
        problems.append(f"line {n}: doc listed twice")
    if not quotes:
        problems.append(f"line {n}: no quotes")
    if missing or not docs:
        return problems

    sources = set()
    all_found = True
    for i, quote in enumerate(quotes, start=1):
        quote_problems, source = _check_quote(n, i, quote, docs)
        problems.extend(quote_problems)
        all_found = all_found and source is not None
        if source:
            sources.add(source)
    for i, group in enumerate(rec.get("alt_quotes", []), start=1):
        for quote in group:
            quote_problems, _ = _check_quote(n, i, quote, docs)
            problems.extend(p.replace(f"quote {i} ", f"alt quote of quote {i} ") for p in quote_problems)
    if qtype == "multi":
        if len(docs) < 2:
            problems.append(f"line {n}: multi question lists fewer than 2 docs")
        elif all_found and len(sources) < len(docs):
            problems.append(f"line {n}: multi question has no quote from {sorted(set(docs) - sources)}")
    elif len(docs) > 1:
        problems.append(f"line {n}: {qtype!r} question lists several docs; use type 'multi'")
    return problems


def check_set(path: str | Path) -> list[str]:
    """All problems in one question set, each prefixed with its line number."""
    records, problems = load_set(Path(path))
    if not records and not problems:
        problems.append("set is empty")
    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, int] = {}
    for n, rec in records:
        problems.extend(check_record(n, rec))
        rid = rec.get("id")
        if isinstance(rid, str):
            if rid in seen_ids:
                problems.append(f"line {n}: duplicate id {rid!r} (first on line {seen_ids[rid]})")
            else:
                seen_ids[rid] = n
        question = rec.get("question")
        if isinstance(question, str):
            key = " ".join(question.casefold().split())
            if key in seen_questions:
                problems.append(f"line {n}: duplicate question (first on line {seen_questions[key]})")
            else:
                seen_questions[key] = n
    return problems


def summarize(path: str | Path) -> tuple[Counter, Counter, int]:
    """Counts per type and per document (a multi question counts for each of its docs)."""
    records, _ = load_set(Path(path))
    types: Counter = Counter()
    docs: Counter = Counter()
    for _, rec in records:
        types[rec.get("type", "?")] += 1
        for d in split_docs(rec.get("doc", "") if isinstance(rec.get("doc"), str) else ""):
            docs[d] += 1
        if rec.get("type") == "unanswerable":
            docs["(none: unanswerable)"] += 1
    return types, docs, len(records)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    total_problems = 0
    for path in argv:
        problems = check_set(path)
        types, docs, n = summarize(path)
        print(f"== {path}: {n} questions")
        print("   types: " + ", ".join(f"{t}={types[t]}" for t in TYPES if types[t])
              + "".join(f", {t}={c}" for t, c in types.items() if t not in TYPES))
        for d, c in sorted(docs.items()):
            print(f"   {c:3d}  {d}")
        for p in problems:
            print(f"   PROBLEM {p}")
        print(f"   {'OK' if not problems else f'{len(problems)} problem(s)'}")
        total_problems += len(problems)
    return 1 if total_problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
