"""Check that a generated answer says only what its cited passages say.

A language model's answer is split into sentences; each sentence must carry `[n]` markers
that point at real passages, every number in it must occur in the cited passage(s), and
most of its content words (stems, via `rag.text.analysis`) must occur there too. A sentence
without a marker that still states something counts as unsupported. Pure functions, no
model: the check runs in well under a millisecond per answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag.text.analysis import QUESTION_WORDS, STOPWORDS, fold, numbers, stem, words
from rag.text.sentences import split_line, without_marker
from rag.types import Answer, AnswerNote, Passage, StreamItem

#: Share of a sentence's content stems that must occur in its cited passage(s).
MIN_OVERLAP = 0.6
#: Stems at least this long also match a passage stem sharing all but their last two
#: letters (`rijksbijdrag` ~ `rijksbijdraag`: Snowball stems some plurals differently).
PREFIX_MATCH_LENGTH = 7
#: A cited sentence needs at least this many content stems and numbers to be checkable.
MIN_CLAIM_TERMS = 2
#: An uncited sentence with a number or at least this many content stems states a fact.
UNCITED_CLAIM_TERMS = 3

# `[1]`, `[1, 2]`, `[1; 3]`, `[2-4]`.
MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]")
# Marker groups at the start of a piece of text, the last one possibly still being written
# ("[1] [2", "[1, "): they belong to the sentence before.
_LEADING_MARKERS = re.compile(r"(?:\s*\[[\d\s,;–-]*(?:\]|$))+")
_HEADING_MARKUP = re.compile(r"^\s*#+\s*|\*\*|__")
# Words that glue an answer together without claiming anything ("volgens de bron ...").
_GLUE_WORDS = QUESTION_WORDS | frozenset(
    "bron bronnen passage passages antwoord genoemd vermeld aangegeven beschreven "
    "stelt noemt beschrijft vermeldt geeft blijkt daarnaast bovendien samengevat kortom".split()
)
# Text addressed to the model rather than to a reader: a document that carries it is
# attacking the prompt, and an answer that repeats it must not pass as "supported".
_INSTRUCTION = re.compile(
    r"\b(?:negeer|vergeet|ignore|disregard|forget)\b.{0,60}?\b(?:instructies?|opdrachten|opdracht|"
    r"regels|prompt|instructions?|rules)\b|systeemprompt|system prompt|\bje bent nu\b|\byou are now\b",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class SentenceVerdict:
    """What the check decided about one sentence of the answer.

    `claim` is the sentence without its markers. `is_claim` is False for sentences that
    state nothing checkable (a short lead-in without a marker); those never fail the check.
    `overlap` is the share of the claim's content stems found in the cited passages.
    """

    text: str
    claim: str
    markers: tuple[int, ...]
    supported: bool
    is_claim: bool
    reasons: tuple[str, ...] = ()
    overlap: float = 0.0
    missing_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitationReport:
    """Per-sentence verdicts and the overall decision: `ok` means the answer may be shown."""

    sentences: tuple[SentenceVerdict, ...]
    ok: bool
    reasons: tuple[str, ...]

    @property
    def cited_markers(self) -> tuple[int, ...]:
        """Valid markers in order of first use."""
        seen: dict[int, None] = {}
        for verdict in self.sentences:
            for marker in verdict.markers:
                seen.setdefault(marker, None)
        return tuple(seen)


def parse_markers(text: str) -> list[int]:
    """The passage numbers of all `[n]` markers in `text`, in order (ranges expanded)."""
    found: list[int] = []
    for match in MARKER.finditer(text):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            bounds = re.split(r"\s*[-–]\s*", part)
            if len(bounds) == 2:
                low, high = int(bounds[0]), int(bounds[1])
                # A range like [2-4]; anything wider is not a citation we can trust.
                found.extend(range(low, high + 1) if 0 <= high - low <= 10 else (low, high))
            else:
                found.append(int(bounds[0]))
    return found


def strip_markers(text: str) -> str:
    """`text` without `[n]` markers and the spaces they leave behind."""
    without = MARKER.sub("", text)
    without = re.sub(r"[ \t]+([.,;:!?])", r"\1", without)
    return re.sub(r"[ \t]{2,}", " ", without).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of a generated answer, markers kept with their sentence.

    Lines are cut by `rag.text.sentences.split_line`, the one splitter. A model writes markers
    after the full stop too ("… 2020. [1] De …"): marker groups at the start of a piece, and
    pieces (or lines) holding only markers, belong to the sentence before.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        for start, end in split_line(line):
            start, end = offset + start, offset + end
            leading = _LEADING_MARKERS.match(text, start, end)
            if spans and leading and leading.end() > start:
                spans[-1] = (spans[-1][0], leading.end())
                start = leading.end()
                while start < end and text[start].isspace():
                    start += 1
            if start < end:
                spans.append((start, end))
        offset += len(line) + 1
    return spans


def _clean(sentence: str) -> str:
    """A sentence as shown and checked: no list bullet or heading markup, one line."""
    lines = [_HEADING_MARKUP.sub("", without_marker(line)).strip() for line in sentence.split("\n")]
    return " ".join(line for line in lines if line)


def split_sentences(text: str) -> list[str]:
    """Sentences of a generated answer, each with the markers that follow it.

    List bullets, numbered-list prefixes and heading markup are dropped; a line holding
    only markers is joined to the sentence before it.
    """
    return [s for s in (_clean(text[start:end]) for start, end in sentence_spans(text)) if s]


def answer_pieces(text: str) -> list[str]:
    """`text` cut after each sentence, so that the pieces joined are `text` exactly.

    Each piece is the white space before a sentence and the sentence with its markers: what
    a stream sends so that a reader sees whole sentences, each with its `[n]`.
    """
    ends = [end for _, end in sentence_spans(text)][:-1]
    cuts = [0, *ends, len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def stream_composed(answer: Answer, *, announce: bool = True) -> Iterator[StreamItem]:
    """A composed Answer as a stream: its text sentence by sentence, then the Answer itself
    (an uncertain answer's caution first, and a refusal's reason, unless `announce` is off: the
    caller said it), so that the streamed text reads as the whole answer does."""
    if announce and (answer.uncertain or answer.refused) and answer.note:
        yield AnswerNote(answer.note)
    yield from answer_pieces(answer.text)
    yield answer


class SentenceCutter:
    """Cuts text that arrives in pieces (a model's stream) into sentences as they complete.

        cutter = SentenceCutter()
        for delta in deltas:
            for sentence in cutter.feed(delta): ...   # complete sentences, in order
        for sentence in cutter.finish(): ...          # what remains at the end

    A sentence is complete once the next one has begun with something other than markers,
    so markers written after the full stop stay with their sentence. Each sentence comes as
    `(text, new_line)`: `new_line` says whether a line break separated it from the one before.
    """

    def __init__(self) -> None:
        self._pending = ""
        self._new_line = False

    def feed(self, delta: str) -> list[tuple[str, bool]]:
        self._pending += delta
        spans = sentence_spans(self._pending)
        if len(spans) < 2:
            return []
        return self._take(spans[:-1], spans[-1][0])

    def finish(self) -> list[tuple[str, bool]]:
        spans = sentence_spans(self._pending)
        out = self._take(spans, None)
        self._pending = ""
        return out

    def _take(self, spans: list[tuple[int, int]], rest_start: int | None) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        previous_end = 0
        for start, end in spans:
            new_line = self._new_line or "\n" in self._pending[previous_end:start]
            self._new_line = False
            sentence = _clean(self._pending[start:end])
            if sentence:
                out.append((sentence, new_line))
            previous_end = end
        if rest_start is not None:
            self._new_line = "\n" in self._pending[previous_end:rest_start]
            self._pending = self._pending[rest_start:]
        return out


def claim_stems(text: str) -> set[str]:
    """Stems of the words in `text` that carry a claim: no stopwords, glue words or numbers."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and w not in _GLUE_WORDS and not w.isdigit()}


def _passage_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if not w.isdigit()}


