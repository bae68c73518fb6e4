"""Run a question set against Bronwijzer and score every answer.

    run = run_eval(Path("evals/sets/dev.jsonl"), EngineClient(engine), k=5)
    write_report(run, Path("reports/dev"))                  # evals.report
    failures = check(run, Path("evals/thresholds.toml"), run.set_name)   # evals.gate

The set is validated first: a bad line stops the run before anything is asked. A follow-up
question is asked after its `context_question`, with [user: context question, assistant: its
answer] as history. A failed request is recorded on its question and the run goes on, unless
`MAX_CONSECUTIVE_ERRORS` requests in a row fail (the server is down: stop early).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import platform
import subprocess
import time
import types
import typing
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from evals.clients import Client, EvalAnswer
from evals.judge import Judge
from evals.metrics import QuestionScores, aggregate, score_question
from evals.question_set import SPLITS, Question, load_question_set
from rag.types import Turn

FORMAT = "bronwijzer-eval/1"
#: The name of the run that pools several sets (`pooled`).
POOLED_NAME = "alle-sets"
MAX_CONSECUTIVE_ERRORS = 5
NO_DOCUMENT = "(geen document)"


@dataclass(frozen=True)
class QuestionResult:
    """One question, what Bronwijzer answered, and its scores (None when the request failed)."""

    question: Question
    answer: EvalAnswer | None
    scores: QuestionScores | None
    latencies_ms: tuple[float, ...] = ()
    context_answer: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class EvalRun:
    """Everything about one run; `figures` overall, `by_type`, `by_document` and `by_split`
    (tune/test, see `evals.question_set.split_of`) per group."""

    set_name: str
    set_path: str
    set_sha256: str
    k: int
    client: str
    started_at: str
    duration_s: float
    results: tuple[QuestionResult, ...]
    figures: dict[str, float | int | None]
    by_type: dict[str, dict[str, float | int | None]]
    by_document: dict[str, dict[str, float | int | None]]
    judge: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    format: str = FORMAT
    by_split: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    #: The split the run was limited to, or None for the whole set.
    split: str | None = None

    @property
    def modes(self) -> list[str]:
        return sorted({r.answer.mode for r in self.results if r.answer})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EvalRun":
        if data.get("format") != FORMAT:
            raise ValueError(f"not a Bronwijzer evaluation run (format {FORMAT!r}), got format {data.get('format')!r}")
        return _decode(cls, data)

    @classmethod
    def load(cls, path: Path) -> "EvalRun":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _decode(hint: Any, value: Any) -> Any:
    """Rebuild nested frozen dataclasses from `dataclasses.asdict` output."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        names = {f.name for f in dataclasses.fields(hint)}
        return hint(**{k: _decode(hints[k], v) for k, v in value.items() if k in names})
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        return tuple(_decode(typing.get_args(hint)[0], v) for v in value)
    if origin is list:
        return [_decode(typing.get_args(hint)[0], v) for v in value]
    if origin is dict:
        return {k: _decode(typing.get_args(hint)[1], v) for k, v in value.items()}
    return value


def scored_items(results: Iterable[QuestionResult]) -> list[tuple[Question, QuestionScores | None, tuple[float, ...]]]:
    """(question, scores, latencies) of each result: what `evals.metrics.aggregate` takes."""
    return [(r.question, r.scores, r.latencies_ms) for r in results]


def regroup(results: tuple[QuestionResult, ...] | list[QuestionResult], k: int) -> tuple[dict, dict, dict, dict]:
    """Overall, per-type, per-document and per-split figures (a question counts for each of
    its documents)."""
    items = scored_items(results)
    by_type: dict[str, list] = defaultdict(list)
    by_document: dict[str, list] = defaultdict(list)
    by_split: dict[str, list] = defaultdict(list)
    for item in items:
        by_type[item[0].type].append(item)
        by_split[item[0].split].append(item)
        for doc in item[0].docs or (NO_DOCUMENT,):
            by_document[doc].append(item)
    return (
        aggregate(items, k),
        {t: aggregate(group, k) for t, group in sorted(by_type.items())},
        {d: aggregate(group, k) for d, group in sorted(by_document.items())},
        {s: aggregate(by_split[s], k) for s in SPLITS if by_split.get(s)},
    )


def _ask_question(question: Question, client: Client, k: int, judge: Judge | None) -> QuestionResult:
    history: list[Turn] = []
    latencies: list[float] = []
    context_answer = None
    if question.context_question:
        first = client.ask(question.context_question, [], k)
        latencies.append(first.latency_ms)
        context_answer = first.text
        history = [Turn("user", question.context_question), Turn("assistant", first.text)]
    answer = client.ask(question.question, history, k)
    latencies.append(answer.latency_ms)
    scores = score_question(question, answer, k)
    if judge is not None and not answer.refused and answer.text.strip():
        scores = dataclasses.replace(
            scores,
            faithfulness=judge.faithfulness(question.question, answer.text, [p.text for p in answer.passages]),
            answer_relevancy=judge.answer_relevancy(question.question, answer.text),
        )
    return QuestionResult(question, answer, scores, tuple(latencies), context_answer)


