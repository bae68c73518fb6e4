"""Do the retrieved passages hold the answer? The refusal decision, from simple signals.

A confident wrong answer is the worst thing Bronwijzer can do, so before composing an
answer the policy checks the question against the top passages:

* **missing specifics**: a name ("Japan", "Amsterdam-Noord"), a number or year, or a rare
  word ("ziekteverzuimpercentage") of the question that no top passage contains. The
  documents rarely hold an answer about something they never mention; one such term is
  strong evidence.
* **coverage**: the share of the question's key terms (weighted by rarity in Dutch,
  `wordfreq`) that occur in the top passages.
* **closeness**: the top dense (cosine) score, and the top BM25 score when the retriever
  provides one. e5 cosines are compressed (answerable questions ~0.87-0.94), so their
  threshold is a low bar that only catches questions far from every passage.

A term counts as present when its stem is among the passage's stems, when it occurs
inside a longer word (`vacature` in `directeursvacatures`), or when it is a compound
whose head occurs with its modifier or with a common modifier (`klassengrootte`:
`klassen` + `grootte`; `schoolbesturen`: `besturen`, and "school" is a common word). Thresholds are
constructor parameters; the defaults are calibrated by `evals/calibrate_refusal.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.analysis import POINTER_WORD, QUESTION_WORDS, STOPWORDS, fold, stem, words
from rag.types import Passage, Turn

# Capitalised words after the first, acronyms anywhere, and hyphenated names with them.
_TOKEN = re.compile(r"[^\W_]+(?:[-‑][^\W_]+)*", re.UNICODE)
_MIN_SUBSTRING = 5  # shorter stems match too many unrelated words inside others
_MIN_PART = 4
_LINKING = ("s", "e", "en")
_MIN_PREFIX = 6
_COMMON_MODIFIER_ZIPF = 4.0
# Capitalised at the start of a question or by habit, not names.
_NOT_NAMES = frozenset({"nederland", "nederlandse", "rijk", "inspectie", "minister", "ocw", "po", "vo"})


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Analysed:
    """A text folded, split into words and stemmed (stopwords dropped), as `rag.analysis` does."""

    folded: str
    words: frozenset[str]
    stems: frozenset[str]


@lru_cache(maxsize=8192)
def analyse(text: str) -> Analysed:
    """Cached: the same passages and sentences come back question after question."""
    folded = fold(text)
    found = _WORD.findall(folded)
    return Analysed(folded, frozenset(found), frozenset(stem(w) for w in found if w not in STOPWORDS))


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    """How common `word` is in Dutch (wordfreq's Zipf scale: 0 unknown, ~7 'de')."""
    from wordfreq import zipf_frequency  # loads a 1 MB list: only when first needed

    return zipf_frequency(word, "nl")


@dataclass(frozen=True)
class QuestionTerm:
    """A key term of a question: its stem, the word as asked, and what kind of term it is."""

    stem: str
    word: str
    is_name: bool = False
    is_number: bool = False
    #: All words of the name this term is part of ("amsterdam", "noord" for Amsterdam-Noord).
    name: tuple[str, ...] = ()

    @property
    def is_specific(self) -> bool:
        return self.is_name or self.is_number


def question_terms(question: str) -> list[QuestionTerm]:
    """The question's key terms (as `rag.analysis.key_terms`, less pointers such as
    "daarin"), with names and numbers marked."""
    names: dict[str, tuple[str, ...]] = {}
    for n, match in enumerate(_TOKEN.finditer(question)):
        token = match.group(0)
        letters = [ch for ch in token if ch.isalpha()]
        acronym = len(letters) >= 2 and all(ch.isupper() for ch in letters)
        if acronym or (n > 0 and token[:1].isupper()):
            parts = tuple(words(token))
            names.update((w, parts) for w in parts if w not in _NOT_NAMES)
    terms: dict[str, QuestionTerm] = {}
    for w in words(question):
        if w in STOPWORDS or w in QUESTION_WORDS or (len(w) < 3 and not w.isdigit()) or POINTER_WORD.match(w):
            continue
        s = stem(w)
        if s not in terms:
            terms[s] = QuestionTerm(s, w, is_name=w in names, is_number=w.isdigit(), name=names.get(w, ()))
    return list(terms.values())


class TermIndex:
    """The words of some passages, to ask whether a question term occurs in them."""

    def __init__(self, texts: Iterable[str]) -> None:
        analysed = [analyse(t) for t in texts]
        self.text = "\n".join(a.folded for a in analysed)
        self.stems = frozenset().union(*(a.stems for a in analysed))
        self.words = frozenset().union(*(a.words for a in analysed))
        self._prefixes = {w[:_MIN_PREFIX] for w in self.words if len(w) >= _MIN_PREFIX}

    def _occurs(self, piece: str) -> bool:
        if len(piece) >= _MIN_SUBSTRING:
            return piece in self.text
        return piece in self.words or stem(piece) in self.stems

    def contains(self, term: QuestionTerm) -> bool:
        if term.stem in self.stems or term.word in self.words:
            return True
        if term.is_number:
            return False
        if term.is_name:
            # A name is there as a word or not at all: "Duitsland" is not "einduitstroom" + "land".
            return self._variant_present(term.word)
        if self._occurs(term.stem) or self._occurs(term.word) or self._variant_present(term.word):
            return True
        return self._compound_present(term.word)

    def names_part_of(self, term: QuestionTerm) -> bool:
        """Whether another word of the term's name occurs ("NP" of "NP-Onderwijsgeld")."""
        return any(w in self.words for w in term.name if w != term.word)

    def _variant_present(self, word: str) -> bool:
        # `vergrijsd` / `vergrijzing`: a shared beginning of at least 3/4 of the word.
        if len(word) < _MIN_PREFIX or word[:_MIN_PREFIX] not in self._prefixes:
            return False
        need = max(_MIN_PREFIX, -(-3 * len(word) // 4))
        return any(w.startswith(word[:need]) for w in self.words if len(w) >= need)

    def _compound_present(self, word: str) -> bool:
        # `klassengrootte` -> `klassen` + `grootte`; `ziekteverzuimpercentage` -> ...
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            if not self._occurs(stem(right)) and not self._occurs(right):
                continue
            lefts = [left] + [left[: -len(s)] for s in _LINKING if left.endswith(s) and len(left) - len(s) >= _MIN_PART]
            # The modifier occurs too, or is so common it adds little ("schoolbesturen": besturen).
            if any(self._occurs(piece) or zipf(piece) >= _COMMON_MODIFIER_ZIPF for piece in lefts):
                return True
        return False


def term_weight(term: QuestionTerm) -> float:
    """Rarer words say more about what the question is about (1 for 'jaar', 6 for unknown words)."""
    if term.is_number:
        return 3.0
    return min(6.0, max(1.0, 6.5 - zipf(term.word)))


@dataclass(frozen=True)
class RefusalSignals:
    """What the decision is based on, for one question and its top passages."""

    top_dense: float | None
    top_keyword: float | None
    coverage: float  # rarity-weighted share of key terms present in the top passages
    missing: tuple[str, ...]  # key terms (as asked) absent from the top passages
    missing_specific: tuple[str, ...]  # of which names, numbers and rare words

    @property
    def best_missing(self) -> str | None:
        return (self.missing_specific or self.missing or (None,))[0]


@dataclass(frozen=True)
class RefusalDecision:
    refuse: bool
    reason: str | None
    signals: RefusalSignals


class RefusalPolicy:
    """Refuses when the top passages do not look like they hold the answer.

    Refuse when any of these holds:
      * a specific term of the question (name, number, word rarer than `rare_zipf`) is in
        none of the top `top_n` passages and `refuse_on_missing_specific` is set;
      * the weighted key-term coverage is below `min_coverage`;
      * the top dense cosine is below `min_dense` (when the passages carry one);
      * the top BM25 score is below `min_keyword` (when set and the passages carry one).
    """

    def __init__(
        self,
        *,
        min_dense: float | None = 0.855,
        min_keyword: float | None = None,
        min_coverage: float = 0.3,
        rare_zipf: float = 1.0,
        refuse_on_missing_specific: bool = True,
        top_n: int = 5,
    ) -> None:
        if top_n <= 0:
            raise ValueError(f"top_n must be greater than 0, got {top_n}")
        if not 0.0 <= min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be between 0 and 1, got {min_coverage}")
        self.min_dense = min_dense
        self.min_keyword = min_keyword
        self.min_coverage = min_coverage
        self.rare_zipf = rare_zipf
        self.refuse_on_missing_specific = refuse_on_missing_specific
        self.top_n = top_n

    def warm_up(self) -> None:
        """Load the word-frequency list now rather than on the first question."""
        zipf("onderwijs")

    def signals(self, question: str, passages: Sequence[Passage], context: str | None = None) -> RefusalSignals:
        """The signals for `question`; `context` (the previous question of a follow-up) adds
        its key terms to the coverage, but only the question's own terms can be "missing"."""
        top = sorted(passages, key=lambda p: p.rank)[: self.top_n]
        dense = [p.dense_score for p in top if p.dense_score is not None]
        keyword = [p.keyword_score for p in top if p.keyword_score is not None]
        index = TermIndex(p.text for p in top)
        terms = question_terms(question)
        own = {t.stem for t in terms}
        borrowed = [t for t in question_terms(context) if t.stem not in own] if context else []
        present = [index.contains(t) for t in terms]
        present_borrowed = [index.contains(t) for t in borrowed]
        total = sum(term_weight(t) for t in terms + borrowed)
        covered = sum(term_weight(t) for t, ok in zip(terms + borrowed, present + present_borrowed) if ok)
        missing = [t for t, ok in zip(terms, present) if not ok]
        specific = [
            t.word
            for t in missing
            if (t.is_name and not index.names_part_of(t)) or t.is_number or (not t.is_name and zipf(t.word) < self.rare_zipf)
        ]
        return RefusalSignals(
            top_dense=max(dense) if dense else None,
            top_keyword=max(keyword) if keyword else None,
            coverage=covered / total if total else 1.0,
            missing=tuple(t.word for t in missing),
            missing_specific=tuple(specific),
        )

    def decide_signals(self, signals: RefusalSignals) -> RefusalDecision:
        reason = None
        if self.refuse_on_missing_specific and signals.missing_specific:
            reason = f"geen passage noemt {', '.join(signals.missing_specific)}"
        elif signals.coverage < self.min_coverage:
            reason = f"de passages bevatten te weinig van de vraag (dekking {signals.coverage:.2f})"
        elif self.min_dense is not None and signals.top_dense is not None and signals.top_dense < self.min_dense:
            reason = f"geen passage lijkt op de vraag (cosinus {signals.top_dense:.3f})"
        elif self.min_keyword is not None and signals.top_keyword is not None and signals.top_keyword < self.min_keyword:
            reason = f"geen passage deelt woorden met de vraag (BM25 {signals.top_keyword:.1f})"
        return RefusalDecision(reason is not None, reason, signals)

    def decide(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> RefusalDecision:
        """Refuse or not. A follow-up ("En een jaar eerder?") borrows the previous question's
        key terms for the coverage; a new name or number in it must still be in the passages."""
        if not passages:
            empty = RefusalSignals(None, None, 0.0, (), ())
            return RefusalDecision(True, "geen passages gevonden", empty)
        previous = next((t.content for t in reversed(history) if t.role == "user"), None)
        return self.decide_signals(self.signals(question, passages, previous))
