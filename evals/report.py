"""Reports of a run: one self-contained HTML page, JSON for machines, a short Markdown summary.

The HTML has inline CSS and hand-made inline SVG plots (no CDN, no JavaScript), so it can be
mailed or archived as one file. With `compare=previous.json` every report also shows the
change per figure and the questions that got better or worse. Every figure of the questions
comes with its 95% interval over resamples of the set (`evals.uncertainty`), and so do the
gap between tune and test and the change since the previous run: a change whose interval
holds 0 may be chance.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

from evals.metrics import LOWER_IS_BETTER, figure_definitions, figure_names, percentile
from evals.runner import SAME_FIGURES, EvalRun, QuestionResult, scored_items
from evals.uncertainty import LEVEL, Interval, difference_intervals, gap_intervals, intervals, within_chance

_EPS = 1e-9
GROUP_COLUMNS = ("questions", "recall@k", "mrr", "ndcg@10", "citation_precision", "citation_recall",
                 "fact_recall", "fact_figures", "lead", "lead_oracle", "junk", "broken", "refusal_accuracy", "false_refusal_rate", "latency_p50_ms", "latency_p95_ms", "errors")
_LABELS = {
    "questions": "n", "mrr": "MRR", "ndcg@10": "nDCG@10", "citation_precision": "citatie-precisie",
    "citation_recall": "citatie-recall", "fact_recall": "feiten-recall", "refusal_accuracy": "weigering juist",
    "false_refusal_rate": "onterecht geweigerd", "latency_p50_ms": "p50 ms", "latency_p95_ms": "p95 ms",
    "errors": "fouten", "faithfulness": "faithfulness", "answer_relevancy": "answer relevancy",
    "fact_figures": "getallen in feitantwoorden", "lead": "eerste zin", "lead_oracle": "beste zin",
    "lead_ratio": "eerste/beste zin", "junk": "rommel", "broken": "afgebroken zin",
}
#: Figures shown per split; a tune/test difference above `SPLIT_GAP` is flagged.
SPLIT_FIGURES = ("questions", "recall@k", "mrr", "ndcg@10", "fact_figures", "fact_recall", "lead", "lead_oracle",
                 "lead_ratio", "junk", "broken", "refusal_accuracy", "false_refusal_rate")
SPLIT_GAP = 0.05

#: Under the headline figures: what the intervals are.
_INTERVAL_NOTE = (
    f"{LEVEL:.0%}-interval: het bereik waarin het cijfer valt bij {LEVEL:.0%} van de trekkingen van evenveel vragen "
    "uit deze set (bootstrap over de vragen). Een smal interval vraagt veel vragen: op 150 vragen is het voor "
    "recall ongeveer ±0,06 breed."
)
#: Above a comparison: when a change may be chance.
_CHANGE_NOTE = (
    f"Het {LEVEL:.0%}-interval van een verschil komt uit trekkingen van dezelfde vragen in beide runs. Bevat het 0, "
    "dan kan het verschil toeval zijn (toeval?): er veranderden te weinig vragen om het van de spreiding te onderscheiden."
)


def split_rows(run: EvalRun) -> list[tuple[str, float | None, float | None, float | None, bool]]:
    """(figure, tune, test, test - tune, flagged) for the figures of `SPLIT_FIGURES`."""
    tune, test = run.by_split.get("tune", {}), run.by_split.get("test", {})
    rows = []
    for name in SPLIT_FIGURES:
        a, b = _group_value(tune, name, run.k), _group_value(test, name, run.k)
        gap = b - a if a is not None and b is not None and name != "questions" else None
        rows.append((name, a, b, gap, gap is not None and abs(gap) > SPLIT_GAP))
    return rows


@dataclass(frozen=True)
class Intervals:
    """The 95% intervals of a run's figures: overall, per split, and of test minus tune."""

    overall: dict[str, Interval]
    by_split: dict[str, dict[str, Interval]]
    test_minus_tune: dict[str, Interval]