#: The packages whose versions decide the figures: the embedding model's runtime and export, the
#: vector store, BM25 and the stemmer. A report names them so that a change in the figures
#: between two machines or installs can be told from a change in the code.
FIGURE_PACKAGES = ("onnxruntime", "torch", "transformers", "sentence-transformers", "chromadb", "bm25s", "PyStemmer", "numpy")

#: The parts of `_environment` that may differ between two runs without changing their figures:
#: the code itself (comparing runs is there for that), the version number that follows it, and
#: the machine's name. Every other part a report records counts as a change of environment.
SAME_FIGURES = ("bronwijzer", "commit", "host")


def _cpu() -> str:
    """The processor's model name, and whether it has VNNI: the int8 embedder (sentence vectors)
    computes with other kernels, and slightly other vectors, with and without it."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:  # not Linux: the model name platform gives
        pass
    vnni = sorted(flags & {"avx512_vnni", "avx_vnni"})
    return f"{name} ({', '.join(vnni)})" if vnni else name


def _commit() -> str | None:
    """The checkout's commit, with "+changes" when files differ from it; None outside git."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def _environment() -> dict[str, str]:
    """Where the run was made: version and commit, Python, host, processor and the versions of
    `FIGURE_PACKAGES`. For a run over HTTP these describe the evaluating machine, not the server."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        bronwijzer = version("bronwijzer")
    except PackageNotFoundError:
        bronwijzer = "unknown"
    environment = {"bronwijzer": bronwijzer, "python": platform.python_version(), "host": platform.node()}
    if (commit := _commit()) is not None:
        environment["commit"] = commit
    environment["cpu"] = _cpu()
    for package in FIGURE_PACKAGES:
        try:
            environment[package] = version(package)
        except PackageNotFoundError:
            continue
    return environment


def run_eval(
    set_path: Path,
    client: Client,
    *,
    k: int = 5,
    progress: bool = True,
    judge: Judge | None = None,
    split: str | None = None,
) -> EvalRun:
    """Ask every question of the set (or of one `split`: "tune" or "test") through `client`
    and score the answers.

    Raises `QuestionSetError` (before asking anything) when the set has bad lines, and the
    last error when `MAX_CONSECUTIVE_ERRORS` requests in a row fail.
    """
    if k < 1:
        raise ValueError(f"k must be greater than 0, got {k}")
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    question_set = load_question_set(set_path)
    questions = [q for q in question_set.questions if split is None or q.split == split]
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    results: list[QuestionResult] = []
    consecutive_errors = 0
    bar = Progress(
        TextColumn("[bold]Evaluatie[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), disable=not progress,
        transient=True,
    )
    with bar:
        task = bar.add_task(question_set.name, total=len(questions))
        for question in questions:
            bar.update(task, description=f"{question_set.name}: {question.id}")
            try:
                result = _ask_question(question, client, k, judge)
                consecutive_errors = 0
            except Exception as exc:  # one broken answer must not hide the other figures
                consecutive_errors += 1
                if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                    raise
                result = QuestionResult(question, None, None, error=f"{type(exc).__name__}: {exc}")
            results.append(result)
            bar.advance(task)

    overall, by_type, by_document, by_split = regroup(results, k)
    return EvalRun(
        set_name=question_set.name,
        set_path=question_set.path,
        set_sha256=question_set.sha256,
        k=k,
        client=client.description,
        started_at=started_at,
        duration_s=round(time.perf_counter() - started, 3),
        results=tuple(results),
        figures=overall,
        by_type=by_type,
        by_document=by_document,
        judge=judge.name if judge else None,
        environment=_environment(),
        by_split=by_split,
        split=split,
    )


def pooled(runs: Sequence[EvalRun]) -> EvalRun:
    """One run of the questions of several sets' runs together (the same k and client): the
    figures over all of them, as a target over "the sets" is meant, with each question counted
    once. Question ids must differ between the sets."""
    if not runs:
        raise ValueError("no runs to pool")
    if len({r.k for r in runs}) > 1:
        raise ValueError(f"runs with another k cannot be pooled: {sorted({r.k for r in runs})}")
    results = tuple(result for run in runs for result in run.results)
    ids = [r.question.id for r in results]
    if len(set(ids)) < len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"question ids occur in more than one set: {', '.join(twice[:5])}")
    overall, by_type, by_document, by_split = regroup(results, runs[0].k)
    digest = hashlib.sha256("".join(r.set_sha256 for r in runs).encode("ascii")).hexdigest()
    first = runs[0]
    return dataclasses.replace(
        first, set_name=POOLED_NAME, set_path=", ".join(r.set_path for r in runs), set_sha256=digest,
        duration_s=round(sum(r.duration_s for r in runs), 3), results=results, figures=overall, by_type=by_type,
        by_document=by_document, by_split=by_split,
    )
