"""The figures of an evaluation: per question, then averaged over a group of questions.

Every figure is defined in `FIGURE_DEFINITIONS` (Dutch, printed in the report) and computed
by a small function here, so the definition and the code sit side by side. Averages are
per question (macro): every question weighs the same, whatever its number of quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from evals.clients import EvalAnswer
from evals.matching import GoldQuotes
from evals.question_set import Question
from rag.text.analysis import POINTER_WORD, STOPWORDS, numbers, stem, too_short, words
from rag.text.sentences import continues_sentence, split_sentences

NDCG_CUTOFF = 10
_MARKER = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


# --- retrieval --------------------------------------------------------------------------


def recall_at_k(coverage: Sequence[frozenset[int]], n_quotes: int, k: int) -> float:
    """Share of the gold quotes covered by at least one of the first k passages."""
    if n_quotes <= 0:
        raise ValueError(f"n_quotes must be greater than 0, got {n_quotes}")
    covered = set().union(*coverage[:k]) if coverage[:k] else set()
    return len(covered) / n_quotes


def first_relevant_rank(coverage: Sequence[frozenset[int]]) -> int | None:
    """1-based rank of the first passage that covers a gold quote, None when none does."""
    return next((rank for rank, covered in enumerate(coverage, start=1) if covered), None)


def reciprocal_rank(coverage: Sequence[frozenset[int]]) -> float:
    rank = first_relevant_rank(coverage)
    return 1 / rank if rank else 0.0


def ndcg(coverage: Sequence[frozenset[int]], n_quotes: int, cutoff: int = NDCG_CUTOFF) -> float:
    """nDCG over quotes: each gold quote gains 1/log2(1 + rank of the first passage covering it).

    The ideal puts one quote per rank at ranks 1..n (capped at the cutoff); a passage covering
    several quotes can beat that ideal, so the result is capped at 1.
    """
    if n_quotes <= 0:
        raise ValueError(f"n_quotes must be greater than 0, got {n_quotes}")
    seen: set[int] = set()
    dcg = 0.0
    for rank, covered in enumerate(coverage[:cutoff], start=1):
        new = covered - seen
        dcg += len(new) / math.log2(rank + 1)
        seen |= new
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(n_quotes, cutoff) + 1))
    return min(1.0, dcg / ideal)


# --- citations --------------------------------------------------------------------------


def citation_precision(cited_coverage: Sequence[frozenset[int]]) -> float | None:
    """Share of the cited passages that cover a gold quote; None without citations."""
    if not cited_coverage:
        return None
    return sum(1 for c in cited_coverage if c) / len(cited_coverage)


def citation_recall(cited_coverage: Sequence[frozenset[int]], n_quotes: int) -> float:
    """Share of the gold quotes covered by at least one cited passage."""
    if n_quotes <= 0:
        raise ValueError(f"n_quotes must be greater than 0, got {n_quotes}")
    return len(set().union(*cited_coverage)) / n_quotes if cited_coverage else 0.0


# --- answer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a gold answer asserts, in checkable form: its numbers and its key-term stems."""

    numbers: tuple[str, ...]
    terms: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.numbers) + len(self.terms)


#: Words that are no key term of a gold answer: question and function words, as the product's
#: `rag.text.analysis.QUESTION_WORDS` were on 2026-12-07 (52269d2), frozen here so that the
#: measurement does not move when the product's word lists do.
_NOT_KEY = frozenset(
    """
    wat welke welk wie waar waarom wanneer hoe hoeveel hoezeer hoelang waarmee waardoor waarvoor
    waarover waarin waaraan waarop waaruit waarnaar waarbij waarvan waartegen tegenaan tegenin naartoe heen kun kan kunnen kunt mag mogen moet moeten zou zouden
    kon konden zal zult zullen wil wilt willen wilde wilden moest moesten mocht mochten
    worden wordt werd werden is zijn was waren heeft hebben had hadden gaat gaan doet doen
    er eigenlijk precies ongeveer vooral nou dan ook nog al wel even meer minder veel weinig
    graag iets echt volgens document documenten staat staan tekst rapport noem noemen beschrijf
    geef leg uit vertel zeg klopt kloppen weten
    tegenwoordig momenteel inmiddels genoeg heel erg namelijk misschien bovendien zoveel zovele evenveel teveel
    """.split()
)


