"""Do the retrieved passages hold the answer? The refusal decision, from signals and a fitted model.

A confident wrong answer is the worst thing Bronwijzer can do, so before composing an
answer the question is checked against the top passages. The signals (`REFUSAL_FEATURES`):

* **missing specifics**: names, numbers and rare words of the question that no top passage
  contains (the words naming a source, "volgens de inspectie", do not count), and key terms
  that no document uses at all;
* **coverage**: the share of the question's key terms (weighted by rarity in Dutch,
  `wordfreq`) that occur in the top passages, and the share missing;
* **closeness**: the ranker's probability of the best passages and the top cosine;
* **the best sentence**: how well the best candidate sentence scores, how much of the
  question it covers, and whether the best ones hold the kind of answer asked for (a number
  for "hoeveel", a year for "wanneer").

`rag/models/refusal.json`, a logistic regression fitted on the tune questions with its
threshold (`python -m evals.fit refusal`), combines them; no threshold here is set by hand.

A term counts as present when its stem is among the passage's stems, when it occurs
inside a longer word (`vijver` in `visvijvers`), or when it is a compound whose head
occurs with its modifier or with a common modifier (`vijverrand`: `vijver` + `rand`;
`schooltuinen`: `tuinen`, and "school" is a common word).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.analysis import POINTER_WORD, QUESTION_WORDS, STOPWORDS, fold, stem, words
from rag.linear import LinearModel, bundled
from rag.types import Passage, Turn

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rag.question import QuestionInfo

#: What Bronwijzer says when the documents do not hold the answer.
REFUSAL_TEXT = "Dat staat niet in de documenten die ik ken."

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
    #: All words of the name this term is part of ("vlinderstad", "oost" for Vlinderstad-Oost).
    name: tuple[str, ...] = ()
    #: The word as the user typed it ("België" where `word` is "belgie"), for what users read.
    asked: str = ""

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
    # Folded word -> the word as typed (first occurrence), so a reason quotes the user.
    typed: dict[str, str] = {}
    for raw in _WORD.findall(question):
        folded = words(raw)
        if len(folded) == 1:
            typed.setdefault(folded[0], raw)
    terms: dict[str, QuestionTerm] = {}
    for w in words(question):
        if w in STOPWORDS or w in QUESTION_WORDS or (len(w) < 3 and not w.isdigit()) or POINTER_WORD.match(w):
            continue
        s = stem(w)
        if s not in terms:
            terms[s] = QuestionTerm(
                s, w, is_name=w in names, is_number=w.isdigit(), name=names.get(w, ()), asked=typed.get(w, w)
            )
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
            # A name is there as a word or not at all, never as a piece of a longer word.
            return self._variant_present(term.word)
        if self._occurs(term.stem) or self._occurs(term.word) or self._variant_present(term.word):
            return True
        return self._compound_present(term.word)

    def names_part_of(self, term: QuestionTerm) -> bool:
        """Whether another word of the term's name occurs ("VR" of "VR-Bril")."""
        return any(w in self.words for w in term.name if w != term.word)

    def _variant_present(self, word: str) -> bool:
        # `verbouwd` / `verbouwing`: a shared beginning of at least 3/4 of the word.
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


#: The signals of the refusal model, in its order (see `refusal_signals`).
REFUSAL_FEATURES = (
    "top_passage", "top3_passages", "top_dense", "coverage", "missing_specific", "missing_share",
    "best_sentence", "best_overlap", "type_found", "specific_in_best", "unknown", "terms",
)  # fmt: skip
#: Words rarer than this (wordfreq Zipf) count as specific when the passages lack them.
RARE_ZIPF = 1.0
#: Words that no document uses count when they are rarer than this: a common word the
#: documents happen not to use ("zaten") says nothing.
UNKNOWN_ZIPF = 3.5


@dataclass(frozen=True)
class RefusalSignals:
    """What the decision is based on, for one question and its top passages."""

    values: dict[str, float]
    missing: tuple[str, ...]  # key terms (folded) absent from the top passages
    missing_specific: tuple[str, ...]  # of which names, numbers and rare words
    #: Folded word -> the word as the user typed it, for the reason users read.
    asked: Mapping[str, str] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        return self.values["coverage"]


@dataclass(frozen=True)
class RefusalDecision:
    refuse: bool
    reason: str | None
    signals: RefusalSignals
    probability: float = 0.0


