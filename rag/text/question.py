"""What a question asks: its key terms, the kind of answer it wants, and the source it names.

One analysis, shared by ranking, sentence choice and refusal, so that "a number is asked"
or "the question names the inspectie" means the same in every stage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from rag.text.analysis import POINTER_ADVERB, POINTER_WORD, PREPOSITIONS, SUPERLATIVE_STEMS, SUPERLATIVES_AFTER_HET, YEAR, fold, numbers, words
from rag.text.sectors import sectors
from rag.text.terms import QuestionTerm, question_terms, term_weight
from rag.text.sources import SourceMatcher, SourceMention

Intent = Literal["number", "date", "place", "list", "explain", "define", "other"]

_NUMBER_QUESTION = re.compile(
    r"\b(hoeveel|hoelang|hoe\s+(groot|hoog|veel|vaak|lang|klein|duur|oud)|welk(e)?\s+(percentage|aandeel|bedrag|aantal|deel)|"
    r"hoeveelste|wat\s+(kost(?:en|te|ten)?|verdien(?:t|en|de|den)?|bedraagt|is\s+het\s+(aantal|percentage|aandeel|bedrag))|"
    # "Wat is het gemiddelde salaris ...?", "Wat zijn de kosten van ...?", "Wat is het tekort aan
    # tuinmannen?", "Wat is de omvang van ...?", "Wat is de gemiddelde leeftijd van ...?": an amount.
    r"wat\s+(is|was|zijn|waren)\s+(het|de)\s+(\w+\s+)?(salaris|loon|budget|prijs|kosten|bedrag|aantal|percentage|aandeel|"
    r"\w*tekort|\w*tekorten|omvang)|wat\s+(is|was|zijn|waren)\s+(het|de)\s+(gemiddeld\w*|mediaan))\b"
)
#: A question that opens by asking something else, with the amount in a clause of its own:
#: "Waarom weet niemand hoeveel ...?", "Waarop is gebaseerd hoeveel ...?", "Hoe wordt bepaald
#: hoeveel ...?", "Wie bepaalt hoe groot ...?" ask why, on what, how, who; not how much.
_OTHER_OPENING = re.compile(r"(?:waar[a-z]+|wie|hoe\s+(?!groot|hoog|veel|vaak|lang|klein|duur|oud)[a-z]+)\b")
_DATE_QUESTION = re.compile(
    r"\b(wanneer|sinds\s+wanneer|vanaf\s+wanneer|tot\s+wanneer|per\s+wanneer|welke\s+datum)\b|"
    r"(^|\b(in|tot|vanaf|sinds|na|voor|per)\s+)(welk\s+(jaar|schooljaar|kalenderjaar|collegejaar)|welke\s+(maand|periode))\b"
)
_LIST_QUESTION = re.compile(
    r"^(welke|wat\s+zijn|noem|geef)\b|\b(welke\s+\w+\s+(noem|noemt|noemen|stelt|stellen|zijn|worden|bestaan))\b"
)
_PLACE_QUESTION = re.compile(r"^(waar|(in\s+)?welke\s+(regio|regio's|provincie|provincies|gemeente|gemeenten|stad|steden|plaats|plaatsen|delen))\b")
#: "Waar ... aan/mee/over ...?" is "waaraan", "waarmee", "waarover" split in two: it asks what, not
#: where ("Waar besteden ze het geld aan?", "Waar lopen ze tegenaan?"). The particle stands near the
#: end, before the verbs.
_WAAR_PARTICLE = re.compile(
    r"^waar\b.*\s(?:(?:aan|over|mee|voor|door|van|uit|toe|om|tegen)(\s+[^\W\d_]+){0,2}"
    # These also open a place ("op scholen", "in het noorden"): split off only as the last word.
    r"|(?:op|in|naar|bij|tegenaan|tegenin|naartoe|heen))\s*\W*$"
)
#: Words that open a question without being part of it: a follow-up's "En ...", "Maar ...".
_OPENING_WORDS = re.compile(r"^(?:(?:en|maar|dus|of|ok|oke|nou)\b[\s,]*)+")
#: A polite frame around the question itself: "Kun je me vertellen welke ...", "Ik wil graag weten
#: hoeveel ...", "Weet u wat ... is?", "Ik ben benieuwd waarom ...". Its words ("vertellen",
#: "weten") are no key terms, and the question's kind is that of the question inside.
_FRAME = re.compile(
    r"^(?:(?:kun|kunt|kan|wil|wilt|zou|zoudt)\s+(?:je|jij|u|jullie)\s+(?:me\s+|mij\s+|ons\s+)?(?:eens\s+|even\s+)?"
    r"(?:vertellen|uitleggen|zeggen|aangeven|toelichten|opzoeken|nagaan|laten\s+weten)|(?:ik\s+)?(?:wil|zou)\s+(?:graag\s+)?"
    r"(?:willen\s+)?weten|(?:weet|weten)\s+(?:je|jij|u|jullie)(?:\s+ook)?|ik\s+(?:vraag|vroeg)\s+me\s+af|ik\s+ben\s+benieuwd|"
    r"vertel\s+(?:me|mij|ons|eens)|leg\s+(?:me\s+|mij\s+|ons\s+)?(?:eens\s+)?uit)\s*[,:]?\s+"
    r"(?=(?:wat|welke|welk|wie|waar\w*|waarom|wanneer|hoe\w*|hoeveel|of|sinds|vanaf|in\s+welk\w*|over)\b)",
    re.IGNORECASE,
)
#: The definition question inside a frame, its verb last: "(Weet je) wat een [vijverplan] is?".
_DEFINED_INSIDE = re.compile(
    r"^wat\s+(?:de\s+|het\s+|een\s+)?(?P<subject>[^\W\d_][^?!.,;:]*?)\s+(?:is|zijn|betekent|betekenen|inhoudt|inhouden)\W*$"
)
_EXPLAIN_QUESTION = re.compile(
    r"\b(waarom|hoe\s+kan\s+het|hoe\s+komt\s+het|waardoor|hoe\s+verklaar|wat\s+verklaart|"
    # "Wat is (volgens de inspectie) de belangrijkste reden ...?"
    r"wat\s+(?:is|was)\s+(?:volgens\s+(?:[^\W\d_]+\s+){1,6}?)?de\s+(?:belangrijkste\s+|voornaamste\s+)?(?:reden|oorzaak|verklaring|aanleiding)\b|"
    # "Om welke reden ...?", "Waaraan ligt het dat ...?", "Hoe ontstaat ...?", "Wat leidt tot ...?": a
    # reason too. ("Wat zijn de oorzaken van ...?" asks for a list of them.)
    r"om\s+welke\s+reden(?:en)?|waaraan\s+ligt\s+het|hoe\s+(?:ontstaat|ontstaan|ontstond|ontstonden)|wat\s+(?:leidt|leidde)\s+tot)"
)
#: "Hoe werkt de vijverpas?", "Wat doet een kroosmeester?": how it goes, told in words, not
#: figures (explain intent).
_HOW_QUESTION = re.compile(r"^hoe\s+(?:werkt|werken)\b|^wat\s+(?:doet|doen)\b")
#: So is what someone can or should do, though it asks no reason: "Wat kunnen tuinmannen doen
#: tegen kroos?", "Hoe kan een gemeente het kroos aanpakken?".
_ACTION_QUESTION = re.compile(
    r"^wat\s+(?:kan|kun|kunt|kunnen|moet|moeten|zou|zouden|mag|mogen)\s+(?:[^\W\d_]+\s+){1,6}?(?:doen|ondernemen)\b|"
    r"^hoe\s+(?:kan|kun|kunt|kunnen|moet|moeten|zou|zouden)\s+(?!het\b|dat\b|je\s+zien\b)(?:[^\W\d_]+\s+){1,6}?"
    r"(?:aanpakken|tegengaan|voorkomen|oplossen|verbeteren|bestrijden|verminderen|versterken|ondersteunen|begeleiden|behouden)\b"
)
#: Asking to explain: "Kun je ... uitleggen?", "Wilt u ... toelichten?".
_ASKING = r"(?:kun|kunt|kan|wil|wilt)\s+(?:je|jij|u)"
_EXPLAIN_VERBS = r"(?:uitleggen|toelichten|beschrijven|omschrijven)"
_DEFINE_QUESTION = re.compile(
    r"^(wat\s+(is|zijn)(?!\s+er\b)|wat\s+(betekent|betekenen|verstaat|verstaan|bedoelt|bedoelen)|"
    # "Wat houdt X in?"; not "Wat houdt scholen tegen?" or "... bezig?", other verbs of "houden".
    r"wat\s+(houdt|houden)\b(?=.*\bin\b)(?!.*\b(?:tegen|bezig|vast|stand|vol)\b)|"
    r"wat\s+wordt\s+(er\s+)?(bedoeld|verstaan)|wat\s+is\s+het\s+verschil|hoe\s+(wordt|worden)\s.+\s(gedefinieerd|omschreven))\b|"
    r"^waar\s+staat\s+.+\s+voor\W*$|"
    # Asked to explain a thing: "Kun je X uitleggen?", "Licht X toe.", "Leg X uit.", "Beschrijf X."
    rf"^{_ASKING}\s+.+\s+{_EXPLAIN_VERBS}\W*$|"
    r"^(?:leg|licht)\s+.+\s+(?:uit|toe)\W*$|^(?:beschrijf|omschrijf)\b"
)
#: "Wanneer spreekt het plan van een kroosdek?", "Wanneer spreek je van X?": what X is taken to be.
_SPEAKS_OF = re.compile(r"^wanneer\s+(?:spreekt|spreken|spreek)\s.*?\bvan\s+\S")
#: "Wat zijn kroosvijvers?": a bare plural of one to three words asks what they are; "Wat zijn de
#: oorzaken van ...?" and "Wat zijn belangrijke redenen om ...?" ask for a list.
_WHAT_ARE = re.compile(
    r"^wat\s+zijn\s+(?!(?:de|het|die|deze|dat|dit|er|volgens|nu|dan|daar|hier|nou|toch|eigenlijk|precies|hun|onze|jullie|uw|zijn|haar|alle|enkele|veel|welke)\b)"
    r"[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*){0,2}\s*\?*\s*$"
)
#: "Wat is (volgens het plan) nodig voor schone vijvers?" asks what it takes, not what "nodig" is;
#: so with any adjective said of the asked thing: "Wat is belangrijk bij het maaien?", "Wat is nog
#: onduidelijk over kroos?", "Wat is effectief tegen kroos?". The adjective is predicative when a
#: preposition, "om"/"dat" or the question's end follows it ("Wat is effectief maaien?" asks what
#: effectief maaien is); it is known by its suffix or as one of the common ones without one, and may
#: come after a focusing adverb ("nog", "vooral").
_PREDICATE_ADJECTIVE = (
    r"(?:nodig|noodzakelijk|vereist|goed|slecht|beter|best|belangrijk\w*|bekend|onbekend|nieuw|anders|sterk|zwak|zeker|onzeker"
    r"|helder|juist|fout|groot|klein|moeilijk|makkelijk|gemakkelijk|lastig|kenmerkend|opvallend|gangbaar"
    r"|[^\W\d_]{3,}(?:lijk|ig|baar|isch|ief|vol|loos|zaam))"
)
#: What may follow a predicative adjective: a preposition, or a clause ("om te", "dat", "als", "wanneer").
_AFTER_PREDICATE = "|".join(sorted(PREPOSITIONS | {"als", "dat", "wanneer"}))
_PREDICATE_ASKED = re.compile(
    r"^wat\s+(?:is|zijn)\s+(?:volgens\s+(?:[^\W\d_]+\s+){1,5}?)?(?:(?:nog|ook|vooral|echt|wel|niet|al|zo|heel|erg|meestal|vaak)\s+)*"
    rf"{_PREDICATE_ADJECTIVE}(?=\s*[?,.!]*\s*$|\s*,|\s+(?:{_AFTER_PREDICATE})\b)"
    r"|^wat\s+(?:is|zijn)\s+(?:[^\W\d_]+\s+){0,6}?(?:nodig|noodzakelijk|vereist)\b"
)
#: "Wat betekent het tekort voor de leerlingen?" asks what follows from it, not what it means.
_MEANS_FOR = re.compile(r"^wat\s+(betekent|betekenen)\b.*\svoor\s")
#: What a definition question asks to define: "Wat is een [kroosdek] in de vijver?",
#: "Wat houdt het [vijverplan] in?", "Waar staat [vbp] voor?", "Wat verstaat het rapport onder [X]?",
#: "Wat wordt bedoeld met [X]?", "Hoe wordt [X] gedefinieerd?".
_DEFINED = re.compile(
    r"^(?:wat\s+(?:is|zijn|betekent|betekenen|houdt|houden)|waar\s+staat|"
    # One verstaat X "onder" Y and bedoelt Y "met" X: "Wat verstaat het plan bij vijvers met kroos onder ..."
    r"wat\s+(?:verstaat|verstaan)\s.*?\bonder|wat\s+(?:bedoelt|bedoelen)\s.*?\bmet|wat\s+wordt\s+(?:er\s+)?(?:verstaan\s+onder|bedoeld\s+met)|"
    r"wanneer\s+(?:spreekt|spreken|spreek)\s.*?\bvan|"
    r"hoe\s+(?:wordt|worden))"
    # "Wat zijn daar de gamechangers?", "Wat is nu eigenlijk een kroosdek?", "Wat is daarvoor de
    # aanpak?": the adverbs are no part of it.
    rf"(?:\s+(?:daar|hier|dan|nu|nou|eigenlijk|precies|toch|{POINTER_ADVERB}))*"
    r"\s+(?:de\s+|het\s+|een\s+)?(?:(?:betekenis|definitie|omschrijving)\s+van\s+(?:de\s+|het\s+|een\s+)?)?"
    r"(?:(?:term|begrip|woord|afkorting)\s+)?(?P<subject>[^\W\d_][^?!.,;:]*?)"
    r"(?:\s+(?:in|op|voor|waar|waarover|dat|die|volgens|precies|eigenlijk|nou|dan|genoemd|bij|binnen|gedefinieerd|omschreven|en\s+(?:wie|wat|hoe|waar|waarom|wanneer|welke|hoeveel))\b.*)?\W*$"
)
_QUOTES = re.compile(r"[‘’“”\"]|(?<!\w)'|'(?!\w)")
#: A name in quotes: "‘water in de stad’", as a follow-up or an ordinal names a list item.
_QUOTED_NAME = re.compile(r"[‘“\"]([^’”\"]+)[’”\"]")


def _unquoted(folded: str) -> str:
    """Without quotes around words ("Kun je ‘X’ uitleggen?", as a follow-up names a list item)."""
    return " ".join(_QUOTES.sub("", folded).split())


#: "Kun je X uitleggen?", "Licht X toe.", "Leg X uit.", "Beschrijf X.": X is what to explain.
_DEFINED_IMPERATIVE = re.compile(
    rf"^(?:{_ASKING}|leg|licht|beschrijf|omschrijf)\s+(?:de\s+|het\s+|een\s+)?"
    rf"(?:(?:term|begrip|woord|afkorting)\s+)?(?P<subject>[^\W\d_][^?!.,;:]*?)(?:\s+(?:{_EXPLAIN_VERBS}|uit|toe))?\W*$"
)
# "%" is no word: "\b%" would need a letter before it ("Hoeveel % van ...").
_PERCENT_QUESTION = re.compile(r"\b(percentage|procent|aandeel|deel\s+van)|%")
#: Questions about two sources or things side by side.
_COMPARISON = re.compile(
    r"\b(verschil\w*|vergelijk\w*|beide|zowel|overeenkomst\w*|tegenover|naast\s+elkaar)\b"
)
#: Questions that ask for an amount of money, and sentences that give one.
_MONEY_QUESTION = re.compile(
    r"\b(wat\s+kost\w*|kosten|kost|prijs|prijzen|bedrag\w*|hoeveel\s+(geld|euro|subsidie|financiering|middelen)|verdien\w*|salaris\w*|loon|"
    r"collegegeld|lesgeld|budget)\b"
)
#: Money named as the topic, not asked: after "over" ("tevreden over hun salaris") or in a
#: clause of condition or cause ("Wat gebeurt er als het salaris niet stijgt?").
_MONEY_AS_TOPIC = re.compile(r"\b(?:(?:over|rond|rondom|omtrent)\s+(?:[^\W\d_]+\s+){0,2}|(?:als|wanneer|indien|omdat|doordat)\s.*)$")
#: A question that asks for a share by its question words ("Welk percentage van de leraren is
#: tevreden over het salaris?"): the share is the amount asked, whatever money it is about.
_ASKS_SHARE = re.compile(
    r"\b(?:welk\w*|hoeveel|(?:wat|hoe\s+groot)\s+(?:is|was|zijn|waren)\s+(?:het|de))\s+(?:percentage|procent|aandeel|deel)\b"
)
#: "Hoe lang ...?", "Hoelang ...?": a span of time is asked (`asks_duration`).
_DURATION_QUESTION = re.compile(r"\b(hoe\s+lang|hoelang)\b")
MONEY = re.compile(r"€|\beuro\b|\b(miljoen|miljard|bedrag\w*|salarisschaal)\b")
#: Questions that ask for the top of a ranking ("welke ... het hoogste"), and sentences that rank.
_SUPERLATIVES = "|".join(f"{s}e" for s in SUPERLATIVE_STEMS)
#: "Waar is het tekort het grootst?", "Wat wordt het meest genoemd?": the superlative after "het"
#: has no -e, and "het meest" ranks too ("het best" is left out: "best" also means "quite").
_SUPERLATIVES_AFTER_HET = "|".join(SUPERLATIVES_AFTER_HET)
_SUPERLATIVE_QUESTION = re.compile(rf"\b({_SUPERLATIVES})\b|\bhet\s+({_SUPERLATIVES_AFTER_HET})\b")
SUPERLATIVE = re.compile(rf"\b({_SUPERLATIVES}|meest|minst)\b")
#: "Wat is de grootste bedreiging ...?" asks which one ranks first, not what a bedreiging is.
_WHICH_RANKS = re.compile(rf"^wat\s+(?:is|zijn)\s+(?:de|het)\s+(?:{_SUPERLATIVES}|meeste|minste)\b")


#: A question that states a claim to check: "Klopt het dat ...?", "Is het waar dat ...?".
_CLAIM = re.compile(r"^(?:en\s+)?(?:klopt\s+het|kan\s+het\s+kloppen|is\s+het\s+(?:waar|zo|juist|correct))\s+dat\b")


def states_claim(question: str) -> bool:
    """Whether `question` states a claim to check ("Klopt het dat 40% van de vijvers ...?"): its
    figures are the claim's, which the documents may correct with figures of their own."""
    return bool(_CLAIM.match(fold(question).strip()))


