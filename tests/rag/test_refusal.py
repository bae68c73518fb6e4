"""Refusal: the signals on invented passages, and the fitted model's decision mechanics."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from rag.linear import LinearModel, bundled
from rag.text.question import analyse_question
from rag.answer.refusal import REFUSAL_FEATURES, RefusalModel, RefusalSignals, refusal_signals
from rag.text.terms import TermIndex, question_terms
from rag.text.sources import SourceMatcher
from rag.types import Chunk, Passage, Turn


def _term(question: str, word: str):
    """The key term of `question` for `word` (folded)."""
    return next(t for t in question_terms(question) if t.word == word)


VIJVERS = "Het park telde in 2021 precies 14 vijvers. De gemeente Vlinderstad onderhoudt ze met twee tuinmannen."
RIET = "Het riet groeit snel omdat het water voedselrijk is."


def passages(*texts: str, score: float = 0.6) -> list[Passage]:
    return [
        Passage(Chunk(f"d{i}.txt", i, t, 0, len(t), content_hash="h"), score=score - i / 10, rank=i + 1, dense_score=0.88)
        for i, t in enumerate(texts)
    ]


def signals(question: str, *texts: str, history=(), matcher=None):
    return refusal_signals(analyse_question(question, matcher), passages(*texts), history)


def test_a_name_or_number_the_passages_lack_is_missing_and_specific():
    s = signals("Hoeveel vijvers telde Kikkerdorp in 2019?", VIJVERS)
    assert set(s.missing_specific) == {"kikkerdorp", "2019"}
    assert s.values["missing_specific"] == 2.0
    assert 0 < s.coverage < 1


def test_a_code_of_a_letter_and_a_digit_is_a_key_term_an_ordinal_is_not():
    assert [t.word for t in question_terms("Hoeveel vijvers halen niveau 2B, en welke de 3e klasse?")] == [
        "vijvers", "halen", "niveau", "2b", "klasse",
    ]
    s = signals("Welke vijvers vallen in zone K7?", VIJVERS)
    assert s.missing_specific == ("k7",)
    assert signals("Welke vijvers vallen in zone K7?", VIJVERS + " Zone K7 heeft er 3.").missing_specific == ()


def test_how_big_or_how_often_asks_for_an_amount_and_is_no_key_term():
    assert [t.word for t in question_terms("Hoe groot is de vijver, en hoe vaak maait de tuinman?")] == ["vijver", "maait", "tuinman"]
    assert [t.word for t in question_terms("Hoeveel grote vijvers zijn er?")] == ["grote", "vijvers"]


def test_a_noun_that_names_no_thing_of_its_own_is_no_key_term():
    # "dingen", "zaken": what they stand for is asked; no passage names it so.
    assert [t.word for t in question_terms("Welke drie dingen moet de tuinman maaien?")] == ["drie", "tuinman", "maaien"]
    assert [t.word for t in question_terms("Welke zaken regelt het vijverplan?")] == ["regelt", "vijverplan"]


def test_a_particle_split_off_waar_is_no_key_term():
    assert [t.word for t in question_terms("Waar lopen de boswachters tegenaan?")] == ["lopen", "boswachters"]


def test_a_two_letter_acronym_is_a_key_term_a_short_word_of_a_name_is_not():
    assert [(t.word, t.is_name) for t in question_terms("Wat kost het VP Kroos?")] == [("vp", True), ("kroos", True)]
    assert [t.word for t in question_terms("Hoe oud is de vijver van El Bosque?")] == ["vijver", "bosque"]
    assert [t.word for t in question_terms("Hoeveel vijvers heeft het PO?")] == ["vijvers"]  # a sector, read as one


def test_that_something_happens_is_no_key_term():
    # "Wat gebeurt er als ...?": what happens is asked, in the passages' own verbs.
    assert [t.word for t in question_terms("Wat gebeurt er als het riet niet wordt gemaaid?")] == ["riet", "gemaaid"]
    assert [t.word for t in question_terms("Wat moet er met het kroos gebeuren?")] == ["kroos"]


def test_how_many_in_one_word_is_no_key_term():
    # "zoveel" is "zo veel" written as one: how much, not what.
    assert [t.word for t in question_terms("Waarom stoppen zoveel tuinmannen?")] == ["stoppen", "tuinmannen"]
    # "zowel ... als" joins two things asked about; it is none of them.
    assert [t.word for t in question_terms("Noemen zowel het vijverplan als de kikkernota het riet?")] == ["vijverplan", "kikkernota", "riet"]
    # "overal", "altijd", "eerst": how far or when, not what; a follow-up carries no "overal" to its next one.
    assert [t.word for t in question_terms("Wanneer moeten er overal kikkerpoelen zijn?")] == ["kikkerpoelen"]
    assert [t.word for t in question_terms("Waren de meeste tuinmannen eerst visser?")] == ["tuinmannen", "visser"]
    # "Wat vinden ... van ...?" asks an opinion, which the passages say in their own verbs; "een
    # poel gevonden" is what happened, and stays.
    assert [t.word for t in question_terms("Wat vinden de tuinmannen van het riet?")] == ["tuinmannen", "riet"]
    assert [t.word for t in question_terms("Vinden de tuinmannen dat het riet te hoog is?")] == ["tuinmannen", "riet", "hoog"]
    assert [t.word for t in question_terms("Hoeveel kikkers hebben een poel gevonden?")] == ["kikkers", "poel", "gevonden"]
    # "Waar moet ik op letten?" asks for advice; no passage says "letten".
    assert [t.word for t in question_terms("Waar moet ik op letten bij het maaien van riet?")] == ["maaien", "riet"]
    assert [t.word for t in question_terms("Waarom is er teveel kroos?")] == ["kroos"]


def test_that_something_is_meant_for_someone_is_no_key_term():
    # "Voor wie is ... bedoeld?": who it is for is asked; the passages name them in their own words.
    assert [t.word for t in question_terms("Voor wie is de kroostoelage bedoeld?")] == ["kroostoelage"]
    assert [t.word for t in question_terms("En waarvoor is het riet bestemd?")] == ["riet"]
    assert [t.word for t in question_terms("Waar is het vijvergeld voor bedoeld?")] == ["vijvergeld"]
    # Asked what something means, "bedoeld" is the definition question's own word, handled there.
    assert "bedoeld" in [t.word for t in question_terms("Is het riet bedoeld als schuilplaats?")]


def test_a_preposition_that_only_says_what_is_asked_about_is_no_key_term():
    assert [t.word for t in question_terms("Hoe scoren de vijvers qua kroos?")] == ["scoren", "vijvers", "kroos"]
    assert [t.word for t in question_terms("Wat zegt het plan inzake het maaien?")] == ["zegt", "plan", "maaien"]
    assert [t.word for t in question_terms("Wat zijn de afspraken rond het maaien?")] == ["afspraken", "maaien"]
    assert [t.word for t in question_terms("Welk beleid is er rondom kroos?")] == ["beleid", "kroos"]
    assert [t.word for t in question_terms("Wat doet de gemeente op het gebied van maaien?")] == ["gemeente", "maaien"]
    assert [t.word for t in question_terms("Wat is er afgesproken met betrekking tot kroos?")] == ["afgesproken", "kroos"]
    # Outside the phrase the noun names what is asked.
    assert [t.word for t in question_terms("Welk gebied heeft het meeste kroos?")] == ["gebied", "kroos"]


def test_a_participle_that_closes_a_perfect_tense_is_found_in_the_simple_past():
    stopped = _term("Hoeveel tuinmannen zijn in 2031 gestopt?", "gestopt")
    mown = _term("Hoeveel vijvers zijn er gemaaid?", "gemaaid")
    assert TermIndex(["In 2031 stopten vier tuinmannen."]).contains(stopped)
    assert TermIndex(["De tuinmannen maaiden twaalf vijvers."]).contains(mown)
    # After a separable particle, the verb's noun tells it too ("ingevoerd": "de invoering").
    brought_in = _term("Wanneer werd de vijverbelasting ingevoerd?", "ingevoerd")
    assert TermIndex(["De invoering van de vijverbelasting volgde in 2031."]).contains(brought_in)
    assert not TermIndex(["De vijverbelasting volgde in 2031."]).contains(brought_in)
    # Not closing a perfect tense, or too short a verb to tell ("gezond" is no "zon"): no other forms.
    assert next(t for t in question_terms("Wie las het gestopte bericht?") if t.word.startswith("gestopt")).alternatives == ()
    assert _term("Zijn de tuinmannen gezond?", "gezond").alternatives == ()


def test_where_something_lies_and_the_ranking_after_het_are_no_key_terms():
    # The passages say where and which most in their own words ("groter in het noorden").
    assert [t.word for t in question_terms("Waar ligt het kroos in de vijvers het dikst?")] == ["kroos", "vijvers", "dikst"]
    assert [t.word for t in question_terms("Waar ligt het kroos het hoogst?")] == ["kroos"]
    assert [t.word for t in question_terms("Welke vijver heeft het hoogste riet?")] == ["vijver", "hoogste", "riet"]  # before a noun it stays


def test_the_unit_of_time_a_when_question_asks_in_is_no_key_term():
    # The answer gives the date or the span ("van april tot juni"), seldom the word "periode".
    assert [t.word for t in question_terms("In welke periode wordt het riet gemaaid?")] == ["riet", "gemaaid"]
    assert [t.word for t in question_terms("In welk jaar is de vijver gegraven?")] == ["vijver", "gegraven"]
    assert [t.word for t in question_terms("Welke periodes van droogte noemt het plan?")][:2] == ["periodes", "droogte"]


@pytest.mark.parametrize(
    ("question", "ranks"),
    [
        ("Welke vijver heeft het grootste rietveld?", True),
        ("In welke wijk is het tekort aan tuinmannen het grootst?", True),  # after "het", without -e
        ("Welke vogel wordt het meest geteld bij de vijvers?", True),
        ("Hoe groot is de grootste vijver?", True),
        ("Is het riet in de vijver best hoog?", False),  # "best": quite, not the best
        ("Hoe groot is het tekort aan tuinmannen?", False),
    ],
)
def test_a_question_for_the_top_of_a_ranking_is_known_also_with_het_before_the_superlative(question, ranks):
    # The kind of answer asked (a sentence that ranks) is one of the refusal model's signals.
    assert analyse_question(question).asks_superlative is ranks


def test_a_pronoun_joined_to_a_preposition_is_no_key_term():
    # "erover", "eraan": they point back at the conversation; no passage need hold them.
    assert [t.word for t in question_terms("Wat zegt het vijverplan erover?")] == ["zegt", "vijverplan"]
    assert [t.word for t in question_terms("Wat maait de tuinman eraan, en daarmee?")] == ["maait", "tuinman"]


def test_the_ending_after_an_apostrophe_is_no_key_term():
    assert [t.word for t in question_terms("Hoeveel zzp'ers en kano’s telt het park?")] == ["zzp", "kano", "telt", "park"]
    # A two-letter acronym is a term of its own; the ending stays, as the passages write "IB’ers" too.
    assert [t.word for t in question_terms("Hoeveel IB’ers zijn er?")] == ["ib", "ers"]
    # So it is typed small, as in a chat: two letters before an ending are an abbreviation.
    assert [t.word for t in question_terms("Hoeveel ib’ers zijn er?")] == ["ib", "ers"]
    assert [t.word for t in question_terms("wat is een ib'er")] == ["ib"]
    assert [t.word for t in question_terms("Wat doet de ib?")] == []  # without one, too short to say


def test_a_compound_in_a_name_has_its_heads_other_words():
    from rag.text.analysis import stem

    # "KV-Vijvergeld" is a name (its capitals), but a passage writes "KV-Vijvermiddelen".
    (term,) = [t for t in question_terms("Hoeveel KV-Vijvergeld kreeg het park?") if t.word == "vijvergeld"]
    assert term.is_name and stem("vijvermiddelen") in term.alternatives
    # A plain word of a name has none: "Leraar" in a name is no "docent".
    (leraar,) = [t for t in question_terms("Wat doet Stichting Leraar Voorop?") if t.word == "leraar"]
    assert leraar.alternatives == ()


def test_a_compound_written_with_a_shared_head_is_found_in_full():
    # "een maai- of baggerplan" holds a maaiplan (a head too short to be found inside a word alone).
    assert TermIndex(["Elk park heeft een maai- of baggerplan."]).contains(_term("Heeft het park een maaiplan?", "maaiplan"))
    assert not TermIndex(["Het park heeft een baggerplan en maait elk jaar."]).contains(_term("Heeft het park een maaiplan?", "maaiplan"))


def test_a_number_after_its_noun_names_a_thing_and_is_found_only_with_it():
    # "in vijver 8": the eighth pond, not any 8 ("8 uur per week").
    term = _term("Hoeveel uur per week wordt vijver 8 gemaaid?", "8")
    assert term.numbers_a_thing and term.asked == "vijver 8"
    assert not TermIndex(["De tuinmannen maaien 6 tot 8 uur per week."]).contains(term)
    for text in ["Vijver 8 wordt elke week gemaaid.", "In de vijvers 7 en 8 groeit riet.", "De vijver 8-rand is nat."]:
        assert TermIndex([text]).contains(term), text
    # A year, an amount and a number inside a word are no such names.
    assert not any(t.numbers_a_thing for t in question_terms("Hoeveel vijvers waren er in 2023, en hoeveel 15-jarigen?"))


def test_an_adverb_of_time_or_degree_is_no_key_term():
    # "tegenwoordig", "genoeg": how the question is put, not what it is about.
    assert [t.word for t in question_terms("Krijgen de tuinmannen tegenwoordig genoeg kroos?")] == ["krijgen", "tuinmannen", "kroos"]


@pytest.mark.parametrize("question, terms", [
    ("Welk percentage van de vijvers is groen?", ["vijvers", "groen"]),
    ("Hoeveel procent van de tuinmannen maait?", ["tuinmannen", "maait"]),
    ("Wat is het aantal kikkers in de vijver?", ["kikkers", "vijver"]),
    ("Welk bedrag krijgt de tuinman?", ["krijgt", "tuinman"]),
    ("Hoeveel keer per jaar maait de tuinman?", ["per", "jaar", "maait", "tuinman"]),
    ("Noemt het plan een percentage?", ["noemt", "plan", "percentage"]),  # not how an amount is asked
    ("Hoeveel geld is er met het vijverplan gemoeid?", ["vijverplan"]),
    ("Hoeveel euro krijgt de tuinman?", ["krijgt", "tuinman"]),
    ("Waar gaat het geld van het vijverplan heen?", ["geld", "vijverplan"]),  # not how an amount is asked; "heen" is "waarheen"
])
def test_the_kind_of_amount_asked_is_no_key_term(question, terms):
    # The documents write "24%" and "€ 400": the word for the kind of amount need not be there.
    assert [t.word for t in question_terms(question)] == terms


@pytest.mark.parametrize("question, terms", [
    # "duurt" asks how long; it would make "... zal nog jaren voortduren" a sentence about the cursus.
    ("Hoe lang duurt de maaicursus?", ["maaicursus"]),
    ("Hoelang duurde de maaicursus?", ["maaicursus"]),
    # Asked with a count as well, the verb finds the sentence that gives the time among those with figures.
    ("Hoe lang duurde de maaicursus en hoeveel tuinmannen deden mee?", ["duurde", "maaicursus", "tuinmannen", "deden", "mee"]),
    ("Wat duurt er lang bij de maaicursus?", ["duurt", "lang", "maaicursus"]),
])
def test_the_verb_of_a_how_long_question_is_no_key_term(question, terms):
    assert [t.word for t in question_terms(question)] == terms


def test_how_many_items_to_name_is_no_key_term():
    # "drie" would otherwise match any "drie weken" of the documents.
    assert [t.word for t in question_terms("Noem drie soorten kikkers in de vijver.")] == ["soorten", "kikkers", "vijver"]
    assert [t.word for t in question_terms("Geef 2 redenen waarom padden verhuizen")] == ["redenen", "padden", "verhuizen"]
    # A count that names the thing itself stays: "de drie vijvers" of the park.
    assert [t.word for t in question_terms("Wat zijn de drie vijvers van het park?")] == ["drie", "vijvers", "park"]


def test_a_word_that_says_how_many_kinds_is_no_key_term():
    # "verschillende" shares its stem with "verschil": it would favour passages about differences.
    assert [t.word for t in question_terms("Welke verschillende kikkers leven in de vijver?")] == ["kikkers", "leven", "vijver"]
    assert [t.word for t in question_terms("Noem enkele oorzaken van kroos")] == ["oorzaken", "kroos"]
    # Asked about the differences themselves, the word stays.
    assert [t.word for t in question_terms("Wat zijn de verschillen tussen de vijvers?")][:1] == ["verschillen"]


def test_the_bound_of_a_yes_no_question_is_no_key_term():
    # The documents give the figure; the bound asked about need not be in them.
    assert [t.word for t in question_terms("Is het aantal kikkers groter dan 12.000?")] == ["aantal", "kikkers", "groter"]
    assert [t.word for t in question_terms("En klopt het dat er meer dan 40 vijvers zijn?")] == ["vijvers"]
    # In a question for the things themselves, the bound says which: it stays.
    assert [t.word for t in question_terms("Welke vijvers hebben meer dan 30 kikkers?")] == ["vijvers", "30", "kikkers"]
    assert [t.word for t in question_terms("Is het kroos in 2031 hoger dan in 2030?")] == ["kroos", "2031", "hoger", "2030"]


def test_the_verb_that_asks_for_a_price_is_no_key_term():
    assert [t.word for t in question_terms("Wat kost een nieuwe pomp voor de vijver?")] == ["nieuwe", "pomp", "vijver"]
    assert [t.word for t in question_terms("Hoeveel kostten de pompen?")] == ["pompen"]
    # The costs as a subject stay: "de kosten" of something.
    assert [t.word for t in question_terms("Wat zijn de kosten van het maaien?")] == ["kosten", "maaien"]


def test_what_the_passages_hold_is_covered():
    s = signals("Hoeveel vijvers telde het park in 2021?", VIJVERS)
    assert s.missing_specific == () and s.coverage == 1.0
    assert set(s.values) == set(REFUSAL_FEATURES)


def test_a_compound_whose_common_modifier_the_passages_never_use_is_missing():
    # Ranking still finds "avondonderwijs" by its head ("schoolbesturen" is written "besturen"),
    # but for refusal the modifier is what is asked: the passages are about lessons, not evening ones.
    text = "Het onderwijs over vijvers wordt gegeven door twee tuinmannen."
    question = "Hoe goed is het avondonderwijs over vijvers?"
    assert TermIndex([text]).contains(_term(question, "avondonderwijs"))
    assert "avondonderwijs" in signals(question, text).missing
    assert "avondonderwijs" not in signals(question, "Het avondonderwijs over vijvers is goed.").missing
    # ... unless the modifier is there by another name ("basisschool": the po).
    assert "basisschoolbesturen" not in signals("Wat doen basisschoolbesturen met vijvers?", "De po-besturen graven vijvers.").missing


def test_words_only_a_note_holds_are_missing_for_the_note_is_never_quoted():
    note = "12 De Kroosraad van het Waterschap Vlinderstad keurt nieuwe vijvers goed."
    texts = (note, VIJVERS)
    question = "Wat doet de Kroosraad van het waterschap?"
    as_notes = [replace(p, chunk=replace(p.chunk, kind="note")) if i == 0 else p for i, p in enumerate(passages(*texts))]
    s = refusal_signals(analyse_question(question), as_notes)
    assert "kroosraad" in s.missing_specific
    assert s.values["top_passage"] == pytest.approx(0.5)  # the best quotable passage's score
    assert signals(question, *texts).missing_specific == ()  # the same text as prose covers it


def test_words_a_footnote_that_explains_holds_are_not_missing_for_it_is_quoted():
    note = "12 Mus (2019). 13 De Kroosraad is een commissie van het waterschap die nieuwe vijvers goedkeurt."
    as_notes = [replace(p, chunk=replace(p.chunk, kind="note")) if i == 0 else p for i, p in enumerate(passages(note, VIJVERS))]
    s = refusal_signals(analyse_question("Wat doet de Kroosraad van het waterschap?"), as_notes)
    assert "kroosraad" not in s.missing_specific
    assert s.values["top_passage"] == pytest.approx(float(as_notes[0].score))  # the note is quoted: it counts


def test_the_words_that_name_a_source_are_never_missing():
    matcher = SourceMatcher.of_documents([
        SimpleNamespace(id="v.txt", title="De Toestand van de Vijvers", publisher="Bureau Vlinder", aliases=(), year=2022)
    ])
    s = signals("Hoeveel vijvers telt het park volgens Bureau Vlinder?", VIJVERS, matcher=matcher)
    assert "bureau" not in s.missing and "vlinder" not in s.missing
    # A document's year in a question usually names the source ("het rapport van 2022").
    assert "2022" not in signals("Wat zegt het rapport van 2022 over vijvers?", VIJVERS, matcher=matcher).missing_specific
    assert "2022" not in signals("Wat zegt het vijverrapport uit 2022?", VIJVERS, matcher=matcher).missing_specific
    # The same year as the time asked about is as specific as any other year.
    assert "2022" in signals("Hoeveel vijvers telde het park in 2022?", VIJVERS, matcher=matcher).missing_specific


def test_a_follow_up_borrows_the_previous_question_for_coverage_only():
    history = [Turn("user", "Hoeveel vijvers telde het park?"), Turn("assistant", "14 [1]")]
    alone = signals("En in 2021?", VIJVERS)
    follow_up = signals("En in 2021?", VIJVERS, history=history)
    assert follow_up.coverage == 1.0 and alone.missing == ()


def test_the_model_refuses_above_its_threshold_with_a_dutch_reason():
    n = len(REFUSAL_FEATURES)
    on_missing = tuple(3.0 if f == "missing_specific" else 0.0 for f in REFUSAL_FEATURES)
    model = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, on_missing, -1.0), threshold=0.5)
    refused = model.decide(signals("Hoeveel vijvers telde Kikkerdorp?", VIJVERS))
    assert refused.refuse and refused.reason == "Geen van de gevonden passages noemt ‘Kikkerdorp’." and refused.probability > 0.5
    assert not model.decide(signals("Hoeveel vijvers telde het park?", VIJVERS)).refuse
    assert model.refuse_empty().refuse
    assert model.refuse_empty().reason == "Er zijn geen passages gevonden die bij uw vraag passen."


def test_the_reason_quotes_the_words_as_typed_and_reads_as_a_sentence():
    n = len(REFUSAL_FEATURES)
    always = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 5.0), threshold=0.5)
    specific = always.decide(signals("Hoeveel vijvers telde Kikkerdorp in Zuid-Ëiland in 1887?", VIJVERS)).reason
    # A hyphenated word is quoted whole, once ("Zuid-Ëiland", not "Zuid" and "Ëiland").
    assert specific == "Geen van de gevonden passages noemt ‘Kikkerdorp’, ‘Zuid-Ëiland’ en ‘1887’."
    general = always.decide(signals("Hoe groot zijn de tulpenvelden?", VIJVERS)).reason
    assert general.startswith("De gevonden passages gaan niet over ‘") and general.endswith("’.")
    for reason in (specific, general):
        assert "eiland" not in reason and "cosinus" not in reason and "score" not in reason


def test_never_refuses_and_the_bundled_model_loads_with_a_threshold():
    assert not RefusalModel.never().decide(signals("Wat kost een olifant?", RIET)).refuse
    bundled_model = bundled("refusal")
    assert bundled_model.features == REFUSAL_FEATURES and 0 < bundled_model.threshold < 1


def test_pointers_to_the_conversation_are_not_key_terms():
    assert [t.word for t in question_terms("En welke kleur heeft het riet daarin?")] == ["kleur", "riet"]


def test_term_index_finds_inflections_and_compound_parts():
    index = TermIndex(["De verbouwing van vijvers gaat door.", "Er zijn veel visvijvers in het oosten."])
    present = {t.word: index.contains(t) for t in question_terms("Hoe verbouwd zijn de vijvers, en waar zijn de visvijvers? Kikkerdorp?")}
    assert present == {"verbouwd": True, "vijvers": True, "visvijvers": True, "kikkerdorp": False}


@pytest.mark.parametrize("text, found", [
    ("De visvijvers liggen in het oosten.", True),  # the end of a compound
    ("De vijverrand is van steen.", True),  # its start
    ("Alle parkvijverranden zijn van steen.", True),  # after a modifier that is a word ("park")
    ("Het onderhoudsschema hangt in de schuur.", False),  # "vijver" nowhere
])
def test_a_term_inside_a_longer_word_is_found_only_as_a_part_of_it(text, found):
    vijver = _term("Hoeveel vijvers zijn er?", "vijvers")
    assert TermIndex([text]).contains(vijver) is found
    kroos = _term("Wat is kroos?", "kroos")
    assert not TermIndex(["Het werkrooster hangt in de schuur."]).contains(kroos)  # across "werk|rooster"


def test_a_compound_is_found_by_its_head_only_when_parts_are_allowed():
    watertekort = question_terms("Hoe groot is het watertekort?")[-1]
    assert watertekort.word == "watertekort"
    assert TermIndex(["Het tekort aan water is groot."]).contains(watertekort)
    assert not TermIndex(["Het tekort aan water is groot."]).contains(watertekort, parts=False)
    assert TermIndex(["Het watertekort is groot."]).contains(watertekort, parts=False)


def test_a_noun_ending_is_no_head_of_a_compound():
    # "vriend|schap": "schap" makes a noun, it names nothing of its own to find in "broederschap".
    vriendschap = _term("Wat zegt het plan over vriendschap?", "vriendschap")
    assert not TermIndex(["De broederschap van de vissers kwam bijeen."]).contains(vriendschap)
    assert TermIndex(["De vriendschap tussen de vissers groeide."]).contains(vriendschap)


def test_a_share_in_words_is_found_as_its_percentage_and_back():
    tiende = _term("Bij hoeveel vijvers is meer dan een tiende bedekt met kroos?", "tiende")
    assert TermIndex(["Bij 12 vijvers is meer dan 10% bedekt met kroos."]).contains(tiende)
    assert not TermIndex(["Bij 12 vijvers is meer dan 20% bedekt met kroos."]).contains(tiende)
    kwart = _term("Is 25% van de vijvers diep?", "25")
    assert TermIndex(["Een kwart van de vijvers is diep."]).contains(kwart)


def test_a_question_word_is_found_where_a_passage_uses_another_word_for_the_same_thing():
    terms = {t.word: t for t in question_terms("Hoeveel juffen en schoolhoofden werken op de basisschool van Vijverdorp?")}
    index = TermIndex(["In het po werken in Kikkerstad 40 leraren en 3 schooldirecteuren."])
    assert index.contains(terms["juffen"]) and index.contains(terms["schoolhoofden"]) and index.contains(terms["basisschool"])
    assert not index.contains(terms["vijverdorp"])  # a name has no other words
    # Any word of the group finds the others, the reports' word as well as the user's.
    leraren = question_terms("Hoeveel leraren zijn er?")[0]
    assert TermIndex(["De juf leest voor."]).contains(leraren)
    assert not TermIndex(["De tuinman maait het riet."]).contains(leraren)
    s = signals("Hoeveel juffen werken er in het park?", "In het park werken 12 leraren.")
    assert "juffen" not in s.missing
    voltijdbanen = _term("Hoeveel voltijdbanen telt het park?", "voltijdbanen")
    assert TermIndex(["Het park telt 12 fte aan tuinmannen."]).contains(voltijdbanen)
    maatregelen = _term("Welke maatregelen helpen de kikkers?", "maatregelen")
    assert TermIndex(["Het plan noemt drie acties voor de vijver."]).contains(maatregelen)
    # As the head of a compound too: "vijvergeld" is found where a passage writes "vijvermiddelen".
    vijvergeld = _term("Waar gaat het vijvergeld heen?", "vijvergeld")
    assert TermIndex(["De vijvermiddelen gaan naar het riet."]).contains(vijvergeld)
    assert not TermIndex(["De middelen gaan naar het riet."]).contains(vijvergeld)
    # Receiving and money: "krijgen" / "ontvangen", "geld" / "middelen" / "budget".
    terms = {t.word: t for t in question_terms("Hoeveel vijvers krijgen geld voor riet?")}
    index = TermIndex(["In 2024 ontvingen 12 vijvers middelen voor het maaien van riet."])
    assert index.contains(terms["krijgen"]) and index.contains(terms["geld"])


def test_countries_at_large_are_found_where_a_passage_names_a_country():
    landen = _term("Welke landen maaien hun riet met de hand?", "landen")
    assert TermIndex(["Ook in Finland maait men het riet met de hand."]).contains(landen)
    assert TermIndex(["De Finse tuinmannen maaien met de hand."]).contains(landen)
    assert not TermIndex(["In Vijverdorp maait men het riet met de hand."]).contains(landen)


def test_a_modal_verb_in_any_tense_is_no_key_term():
    asked = {t.word for t in question_terms("Hoeveel kikkers konden, zullen of mochten er in de vijver zwemmen?")}
    assert asked == {"kikkers", "vijver", "zwemmen"}


def test_a_name_is_not_found_inside_other_words():
    index = TermIndex(["De bosrandvogels broeden in het hele land."])
    name = _term("Hoeveel vogels broeden er in Randland?", "randland")
    assert name.is_name and not index.contains(name)


def test_a_capital_letter_after_a_word_is_a_name_with_that_word():
    terms = {t.word: t for t in question_terms("Hoeveel vijvers heeft Park B, volgens Bijlage C bij het vmbo-b-plan?")}
    assert terms["b"].is_name and terms["b"].name == ("park", "b") and terms["c"].name == ("bijlage", "c")
    index = TermIndex(["In Park B liggen vier vijvers.", "Het vmbo-b ligt aan de rand van Park A."])
    assert index.contains(terms["b"]) and not index.contains(terms["c"])
    assert not TermIndex(["Het vmbo-b ligt aan de rand van het park; b staat voor basis."]).contains(terms["b"])
    s = signals("Hoeveel vijvers heeft Park B?", "Park A heeft 14 vijvers, en park C heeft er 3.")
    assert s.missing_specific == ("b",) and signals("Hoeveel vijvers heeft Park B?", "Park B heeft 2 vijvers.").missing_specific == ()
    # Not a name: a letter after a short word, or the pronoun.
    assert {t.word for t in question_terms("Wat is A? Kunt U de vijvers noemen?")} == {"vijvers"}


def test_a_verb_in_the_present_tense_is_found_in_its_other_forms():
    falls = _term("Waarom daalt het aantal kikkers?", "daalt")
    decides = _term("Wat bepaalt de keuze van de tuinmannen?", "bepaalt")
    assert TermIndex(["Het aantal kikkers daalde in 2031."]).contains(falls)
    assert TermIndex(["Het weer bepaalde hun keuze."]).contains(decides)
    assert not TermIndex(["Het aantal kikkers groeide in 2031."]).contains(falls)


def test_a_comparative_before_dan_is_found_in_its_adjective():
    younger = _term("Hoeveel kikkers zijn jonger dan twee jaar?", "jonger")
    larger = _term("Is de vijver groter dan de sloot?", "groter")
    assert TermIndex(["Het aandeel jonge kikkers (< 2 jaar) is 30%."]).contains(younger)
    assert TermIndex(["De grote vijver ligt in het park."]).contains(larger)
    # Without "dan" a word in -er is no comparative: "water" is not "waat".
    water = _term("Hoe schoon is het water in de vijver?", "water")
    assert water.alternatives == ()


def test_capitals_joined_by_an_ampersand_are_one_name():
    # Not the letter "W" after "voor": "W&T" names a subject as a whole.
    terms = question_terms("Hoe scoren de vijvers voor W&T?")
    assert [t.word for t in terms] == ["scoren", "vijvers", "w&t"] and terms[2].is_letter_name
    assert TermIndex(["De W&T-lessen gaan over vijvers."]).contains(terms[2])
    assert not TermIndex(["De lessen over water (W) en techniek (T)."]).contains(terms[2])


@pytest.mark.parametrize("question", ["Hoeveel vijvers zijn er?", "Waarom groeit het riet?"])
def test_signals_are_finite_numbers(question):
    s = signals(question, VIJVERS, RIET)
    assert all(isinstance(v, float) for v in s.values.values())


def test_between_caution_and_threshold_the_answer_is_given_but_uncertain():
    n = len(REFUSAL_FEATURES)
    on_missing = tuple(3.0 if f == "missing_specific" else 0.0 for f in REFUSAL_FEATURES)
    linear = LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, on_missing, -1.0)
    sure = signals("Hoeveel vijvers telde het park?", VIJVERS)  # p = sigmoid(-1) = 0.27
    doubtful = RefusalModel(linear, threshold=0.5, caution=0.2).decide(sure)
    assert not doubtful.refuse and doubtful.uncertain
    assert not RefusalModel(linear, threshold=0.5, caution=0.3).decide(sure).uncertain
    assert not RefusalModel(linear, threshold=0.5).decide(sure).uncertain  # no caution: none marked
    refused = RefusalModel(linear, threshold=0.5, caution=0.2).decide(signals("Hoeveel vijvers telde Kikkerdorp?", VIJVERS))
    assert refused.refuse and not refused.uncertain


def test_a_sentence_that_holds_every_key_term_and_the_kind_of_answer_asked_is_answered_with_a_caution():
    n = len(REFUSAL_FEATURES)
    always = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 5.0), threshold=0.5, caution=0.2)
    analysis = analyse_question("Hoeveel vijvers telde het park?")
    held = refusal_signals(analysis, passages(VIJVERS), best_overlap=1.0, type_found=True)
    decision = always.decide(held)
    assert not decision.refuse and decision.uncertain
    # Not when the best sentence lacks a key term, a key term is missing, or the kind of answer is.
    assert always.decide(refusal_signals(analysis, passages(VIJVERS), best_overlap=0.8, type_found=True)).refuse
    assert always.decide(refusal_signals(analysis, passages(VIJVERS), best_overlap=1.0, type_found=False)).refuse
    kikkerdorp = analyse_question("Hoeveel vijvers telde Kikkerdorp?")
    assert always.decide(refusal_signals(kikkerdorp, passages(VIJVERS), best_overlap=1.0, type_found=True)).refuse


def test_the_bundled_model_marks_uncertain_answers_below_its_threshold():
    model = RefusalModel()
    assert model.caution is not None and 0 < model.caution < model.threshold
    assert RefusalModel.never().caution is None


def test_the_reason_names_the_rarest_missing_words_in_question_order():
    n = len(REFUSAL_FEATURES)
    always = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 5.0), threshold=0.5)
    reason = always.decide(signals("Welke tuinen gebruiken verlichting, bestrating, bankjes en bloembakken?", VIJVERS)).reason
    assert reason == "De gevonden passages gaan niet over ‘bestrating’, ‘bankjes’ en ‘bloembakken’."


def test_the_reason_never_says_the_passages_are_not_about_a_very_common_word():
    n = len(REFUSAL_FEATURES)
    always = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 5.0), threshold=0.5)
    # "krijgen" is all the passages lack: that says nothing of what they lack.
    reason = always.decide(signals("Hoeveel vijvers krijgen er in het park?", VIJVERS)).reason
    assert reason == "De gevonden passages geven geen antwoord op deze vraag."


def test_the_reason_never_says_the_passages_are_not_about_a_preposition():
    n = len(REFUSAL_FEATURES)
    always = RefusalModel(LinearModel("t", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 5.0), threshold=0.5)
    # "vijvers" is in the passages; "per" and "tijdens" are not, but no question is about them.
    reason = always.decide(signals("Hoeveel vijvers per park tijdens de zomer?", VIJVERS + " In de zomer.")).reason
    assert "per" not in reason and "tijdens" not in reason
    assert reason == "De gevonden passages geven geen antwoord op deze vraag."
    # Nor about a verb's particle on its own ("doen ... mee").
    reason = always.decide(signals("Hoeveel vijvers doen mee?", VIJVERS)).reason
    assert reason == "De gevonden passages geven geen antwoord op deze vraag."


# ------------------------------------------------- what no test held (found by negating each condition)


def test_the_threshold_is_the_given_one_else_the_models_else_one_half():
    n = len(REFUSAL_FEATURES)
    fitted = LinearModel("r", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, threshold=0.7)
    unfitted = LinearModel("r", REFUSAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0)
    assert RefusalModel(fitted).threshold == 0.7
    assert RefusalModel(fitted, threshold=0.3).threshold == 0.3
    assert RefusalModel(unfitted).threshold == 0.5


def test_a_refusal_by_a_check_keeps_the_signals_it_was_given_and_has_zeros_without():
    signals = RefusalSignals({f: 0.25 for f in REFUSAL_FEATURES}, ("kroos",), ())
    assert RefusalModel().refuse_without_year("2031", signals).signals is signals
    empty = RefusalModel().refuse_empty()
    assert empty.refuse and set(empty.signals.values) == set(REFUSAL_FEATURES)
    assert not any(empty.signals.values.values())


def test_the_best_cosines_are_those_of_the_top_passages_and_their_sentences():
    found = [replace(p, dense_score=d, sentence_score=s)
             for p, d, s in zip(passages(VIJVERS, RIET), (0.81, 0.86), (0.90, 0.84))]
    question = analyse_question("Hoeveel vijvers telde het park?")
    values = refusal_signals(question, found).values
    assert values["top_dense"] == pytest.approx(0.86) and values["top_sentence_dense"] == pytest.approx(0.90)
    # Without sentence vectors the passages' own cosine stands in; without either, zero.
    plain = refusal_signals(question, [replace(p, sentence_score=None) for p in found]).values
    assert plain["top_sentence_dense"] == pytest.approx(0.86)
    bare = [replace(p, dense_score=None, sentence_score=None) for p in found]
    assert refusal_signals(question, bare).values["top_dense"] == 0.0