def gold_terms(gold_answer: str) -> list[str]:
    """The stems of a gold answer's key terms: its words but stopwords, `_NOT_KEY`, pointing
    words ("daarvan") and one- or two-letter words; numbers are kept (callers drop them)."""
    seen: dict[str, None] = {}
    for w in words(gold_answer):
        if w in STOPWORDS or w in _NOT_KEY or POINTER_WORD.match(w) or too_short(w):
            continue
        seen.setdefault(stem(w), None)
    return list(seen)


def answer_facts(gold_answer: str) -> Facts:
    """Numbers (`rag.text.analysis.numbers`) and non-numeric key terms (`gold_terms`)."""
    return Facts(
        numbers=tuple(sorted(numbers(gold_answer))),
        terms=tuple(t for t in gold_terms(gold_answer) if not t.isdigit()),
    )


def facts_found(facts: Facts, answer_text: str) -> tuple[str, ...]:
    """The facts that occur in the answer: numbers as numbers, terms as word stems."""
    text = _MARKER.sub(" ", answer_text)
    answer_numbers = numbers(text)
    answer_stems = {stem(w) for w in words(text)}
    return tuple(n for n in facts.numbers if n in answer_numbers) + tuple(t for t in facts.terms if t in answer_stems)


def lead_targets(gold_answer: str) -> tuple[str, ...]:
    """What the first sentence should hold: the gold answer's numbers, or its key terms when
    it has none."""
    found = numbers(gold_answer)
    if found:
        return tuple(sorted(found))
    return tuple(t for t in gold_terms(gold_answer) if not t.isdigit())


def lead_share(targets: Sequence[str], sentence: str) -> float:
    """Share of `targets` (numbers or stems, see `lead_targets`) that `sentence` holds."""
    if not targets:
        return 0.0
    text = _MARKER.sub(" ", sentence)
    present = numbers(text) | {stem(w) for w in words(text)}
    return sum(1 for t in targets if t in present) / len(targets)


def first_sentence(answer_text: str) -> str:
    """The answer's first sentence: up to its first [n] marker, else its first sentence.

    An extractive list answer's first unit (lead-in and items up to the marker) counts as one.
    """
    match = _MARKER.search(answer_text)
    if match:
        return answer_text[: match.start()].strip()
    sentences = split_sentences(answer_text.strip())
    return sentences[0].text if sentences else answer_text.strip()


def best_sentence_share(targets: Sequence[str], passages: Iterable[str]) -> float:
    """`lead_share` of the best single sentence of the passages: what a perfect picker reaches."""
    best = 0.0
    for text in passages:
        for sentence in split_sentences(text):
            best = max(best, lead_share(targets, sentence.text))
            if best >= 1.0:
                return best
    return best


# Answer text that is not an answer: footnotes, reference-list entries, URLs, captions, and
# page furniture (a running header: four or more words in capitals, "DE VIJVERGIDS 2031 - ...").
_NAME = r"(?-i:[A-Z])[\w.\-&]*"
_JUNK = re.compile(
    r"https?://|\bwww\.|\bgeraadpleegd\b|(?:^|\n|[.:;]\s)\s*bron\s*:"
    r"|(?:^|\n|[.:;]\s)\s*(?:figuur|tabel|grafiek)\s+\d+(?:\.\d+)*[a-z]?\b"
    rf"|(?:^|\n|\s)\d{{1,3}}\.?\s+{_NAME}(?:(?:\s+(?-i:[a-z]{{1,4}}))*\s+{_NAME}){{0,6}},?\s*(?:e\.a\.|et al\.)?\s*\((?:19|20)\d\d[a-z]?\)"
    r"|(?-i:\b[A-ZÀ-Þ]{2,}\b(?:[\s\-–]+(?:\d+[\s\-–]+)?[A-ZÀ-Þ]{2,}\b){3,})",
    re.IGNORECASE,
)


def junk_in(answer_text: str) -> tuple[str, ...]:
    """Pieces of the answer that are footnotes, references, URLs, captions or page furniture
    (empty: none)."""
    text = _MARKER.sub(" ", answer_text)
    return tuple(m.group(0).strip() for m in _JUNK.finditer(text))