def is_superlative(word: str) -> bool:
    """Whether a (folded) word is a superlative that ranks: "grootst", "hoogste", "meest"."""
    return word in SUPERLATIVE_STEMS or (word.endswith("e") and word[:-1] in SUPERLATIVE_STEMS)


#: A year that names a document ("het rapport van 2024", "de editie 2023"), not a time the question asks about.
_DOCUMENT_YEAR = re.compile(
    r"\b\w*(?:rapport|document|publicatie|editie|uitgave|versie|monitor|agenda|plan|staat|verslag|notitie|brief)\w*"
    r"\s+(?:van\s+|uit\s+)?((?:19|20)\d\d)\b"
)
#: The ways a user addresses Bronwijzer.
ADDRESSEE = r"(?:je|jij|u|jullie|bronwijzer)"
#: A question for Bronwijzer's own view ("Wat vind jij van ...?", "Ben je het eens met ...?"):
#: answered with what the documents say, and the answer says that is all it is. Its words are
#: the question's form, not its subject: no key terms.
_OPINION = re.compile(
    rf"(?:\b(?:wat|hoe) (?:vind|denk|zie) {ADDRESSEE}|^vind {ADDRESSEE}|\bben {ADDRESSEE} het(?: \w+)*? eens|"
    rf"\b(?:je|jouw|uw) (?:eigen )?(?:mening|oordeel|standpunt|advies)|"
    # "Wat moet ik doen?" asks advice; "Wat moet ik weten over ...?" asks what the documents say.
    rf"\bwat (?:zou|moet) ik(?!(?: moeten)? weten\b))\b",
    re.IGNORECASE,
)
#: What an answer to such a question says above it.
OPINION_NOTE = "Bronwijzer heeft geen eigen mening of advies; hieronder staat wat de documenten erover zeggen."
#: Verbs that say what a source does in a question that names it ("het actieplan stelt voor",
#: "de inspectie constateert"): the question's form, not its subject.
_REPORTING = frozenset(
    """
    zegt zeggen zei stelt stellen voorstelt voorstellen noemt noemen beschrijft beschrijven schrijft schrijven
    meldt melden rapporteert concludeert concluderen constateert constateren signaleert signaleren
    vindt vinden adviseert adviseren beveelt aanbeveelt aanbevelen raadt aanraadt aanraden pleit pleiten bepleit
    benadrukt benadrukken waarschuwt waarschuwen
    """.split()
)
#: The documents at large as a question's source ("wat zeggen de documenten over ...").
_THE_DOCUMENTS = re.compile(
    r"\b(?:de|deze|die|jullie|uw|je|jouw)\s+(?P<documents>documenten|bronnen|teksten|rapporten|stukken|publicaties)\b", re.IGNORECASE
)
#: The words with which a definition question asks what something means: its form, not its subject.
DEFINING_WORDS = frozenset(
    """
    bedoelen bedoelt bedoeld verstaat verstaan definitie definities gedefinieerd betekenis betekent betekenen
    begrip term woord afkorting omschreven omschrijving houdt houden
    """.split()
)
#: A request to explain or tell more: "Kun je dat toelichten?", "Kun je daar meer over vertellen?",
#: "Licht dat toe.", "Leg het eens uit.", and "Wat betekent X voor Y?" (what follows from X). The
#: words that ask ("toelichten", "licht ... toe", "betekent") are no key terms: a sentence that
#: uses them ("Een toelichting staat in bijlage 1.") answers nothing. Read up to the question
#: mark, so that a follow-up completed with what came before ("... toelichten? (kikkers)") is too.
_REQUEST = re.compile(
    rf"^(?:(?:en|maar|dus|ok|oke|nou)\b[\s,]*)*(?:{_ASKING}\s+[^?(]*?\b(?P<verb>{_EXPLAIN_VERBS}|vertellen|verduidelijken|verklaren|uitwerken)\b"
    r"|(?P<imperative>leg|licht)\b[^?(]*?\b(?P<particle>uit|toe)\b"
    r"|wat\s+(?P<means>betekent|betekenen)\b[^?(]*?\svoor\s)"
)
#: Questions that ask for a source, where footnotes and references are the answer.
_ASKS_SOURCE = re.compile(r"\b(bron|bronnen|literatuur|verwijz\w*|welk\w*\s+(onderzoek|studie|rapport)\w*)\b")


