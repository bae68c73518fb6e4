"""The dense side of retrieval is an exact search over the snapshot's vectors."""

from __future__ import annotations

import numpy as np

from rag.retrieval.keyword import KeywordIndex
from rag.types import Chunk


def _chunk(doc: str, index: int, version: str) -> Chunk:
    text = f"Invented text {index} of {doc}."
    return Chunk(document_id=doc, index=index, text=text, start=0, end=len(text), content_hash=version)


def _index(vectors: list[list[float]], versions: list[str]) -> KeywordIndex:
    chunks = [_chunk(f"{v}.md", i, v) for i, v in enumerate(versions)]
    return KeywordIndex.build("g", chunks, np.asarray(vectors, dtype=np.float32))


def test_nearest_is_the_order_of_cosine_similarity_not_of_the_dot_product():
    # Row 2 has the largest dot product with the query only because it is long.
    index = _index([[1.0, 0.0], [0.6, 0.8], [3.0, 3.0], [0.0, 1.0]], ["a", "a", "a", "a"])
    found = index.nearest([1.0, 0.2], 4)
    assert [c.index for c, _ in found] == [0, 2, 1, 3]
    similarities = [s for _, s in found]
    assert similarities[0] == np.float32(1.0) / np.float32(np.hypot(1.0, 0.2))
    assert np.isclose(similarities[1], np.sqrt(0.5) * 1.2 / np.hypot(1.0, 0.2))
    assert similarities == sorted(similarities, reverse=True)


def test_nearest_keeps_ties_in_chunk_order_and_cuts_at_n():
    index = _index([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [1.0, 0.0], [0.5, 0.5]], list("abcde"))
    assert [c.index for c, _ in index.nearest([1.0, 0.0], 2)] == [1, 3]
    assert [c.index for c, _ in index.nearest([0.0, 1.0], 10)] == [0, 2, 4, 1, 3]


def test_nearest_is_restricted_to_the_versions_asked_for():
    index = _index([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.8, 0.2]], ["v1", "v2", "v2", "v3"])
    assert [c.index for c, _ in index.nearest([1.0, 0.0], 3, {"v2", "v3"})] == [1, 3, 2]
    assert [c.index for c, _ in index.nearest([1.0, 0.0], 3, {"v2"})] == [1, 2]
    assert index.nearest([1.0, 0.0], 3, {"unknown"}) == []


def test_a_zero_vector_does_not_break_the_search():
    index = _index([[0.0, 0.0], [1.0, 0.0]], ["a", "a"])
    found = index.nearest([1.0, 0.0], 2)
    assert [c.index for c, _ in found] == [1, 0] and found[1][1] == 0.0
    assert [s for _, s in index.nearest([0.0, 0.0], 2)] == [0.0, 0.0]


def test_without_the_vectors_the_store_is_asked():
    chunks = [_chunk("a.md", 0, "a")]
    assert KeywordIndex.build("g", chunks, None).nearest([1.0, 0.0], 1) is None
    assert KeywordIndex.build("g", [], None).nearest([1.0, 0.0], 1) is None
    assert KeywordIndex.build("g", [], np.zeros((0, 2), dtype=np.float32)).nearest([1.0, 0.0], 1) == []
