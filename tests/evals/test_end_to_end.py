"""The harness over real chunks and a real index (slow: cleaning, chunking and a real model)."""

from __future__ import annotations

import json
import shutil

import pytest

from evals.clients import EngineClient
from evals.gate import check
from evals.matching import GoldQuotes
from evals.question_set import load_question_set
from evals.report import write_report
from evals.runner import run_eval
from ingest.chunking import chunk_document
from ingest.loaders import load_file
from ingest.pipeline import Ingestor, build_document
from rag.retrieval.hybrid import DenseRetriever
from rag.settings import REPO_ROOT
from rag.retrieval.store import ChromaStore
from rag.types import Answer, Citation, DocumentMeta

pytestmark = pytest.mark.slow

CORPUS = REPO_ROOT / "corpus"
SETS = REPO_ROOT / "evals" / "sets"
SMALL_DOC = "actieplan-schooldirecteur-topprioriteit-2020.txt"


@pytest.fixture(scope="module")
def corpus_chunks() -> dict[str, list]:
    """Every corpus document cleaned and chunked as ingest does, without embedding."""
    chunks = {}
    for path in sorted(CORPUS.glob("*.txt")):
        chunks[path.name] = chunk_document(build_document(load_file(path), DocumentMeta(path.stem), "v"))
    return chunks


@pytest.mark.parametrize("set_name", ["dev.jsonl", "bronwijzer.jsonl", "general.jsonl"])
def test_every_gold_quote_is_covered_by_a_chunk_of_its_document(set_name, corpus_chunks):
    """Otherwise recall could never reach 1: matching must work on real cleaned chunks."""
    path = SETS / set_name
    assert path.is_file(), f"{set_name} is missing from evals/sets"
    uncovered = []
    for q in load_question_set(path).questions:
        gold = GoldQuotes(q.quotes, q.alt_quotes)
        covered = set().union(*(gold.covered_by(c.text) for doc in q.docs for c in corpus_chunks[doc]))
        uncovered += [f"{q.id} quote {i + 1}" for i in range(len(q.quotes)) if i not in covered]
    assert uncovered == []


class RetrievalEngine:
    """The smallest engine over real retrieval: answers with the best passage and cites it."""

    def __init__(self, retriever: DenseRetriever) -> None:
        self._retriever = retriever

    def ask(self, question, history=None, filters=None, k=None) -> Answer:
        passages = self._retriever.retrieve(question, k or 5, filters)
        top = passages[0]
        return Answer(question, f"{top.text[:400]} [1]", (Citation(1, top),), tuple(passages))


def test_a_set_over_a_real_index_gives_a_report_and_a_gate(tmp_path, make_settings, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / SMALL_DOC, docs / SMALL_DOC)
    settings = make_settings()
    store = ChromaStore(settings)
    assert Ingestor(settings, store, embedder).ingest([docs]).indexed == 1
    records = [json.loads(line) for line in (SETS / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    chosen = [r for r in records if r["doc"] == SMALL_DOC] + [r for r in records if r["type"] == "unanswerable"][:1]
    set_path = tmp_path / "actieplan.jsonl"
    set_path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in chosen), encoding="utf-8")

    run = run_eval(set_path, EngineClient(RetrievalEngine(DenseRetriever(store, embedder))), k=5, progress=False)

    assert run.figures["questions"] == len(chosen) >= 3 and run.figures["errors"] == 0
    # Real chunks of the right document, and gold passages among them (dense retrieval alone
    # finds about half of the quotes of these questions).
    assert all(p.document == SMALL_DOC for r in run.results for p in r.answer.passages)
    assert 0 < run.figures["recall@5"] <= 1 and 0 < run.figures["mrr"] <= 1
    assert run.figures["citation_precision"] is not None
    assert run.figures["refusal_accuracy"] == 0.0  # this engine never refuses
    paths = write_report(run, tmp_path / "rapport")
    assert f"{run.figures['recall@5']:.3f}" in paths["html"].read_text(encoding="utf-8")
    thresholds = tmp_path / "t.toml"
    thresholds.write_text('[sets.actieplan.min]\n"recall@5" = 0.1\nrefusal_accuracy = 0.5\n', encoding="utf-8")
    assert check(run, thresholds) == ["refusal_accuracy: 0.000 < minimum 0.5"]