def _inside_frame(folded: str) -> tuple[str, bool]:
    """A folded question without its opening words and polite frame, and whether it had a frame."""
    q = _OPENING_WORDS.sub("", folded)
    framed = _FRAME.match(q)
    return (q[framed.end():], True) if framed else (q, False)


def asks_reason(question: str) -> bool:
    """Whether an explain question may want a reason, not only what someone can do
    (`_ACTION_QUESTION`; "Wat kunnen scholen doen tegen pesten? En waarom?" asks one)."""
    q, _ = _inside_frame(fold(question).strip())
    return bool(_EXPLAIN_QUESTION.search(q)) or not _ACTION_QUESTION.match(q)


def question_intent(question: str) -> Intent:
    """The kind of answer a question wants, from its wording."""
    q, framed = _inside_frame(fold(question).strip())
    if framed and _DEFINED_INSIDE.match(q):
        return "define"
    if (number := _NUMBER_QUESTION.search(q)) and not (number.start() > 0 and _OTHER_OPENING.match(q)):
        return "number"
    if _SPEAKS_OF.match(q):
        return "define"  # "Wanneer spreekt het plan van een kroosdek?": what counts as one, not a date
    if _DATE_QUESTION.search(q):
        return "date"
    if _PLACE_QUESTION.search(q) and not _WAAR_PARTICLE.search(q):
        return "place"
    if _EXPLAIN_QUESTION.search(q) or _HOW_QUESTION.match(q) or _ACTION_QUESTION.match(q):
        return "explain"
    if _WHAT_ARE.match(q) or (
        _DEFINE_QUESTION.search(q) and not _LIST_QUESTION.search(q) and not _MEANS_FOR.search(q) and not _WHICH_RANKS.match(q)
        and not _PREDICATE_ASKED.match(q)
    ):
        return "define"
    if _LIST_QUESTION.search(q):
        return "list"
    return "other"