def run_intervals(run: EvalRun) -> Intervals:
    """The intervals of `run`, from its questions' scores (so an older results file gets them too)."""
    splits = {s: [r for r in run.results if r.question.split == s] for s in run.by_split}
    both = {"tune", "test"} <= splits.keys()
    gap = gap_intervals(scored_items(splits["tune"]), scored_items(splits["test"]), run.k) if both else {}
    return Intervals(
        overall=intervals(scored_items(run.results), run.k),
        by_split={s: intervals(scored_items(results), run.k) for s, results in splits.items()},
        test_minus_tune=gap,
    )


# --- comparison -------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    name: str
    before: float | None
    after: float | None
    delta: float | None
    improved: bool | None  # None: unchanged or not comparable
    #: The 95% interval of the change over the questions both runs asked (None: no interval).
    interval: Interval | None = None

    @property
    def chance(self) -> bool:
        """Whether the change may be chance: its interval holds 0."""
        return within_chance(self.interval)


@dataclass(frozen=True)
class QuestionChange:
    id: str
    type: str
    question: str
    verdict: str  # "beter", "slechter" or "gemengd"
    changes: tuple[tuple[str, float | None, float | None, bool], ...]  # (signal, before, after, improved)


@dataclass(frozen=True)
class Comparison:
    previous: str
    figures: tuple[FigureChange, ...]
    better: tuple[QuestionChange, ...]
    worse: tuple[QuestionChange, ...]
    mixed: tuple[QuestionChange, ...]
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _question_signals(result: QuestionResult) -> dict[str, float | None]:
    """What decides whether a question got better: retrieval, answer facts, refusal, errors."""
    if result.scores is None:
        return {"fout": 1.0}
    signals: dict[str, float | None] = {"fout": 0.0}
    signals["weigering juist"] = 1.0 if result.scores.refused != result.question.answerable else 0.0
    if result.question.answerable:
        signals["recall@k"] = result.scores.recall_at_k
        signals["feiten-recall"] = result.scores.fact_recall
    return signals


def _figure_improved(name: str, delta: float) -> bool | None:
    if abs(delta) < _EPS:
        return None
    return (delta < 0) if name in LOWER_IS_BETTER else (delta > 0)


def environment_changes(current: dict[str, str], previous: dict[str, str]) -> list[str]:
    """"name before → after" for each part of two runs' environments that can move the figures
    (all but `evals.runner.SAME_FIGURES`: processor, Python, the packages of `FIGURE_PACKAGES`);
    a part that only one run records (an older report) is no change."""
    return [f"{name} {previous[name]} → {value}" for name, value in current.items()
            if name not in SAME_FIGURES and name in previous and previous[name] != value]


def compare_runs(current: EvalRun, previous: EvalRun) -> Comparison:
    """Change per figure and per question (matched by id) from `previous` to `current`."""
    warnings = []
    if current.set_sha256 != previous.set_sha256:
        warnings.append("De vragenset is gewijzigd sinds de vorige run; vergelijk met zorg.")
    if current.k != previous.k:
        warnings.append(f"De vorige run gebruikte k={previous.k}, deze k={current.k}.")
    if changed := environment_changes(current.environment, previous.environment):
        warnings.append(f"De vorige run draaide in een andere omgeving ({'; '.join(changed)}): "
                        "verschillen kunnen ook daar vandaan komen, niet alleen uit de code.")

    before_by_id = {r.question.id: r for r in previous.results}
    after_by_id = {r.question.id: r for r in current.results}
    both = [qid for qid in after_by_id if qid in before_by_id]
    paired = (
        difference_intervals(scored_items(before_by_id[q] for q in both), scored_items(after_by_id[q] for q in both), current.k)
        if current.k == previous.k else {}
    )

    names = [n for n in figure_names(current.k) if n in current.figures or n in previous.figures] + ["errors"]
    figures = []
    for name in names:
        # recall@k of a run with another k is another figure: it is simply absent there.
        before, after = previous.figures.get(name), current.figures.get(name)
        delta = after - before if before is not None and after is not None else None
        improved = _figure_improved(name, delta) if delta is not None else None
        figures.append(FigureChange(name, before, after, delta, improved, paired.get(name)))
    better, worse, mixed = [], [], []
    for qid, result in after_by_id.items():
        if qid not in before_by_id:
            continue
        old, new = _question_signals(before_by_id[qid]), _question_signals(result)
        changes = []
        for signal in dict.fromkeys([*old, *new]):
            a, b = old.get(signal), new.get(signal)
            if a is None or b is None or abs(a - b) < _EPS:
                continue
            improved = (b < a) if signal == "fout" else (b > a)
            changes.append((signal, a, b, improved))
        if not changes:
            continue
        ups = any(c[3] for c in changes)
        downs = any(not c[3] for c in changes)
        verdict = "gemengd" if ups and downs else "beter" if ups else "slechter"
        change = QuestionChange(qid, result.question.type, result.question.question, verdict, tuple(changes))
        {"beter": better, "slechter": worse, "gemengd": mixed}[verdict].append(change)
    return Comparison(
        previous=f"{previous.started_at} ({previous.client})",
        figures=tuple(figures),
        better=tuple(better),
        worse=tuple(worse),
        mixed=tuple(mixed),
        added=tuple(q for q in after_by_id if q not in before_by_id),
        removed=tuple(q for q in before_by_id if q not in after_by_id),
        warnings=tuple(warnings),
    )


