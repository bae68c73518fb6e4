"""Fit Bronwijzer's small models on the tune questions and write them to `rag/models/`.

    python -m evals.fit ranker       [--sets evals/sets/*.jsonl] [--k 5]
    python -m evals.fit sentences    (after the ranker: it learns from the ranked passages)
    python -m evals.fit refusal      (after both)

Only questions of the `tune` split are read (`evals.question_set.split_of`; dev is all
tune); `test` is never looked at here. Every model is a logistic regression over named
signals (`rag.linear.LinearModel`); its regularisation is chosen by 5-fold cross-validation
over tune questions, and the cross-validated figures are stored with the model
(`provenance`), next to the same figures for the rule it replaces.

Needs the corpus indexed (`bronwijzer ingest`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.matching import GoldQuotes
from evals.question_set import Question, load_question_set
from rag.linear import MODELS_DIR, LinearModel
from rag.fitting import ALL_FEATURES, FEATURES, Candidate, diversify, drop_near_duplicates, feature_matrix, rrf_model
from rag.types import Turn

SETS_DIR = Path(__file__).resolve().parent / "sets"
FOLDS = 5
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
SEED = 0
#: A signal that tells candidates apart in fewer tune questions than this has its weight fitted
#: on too few of them to trust (a ranker signal once had 2 and came out with the wrong sign):
#: the fit names it (`thin_features`), and whoever fits decides whether it stays.
THIN = 10


def tune_questions(paths: Sequence[Path]) -> list[Question]:
    """The tune questions of the sets, in set order."""
    return [q for path in paths for q in load_question_set(path).questions if q.split == "tune"]


def thin_features(names: Sequence[str], matrices: Sequence[np.ndarray], minimum: int = THIN) -> list[str]:
    """The signals (columns of each question's candidate matrix) that vary among the candidates
    of fewer than `minimum` questions: only there does a weight change which candidate wins."""
    return [name for j, name in enumerate(names) if sum(bool(np.ptp(x[:, j]) > 0) for x in matrices if len(x)) < minimum]


def _warn_thin(model: str, thin: Sequence[str]) -> None:
    if thin:
        print(f"  {model}: {', '.join(thin)} vary in fewer than {THIN} tune questions; their weights rest on too few", file=sys.stderr)


def _sets_provenance(paths: Sequence[Path]) -> list[dict]:
    return [{"set": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()[:16]} for p in paths]


def _folds(n: int, folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    order = np.random.RandomState(seed).permutation(n)
    fold = np.empty(n, dtype=int)
    fold[order] = np.arange(n) % folds
    return fold


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float, *, pairwise: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, coef, intercept) of a logistic regression on standardised features."""
    from sklearn.linear_model import LogisticRegression

    mean = np.zeros(x.shape[1]) if pairwise else x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=not pairwise)
    model.fit((x - mean) / scale, y)
    return mean, scale, model.coef_[0], float(model.intercept_[0]) if not pairwise else 0.0


# --- the ranker -------------------------------------------------------------------------


@dataclass
class RankerExample:
    question: Question
    gathered: object  # rag.retrieval.hybrid.Gathered
    x: np.ndarray  # all of ALL_FEATURES, in that order
    coverage: list[frozenset[int]]


def history_of(question: Question, engine) -> list[Turn]:
    """The conversation before a follow-up, as the eval runner builds it: its context question
    and the answer Bronwijzer gives to it."""
    if not question.context_question:
        return []
    first = engine.ask(question.context_question)
    return [Turn("user", question.context_question), Turn("assistant", first.text)]


def gather_ranker_examples(questions: Sequence[Question], retriever, engine) -> list[RankerExample]:
    examples = []
    for q in questions:
        if not q.answerable:
            continue
        history = history_of(q, engine)
        query = engine.condenser.condense(q.question, history) if history else q.question
        gathered = retriever.gather(query)
        if gathered is None or not gathered.candidates:
            continue
        gold = GoldQuotes(q.quotes, q.alt_quotes)
        coverage = [gold.covered_by(c.chunk.text) for c in gathered.candidates]
        examples.append(RankerExample(q, gathered, feature_matrix(gathered.rows), coverage))
    return examples