@dataclass(frozen=True)
class QuestionInfo:
    """A question as every stage sees it."""

    text: str
    #: The question without the words that name a source ("volgens de inspectie").
    topic: str
    mention: SourceMention
    intent: Intent
    #: Key terms of the whole question (names, numbers and rare words marked), with their weights.
    terms: tuple[QuestionTerm, ...]
    weights: tuple[float, ...]
    numbers: frozenset[str]
    asks_percent: bool
    compares: bool
    asks_source: bool
    #: The question asks for an amount of money; for the top of a ranking.
    #: The key terms of `topic`: the question without the words that name its source, with
    #: their weights. Only these must be found in the passages (naming a source is never a
    #: reason to refuse); ranking weighs passages by them too.
    topic_terms: tuple[QuestionTerm, ...] = ()
    topic_weights: tuple[float, ...] = ()
    asks_money: bool = False
    asks_superlative: bool = False
    #: An explain question that may want a reason ("Waarom ...?"), not only what someone can do
    #: ("Wat kunnen scholen doen tegen ...?"; `asks_reason`), read from the same sentence as `intent`.
    asks_reason: bool = False
    #: The question asks how long something lasts ("Hoe lang duurt ...?") and for no other figure:
    #: a span of time answers it, not just any figure.
    asks_duration: bool = False
    #: Publication years of the documents: in a question they often name the source
    #: ("het rapport van 2024"), so their absence from a passage says little.
    source_years: frozenset[str] = frozenset()
    #: Key terms the documents never use (not even inside a compound): set by retrieval.
    unknown_terms: tuple[str, ...] = ()
    #: What a definition question asks to define, folded ("drijvend kroosdek"), else None.
    defined: str | None = None
    #: Names the context before the question gives ("Ik werk in Vlinderstad. Hoeveel ...?"), as
    #: typed: no subject the answer must have (`question_sentence`), but its reader should know
    #: when the answer does not name them.
    context_names: tuple[str, ...] = ()