def refusal_signals(
    analysis: "QuestionInfo",
    passages: Sequence[Passage],
    history: Sequence[Turn] = (),
    *,
    best_sentence: float = 0.0,
    best_overlap: float = 0.0,
    type_found: bool = True,
    specific_in_best: float = 1.0,
    top_n: int = 5,
) -> RefusalSignals:
    """The signals for a question (as analysed: the words naming a source are left out) and its
    passages. A follow-up borrows the previous question's key terms for the coverage, but only
    its own terms can be missing. `best_*`, `type_found` and `specific_in_best` come from the
    sentence scorer: the best candidate sentence, whether one of the best has the kind of answer
    asked for, and the share of the question's names, numbers and rare words the best hold."""
    top = sorted(passages, key=lambda p: p.rank)[:top_n]
    index = TermIndex(p.text for p in top)
    terms = list(analysis.topic_terms)
    previous = next((t.content for t in reversed(history) if t.role == "user"), None)
    own = {t.stem for t in terms}
    borrowed = [t for t in question_terms(previous) if t.stem not in own] if previous else []
    present = [index.contains(t) for t in terms]
    present_borrowed = [index.contains(t) for t in borrowed]
    total = sum(term_weight(t) for t in terms + borrowed)
    covered = sum(term_weight(t) for t, ok in zip(terms + borrowed, present + present_borrowed) if ok)
    missing = [t for t, ok in zip(terms, present) if not ok]
    specific = [
        t.word
        for t in missing
        if (t.is_name and not index.names_part_of(t))
        or (t.is_number and t.word not in analysis.source_years)
        or (not t.is_name and not t.is_number and zipf(t.word) < RARE_ZIPF)
    ]
    scores = [float(p.score) for p in top]
    dense = [p.dense_score for p in top if p.dense_score is not None]
    values = {
        "top_passage": scores[0] if scores else 0.0,
        "top3_passages": sum(scores[:3]) / 3,
        "top_dense": max(dense) if dense else 0.0,
        "coverage": covered / total if total else 1.0,
        "missing_specific": float(len(specific)),
        "missing_share": len(missing) / len(terms) if terms else 0.0,
        "best_sentence": best_sentence,
        "best_overlap": best_overlap,
        "type_found": float(type_found),
        "specific_in_best": specific_in_best,
        # Uncommon key terms (names, rare words) that no document uses at all.
        "unknown": float(sum(1 for t in terms if t.word in analysis.unknown_terms and zipf(t.word) < UNKNOWN_ZIPF)),
        "terms": math.log(1 + len(terms)),
    }
    return RefusalSignals(values, tuple(t.word for t in missing), tuple(specific), {t.word: t.asked or t.word for t in terms})


class RefusalModel:
    """Refuses when the fitted model (`rag/models/refusal.json`, `python -m evals.fit
    refusal`) puts the chance that the passages do not hold the answer above its threshold.

    The threshold is chosen on the tune questions: as many unanswerable questions refused as
    possible while at most a few percent of the answerable ones are.
    """

    def __init__(self, model: LinearModel | None = None, threshold: float | None = None) -> None:
        self.model = model if model is not None else bundled("refusal")
        chosen = threshold if threshold is not None else self.model.threshold
        self.threshold = 0.5 if chosen is None else chosen

    @classmethod
    def never(cls) -> "RefusalModel":
        """A policy that never refuses (to study answers on their own)."""
        n = len(REFUSAL_FEATURES)
        return cls(LinearModel("never", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, -50.0), threshold=1.0)

    def warm_up(self) -> None:
        """Load the word-frequency list now rather than on the first question."""
        zipf("onderwijs")

    def decide(self, signals: RefusalSignals) -> RefusalDecision:
        p = float(self.model.probability(self.model.matrix([signals.values]))[0])
        if p < self.threshold:
            return RefusalDecision(False, None, signals, p)
        # The details are for whoever tunes the model; the user reads `_reason`.
        log.info(
            "Refused: p=%.3f >= threshold %.3f; missing %s (specific %s); signals %s",
            p, self.threshold, list(signals.missing), list(signals.missing_specific),
            {k: round(v, 3) for k, v in signals.values.items()},
        )
        return RefusalDecision(True, _reason(signals), signals, p)

    def refuse_empty(self) -> RefusalDecision:
        empty = RefusalSignals({f: 0.0 for f in REFUSAL_FEATURES}, (), ())
        log.info("Refused: no passages retrieved")
        return RefusalDecision(True, REASON_NO_PASSAGES, empty, 1.0)


#: Why a question was refused, as a school leader reads it under "Waarom niet?".
REASON_NO_PASSAGES = "Er zijn geen passages gevonden die bij uw vraag passen."
REASON_NOT_ANSWERED = "De gevonden passages geven geen antwoord op deze vraag."


def _listed(words: Sequence[str]) -> str:
    """'‘a’', '‘a’ en ‘b’', '‘a’, ‘b’ en ‘c’'."""
    quoted = [f"‘{w}’" for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} en {quoted[-1]}"


def _reason(signals: RefusalSignals) -> str:
    """Why, in plain Dutch and in the user's own words, for the note under a refusal."""
    asked = [signals.asked.get(w, w) for w in (signals.missing_specific or signals.missing[:3])]
    if signals.missing_specific:
        return f"Geen van de gevonden passages noemt {_listed(asked)}."
    if signals.missing:
        return f"De gevonden passages gaan niet over {_listed(asked)}."
    return REASON_NOT_ANSWERED
