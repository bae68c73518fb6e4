"""Small fitted models: logistic regression over named features, stored as JSON.

Bronwijzer ranks passages, picks answer sentences and decides to refuse with linear models
over a handful of signals instead of hand-set constants. They are fitted on the `tune`
half of the question sets (`python -m evals.fit`), written to `rag/models/*.json`, and
applied here with numpy alone: no training library at run time.

    model = LinearModel.load("ranker")
    p = model.probability(model.matrix([{"dense": 0.91, "bm25": 0.4}, ...]))
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

#: The fitted models Bronwijzer ships with; `BRONWIJZER_MODELS_DIR` points elsewhere (to
#: compare models fitted under other settings, e.g. another chunk size).
MODELS_DIR = Path(os.environ.get("BRONWIJZER_MODELS_DIR") or Path(__file__).resolve().parent / "models")


@dataclass(frozen=True)
class LinearModel:
    """`logit = intercept + sum(coef * (x - mean) / scale)` over `features`, in that order."""

    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    #: A decision threshold on the probability, when the model decides something (refusal).
    threshold: float | None = None
    #: How and on what it was fitted (sets, sizes, cross-validated figures, command).
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ValueError(f"model {self.name!r}: features, mean, scale and coef must have the same length")

    def matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Feature rows (dicts by feature name; a missing feature is an error) as a matrix."""
        return np.array([[float(row[f]) for f in self.features] for row in rows], dtype=np.float64).reshape(
            len(rows), len(self.features)
        )

    def logits(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.coef) + self.intercept

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(x)))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: Mapping) -> "LinearModel":
        return cls(
            name=data["name"],
            features=tuple(data["features"]),
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) if float(v) else 1.0 for v in data["scale"]),
            coef=tuple(float(v) for v in data["coef"]),
            intercept=float(data["intercept"]),
            threshold=None if data.get("threshold") is None else float(data["threshold"]),
            provenance=dict(data.get("provenance") or {}),
        )

    @classmethod
    def load(cls, name: str, directory: Path | None = None) -> "LinearModel":
        path = (directory or MODELS_DIR) / f"{name}.json"
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def save(self, directory: Path | None = None) -> Path:
        path = (directory or MODELS_DIR) / f"{self.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path


@lru_cache(maxsize=8)
def bundled(name: str) -> LinearModel:
    """A model shipped with Bronwijzer (`rag/models/NAME.json`), loaded once."""
    return LinearModel.load(name)


__all__ = ["MODELS_DIR", "LinearModel", "bundled"]
