"""What fitting the models needs from inside the engine (`python -m evals.fit`).

The ranker, the sentence model and the refusal model are fitted on the tune questions from
the signals the engine itself computes; this module is the one door through which `evals`
reaches them, so the evaluation code depends on the engine's public API only.
"""

from __future__ import annotations

from rag.answer.extractive import SENTENCE_FEATURES, ExtractiveComposer, unit_signals
from rag.answer.refusal import REFUSAL_FEATURES, RefusalModel
from rag.retrieval.hybrid import HybridRetriever
from rag.retrieval.ranking import ALL_FEATURES, FEATURES, UNUSED, Candidate, diversify, drop_near_duplicates, feature_matrix, rrf_model

__all__ = [
    "ALL_FEATURES", "FEATURES", "REFUSAL_FEATURES", "SENTENCE_FEATURES", "UNUSED", "Candidate", "ExtractiveComposer",
    "HybridRetriever", "RefusalModel", "diversify", "drop_near_duplicates", "feature_matrix", "rrf_model", "unit_signals",
]  # fmt: skip