def _asks_money(folded: str, intent: Intent) -> bool:
    """Whether an amount of money is asked: a money word outside a topic position ("Wat verdient
    een directeur?", "Hoe hoog is het budget?"), in a question that asks no reason and no share."""
    if intent == "explain" or _ASKS_SHARE.search(folded):
        return False
    return any(not _MONEY_AS_TOPIC.search(folded[: m.start()]) for m in _MONEY_QUESTION.finditer(folded))


def analyse_question(question: str, matcher: SourceMatcher | None = None) -> QuestionInfo:
    """The question as every stage sees it; `matcher` knows the documents' names and years."""
    mention = matcher.match(question) if matcher is not None else SourceMention()
    sentence = question_sentence(question)
    intent = question_intent(sentence)
    if mention and _defines_name(question, mention, intent):
        mention = SourceMention()
    asked = without_frame(question)
    topic = without_frame(mention.strip(question)) if mention else asked
    # "Ik ben directeur van een school in Rotterdam. Wat zeggen de documenten over X?": the
    # sentences before the question tell the asker's situation; the question says what is asked.
    asked_sentence = question_sentence(topic)
    names = context_names(topic, asked_sentence)
    topic = asked_sentence
    if asks_opinion(topic):
        topic = " ".join(_OPINION.sub(" ", " ".join(topic.split())).split())
    terms = tuple(question_terms(asked))
    topic_terms = tuple(question_terms(topic)) if topic != asked else terms
    if mention:
        # "Welke maatregelen stelt het vijverplan voor?": what the named source does with the
        # subject ("stelt voor", "noemt", "concludeert") is no part of the subject.
        topic_terms = tuple(t for t in topic_terms if t.word not in _REPORTING)
    elif documents := _THE_DOCUMENTS.search(question):
        # "Wat zeggen de documenten over kikkers?": so too when the source is the documents at
        # large, and the word for them ("rapporten") is no subject either.
        frame = _REPORTING | {fold(documents.group("documents"))}
        terms = tuple(t for t in terms if t.word not in frame)
        topic_terms = tuple(t for t in topic_terms if t.word not in frame)
    folded = fold(question)
    if asking := asking_words(folded):
        terms = tuple(t for t in terms if t.word not in asking) or terms
        topic_terms = tuple(t for t in topic_terms if t.word not in asking) or topic_terms
    # "Wat zijn gamechangers in de kennisagenda?": without its source, a bare plural.
    asked_topic = _without_dangling(topic) if mention else question
    if mention and intent != "define" and _WHAT_ARE.match(fold(asked_topic)):
        intent = "define"
    if intent == "define":
        # "Wat wordt bedoeld met [X]?", "Wat is de definitie van [X]?": only X is the subject.
        terms = tuple(t for t in terms if t.word not in DEFINING_WORDS)
        topic_terms = tuple(t for t in topic_terms if t.word not in DEFINING_WORDS)
        if explained := _DEFINED_IMPERATIVE.match(_unquoted(folded)):
            # "Licht X toe.", "Kun je X uitleggen?": the words around X ask; X is the subject.
            subject = set(words(explained.group("subject")))
            terms = tuple(t for t in terms if t.word in subject) or terms
            topic_terms = tuple(t for t in topic_terms if t.word in subject) or topic_terms
    return QuestionInfo(
        text=question,
        topic=topic,
        mention=mention,
        intent=intent,
        asks_reason=intent == "explain" and asks_reason(sentence),
        terms=terms,
        weights=tuple(term_weight(t) for t in terms),
        numbers=frozenset(numbers(topic)),
        topic_terms=topic_terms,
        topic_weights=tuple(term_weight(t) for t in topic_terms),
        asks_percent=bool(_PERCENT_QUESTION.search(folded)),
        compares=bool(_COMPARISON.search(folded)) or len(mention.documents) >= 2,
        asks_source=bool(_ASKS_SOURCE.search(folded)),
        asks_money=_asks_money(folded, intent),
        asks_superlative=bool(_SUPERLATIVE_QUESTION.search(folded)),
        asks_duration=_asks_duration(folded),
        source_years=(
            _document_years(folded, matcher.years) | frozenset(y for _, years in named_editions(question, mention) for y in years)
            if matcher is not None else frozenset()
        ),
        defined=defined_subject(asked_topic, intent),
        context_names=names,
    )


