"""LLM answers next to extractive ones on a fixed slice of the test split: checks, figures, time to first sentence.

    .venv/bin/python benchmarks/llm_answer.py [SET.jsonl ...] [--questions 30] [--json out/llm_answer.json]
        [--base-url URL --model NAME --api-key KEY] [--max-tokens 160] [--timeout 120]

The slice: the first `--questions` questions of the test split (`evals.question_set.split_of`)
by id, over the sets given (default `evals/sets/bronwijzer.jsonl`). Questions are answered by
the real engine over the index in `$BRONWIJZER_HOME` (run `bronwijzer ingest` first): once
extractively, once in LLM mode. Follow-ups get their context question and its extractive
answer as history, in both modes. Without --base-url the bundled Qwen2.5-Coder-1.5B is served
with xllamacpp on a free loopback port (2 threads, context 4096), as in the tests.

Per mode: answers that pass the check whole (every sentence the model wrote was sent),
answers with sentences dropped and how many, fallbacks to the extractive answer (unsupported
or the model unavailable/too slow), refusals on unanswerable and on answerable questions,
gold figures in the answer (`evals.metrics.answer_facts`/`facts_found`), time to the first
sentence and to the whole answer. Every LLM sentence that was sent is checked again
(`unsupported sent` must be 0). Prints a table and writes the JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.metrics import answer_facts, facts_found  # noqa: E402
from evals.question_set import Question, load_question_set, split_of  # noqa: E402
from rag.answer.citation_check import check_citations  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.answer.extractive import ExtractiveComposer  # noqa: E402
from rag.answer.followup import FallbackCondenser, HeuristicCondenser  # noqa: E402
from rag.answer.llm import MODEL_PASSAGES, NOTE_CUT_OFF, NOTE_UNAVAILABLE, LLMComposer, LLMCondenser  # noqa: E402
from rag.pipeline import build  # noqa: E402
from rag.settings import REPO_ROOT, Settings  # noqa: E402
from rag.types import Answer, AnswerNote, Turn  # noqa: E402

DEFAULT_SET = REPO_ROOT / "evals" / "sets" / "bronwijzer.jsonl"


@dataclass
class Row:
    id: str
    type: str
    mode: str
    outcome: str  # checked | partial | cut_off | refused | fallback_unsupported | fallback_unavailable | extractive
    refused: bool
    first_ms: float | None
    total_ms: float
    sentences_sent: int
    sentences_dropped: int
    unsupported_sent: int
    figures: int
    figures_found: int
    text: str = ""
    note: str | None = None
    rewritten: str | None = None
    pieces: list[str] = field(default_factory=list)
    #: What the citation check kept from the user, with why (from rag.answer.checked_stream's log).
    not_sent: list[str] = field(default_factory=list)


class NotSent(logging.Handler):
    """Collects the sentences the gate did not send, for the JSON."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def classify(refused: bool, note: str | None, dropped: int) -> str:
    """What became of an answer the model wrote (mode llm)."""
    if refused:
        return "refused"
    if note == NOTE_CUT_OFF:  # stopped at the deadline after sentences were sent
        return "cut_off"
    return "partial" if dropped else "checked"


def test_slice(paths: list[Path], count: int) -> list[Question]:
    questions = []
    for path in paths:
        qs = load_question_set(path)
        questions += [q for q in qs.questions if split_of(q.id, qs.name) == "test"]
    return sorted(questions, key=lambda q: q.id)[:count]


def run_one(engine: Engine, question: Question, history: list[Turn], llm: bool) -> Row:
    gate_log = logging.getLogger("rag.answer.checked_stream")
    not_sent = NotSent()
    gate_log.addHandler(not_sent)
    gate_log.setLevel(logging.INFO)
    try:
        row = _run_one(engine, question, history, llm)
    finally:
        gate_log.removeHandler(not_sent)
    row.not_sent = not_sent.messages
    return row


def _run_one(engine: Engine, question: Question, history: list[Turn], llm: bool) -> Row:
    started = time.perf_counter()
    first = None
    pieces: list[str] = []
    answer: Answer | None = None
    for item in engine.stream(question.question, history=history):
        if isinstance(item, Answer):
            answer = item
        elif isinstance(item, str):
            first = first or time.perf_counter()
            pieces.append(item)
        elif isinstance(item, AnswerNote):
            pass
    total_ms = (time.perf_counter() - started) * 1000
    assert answer is not None and "".join(pieces) == answer.text
    facts = answer_facts(question.answer)
    found = () if answer.refused else facts_found(facts, answer.text)
    sent = len(check_citations(answer.text, answer.passages).sentences) if answer.mode == "llm" and not answer.refused else 0
    unsupported = 0
    if answer.mode == "llm" and not answer.refused:
        # Each sentence sent is checked again, against the passages the model was shown.
        unsupported = sum(1 for v in check_citations(answer.text, answer.passages[:MODEL_PASSAGES]).sentences if not v.supported)
    if not llm:
        outcome = "extractive"
    elif answer.mode == "llm":
        outcome = classify(answer.refused, answer.note, answer.sentences_dropped)
    else:
        outcome = "fallback_unavailable" if (answer.note or "").startswith(NOTE_UNAVAILABLE) else "fallback_unsupported"
    return Row(
        question.id, question.type, answer.mode, outcome, answer.refused,
        (first - started) * 1000 if first else None, total_ms, sent, answer.sentences_dropped, unsupported,
        len(facts.numbers), sum(1 for n in facts.numbers if n in found), answer.text, answer.note, answer.rewritten, pieces,
    )


