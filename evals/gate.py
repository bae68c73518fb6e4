"""The quality gate: a run's figures against the thresholds kept in `evals/thresholds.toml`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from evals.metrics import figure_names
from evals.runner import EvalRun

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"

def _known(name: str) -> bool:
    """A figure the report has (`evals.metrics.figure_names`, any k), or `errors`."""
    return bool(re.fullmatch(r"recall@\d+", name)) or name == "errors" or name in figure_names(0)


def load_thresholds(path: Path, set_name: str) -> tuple[dict[str, float], dict[str, float]]:
    """(minimums, maximums) for one set; ValueError for an unknown set or figure name."""
    with Path(path).open("rb") as f:
        sets = tomllib.load(f).get("sets", {})
    if set_name not in sets:
        raise ValueError(f"no thresholds for set {set_name!r} in {path}; sets there: {sorted(sets)}")
    entry = sets[set_name]
    unknown_keys = set(entry) - {"min", "max"}
    if unknown_keys:
        raise ValueError(f"[sets.{set_name}] in {path} may only have 'min' and 'max', got {sorted(unknown_keys)}")
    bounds = []
    for side in ("min", "max"):
        table = entry.get(side, {})
        for name, value in table.items():
            if not _known(name):
                raise ValueError(f"unknown figure {name!r} in [sets.{set_name}.{side}] of {path}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"threshold {name!r} in [sets.{set_name}.{side}] must be a number, got {value!r}")
        bounds.append({name: float(value) for name, value in table.items()})
    return bounds[0], bounds[1]


def check(run: EvalRun, thresholds_path: Path = DEFAULT_THRESHOLDS, set_name: str | None = None) -> list[str]:
    """The figures of `run` that miss their threshold, one line each; empty when the gate passes."""
    minimums, maximums = load_thresholds(thresholds_path, set_name or run.set_name)
    failures = []
    for side, bounds in (("min", minimums), ("max", maximums)):
        for name, bound in bounds.items():
            value = run.figures.get(name)
            if value is None:
                failures.append(f"{name}: niet gemeten in deze run (k={run.k}), drempel {side} {bound:g}")
            elif side == "min" and value < bound:
                failures.append(f"{name}: {value:.3f} < minimum {bound:g}")
            elif side == "max" and value > bound:
                failures.append(f"{name}: {value:.3f} > maximum {bound:g}")
    return failures
