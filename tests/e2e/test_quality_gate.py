"""The quality gate: every eval set over the whole corpus must reach evals/thresholds.toml.

This is the product's own quality check in the README's test command. The second test shows
the gate is not a formality: with retrieval deliberately broken, the same run fails it.
"""

from __future__ import annotations

import pytest

from evals.clients import EngineClient
from evals.gate import check
from evals.report import write_report
from evals.runner import run_eval
from rag.pipeline import build
from rag.settings import REPO_ROOT

pytestmark = pytest.mark.slow

SETS = REPO_ROOT / "evals" / "sets"


@pytest.fixture(scope="module")
def engine(corpus_index):
    engine = build(corpus_index.settings).engine
    engine.warm_up()
    return engine


@pytest.mark.parametrize("set_name", ["dev", "bronwijzer", "general", "unanswerable"])
def test_eval_set_passes_the_gate(engine, set_name, tmp_path):
    run = run_eval(SETS / f"{set_name}.jsonl", EngineClient(engine), k=5, progress=False)
    paths = write_report(run, REPO_ROOT / "test-output" / "eval")
    assert paths["html"].exists()
    assert check(run) == [], paths["markdown"].read_text(encoding="utf-8")


class _UnrelatedRetriever:
    """Deliberately broken retrieval: every question gets the passages of an unrelated one."""

    def __init__(self, real):
        self._real = real

    def retrieve(self, query, k, filters=None):
        return self._real.retrieve("het weer in de zomervakantie", k, filters)


def test_gate_fails_when_retrieval_is_broken(engine):
    broken = type(engine)(engine.settings, _UnrelatedRetriever(engine.retriever), engine.composer, engine.condenser)
    run = run_eval(SETS / "dev.jsonl", EngineClient(broken), k=5, progress=False)
    failures = check(run)
    assert any("recall@5" in f for f in failures), failures
    assert any("mrr" in f for f in failures), failures
