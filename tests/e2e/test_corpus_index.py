"""The real corpus, indexed once per module by the real CLI: what ends up in the index."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from rag.settings import REPO_ROOT
from rag.retrieval.store import ChromaStore

pytestmark = pytest.mark.slow

LETTER_SPACED = re.compile(r"(?:\b\w ){6,}\w\b")
SPLIT_LIGATURE = re.compile(r"\b(?:fi|ff|fl) (?:nanci|ecten|guur|ciële)|\bwett elijk|\bafh ankelijk")


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=900,
    )


@pytest.fixture(scope="module")
def indexed(corpus_index):
    store = ChromaStore(corpus_index.settings)
    return corpus_index.env, corpus_index.summary, store, store.live_chunks()


def test_all_five_documents_are_indexed(indexed):
    _, summary, store, chunks = indexed
    assert summary["indexed"] == 5 and summary["failed"] == 0
    assert {d.id for d in store.documents()} == {p.name for p in (REPO_ROOT / "corpus").glob("*.txt")}
    assert len(chunks) == summary["chunks_embedded"]


def test_second_run_embeds_nothing(indexed):
    env, _, _, _ = indexed
    result = _cli(env, "ingest", "--json")
    summary = json.loads(result.stdout)
    assert summary["chunks_embedded"] == 0 and summary["unchanged"] == 5
    assert summary["sentences_embedded"] == 0 and 0 <= summary["sentence_seconds"] <= summary["seconds"]


def test_no_chunk_has_split_ligatures_or_letter_spaced_headers(indexed):
    _, _, _, chunks = indexed
    for chunk in chunks:
        assert not SPLIT_LIGATURE.search(chunk.text), (chunk.document_id, chunk.section, chunk.text[:200])
        assert not LETTER_SPACED.search(chunk.text), (chunk.document_id, chunk.text[:200])
    assert any("financiering" in c.text for c in chunks)


def test_repeated_sector_summaries_are_indexed_once(indexed):
    _, _, _, chunks = indexed
    staat = [c for c in chunks if c.document_id == "staat-van-het-onderwijs-2024.txt"]
    for phrase in ("Koers houden bij tegenwind",):
        # Overlap may repeat a sentence in the next chunk; the same spot of the text is fine.
        positions = {c.start + c.text.find(phrase) for c in staat if phrase in c.text}
        assert len(positions) == 1, positions


def test_chunks_carry_title_section_and_offsets(indexed):
    _, _, store, chunks = indexed
    titles = {d.id: d.title for d in store.documents()}
    assert all(c.title == titles[c.document_id] for c in chunks)
    assert sum(1 for c in chunks if c.section) / len(chunks) > 0.9
    assert all(0 <= c.start < c.end for c in chunks)


def test_search_json_finds_the_passage_on_citizenship_inspection_abroad(indexed):
    # A question of our own, in no question set.
    env, _, _, _ = indexed
    question = "Hoe houden de Schotse en Zweedse inspecties toezicht op burgerschap?"
    result = _cli(env, "search", "--json", question)
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)["passages"]
    assert len(passages) == 5
    assert any("zelfevaluatie" in p["text"] for p in passages), [p["text"][:120] for p in passages]
    assert {"document", "title", "section", "page", "text", "score", "rank"} <= set(passages[0])