def _found(claim: set[str], passage: set[str]) -> set[str]:
    """The claim stems that occur in the passage stems, allowing near-identical long stems."""
    found = claim & passage
    prefixes = {p[:-2] for p in passage if len(p) >= PREFIX_MATCH_LENGTH}
    for s in claim - found:
        if len(s) >= PREFIX_MATCH_LENGTH and (s[:-2] in prefixes or any(p.startswith(s[:-2]) for p in prefixes)):
            found.add(s)
    return found


def check_sentence(sentence: str, passages: Sequence[Passage], _stems_cache: dict[int, set[str]] | None = None) -> SentenceVerdict:
    """The verdict on one sentence against the passages its markers point at (1-based)."""
    claim = strip_markers(sentence)
    markers = tuple(dict.fromkeys(parse_markers(sentence)))
    stems = claim_stems(claim)
    claim_numbers = numbers(claim)
    reasons: list[str] = []

    if _INSTRUCTION.search(fold(claim)):
        reasons.append("repeats an instruction found in a document")

    if not markers:
        is_claim = bool(claim_numbers) or len(stems) >= UNCITED_CLAIM_TERMS
        if is_claim:
            reasons.append("states something without citing a passage")
        return SentenceVerdict(sentence, claim, (), not reasons, is_claim or bool(reasons), tuple(reasons))

    invalid = [m for m in markers if not 1 <= m <= len(passages)]
    valid = tuple(m for m in markers if 1 <= m <= len(passages))
    for marker in invalid:
        reasons.append(f"marker [{marker}] points at no passage (there are {len(passages)})")

    cache = _stems_cache if _stems_cache is not None else {}
    cited_stems: set[str] = set()
    cited_numbers: set[str] = set()
    for marker in valid:
        if marker not in cache:
            cache[marker] = _passage_stems(passages[marker - 1].text)
        cited_stems |= cache[marker]
        cited_numbers |= numbers(passages[marker - 1].text)

    missing_numbers = tuple(sorted(claim_numbers - cited_numbers))
    if valid and missing_numbers:
        reasons.append(f"number(s) {', '.join(missing_numbers)} not in the cited passage(s)")
    overlap = len(_found(stems, cited_stems)) / len(stems) if stems else 0.0
    if len(stems) + len(claim_numbers) < MIN_CLAIM_TERMS:
        reasons.append("too short to check against a passage")
    elif valid and stems and overlap < MIN_OVERLAP:
        reasons.append(f"only {overlap:.0%} of its content words occur in the cited passage(s)")
    return SentenceVerdict(sentence, claim, valid, not reasons, True, tuple(reasons), overlap, missing_numbers)


def check_citations(text: str, passages: Sequence[Passage]) -> CitationReport:
    """Check every sentence of `text` against the passages its `[n]` markers cite.

    `ok` is True only when at least one sentence cites a passage and no sentence is
    unsupported (wrong or missing number, too little overlap, marker out of range, a
    factual sentence without a marker).
    """
    cache: dict[int, set[str]] = {}
    verdicts = tuple(check_sentence(s, passages, cache) for s in split_sentences(text))
    reasons: list[str] = []
    if not verdicts:
        reasons.append("the answer is empty")
    elif not any(v.markers and v.supported for v in verdicts):
        reasons.append("no sentence is supported by a cited passage")
    for index, verdict in enumerate(verdicts, 1):
        for reason in verdict.reasons:
            reasons.append(f"sentence {index}: {reason}")
    return CitationReport(verdicts, not reasons, tuple(reasons))


__all__ = [
    "CitationReport",
    "SentenceCutter",
    "answer_pieces",
    "SentenceVerdict",
    "check_citations",
    "check_sentence",
    "parse_markers",
    "sentence_spans",
    "split_sentences",
    "stream_composed",
    "strip_markers",
]
