"""The extractive answer: the passages' own sentences that best answer the question.

No model writes anything: sentences are copied verbatim (numbers, dates and names stay
exactly as the documents have them), each followed by an `[n]` marker for the passage it
came from. The answer leads with the sentence that answers the question best, adds up
to three more that are on the question and not near-duplicates, and stays short.

A sentence's score (`score_sentence`) combines

* key-term overlap with the question, each term weighted by its rarity among the
  passages' sentences (IDF), so "ziekteverzuim" counts more than "onderwijs";
* numbers, when the question asks for one (hoeveel, hoe groot, welk percentage), dates
  and years, when it asks when (wanneer, sinds wanneer, in welk jaar), regions when it
  asks where;
* the passage's rank, and a small bonus for sentences that define or conclude;
* penalties for what rarely answers: questions, fragments, over-long sentences.

Before composing, `RefusalPolicy` decides whether the passages hold the answer at all.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rag.analysis import QUESTION_WORDS, STOPWORDS, fold, numbers, stem
from rag.engine import REFUSAL_TEXT
from rag.refusal import QuestionTerm, RefusalPolicy, analyse, question_terms
from rag.sentences import Sentence, split_sentences
from rag.settings import Settings
from rag.types import Answer, Citation, Passage, Turn

Intent = Literal["number", "date", "place", "list", "explain", "define", "other"]

MAX_SENTENCES = 4
MAX_CHARS = 550
MAX_CHARS_LIST = 900
#: A further sentence must score at least this share of the best one.
FOLLOWER_SHARE = 0.55
#: Bonus for a sentence right next to one already chosen (same paragraph).
ADJACENT_BONUS = 0.12
#: ... and cover at least this share of the question's (matchable) key-term weight.
MIN_FOLLOWER_OVERLAP = 0.15
#: Sentences whose stems overlap this much (Jaccard, or containment) say the same thing.
NEAR_DUPLICATE = 0.7
MAX_ENUMERATION_ITEMS = 12
#: A sentence is at least this share as on-topic as the one before it in its paragraph
#: (more when it starts with "Dit", "Toen", "Het ging om", ...).
CONTEXT_SHARE = 0.6
CONTEXT_SHARE_ANAPHORIC = 0.85
#: ... and at least this share as on-topic as its paragraph.
PARAGRAPH_SHARE = 0.5
#: Bonus for naming a region when the question asks where ("in het westen", "in de G5").
PLACE_BONUS = 0.2
#: Bonus for a number right before what a "hoeveel" question counts ("8 besturen").
COUNTED_BONUS = 0.15
#: Bonus for a sentence with a number (or date) when the question asks for one; half of it
#: is subtracted from sentences without.
NUMBER_BONUS = 0.25

REFUSAL_POINTER = "Hieronder staan de passages die er het dichtst bij komen."

_NUMBER_QUESTION = re.compile(
    r"\b(hoeveel|hoe\s+(groot|hoog|veel|vaak|lang|klein|duur)|welk(e)?\s+(percentage|aandeel|bedrag|aantal|deel)|"
    r"hoeveelste|wat\s+(kost|bedraagt|is\s+het\s+(aantal|percentage|aandeel|bedrag)))\b"
)
_DATE_QUESTION = re.compile(r"\b(wanneer|sinds\s+wanneer|vanaf\s+wanneer|tot\s+wanneer|in\s+welk\s+jaar|welke\s+datum|hoe\s+oud)\b")
_LIST_QUESTION = re.compile(
    r"^(welke|wat\s+zijn|noem|geef)\b|\b(welke\s+\w+\s+(noem|noemt|noemen|stelt|stellen|zijn|worden|bestaan))\b"
)
_PLACE_QUESTION = re.compile(r"^(waar|in\s+welke\s+(regio|regio's|provincie|gemeente|stad|steden|plaats|delen))\b")
# Where something is: compass regions, the Randstad, big-city groups, provinces, municipalities.
_PLACE = re.compile(
    r"\b(westen|oosten|noorden|zuiden|randstad|regio\w*|provincie\w*|gemeente\w*|g4|g5|grote steden|stedelijk\w*|"
    r"platteland|krimp\w*|wijk\w*)\b"
)
_EXPLAIN_QUESTION = re.compile(r"\b(waarom|hoe\s+kan\s+het|hoe\s+komt\s+het|waardoor|wat\s+is\s+de\s+reden|hoe\s+verklaar)")
_DEFINE_QUESTION = re.compile(r"^(wat\s+(is|zijn|houdt|betekent|verstaat|bedoelt)|wat\s+is\s+het\s+verschil)\b")
_YEAR_OR_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)\b",
    re.IGNORECASE,
)
# "(Inspectie van het Onderwijs, 2024k)", "(Daas et al., 2023; Schulz et al., 2023)": a
# reference is neither a figure nor a topic word of the sentence.
_REFERENCE = re.compile(r"\([^()]*\b(?:19|20)\d\d[a-z]?\)")
_FIGURE_LABEL = re.compile(r"\b(?:figuur|tabel|grafiek)\s*\d[\w.]*", re.IGNORECASE)
# What "hoeveel" counts: "hoeveel (meer) voorscholen" -> voorscholen.
_COUNTED = re.compile(r"\b(?:hoeveel|aantal)\s+(?:meer\s+|minder\s+)?([^\W\d_][\w-]*)")
_NUMBER_TOKEN = re.compile(r"\d")
_PERCENT_WORDS = frozenset({"procent", "percentage", "aandeel"})
_DEFINES = re.compile(r"\b(is een|zijn de|betekent|houdt in|verstaan we|wordt verstaan|bedoelen we|wordt gedefinieerd)\b")
_CONCLUDES = re.compile(r"\b(kortom|concluder\w*|conclusie|samenvattend|dus|daardoor|waardoor|omdat|doordat|oorzaak|reden)\b")
# A sentence that leans on the one before it reads badly on its own.
_ANAPHORIC_START = re.compile(r"^(dit|deze|dat|die|toen|daarnaast|daarbij|hierdoor|daardoor|ook|zij|ze|het ging)\b", re.IGNORECASE)


def question_intent(question: str) -> Intent:
    q = fold(question).strip()
    if _NUMBER_QUESTION.search(q):
        return "number"
    if _DATE_QUESTION.search(q):
        return "date"
    if _PLACE_QUESTION.search(q):
        return "place"
    if _EXPLAIN_QUESTION.search(q):
        return "explain"
    if _DEFINE_QUESTION.search(q) and not _LIST_QUESTION.search(q):
        return "define"
    if _LIST_QUESTION.search(q):
        return "list"
    return "other"


@dataclass(frozen=True)
class Unit:
    """A candidate piece of answer: one sentence, or a list with its lead-in sentence."""

    passage_index: int  # index into the passages, in rank order
    parts: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        text = self.parts[0].text
        for before, part in zip(self.parts, self.parts[1:]):
            text += (" " if part.line == before.line else "\n") + part.text
        return text

    @property
    def is_enumeration(self) -> bool:
        return len(self.parts) > 1

    @property
    def position(self) -> int:
        return self.parts[0].start


@dataclass(frozen=True)
class ScoredUnit:
    unit: Unit
    score: float
    overlap: float  # share of the matchable key-term weight it covers
    stems: frozenset[str]


@lru_cache(maxsize=2048)
def _split_cached(text: str) -> tuple[Sentence, ...]:
    return tuple(split_sentences(text))


def _units(passage_index: int, text: str) -> list[Unit]:
    """Prose sentences and list items as single units, plus lead-in + items as one enumeration."""
    sentences = _split_cached(text)
    units = [Unit(passage_index, (s,)) for s in sentences if s.kind != "heading"]
    i = 0
    while i < len(sentences):
        lead = sentences[i]
        items = []
        j = i + 1
        while j < len(sentences) and sentences[j].kind == "bullet" and len({x.line for x in items}) < MAX_ENUMERATION_ITEMS:
            items.append(sentences[j])
            j += 1
        items_lines = {item.line for item in items}
        if len(items_lines) >= 2 and lead.kind == "prose" and lead.ends_with_colon:
            units.append(Unit(passage_index, (lead, *items)))
        elif len(items_lines - {lead.line}) >= 2 and lead.kind == "bullet" and i == 0:
            units.append(Unit(passage_index, (lead, *items)))
        i = max(j, i + 1)
    return units


class _TermMatcher:
    """Does a unit contain a question term? Stem match, or the term inside a longer word."""

    def __init__(self, terms: Sequence[QuestionTerm]) -> None:
        self.terms = list(terms)

    def matches(self, stems: frozenset[str], folded: str) -> list[float]:
        found = []
        for t in self.terms:
            if t.stem in stems:
                found.append(1.0)
            elif not t.is_number and len(t.stem) >= 5 and (t.stem in folded):
                found.append(0.8)
            else:
                found.append(0.0)
        return found


def _idf(terms: Sequence[QuestionTerm], matched: Sequence[Sequence[float]]) -> list[float]:
    n = len(matched)
    weights = []
    for j, _ in enumerate(terms):
        df = sum(1 for row in matched if row[j] > 0)
        weights.append(math.log(1 + (n + 1) / (df + 0.5)) if df else 0.0)
    return weights


def substance(text: str) -> str:
    """The sentence without references and figure labels, for matching terms and numbers."""
    return _FIGURE_LABEL.sub(" ", _REFERENCE.sub(" ", text))


def counted_noun(question: str) -> str | None:
    """What a "hoeveel" question counts ("hoeveel vo-leerlingen" -> "leerlingen"), or "%"."""
    match = _COUNTED.search(fold(question))
    if not match:
        return None
    word = match.group(1).split("-")[-1]
    if word in _PERCENT_WORDS:
        return "%"
    if word in QUESTION_WORDS or word in STOPWORDS or len(word) < 4:
        return None
    return word


def counts_noun(text: str, noun: str) -> bool:
    """Whether `text` has a number right before `noun` ("8 besturen", "60% van de leraren")."""
    if noun == "%":
        return bool(re.search(r"\d\s?%|\d+\s+procent", text))
    tokens = fold(text).split()
    noun_stem = stem(noun)
    for i, token in enumerate(tokens):
        if not _NUMBER_TOKEN.search(token):
            continue
        for follower in tokens[i + 1 : i + 5]:
            w = follower.strip(".,;:()’'\"")
            if len(w) >= 4 and (stem(w) == noun_stem or noun.endswith(w) or w.endswith(noun)):
                return True
    return False


def _word_count(text: str) -> int:
    return len(text.split())


class ExtractiveComposer:
    """Composes a short answer from the passages' own sentences, each with an `[n]` marker."""

    def __init__(self, settings: Settings | None = None, refusal: RefusalPolicy | None = None) -> None:
        self.settings = settings
        self.refusal = refusal or RefusalPolicy()

    def warm_up(self) -> None:
        self.refusal.warm_up()

    def compose(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer:
        started = time.perf_counter()
        ranked = tuple(sorted(passages, key=lambda p: p.rank))
        decision = self.refusal.decide(question, ranked, history)
        if decision.refuse:
            return self._refusal(question, ranked, decision.reason, started)
        chosen = self.choose(question, ranked, history)
        if not chosen:
            return self._refusal(question, ranked, "geen zin in de passages gaat over de vraag", started)
        return self._answer(question, ranked, chosen, started)

    # -- choosing sentences -------------------------------------------------------------

    def score_units(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> list[ScoredUnit]:
        """Every candidate unit of the passages with its score, best first."""
        terms = question_terms(question)
        weights_scale = [1.0] * len(terms)
        # A follow-up ("En in het vo?") borrows the previous question's terms at half weight.
        previous = next((t.content for t in reversed(history) if t.role == "user"), None)
        if previous:
            own = {t.stem for t in terms}
            borrowed = [t for t in question_terms(previous) if t.stem not in own]
            terms += borrowed
            weights_scale += [0.5] * len(borrowed)
        intent = question_intent(question)
        question_numbers = numbers(question)
        matcher = _TermMatcher(terms)

        units = [u for i, p in enumerate(passages) for u in _units(i, p.text)]
        if not units:
            return []
        texts = [substance(u.text) for u in units]
        analysed = [analyse(t) for t in texts]
        stems = [a.stems for a in analysed]
        matched = [matcher.matches(a.stems, a.folded) for a in analysed]
        noun = counted_noun(question) if intent == "number" else None
        idf = [w * scale for w, scale in zip(_idf(terms, matched), weights_scale)]
        total = sum(idf) or 1.0
        count = len(passages)

        overlaps = [sum(w * m for w, m in zip(idf, row)) / total for row in matched]
        # A paragraph about the question's subject ("Het Ierse DEIS-programma ...") lends its
        # topic to all its sentences ("Ongeveer 1.200 scholen ... zijn in het programma opgenomen").
        paragraph_rows: dict[tuple[int, int], list[float]] = {}
        for unit, row in zip(units, matched):
            key = (unit.passage_index, unit.parts[0].line)
            paragraph_rows[key] = [max(a, b) for a, b in zip(paragraph_rows.get(key, row), row)]
        paragraph = {key: sum(w * m for w, m in zip(idf, row)) / total for key, row in paragraph_rows.items()}
        scored = []
        for n, (unit, unit_stems) in enumerate(zip(units, stems)):
            topic = PARAGRAPH_SHARE * paragraph[(unit.passage_index, unit.parts[0].line)] if not unit.is_enumeration else 0.0
            overlap = max(overlaps[n], self._context_overlap(units, overlaps, n), topic)
            score = overlap + self._bonus(unit, texts[n], intent, question_numbers, count)
            if noun and counts_noun(texts[n], noun):
                score += COUNTED_BONUS
            scored.append(ScoredUnit(unit, score, overlap, unit_stems))
        scored.sort(key=lambda s: (-s.score, s.unit.passage_index, s.unit.position))
        return scored

    @staticmethod
    def _context_overlap(units: Sequence[Unit], overlaps: Sequence[float], n: int) -> float:
        """The overlap of the sentence before, in the same paragraph: a sentence that continues
        an on-topic one ("Het ging om 3 besturen in het po, ...") is on topic too."""
        unit = units[n]
        if n == 0 or unit.is_enumeration:
            return 0.0
        before = units[n - 1]
        if before.passage_index != unit.passage_index or before.is_enumeration or before.parts[-1].line != unit.parts[0].line:
            return 0.0
        share = CONTEXT_SHARE_ANAPHORIC if _ANAPHORIC_START.match(unit.parts[0].text) else CONTEXT_SHARE
        return share * overlaps[n - 1]

    def _bonus(self, unit: Unit, text: str, intent: Intent, question_numbers: set[str], count: int) -> float:
        lead = unit.parts[0].text
        bonus = 0.12 * (1 - unit.passage_index / max(count, 1))
        new_numbers = numbers(text) - question_numbers
        if intent == "number":
            bonus += NUMBER_BONUS if new_numbers else -NUMBER_BONUS / 2
        elif intent == "date":
            bonus += NUMBER_BONUS if (_YEAR_OR_DATE.search(text) and new_numbers) else -NUMBER_BONUS / 2
        elif new_numbers:
            bonus += 0.04  # figures make an answer concrete
        if intent == "place" and _PLACE.search(fold(text)):
            bonus += PLACE_BONUS
        if intent == "list" and unit.is_enumeration:
            bonus += 0.2
        if intent == "define" and _DEFINES.search(lead):
            bonus += 0.08
        if intent == "explain" and _CONCLUDES.search(lead):
            bonus += 0.08
        elif _DEFINES.search(lead) or _CONCLUDES.search(lead):
            bonus += 0.03
        words = _word_count(text)
        if lead.rstrip().endswith("?"):
            bonus -= 0.3
        if words < 5:
            bonus -= 0.15
        if not unit.is_enumeration and words > 60:
            bonus -= 0.1 * min(2.0, (words - 60) / 30)
        if unit.is_enumeration and intent != "list" and intent != "number":
            bonus -= 0.1
        if lead[:1] in "“\"‘'":
            bonus -= 0.05  # quoted speech: someone's view, not the document's finding
        return bonus

    def choose(self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> list[ScoredUnit]:
        """The units of the answer, in answer order: the best first, the rest by passage and position."""
        scored = self.score_units(question, passages, history)
        if not scored or scored[0].overlap <= 0:
            return []
        best = scored[0]
        budget = MAX_CHARS_LIST if question_intent(question) == "list" else MAX_CHARS
        chosen = [best]
        used_chars = len(best.unit.text)
        used_parts = {(best.unit.passage_index, p.start) for p in best.unit.parts}
        candidates = [c for c in scored[1:] if c.score >= FOLLOWER_SHARE * best.score and c.overlap >= MIN_FOLLOWER_OVERLAP]
        while candidates and len(chosen) < MAX_SENTENCES:
            # Continuing a chosen sentence's paragraph reads better than jumping elsewhere.
            def gain(c: ScoredUnit) -> float:
                return c.score + (ADJACENT_BONUS if any(_adjacent(c.unit, x.unit) for x in chosen) else 0.0)

            candidate = max(candidates, key=gain)
            candidates.remove(candidate)
            parts = {(candidate.unit.passage_index, p.start) for p in candidate.unit.parts}
            if parts & used_parts or used_chars + len(candidate.unit.text) > budget:
                continue
            if any(_near_duplicate(candidate.stems, c.stems) for c in chosen):
                continue
            chosen.append(candidate)
            used_chars += len(candidate.unit.text)
            used_parts |= parts
        rest = sorted(chosen[1:], key=lambda c: (c.unit.passage_index != best.unit.passage_index, c.unit.passage_index, c.unit.position))
        if rest and _ANAPHORIC_START.match(best.unit.parts[0].text) and _directly_before(rest[0].unit, best.unit):
            return [rest[0], best, *rest[1:]]  # "Dit bleek ook uit ..." needs what it points back to
        return [best, *rest]

    # -- building the Answer ------------------------------------------------------------

    def _answer(self, question: str, passages: tuple[Passage, ...], chosen: list[ScoredUnit], started: float) -> Answer:
        markers: dict[int, int] = {}
        used: dict[int, list[str]] = {}
        pieces = []
        for item in chosen:
            index = item.unit.passage_index
            marker = markers.setdefault(index, len(markers) + 1)
            used.setdefault(index, []).extend(p.text for p in item.unit.parts)
            pieces.append((item.unit.is_enumeration, f"{item.unit.text} [{marker}]"))
        text = ""
        for n, (is_enumeration, piece) in enumerate(pieces):
            if n:
                text += "\n" if is_enumeration or pieces[n - 1][0] else " "
            text += piece
        citations = tuple(
            Citation(marker, passages[index], tuple(used[index])) for index, marker in sorted(markers.items(), key=lambda kv: kv[1])
        )
        return Answer(
            question=question,
            text=text,
            citations=citations,
            passages=passages,
            mode="extractive",
            timings_ms={"compose": (time.perf_counter() - started) * 1000},
        )

    def _refusal(self, question: str, passages: tuple[Passage, ...], reason: str | None, started: float) -> Answer:
        text = f"{REFUSAL_TEXT} {REFUSAL_POINTER}" if passages else REFUSAL_TEXT
        return Answer(
            question=question,
            text=text,
            citations=(),
            passages=passages,
            refused=True,
            mode="extractive",
            timings_ms={"compose": (time.perf_counter() - started) * 1000},
            note=reason,
        )


def _directly_before(a: Unit, b: Unit) -> bool:
    return (
        a.passage_index == b.passage_index
        and a.parts[-1].line == b.parts[0].line
        and a.parts[-1].number + 1 == b.parts[0].number
        and not a.is_enumeration
    )


def _adjacent(a: Unit, b: Unit) -> bool:
    return _directly_before(a, b) or _directly_before(b, a)


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a | b) >= NEAR_DUPLICATE or shared / min(len(a), len(b)) >= 0.9


def compose_extractive_answer(question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Answer:
    """One-off convenience: an extractive answer with the default refusal policy."""
    return ExtractiveComposer().compose(question, passages, history)