def broken_in(answer_text: str) -> tuple[str, ...]:
    """The pieces of the answer (text between its [n]-markers) that break off where their
    sentence must go on: they end on a function word, a comma or an opening bracket
    (`rag.text.sentences.continues_sentence`), and what follows the marker does not go on
    with them (the answer ends, or a capital or list item starts something new; "… 7
    vijvers, [1] en 3 fonteinen" goes on). Empty: none."""
    pieces = [piece.strip() for piece in _MARKER.split(answer_text)]
    broken = []
    for piece, after in zip(pieces, [*pieces[1:], ""]):
        new_start = not after or after[0].isupper() or after[0] in "•·-–"
        if piece and continues_sentence(piece) and new_start:
            broken.append(piece)
    return tuple(broken)


# --- per question -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionScores:
    """Figures of one answered question; None where a figure does not apply."""

    refused: bool
    recall_at_k: float | None = None
    first_relevant_rank: int | None = None
    reciprocal_rank: float | None = None
    ndcg_at_10: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    fact_recall: float | None = None
    facts: tuple[str, ...] = ()
    facts_found: tuple[str, ...] = ()
    quotes_covered: tuple[int, ...] = ()
    faithfulness: float | None = None
    answer_relevancy: float | None = None
    #: Share of the gold figures (or key terms) in the answer's first sentence; 0 when refused.
    lead: float | None = None
    #: The same for the best single sentence of the returned passages.
    lead_oracle: float | None = None
    #: Footnotes, references, URLs or captions found in an answer that was given.
    junk: tuple[str, ...] = ()
    #: Pieces of an answer that was given that break off mid-sentence ("… buiten de").
    broken: tuple[str, ...] = ()
    #: Share of the gold answer's numbers in the answer (questions with numbers only).
    figures: float | None = None
    #: Answered with a caution ("dit antwoord is onzeker").
    uncertain: bool = False


def score_question(question: Question, answer: EvalAnswer, k: int) -> QuestionScores:
    """All answer-independent and answer figures of one question (see FIGURE_DEFINITIONS)."""
    junk = () if answer.refused else junk_in(answer.text)
    broken = () if answer.refused else broken_in(answer.text)
    uncertain = answer.uncertain and not answer.refused
    if not question.answerable:
        return QuestionScores(refused=answer.refused, junk=junk, broken=broken, uncertain=uncertain)
    gold = GoldQuotes(question.quotes, question.alt_quotes)
    coverage = [gold.covered_by(p.text) for p in answer.passages]
    cited = {c.marker: c.passage for c in answer.citations}
    cited_coverage = [gold.covered_by(p.text) for p in cited.values()]
    facts = answer_facts(question.answer)
    found = () if answer.refused else facts_found(facts, answer.text)
    targets = lead_targets(question.answer)
    lead = 0.0 if answer.refused else lead_share(targets, first_sentence(answer.text))
    oracle = best_sentence_share(targets, (p.text for p in answer.passages[:k]))
    return QuestionScores(
        refused=answer.refused,
        recall_at_k=recall_at_k(coverage, len(gold), k),
        first_relevant_rank=first_relevant_rank(coverage),
        reciprocal_rank=reciprocal_rank(coverage),
        ndcg_at_10=ndcg(coverage, len(gold)),
        citation_precision=citation_precision(cited_coverage),
        citation_recall=citation_recall(cited_coverage, len(gold)),
        fact_recall=len(found) / len(facts) if len(facts) else None,
        facts=facts.numbers + facts.terms,
        facts_found=found,
        quotes_covered=tuple(sorted(set().union(*coverage[:k]))) if coverage else (),
        lead=lead if targets else None,
        lead_oracle=oracle if targets else None,
        junk=junk,
        broken=broken,
        figures=sum(1 for n in facts.numbers if n in found) / len(facts.numbers) if facts.numbers else None,
        uncertain=uncertain,
    )


