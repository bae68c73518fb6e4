"""The fitting harness's own checks (invented matrices, no model)."""

from __future__ import annotations

import numpy as np

from evals.fit import thin_features


def test_a_signal_that_tells_candidates_apart_in_too_few_questions_is_named():
    # Three questions of four candidates; columns: varies everywhere, varies in one question,
    # constant within every question (it moves a question's candidates together, never apart).
    questions = [
        np.array([[0.1, 0.0, 1.0], [0.5, 0.0, 1.0], [0.9, 0.0, 1.0], [0.2, 0.0, 1.0]]),
        np.array([[0.3, 1.0, 0.0], [0.7, 0.0, 0.0], [0.4, 0.0, 0.0], [0.6, 0.0, 0.0]]),
        np.array([[0.8, 0.0, 1.0], [0.2, 0.0, 1.0], [0.5, 0.0, 1.0], [0.1, 0.0, 1.0]]),
        np.empty((0, 3)),  # a question without candidates counts for none
    ]
    names = ("everywhere", "once", "constant")
    assert thin_features(names, questions, minimum=2) == ["once", "constant"]
    assert thin_features(names, questions, minimum=1) == ["constant"]
    assert thin_features(names, questions, minimum=4) == ["everywhere", "once", "constant"]
