"""No code, comment, docstring or test repeats the evaluation sets.

The sets measure answers to questions nobody fitted the product to. A rule, word list, docstring
example or unit test written from one of their questions, answers or quotes would make that
measurement flatter the product, so unit tests use invented text. This test reads every source
file of the repository as plain text and reports each run of `RUN` words that it shares with a
set's question, context question, answer or quote. Quotes are raw corpus text: their line-end
hyphenation is joined first, as the cleaner would.

The same scan keeps the unit tests on invented text rather than the shipped documents: a rule
tested on a sentence of `corpus/` is easily a rule written for that sentence. Only the tests
that check the shipped corpus on purpose (`CORPUS_TESTS`, and tests marked `slow`) quote it.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from evals.question_set import load_question_set

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "evals" / "sets"
CORPUS = ROOT / "corpus"
#: Tests whose subject is the shipped corpus itself (they read it at run time).
CORPUS_TESTS = ("tests/ingest/test_clean_corpus.py",)
#: Where the code, its tests and its documentation live (not the corpus, not the sets).
SCANNED = ("app", "benchmarks", "evals", "ingest", "rag", "scripts", "tests")
SUFFIXES = {".py", ".md", ".toml", ".js", ".css", ".sh", ".txt", ".json"}
#: Data that is the corpus itself: a random sample of its sentences and chunks, on which the int8
#: export calibrates (scripts/calibration_texts.py). It holds no rule; it is corpus/ in part.
CORPUS_SAMPLES = (ROOT / "rag" / "models" / "calibration-nl.txt",)
#: Seven words in a row: long enough that a question's common phrasing ("hoe groot is het tekort
#: aan ...") or a document's title does not count, short enough for any copied sentence.
RUN = 7

_WORD = re.compile(r"[^\W_]+")
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-\s*\n\s*(?=[^\W\d_])")


def _words(text: str) -> list[str]:
    return _WORD.findall(_HYPHENATED.sub("", text.replace("\u00ad", "")).casefold())


def _runs(words: list[str]) -> Iterator[tuple[int, tuple[str, ...]]]:
    for i in range(len(words) - RUN + 1):
        yield i, tuple(words[i : i + RUN])


def run_index(texts: Iterable[tuple[str, str]]) -> dict[tuple[str, ...], str]:
    """Every run of `RUN` words of each (source, text), with the first source that has it."""
    runs: dict[tuple[str, ...], str] = {}
    for source, text in texts:
        for _, run in _runs(_words(text)):
            runs.setdefault(run, source)
    return runs


def _set_texts() -> Iterator[tuple[str, str]]:
    for path in sorted(SETS.glob("*.jsonl")):
        for q in load_question_set(path).questions:
            alternatives = [quote for group in q.alt_quotes for quote in group]
            for text in (q.question, q.context_question, q.answer, *q.quotes, *alternatives):
                if text:
                    yield q.id, text


def _source_files() -> Iterator[Path]:
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and SETS not in path.parents and "__pycache__" not in path.parts \
                    and path not in CORPUS_SAMPLES:
                yield path
    yield ROOT / "README.md"


def shared_runs(text: str, runs: dict[tuple[str, ...], str]) -> list[tuple[int, str, str]]:
    """(line, shared words, where they come from: a set's question id or a document) for each
    place where `text` shares a run with `runs` (one report per line)."""
    found = {}
    lines = [m.start() for m in re.finditer(r"^", text, re.MULTILINE)]
    spans = [(m.start(), m.group().casefold()) for m in _WORD.finditer(text)]
    for i, run in _runs([w for _, w in spans]):
        if run in runs:
            line = bisect.bisect_right(lines, spans[i][0])
            found.setdefault(line, (line, " ".join(run), runs[run]))
    return list(found.values())


def test_the_scan_finds_a_copied_sentence_and_not_a_common_phrase() -> None:
    runs = {run: "x-001" for _, run in _runs(_words("Het aantal kikkers in de vijver van Kikkerdorp is in 2023 gedaald."))}
    copied = 'TEXT = (\n    "Het aantal kikkers in de vijver van "\n    "Kikkerdorp is gedaald."\n)\n'
    assert shared_runs(copied, runs) == [(2, "het aantal kikkers in de vijver van", "x-001")]
    assert shared_runs('QUESTION = "Hoeveel kikkers wonen in de vijver van Kikkerdorp?"\n', runs) == []
    # Line-end hyphenation in a quote is joined, as the cleaner joins it.
    assert _words("de vij-\nver") == ["de", "vijver"]


def test_no_source_file_repeats_a_question_answer_or_quote_of_a_set() -> None:
    runs = run_index(_set_texts())
    assert len(runs) > 10_000  # the sets were read

    found = [
        f"{path.relative_to(ROOT)}:{line}: '{words}' ({question_id})"
        for path in _source_files()
        for line, words, question_id in shared_runs(path.read_text(encoding="utf-8", errors="replace"), runs)
    ]
    assert found == [], "Text of the evaluation sets in the code (write invented text instead):\n" + "\n".join(found)


def _slow_lines(source: str) -> set[int]:
    """The lines of the tests marked `slow` (decorators included): those run on the real corpus."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if any("mark.slow" in ast.unparse(d) for d in node.decorator_list):
                lines.update(range(min(d.lineno for d in node.decorator_list), node.end_lineno + 1))
    return lines


def test_slow_tests_are_left_out_of_the_corpus_scan() -> None:
    source = "import pytest\n\n@pytest.mark.slow\ndef test_a():\n    x = 1\n\ndef test_b():\n    pass\n"
    assert _slow_lines(source) == {3, 4, 5}


def test_no_unit_test_copies_the_corpus() -> None:
    runs = run_index((path.name, path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.txt")))
    assert len(runs) > 100_000  # the corpus was read

    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in CORPUS_TESTS:
            continue
        source = path.read_text(encoding="utf-8")
        slow = _slow_lines(source)
        found += [f"{name}:{line}: '{words}' ({document})" for line, words, document in shared_runs(source, runs) if line not in slow]
    assert found == [], "Text of the corpus in a unit test (write invented text instead):\n" + "\n".join(found)
