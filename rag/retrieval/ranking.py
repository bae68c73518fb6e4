"""Ranking candidate passages: signals per candidate, a fitted model over them, diversity.

The candidates of a question are the nearest chunks by embedding and the best chunks by
BM25. Each gets the signals below; `rag/models/ranker.json`, a logistic regression fitted
on the tune questions (`python -m evals.fit ranker`), turns them into the probability that
the chunk holds (part of) the answer. No weight here is set by hand.

| signal | what it is |
|---|---|
| dense, dense_rel, dense_rrf | cosine with the question; minus the best cosine; 1/(20 + dense rank) |
| sentence, sentence_rel | the best cosine of the question with one sentence of the chunk (`rag.retrieval.sentence_vectors`; the chunk's cosine when it has no sentence vectors); minus the best of the candidates |
| bm25, bm25_rrf | BM25 divided by the best BM25 of the question; 1/(20 + BM25 rank) |
| cover | rarity-weighted share of the question's key terms the chunk contains (not counting the words naming a source) |
| heading | share of those key terms in the chunk's section path |
| numbers | share of the question's numbers (years) in the chunk |
| wants_number | the question asks how many / when and the chunk has a number |
| wants_percent | the question asks for a share and the chunk has a percentage (computed, not used: see `UNUSED`) |
| source, other_source | the question names this chunk's document; names another one (computed, not used: see `UNUSED`) |
| table, note | the chunk is a table; a note (footnotes, references) |
| summary | the chunk is in a section that sums up ("Samenvatting", "Hoofdlijnen", "Conclusies"), and the question does not ask for one |
| length | log of the chunk's length |
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rag.text.analysis import content_stems, numbers
from rag.linear import LinearModel
from rag.text.question import QuestionInfo
from rag.text.terms import TermIndex
from rag.types import Chunk

FEATURES = (
    "dense", "dense_rel", "dense_rrf", "sentence", "sentence_rel", "bm25", "bm25_rrf", "cover", "heading", "numbers",
    "wants_number", "table", "note", "length", "summary",
)  # fmt: skip
#: A section that sums up what the document says elsewhere in full: a report's summary, main
#: points or conclusions (its section path, `Chunk.section`). The fact a question asks is mostly
#: stated in full in the body, so such a chunk takes a place from the passage that states it.
_SUMMING_UP = re.compile(r"\b(?:samenvatting|hoofdlijnen|conclusies?|kernpunten|in het kort)\b", re.IGNORECASE)
#: Signals computed but not used by the shipped ranker. The source signals: measured with and
#: without (`benchmarks/quality_ab.py`), they did not help on either half; a named document
#: still gets room in the top k (`diversify`), and its words are never a reason to refuse.
#: `wants_percent`: only 2 of the 247 answerable tune questions ask for a share, too few to fit
#: a weight by; fitted anyway, it put every chunk with a percentage 0.9 logit lower for every
#: share question a user asks (cross-validated recall@5 and MRR the same with and without it).
UNUSED = ("source", "other_source", "wants_percent")
RRF_K = 20


@dataclass
class Candidate:
    """A chunk that may answer the question, with what the searches said about it."""

    chunk: Chunk
    dense: float | None = None
    dense_rank: int | None = None
    bm25: float = 0.0
    bm25_rank: int | None = None
    probability: float = 0.0
    #: The best cosine of the question with one of the chunk's sentences (None: no sentence vectors).
    sentence: float | None = None


def features(question: QuestionInfo, candidates: Sequence[Candidate], dense_depth: int) -> list[dict[str, float]]:
    """The signals of every candidate (see the module docstring), in candidate order.

    `dense_depth` is how many nearest chunks were asked for: a candidate found by BM25 only
    ranks below all of them.
    """
    if not candidates:
        return []
    best_dense = max(c.dense for c in candidates if c.dense is not None)
    best_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
    dense_values = [c.dense if c.dense is not None else best_dense - 1.0 for c in candidates]
    sentence = [c.sentence if c.sentence is not None else dense for c, dense in zip(candidates, dense_values)]
    best_sentence = max(sentence)
    weight_total = sum(question.topic_weights) or 1.0
    named = set(question.mention.documents)
    asks_summary = bool(_SUMMING_UP.search(question.text))  # "Wat zijn de conclusies van ...?"
    rows = []
    for c, dense, best_of_chunk in zip(candidates, dense_values, sentence):
        index = _term_index(c.chunk.text)
        cover = sum(w for t, w in zip(question.topic_terms, question.topic_weights) if index.contains(t)) / weight_total
        heading_stems = _heading_stems(c.chunk.section or "")
        heading = sum(1 for t in question.topic_terms if t.stem in heading_stems) / max(len(question.topic_terms), 1)
        chunk_numbers = _numbers(c.chunk.text)
        rows.append({
            "dense": dense,
            "dense_rel": dense - best_dense,
            "dense_rrf": 1.0 / (RRF_K + (c.dense_rank or dense_depth + 1)),
            "sentence": best_of_chunk,
            "sentence_rel": best_of_chunk - best_sentence,
            "bm25": c.bm25 / best_bm25,
            "bm25_rrf": 1.0 / (RRF_K + c.bm25_rank) if c.bm25_rank else 0.0,
            "cover": cover,
            "heading": heading,
            "numbers": len(question.numbers & chunk_numbers) / len(question.numbers) if question.numbers else 0.0,
            "wants_number": float(question.intent in ("number", "date") and bool(chunk_numbers)),
            "wants_percent": float(question.asks_percent and "%" in c.chunk.text),
            "source": float(c.chunk.document_id in named),
            "other_source": float(bool(named) and c.chunk.document_id not in named),
            "table": float(c.chunk.kind == "table"),
            "note": float(c.chunk.kind == "note" and not question.asks_source),
            "length": math.log(len(c.chunk.text) + 1),
            "summary": float(not asks_summary and _sums_up(c.chunk.section or "")),
        })  # fmt: skip
    return rows


# What `features` and `distinct` need of a chunk depends on its text alone: analysed once per
# text and kept for the next question (bounded, so that a large index does not grow memory).
_CHUNK_CACHE = 8192


@lru_cache(maxsize=_CHUNK_CACHE)
def _term_index(text: str) -> TermIndex:
    return TermIndex([text])


@lru_cache(maxsize=_CHUNK_CACHE)
def _heading_stems(section: str) -> frozenset[str]:
    return frozenset(content_stems(section))


@lru_cache(maxsize=_CHUNK_CACHE)
def _sums_up(section: str) -> bool:
    return bool(_SUMMING_UP.search(section))


@lru_cache(maxsize=_CHUNK_CACHE)
def _numbers(text: str) -> frozenset[str]:
    return frozenset(numbers(text))


ALL_FEATURES = FEATURES + UNUSED


def feature_matrix(rows: Sequence[dict[str, float]], names: Sequence[str] = ALL_FEATURES) -> np.ndarray:
    return np.array([[row[f] for f in names] for row in rows], dtype=np.float64).reshape(len(rows), len(names))


@dataclass(frozen=True)
class Diversity:
    """How many of the top k may come from one document.

    At most `per_document` passages of one document while others have candidates (so a
    question about two documents gets both), `comparing` when the question compares or names
    two documents; a named document may fill every place, and gets the last place when none
    of its passages made the top. Chosen on the tune questions.
    """

    per_document: int = 4
    comparing: int = 2
    near_duplicate: float = 0.7


@lru_cache(maxsize=_CHUNK_CACHE)
def _shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    stems = content_stems(text)
    return frozenset(tuple(stems[i : i + size]) for i in range(max(len(stems) - size + 1, 1)))


class _Distinct:
    """`ranked` without near-duplicates, worked out only as far as it is read.

    Choosing k passages reads a few more than k of the ranked candidates, not all of them, so
    most are never compared; iterating again replays what was worked out and goes on from there.
    """

    def __init__(self, ranked: Iterable[Candidate], threshold: float) -> None:
        self._source = iter(ranked)
        self._threshold = threshold
        self._kept: list[tuple[Candidate, frozenset]] = []

    def _next_kept(self) -> bool:
        for cand in self._source:
            sh = _shingles(cand.chunk.text)
            if any(len(sh & other) / max(min(len(sh), len(other)), 1) >= self._threshold for _, other in self._kept):
                continue
            self._kept.append((cand, sh))
            return True
        return False

    def __iter__(self) -> Iterator[Candidate]:
        i = 0
        while i < len(self._kept) or self._next_kept():
            yield self._kept[i][0]
            i += 1


def distinct(ranked: Iterable[Candidate], threshold: float) -> Iterable[Candidate]:
    """Candidates in order, dropping one when most of its word shingles already appear in a
    better one; lazily (see `_Distinct`), for `diversify`."""
    return _Distinct(ranked, threshold)


def drop_near_duplicates(ranked: list[Candidate], threshold: float) -> list[Candidate]:
    """Drop a candidate when most of its word shingles already appear in a better one."""
    return list(distinct(ranked, threshold))


def diversify(ranked: Iterable[Candidate], k: int, question: QuestionInfo, diversity: Diversity) -> list[Candidate]:
    """The top k by probability, with room for more than one document (see `Diversity`)."""
    cap = diversity.comparing if question.compares else diversity.per_document
    named = question.mention.documents
    chosen: list[Candidate] = []
    deferred: list[Candidate] = []
    per_doc: dict[str, int] = {}
    for cand in ranked:
        if len(chosen) == k:
            break
        doc = cand.chunk.document_id
        limit = k if (doc in named and len(named) == 1) else cap
        if per_doc.get(doc, 0) >= limit:
            deferred.append(cand)
            continue
        per_doc[doc] = per_doc.get(doc, 0) + 1
        chosen.append(cand)
    chosen.extend(deferred[: k - len(chosen)])
    # Every named document gets a place: the last place of a document that is not named, or that
    # has another place, not the only place of one that is.
    if named:
        for doc in named:
            if chosen and not any(c.chunk.document_id == doc for c in chosen):
                best = next((c for c in ranked if c.chunk.document_id == doc), None)
                places = Counter(c.chunk.document_id for c in chosen)
                spare = [i for i, c in enumerate(chosen) if c.chunk.document_id not in named or places[c.chunk.document_id] > 1]
                if best is not None and spare:
                    chosen[spare[-1]] = best
    return chosen


def rrf_model() -> LinearModel:
    """Reciprocal rank fusion of the two searches as a model: the ranking before any fitting
    (used to gather the first training data, and as the baseline the fitted model must beat)."""
    names = ("dense_rrf", "bm25_rrf")
    return LinearModel("rrf", names, (0.0, 0.0), (1.0, 1.0), (1.0, 1.0), 0.0)


__all__ = ["ALL_FEATURES", "FEATURES", "UNUSED", "Candidate", "Diversity", "distinct", "diversify", "drop_near_duplicates", "feature_matrix", "features", "rrf_model"]