def rank_figures(example: RankerExample, probabilities: np.ndarray, k: int, retriever) -> tuple[float, float]:
    """recall@k and reciprocal rank of one question when its candidates get `probabilities`."""
    candidates = [Candidate(c.chunk, c.dense, c.dense_rank, c.bm25, c.bm25_rank, float(p))
                  for c, p in zip(example.gathered.candidates, probabilities)]
    position = {id(c): i for i, c in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda c: (-c.probability, c.chunk.document_id, c.chunk.index))
    chosen = diversify(drop_near_duplicates(ranked, retriever.diversity.near_duplicate), k,
                       example.gathered.question, retriever.diversity)
    covered = [example.coverage[position[id(c)]] for c in chosen]
    n = len(example.question.quotes)
    recall = len(set().union(*covered)) / n if covered else 0.0
    rr = next((1 / r for r, cov in enumerate(covered, start=1) if cov), 0.0)
    return recall, rr


def fit_ranker(
    examples: list[RankerExample], k: int, retriever, features: Sequence[str] = FEATURES, *, quiet: bool = False
) -> tuple[LinearModel, dict]:
    """The ranker over `features` (a subset of FEATURES, for comparisons), C by cross-validation."""
    columns = [ALL_FEATURES.index(f) for f in features]
    labels = [np.array([1 if c else 0 for c in ex.coverage]) for ex in examples]
    fold = _folds(len(examples))
    baseline = rrf_model()
    base_columns = [ALL_FEATURES.index(f) for f in baseline.features]
    base = np.mean([rank_figures(ex, baseline.probability(ex.x[:, base_columns]), k, retriever) for ex in examples], axis=0)
    results = {}
    for c in C_GRID:
        figures = []
        for f in range(FOLDS):
            train = [i for i in range(len(examples)) if fold[i] != f]
            x = np.vstack([examples[i].x[:, columns] for i in train])
            y = np.concatenate([labels[i] for i in train])
            mean, scale, coef, intercept = fit_logistic(x, y, c)
            model = LinearModel("cv", tuple(features), tuple(mean), tuple(scale), tuple(coef), intercept)
            figures += [rank_figures(examples[i], model.probability(examples[i].x[:, columns]), k, retriever)
                        for i in range(len(examples)) if fold[i] == f]
        results[c] = np.mean(figures, axis=0)
        if not quiet:
            print(f"  C={c:<5} cross-validated recall@{k} {results[c][0]:.3f}  MRR {results[c][1]:.3f}", file=sys.stderr)
    best_c = max(C_GRID, key=lambda c: (round(results[c][0] + results[c][1], 6), -c))
    x = np.vstack([ex.x[:, columns] for ex in examples])
    y = np.concatenate(labels)
    mean, scale, coef, intercept = fit_logistic(x, y, best_c)
    thin = thin_features(features, [ex.x[:, columns] for ex in examples])
    if not quiet:
        _warn_thin("ranker", thin)
    stats = {
        "C": best_c,
        "thin_features": thin,
        "cv_recall": round(float(results[best_c][0]), 4),
        "cv_mrr": round(float(results[best_c][1]), 4),
        "rrf_recall": round(float(base[0]), 4),
        "rrf_mrr": round(float(base[1]), 4),
        "questions": len(examples),
        "candidates": int(len(y)),
        "positives": int(y.sum()),
    }
    model = LinearModel("ranker", tuple(features), tuple(mean), tuple(scale), tuple(float(v) for v in coef), intercept)
    return model, stats


# --- the sentence scorer ----------------------------------------------------------------


@dataclass
class SentenceExample:
    question: Question
    passages: list
    analysis: object  # rag.text.question.QuestionInfo
    history: list
    units: list
    x: np.ndarray
    shares: np.ndarray