def summarise(rows: list[Row], questions: list[Question]) -> dict:
    by_id = {q.id: q for q in questions}
    answerable = [r for r in rows if by_id[r.id].answerable]
    unanswerable = [r for r in rows if not by_id[r.id].answerable]
    with_figures = [r for r in answerable if r.figures]
    firsts = [r.first_ms for r in rows if r.first_ms is not None]
    # The first sentence the model wrote that passed the check (rows where one was sent).
    checked_firsts = [r.first_ms for r in rows if r.outcome in ("checked", "partial", "cut_off") and r.first_ms is not None]

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "checked_whole": sum(r.outcome == "checked" for r in answerable),
        "checked_partial": sum(r.outcome == "partial" for r in answerable),
        "cut_off": sum(r.outcome == "cut_off" for r in answerable),
        "llm_answer": sum(r.outcome in ("checked", "partial", "cut_off") for r in answerable),
        "sentences_sent": sum(r.sentences_sent for r in rows),
        "sentences_dropped": sum(r.sentences_dropped for r in rows),
        "fallback_unsupported": sum(r.outcome == "fallback_unsupported" for r in rows),
        "fallback_unavailable": sum(r.outcome == "fallback_unavailable" for r in rows),
        "unsupported_sent": sum(r.unsupported_sent for r in rows),
        "refused_unanswerable": sum(r.refused for r in unanswerable),
        "refused_answerable": sum(r.refused for r in answerable),
        "figures_all_found": sum(r.figures_found == r.figures for r in with_figures),
        "figures_questions": len(with_figures),
        "figures_share": (sum(r.figures_found for r in with_figures) / sum(r.figures for r in with_figures)) if with_figures else None,
        "first_ms_p50": statistics.median(firsts) if firsts else None,
        "first_ms_p90": pct(firsts, 0.9),
        "first_ms_max": max(firsts) if firsts else None,
        "first_within_20s": sum(f <= 20_000 for f in firsts),
        "first_checked_ms_p50": statistics.median(checked_firsts) if checked_firsts else None,
        "first_checked_ms_min": min(checked_firsts) if checked_firsts else None,
        "first_checked_within_20s": sum(f <= 20_000 for f in checked_firsts),
        "first_checked_count": len(checked_firsts),
        "total_ms_p50": statistics.median(r.total_ms for r in rows),
        "total_ms_max": max(r.total_ms for r in rows),
    }


