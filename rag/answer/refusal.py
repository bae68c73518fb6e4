"""Do the retrieved passages hold the answer? The refusal decision, from signals and a fitted model.

A confident wrong answer is the worst thing Bronwijzer can do, so before composing an
answer the question is checked against the top passages. The signals (`REFUSAL_FEATURES`):

* **missing specifics**: names, numbers and rare words of the question that no top passage
  contains (the words naming a source, "volgens de inspectie", do not count), and key terms
  that no document uses at all. A compound counts only with its modifier, or the modifier's
  other name ("avondonderwijs" is missing from passages about "onderwijs"), where ranking lets
  a common modifier go. Notes (footnotes, references) do not count as top passages: the
  answer never quotes them, so words only a note holds are missing from it;
* **coverage**: the share of the question's key terms (weighted by rarity in Dutch,
  `wordfreq`) that occur in the top passages, and the share missing;
* **closeness**: the ranker's probability of the best passages, the top cosine, and the top
  cosine with a single sentence of them (`rag.retrieval.sentence_vectors`);
* **the best sentence**: how well the best candidate sentence scores, how much of the
  question it covers, and whether the best ones hold the kind of answer asked for (a number
  for "hoeveel", a year for "wanneer").

Two checks come on top of the model (`rag.answer.extractive`): a question for an amount of
money or a share, and a question about a year, are refused when none of the best sentences
about the question gives the amount or names the year (`refuse_without_amount`,
`refuse_without_year`).

`rag/models/refusal.json`, a logistic regression fitted on the tune questions with its
threshold (`python -m evals.fit refusal`), combines them; no threshold here is set by hand.

Whether a term occurs in the passages is `rag.text.terms`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.linear import LinearModel, bundled
from rag.text.analysis import PARTICLE_WORDS, PREPOSITIONS, YEAR, listed
from rag.text.notes import explanations
from rag.text.question import states_claim
from rag.text.terms import QuestionTerm, TermIndex, question_terms, term_weight, zipf
from rag.types import Passage, Turn, previous_question

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rag.text.question import QuestionInfo

#: What Bronwijzer says when the documents do not hold the answer.
REFUSAL_TEXT = "Dat staat niet in de documenten die ik ken."

#: The signals of the refusal model, in its order (see `refusal_signals`).
REFUSAL_FEATURES = (
    "top_passage", "top3_passages", "top_dense", "coverage", "missing_specific", "missing_share",
    "best_sentence", "best_overlap", "type_found", "specific_in_best", "unknown", "terms", "top_sentence_dense",
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
    #: Answered, but the model doubts it: the answer carries `CAUTION_TEXT`.
    uncertain: bool = False


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
    # Notes (footnotes, references) are never quoted, but for the footnotes that explain
    # (`rag.text.notes.explanation`): words only a note holds otherwise answer nothing.
    ranked = sorted(passages, key=lambda p: p.rank)[:top_n]
    # A passage's quotable text: a note's only its explanations (none: it answers nothing).
    quotable = [(p, p.text if p.chunk.kind != "note" else " ".join(e.text for e in explanations(p.text))) for p in ranked]
    top = [p for p, text in quotable if text]
    index = TermIndex(text for _, text in quotable if text)
    # "Klopt het dat het tekort 20.000 fte is?": the claim's figures need not be in the passages,
    # whose own figures may correct them.
    terms = [t for t in analysis.topic_terms if not claimed_figure(analysis.text, t)]
    previous = previous_question(history)
    own = {t.stem for t in terms}
    borrowed = [t for t in question_terms(previous) if t.stem not in own] if previous else []
    present = [index.contains(t, common_modifier=False) for t in terms]
    present_borrowed = [index.contains(t) for t in borrowed]
    total = sum(term_weight(t) for t in terms + borrowed)
    covered = sum(term_weight(t) for t, ok in zip(terms + borrowed, present + present_borrowed) if ok)
    missing = [t for t, ok in zip(terms, present) if not ok]
    specific = [
        t.word
        for t in missing
        if (t.is_name and (t.is_letter_name or not index.names_part_of(t)))
        or (t.is_number and t.word not in analysis.source_years)
        or (not t.is_name and not t.is_number and zipf(t.word) < RARE_ZIPF)
    ]
    scores = [float(p.score) for p in top]
    dense = [p.dense_score for p in top if p.dense_score is not None]
    sentences = [p.sentence_score for p in top if p.sentence_score is not None]
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
        # The question's best cosine with one sentence of the top passages (the chunk's own when
        # there are no sentence vectors).
        "top_sentence_dense": max(sentences) if sentences else (max(dense) if dense else 0.0),
    }
    return RefusalSignals(values, tuple(t.word for t in missing), tuple(specific), {t.word: t.asked or t.word for t in terms})


class RefusalModel:
    """Refuses when the fitted model (`rag/models/refusal.json`, `python -m evals.fit
    refusal`) puts the chance that the passages do not hold the answer above its threshold.

    The threshold is chosen on the tune questions: as many unanswerable questions refused as
    possible while at most a few percent of the answerable ones are. Below it, a second
    threshold (`caution`, also chosen on tune) marks an answer as uncertain: it is given, with
    `CAUTION_TEXT`, instead of in the confident tone of a sure one.
    """

    def __init__(self, model: LinearModel | None = None, threshold: float | None = None, caution: float | None = None) -> None:
        self.model = model if model is not None else bundled("refusal")
        chosen = threshold if threshold is not None else self.model.threshold
        self.threshold = 0.5 if chosen is None else chosen
        if caution is None and threshold is None:
            caution = self.model.provenance.get("caution")  # fitted with the model's threshold
        #: Answers whose probability of "not in the passages" is at least this are uncertain
        #: (None: no answer is marked).
        self.caution: float | None = None if caution is None else float(caution)

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
            uncertain = self.caution is not None and p >= self.caution
            return RefusalDecision(False, None, signals, p, uncertain=uncertain)
        if _held_by_one_sentence(signals):
            # The passages hold the answer by every sign the model reads but the scores (short
            # questions score low): given, with the caution, rather than refused.
            log.info("Answered with a caution at p=%.3f: one sentence holds every key term and the kind of answer asked", p)
            return RefusalDecision(False, None, signals, p, uncertain=True)
        # The details are for whoever tunes the model; the user reads `_reason`.
        log.info(
            "Refused: p=%.3f >= threshold %.3f; missing %s (specific %s); signals %s",
            p, self.threshold, list(signals.missing), list(signals.missing_specific),
            {k: round(v, 3) for k, v in signals.values.items()},
        )
        return RefusalDecision(True, _reason(signals), signals, p)

    def refuse_empty(self) -> RefusalDecision:
        return _refused_outright(REASON_NO_PASSAGES, "no passages retrieved")

    def refuse_without_subject(self) -> RefusalDecision:
        """A question whose only key terms are numbers ("Wat is 2+2?") names nothing the
        documents are about; any passage with the number would look like an answer."""
        return _refused_outright(REASON_NO_SUBJECT, "the question's only key terms are numbers")

    def refuse_without_amount(self, kind: str, signals: RefusalSignals) -> RefusalDecision:
        """A question that asks an amount of money or a share whose passages, where they are
        about the question, give none: whatever they say, it is not the amount asked."""
        return _refused_outright(REASON_NO_AMOUNT.format(kind=kind), f"asked for {kind}, none in the sentences about the question", signals)

    def refuse_without_year(self, year: str, signals: RefusalSignals) -> RefusalDecision:
        """A question about a year that none of the sentences about the question names."""
        return _refused_outright(REASON_NO_YEAR.format(year=year), f"asked about {year}, no sentence about the question names it", signals)


def claimed_figure(question: str, term: QuestionTerm) -> bool:
    """Whether `term` is a figure of the claim `question` states (`states_claim`), years aside."""
    return term.is_number and not YEAR.fullmatch(term.word) and states_claim(question)


def _held_by_one_sentence(signals: RefusalSignals) -> bool:
    """Whether the best sentence holds every key term of the question, none is missing from the
    passages, and one of the best sentences has the kind of answer asked (a share, a year, ...)."""
    v = signals.values
    return v["missing_share"] == 0 and v["best_overlap"] >= 1.0 - 1e-9 and v["type_found"] == 1.0


def _refused_outright(reason: str, why: str, signals: RefusalSignals | None = None) -> RefusalDecision:
    """A refusal decided by a check rather than by the model (with the signals when they were
    computed)."""
    log.info("Refused: %s", why)
    if signals is None:
        signals = RefusalSignals({f: 0.0 for f in REFUSAL_FEATURES}, (), ())
    return RefusalDecision(True, reason, signals, 1.0)


#: What an uncertain answer says above it ("Let op:" in the chat and in Slack).
CAUTION_TEXT = (
    "Dit antwoord is onzeker: de gevonden passages noemen mogelijk niet precies wat u vraagt. "
    "Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer whose sentences are about other years than the one asked.
NOTE_OTHER_YEAR = (
    "U vraagt naar {asked}, maar dit antwoord noemt alleen {named}: voor {asked} geven de gevonden "
    "passages dit niet. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer whose sentences are about other sectors than the one asked.
NOTE_OTHER_SECTOR = (
    "U vraagt naar {asked}, maar dit antwoord gaat over {named}: voor {asked} geven de gevonden "
    "passages dit niet. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer that names the asked place only as one of a group with one figure.
NOTE_GROUP = (
    "U vraagt naar {asked}, maar dit antwoord noemt {asked} alleen samen met {others}: het cijfer geldt "
    "voor die groep, niet voor {asked} alleen. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer about other countries, to a question that asks about none.
NOTE_ABROAD = "Dit antwoord gaat over {named}, niet over Nederland. Lees de bron na voordat u het gebruikt."

#: The caution above an answer to "Welk percentage van de vijvers ...?" that gives shares of other wholes.
NOTE_NO_SHARE_OF = (
    "U vraagt naar een aandeel van de {whole}, maar dit antwoord noemt geen aandeel van de {whole}. "
    "Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Welk percentage van de vijvers is vergund?" that names no vergunning.
NOTE_SHARE_NOT_NAMED = (
    "U vraagt naar een aandeel van de {whole}, maar dit antwoord noemt {named} niet. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Hoe lang duurt ...?" that gives no span of time (or to another
#: how-much or when question that gives no figure of the kind asked).
NOTE_TYPE_NOT_GIVEN = "U vraagt naar {kind}, maar dit antwoord noemt er geen. Lees de bron na voordat u het gebruikt."

#: The caution above an answer to "Hoeveel basisscholen zijn er?" that gives only shares of them.
NOTE_NO_TOTAL = "U vraagt hoeveel {noun} er zijn, maar dit antwoord noemt geen aantal {noun}. Lees de bron na voordat u het gebruikt."
#: The caution above an answer to "Wie is de voorzitter van ...?" that names no one.
NOTE_NO_PERSON = "U vraagt wie {role} is, maar dit antwoord noemt niemand bij naam. Lees de bron na voordat u het gebruikt."
NOTE_NO_PERSON_WHICH = "U vraagt welke {role} het is, maar dit antwoord noemt niemand bij naam. Lees de bron na voordat u het gebruikt."

#: The caution above an answer to a question about a place ("Hoeveel scholen in Vlinderstad ...?")
#: that does not name it.
NOTE_PLACE_NOT_NAMED = (
    "U vraagt naar {place}, maar dit antwoord noemt {place} niet: wat het zegt, geldt niet in het bijzonder "
    "voor {place}. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Wat is de gemiddelde leeftijd van ...?" that names no leeftijd.
NOTE_NOT_NAMED = (
    "U vraagt naar {asked}, maar dit antwoord noemt geen {named}. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Wat is een kroosdek?" none of whose sentences says what it is
#: (`verb`: "zijn" for "Wat zijn kroosdekken?").
NOTE_NO_DEFINITION = (
    "U vraagt wat {subject} {verb}, maar de gevonden passages zeggen dat niet; wel staat er dit over {subject}. "
    "Lees de bron na voordat u het gebruikt."
)
#: The same caution where the answer does not even name it (`named`: its first word, as asked).
NOTE_NO_DEFINITION_UNNAMED = (
    "U vraagt wat {subject} {verb}, maar de gevonden passages zeggen dat niet, en dit antwoord noemt geen {named}. "
    "Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Wat is het verschil tussen A en B?" no sentence of which
#: names both.
NOTE_NO_CONTRAST = (
    "U vraagt naar het verschil tussen {a} en {b}, maar geen zin van dit antwoord noemt die twee samen. "
    "Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Welke ... het grootst?" that gives one figure for a group.
NOTE_GROUP_ONLY = (
    "U vraagt welke het {superlative} is, maar dit antwoord geeft alleen één cijfer voor een hele groep, "
    "niet voor elk afzonderlijk. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer that opens with another country and names the Netherlands nowhere.
NOTE_ABROAD_LEAD = (
    "De eerste zin van dit antwoord gaat over {named}, niet over Nederland. Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer that counts per something else than asked ("per maand" for "per jaar").
NOTE_OTHER_RATE = (
    "U vraagt naar een cijfer {asked}, maar dit antwoord noemt alleen cijfers {named}. "
    "Lees de bron na voordat u het gebruikt."
)

#: The caution above an answer to "Wat kost het per leerling?" whose amounts are per nothing: totals.
NOTE_NO_RATE = (
    "U vraagt naar een bedrag {asked}, maar dit antwoord noemt geen bedrag {asked}. "
    "Lees de bron na voordat u het gebruikt."
)

#: Why a question was refused, as a school leader reads it under "Waarom niet?".
REASON_NO_PASSAGES = "Er zijn geen passages gevonden die bij uw vraag passen."
REASON_NOT_ANSWERED = "De gevonden passages geven geen antwoord op deze vraag."
REASON_NO_YEAR = "De gevonden passages over dit onderwerp noemen {year} niet."
REASON_NO_AMOUNT = "U vraagt naar {kind}, maar de gevonden passages over dit onderwerp noemen er geen."
REASON_NO_SUBJECT = "Uw vraag noemt alleen getallen, geen onderwerp waarover de documenten iets zeggen."


#: A missing word at least this common in Dutch ("krijgen", "gebruiken") says nothing of what the
#: passages lack: the reason does not name it.
_SAYS_NOTHING_ZIPF = 5.0


def _reason(signals: RefusalSignals) -> str:
    """Why, in plain Dutch and in the user's own words, for the note under a refusal."""
    # The rarest missing words say best what the passages lack ("leesmethode", not "gebruiken");
    # a preposition ("per"), a verb's particle on its own ("mee" of "doen ... mee") or a word as
    # common as "krijgen" is never what they are not about.
    missing = [w for w in signals.missing if w not in PREPOSITIONS and w not in PARTICLE_WORDS and zipf(w) < _SAYS_NOTHING_ZIPF]
    rarest = set(sorted(missing, key=zipf)[:3])
    asked = [signals.asked.get(w, w) for w in (signals.missing_specific or [w for w in missing if w in rarest])]
    if signals.missing_specific:
        return f"Geen van de gevonden passages noemt {listed(asked)}."
    if missing:
        return f"De gevonden passages gaan niet over {listed(asked)}."
    return REASON_NOT_ANSWERED