# --- over a group of questions ----------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between the nearest ranks (as numpy's default)."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def figure_names(k: int) -> list[str]:
    """The figures in report order; `recall@k` carries the k of the run."""
    return [
        f"recall@{k}", "mrr", "ndcg@10", "citation_precision", "citation_recall", "fact_recall",
        "fact_figures", "lead", "lead_oracle", "lead_ratio", "junk", "broken", "refusal_accuracy", "false_refusal_rate",
        "confidently_answered_unanswerable", "cautioned_answerable", "latency_p50_ms", "latency_p95_ms",
        "faithfulness", "answer_relevancy",
    ]


#: Figures where a lower value is better (for comparisons and the gate's wording).
LOWER_IS_BETTER = frozenset({
    "false_refusal_rate", "latency_p50_ms", "latency_p95_ms", "errors", "junk", "broken", "confidently_answered_unanswerable",
    "cautioned_answerable",
})


def aggregate(
    items: Sequence[tuple[Question, QuestionScores | None, Sequence[float]]], k: int
) -> dict[str, float | int | None]:
    """Figures of a group: (question, scores or None after an error, request latencies in ms).

    Questions whose request failed count in `errors` and in no other figure.
    """
    scored = [(q, s) for q, s, _ in items if s is not None]
    answerable = [s for q, s in scored if q.answerable]
    unanswerable = [s for q, s in scored if not q.answerable]
    latencies = [ms for q, s, lat in items if s is not None for ms in lat]
    answered = [s for _, s in scored if not s.refused]
    lead = _mean(s.lead for s in answerable)
    lead_oracle = _mean(s.lead_oracle for s in answerable)
    return {
        "questions": len(items),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "errors": sum(1 for _, s, _ in items if s is None),
        f"recall@{k}": _mean(s.recall_at_k for s in answerable),
        "mrr": _mean(s.reciprocal_rank for s in answerable),
        "ndcg@10": _mean(s.ndcg_at_10 for s in answerable),
        "citation_precision": _mean(s.citation_precision for s in answerable),
        "citation_recall": _mean(s.citation_recall for s in answerable),
        "fact_recall": _mean(s.fact_recall for s in answerable),
        "fact_figures": _mean(s.figures for q, s in scored if q.answerable and q.type == "fact"),
        "lead": lead,
        "lead_oracle": lead_oracle,
        "lead_ratio": lead / lead_oracle if lead is not None and lead_oracle else None,
        "junk": sum(1 for s in answered if s.junk) / len(answered) if answered else None,
        "broken": sum(1 for s in answered if s.broken) / len(answered) if answered else None,
        "refusal_accuracy": _mean(1.0 if s.refused else 0.0 for s in unanswerable),
        "false_refusal_rate": _mean(1.0 if s.refused else 0.0 for s in answerable),
        # The worst outcome: an unanswerable question answered with no caution.
        "confidently_answered_unanswerable": _mean(0.0 if s.refused or s.uncertain else 1.0 for s in unanswerable),
        "cautioned_answerable": _mean(1.0 if s.uncertain else 0.0 for s in answerable if not s.refused),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "faithfulness": _mean(s.faithfulness for _, s in scored),
        "answer_relevancy": _mean(s.answer_relevancy for _, s in scored),
    }


