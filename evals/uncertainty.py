"""How much of a figure is chance: bootstrap intervals over the questions of a set.

A question set is one sample of the questions users ask; another sample of the same size
would give other figures. On 150 questions recall@5 moves by about ±0.05 from sample to
sample, so a change of 0.01 between two runs, or a gap of 0.05 between tune and test, may be
nothing but the questions drawn. The report shows, next to each figure:

* `intervals`: the range that holds 95% of the figure's values over resamples of the set's
  questions (with replacement, the same number; `scipy.stats.bootstrap`, percentile method);
* `gap_intervals`: the same for test minus tune, each split resampled on its own;
* `difference_intervals`: the same for the change between two runs of the same questions,
  resampled as pairs, so that a question both runs find hard counts once. A change whose
  interval holds 0 is within chance.

The latencies are left out: they measure the machine, not the questions. The resamples are
drawn from a fixed seed, so a report shows the same intervals every time it is written.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from evals.metrics import aggregate, figure_names

#: The share of resampled values an interval holds.
LEVEL = 0.95
#: Resamples per interval: at 1,000 the bounds move by about 0.005 from one seed to another.
RESAMPLES = 1000
SEED = 20261206
#: An interval needs the figure in nearly every resample: a figure of a few questions (3
#: unanswerables of 40) is absent from some resamples, and its interval would be too wide to say anything.
MIN_PRESENT = 0.95

Item = tuple  # (Question, QuestionScores | None, latencies): what `evals.metrics.aggregate` takes
Interval = tuple[float, float]


def interval_figures(k: int) -> list[str]:
    """The figures that get an interval: every figure of the questions, not the latencies."""
    return [name for name in figure_names(k) if not name.startswith("latency")]


def intervals(items: Sequence[Item], k: int) -> dict[str, Interval]:
    """The 95% interval of each figure of `items` (one group's questions) that has one."""
    names = interval_figures(k)

    def figures(idx: np.ndarray) -> np.ndarray:
        return _values(aggregate([items[i] for i in idx], k), names)

    return _bootstrap((np.arange(len(items)),), figures, names)


def gap_intervals(tune: Sequence[Item], test: Sequence[Item], k: int) -> dict[str, Interval]:
    """The 95% interval of test minus tune for each figure, the two halves resampled apart."""
    names = interval_figures(k)

    def gaps(tune_idx: np.ndarray, test_idx: np.ndarray) -> np.ndarray:
        before = _values(aggregate([tune[i] for i in tune_idx], k), names)
        return _values(aggregate([test[i] for i in test_idx], k), names) - before

    return _bootstrap((np.arange(len(tune)), np.arange(len(test))), gaps, names)


def difference_intervals(before: Sequence[Item], after: Sequence[Item], k: int) -> dict[str, Interval]:
    """The 95% interval of after minus before for each figure; `before[i]` and `after[i]` are
    the same question in two runs."""
    if len(before) != len(after):
        raise ValueError(f"paired runs need as many questions: {len(before)} before, {len(after)} after")
    names = interval_figures(k)

    def differences(idx: np.ndarray) -> np.ndarray:
        old = _values(aggregate([before[i] for i in idx], k), names)
        return _values(aggregate([after[i] for i in idx], k), names) - old

    return _bootstrap((np.arange(len(after)),), differences, names)


def within_chance(bounds: Interval | None) -> bool:
    """Whether a change's interval holds no change at all (0)."""
    return bounds is not None and bounds[0] <= 0.0 <= bounds[1]


def _values(figures: dict, names: Sequence[str]) -> np.ndarray:
    return np.array([np.nan if figures.get(n) is None else float(figures[n]) for n in names])


def _bootstrap(data: tuple[np.ndarray, ...], statistic: Callable[..., np.ndarray], names: Sequence[str]) -> dict[str, Interval]:
    if any(len(sample) < 2 for sample in data):
        return {}
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        # A resample without, say, unanswerable questions has no refusal figure (NaN); the
        # bounds are taken over the resamples that have it (below), not from scipy's own.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.bootstrap(
            data, statistic, vectorized=False, n_resamples=RESAMPLES,
            confidence_level=LEVEL, method="percentile", rng=np.random.default_rng(SEED),
        )
    distribution = np.atleast_2d(result.bootstrap_distribution)
    tail = (1 - LEVEL) / 2 * 100
    found = {}
    for name, values in zip(names, distribution):
        present = values[~np.isnan(values)]
        if len(present) >= MIN_PRESENT * len(values):
            low, high = np.percentile(present, [tail, 100 - tail])
            found[name] = (float(low), float(high))
    return found


__all__ = [
    "LEVEL", "RESAMPLES", "difference_intervals", "gap_intervals", "interval_figures", "intervals", "within_chance",
]
