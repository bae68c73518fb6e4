"""The embedder's contract: flat vectors of the recorded dimension, e5 prefixes, normalised."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.slow


def test_query_is_one_flat_normalised_vector(embedder):
    vector = embedder.embed_query("Hoeveel leraren zijn er tekort?")
    assert len(vector) == embedder.dimension == 384
    assert all(isinstance(x, float) for x in vector)
    assert math.isclose(sum(x * x for x in vector), 1.0, rel_tol=1e-4)


def test_documents_give_one_vector_each(embedder):
    vectors = embedder.embed_documents(["Eerste passage.", "Tweede passage over schoolleiders."])
    assert len(vectors) == 2 and all(len(v) == 384 for v in vectors)


def test_prefixes_make_query_and_passage_differ(embedder):
    text = "De kikkerstand in de vijvers van Kikkerdorp"
    assert embedder.embed_query(text) != embedder.embed_documents([text])[0]
    assert (embedder.query_prefix, embedder.passage_prefix) == ("query: ", "passage: ")
