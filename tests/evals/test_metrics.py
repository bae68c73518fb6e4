"""Every figure on small hand-made cases; the expected numbers are computed by hand."""

from __future__ import annotations

import math

import pytest

from evals.clients import EvalAnswer, EvalCitation, EvalPassage
from evals.metrics import (
    Facts,
    QuestionScores,
    aggregate,
    answer_facts,
    citation_precision,
    citation_recall,
    facts_found,
    first_relevant_rank,
    ndcg,
    percentile,
    recall_at_k,
    reciprocal_rank,
    score_question,
)
from evals.question_set import Question

E, A, B = frozenset(), frozenset({0}), frozenset({1})
# Ranks 1..5: nothing, quote 0, quote 1, nothing, quote 0 again; three gold quotes.
COVERAGE = [E, A, B, E, A]


def test_recall_at_k_is_the_share_of_quotes_in_the_top_k():
    assert recall_at_k(COVERAGE, 3, k=1) == 0
    assert recall_at_k(COVERAGE, 3, k=2) == pytest.approx(1 / 3)
    assert recall_at_k(COVERAGE, 3, k=5) == pytest.approx(2 / 3)
    assert recall_at_k([], 1, k=5) == 0
    with pytest.raises(ValueError, match="n_quotes"):
        recall_at_k(COVERAGE, 0, k=5)


def test_reciprocal_rank_is_one_over_the_first_relevant_rank():
    assert first_relevant_rank(COVERAGE) == 2
    assert reciprocal_rank(COVERAGE) == 0.5
    assert reciprocal_rank([E, E, A]) == pytest.approx(1 / 3)
    assert reciprocal_rank([E, E]) == 0 and first_relevant_rank([E]) is None


def test_ndcg_gains_each_quote_once_at_its_first_rank():
    # DCG = 1/log2(3) + 1/log2(4) = 0.6309 + 0.5; ideal for 3 quotes = 1 + 0.6309 + 0.5.
    assert ndcg(COVERAGE, 3) == pytest.approx(1.1309298 / 2.1309298)
    assert ndcg([E, E, A], 1) == pytest.approx(0.5)  # 1/log2(4)
    assert ndcg([A], 1) == 1.0
    assert ndcg([E] * 10 + [A], 1) == 0  # beyond the cutoff of 10


def test_ndcg_is_capped_at_one_when_one_passage_covers_every_quote():
    assert ndcg([frozenset({0, 1, 2})], 3) == 1.0
    # The same passage at rank 2: 3/log2(3) = 1.8928 against the ideal 2.1309.
    assert ndcg([E, frozenset({0, 1, 2})], 3) == pytest.approx((3 / math.log2(3)) / 2.1309298)


def test_citation_precision_and_recall():
    assert citation_precision([A, E]) == 0.5
    assert citation_precision([A, B, E, E]) == 0.5
    assert citation_precision([]) is None
    assert citation_recall([A, E], 2) == 0.5
    assert citation_recall([A, B, A], 2) == 1.0
    assert citation_recall([], 2) == 0.0


def test_answer_facts_are_numbers_and_non_numeric_key_terms():
    facts = answer_facts("In 2023 waren er 4.700 vijverbeheerders, vooral in de B7 en in 1 regio.")
    # numbers: 1, 2023, 4700 (4.700 normalised); terms: stopwords, question words, words
    # shorter than 3 letters and pure digits are no key terms, but a code of a letter and a
    # digit (b7) is.
    assert facts == Facts(numbers=("1", "2023", "4700"), terms=("vijverbeheer", "b7", "regio"))
    assert len(facts) == 6


def test_facts_found_ignores_citation_markers_and_matches_stems():
    facts = answer_facts("In 2023 waren er 4.700 vijverbeheerders, vooral in de B7 en in 1 regio.")
    # "[1]" is a marker, not the number 1; "vijverbeheerders" matches the stem "vijverbeheer".
    assert facts_found(facts, "Er waren 4700 [1] vijverbeheerders in de B7.") == ("4700", "vijverbeheer", "b7")
    assert facts_found(facts, "In 2023: 4.700 vijverbeheerders in 1 regio [2, 3].") == ("1", "2023", "4700", "vijverbeheer", "regio")


def test_percentile_interpolates_linearly_between_ranks():
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == 25.0
    assert percentile(values, 95) == pytest.approx(38.5)  # position 2.85: 30 + 0.85 * 10
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError, match="q must be"):
        percentile(values, 101)


def _passage(text: str) -> EvalPassage:
    return EvalPassage("doc.txt", "Titel", text, 0.5)


QUESTION = Question(
    id="x1", question="Sinds wanneer?", answer="Sinds 1998; de huidige keurmerk dateert uit 2019.",
    docs=("doc.txt",), quotes=("Sinds 1998 beschikken tuinmannen over een keurmerk.",
                               "De huidige keurmerk dateert uit 2019."),
    type="fact", difficulty="easy",
)