def gather_sentence_examples(questions: Sequence[Question], engine, k: int) -> list[SentenceExample]:
    """Per answerable tune question: the units of its top-k passages, their signals and how
    much of the gold answer each holds (`evals.metrics.lead_share`)."""
    from evals.metrics import lead_share, lead_targets
    from rag.fitting import SENTENCE_FEATURES, unit_signals

    examples = []
    for q in questions:
        if not q.answerable:
            continue
        targets = lead_targets(q.answer)
        if not targets:
            continue
        history = history_of(q, engine)
        passages, _, _, _, analysis = engine._retrieve(q.question, history, None, k)
        signalled = unit_signals(analysis, passages, history)
        if not signalled:
            continue
        x = np.array([[s[f] for f in SENTENCE_FEATURES] for _, s, _, _ in signalled], dtype=np.float64)
        shares = np.array([lead_share(targets, u.text) for u, _, _, _ in signalled])
        examples.append(SentenceExample(q, passages, analysis, history, [u for u, _, _, _ in signalled], x, shares))
    return examples


def _pairs(examples: Sequence[SentenceExample], max_pairs: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Differences best-minus-worse (label 1) and worse-minus-best (label 0) within questions."""
    xs, ys = [], []
    for ex in examples:
        best = ex.shares.max()
        if best <= 0:
            continue
        good = np.flatnonzero(ex.shares >= best - 1e-9)
        bad = np.flatnonzero(ex.shares < best - 0.2)[:max_pairs]
        for g in good:
            for b in bad:
                xs += [ex.x[g] - ex.x[b], ex.x[b] - ex.x[g]]
                ys += [1, 0]
    return np.array(xs), np.array(ys)


def fit_sentences(examples: list[SentenceExample]) -> tuple[LinearModel, dict]:
    from rag.fitting import SENTENCE_FEATURES

    fold = _folds(len(examples))
    oracle = float(np.mean([ex.shares.max() for ex in examples]))
    overlap = SENTENCE_FEATURES.index("overlap")
    baseline = float(np.mean([ex.shares[int(np.argmax(ex.x[:, overlap]))] for ex in examples]))
    results = {}
    for c in C_GRID:
        leads = []
        for f in range(FOLDS):
            train = [examples[i] for i in range(len(examples)) if fold[i] != f]
            x, y = _pairs(train)
            _, scale, coef, _ = fit_logistic(x, y, c, pairwise=True)
            for i in range(len(examples)):
                if fold[i] == f:
                    scores = (examples[i].x / scale) @ coef
                    leads.append(examples[i].shares[int(np.argmax(scores))])
        results[c] = float(np.mean(leads))
        print(f"  C={c:<5} cross-validated lead {results[c]:.3f} (oracle {oracle:.3f})", file=sys.stderr)
    best_c = max(C_GRID, key=lambda c: (round(results[c], 6), -c))
    x, y = _pairs(examples)
    _, scale, coef, _ = fit_logistic(x, y, best_c, pairwise=True)
    n = len(SENTENCE_FEATURES)
    model = LinearModel("sentences", SENTENCE_FEATURES, (0.0,) * n, tuple(scale), tuple(float(v) for v in coef), 0.0)
    thin = thin_features(SENTENCE_FEATURES, [ex.x for ex in examples])
    _warn_thin("sentences", thin)
    stats = {
        "C": best_c,
        "thin_features": thin,
        "cv_lead": round(results[best_c], 4),
        "overlap_lead": round(baseline, 4),
        "oracle_lead": round(oracle, 4),
        "questions": len(examples),
        "pairs": int(len(y)),
    }
    return model, stats


def choose_follower_margin(examples: list[SentenceExample], model: LinearModel, margins=(0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 100.0)) -> tuple[float, dict]:
    """The margin that best balances covering the gold answer and adding nothing else: F1 of
    gold facts found (recall) and answer sentences holding a gold fact (precision)."""
    from evals.metrics import answer_facts, facts_found
    from rag.fitting import ExtractiveComposer
    from rag.fitting import RefusalModel

    never = RefusalModel.never()
    results = {}
    for margin in margins:
        composer = ExtractiveComposer(refusal=never, model=model, follower_margin=margin)
        f1s = []
        for ex in examples:
            facts = answer_facts(ex.question.answer)
            chosen = composer.choose(ex.question.question, ex.passages, ex.history, ex.analysis)
            if not chosen or not len(facts):
                continue
            text = " ".join(c.unit.text for c in chosen)
            recall = len(facts_found(facts, text)) / len(facts)
            precision = sum(1 for c in chosen if facts_found(facts, c.unit.text)) / len(chosen)
            f1s.append(0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision))
        results[margin] = float(np.mean(f1s))
        print(f"  follower margin {margin}: F1 of gold facts {results[margin]:.3f}", file=sys.stderr)
    best = max(margins, key=lambda m: (round(results[m], 6), -m))
    return best, {"follower_margin": best, "follower_f1": round(results[best], 4)}


# --- the refusal model ------------------------------------------------------------------

#: At most this share of answerable tune questions may be refused (the product's target).
MAX_FALSE_REFUSALS = 0.03
#: How many splits into folds the refusal model's C and threshold are averaged over.
REFUSAL_REPEATS = 10
#: At most this share of the answers given to answerable tune questions may carry the caution
#: ("dit antwoord is onzeker"): a caution on most answers would say nothing. A fifth is where the
#: cross-validated curve flattens: of the unanswerable tune questions, 36%, 29%, 24%, 21%, 20%
#: and 19% are answered without the caution at a cap of 5%, 10%, 15%, 20%, 25% and 30%.
MAX_CAUTIONED = 0.20


def _caution(probabilities: np.ndarray, y: np.ndarray, threshold: float, max_share: float = MAX_CAUTIONED) -> tuple[float, float, float]:
    """The lowest caution threshold that marks at most `max_share` of the answered answerable
    questions: (caution, share of answered unanswerable marked, share of answered answerable marked)."""
    answered = probabilities < threshold
    return _threshold(probabilities[answered], y[answered], max_share)


def gather_refusal_examples(questions: Sequence[Question], engine, k: int) -> tuple[np.ndarray, np.ndarray, list[Question]]:
    """The refusal signals of every tune question (with the composer's best sentences) and
    whether it is unanswerable."""
    from rag.fitting import REFUSAL_FEATURES

    composer = engine.composer
    xs, ys, kept = [], [], []
    for q in questions:
        history = history_of(q, engine)
        passages, _, _, _, analysis = engine._retrieve(q.question, history, None, k)
        if not passages:
            continue
        ranked = sorted(passages, key=lambda p: p.rank)
        scored = composer.score_units(q.question, ranked, history, analysis)
        signals = composer.refusal_signals(analysis, ranked, history, scored)
        xs.append([signals.values[f] for f in REFUSAL_FEATURES])
        ys.append(0 if q.answerable else 1)
        kept.append(q)
    return np.array(xs, dtype=np.float64), np.array(ys), kept


def _threshold(probabilities: np.ndarray, y: np.ndarray, max_false: float = MAX_FALSE_REFUSALS) -> tuple[float, float, float]:
    """The lowest threshold that refuses at most `max_false` of the answerable questions:
    (threshold, share of unanswerable refused, share of answerable refused)."""
    answerable = np.sort(probabilities[y == 0])[::-1]
    allowed = int(np.floor(max_false * len(answerable)))
    threshold = float(answerable[allowed]) + 1e-9 if allowed < len(answerable) else 0.0
    refused = probabilities >= threshold
    return threshold, _share(refused[y == 1]), _share(refused[y == 0])


def _share(flags: np.ndarray) -> float:
    """The share of true flags (0 for none at all)."""
    return float(flags.mean()) if len(flags) else 0.0


def fit_refusal(x: np.ndarray, y: np.ndarray) -> tuple[LinearModel, dict]:
    from rag.fitting import REFUSAL_FEATURES

    results = {}
    for c in C_GRID:
        # Over several splits into folds: with some 70 unanswerable questions, one split's
        # share moves by a question or two, enough to pick another C by chance.
        oofs = [_out_of_fold(x, y, c, _folds(len(y), seed=SEED + r)) for r in range(REFUSAL_REPEATS)]
        runs = [_threshold(oof, y) for oof in oofs]
        caught, false = float(np.mean([r[1] for r in runs])), float(np.mean([r[2] for r in runs]))
        results[c] = (caught, false, float(np.median([r[0] for r in runs])), oofs[0])
        print(f"  C={c:<5} cross-validated ({REFUSAL_REPEATS} splits): {caught:.3f} of unanswerable refused, {false:.3f} of answerable", file=sys.stderr)
    best_c = max(C_GRID, key=lambda c: (round(results[c][0], 6), -results[c][1], -c))
    # The thresholds of the out-of-fold probabilities: what held for questions the model had not
    # seen (the caution's on the first split, the one of `_folds`' own seed).
    caught, false, threshold, oof = results[best_c]
    caution, caution_caught, caution_marked = _caution(oof, y, threshold)
    mean, scale, coef, intercept = fit_logistic(x, y, best_c)
    model = LinearModel("refusal", REFUSAL_FEATURES, tuple(mean), tuple(scale), tuple(float(v) for v in coef), intercept, threshold)
    stats = {
        "C": best_c,
        "threshold": round(threshold, 6),
        "cv_unanswerable_refused": round(caught, 4),
        "cv_answerable_refused": round(false, 4),
        "max_answerable_refused": MAX_FALSE_REFUSALS,
        "caution": round(caution, 6),
        "cv_answered_unanswerable_cautioned": round(caution_caught, 4),
        "cv_answered_answerable_cautioned": round(caution_marked, 4),
        "max_answered_answerable_cautioned": MAX_CAUTIONED,
        "questions": int(len(y)),
        "unanswerable": int(y.sum()),
    }
    return model, stats


def _out_of_fold(x: np.ndarray, y: np.ndarray, c: float, fold: np.ndarray) -> np.ndarray:
    """Each question's refusal probability from a model fitted on the other folds."""
    oof = np.zeros(len(y))
    for f in range(FOLDS):
        train, test = fold != f, fold == f
        mean, scale, coef, intercept = fit_logistic(x[train], y[train], c)
        oof[test] = 1 / (1 + np.exp(-(((x[test] - mean) / scale) @ coef + intercept)))
    return oof


# --- entry point ------------------------------------------------------------------------


def _components():
    from rag.pipeline import build

    parts = build()
    parts.engine.warm_up()
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["ranker", "sentences", "refusal"])
    parser.add_argument("--sets", nargs="*", type=Path, default=sorted(SETS_DIR.glob("*.jsonl")))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="where to write the model (default rag/models)")
    args = parser.parse_args(argv)
    questions = tune_questions(args.sets)
    parts = _components()
    provenance = {
        "fitted": dt.date.today().isoformat(),
        "command": f"python -m evals.fit {args.model}",
        "sets": _sets_provenance(args.sets),
        "split": "tune",
    }
    if args.model == "ranker":
        from rag.fitting import HybridRetriever

        retriever = parts.retriever
        bootstrap = HybridRetriever(parts.store, parts.embedder, retriever.live, ranker=rrf_model(), diversity=retriever.diversity)
        examples = gather_ranker_examples(questions, bootstrap, parts.engine)
        model, stats = fit_ranker(examples, args.k, bootstrap)
    elif args.model == "sentences":
        examples = gather_sentence_examples(questions, parts.engine, args.k)
        model, stats = fit_sentences(examples)
        margin, margin_stats = choose_follower_margin(examples, model)
        stats |= margin_stats
    else:
        x, y, _ = gather_refusal_examples(questions, parts.engine, args.k)
        model, stats = fit_refusal(x, y)
    model = LinearModel(model.name, model.features, model.mean, model.scale, model.coef, model.intercept,
                        model.threshold, provenance | stats)
    path = model.save(args.out)
    print(f"{path}: " + ", ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
