"""Keyword search: BM25 (bm25s) over Dutch Snowball stems, derived from what is in the store.

The index is never a second source of truth: it is built from the store's live chunks and
labelled with the store's *generation* (a hash of every live document version). It holds the
live chunks themselves and their stored vectors too, so that a question needs no query to the
store: the nearest chunks are found exactly, over those vectors (`KeywordIndex.nearest`), and
`rag.retrieval.live_index` keeps the index in step with the registry. When
another process (or an ingest, or a removal) has changed the store, the index is rebuilt, or
loaded from disk if a process on this machine already built that generation. So it stays
consistent with an embedded store and with a Chroma server shared by several app processes,
and a restart loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Sequence
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import bm25s
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from rag.text.analysis import QUESTION_WORDS, STOPWORDS, content_stems, fold, stem, words
from rag.text.abbreviations import Abbreviations
from rag.text.plurals import apostrophe_singular
from rag.text.terms import zipf
from rag.retrieval.sentence_vectors import SentenceMatrix, SentenceVectors
from rag.retrieval.store import ChromaStore
from rag.types import IndexedDocument
from rag.types import Chunk, sha256_hex

log = logging.getLogger(__name__)
_MIN_PART = 4
#: Suffix of a cache directory's name; a new layout gets a new suffix, so old caches are never misread.
CACHE_FORMAT = "-v2"
#: What the tokenizer makes of this invented chunk goes into the cache's name: a change to
#: the stopwords, the stemmer, the word pattern or the text that is indexed builds a new
#: index instead of loading one made by the old code.
_PROBE = Chunk("probe.txt", 0, "Geïnspireerde (v)so-leraren gaven in 2022-2023 9.800 fte, 15,8% en € 375 aan de "
               "schoolleiders’ bijscholing; zij zijn er niet.", 0, 0, section="1 Inleiding > 1.2 Tekorten", title="Een rapport")


def tokenizer_fingerprint() -> str:
    """A short hash of the stopwords and of the keyword tokens of `_PROBE`."""
    return sha256_hex("|".join([*sorted(STOPWORDS), "#", *content_stems(_PROBE.contextual_text)]))[:8]


_PREFIX = 6
#: How far a question's word may be from the document word it is read as a typing error of
#: (Damerau-Levenshtein: a letter missing, extra or changed, or two letters swapped): one
#: edit from 5 letters on, two from 10 ("lerarentkort", "basisonderwjis").
_EDITS = ((10, 2), (5, 1))
#: A word of a question, as typed (letters only: "vo-scholen" is two).
_TYPED_WORD = re.compile(r"[^\W\d_]+")
# bm25s logs every index build at DEBUG on its own handler; operators need none of it.
logging.getLogger("bm25s").setLevel(logging.WARNING)


def top_rows(scores: np.ndarray, n: int) -> list[int]:
    """The rows of the `n` highest scores, best first, ties in row order: what a stable
    argsort of `-scores` gives, in O(rows) instead of a full sort."""
    if len(scores) <= n:
        return [int(i) for i in np.argsort(-scores, kind="stable")]
    cutoff = np.partition(scores, len(scores) - n)[len(scores) - n]
    above = np.flatnonzero(scores > cutoff)
    at = np.flatnonzero(scores == cutoff)[: n - len(above)]
    chosen = np.concatenate([above, at])
    return [int(i) for i in chosen[np.argsort(-scores[chosen], kind="stable")]]


def _edits(word: str) -> int:
    """How many edits from a document word `word` may be to be read as a typing error of it (`_EDITS`)."""
    return next((n for length, n in _EDITS if len(word) >= length), 0)


def _linked(left: str) -> list[str]:
    """The first part of a compound, and that part without a linking "s", "e" or "en"
    ("achterstands" -> "achterstand")."""
    return [left] + [left[: -len(s)] for s in ("s", "e", "en") if left.endswith(s) and len(left) - len(s) >= _MIN_PART]


def respelled(query: str, index: "KeywordSearch") -> str:
    """`query` with each word that is a typing error of a document word (`KeywordSearch.spelled`)
    replaced by that word. A capitalised word after the first is a name: it is only read as a
    name the documents write ("Inspetcie" -> "Inspectie"); a name they do not use at all
    ("Friesland", a Dutch word anyway) stays as typed, and is a reason to say so. Two words typed
    apart that the documents write as one are joined (`_joined_compounds`)."""

    def correct(match: re.Match) -> str:
        typed = match.group(0)
        folded = fold(typed)
        # "themas", "regios": a plural typed without its apostrophe is the documents' "thema's"
        # (wordfreq knows "themas", so it is no typing error), also where the nearest document
        # word is its singular.
        singular = apostrophe_singular(folded)
        if singular and index.uses(singular) and not index.uses(folded):
            meant = singular + "'s"
        else:
            meant = index.spelled(folded)
            if meant is not None and meant == singular:
                meant += "'s"
        if meant is None or (match.start() > 0 and typed[:1].isupper() and not index.writes_capitalised(meant)):
            return typed
        return meant[:1].upper() + meant[1:] if typed[:1].isupper() else meant

    return _joined_compounds(_TYPED_WORD.sub(correct, query), index)


#: Two words typed apart that the documents write as one ("leraren tekort"): each at least this long.
_MIN_COMPOUND_PART = 3
#: ... and the documents write the compound at least this often.
_MIN_COMPOUND_USES = 2


def _joined_compounds(query: str, index: "KeywordSearch") -> str:
    """`query` with two words typed apart that the documents write as one compound joined
    ("Hoeveel leraren tekort is er?" -> "Hoeveel lerarentekort is er?"): Dutch writes compounds
    as one word, and a question's two words match the compound only as parts of it. Function
    words and a capitalised second word (a name) are never joined."""

    def joinable(left: str, right: str) -> str | None:
        if right[:1].isupper() or min(len(left), len(right)) < _MIN_COMPOUND_PART:
            return None
        if {fold(left), fold(right)} & (STOPWORDS | QUESTION_WORDS):
            return None
        return index.compound(fold(left), fold(right))

    typed = list(_TYPED_WORD.finditer(query))
    out, last, i = [], 0, 0
    while i < len(typed) - 1:
        a, b = typed[i], typed[i + 1]
        joined = joinable(a.group(0), b.group(0)) if query[a.end() : b.start()] == " " else None
        if joined is None:
            i += 1
            continue
        out.append(query[last : a.start()])
        out.append(joined[:1].upper() + joined[1:] if a.group(0)[:1].isupper() else joined)
        last, i = b.end(), i + 2
    return "".join(out) + query[last:]


#: "tekort aan leraren", "de kwaliteit van het onderwijs": a head, "aan"/"van", its modifier.
_OF_PHRASE = re.compile(r"\b([^\W\d_]{3,})\s+(?:aan|van)\s+(?:de\s+|het\s+)?([^\W\d_]{3,})\b")


#: At most this many function words between the two parts of a compound typed apart.
_MAX_COMPOUND_GAP = 3


def written_as_compounds(query: str, index: "KeywordSearch") -> list[str]:
    """The compounds the documents write for a phrase of `query` that says the same in two
    words: "tekort aan leraren" is "lerarentekort", "tekort aan personeel" "personeelstekort",
    "kwaliteit van het onderwijs" "onderwijskwaliteit", and "leraren zijn er tekort" is
    "lerarentekort" too (only function words between). BM25 finds the compound only when it is
    searched as one word. Searched besides the phrase, not instead of it."""
    found = []
    function = STOPWORDS | QUESTION_WORDS
    # Within a clause: "kikkers of minder? Het tekort" are no compound.
    clauses = [_TYPED_WORD.findall(clause) for clause in re.split(r"[.?!;:,()]", fold(query))]
    for typed, i, modifier in ((typed, i, w) for typed in clauses for i, w in enumerate(typed)):
        if modifier in function or len(modifier) < _MIN_COMPOUND_PART:
            continue
        gap = 0
        for head in typed[i + 1 :]:
            if head in function:
                gap += 1
                if gap > _MAX_COMPOUND_GAP:
                    break
                continue
            # Next to each other they are joined in the query itself (`respelled`).
            if gap and len(head) >= _MIN_COMPOUND_PART and (joined := _written_compound(modifier, head, index)):
                found.append(joined)
            break
    for match in _OF_PHRASE.finditer(fold(query)):
        head, modifier = match.group(1), match.group(2)
        if {head, modifier} & function:
            continue
        if joined := _written_compound(modifier, head, index):
            found.append(joined)
    return found


def _written_compound(modifier: str, head: str, index: "KeywordSearch") -> str | None:
    """The compound the documents write of `modifier` and `head`: the modifier as typed, or
    singular ("beheer van de vijvers": "vijverbeheer"), with or without a linking "s"."""
    for left in (form + link for form in _linked(modifier) for link in ("", "s")):
        if (joined := index.compound(left, head)) is not None:
            return joined
    return None


def generation_of(documents: list[IndexedDocument]) -> str:
    """Identifies the set of live document versions in the store."""
    return sha256_hex("|".join(f"{d.id}@{d.version}" for d in sorted(documents, key=lambda d: d.id)))[:16]


class KeywordSearch(Protocol):
    """What retrieval needs from keyword search over the live chunks of one generation.

    `KeywordIndex` (BM25 in this process's memory) implements it; a shared BM25 store such as
    OpenSearch would too (README, "Deployment"), with `chunk` and `vectors_of` answered from
    the hits it returns and from the vector store.
    """

    generation: str

    def knows(self, word: str) -> bool:
        """Whether the live documents use `word` (a question's word none uses is a reason to refuse)."""
        ...

    def spelled(self, word: str) -> str | None:
        """The document word that `word` (folded), which no document uses, is a typing error of;
        None when the documents use it or none is close enough."""
        ...

    def writes_capitalised(self, word: str) -> bool:
        """Whether the documents write `word` (folded) with a capital somewhere: a name, or a
        sentence's first word."""
        ...

    def compound(self, left: str, right: str) -> str | None:
        """The compound the documents write for two words (folded) typed apart ("leraren
        tekort": "lerarentekort"); None when they write none."""
        ...

    def abbreviations(self) -> Abbreviations:
        """The abbreviations the live documents introduce, with the terms they stand for
        (`rag.text.abbreviations`)."""
        ...

    def top(self, query: str, n: int, versions: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """The `n` best chunks for `query` by BM25 (score > 0), best first, ties in chunk order;
        `versions` restricts them to those document versions."""
        ...

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The live chunk with this id (None: not in this generation)."""
        ...

    def vectors_of(self, chunk_ids: list[str]) -> np.ndarray:
        """The stored vectors of these live chunks, one row each."""
        ...

    def nearest(self, vector: Sequence[float], n: int, versions: set[str] | None = None) -> list[tuple[Chunk, float]] | None:
        """The `n` live chunks nearest to `vector` by cosine, best first, ties in chunk order;
        `versions` restricts them to those document versions. None when this search does not
        hold every live vector (the vector store is asked instead)."""
        ...

    def sentence_similarity(self, chunk_ids: list[str], vector: Sequence[float]) -> list[float | None]:
        """For each of these live chunks, the best cosine of `vector` with one of its sentences
        (`rag.retrieval.sentence_vectors`); None for a chunk without sentence vectors."""
        ...

    def section_starts(self, document_id: str) -> list[Chunk]:
        """The first live chunk under each heading path (`Chunk.section`) of a document, in
        document order: where each of its parts begins."""
        ...

    def following(self, chunk: Chunk, n: int) -> list[Chunk]:
        """`chunk` and the live chunks of its document after it, in document order, `n` at most."""
        ...


#: A superlative and the adjective it is made of ("zwaarst" of "zwaar", "kleinste" of "klein").
_SUPERLATIVE = re.compile(r"^([^\W\d_]{4,}?)(?:st|ste)$")


@dataclass(frozen=True)
class _SpellingWords:
    """What typing errors are corrected to: how often the chunks use each word, the words they
    write with a capital somewhere (a name, or a sentence's first word), and the words of four
    letters or more, sorted (`KeywordIndex.spelled` searches them)."""

    uses: Counter
    capitalised: frozenset[str]
    targets: list[str]

    @classmethod
    def of(cls, chunks: list[Chunk]) -> "_SpellingWords":
        uses = Counter(w for c in chunks for w in words(c.text))
        capitalised = frozenset(fold(w) for c in chunks for w in _TYPED_WORD.findall(c.text) if w[:1].isupper())
        return cls(uses, capitalised, sorted(w for w in uses if len(w) >= 4))


@dataclass
class KeywordIndex:
    """BM25 over a fixed list of chunks (a `KeywordSearch` in memory)."""

    generation: str
    chunks: list[Chunk]
    bm25: bm25s.BM25 | None
    #: The stored vector of every chunk (float32, one row per chunk, same order).
    vectors: np.ndarray | None = field(default=None, repr=False)
    #: The vectors of the chunks' sentences (`rag.retrieval.sentence_vectors`), if built with them.
    sentences: SentenceMatrix | None = field(default=None, repr=False)
    _words: frozenset[str] | None = field(default=None, repr=False)
    _prefixes: frozenset[str] | None = field(default=None, repr=False)
    _spelling: _SpellingWords | None = field(default=None, repr=False)
    _abbreviations: Abbreviations | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.row_of = {c.id: i for i, c in enumerate(self.chunks)}
        # Each chunk's document version as a small integer, so filters are one vectorised test.
        versions: dict[str, int] = {}
        self.version_codes = np.array([versions.setdefault(c.content_hash, len(versions)) for c in self.chunks], dtype=np.int32)
        self.version_code = versions
        # Each vector's length, for cosines in `nearest` (a zero vector counts as length 1).
        norms = np.linalg.norm(self.vectors, axis=1) if self.vectors is not None and len(self.vectors) else np.ones(0)
        self._norms = np.where(norms > 0, norms, 1.0).astype(np.float32)

    def top(self, query: str, n: int, versions: set[str] | None = None) -> list[tuple[Chunk, float]]:
        scores = self.scores(query)
        if versions is not None and len(scores):
            scores = np.where(self.admitted_rows(versions), scores, 0.0)
        return [(self.chunks[i], float(scores[i])) for i in top_rows(scores, n) if scores[i] > 0]

    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self.row_of.get(chunk_id)
        return self.chunks[row] if row is not None else None

    def vectors_of(self, chunk_ids: list[str]) -> np.ndarray:
        return self.vectors[[self.row_of[cid] for cid in chunk_ids]]

    def sentence_similarity(self, chunk_ids: list[str], vector: Sequence[float]) -> list[float | None]:
        query = np.asarray(vector, dtype=np.float32)
        if self.sentences is None or self.sentences.vectors.shape[1] != len(query):
            return [None] * len(chunk_ids)
        query = query / (float(np.linalg.norm(query)) or 1.0)
        return [self.sentences.best(self.row_of[cid], query) for cid in chunk_ids]

    def nearest(self, vector: Sequence[float], n: int, versions: set[str] | None = None) -> list[tuple[Chunk, float]] | None:
        """Exact search over every live vector. The store's HNSW index is approximate: it missed
        about one of the 80 nearest chunks per question here, and which one varied from process
        to process, so the same question could get other passages after a restart. The product of
        the vectors with the query took 3.5 ms for 101,018 chunks here, less than asking the store."""
        if self.vectors is None:
            return None
        if not self.chunks:
            return []
        query = np.asarray(vector, dtype=np.float32)
        similarities = (self.vectors @ query) / (self._norms * (float(np.linalg.norm(query)) or 1.0))
        if versions is not None:
            similarities = np.where(self.admitted_rows(versions), similarities, -np.inf)
        return [(self.chunks[i], float(similarities[i])) for i in top_rows(similarities, n) if similarities[i] > -np.inf]

    def section_starts(self, document_id: str) -> list[Chunk]:
        firsts: dict[str | None, Chunk] = {}
        for chunk in sorted((c for c in self.chunks if c.document_id == document_id), key=lambda c: c.index):
            firsts.setdefault(chunk.section, chunk)
        return list(firsts.values())

    def following(self, chunk: Chunk, n: int) -> list[Chunk]:
        after = sorted((c for c in self.chunks if c.document_id == chunk.document_id and c.index >= chunk.index), key=lambda c: c.index)
        return after[:n]

    def admitted_rows(self, versions: set[str]) -> np.ndarray:
        """A boolean per chunk: does it belong to one of `versions`?"""
        codes = [self.version_code[v] for v in versions if v in self.version_code]
        return np.isin(self.version_codes, np.array(codes, dtype=np.int32))

    @property
    def words(self) -> frozenset[str]:
        """Every word of the indexed chunks, folded (built on first use)."""
        if self._words is None:
            self._words = frozenset(w for c in self.chunks for w in words(c.contextual_text))
            self._prefixes = frozenset(w[:_PREFIX] for w in self._words if len(w) >= _PREFIX)
        return self._words

    @property
    def spelling(self) -> _SpellingWords:
        """The words typing errors are corrected to (`spelled`), built on first use."""
        if self._spelling is None:
            self._spelling = _SpellingWords.of(self.chunks)
        return self._spelling

    def writes_capitalised(self, word: str) -> bool:
        return word in self.spelling.capitalised

    def abbreviations(self) -> Abbreviations:
        if self._abbreviations is None:
            self._abbreviations = Abbreviations.of_texts(c.text for c in self.chunks)
        return self._abbreviations

    def compound(self, left: str, right: str) -> str | None:
        joined = left + right
        return joined if self.spelling.uses[joined] >= _MIN_COMPOUND_USES else None

    def warm_up(self) -> None:
        """Build the word lists and load wordfreq's now, rather than on the first question (each
        of these calls builds what it reads on first use)."""
        self.uses("onderwijs")
        self.writes_capitalised("onderwijs")
        self.abbreviations()
        zipf("onderwijs")

    def knows(self, word: str) -> bool:
        """Whether the documents use `word`: as a word, by its stem or its first six letters,
        or as a compound of two words they use ("vijverrand": "vijver" + "rand")."""
        if self.uses(word):
            return True
        if (m := _SUPERLATIVE.match(word)) and zipf(word) < zipf(base := m.group(1)) and (self.uses(base) or self.uses(base + "e")):
            return True  # "zwaarst", "kleinste": the documents write "zwaar", "kleine" (not "dienst": "dien")
        return len(word) >= _PREFIX and word[:_PREFIX] in (self._prefixes or ())  # "vergrijsd" next to "vergrijzing"

    def spelled(self, word: str) -> str | None:
        """The document word that `word` is a typing error of: of the words the documents use
        within `_EDITS` of it, the nearest, the most used of those. None when
        the documents use `word` (`uses`), when it is a Dutch word (wordfreq knows it: the
        documents just do not use it) or when no document word is that close."""
        edits = _edits(word)
        if not edits or self.uses(word) or zipf(word) > 0:
            return None
        return self._nearest(word, edits) or self._spelled_compound(word)

    def _nearest(self, word: str, edits: int) -> str | None:
        """Of the document words at most `edits` from `word`, the nearest, the most used of those."""
        spelling = self.spelling
        found = process.extract(word, spelling.targets, scorer=DamerauLevenshtein.distance, score_cutoff=edits, limit=None)
        if not found:
            return None
        best, _, _ = min(found, key=lambda f: (f[1], -spelling.uses[f[0]], f[0]))
        return best

    def _spelled_compound(self, word: str) -> str | None:
        """A compound the documents use only in parts, with a typing error in one part
        ("achterstandsmiddeltn": "achterstands" + "middelen"): the other part is a document word
        as typed, the erring one is one edit from one (a linking "s" kept)."""
        vocabulary = self.words
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            candidates = []
            if right in vocabulary:  # the error is in the first part
                for part, link in [(left, "")] + ([(left[:-1], "s")] if left.endswith("s") else []):
                    if _edits(part) and (fixed := self._nearest(part, 1)):
                        candidates.append(fixed + link + right)
            if _edits(right) and any(part in vocabulary for part in _linked(left)) and (fixed := self._nearest(right, 1)):
                candidates.append(left + fixed)
            found = next((c for c in candidates if self.uses(c)), None)
            if found:
                return found
        return None

    def uses(self, word: str) -> bool:
        """Whether the documents use `word` as a word, by its stem, or as a compound of two
        words they use ("vijverrand": "vijver" + "rand")."""
        vocabulary = self.words
        if word in vocabulary or word.isdigit():
            return True
        if self.bm25 is not None and stem(word) in self.bm25.vocab_dict:
            return True
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            if right not in vocabulary and stem(right) not in (self.bm25.vocab_dict if self.bm25 else {}):
                continue
            if any(piece in vocabulary for piece in _linked(left)):
                return True
        return False

    @classmethod
    def build(
        cls, generation: str, chunks: list[Chunk], vectors: np.ndarray | None = None, sentences: SentenceMatrix | None = None
    ) -> "KeywordIndex":
        if not chunks:
            return cls(generation, [], None, vectors)
        bm25 = bm25s.BM25()
        bm25.index([content_stems(c.contextual_text) or ["\u2205"] for c in chunks], show_progress=False)
        return cls(generation, chunks, bm25, vectors, sentences)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros when no query term is known)."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self.bm25.vocab_dict
        terms = [t for t in content_stems(query) if t in vocab]
        if not terms:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return self.bm25.get_scores(terms)

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + f".tmp-{time.time_ns()}")
        tmp.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(tmp), show_progress=False)
        if self.vectors is not None:
            np.save(tmp / "vectors.npy", self.vectors)
        if self.sentences is not None:
            np.save(tmp / "sentence-vectors.npy", self.sentences.vectors)
            np.save(tmp / "sentence-bounds.npy", self.sentences.bounds)
        (tmp / "chunks.json").write_text(
            json.dumps([_chunk_to_json(c) for c in self.chunks], ensure_ascii=False), encoding="utf-8"
        )
        try:
            tmp.rename(directory)  # atomic: readers never see a half-written index
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved the same generation first

    @classmethod
    def load(cls, generation: str, directory: Path) -> "KeywordIndex":
        chunks = [Chunk(**c) for c in json.loads((directory / "chunks.json").read_text(encoding="utf-8"))]
        bm25 = bm25s.BM25.load(str(directory), show_progress=False) if chunks else None
        vectors = np.load(directory / "vectors.npy") if chunks else None  # absent in an older cache: rebuilt
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError(f"{directory}: {len(vectors)} vectors for {len(chunks)} chunks")
        sentences = None
        if (directory / "sentence-bounds.npy").is_file():
            sentences = SentenceMatrix(np.load(directory / "sentence-vectors.npy"), np.load(directory / "sentence-bounds.npy"))
            if len(sentences.bounds) != len(chunks) + 1:
                raise ValueError(f"{directory}: sentence bounds for {len(sentences.bounds) - 1} chunks, not {len(chunks)}")
        return cls(generation, chunks, bm25, vectors, sentences)


def _chunk_to_json(chunk: Chunk) -> dict:
    return {
        "document_id": chunk.document_id, "index": chunk.index, "text": chunk.text,
        "start": chunk.start, "end": chunk.end, "section": chunk.section, "page": chunk.page,
        "kind": chunk.kind, "title": chunk.title, "content_hash": chunk.content_hash,
    }


class SyncedKeywordIndex:
    """The keyword index for the store's current generation, rebuilt or loaded when it changes.

    `current(documents)` builds synchronously on a change; `rag.retrieval.live_index.LiveIndex` calls
    `load_or_build` off the question path instead and swaps the result in when it is ready.
    """

    def __init__(self, store: ChromaStore, cache_dir: Path | None, sentences: SentenceVectors | None = None) -> None:
        self._store = store
        self._cache_dir = cache_dir
        #: Completes and reads the chunks' sentence vectors; None builds indexes without them.
        self._sentences = sentences
        self._index: KeywordIndex | None = None
        self._lock = threading.Lock()

    def current(self, documents: list[IndexedDocument]) -> KeywordIndex:
        """The index matching `documents` (the registry as just read by the caller)."""
        generation = generation_of(documents)
        index = self._index
        if index is not None and index.generation == generation:
            return index
        with self._lock:
            if self._index is None or self._index.generation != generation:
                self._index = self.load_or_build(documents)
            return self._index

    def load_or_build(self, documents: list[IndexedDocument]) -> KeywordIndex:
        """The index of exactly `documents`: from the cache on disk, or built from the store."""
        generation = generation_of(documents)
        started = time.perf_counter()
        with_sentences = f"-s{sha256_hex(self._sentences.model_name)[:6]}" if self._sentences is not None else ""
        name = f"{generation}-{self._store_label()}-{tokenizer_fingerprint()}{with_sentences}{CACHE_FORMAT}"
        directory = self._cache_dir / name if self._cache_dir else None
        if directory is not None and (directory / "chunks.json").is_file():
            try:
                index = KeywordIndex.load(generation, directory)
                log.info("Loaded keyword index %s (%d chunks) in %.2f s", generation, len(index.chunks), time.perf_counter() - started)
                return index
            except Exception:  # a damaged cache is rebuilt, never trusted
                log.warning("Keyword index cache %s is unreadable; rebuilding", directory, exc_info=True)
        chunks, vectors = self._store.live_chunks_with_vectors(documents)
        sentences, complete = None, True
        if self._sentences is not None and chunks:
            try:
                sentences = self._sentences.for_chunks(chunks)[0]
            except Exception as exc:  # the model or the store failing: serve without the signal, cache nothing
                complete = False
                log.error("Sentence vectors could not be completed (%s: %s); the ranker reads the chunks' cosines "
                          "until the next refresh or `bronwijzer ingest`", type(exc).__name__, exc)
        index = KeywordIndex.build(generation, chunks, vectors, sentences)
        if directory is not None and complete:
            directory.parent.mkdir(parents=True, exist_ok=True)
            if not directory.exists():
                index.save(directory)
            self._prune(keep=directory.name)
        log.info("Built keyword index %s (%d chunks) in %.2f s", generation, len(chunks), time.perf_counter() - started)
        return index

    def _store_label(self) -> str:
        # The same document versions in another collection (another model, a rebuild) have other
        # vectors, and a rebuild may have chunked them anew: the cache is per store, collection
        # (its id, new after a rebuild) and model, never per generation alone.
        model = self._store.index_model()
        return sha256_hex(f"{self._store.location}|{self._store.collection_name}|{self._store.collection_id()}|{model}")[:8]

    def _prune(self, keep: str) -> None:
        # Old generations are useless once the store has moved on; keep the cache small.
        for child in self._cache_dir.iterdir():
            if child.is_dir() and child.name != keep and not child.name.startswith(f"{keep}.tmp"):
                age = time.time() - child.stat().st_mtime
                if age > 3600:
                    shutil.rmtree(child, ignore_errors=True)
