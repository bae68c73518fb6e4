"""Bootstrap intervals of the figures, on invented question scores with known answers."""

from __future__ import annotations

import pytest

from evals.metrics import QuestionScores
from evals.question_set import Question
from evals.uncertainty import difference_intervals, gap_intervals, intervals, within_chance

ANSWERABLE = Question("a", "Hoeveel vijvers heeft het park?", "19", ("park.txt",), ("19 vijvers",), "fact", "easy")
UNANSWERABLE = Question("u", "Hoeveel kikkers zijn er?", "", (), (), "unanswerable", "easy")


def found(hit: bool) -> tuple:
    """An answerable question whose gold passage is (or is not) in the top k."""
    return (ANSWERABLE, QuestionScores(False, 1.0 if hit else 0.0, 1 if hit else None, 1.0 if hit else 0.0), [10.0])


def hits(n: int, share: float) -> list[tuple]:
    """`n` answerable questions, the first `share` of them found."""
    return [found(i < share * n) for i in range(n)]


def test_an_interval_holds_the_figure_and_narrows_with_more_questions():
    small, large = intervals(hits(20, 0.7), k=5)["recall@5"], intervals(hits(400, 0.7), k=5)["recall@5"]
    assert small[0] < 0.7 < small[1] and large[0] < 0.7 < large[1]
    assert large[1] - large[0] < 0.5 * (small[1] - small[0])
    # The binomial standard error at 400: sqrt(0.7 * 0.3 / 400) = 0.023; the interval spans about 4 of them.
    assert large[1] - large[0] == pytest.approx(4 * 0.0229, abs=0.02)


def test_questions_that_all_score_the_same_give_a_point():
    assert intervals(hits(30, 1.0), k=5)["recall@5"] == (1.0, 1.0)


def test_the_latencies_get_no_interval_and_the_same_run_gets_the_same_intervals():
    items = hits(50, 0.5)
    assert "latency_p95_ms" not in intervals(items, k=5)
    assert intervals(items, k=5) == intervals(items, k=5)


def test_a_figure_of_too_few_questions_to_be_in_every_resample_gets_none():
    # One unanswerable question among 40: a resample lacks it one time in three (39/40)^40.
    items = hits(39, 0.5) + [(UNANSWERABLE, QuestionScores(True), [10.0])]
    bounds = intervals(items, k=5)
    assert "refusal_accuracy" not in bounds and "recall@5" in bounds


def test_a_change_of_one_question_in_a_hundred_may_be_chance_and_one_of_thirty_is_not():
    before = hits(100, 0.5)
    one = before[:99] + [found(True)]  # the last question is found now
    thirty = hits(100, 0.8)  # questions 51 to 80 are found now
    assert within_chance(difference_intervals(before, one, k=5)["recall@5"])
    low, high = difference_intervals(before, thirty, k=5)["recall@5"]
    assert 0 < low < 0.3 < high


def test_a_change_is_paired_per_question():
    # 10 of 100 questions found now, none lost. Compared as two independent samples, the change
    # would be lost in the spread of the questions both runs find (or miss) alike.
    before, after = hits(100, 0.5), hits(100, 0.6)
    paired = difference_intervals(before, after, k=5)["recall@5"]
    unpaired = gap_intervals(before, after, k=5)["recall@5"]
    assert not within_chance(paired) and within_chance(unpaired)
    assert paired[1] - paired[0] < 0.6 * (unpaired[1] - unpaired[0])


def test_runs_of_other_questions_cannot_be_paired():
    with pytest.raises(ValueError, match="as many questions"):
        difference_intervals(hits(10, 0.5), hits(11, 0.5), k=5)


def test_the_gap_between_tune_and_test_holds_zero_only_when_the_halves_agree():
    assert within_chance(gap_intervals(hits(100, 0.7), hits(100, 0.72), k=5)["recall@5"])
    low, high = gap_intervals(hits(100, 0.9), hits(100, 0.6), k=5)["recall@5"]
    assert low < -0.3 < high < 0