def print_table(extractive: dict, llm: dict) -> None:
    def fmt(value) -> str:
        if value is None:
            return "-"
        return f"{value:.0f}" if isinstance(value, float) else str(value)

    def sec(ms) -> str:
        return "-" if ms is None else f"{ms / 1000:.1f} s"

    lines = [
        ("questions (answerable / unanswerable)", f"{extractive['answerable']} / {extractive['unanswerable']}", f"{llm['answerable']} / {llm['unanswerable']}"),
        ("LLM answer sent (all sentences passed + some dropped + cut off at the timeout)", "-",
         f"{llm['llm_answer']} of {llm['answerable']} ({llm['checked_whole']} + {llm['checked_partial']} + {llm['cut_off']})"),
        ("sentences sent / dropped", "-", f"{llm['sentences_sent']} / {llm['sentences_dropped']}"),
        ("unsupported sentences sent (rechecked)", "-", fmt(llm["unsupported_sent"])),
        ("fallbacks: unsupported / model unavailable or slow", "-", f"{llm['fallback_unsupported']} / {llm['fallback_unavailable']}"),
        ("refusals: unanswerable / answerable", f"{extractive['refused_unanswerable']}/{extractive['unanswerable']} / {extractive['refused_answerable']}",
         f"{llm['refused_unanswerable']}/{llm['unanswerable']} / {llm['refused_answerable']}"),
        ("gold figures: all in answer / share found", f"{extractive['figures_all_found']}/{extractive['figures_questions']} / {fmt((extractive['figures_share'] or 0) * 100)}%",
         f"{llm['figures_all_found']}/{llm['figures_questions']} / {fmt((llm['figures_share'] or 0) * 100)}%"),
        ("first sentence p50 / p90 / max", f"{sec(extractive['first_ms_p50'])} / {sec(extractive['first_ms_p90'])} / {sec(extractive['first_ms_max'])}",
         f"{sec(llm['first_ms_p50'])} / {sec(llm['first_ms_p90'])} / {sec(llm['first_ms_max'])}"),
        ("first sentence within 20 s", f"{extractive['first_within_20s']}/{extractive['questions']}", f"{llm['first_within_20s']}/{llm['questions']}"),
        ("first checked LLM sentence p50 / min / within 20 s", "-",
         f"{sec(llm['first_checked_ms_p50'])} / {sec(llm['first_checked_ms_min'])} / {llm['first_checked_within_20s']}/{llm['first_checked_count']}"),
        ("whole answer p50 / max", f"{sec(extractive['total_ms_p50'])} / {sec(extractive['total_ms_max'])}", f"{sec(llm['total_ms_p50'])} / {sec(llm['total_ms_max'])}"),
    ]
    width = max(len(a) for a, _, _ in lines)
    print(f"\n| {'figure'.ljust(width)} | extractive | LLM |")
    print(f"|{'-' * (width + 2)}|---|---|")
    for name, ext, llm_value in lines:
        print(f"| {name.ljust(width)} | {ext} | {llm_value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=[DEFAULT_SET])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--json", type=Path, default=Path("out/llm_answer.json"))
    parser.add_argument("--base-url")
    parser.add_argument("--model", default="default")
    parser.add_argument("--api-key", default="not-needed")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--timeout", type=float, default=120.0, help="BRONWIJZER_LLM_TIMEOUT for the run")
    parser.add_argument("--table-from", type=Path, help="only print the table of an earlier run's JSON")
    args = parser.parse_args()

    if args.table_from:
        saved = json.loads(args.table_from.read_text(encoding="utf-8"))
        by_id = {}
        for path in saved["sets"]:
            by_id |= {q.id: q for q in load_question_set(path).questions}
        questions = [by_id[i] for i in saved["question_ids"]]
        rows = {mode: [Row(**row) for row in mode_rows] for mode, mode_rows in saved["rows"].items()}
        for row in rows["llm"]:
            if row.mode == "llm":
                row.outcome = classify(row.refused, row.note, row.sentences_dropped)
        print_table(*(summarise(rows[mode], questions) for mode in ("extractive", "llm")))
        print(f"\nload average at the end of that run (1/5/15 min): {' / '.join(f'{x:.1f}' for x in saved['load_average'])}")
        return

    questions = test_slice(args.sets, args.questions)
    base = Settings()
    components = build(base)
    extractive_engine = components.engine
    extractive_engine.warm_up()

    server = None
    if args.base_url is None:
        from tests.e2e.llm_server import API_KEY, MODEL_ALIAS, XllamacppServer

        from app.local_llm import QWEN_CODER_1_5B, model_path

        workdir = Path(tempfile.mkdtemp(prefix="bronwijzer-llm-bench-"))
        server = XllamacppServer(model_path(QWEN_CODER_1_5B), workdir / "server.log")
        started = time.perf_counter()
        server.start()
        print(f"xllamacpp serving {QWEN_CODER_1_5B.name} at {server.base_url}, ready in {time.perf_counter() - started:.1f} s")
        args.base_url, args.model, args.api_key = server.base_url, MODEL_ALIAS, API_KEY
    settings = base.model_copy(update={
        "llm_base_url": args.base_url, "llm_model": args.model, "llm_api_key": args.api_key,
        "llm_max_tokens": args.max_tokens, "llm_temperature": 0.0, "llm_timeout": args.timeout,
    })
    llm_engine = Engine(
        settings, components.retriever, LLMComposer(settings, fallback=ExtractiveComposer(settings)),
        FallbackCondenser(LLMCondenser(settings), HeuristicCondenser()),
    )

    rows: dict[str, list[Row]] = {"extractive": [], "llm": []}
    try:
        for index, question in enumerate(questions, 1):
            history: list[Turn] = []
            if question.context_question:
                context = extractive_engine.ask(question.context_question)
                history = [Turn("user", question.context_question), Turn("assistant", context.text)]
            for mode, engine in (("extractive", extractive_engine), ("llm", llm_engine)):
                row = run_one(engine, question, history, llm=mode == "llm")
                rows[mode].append(row)
                first = f"{row.first_ms / 1000:5.1f} s" if row.first_ms is not None else "   -  "
                print(f"[{index:2d}/{len(questions)}] {question.id} {mode:10s} {row.outcome:20s} first {first} "
                      f"total {row.total_ms / 1000:5.1f} s  sent {row.sentences_sent} dropped {row.sentences_dropped} "
                      f"figures {row.figures_found}/{row.figures}", flush=True)
                if mode == "llm":
                    print(f"      {row.text[:240]!r}", flush=True)
                    for message in row.not_sent:
                        print(f"      {message[:300]}", flush=True)
    finally:
        if server is not None:
            server.stop()

    summary = {mode: summarise(mode_rows, questions) for mode, mode_rows in rows.items()}
    print_table(summary["extractive"], summary["llm"])
    load = os.getloadavg()
    print(f"\nload average during the run (1/5/15 min at the end): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; cores: {os.cpu_count()}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "sets": [str(p) for p in args.sets],
        "question_ids": [q.id for q in questions],
        "settings": {"max_tokens": args.max_tokens, "timeout": args.timeout, "model": args.model,
                     "model_passages": MODEL_PASSAGES},
        "load_average": load,
        "summary": summary,
        "rows": {mode: [row.__dict__ for row in mode_rows] for mode, mode_rows in rows.items()},
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