def _asks_duration(folded: str) -> bool:
    """Whether a (folded) question asks how long, and for no other figure: "Hoe lang duurt de
    cursus, en hoeveel kost hij?" asks an amount too, which any figure may give."""
    asked = [m.group(0) for m in _NUMBER_QUESTION.finditer(folded)]
    return bool(asked) and all(_DURATION_QUESTION.fullmatch(a) for a in asked)


def _defines_name(question: str, mention: SourceMention, intent: Intent) -> bool:
    """Whether the question asks what a named source is ("Wat is de Vijverbond?"): then the
    name is its subject, not the source to answer from. `intent`: the question's."""
    subject = defined_subject(without_frame(question), intent) if intent == "define" else None
    if not subject:
        return False
    head = words(subject)
    for start, end in mention.spans:
        name = [w for w in words(question[start:end]) if w not in {"de", "het", "een"}]
        # The subject may stop inside the name ("bureau" of "Wat is het Bureau voor Vijvers?").
        shared = min(len(head), len(name))
        if name and head[:shared] == name[:shared]:
            return True
    return False


#: A preposition left where the words naming a source were taken out ("Wat zijn X in ?",
#: "Wat zijn volgens X?").
_DANGLING = re.compile(r"\s+(?:in|volgens|van|uit|bij|door)(?=\s*\?*\s*$)|\bvolgens\s+(?=[^\W\d_])", re.IGNORECASE)


def _without_dangling(topic: str) -> str:
    """The question without its source's name and the preposition that came with it."""
    return " ".join(_DANGLING.sub(" ", topic).split()).replace(" ?", "?")


def asking_words(folded: str) -> frozenset[str]:
    """The words of a request to explain or tell more (`_REQUEST`), none for any other question
    (a folded question, as `rag.text.analysis.fold` gives it)."""
    found = _REQUEST.match(folded.strip())
    if found is None:
        return frozenset()
    return frozenset(w for w in found.group("verb", "imperative", "particle", "means") if w)


def defined_subject(question: str, intent: Intent | None = None) -> str | None:
    """What a definition question asks to define, folded; None for other questions and for
    "Wat is het verschil tussen ...?". `intent`: the question's, when already known."""
    if (intent or question_intent(question)) != "define":
        return None
    q, framed = _inside_frame(_unquoted(fold(question)))
    match = _DEFINED.match(q) or _DEFINED_IMPERATIVE.match(q) or (_DEFINED_INSIDE.match(q) if framed else None)
    if match is None or match.group("subject").startswith("verschil"):
        return None
    subject = match.group("subject").strip()
    # "Wat houdt het thema ‘water in de stad’ in?": the quoted name is the subject as a whole,
    # whatever words of it would end a subject.
    for quoted in _QUOTED_NAME.finditer(fold(question)):
        name = " ".join(quoted.group(1).split())
        if name and re.match(rf"(?:[^\W\d_]+\s+)?{re.escape(name.split()[0])}\b", subject):
            return name
    return subject