def test_score_question_combines_retrieval_citations_and_facts():
    relevant = _passage("Sinds 1998 beschikken tuinmannen over een keurmerk. Meer tekst.")
    other = _passage("Iets heel anders over de inspectie en het toezicht op scholen.")
    answer = EvalAnswer("Sinds 1998 [1]; de huidige dateert uit 2019 [2].", False, "extractive",
                        (EvalCitation(1, relevant), EvalCitation(2, other)), (other, relevant, other), 12.0)
    s = score_question(QUESTION, answer, k=5)
    assert (s.recall_at_k, s.first_relevant_rank, s.reciprocal_rank) == (0.5, 2, 0.5)
    assert s.ndcg_at_10 == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert (s.citation_precision, s.citation_recall) == (0.5, 0.5)
    # facts: 1998, 2019, sind, huid, keurmerk, dateert; all but keurmerk found.
    assert s.fact_recall == pytest.approx(5 / 6)
    assert s.quotes_covered == (0,)
    assert score_question(QUESTION, answer, k=1).recall_at_k == 0


def test_a_refused_answerable_question_scores_zero_facts_and_no_citation_precision():
    refused = EvalAnswer("Dat staat niet in de documenten die ik ken. Sinds 1998.", True, "extractive", (), (), 3.0)
    s = score_question(QUESTION, refused, k=5)
    assert (s.refused, s.recall_at_k, s.fact_recall, s.citation_precision, s.citation_recall) == (True, 0, 0, None, 0)


def test_unanswerable_questions_only_record_the_refusal():
    q = Question("x2", "Wat was het verzuim?", "", (), (), "unanswerable", "medium")
    s = score_question(q, EvalAnswer("Het verzuim was 5%.", False, "llm", (), (), 1.0), k=5)
    assert s == QuestionScores(refused=False)


def test_aggregate_averages_per_question_and_keeps_errors_out():
    answerable = Question("a", "?", "x", ("d.txt",), ("q",), "fact", "easy")
    unanswerable = Question("u", "?", "", (), (), "unanswerable", "easy")
    items = [
        (answerable, QuestionScores(False, 1.0, 1, 1.0, 1.0, 1.0, 1.0, 0.5), [100.0]),
        (answerable, QuestionScores(True, 0.5, 3, 1 / 3, 0.5, None, 0.0, 0.0), [300.0, 200.0]),
        (unanswerable, QuestionScores(True), [400.0]),
        (unanswerable, QuestionScores(False), [500.0]),
        (answerable, None, []),  # request failed
    ]
    fig = aggregate(items, k=5)
    assert (fig["questions"], fig["answerable"], fig["unanswerable"], fig["errors"]) == (5, 2, 2, 1)
    assert fig["recall@5"] == 0.75
    assert fig["mrr"] == pytest.approx(2 / 3)
    assert fig["ndcg@10"] == 0.75
    assert fig["citation_precision"] == 1.0  # only the question with citations
    assert fig["citation_recall"] == 0.5
    assert fig["fact_recall"] == 0.25
    assert fig["refusal_accuracy"] == 0.5
    assert fig["false_refusal_rate"] == 0.5
    assert fig["latency_p50_ms"] == 300.0  # of 100, 200, 300, 400, 500
    assert fig["latency_p95_ms"] == pytest.approx(480.0)  # position 3.8: 400 + 0.8 * 100
    assert fig["faithfulness"] is None and fig["answer_relevancy"] is None


def test_aggregate_of_a_group_without_unanswerable_questions_has_no_refusal_accuracy():
    q = Question("a", "?", "x", ("d.txt",), ("q",), "fact", "easy")
    assert aggregate([(q, QuestionScores(False, 1.0), [1.0])], k=3)["refusal_accuracy"] is None


# --- first sentence, junk, figures ------------------------------------------------------

from evals.metrics import best_sentence_share, broken_in, first_sentence, junk_in, lead_share, lead_targets  # noqa: E402


def test_lead_targets_are_the_numbers_or_else_the_key_terms():
    assert lead_targets("Er werken 4.250 conciërges op 310 locaties.") == ("310", "4250")
    terms = lead_targets("Omdat de tuinen van de scholen verwilderen.")
    assert "tuin" in terms and "school" in terms and "omdat" not in terms


def test_the_first_sentence_ends_at_the_first_marker():
    assert first_sentence("Er zijn 12 vijvers [1]. Ook 3 fonteinen [2].") == "Er zijn 12 vijvers"
    assert first_sentence("Geen markering hier. En nog een zin.") == "Geen markering hier."


def test_lead_share_counts_numbers_and_stems_in_one_sentence():
    targets = lead_targets("De school telt 4.250 leerlingen en 310 leraren.")
    assert lead_share(targets, "De school heeft 4250 leerlingen [1]") == 0.5
    assert lead_share(targets, "310 leraren en 4.250 leerlingen") == 1.0
    assert lead_share((), "iets") == 0.0


def test_the_oracle_takes_the_best_single_sentence_of_all_passages():
    targets = ("310", "4250")
    passages = ["Er zijn 310 leraren. Dat is veel.", "Er zijn 4.250 leerlingen en 310 leraren."]
    assert best_sentence_share(targets, passages) == 1.0
    assert best_sentence_share(targets, passages[:1]) == 0.5