# --- formatting -------------------------------------------------------------------------


def _fmt(name: str, value: float | int | None) -> str:
    if value is None:
        return "–"
    if name.endswith("_ms"):
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    if name in ("questions", "answerable", "unanswerable", "errors"):
        return str(int(value))
    return f"{value:.3f}"


def format_interval(bounds: Interval | None, signed: bool = False) -> str:
    """"low … high" of an interval (signed for a difference), "–" for none."""
    if bounds is None:
        return "–"
    low, high = bounds
    return f"{low:+.3f} … {high:+.3f}" if signed else f"{low:.3f} … {high:.3f}"


def _fmt_difference(delta: float | None, bounds: Interval | None) -> str:
    """A difference's interval, with "toeval?" when the difference is not 0 and its interval holds 0."""
    if bounds is None:
        return "–"
    return format_interval(bounds, signed=True) + (" (toeval?)" if delta and within_chance(bounds) else "")


def _fmt_chance(change: FigureChange | None) -> str:
    """The interval of a change since the previous run."""
    return "–" if change is None else _fmt_difference(change.delta, change.interval)


def _fmt_delta(name: str, delta: float | None) -> str:
    if delta is None:
        return "–"
    if name.endswith("_ms"):
        return f"{delta:+.0f}" if abs(delta) >= 100 else f"{delta:+.1f}"
    if name == "errors":
        return f"{delta:+.0f}"
    return f"{delta:+.3f}"


def _label(name: str, k: int) -> str:
    if name == "recall@k":
        return f"recall@{k}"
    return _LABELS.get(name, name)


def _key(name: str, k: int) -> str:
    """A figure's name in a run's figures: "recall@k" is "recall@5" in a run with k=5."""
    return f"recall@{k}" if name == "recall@k" else name


def _group_value(figures: dict, name: str, k: int) -> float | int | None:
    return figures.get(_key(name, k))


# --- plots (inline SVG) -----------------------------------------------------------------