def figure_definitions(k: int) -> dict[str, str]:
    """What each figure means, in Dutch, for the report."""
    covers = (
        "Een passage <em>dekt</em> een goudcitaat als de passagetekst het hele citaat bevat, of een "
        "aaneengesloten deel van minstens de helft ervan en minstens 40 tekens (een citaat dat over twee "
        "passages is verdeeld, staat altijd voor minstens de helft in een ervan); vergeleken op letters en cijfers "
        "alleen, zonder hoofdletters, leestekens, afbrekingen en voetnootnummers (als rag.text.textmatch). "
        "Een passage is <em>relevant</em> als ze minstens één goudcitaat dekt."
    )
    return {
        "dekking": covers,
        f"recall@{k}": f"Per beantwoordbare vraag het aandeel goudcitaten dat gedekt wordt door een van de "
        f"eerste {k} opgehaalde passages; gemiddeld over de vragen.",
        "mrr": "Mean reciprocal rank: per beantwoordbare vraag 1/rang van de eerste relevante passage (0 als er "
        "geen is), gemiddeld. Gemeten over de passages die het systeem teruggeeft (top_k = k).",
        "ndcg@10": "Per beantwoordbare vraag levert elk goudcitaat 1/log2(1 + rang) op bij de eerste passage die "
        "het dekt (binnen de eerste 10); gedeeld door het ideaal (één citaat per rang op rang 1..n), hoogstens 1. "
        "Met k < 10 telt wat na rang k komt als niet gevonden.",
        "citation_precision": "Per beantwoordbare vraag met bronvermeldingen het aandeel geciteerde passages "
        "dat een goudcitaat dekt; gemiddeld over die vragen.",
        "citation_recall": "Per beantwoordbare vraag het aandeel goudcitaten dat door een geciteerde passage "
        "gedekt wordt (0 zonder bronvermeldingen); gemiddeld.",
        "fact_recall": "De feiten van het goudantwoord zijn de getallen (rag.text.analysis.numbers, 9.800 = 9800) en "
        "de niet-numerieke kerntermen (evals.metrics.gold_terms: stammen zonder stopwoorden en vraagwoorden). "
        "Per beantwoordbare vraag het aandeel daarvan dat in het antwoord voorkomt (getallen als getal, termen "
        "als stam; [n]-markeringen tellen niet mee); een weigering scoort 0; gemiddeld.",
        "fact_figures": "Per feitvraag (type fact) waarvan het goudantwoord getallen heeft: het aandeel van die "
        "getallen dat in het antwoord staat (9.800 = 9800; een weigering scoort 0); gemiddeld.",
        "lead": "Per beantwoordbare vraag het aandeel van de getallen van het goudantwoord (of, zonder getallen, "
        "van zijn kerntermen) dat in de eerste zin van het antwoord staat: de tekst tot de eerste [n]-markering. "
        "Een weigering scoort 0; gemiddeld.",
        "lead_oracle": "Hetzelfde aandeel voor de beste losse zin van de opgehaalde passages (top k): wat een "
        "perfecte zinkiezer op deze retrieval zou halen.",
        "lead_ratio": "lead gedeeld door lead_oracle.",
        "junk": "Aandeel van de gegeven (niet geweigerde) antwoorden met een voetnoot, literatuurverwijzing, URL, "
        "'Geraadpleegd op', 'Bron:', figuur-/tabelonderschrift of paginakop in hoofdletters in de tekst (lager is beter).",
        "broken": "Aandeel van de gegeven (niet geweigerde) antwoorden met een zin die afbreekt waar hij verder "
        "moet: de tekst voor een [n]-markering eindigt op een lidwoord, voorzetsel of ander functiewoord, een komma "
        "of een haakje openen ('… tegenover 3% buiten de'; rag.text.sentences.continues_sentence). Lager is beter.",
        "refusal_accuracy": "Aandeel van de onbeantwoordbare vragen dat Bronwijzer weigert (hoger is beter).",
        "false_refusal_rate": "Aandeel van de beantwoordbare vragen dat Bronwijzer ten onrechte weigert "
        "(lager is beter).",
        "confidently_answered_unanswerable": "Aandeel van de onbeantwoordbare vragen dat Bronwijzer zonder "
        "voorbehoud beantwoordt: niet geweigerd en niet als onzeker gemarkeerd (lager is beter).",
        "cautioned_answerable": "Aandeel van de gegeven antwoorden op beantwoordbare vragen met het voorbehoud "
        "'dit antwoord is onzeker' (lager is beter).",
        "latency_p50_ms": "Mediaan van de duur van elk verzoek zoals de client die meet (in ms), "
        "contextvragen van vervolgvragen inbegrepen.",
        "latency_p95_ms": "95e percentiel van dezelfde verzoekduren (lineair tussen de dichtstbijzijnde rangen).",
        "faithfulness": "Alleen met een LLM-beoordelaar: aandeel van de beweringen in het antwoord dat door de "
        "opgehaalde passages wordt gesteund, volgens de beoordelaar; gemiddeld over niet-geweigerde antwoorden.",
        "answer_relevancy": "Alleen met een LLM-beoordelaar: hoe goed het antwoord op de vraag ingaat "
        "(beoordeling 1-5, geschaald naar 0-1); gemiddeld over niet-geweigerde antwoorden.",
        "errors": "Vragen waarbij het verzoek mislukte; die tellen in geen enkel ander cijfer mee.",
    }