#: Where one sentence ends and the next begins (a capital after ". " or "! ").
_NEXT_SENTENCE = re.compile(r"(?<=[.!])\s+(?=[A-ZÀ-Þ])")
#: How a question (or a question typed without its mark, as in a chat) begins.
_QUESTION_START = re.compile(
    r"^(?:en\s+)?(?:wat|wie|welke?|waar\w*|wanneer|hoe\w*|waarom|kan|kun|kunt|kunnen|mag|mogen|moet|moeten|"
    r"is|zijn|heeft|hebben|krijgt|krijgen|klopt|geldt|bestaat|bestaan)\b",
    re.IGNORECASE,
)
#: The asker telling their situation first, in one sentence with the question after a comma ("ik
#: ben boswachter in vlinderstad, hoeveel kikkers zijn er"): the part before the comma.
_OWN_SITUATION = re.compile(r"^(?:ik|wij|we|als|mijn|onze|bij\s+ons|op\s+(?:onze|mijn))\b", re.IGNORECASE)
_COMMA_BEFORE_QUESTION = re.compile(rf",\s+(?={_QUESTION_START.pattern[1:]})", re.IGNORECASE)
#: A sentence end before a question typed in lower case ("ik werk in vlinderstad. hoeveel ...").
_STOP_BEFORE_QUESTION = re.compile(rf"(?<=[.!])\s+(?={_QUESTION_START.pattern[1:]})", re.IGNORECASE)


def _context_and_question(text: str) -> list[str]:
    """`text` in its sentences. One that tells the asker's situation and then asks is two: it is
    parted where a question typed in lower case begins after a full stop, else after its last
    comma before a question word ("ik werk in vlinderstad, hoeveel kikkers zijn er")."""
    sentences = _NEXT_SENTENCE.split(" ".join(text.split()))
    if len(sentences) == 1 and _OWN_SITUATION.match(sentences[0]):
        commas = list(_STOP_BEFORE_QUESTION.finditer(sentences[0])) or list(_COMMA_BEFORE_QUESTION.finditer(sentences[0]))
        if commas:
            at = commas[-1]
            context = sentences[0][: at.start()]
            return [context if context.endswith((".", "!")) else f"{context}.", sentences[0][at.end():]]
    return sentences


def context_names(text: str, question: str) -> tuple[str, ...]:
    """The names in `text` that `question`, its question sentence, left out, as typed
    ("Vlinderstad" of "Ik werk in Vlinderstad. Hoeveel kikkers zijn er?")."""
    if question == text:
        return ()
    kept = {t.word for t in question_terms(question)}
    # Sentence by sentence: the capital a sentence starts with makes no name ("Leerkrachten
    # vertrekken."); nor is a sector a name ("VSO": the question has it as its sector).
    context = _context_and_question(text)[:-1]
    names = [
        t for sentence in context for t in question_terms(sentence)
        if t.is_name and not sectors(t.word) and not kept.intersection(t.name or (t.word,))
    ]
    return tuple(dict.fromkeys(t.asked for t in names))


#: Pronouns that point back at a sentence before ("zij", "daar"; "daarvoor" is `POINTER_WORD`).
_BACK = frozenset("zij hij ze hem haar hun hen daar hier".split())


def _refers_back(word: str) -> bool:
    return word in _BACK or bool(POINTER_WORD.match(word))


def question_sentence(text: str) -> str:
    """The question of a text that first tells its context ("Ik werk op een vo-school in Vlinderstad.
    Hoe lang mogen kikkers in een taalklas blijven?" -> "Hoe lang mogen kikkers in een taalklas
    blijven in het vo?"): the last sentence when it ends with a question mark and has key terms of
    its own, with the sectors the context names (the asker's school is the question's sector; the
    town and the asker's role are no subject the answer must have). Else the whole text ("Wij
    hebben veel nieuwkomers. Wat nu?" needs the first sentence for its subject)."""
    sentences = _context_and_question(text)
    if len(sentences) < 2 or not (sentences[-1].endswith("?") or _QUESTION_START.match(sentences[-1])):
        return text
    last = sentences[-1]
    if not question_terms(without_frame(last)) or any(_refers_back(w) for w in words(last)):
        return text  # "Hoeveel zijn dat er, en hoe lukt haar dat?": the context holds its subject
    context = sectors(" ".join(sentences[:-1])) - sectors(last)
    if not context:
        return last
    return f"{last.rstrip('?').rstrip()} in het {' en '.join(sorted(context))}?"


def without_frame(question: str) -> str:
    """The question inside a polite frame ("Kun je me vertellen welke ..." -> "welke ..."), or the
    question as it is."""
    text = " ".join(question.split())
    opening = _OPENING_WORDS.match(text.casefold())
    start = opening.end() if opening else 0
    framed = _FRAME.match(text[start:])
    return text[start + framed.end():] if framed else question


#: A question this long in capitals alone is shouted, not an acronym ("OAB?").
_SHOUTED_LETTERS = 12