@pytest.mark.parametrize("text", [
    "12 Bureau Vlinder (2019). 13 Van den Berg e.a. (2021).",
    "Zie https://voorbeeld.nl/rapport voor meer.",
    "Geraadpleegd op 3 maart 2022.",
    "Het aantal groeit. Bron: Bureau Vlinder.",
    "Figuur 3.2a Aandeel vlinders per provincie",
    "DE VIJVERGIDS 2031 - KIKKERS EN PADDEN [1] Het riet groeit.",
])
def test_footnotes_references_urls_and_captions_are_junk(text):
    assert junk_in(text)


@pytest.mark.parametrize("text", [
    "In 2019 telde de gemeente 12 scholen [1].",
    "Het tekort loopt op (Bureau Vlinder, 2021b) tot 4.700 fte [2].",
    "Er zijn 12 scholen (2023) bezocht.",
    "Zie tabel 3 voor de rest.",
    "Het park van de NVVP en het KNV telt 12 vijvers (ICT, GGD).",
])
def test_ordinary_sentences_with_years_and_references_are_not_junk(text):
    assert not junk_in(text)


def test_a_piece_of_an_answer_that_breaks_off_is_broken():
    text = ("In het Noordpark heeft 40% van de vijvers riet, tegenover 12% buiten de [1] Het Zuidpark telt 7 vijvers. [2] "
            "De gemeente maait het riet, [3] De vijvers zijn ondiep en [4]")
    assert broken_in(text) == (
        "In het Noordpark heeft 40% van de vijvers riet, tegenover 12% buiten de", "De gemeente maait het riet,",
        "De vijvers zijn ondiep en",
    )
    whole = ("Dit antwoord is onzeker: lees de bron na. Het park telt 7 vijvers, [1] en 3 fonteinen [2]. "
             "De gemeente neemt de volgende maatregelen:\n• riet maaien,\n• kroos scheppen. [1, 2]")
    assert broken_in(whole) == ()
    assert broken_in("") == ()


def test_new_figures_for_a_question():
    question = Question("q", "Hoeveel vijvers?", "Er zijn 12 vijvers en 3 fonteinen.", ("a.txt",),
                        ("Er zijn 12 vijvers en 3 fonteinen.",), "fact", "easy")
    passage = EvalPassage("a.txt", "A", "Inleiding. Er zijn 12 vijvers en 3 fonteinen.", 1.0)
    answer = EvalAnswer("Er zijn 12 vijvers [1]. Er zijn 3 fonteinen [1].", False, "extractive",
                        (EvalCitation(1, passage),), (passage,), 5.0)
    scores = score_question(question, answer, k=5)
    assert scores.lead == 0.5 and scores.lead_oracle == 1.0 and scores.figures == 1.0 and scores.junk == () == scores.broken
    refused = EvalAnswer("Dat staat er niet in.", True, "extractive", (), (passage,), 5.0)
    assert score_question(question, refused, k=5).lead == 0.0


def test_an_alternative_quote_covers_its_quote():
    question = Question("q", "Hoeveel vijvers?", "12", ("a.txt",), ("Er zijn 12 vijvers in het park.",),
                        "fact", "easy", alt_quotes=(("Het park telt twaalf vijvers, zo bleek uit de telling.",),))
    passage = EvalPassage("a.txt", "A", "Samenvatting: het park telt twaalf vijvers, zo bleek uit de telling.", 1.0)
    answer = EvalAnswer("12 [1]", False, "extractive", (), (passage,), 5.0)
    assert score_question(question, answer, k=5).recall_at_k == 1.0


def test_unanswerables_answered_without_caution_and_cautioned_answers_are_counted():
    from types import SimpleNamespace

    from evals.metrics import QuestionScores, aggregate

    def q(answerable: bool):
        return SimpleNamespace(answerable=answerable, type="fact" if answerable else "unanswerable")

    items = [
        (q(False), QuestionScores(refused=True), [1.0]),
        (q(False), QuestionScores(refused=False, uncertain=True), [1.0]),
        (q(False), QuestionScores(refused=False), [1.0]),
        (q(False), QuestionScores(refused=False), [1.0]),
        (q(True), QuestionScores(refused=False, uncertain=True), [1.0]),
        (q(True), QuestionScores(refused=False), [1.0]),
        (q(True), QuestionScores(refused=True), [1.0]),
    ]
    figures = aggregate(items, k=5)
    assert figures["confidently_answered_unanswerable"] == 0.5
    assert figures["cautioned_answerable"] == 0.5  # of the two answered


def test_the_gold_key_terms_do_not_move_with_the_products_word_lists():
    # The product no longer searches for "lukt" or "letten" (question words since 2026-12-07);
    # the measurement still counts them as the gold answer's terms, as it did before.
    from evals.metrics import gold_terms
    from rag.text.analysis import key_terms, stem

    gold = "Het lukt de tuinmannen niet om op het riet te letten."
    assert {stem("lukt"), stem("letten")} <= set(gold_terms(gold))
    assert not {stem("lukt"), stem("letten")} & set(key_terms(gold))