def svg_bars_by_type(run: EvalRun) -> str:
    """Horizontal bars per question type: recall@k and fact recall (0-1)."""
    series = [(f"recall@{run.k}", "#2b6cb0"), ("fact_recall", "#dd8a2e")]
    types = list(run.by_type)
    row, label_w, bar_w, top = 34, 110, 360, 28
    height = top + row * len(types) + 16
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" height="{height}" '
             f'role="img" aria-label="recall@{run.k} en feiten-recall per type" font-family="sans-serif" font-size="12">']
    for i, (name, colour) in enumerate(series):
        x = label_w + i * 150
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="16">{escape(_LABELS.get(name, name))}</text>')
    for tick in (0, 0.5, 1):
        x = label_w + tick * bar_w
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 14}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{height - 2}" text-anchor="middle" fill="#888">{tick:g}</text>')
    for j, qtype in enumerate(types):
        y = top + j * row
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(qtype)}</text>')
        for i, (name, colour) in enumerate(series):
            value = run.by_type[qtype].get(name)
            by = y + 3 + i * 13
            if value is None:
                parts.append(f'<text x="{label_w + 4}" y="{by + 10}" fill="#888">n.v.t.</text>')
                continue
            parts.append(f'<rect x="{label_w}" y="{by}" width="{value * bar_w:.1f}" height="11" fill="{colour}"/>'
                         f'<text x="{label_w + value * bar_w + 4:.1f}" y="{by + 10}">{value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_latency_histogram(latencies_ms: list[float], bins: int = 20) -> str:
    """Histogram of request latencies with the p50 and p95 marked."""
    if not latencies_ms:
        return "<p>Geen verzoeken gemeten.</p>"
    width, height, left, bottom, top = 520, 220, 40, 30, 34
    high = max(latencies_ms) * 1.05 or 1.0
    counts = [0] * bins
    for ms in latencies_ms:
        counts[min(bins - 1, int(ms / high * bins))] += 1
    tallest = max(counts)
    plot_w, plot_h = width - left - 30, height - bottom - top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             'aria-label="verdeling van de verzoekduur" font-family="sans-serif" font-size="11">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444"/>']
    for i, count in enumerate(counts):
        h = count / tallest * plot_h
        parts.append(f'<rect x="{left + i * plot_w / bins + 1:.1f}" y="{top + plot_h - h:.1f}" '
                     f'width="{plot_w / bins - 2:.1f}" height="{h:.1f}" fill="#4a8c6a"><title>{count}</title></rect>')
    for fraction in (0, 0.5, 1):
        x = left + fraction * plot_w
        parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">{_fmt("_ms", high * fraction)} ms</text>')
    parts.append(f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{tallest}</text>'
                 f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>')
    for row, (name, q, colour) in enumerate((("p50", 50, "#2b6cb0"), ("p95", 95, "#c53030"))):
        value = percentile(latencies_ms, q) or 0.0
        x = left + value / high * plot_w
        anchor = "end" if x > left + plot_w * 0.8 else "start"
        parts.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{colour}" '
                     f'stroke-dasharray="4 3"/><text x="{x + (-3 if anchor == "end" else 3):.1f}" y="{10 + row * 12}" '
                     f'fill="{colour}" text-anchor="{anchor}">{name} {_fmt("_ms", value)} ms</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- HTML -------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;color:#1a202c;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #cbd5e0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.88rem}
th,td{border:1px solid #e2e8f0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#edf2f7}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.better{color:#276749;font-weight:600}.worse{color:#c53030;font-weight:600}.muted{color:#718096}
.warn{background:#fffaf0;border-left:4px solid #dd6b20;padding:.4rem .8rem}
.plots{display:flex;flex-wrap:wrap;gap:2rem}.def{max-width:60rem;font-size:.85rem}
details summary{cursor:pointer;color:#2b6cb0}
"""


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _change_cell(change: FigureChange) -> str:
    css = "" if change.improved is None else ' class="better"' if change.improved else ' class="worse"'
    return f"<span{css}>{_fmt_delta(change.name, change.delta)}</span>"


def _group_table(groups: dict[str, dict], k: int, first: str) -> str:
    headers = [first] + [_label(c, k) for c in GROUP_COLUMNS]
    rows = [[escape(name)] + [_fmt(c, _group_value(fig, c, k)) for c in GROUP_COLUMNS] for name, fig in groups.items()]
    return _table(headers, rows, numeric=set(range(1, len(headers))))


def _excerpt(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _question_rows(run: EvalRun) -> list[list[str]]:
    rows = []
    for r in run.results:
        s, q = r.scores, r.question
        if s is None:
            hit, recall, rank, refused, facts = "–", "–", "–", "–", "–"
        else:
            hit = "–" if s.recall_at_k is None else ("✓" if s.recall_at_k > 0 else "✗")
            recall = _fmt("r", s.recall_at_k)
            rank = str(s.first_relevant_rank or "–")
            refused = ("ja" if s.refused else "nee") + ("" if s.refused != q.answerable else " ⚠")
            facts = _fmt("f", s.fact_recall)
        missing = [f for f in (s.facts if s else ()) if f not in (s.facts_found if s else ())]
        answer = escape(_excerpt(r.answer.text)) if r.answer else f'<span class="worse">{escape(r.error or "")}</span>'
        detail = (
            f"<details><summary>meer</summary><p><b>Goudantwoord:</b> {escape(q.answer) or '–'}</p>"
            + (f"<p><b>Contextvraag:</b> {escape(q.context_question)}</p>" if q.context_question else "")
            + (f"<p><b>Ontbrekende feiten:</b> {escape(', '.join(missing))}</p>" if missing else "")
            + (f"<p><b>Documenten:</b> {escape('; '.join(q.docs))}</p>" if q.docs else "")
            + "</details>"
        )
        latency = _fmt("latency_ms", r.latencies_ms[-1] if r.latencies_ms else None)
        rows.append([escape(q.id), escape(q.type), escape(q.question), hit, recall, rank, refused, facts, latency,
                     answer + detail])
    return rows


def _comparison_html(comparison: Comparison, k: int) -> str:
    parts = [f"<h2>Vergelijking met {escape(comparison.previous)}</h2>"]
    parts += [f'<p class="warn">{escape(w)}</p>' for w in comparison.warnings]
    parts.append(f"<p class='def'>{escape(_CHANGE_NOTE)}</p>")
    parts.append(_table(
        ["cijfer", "vorige", "nu", "verschil", f"{LEVEL:.0%}-interval van het verschil"],
        [[escape(c.name), _fmt(c.name, c.before), _fmt(c.name, c.after), _change_cell(c), escape(_fmt_chance(c))]
         for c in comparison.figures],
        numeric={1, 2, 3, 4},
    ))
    for title, changes, css in (("Beter", comparison.better, "better"), ("Slechter", comparison.worse, "worse"),
                                ("Gemengd", comparison.mixed, "")):
        parts.append(f'<h3 class="{css}">{title}: {len(changes)} vragen</h3>')
        if changes:
            parts.append(_table(["id", "type", "vraag", "veranderd"], [
                [escape(c.id), escape(c.type), escape(c.question),
                 "; ".join(f'<span class="{"better" if up else "worse"}">{escape(_label(sig, k))} '
                           f'{_fmt(sig, a)} → {_fmt(sig, b)}</span>' for sig, a, b, up in c.changes)]
                for c in changes
            ]))
    if comparison.added or comparison.removed:
        parts.append(f"<p>Nieuw: {escape(', '.join(comparison.added) or '–')}. "
                     f"Vervallen: {escape(', '.join(comparison.removed) or '–')}.</p>")
    return "".join(parts)


def render_html(run: EvalRun, comparison: Comparison | None = None, bounds: Intervals | None = None) -> str:
    k = run.k
    bounds = bounds or run_intervals(run)
    definitions = figure_definitions(k)
    changes = {c.name: c for c in comparison.figures} if comparison else {}
    headline = []
    for name in figure_names(k) + ["errors"]:
        row = [escape(name), _fmt(name, run.figures.get(name)), format_interval(bounds.overall.get(name))]
        if comparison:
            change = changes.get(name)
            row += [_change_cell(change) if change else "–", escape(_fmt_chance(change))]
        row.append(f'<span class="def">{definitions.get(name, "")}</span>')
        headline.append(row)
    headline_headers = (["cijfer", "waarde", f"{LEVEL:.0%}-interval"]
                        + (["verschil", f"{LEVEL:.0%}-interval van het verschil"] if comparison else []) + ["definitie"])
    judge = (
        f"Beoordelaar: {escape(run.judge)}." if run.judge
        else "Faithfulness en answer relevancy zijn niet gemeten: er is geen LLM-beoordelaar geconfigureerd "
        "(BRONWIJZER_LLM_BASE_URL)."
    )
    meta = _table(["", ""], [
        ["vragenset", f"{escape(run.set_path)} <span class='muted'>(sha256 {run.set_sha256[:12]})</span>"],
        ["systeem", escape(run.client) + f" — modus: {escape(', '.join(run.modes) or '–')}"],
        ["gestart", escape(run.started_at)],
        ["duur", f"{run.duration_s:.1f} s"],
        ["k (top_k)", str(k)],
        ["vragen", f"{run.figures['questions']} ({run.figures['answerable']} beantwoordbaar, "
                   f"{run.figures['unanswerable']} onbeantwoordbaar, {run.figures['errors']} fouten)"],
        ["omgeving", escape(", ".join(f"{a} {b}" for a, b in run.environment.items()))],
    ])
    latencies = [ms for r in run.results if r.scores is not None for ms in r.latencies_ms]
    sections = [
        f"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Bronwijzer-evaluatie {escape(run.set_name)}"
        f"</title><style>{_CSS}</style></head><body>",
        f"<h1>Bronwijzer-evaluatie: {escape(run.set_name)}</h1>", meta,
        "<h2>Kerncijfers</h2>", _table(headline_headers, headline, numeric={1, 2, 3, 4} if comparison else {1, 2}),
        f"<p class='def'>{definitions['dekking']} {escape(_INTERVAL_NOTE)} {judge}</p>",
    ]
    if len(run.by_split) > 1:
        rows = [[escape(_label(name, k)), _with_interval(name, a, bounds.by_split.get("tune", {}), k),
                 _with_interval(name, b, bounds.by_split.get("test", {}), k),
                 (f"<b>⚠ {_fmt_delta(name, gap)}</b>" if flagged else _fmt_delta(name, gap)),
                 escape(_gap_interval(name, gap, bounds, k))]
                for name, a, b, gap, flagged in split_rows(run)]
        sections += [
            "<h2>Tune en test</h2><p class='def'>De set is op een hash van de vraag-id in twee helften gedeeld. "
            "Instellingen worden alleen op <em>tune</em> gekozen; <em>test</em> dient alleen om te rapporteren. "
            f"⚠: verschil groter dan {SPLIT_GAP}. Tussen haakjes: het {LEVEL:.0%}-interval.</p>",
            _table(["cijfer", "tune", "test", "test − tune", f"{LEVEL:.0%}-interval van test − tune"], rows,
                   numeric={1, 2, 3, 4}),
        ]
    if comparison:
        sections.append(_comparison_html(comparison, k))
    sections += [
        "<h2>Grafieken</h2><div class='plots'>",
        f"<figure>{svg_bars_by_type(run)}<figcaption>recall@{k} en feiten-recall per vraagtype</figcaption></figure>",
        f"<figure>{svg_latency_histogram(latencies)}<figcaption>Verdeling van de verzoekduur "
        f"({len(latencies)} verzoeken)</figcaption></figure></div>",
        "<h2>Per vraagtype</h2>", _group_table(run.by_type, k, "type"),
        "<h2>Per document</h2><p class='def'>Een vraag over twee documenten telt bij beide mee.</p>",
        _group_table(run.by_document, k, "document"),
        "<h2>Per vraag</h2><p class='def'>✓ = minstens één goudcitaat in de top-k; rang = rang van de eerste "
        "relevante passage; ⚠ = weigering onjuist; duur = van de vraag zelf.</p>",
        _table(["id", "type", "vraag", "treffer", f"recall@{k}", "rang", "geweigerd", "feiten", "duur ms", "antwoord"],
               _question_rows(run), numeric={4, 5, 7, 8}),
        "</body></html>",
    ]
    return "".join(sections)


def _with_interval(name: str, value: float | int | None, bounds: dict[str, Interval], k: int) -> str:
    """A figure with its interval after it, muted (HTML)."""
    interval = bounds.get(_key(name, k))
    extra = f" <span class='muted'>({format_interval(interval)})</span>" if interval and value is not None else ""
    return _fmt(name, value) + extra


def _gap_interval(name: str, gap: float | None, bounds: Intervals, k: int) -> str:
    """The interval of test minus tune."""
    return "–" if gap is None else _fmt_difference(gap, bounds.test_minus_tune.get(_key(name, k)))


# --- Markdown ---------------------------------------------------------------------------


def render_markdown(run: EvalRun, comparison: Comparison | None = None, bounds: Intervals | None = None) -> str:
    k = run.k
    bounds = bounds or run_intervals(run)
    interval = f"{LEVEL:.0%}-interval"
    changes = {c.name: c for c in comparison.figures} if comparison else {}
    lines = [
        f"# Bronwijzer-evaluatie: {run.set_name}",
        "",
        f"{run.started_at} · {run.client} · k={k} · {run.figures['questions']} vragen · "
        f"{run.figures['errors']} fouten · {run.duration_s:.0f} s",
        "",
        f"| cijfer | waarde | {interval} |" + (f" verschil | {interval} van het verschil |" if comparison else ""),
        "|---|---:|---:|" + ("---:|---:|" if comparison else ""),
    ]
    for name in figure_names(k) + ["errors"]:
        value = run.figures.get(name)
        if value is None and name in ("faithfulness", "answer_relevancy"):
            continue
        row = f"| {name} | {_fmt(name, value)} | {format_interval(bounds.overall.get(name))} |"
        if comparison:
            change = changes.get(name)
            row += f" {_fmt_delta(name, change.delta) if change else '–'} | {_fmt_chance(change)} |"
        lines.append(row)
    lines += ["", _INTERVAL_NOTE]
    if len(run.by_split) > 1:
        lines += ["", f"| cijfer | tune | test | test − tune | {interval} van test − tune |", "|---|---:|---:|---:|---:|"]
        for name, a, b, gap, flagged in split_rows(run):
            lines.append(f"| {_label(name, k)} | {_fmt(name, a)} | {_fmt(name, b)} | "
                         f"{('⚠ ' if flagged else '') + _fmt_delta(name, gap)} | {_gap_interval(name, gap, bounds, k)} |")
    lines += ["", f"| type | n | recall@{k} | feiten-recall | weigering juist | onterecht geweigerd |",
              "|---|---:|---:|---:|---:|---:|"]
    for qtype, fig in run.by_type.items():
        lines.append(f"| {qtype} | {fig['questions']} | {_fmt('r', fig.get(f'recall@{k}'))} | "
                     f"{_fmt('r', fig['fact_recall'])} | {_fmt('r', fig['refusal_accuracy'])} | "
                     f"{_fmt('r', fig['false_refusal_rate'])} |")
    if not run.judge:
        lines += ["", "Faithfulness en answer relevancy: niet gemeten (geen LLM-beoordelaar geconfigureerd)."]
    if comparison:
        lines += ["", f"Vergeleken met {comparison.previous}: {len(comparison.better)} vragen beter, "
                  f"{len(comparison.worse)} slechter, {len(comparison.mixed)} gemengd."]
        lines += [f"> {w}" for w in comparison.warnings]
        for title, group in (("Slechter", comparison.worse), ("Beter", comparison.better)):
            if group:
                lines.append(f"- {title}: " + ", ".join(c.id for c in group))
    return "\n".join(lines) + "\n"


# --- entry point ------------------------------------------------------------------------


def write_report(run: EvalRun, out_dir: Path, compare: Path | None = None) -> dict[str, Path]:
    """Write `{set}-report.html`, `{set}-results.json` and `{set}-summary.md` into `out_dir`.

    `compare` is the results JSON of an earlier run; its changes go into all three files.
    """
    comparison = compare_runs(run, EvalRun.load(compare)) if compare else None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "html": out_dir / f"{run.set_name}-report.html",
        "json": out_dir / f"{run.set_name}-results.json",
        "markdown": out_dir / f"{run.set_name}-summary.md",
    }
    bounds = run_intervals(run)
    data = run.to_dict() | {"definitions": figure_definitions(run.k), "intervals": asdict(bounds)}
    if comparison:
        data["comparison"] = asdict(comparison)
    paths["json"].write_text(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
    paths["html"].write_text(render_html(run, comparison, bounds), encoding="utf-8")
    paths["markdown"].write_text(render_markdown(run, comparison, bounds), encoding="utf-8")
    return paths


__all__ = [
    "Comparison", "Intervals", "compare_runs", "environment_changes", "format_interval", "render_html", "render_markdown",
    "run_intervals", "write_report",
]