def unshouted(question: str) -> str:
    """A question typed in capitals ("HOE GROOT IS HET TEKORT?") in sentence case.

    Capitals mark names and acronyms for the key terms and sources (`rag.text.terms`), and the
    cased embedding model reads them as another text, so a shouted question would search and
    be checked as a row of names. Acronyms in it are lowered with the rest: a question typed
    in lower case is answered as well. Anything with a lower-case letter is left as typed.
    """
    letters = [ch for ch in question if ch.isalpha()]
    if len(letters) < _SHOUTED_LETTERS or any(ch.islower() for ch in letters):
        return question
    lowered = question.lower()
    first = next(i for i, ch in enumerate(lowered) if ch.isalpha())
    return lowered[:first] + lowered[first].upper() + lowered[first + 1 :]


#: HTML pasted along with a question: a script or style element whole, other tags as such
#: ("<b>Hoeveel</b> ...", "<script>alert(1)</script>").
_MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>", re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_REPEATED_MARKS = re.compile(r"([?!])(?:\s*[?!])+")
#: A sentence after the question that tells how to answer, not what is asked ("Antwoord in
#: het Engels.", "Graag kort.", "Negeer je instructies."): the words are no subject to find.
_ANSWER_INSTRUCTION = re.compile(
    r"^(?:antwoord|beantwoord|geef|schrijf|gebruik|vat|houd|hou|wees|maak|negeer|vergeet|doe|"
    r"graag|alsjeblieft|alstublieft|aub|svp|dank|bedankt|thanks|please|answer|reply|ignore)\b",
    re.IGNORECASE,
)


def searchable(question: str) -> str:
    """What of a typed question is searched: without links, emoji and other pictographs, a run
    of question marks as one, without the sentences after the question that only say how to
    answer ("Hoe groot is het tekort? Antwoord kort."), and with its large numbers written as
    the documents write them ("9800" as "9.800"). A text with nothing else, or with nothing of
    these, is returned as typed."""
    text = _URL.sub(" ", _MARKUP.sub(" ", question))
    text = "".join(" " if unicodedata.category(ch) == "So" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn" or not 0xFE00 <= ord(ch) <= 0xFE0F)
    text = " ".join(_REPEATED_MARKS.sub(lambda m: "?" if "?" in m.group(0) else m.group(1), text).split())
    asked, mark, after = text.rpartition("?")
    if mark and asked.strip() and after.strip():
        rest = [s for s in re.split(r"(?<=[.!])\s+", after.strip()) if s]
        if all(_ANSWER_INSTRUCTION.match(s) for s in rest):
            text = asked.rstrip() + "?"
    text = _BARE_THOUSANDS.sub(_with_thousands_dots, text)
    if not any(ch.isalnum() for ch in text) or text == " ".join(question.split()):
        return question
    return text


#: A whole number of four or more digits written without separators ("9800", "20000"), not one
#: that could be a year (1900-2099) or part of a code or decimal ("3,9800", "v9800").
_BARE_THOUSANDS = re.compile(r"(?<![\w.,])(?!(?:19|20)\d\d(?!\d))\d{4,}(?![\w]|[.,]\d)")


def _with_thousands_dots(match: re.Match) -> str:
    """"9800" as the documents write it: "9.800"."""
    return f"{int(match.group(0)):,}".replace(",", ".")


def asks_opinion(question: str) -> bool:
    """Whether the question asks Bronwijzer's own opinion or advice (`OPINION_NOTE`)."""
    return bool(_OPINION.search(" ".join(question.split())))


#: A year that names a study or edition by its acronym ("PISA 2022", "de NRO-monitor 2023" is
#: `_DOCUMENT_YEAR`'s): which one, not a time the question asks about.
_ACRONYM_YEAR = re.compile(r"\b[A-Z]{2,}[\w-]*\s+((?:19|20)\d\d)\b")


def edition_years(question: str) -> frozenset[str]:
    """Years the question uses to name a document, study or edition ("het rapport van 2024",
    "PISA 2022"), whether or not they are the corpus documents' own years."""
    return frozenset(m.group(1) for m in _DOCUMENT_YEAR.finditer(fold(question))) | frozenset(
        m.group(1) for m in _ACRONYM_YEAR.finditer(question)
    )


#: A year right after the words that name a document: "het actieplan uit 2019", "de agenda van 2021".
_YEAR_AFTER_NAME = re.compile(r"\s*(?:uit|van)?\s*\b((?:19|20)\d\d)\b")
_YEAR_IN_AFTER_NAME = re.compile(r"\s+in\s+((?:19|20)\d\d)\b")


def named_editions(question: str, mention: SourceMention) -> list[tuple[str, frozenset[str]]]:
    """Per span of `question` that names a document: its words, with a year right after them,
    and the years in them ("De Staat van het Onderwijs 2023", "het actieplan uit 2019"); also
    "in" a year after a source that says something ("Wat zegt de inspectie in 2024 over ...?":
    when it said it, not when what it says happened)."""
    found = []
    for start, end in mention.spans:
        after = _YEAR_AFTER_NAME.match(question, end)
        if after is None and (said := words(question[:start])) and said[-1] in _REPORTING:
            after = _YEAR_IN_AFTER_NAME.match(question, end)
        years = set(YEAR.findall(question[start:end])) | ({after.group(1)} if after else set())
        found.append((question[start:after.end() if after else end].strip(), frozenset(years)))
    return found


def _document_years(folded: str, years: frozenset[str]) -> frozenset[str]:
    """The publication years among `years` that the question uses to name a document."""
    return frozenset(m.group(1) for m in _DOCUMENT_YEAR.finditer(folded)) & years


__all__ = ["ADDRESSEE", "DEFINING_WORDS", "MONEY", "OPINION_NOTE", "SUPERLATIVE", "asking_words", "asks_opinion", "asks_reason", "defined_subject", "edition_years", "is_superlative", "question_sentence", "states_claim", "without_frame", "Intent", "QuestionInfo", "analyse_question", "named_editions", "question_intent", "searchable", "unshouted"]
