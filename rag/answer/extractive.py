"""The extractive answer: the passages' own sentences that best answer the question.

No model writes anything: sentences are copied verbatim (numbers, dates and names stay
exactly as the documents have them), each followed by an `[n]` marker for the passage it
came from.

Candidates are whole sentences of the top passages, and lists with their lead-in sentence or
the heading right above them (when the lead-in or the section title shares a key term with the
question).
Never a candidate: a lead-in (a sentence ending in a colon) without its list, a sentence that
announces what the document covers without saying it ("Per thema wordt ingegaan op …"), notes (footnotes, references, URLs, captions; `rag.text.notes`), headings,
note chunks (but for a footnote in them that explains or defines, quoted without its number),
and the broken-off start of a passage that begins mid-sentence. A lead that refers
back ("Dit komt door ...") is quoted with the sentence before it, one that announces ("... kent
knelpunten.") with the sentence after it that says what ("Daarbij valt te denken aan ..."). Each candidate
gets the signals of `SENTENCE_FEATURES` (key-term overlap, the answer type the question
wants, what is new in it, its passage's rank, its shape); `rag/models/sentences.json`, fitted
on the tune questions (`python -m evals.fit sentences`), scores them. The best candidate
over all passages leads (over the passages of the one document the question names, when one of
them is about the question); a further one follows only when it scores close to the lead and
adds something (a figure or key term the answer does not have yet). A list question gets the
list itself, in document order, with its lead-in.

Before choosing, `rag.answer.refusal.RefusalModel` decides whether the passages hold the answer at
all, from the passages and the best candidates; an answer it doubts is given with a caution
(`uncertain`, and `CAUTION_TEXT` as its note), and so is one whose sentences are about other
years than the one asked (`NOTE_OTHER_YEAR`).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rag.text.analysis import PARTICLE_WORDS, PHRASE_WORD, QUESTION_WORDS, STOPWORDS, SUPERLATIVE_STEMS, SUPERLATIVES_AFTER_HET, YEAR, content_stems, fold, head_noun, joined, listed, numbers, stem, words
from rag.text.synonyms import role_of
from rag.linear import LinearModel, bundled
from rag.text.definitions import defines_in, introduces, means_before, names_what_came_before
from rag.text.notes import explanations, is_note_sentence
from rag.text.places import asks_abroad, foreign_places, names_home
from rag.text.question import MONEY, SUPERLATIVE, QuestionInfo, analyse_question, defined_subject, edition_years, question_intent, searchable, states_claim
from rag.text.sectors import other_sector_only, other_sectors, scope_sectors, sector_names, sector_words, sectors
from rag.answer.citation_check import strip_markers
from rag.answer.followup import replaced_subject
from rag.answer.refusal import CAUTION_TEXT, NOTE_ABROAD, NOTE_ABROAD_LEAD, NOTE_GROUP, NOTE_GROUP_ONLY, NOTE_NO_CONTRAST, NOTE_NO_DEFINITION, NOTE_NO_DEFINITION_UNNAMED, NOTE_NO_RATE, NOTE_NO_SHARE_OF, NOTE_NO_PERSON, NOTE_NO_PERSON_WHICH, NOTE_NO_TOTAL, NOTE_SHARE_NOT_NAMED, NOTE_NOT_NAMED, NOTE_TYPE_NOT_GIVEN, NOTE_OTHER_RATE, NOTE_OTHER_SECTOR, NOTE_OTHER_YEAR, NOTE_PLACE_NOT_NAMED, REFUSAL_TEXT, RefusalDecision, RefusalModel, RefusalSignals, claimed_figure, refusal_signals
from rag.text.terms import HOW_MUCH_VERBS, QuestionTerm, TermIndex, analyse, question_terms, zipf
from rag.text.sentences import Sentence, continues_sentence, split_sentences, without_marker
from rag.settings import Settings
from rag.types import Answer, Citation, Passage, Turn, previous_answer, previous_question

REFUSAL_POINTER = "Hieronder staan de passages die er het dichtst bij komen."
#: The reason users read when no sentence of the passages is about the question.
REASON_NO_SENTENCE = "Geen enkele zin in de gevonden passages gaat over uw vraag."

log = logging.getLogger(__name__)

MAX_SENTENCES = 3
MAX_CHARS = 600
MAX_CHARS_LIST = 1000
MAX_ENUMERATION_ITEMS = 12
#: Sentences whose stems overlap this much (Jaccard, or containment) say the same thing.
NEAR_DUPLICATE = 0.7

SENTENCE_FEATURES = (
    "overlap", "previous_overlap", "paragraph_overlap", "novelty", "passage_score", "passage_rank",
    "has_number", "numbers", "number_wanted", "number_missing", "date_wanted", "place_wanted",
    "percent_wanted", "counted", "causal", "causal_wanted", "defines_wanted", "enumeration",
    "enumeration_wanted", "words", "short", "long", "question_mark", "quoted", "anaphoric",
    "table", "money_wanted", "superlative_wanted", "number_unwanted",
)  # fmt: skip

_YEAR_OR_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)\b",
    re.IGNORECASE,
)
# Where something is: compass regions, the Randstad, big-city groups, provinces, municipalities.
_PLACE = re.compile(
    r"\b(westen|oosten|noorden|zuiden|randstad|regio\w*|provincie\w*|gemeente\w*|g4|g5|grote steden|stedelijk\w*|"
    r"platteland|krimp\w*|wijk\w*)\b"
)
# "(Inspectie van het Onderwijs, 2024k)": a reference is neither a figure nor a topic word.
_REFERENCE = re.compile(r"\([^()]*\b(?:19|20)\d\d[a-z]?\)")
_FIGURE_LABEL = re.compile(r"\b(?:figuur|tabel|grafiek)\s*\d[\w.]*", re.IGNORECASE)
# What "hoeveel" counts: "hoeveel (meer) voorscholen" -> voorscholen.
_COUNTED = re.compile(rf"\b(?:hoeveel|aantal)\s+(?:meer\s+|minder\s+)?({PHRASE_WORD})")
_NUMBER_TOKEN = re.compile(r"\d")
#: A name that holds a number: letters, then digits ("talis-2024", "covid-19", "g5").
_NAME_WITH_NUMBER = re.compile(r"[^\W\d_]+-?\d")
#: Counts written in words ("zes thema's", "twaalf scholen"); not "een", which is mostly an article.
_COUNT_WORDS = frozenset(
    "twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien twintig dertig veertig vijftig honderd duizend".split()
)
_NUMERALS = (
    "een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien zeventien achttien "
    "negentien twintig dertig veertig vijftig zestig zeventig tachtig negentig honderd duizend"
).split()
#: A count written as one word of numerals ("zevenhonderd", "vijfentwintig", "tweeduizend").
_COUNT_WORD = re.compile(rf"(?:(?:{'|'.join(_NUMERALS)})(?:en)?)*(?:{'|'.join(n for n in _NUMERALS if n != 'een')})")
_PERCENT_WORDS = frozenset({"procent", "percentage", "aandeel"})
#: The whole a share is asked of: "hoeveel procent van de leraren", "welk aandeel van het budget",
#: "welk deel van de scholen".
_SHARE_OF = re.compile(rf"(?:\b(?:procent|percentage|aandeel|welk\s+deel)|%)\s+van\s+(?:de|het|alle)\s+({PHRASE_WORD})")
#: A share in a text: "24%", "24 %", "15,1 procent".
_PERCENTAGE = re.compile(r"\d\s?%|\d\s+procent\b")
#: A share as a proportion: "1 op de 5", "één op de vijf", "twee op de drie", "1 op 10".
_PROPORTION = re.compile(
    r"\b(?:\d+|[eé][eé]n|twee|drie|vier|vijf|zes|zeven|acht|negen)\s+op\s+(?:de\s+)?"
    r"(?:\d+|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twintig|honderd|duizend)\b",
    re.IGNORECASE,
)
#: The words a share's whole follows when it stands before the share.
_OF_A_WHOLE = frozenset({"van", "aandeel", "percentage", "deel"})
#: Shares in words: "de helft van", "een derde van", "de meerderheid van".
_SHARE_WORDS = frozenset({
    "helft", "derde", "kwart", "vijfde", "tiende", "driekwart", "meerderheid", "minderheid", "merendeel",
})  # fmt: skip
#: How many words before a share its whole may stand: "van de scholen heeft 24%".
_SHARE_REACH = 5
#: How far into a sentence that opens with "Van de ..." a share may stand and be a share of it.
_OPENING_WHOLE_REACH = 12
#: "miljoen" or "miljard" followed by what it counts ("een kwart miljoen leraren", "4 miljoen
#: leerlingen"): no amount of money, unless that is euros.
_MILLIONS_OF = re.compile(r"\b(?:miljoen|miljard)\s+(?!euro\b|aan\b|voor\b|per\b|meer\b|minder\b|extra\b)[^\W\d_]{3,}")
_DEFINES = re.compile(r"\b(is een|zijn de|betekent|houdt in|verstaan we|wordt verstaan|bedoelen we|wordt gedefinieerd)\b")
_CAUSAL = re.compile(
    r"\b(omdat|doordat|daardoor|waardoor|want|vanwege|oorzaak|oorzaken|reden|redenen|komt door|dit komt|als gevolg|"
    r"het gevolg van|ten grondslag|te wijten|toe te schrijven|veroorzaakt|veroorzaken|verklaard door)\b"
)
#: A sentence that lists after a colon: ": een grote uitstroom, beperkte instroom en een mismatch".
_INLINE_LIST = re.compile(r":\s[^:;.!?]*,[^:;.!?]*\s(?:en|of)\s")
# A sentence about the document's own method or structure announces content without giving it
# ("Per thema wordt ingegaan op …", "De tuinmannen zijn gevraagd naar …", "In dit hoofdstuk …",
# "In hoofdstuk 3 beschrijven we …").
_ANNOUNCES = re.compile(
    r"\b(?:wordt|worden) ingegaan op|\bgaan (?:we|wij) in op|\b(?:is|zijn|werd|werden) gevraagd naar|"
    r"\bhieronder\b(?! (?:valt|vallen)\b)|\bin de volgende (?:hoofdstukken|paragrafen|paragraaf)\b|"
    r"\b(?:beschrijven|bespreken|lichten) (?:we|wij)\b|"
    r"\bin (?:dit|deze) (?:deel)?(?:hoofdstuk|paragraaf) (?:worden|wordt|staan|staat|bespreken|beschrijven|lichten|gaan|komen|geven|"
    r"samengevat|besproken|beschreven|toegelicht|uiteengezet)\b|"
    # "In hoofdstuk 4 formuleren we de conclusies", "In paragraaf 2.3 schetsen wij ...".
    r"\bin (?:(?:dit|deze|het volgende|de volgende) )?(?:deel|hoofdstuk|paragraaf|bijlage|sectie)(?: [\d.]+)? "
    r"(?:formuleren|presenteren|geven|beantwoorden|behandelen|beschrijven|bespreken|schetsen|lichten|vatten|trekken|"
    r"doen|gaan|laten|bieden) (?:we|wij)\b|"
    # "In hoofdstuk 3 staan de inzichten uit de praktijk centraal."
    r"\bin (?:(?:dit|deze|het volgende|de volgende) )?(?:deel|hoofdstuk|paragraaf|bijlage|sectie)(?: [\d.]+)? (?:staat|staan)\b.*\bcentraal\b|"
    # "De uitkomsten zijn als volgt samen te vatten.": what follows is the content.
    r"\bals volgt(?: \w+){0,4}\W*$|"
    # "De belangrijkste bevindingen zijn de volgende.": the same, ending where the content begins.
    r"\b(?:is|zijn|was|waren) (?:de|het) volgende\W*$"
)
#: "… komen aan bod" announces too, unless the sentence gives a figure ("In 12% van de verslagen
#: komt de kikkerstand aan bod").
_COMES_UP = re.compile(r"\b(?:komt|komen) (?:\w+ )?aan bod\b")
#: So do the document as the subject of what it presents ("Deze notitie presenteert de
#: bevindingen ...") and a guide for its readers ("Lezers die vooral ... zoeken, kunnen ..."),
#: again unless the sentence gives a figure.
_PRESENTS = re.compile(
    r"\b(?:dit|deze|het|onze) (?:document|rapport|notitie|studie|publicatie|verkenning|verslag|hoofdstuk|paragraaf) "
    r"(?:presenteert|beschrijft|bespreekt|behandelt|bevat|schetst)\b|"
    r"\b(?:kan|kunnen) (?:\w+ ){0,4}worden gelezen\b|\blezers die\b|"
    # "We beschrijven de toerusting ... (paragraaf 3.1)": the authors announcing their text.
    r"^(?:we|wij) (?:beschrijven|bespreken|behandelen|belichten|schetsen|presenteren)\b"
)


#: The document telling how it uses its words: "De woorden 'vijverman' en 'tuinman' worden hierin
#: afwisselend gebruikt", "In dit plan gebruiken we de termen ... door elkaar".
_NAMES_ITS_WORDS = re.compile(
    r"\b(?:worden|wordt) (?:\S+ ){0,8}?(?:afwisselend|door elkaar|als synoniemen?|in dezelfde betekenis) gebruikt\b|"
    r"\bgebruiken (?:we|wij) (?:\S+ ){0,8}?(?:afwisselend|door elkaar|als synoniemen?|in dezelfde betekenis)\b"
)
_WORDS_FOR = re.compile(r"\b(?:woord|woorden|term|termen|begrip|begrippen|benaming|benamingen)\b")
#: A question whether two words mean the same ("Is een X hetzelfde als een Y?", "Wat is het
#: verschil tussen X en Y?"): what a document says on how it uses its words answers it.
_ASKS_SAME_MEANING = re.compile(r"\b(?:hetzelfde|dezelfde|synoniem\w*|verschil\w*|door elkaar|afwisselend)\b")

#: A number that points into the document ("hoofdstuk 4", "tabel 2.1"), not a figure.
_DOCUMENT_REFERENCE = re.compile(r"\b(?:hoofdstuk|hoofdstukken|paragraaf|bijlage|tabel|figuur|sectie|pagina|p\.)\s+[\d.]+(?:\s+(?:en|t/m|tot en met|tot)\s+[\d.]+)?")


def _announces(folded: str) -> bool:
    if _ANNOUNCES.search(folded):
        return True
    if _COMES_UP.search(folded):
        return not numbers(folded)
    # A year or a pointer into the document is no figure here: "de bevindingen over 2023".
    return bool(_PRESENTS.search(folded)) and all(YEAR.fullmatch(n) for n in numbers(_DOCUMENT_REFERENCE.sub(" ", folded)))


# A sentence that leans on the one before it reads badly on its own.
_ANAPHORIC_START = re.compile(r"^(dit|deze|dat|die|toen|daarnaast|daarbij|hierdoor|daardoor|ook|zij|ze)\b", re.IGNORECASE)
_QUOTE_START = "“\"‘'"
#: "Dit aantal ...", "Deze percentages ...": a sentence that gives the figure of what the one before it named.
_POINTS_AT_FIGURE = re.compile(
    r"^(?:dit|dat|deze|die)\s+(?:aantal|aantallen|aandeel|aandelen|percentage|percentages|bedrag|bedragen|cijfer|cijfers|"
    r"getal|getallen|verschil|verschillen|tekort|tekorten)\b",
    re.IGNORECASE,
)


#: "6 De prestaties ...": a paragraph number or a footnote number the layout put before a
#: sentence. A number that is part of a sentence is followed by what it counts ("6 scholen"),
#: not by a capitalised function word that opens a sentence.
_STRAY_NUMBER = re.compile(r"^\d{1,3} (?=([A-ZÀ-Þ][a-zà-ÿ-]*)(?![\w-]))")
#: What a number at the start of a sentence counts is in lower case ("12 scholen kregen ..."),
#: unless it is a place's adjective ("12 Rotterdamse scholen", "3 Oekraïense leerlingen"): any
#: other capitalised word after it starts the sentence, and the number is a paragraph's or a
#: footnote's ("5 Motivatie is ...", "6 Mbo-instellingen besteden ...").
_PLACE_ADJECTIVE = re.compile(r"(?:se|sche)$")
#: Words that open a Dutch sentence but never follow a number that counts something: the
#: stopwords, and the prepositions, conjunctions and adverbs of time and degree below.
_SENTENCE_OPENERS = STOPWORDS | frozenset({
    "naast", "ongeveer", "sinds", "zodra", "eind", "begin", "medio", "vanaf", "tot", "na", "door", "uit", "om",
    "toen", "nadat", "omdat", "hoewel", "terwijl", "daarnaast", "daarom", "bovendien", "echter", "tijdens",
    "volgens", "zowel", "nog", "alle", "elke", "iedere", "slechts", "bijna", "ruim", "circa", "hierdoor", "daardoor",
})  # fmt: skip


def _is_question(text: str) -> bool:
    """Whether a sentence (or list item) asks something: it answers nothing."""
    return text.rstrip().endswith("?")


def without_stray_number(sentence: str) -> str:
    """The sentence without a paragraph or footnote number in front of it."""
    match = _STRAY_NUMBER.match(sentence)
    if match and (match.group(1).lower() in _SENTENCE_OPENERS or not _PLACE_ADJECTIVE.search(match.group(1))):
        return sentence[match.end():]
    return sentence


@dataclass(frozen=True)
class Unit:
    """A candidate piece of answer: one sentence, or a list with its lead-in sentence."""

    passage_index: int  # index into the passages, in rank order
    parts: tuple[Sentence, ...]
    #: The sentence before a sentence that refers back to it ("Dit komt door ..."), quoted first.
    context: Sentence | None = None
    #: A row of a table, quoted below the table's caption and column headings (`table_units`).
    row: bool = False
    #: The sentence after it that says what it announced ("Daarbij valt te denken aan ..."), quoted with it.
    elaboration: Sentence | None = None

    @property
    def text(self) -> str:
        """The unit as quoted; a single list item without its marker ("• "), a table's caption
        without its label ("Tabel 2.1")."""
        if len(self.parts) == 1 and self.parts[0].kind == "bullet":
            text = without_marker(self.parts[0].text)
        else:
            text = _TABLE_LABEL.sub("", self.parts[0].text) if self.row else without_stray_number(self.parts[0].text)
        for before, part in zip(self.parts, self.parts[1:]):
            text += (" " if part.line == before.line else "\n") + part.text
        if self.elaboration is not None:
            text = f"{text} {self.elaboration.text}"
        if self.context is None:
            return text
        # The first sentence of a list item, before the next one of the same item: without its marker.
        context = without_marker(self.context.text) if self.context.kind == "bullet" else self.context.text
        return f"{without_stray_number(context)} {text}"

    @property
    def is_enumeration(self) -> bool:
        return len(self.parts) > 1 and not self.row

    @property
    def position(self) -> int:
        return self.parts[0].start

    @property
    def keys(self) -> frozenset[tuple[int, int]]:
        """Its sentences as (passage index, start): two units that share one quote it twice."""
        return frozenset((self.passage_index, p.start) for p in self.parts)


@dataclass(frozen=True)
class ScoredUnit:
    unit: Unit
    score: float
    overlap: float  # share of the matchable key-term weight it covers
    stems: frozenset[str]
    signals: dict


@lru_cache(maxsize=2048)
def _split_cached(text: str) -> tuple[Sentence, ...]:
    return tuple(split_sentences(text))


#: A line that is only a label in square brackets: who spoke a quote ("[Leraar School A]"), an
#: anonymised name, a form's placeholder. It says nothing on its own.
_BRACKETED = re.compile(r"^\s*\[[^\[\]]*\]\s*$")


def _quotable(sentence: Sentence, before: Sentence | None) -> bool:
    """Whether a sentence may be quoted; `before` is the passage's sentence before it."""
    if sentence.kind == "heading" or is_note_sentence(sentence.text) or _BRACKETED.match(sentence.text):
        return False
    # A sentence starts with a capital (or a figure, a quote): lower case is the broken-off
    # tail of one (a passage that starts mid-sentence, text interrupted by the layout). A
    # list item may start in lower case when it is in a list (after its lead-in or another
    # item); alone, below a table, a lower-case "*item" is the table's note.
    if sentence.kind == "bullet" and before is not None and (before.kind == "bullet" or before.ends_with_colon):
        return True
    return not without_marker(sentence.text).lstrip("*")[:1].islower()


#: "Tabel 2.1 " before a table's caption.
_TABLE_LABEL = re.compile(r"^\s*tabel\s+\d+(?:\.\d+)*[a-z]?\s*", re.IGNORECASE)
#: Signals computed for every unit besides `SENTENCE_FEATURES`, not fitted: whether a table
#: row's own label shares a key term with the question.
EXTRA_SIGNALS = ("row_label",)
#: A row of a table: a label, then two or more figures (or dashes for empty cells).
_CELL = re.compile(r"(?:[-−]?\d[\d.,]*\*?%?|[-–−]|n\.?v\.?t\.?)")


def row_label(line: str) -> str | None:
    """The label of a table row ("Noordpark" of "Noordpark 4 6"), None for any other line. Read
    token by token from the end, so a long line costs no more than its length."""
    tokens = line.split()
    cells = 0
    while cells < len(tokens) and _CELL.fullmatch(tokens[len(tokens) - 1 - cells]):
        cells += 1
    label = tokens[: len(tokens) - cells]
    if cells < 2 or not label or not (label[0][0].isalpha()):
        return None
    return " ".join(label)
#: At most this many lines of column headings are quoted above a row.
MAX_TABLE_HEADINGS = 6


def table_units(passage_index: int, sentences: Sequence[Sentence]) -> list[Unit]:
    """The rows of a table, each with the table's caption and column headings above it: "Tabel
    2.1 Vijvers per park ⏎ 2022 2023 ⏎ Noordpark 4 6". A row alone ("Noordpark 4 6") says
    nothing of what its figures count."""
    if not sentences or not _TABLE_LABEL.match(sentences[0].text):
        return []
    caption = sentences[0]
    rows = [s for s in sentences[1:] if row_label(s.text) and not is_note_sentence(s.text)]
    if not rows:
        return []
    first = rows[0].number
    headings = [s for s in sentences[1:first] if not is_note_sentence(s.text)][-MAX_TABLE_HEADINGS:]
    return [Unit(passage_index, (caption, *headings, row), row=True) for row in rows]


def _row_label(unit: Unit) -> str:
    """The label of a table row unit ("Noordpark" of "Noordpark 4 6")."""
    return row_label(unit.parts[-1].text) or ""


def _sector_text(unit: Unit) -> str:
    """The words that say which sector a unit is about: a table row's label when it names one
    ("So naar vo" below headings that name every sector), else the unit's text."""
    label = _row_label(unit) if unit.row else ""
    return label if label and sectors(label) else unit.text


def _unit_sectors(unit: Unit, passages: Sequence[Passage]) -> frozenset[str]:
    """The sectors a unit is about: a table row's label's when it names one ("So naar vo" below
    headings that name every sector), else those the unit names. A sentence that names none is
    about the sector its passage last named before it ("In het po ... Het aandeel jongeren is
    3%.": the po's share)."""
    named = sectors(_sector_text(unit))
    if named or unit.row:
        return named
    sentences = _split_cached(passages[unit.passage_index].text)
    first = unit.parts[0].number
    if first >= len(sentences) or sentences[first] != unit.parts[0]:
        return named
    return next((found for s in reversed(sentences[:first]) if (found := sectors(s.text))), named)


def candidate_units(passage_index: int, passage: Passage) -> list[Unit]:
    """Sentences and list items as single units, plus lead-in (or heading) + items as one enumeration, and
    the rows of a table with its caption and column headings."""
    if passage.chunk.kind == "note":
        # Only its footnotes that explain or define, without their numbers; never an entry that names a source.
        return [Unit(passage_index, (sentence,)) for sentence in explanations(passage.text)]
    sentences = _split_cached(passage.text)
    rows = table_units(passage_index, sentences) if passage.chunk.kind == "table" else []
    before = (None, *sentences)  # before[i]: the sentence before sentences[i]
    # A sentence that ends in a colon announces what follows: alone it answers nothing (with
    # its items it is an enumeration, below). One that breaks off where it must go on
    # ("… versus 3% buiten de", a list item ending in a comma) is no answer alone either: the
    # rest is in another passage, in the list, or lost to the layout of the document.
    # One that announces a list the passage breaks off before ("In totaal zijn 228 documenten
    # geanalyseerd, verdeeld over drie categorieën:") still gives its figure.
    last = len(sentences) - 1
    units = [
        Unit(passage_index, (s,)) for i, s in enumerate(sentences)
        if _quotable(s, before[i]) and (not s.ends_with_colon or (i == last and _NUMBER_TOKEN.search(s.text)))
        and not continues_sentence(s.text.rstrip())
    ]
    i = 0
    while i < len(sentences):
        lead = sentences[i]
        items = []
        j = i + 1
        while j < len(sentences) and sentences[j].kind == "bullet" and len({x.line for x in items}) < MAX_ENUMERATION_ITEMS:
            if not is_note_sentence(sentences[j].text):
                items.append(sentences[j])
            j += 1
        items_lines = {item.line for item in items}
        if len(items_lines) >= 2 and lead.kind == "prose" and lead.ends_with_colon and _quotable(lead, before[i]):
            units.append(Unit(passage_index, (lead, *items)))
        elif len(items_lines - {lead.line}) >= 2 and lead.kind == "bullet" and i == 0 and _quotable(lead, None):
            units.append(Unit(passage_index, (lead, *items)))
        elif len(items_lines) >= 2 and lead.kind == "heading" and not is_note_sentence(lead.text):
            # "Speerpunt 2: Meer waardering ⏎ 1. Bied ... ⏎ 2. Maak ...": the heading is the list's lead-in.
            units.append(Unit(passage_index, (lead, *items)))
        i = max(j, i + 1)
    return units + rows


def substance(text: str) -> str:
    """The sentence without references and figure labels, for matching terms and numbers."""
    return _FIGURE_LABEL.sub(" ", _REFERENCE.sub(" ", text))


def is_count_word(word: str) -> bool:
    """Whether a folded word is a count in words ("zes", "zevenhonderd", "eenentwintig")."""
    return word in _COUNT_WORDS or (len(word) > 6 and _COUNT_WORD.fullmatch(word) is not None)


def _gives_money(folded: str) -> bool:
    """Whether a (folded) text names an amount of money: "€", "euro", "bedrag", or a "miljoen"
    that counts no other thing (`_MILLIONS_OF`)."""
    return any(not _MILLIONS_OF.match(folded, m.start()) for m in MONEY.finditer(folded))


def counted_noun(question: str) -> str | None:
    """What a "hoeveel" question counts ("hoeveel vo-leerlingen" -> "leerlingen"), or "%"."""
    folded = fold(question)
    match = _COUNTED.search(folded)
    if not match:
        return None
    word = _noun_at(folded, match)
    if word in _PERCENT_WORDS:
        return "%"
    # Units count too: "hoeveel fte", "hoeveel uur"; "Hoeveel bedraagt ...?" counts nothing.
    if word in QUESTION_WORDS or word in STOPWORDS or word in HOW_MUCH_VERBS or len(word) < 3:
        return None
    return word


#: "swv’s", "opp's": a word and its ending after an apostrophe.
_APOSTROPHE = re.compile(r"[’']")
#: What may stick to a word in running text: punctuation, brackets, quotes.
_TOKEN_EDGES = ".,;:()’'\""


def _other_names(terms: Sequence[QuestionTerm], noun: str | None) -> frozenset[str]:
    """The stems of the other names of a question's noun: its term's alternatives (the
    abbreviation the documents introduce, the words of `rag.text.synonyms`)."""
    return frozenset(a for t in terms if noun and t.stem == stem(noun) for a in t.alternatives)


def share_of(question: str) -> str | None:
    """What a question asks a share of ("Welk percentage van de vijvers ..." -> "vijvers")."""
    folded = fold(question)
    match = _SHARE_OF.search(folded)
    return _noun_at(folded, match) if match else None


def _noun_at(folded: str, match: re.Match[str]) -> str:
    """The noun of the phrase `match` captured (`head_noun`: past its adjectives), without the
    modifier before a hyphen ("vo-leerlingen", "(v)so-leerlingen" -> "leerlingen")."""
    return (head_noun(folded, match.start(1)) or match.group(1)).split("-")[-1].replace("(", "").replace(")", "")


def _names_noun(word: str, noun: str, alternatives: Collection[str]) -> bool:
    """Whether a folded token is `noun` or another name for it (word ends match from 4 letters on:
    "lesuur" counts "uur"; "gen" does not count "leerlingen")."""
    w = _APOSTROPHE.split(word.strip(_TOKEN_EDGES))[0]  # "regio’s": "regio"
    if stem(w) in alternatives:
        return True
    if len(w) < 3:
        return False
    return stem(w) == stem(noun) or (len(w) >= 4 and (noun.endswith(w) or w.endswith(noun)))


def counts_share(text: str, whole: str, alternatives: Collection[str] = ()) -> bool:
    """Whether `text` gives a share of `whole`: a percentage or a share in words with the whole
    right after it as "van (de) ..." ("24% van de vijvers", "de helft van alle vijvers"), a
    proportion with the whole right after it ("1 op de 5 vijvers", "één op de vijf van de
    vijvers"), or
    before it after "van" or "aandeel" ("van de vijvers is 24% vergund", "het aandeel groene
    vijvers is 3%"); not a share of something else ("een derde van de parken heeft vijvers")."""
    tokens = fold(text).split()
    for i, token in enumerate(tokens):
        in_words = token.strip(_TOKEN_EDGES) in _SHARE_WORDS
        proportion = _PROPORTION.match(" ".join(tokens[i : i + 4]))
        if proportion:
            # "1 op de 5 vijvers" or "1 op de 5 van de vijvers": the whole follows the proportion.
            j = i + len(proportion.group().split())
            after = tokens[j + 1 : j + 4] if j < len(tokens) and tokens[j] == "van" else tokens[j : j + 3]
        elif in_words or (_PERCENTAGE.search(" ".join(tokens[i : i + 2])) and _NUMBER_TOKEN.search(token)):
            j = i + 2 if not in_words and i + 1 < len(tokens) and tokens[i + 1].strip(_TOKEN_EDGES) == "procent" else i + 1
            after = tokens[j + 1 : j + 4] if j < len(tokens) and tokens[j] in ("van", "der") else []
        else:
            continue
        start = max(0, i - _SHARE_REACH)
        before = [w for k, w in enumerate(tokens[start:i], start=start) if _OF_A_WHOLE & set(tokens[max(0, k - 3) : k])]
        if tokens[0] == "van" and i <= _OPENING_WHOLE_REACH:
            # "Van de vijvers in het oosten van het park is 24% vergund": the sentence opens with its whole.
            before += tokens[1:4]
        if any(_names_noun(w, whole, alternatives) for w in after + before):
            return True
    return False


def counts_noun(text: str, noun: str, alternatives: Collection[str] = (), shares: bool = True) -> bool:
    """Whether `text` has a number before `noun`, within five words and no relating preposition
    between ("8 besturen", "zes thema's", "60% van de leraren", "40 ervaren voltijd tuinmannen";
    not "40 pompen voor tuinmannen"), or before another name for it (`alternatives`, stems: the abbreviation the
    documents introduce, "12 swv’s" for "samenwerkingsverbanden"). Without `shares`, only a
    number of them counts, not a share ("60% van de leraren", "1 op de 20 scholen") or a
    sample's size ("n=98")."""
    if noun == "%":
        return bool(_PERCENTAGE.search(text) or _PROPORTION.search(text))
    tokens = fold(text).split()
    for i, token in enumerate(tokens):
        bare = token.strip(_TOKEN_EDGES)
        if not _NUMBER_TOKEN.search(token) and not is_count_word(bare):
            continue
        if YEAR.fullmatch(bare):
            continue  # "december 2023 Bo Vo": a date above a table's columns counts nothing
        if _NAME_WITH_NUMBER.match(bare):
            continue  # "TALIS-2024", "G5": a name that holds a number counts nothing
        # A share ("60%", "twee derde van"), "1 op de 20", or a sample's size ("n=98") is no number of them.
        if not shares and (
            _PERCENTAGE.search(" ".join(tokens[i : i + 2])) or ["op", "de"] in (tokens[max(0, i - 2) : i], tokens[i + 1 : i + 3])
            or "=" in token or tokens[i + 1 : i + 2] and tokens[i + 1].strip(_TOKEN_EDGES) in _SHARE_WORDS
        ):
            continue
        for follower in tokens[i + 1 : i + 1 + _COUNT_REACH]:
            if _names_noun(follower, noun, alternatives):
                return True
            if follower in _RELATING:
                break  # "916 subsidies toegekend voor zij-instromers" counts subsidies
    return False


#: "Hoe groot is het tekort?", "Hoe hoog was het verzuim?": the size of a thing asked.
_ASKS_MEASURE = re.compile(r"^(?:en\s+)?hoe\s+(?:groot|hoog|omvangrijk)\s+(?:is|was|zijn|waren)\s+(?:het|de|dat|die)?\s*(?P<subject>[^\W\d_][\w-]*)")
#: Verbs that give a thing's size after it ("het tekort bedroeg 9.800 fte", "het verzuim lag op 7%").
_MEASURE_VERBS = frozenset("is was bedraagt bedroeg bedragen bedroegen ligt lag liggen lagen komt kwam steeg daalde stijgt daalt groeide groeit".split())
#: How many words after the thing may give its size.
_MEASURE_REACH = 6


def _measured(info: QuestionInfo) -> QuestionTerm | None:
    """The key term whose size "Hoe groot is X?" asks (X's term), or None."""
    match = _ASKS_MEASURE.match(fold(info.text))
    if not match:
        return None
    return next((t for t in info.terms if not t.is_number and t.word == match.group("subject")), None)


def measures(text: str, noun: str, alternatives: Collection[str] = ()) -> bool:
    """Whether `text` gives the size of `noun`: the noun, then within a few words a verb of size
    and a number ("het tekort in het po bedroeg 9.800 fte", "is het tekort 24%"), or "van" and a
    number ("een tekort van 9.800 fte"); not a number of something it qualifies ("scholen met
    een groot tekort kreeg 30% een onvoldoende")."""
    tokens = fold(text).split()
    for i, token in enumerate(tokens):
        if not _names_noun(token, noun, alternatives):
            continue
        after = [t.strip(_TOKEN_EDGES) for t in tokens[i + 1 :]]
        if after[:1] == ["van"] and len(after) > 1 and _NUMBER_TOKEN.search(after[1]):
            return True
        if after and _NUMBER_TOKEN.search(after[0]) and not YEAR.fullmatch(after[0]):
            return True  # "is het tekort 24%"
        for j, word in enumerate(after[:_MEASURE_REACH]):
            if word in _MEASURE_VERBS:
                return any(_NUMBER_TOKEN.search(w) and not YEAR.fullmatch(w) for w in after[j + 1 : j + 5])
            if word in _RELATING and word != "in":
                break
    return False


#: How many words after a number may name what it counts ("13 voltijd riet- en kroostuinmannen").
_COUNT_REACH = 5
#: Prepositions that relate what a number counts to something else ("... subsidies voor
#: zij-instromers", "... scholen in Utrecht"): what follows them is not what is counted. Not
#: "van" ("60% van de leraren") nor "op" ("1 op de 20 scholen"), which give a share of it.
_RELATING = frozenset("voor in met bij aan naar over uit door tot om tegen tijdens onder per via".split())


def _caption_counts(unit: Unit, noun: str, figures: set[str]) -> bool:
    """Whether a table row's figures count `noun` because its caption names it ("Aantal
    vijvers per provincie": the row "Drenthe 12 14" counts vijvers)."""
    return unit.row and noun != "%" and bool(figures) and stem(noun) in content_stems(unit.parts[0].text)


def _caption_shares(unit: Unit, whole: str, alternatives: Collection[str] = ()) -> bool:
    """Whether a table row's figures are shares of `whole`: its caption says they are shares
    ("Percentage ...", "Aandeel ...", "... (%)") and the row's label or the caption names the
    whole ("Percentage vijvers met kroos": the row "Noordpark 12 14"; "Kroos per park (%)": the
    row "Vijvers in het Noordpark 12 14"), or a column header above the row does ("n %")."""
    caption = unit.parts[0].text
    above = " ".join(p.text for p in unit.parts[:-1])
    if not unit.row or not ("%" in above or _PERCENT_WORDS & set(words(fold(caption)))):
        return False
    named = f"{_row_label(unit)} {caption}"
    return any(_names_noun(w, whole, alternatives) for w in fold(named).split())


def _matches(terms: Sequence[QuestionTerm], stems: frozenset[str], text: str) -> list[float]:
    """Per question term: 1 when a stem matches, 0.8 when it occurs otherwise (inside a longer
    word, as an inflection, or as the two parts of a compound: "schoolleiders register")."""
    index: TermIndex | None = None
    found = []
    for t in terms:
        if t.numbers_a_thing:  # "groep 8": the group by its number, not any 8 ("8 uur")
            index = index or TermIndex([text])
            found.append(1.0 if index.contains(t) else 0.0)
            continue
        if t.stem in stems:
            found.append(1.0)
            continue
        if t.has_other_name_in(stems):
            found.append(0.8)  # another word for it ("leraren" for "juffen", "vbp" for "vijverbeheerplan")
            continue
        if t.is_number:
            found.append(0.0)
            continue
        index = index or TermIndex([text])
        if t.is_letter_name:  # "School B": the phrase is there, or nothing is
            found.append(1.0 if index.contains(t) else 0.0)
            continue
        found.append(0.8 if index.contains(t) else 0.0)
    return found


#: Words that negate what follows: "geen kroos", "zonder diploma", "niet bevoegd".
_NEGATIONS = frozenset({"geen", "zonder", "niet"})
#: How much a negated key term's match counts in a sentence that negates nothing (set a
#: priori, not tuned: half, as for a borrowed term; on tune one answer changed, for the better).
NEGATION_MISSING = 0.5


def _sentence_negated(text: str) -> frozenset[str]:
    """The stems of the words a sentence negates: after "geen", "zonder" or "niet" ("geen kroos",
    "niet gestart"), or right before "niet" ("startten niet")."""
    said = words(text)
    return frozenset(
        {stem(b) for a, b in zip(said, said[1:]) if a in _NEGATIONS} | {stem(a) for a, b in zip(said, said[1:]) if b == "niet"}
    )


def _negated_stems(question: str) -> frozenset[str]:
    """The stems of the words a question negates ("geen lerarentekort", "zonder diploma")."""
    asked = words(question)
    return frozenset(stem(w) for before, w in zip(asked, asked[1:]) if before in ("geen", "zonder"))


def _introduced_by_topic(terms: Sequence[QuestionTerm], unit: Unit, passage: Passage) -> bool:
    """Whether a list is about the question: its lead-in or the title of its section shares a key
    term with it. A list is long and holds many words, so an item that shares one word would
    otherwise carry a whole list on another subject into the answer ("Aanbevelingen: …")."""
    text = substance(f"{unit.parts[0].text} {passage.chunk.innermost_section or ''}")
    return any(m > 0 for m in _matches(terms, analyse(text).stems, text))


def _idf(n_terms: int, matched: Sequence[Sequence[float]]) -> list[float]:
    n = len(matched)
    weights = []
    for j in range(n_terms):
        df = sum(1 for row in matched if row[j] > 0)
        weights.append(math.log(1 + (n + 1) / (df + 0.5)) if df else 0.0)
    return weights


def unit_signals(
    question: QuestionInfo, passages: Sequence[Passage], history: Sequence[Turn] = ()
) -> list[tuple[Unit, dict[str, float], float, frozenset[str]]]:
    """Every candidate unit with its signals (`SENTENCE_FEATURES`), overlap and stems."""
    # The words that name the question's source ("het Parkbureau", and the verb "noemt" with it)
    # chose the document; in a sentence they are a weak sign of an answer (a sentence that cites
    # the source by name is not the more likely to answer): half weight, as borrowed terms.
    own_topic = {t.stem for t in question.topic_terms}
    terms = list(question.terms)
    # So does the year of the edition it names ("Wat zegt de inspectie in 2024 over ...?").
    scale = [
        1.0 if not question.mention or (t.stem in own_topic and t.word not in question.source_years) else 0.5 for t in terms
    ]
    # A follow-up ("En in het vo?") borrows the previous question's terms at half weight.
    previous = previous_question(history)
    if previous:
        own = {t.stem for t in terms}
        replaced = replaced_subject(question.text, previous)  # "En over riet?" after "... over kroos?"
        borrowed = [t for t in analyse_question(previous).terms if t.stem not in own and t.word not in replaced]
        terms += borrowed
        scale += [0.5] * len(borrowed)
    units = [u for i, p in enumerate(passages) for u in candidate_units(i, p)]
    if not units:
        return []
    texts = [substance(u.text) for u in units]
    analysed = [analyse(t) for t in texts]
    matched = [_matches(terms, a.stems, t) for a, t in zip(analysed, texts)]
    # "Hoeveel vijvers hebben geen kroos?": a sentence about vijvers with kroos has the word but
    # not what is asked; its match of a negated term counts half when it negates nothing itself.
    asked_words = set(words(question.text))
    negated = _negated_stems(question.text)
    if negated:
        for row, a in zip(matched, analysed):
            if not _NEGATIONS & a.words:
                for i, t in enumerate(terms):
                    if t.stem in negated:
                        row[i] *= NEGATION_MISSING
    elif not _NEGATIONS & asked_words:
        # And the other way round: "Hoeveel nieuwe scholen zijn gestart?" is not answered by
        # "9 scholen ... startten niet in 2023."; a term the sentence negates counts half.
        for row, text, a in zip(matched, texts, analysed):
            if _NEGATIONS & a.words and (said_not := _sentence_negated(text)):
                for i, t in enumerate(terms):
                    if row[i] and (t.stem in said_not or said_not & set(t.alternatives)):
                        row[i] *= NEGATION_MISSING
    # "Dat geldt ook voor het aantal tuinmannen dat riet maait. Dit aantal schommelt rond de 80.":
    # a figure of what the sentence before names; the terms matched there count as its own.
    pointing = [n for n, u in enumerate(units) if not u.is_enumeration and not u.row and _POINTS_AT_FIGURE.match(u.parts[0].text)]
    if pointing:
        at = {(u.passage_index, u.parts[0].number): row for u, row in zip(units, matched) if not u.is_enumeration and not u.row}
        for n in pointing:
            unit = units[n]
            before = at.get((unit.passage_index, unit.parts[0].number - 1))
            if before is not None:
                matched[n] = [max(a, b) for a, b in zip(matched[n], before)]
    # Rarity among the sentences, a table counted once: its rows all repeat its caption.
    tables: dict[int, list[float]] = {}
    for unit, row in zip(units, matched):
        if unit.row:
            tables[unit.passage_index] = [max(a, b) for a, b in zip(tables.get(unit.passage_index, row), row)]
    counted = [m for u, m in zip(units, matched) if not u.row] + list(tables.values())
    idf = [w * s for w, s in zip(_idf(len(terms), counted), scale)]
    total = sum(idf) or 1.0
    overlaps = [sum(w * m for w, m in zip(idf, row)) / total for row in matched]
    paragraph: dict[tuple[int, int], float] = {}
    by_position: dict[tuple[int, int], float] = {}
    for unit, overlap in zip(units, overlaps):
        key = (unit.passage_index, unit.parts[0].line)
        paragraph[key] = max(paragraph.get(key, 0.0), overlap)
        if not unit.is_enumeration:
            by_position[(unit.passage_index, unit.parts[0].number)] = overlap
    question_stems = set(content_stems(question.text)) | {t.stem for t in terms}
    noun = counted_noun(question.text) if question.intent == "number" else None
    # Other names of the counted noun: the question's term for it, widened (`rag.text.abbreviations`).
    noun_names = _other_names(terms, noun)
    # "Hoeveel procent van de leraren ...": a percentage counts only when it is one of leraren.
    whole = share_of(question.text) if noun == "%" else None
    whole_names = _other_names(terms, whole)
    intent = question.intent
    about_words = intent == "define" or bool(_ASKS_SAME_MEANING.search(fold(question.text)))
    result = []
    for unit, text, a, overlap in zip(units, texts, analysed, overlaps):
        passage = passages[unit.passage_index]
        if unit.is_enumeration and not _introduced_by_topic(terms, unit, passage):
            continue  # its items are candidates
        if not unit.is_enumeration and _announces(a.folded):
            continue  # it says what the document covers, not what it says
        if not about_words and _NAMES_ITS_WORDS.search(a.folded) and _WORDS_FOR.search(a.folded):
            continue  # how the document uses its words answers only what a word means
        if unit.is_enumeration and intent in ("number", "date") and _only_questions(unit):
            continue  # a list of questions (a study's research questions) gives no figure or time
        if passage.chunk.kind == "table" and not unit.row and not unit.is_enumeration and not _ENDS_SENTENCE.search(unit.text):
            continue  # a line of a table's text that does not end as a sentence is a cell ("Hoger salaris voor lastig vervulbare")
        lead = unit.parts[0].text
        label = _row_label(unit) if unit.row else ""
        new_numbers = numbers(text) - set(question.numbers)
        # "meer dan dertig beleidsgebieden" answers "hoeveel" as "31" would.
        gives_count = (
            _gives_count(text, question.numbers, True) if question.asks_duration  # a span of time, not a share
            else bool(new_numbers) or any(is_count_word(w) and w not in asked_words for w in words(text))
            # "meer dan de helft van de vijvers" answers "hoeveel vijvers" as "52%" would.
            or (bool(_SHARE.search(text)) and not _SHARE.search(question.text))
        )
        stems = content_stems(text)
        n_words = len(unit.text.split())
        # A list gives reasons when its lead-in says so ("Dit komt door:"), not when one of its
        # items happens to name a cause ("• Scholen: onderzoek de oorzaken van uitval.").
        causal = bool(_CAUSAL.search(fold(substance(unit.parts[0].text) if unit.is_enumeration else text)))
        signals = {
            "overlap": overlap,
            "previous_overlap": by_position.get((unit.passage_index, unit.parts[0].number - 1), 0.0),
            "paragraph_overlap": paragraph[(unit.passage_index, unit.parts[0].line)],
            "novelty": sum(1 for s in stems if s not in question_stems) / max(len(stems), 1),
            "passage_score": float(passage.score),
            "passage_rank": 1.0 / (1 + unit.passage_index),
            "has_number": float(bool(new_numbers)),
            "numbers": math.log(1 + len(new_numbers)),
            "number_wanted": float(intent == "number" and gives_count),
            "number_missing": float(intent == "number" and not gives_count),
            "date_wanted": float(intent == "date" and bool(_WHEN.search(text))),
            "place_wanted": float(intent == "place" and bool(_PLACE.search(a.folded))),
            "percent_wanted": float(question.asks_percent and bool(_SHARE.search(text))),
            "counted": float(bool(noun) and (
                (counts_share(text, whole, whole_names) or _caption_shares(unit, whole, whole_names)) if whole
                else counts_noun(text, noun, noun_names) or _caption_counts(unit, noun, new_numbers)
            )),
            "causal": float(causal),
            # "Waarom ...?" wants a sentence that gives a reason; "Wat kunnen scholen doen ...?" does not.
            "causal_wanted": float(causal and question.asks_reason),
            "defines_wanted": float(intent == "define" and bool(_DEFINES.search(a.folded))),
            "enumeration": float(unit.is_enumeration),
            "enumeration_wanted": float(intent == "list" and (unit.is_enumeration or _lists_items(text, question.text))),
            "words": math.log(n_words + 1),
            "short": float(n_words < 5),
            "long": float(not unit.is_enumeration and n_words > 60 and not _INLINE_LIST.search(text)),
            "question_mark": float(_is_question(lead)),
            "quoted": float(lead[:1] in _QUOTE_START),
            "anaphoric": float(bool(_ANAPHORIC_START.match(lead))),
            "table": float(passage.chunk.kind == "table"),
            "money_wanted": float(question.asks_money and bool(new_numbers) and _gives_money(a.folded)),
            "superlative_wanted": float(question.asks_superlative and bool(SUPERLATIVE.search(a.folded))),
            # Figures make most answers, but not a definition, an explanation or a list.
            "number_unwanted": float(intent in ("define", "explain", "list") and bool(new_numbers)),
            # Not fitted: a table row whose own label has a key term itself, not inside a longer word (`_year_missing`).
            "row_label": float(bool(label) and any(m == 1.0 for m in _matches(terms, analyse(label).stems, label))),
        }
        if unit.row and intent in ("define", "explain", "list") and not signals["row_label"]:
            continue  # a row of figures whose own label is not about the question gives no meaning, reason or item
        result.append((unit, signals, overlap, a.stems))
    return result


class ExtractiveComposer:
    """Composes a short answer from the passages' own sentences, each with an `[n]` marker."""

    #: `compose` takes the retriever's analysis of the question (the source it names).
    accepts_analysis = True

    def __init__(
        self,
        settings: Settings | None = None,
        refusal: RefusalModel | None = None,
        model: LinearModel | None = None,
        follower_margin: float | None = None,
    ) -> None:
        self.settings = settings
        self.refusal = refusal or RefusalModel()
        self.model = model if model is not None else bundled("sentences")
        #: A further sentence must score within this of the lead (logit units; fitted on tune).
        self.follower_margin = follower_margin if follower_margin is not None else float(
            self.model.provenance.get("follower_margin", 1.0)
        )

    def warm_up(self) -> None:
        self.refusal.warm_up()
        foreign_places("Nederland")  # loads CLDR's country names (a quarter of a second)

    def compose(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn] = (),
        analysis: QuestionInfo | None = None,
    ) -> Answer:
        started = time.perf_counter()
        ranked = tuple(sorted(passages, key=lambda p: p.rank))
        info = analysis or analyse_question(question)
        scored = self.score_units(question, ranked, history, info)
        decision = self.decide(info, ranked, history, scored, question)
        if decision.refuse:
            return self._refusal(question, ranked, decision.reason, started)
        own_sectors = _own_sectors(question, history)
        chosen = self._choose(info, _not_said_before(question, info, history, scored), ranked, own_sectors)
        if chosen:
            chosen = self._with_second_part(question, info, chosen, ranked)
            chosen = _with_each_named(info, chosen, scored, ranked)
            chosen = _with_each_sector(info, own_sectors or scope_sectors(info.topic), chosen, scored, ranked)
            chosen = _with_elaboration(_with_antecedent(chosen, ranked, info), ranked, info)
        if not chosen:
            log.info("Refused: no candidate sentence is about the question")
            return self._refusal(question, ranked, REASON_NO_SENTENCE, started)
        answer = self._answer(question, ranked, chosen, started)
        if note := (
            _other_years_note(info, chosen, question)
            or _other_sector_note(own_sectors or sectors(info.topic), chosen, ranked)
            or _other_role_note(info, chosen)
            or _other_rate_note(chosen, question, info.asks_money)
            or _abroad_note(question, history, chosen, ranked)
            or _group_note(info, chosen)
            or _place_not_named_note(info, chosen, ranked)
            or _group_only_note(info, chosen)
            or _unnamed_quantity_note(question, info, chosen, ranked)
            or _no_person_note(question, chosen)
            or _no_total_note(question, info, chosen)
            or _no_contrast_note(info, chosen)
            or _no_share_of_note(question, info, chosen)
            or _share_not_named_note(question, info, chosen)
            or _type_not_given_note(info, chosen, ranked)
            or self._no_definition_note(question, info, chosen, ranked)
        ):
            return replace(answer, uncertain=True, note=note)
        return replace(answer, uncertain=True, note=CAUTION_TEXT) if decision.uncertain else answer

    def refusal_decision(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = (), analysis: QuestionInfo | None = None
    ) -> RefusalDecision:
        """Whether the passages hold the answer at all (used by the LLM mode before asking)."""
        ranked = tuple(sorted(passages, key=lambda p: p.rank))
        info = analysis or analyse_question(question)
        return self.decide(info, ranked, history, self.score_units(question, ranked, history, info), question)

    def decide(
        self, info: QuestionInfo, passages: Sequence[Passage], history: Sequence[Turn], scored: Sequence[ScoredUnit],
        asked: str | None = None,
    ) -> RefusalDecision:
        """Whether to refuse, from the passages and the best candidate sentences. `info` is the
        question as searched (a follow-up completed with what came before), `asked` the question
        as the user wrote it."""
        if not passages:
            return self.refusal.refuse_empty()
        if not history and info.topic_terms and all(t.is_number and t.word not in info.source_years for t in info.topic_terms):
            return self.refusal.refuse_without_subject()  # "Wat is 2+2?": any passage with a 2 would do
        signals = self.refusal_signals(info, passages, history, scored)
        decision = self.refusal.decide(signals)
        if decision.refuse:
            return decision
        if missing := _amount_missing(info, scored, passages):
            return self.refusal.refuse_without_amount(missing, signals)
        if year := _year_missing(info, scored, asked):
            return self.refusal.refuse_without_year(year, signals)
        return decision

    def refusal_signals(
        self, info: QuestionInfo, passages: Sequence[Passage], history: Sequence[Turn], scored: Sequence[ScoredUnit]
    ) -> RefusalSignals:
        best = scored[0] if scored else None
        top = scored[:3]
        # The kind of answer asked for, most specific first: an amount, the top of a ranking, a
        # share, a count of what is asked about, a number, a date, a place.
        wanted = [
            name for name, asked in (
                ("money_wanted", info.asks_money), ("superlative_wanted", info.asks_superlative),
                ("percent_wanted", info.asks_percent), ("counted", info.intent == "number" and bool(counted_noun(info.text))),
                ("number_wanted", info.intent == "number"), ("date_wanted", info.intent == "date"),
                ("place_wanted", info.intent == "place"),
            ) if asked
        ]  # fmt: skip
        type_found = not wanted or any(s.signals[wanted[0]] for s in top)
        specifics = [t for t in info.topic_terms if t.is_specific and t.word not in info.source_years and not claimed_figure(info.text, t)]
        in_best = TermIndex(substance(s.unit.text) for s in top)
        specific_found = sum(1 for t in specifics if in_best.contains(t)) / len(specifics) if specifics else 1.0
        return refusal_signals(
            info, passages, history,
            best_sentence=best.score if best else -10.0,
            best_overlap=best.overlap if best else 0.0,
            type_found=type_found,
            specific_in_best=specific_found,
        )

    # -- choosing sentences -------------------------------------------------------------

    def score_units(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = (), analysis: QuestionInfo | None = None
    ) -> list[ScoredUnit]:
        """Every candidate unit of the passages with its score, best first."""
        info = analysis or analyse_question(question)
        signalled = unit_signals(info, passages, history)
        if not signalled:
            return []
        scores = self.model.logits(self.model.matrix([s for _, s, _, _ in signalled]))
        scored = [ScoredUnit(u, float(x), overlap, stems, signals) for (u, signals, overlap, stems), x in zip(signalled, scores)]
        scored.sort(key=lambda s: (-s.score, s.unit.passage_index, s.unit.position))
        return scored

    def choose(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = (), analysis: QuestionInfo | None = None
    ) -> list[ScoredUnit]:
        """The units of the answer, in answer order: the best first, the rest by passage and position."""
        info = analysis or analyse_question(question)
        ranked = tuple(sorted(passages, key=lambda p: p.rank))
        return self._choose(info, self.score_units(question, ranked, history, info), ranked, _own_sectors(question, history))

    def _choose(
        self, info: QuestionInfo, scored: list[ScoredUnit], passages: Sequence[Passage], own_sectors: frozenset[str] = frozenset()
    ) -> list[ScoredUnit]:
        # The lead shares a key term with the question, or continues a sentence that does.
        on_topic = [s for s in scored if s.overlap > 0 or s.signals["previous_overlap"] > 0]
        if not on_topic:
            return []
        named = info.mention.documents
        if len(named) == 1 and not info.compares:
            # "Wat stelt het vijverplan voor ...?": the answer comes from the plan when its
            # passages hold as much of the question as the best sentence of any document does.
            own = [s for s in on_topic if passages[s.unit.passage_index].document_id == named[0]]
            if own and max(s.overlap for s in own) >= max(s.overlap for s in on_topic):
                on_topic = own
        # A follow-up that names a sector asks about that one ("En in het vo?" after a question about the po).
        asked = own_sectors or sectors(info.topic)
        # "Hoeveel ... in het vo?": a sentence that names only other sectors answers another question.
        own_sector = [s for s in on_topic if not other_sector_only(asked, _sector_text(s.unit))]
        if own_sector:
            on_topic = own_sector
        best = on_topic[0]
        if best.overlap > 0 and (subject := _subject_terms(info)) and not any(_matches(subject, best.stems, best.unit.text)):
            # "Waarom vindt het vijverplan riet nuttig?": a sentence that only names the plan
            # ("Het vijverplan is in 2020 opgesteld, omdat ...") does not lead when one is about riet.
            best = next((s for s in on_topic if any(_matches(subject, s.stems, s.unit.text))), best)
        if _ASKS_WHO.match(fold(info.text).strip()) and not _ACTOR_LABEL.match(best.unit.parts[0].text):
            # "Wie moet de opleidingen verstevigen?": the item that names who does it ("Opleidings-
            # aanbieders: Verstevig de opleidingen ...") leads one that only says what is done,
            # when it scores within the follower margin; of several, the one nearest the question.
            labelled = [
                s for s in on_topic
                if _ACTOR_LABEL.match(s.unit.parts[0].text) and s.overlap > 0 and s.score >= best.score - self.follower_margin
            ]
            if labelled:
                best = max(labelled, key=lambda s: (s.overlap, s.score))
        if info.intent == "define":
            # "Wat is het vbp?", "Wat is een kroosdek?": the sentence that says what it
            # is, or spells the abbreviation out, leads.
            best = next((s for s in on_topic if self._says_what_it_is(info, s.unit, passages)), best)
        if info.intent == "list" and not best.unit.is_enumeration and (items := _items_asked(info.text)):
            # "Wat zijn de drie doelen van het vijverplan?": the list whose lead-in names them leads.
            best = next((s for s in on_topic if _introduces_items(s.unit, items)), best)
        elif (
            info.intent == "list" and (items := _items_asked(info.text)) and not _introduces_items(best.unit, items)
            and items not in _RELATIONAL_STEMS  # "Welke rol ...?" asks no items
        ):
            # "Welke programma's ...?" led by a list about something wider ("Ondersteuning in de
            # klas:"): the one item of it that names them ("Programma's als A, B en C ...") leads.
            naming = [
                s for s in on_topic
                if not s.unit.is_enumeration and s.unit.keys <= best.unit.keys
                and any(stem(w) == items for w in words(_without_plural_s(fold(s.unit.text))))
            ]
            if len(naming) == 1:
                best = naming[0]
        if stated := _stated_figures(info.text):
            # "Klopt het dat 40% van de tuinmannen ouder is dan 55?": the sentence that holds the
            # figures the claim states confirms it, and leads when it holds as much of the rest
            # of the claim as any sentence with a figure (the figures found among other things
            # say nothing); else the claim's figures are not the documents', and the sentence
            # with a figure that holds the most of the rest of the claim corrects it.
            claim = [t for t in info.terms if not t.is_number]

            def held(s: ScoredUnit) -> float:
                return sum(_matches(claim, s.stems, s.unit.text))

            figured = [(s, held(s)) for s in on_topic if s.signals["has_number"] or stated <= numbers(s.unit.text)]
            most = max((h for _, h in figured), default=0.0)
            confirms = next((s for s, h in figured if stated <= numbers(s.unit.text) and h >= most), None)
            corrects = max(figured, key=lambda f: f[1], default=None)
            if confirms is not None:
                best = confirms
            elif corrects is not None and corrects[1] > held(best):
                best = corrects[0]
        if (measured := _measured(info)) and not measures(best.unit.text, measured.word, measured.alternatives):
            # "Hoe groot is het kroostekort?": a sentence that gives the size of the kroostekort
            # leads when it holds as much of the question, not one with a figure of something
            # the word only qualifies ("Van de vijvers met een groot kroostekort had 30% ...").
            sized = [s for s in on_topic if measures(s.unit.text, measured.word, measured.alternatives) and s.overlap >= best.overlap]
            # One that opens with the thing ("Het tekort bedroeg ...") gives its size as such, not
            # that of a part of it ("Op scholen in de steden is het tekort 24%").
            opening = [s for s in sized if any(_names_noun(w, measured.word, measured.alternatives) for w in fold(s.unit.text).split()[:3])]
            best = (opening or sized or [best])[0]
        if (asked_numbers := _numbered(info.topic)) and not asked_numbers <= numbers(best.unit.text):
            # "Hoe hoog is de uitval op niveau 1?": a sentence that holds the number asked leads
            # one about the other levels ("op niveau 2, 3 en 4") when it holds as much of the
            # question and scores within the follower margin.
            best = next(
                (
                    s for s in on_topic
                    if asked_numbers <= numbers(s.unit.text) and s.overlap >= best.overlap and s.score >= best.score - self.follower_margin
                ),
                best,
            )
        if (ranked := _ranked_thing(info.text)) and not _ranks(best.unit.text, ranked):
            # "Wat is de grootste bedreiging ...?": the sentence that names the grootste
            # bedreiging leads one about a bedreiging, when it holds as much of the question and
            # scores within the follower margin.
            best = next(
                (s for s in on_topic if _ranks(s.unit.text, ranked) and s.overlap >= best.overlap and s.score >= best.score - self.follower_margin),
                best,
            )
        if _is_question(best.unit.text) and _restates(best.unit.text, info.text):
            # "Hoe is het plan tot stand gekomen?" heading the document's answer: the user's own
            # question said back is no answer; the best sentence that is no question leads.
            answers = [s for s in on_topic if not _is_question(s.unit.text)]
            if answers:
                best = answers[0]
                on_topic = answers
        elif _asks_nothing_asked(best.unit, info):
            # "Welke knelpunten zien de tuinmannen?" led by the study's research questions ("• Welke
            # knelpunten ...?"): questions answer nothing unless questions are asked about.
            best = next((s for s in on_topic if not _asks_nothing_asked(s.unit, info)), best)
        top_score = on_topic[0].score
        budget = MAX_CHARS_LIST if info.intent == "list" else MAX_CHARS
        chosen = [best]
        used_chars = len(best.unit.text)
        used_parts = set(best.unit.keys)
        have_numbers = set(numbers(best.unit.text))
        have_stems = set(best.stems)
        # A sector is the subject when the question asks about more than one ("in het sbo en
        # het pro": a sentence per sector answers), else it is the scope, like a year.
        subject = [t for t in info.terms if not t.is_number and (len(asked) > 1 or not sectors(t.word))]
        for candidate in on_topic:
            if candidate is best:
                continue
            if len(chosen) >= MAX_SENTENCES or candidate.score < top_score - self.follower_margin:
                break
            parts = candidate.unit.keys
            if parts & used_parts or used_chars + len(candidate.unit.text) > budget or candidate.overlap <= 0:
                continue
            if candidate.unit.is_enumeration and candidate.unit.parts[0].kind == "bullet" and info.intent != "list":
                continue  # list items without their lead-in (cut off by the passage): no aside for other questions
            if any(_near_duplicate(candidate.stems, c.stems) for c in chosen) or _asks_nothing_asked(candidate.unit, info):
                continue
            # It must add to the answer: a figure, or a key term the answer does not have yet.
            new_numbers = set(numbers(candidate.unit.text)) - have_numbers - set(info.numbers)
            new_terms = {t.stem for t in info.terms if t.stem in candidate.stems and t.stem not in have_stems}
            if not new_numbers and not new_terms:
                continue
            # It must be about the subject: a sentence that shares only the question's year or
            # sector ("in 2019", "in het po") is about something else in that year or sector.
            if subject and not any(_matches(subject, candidate.stems, candidate.unit.text)):
                continue
            chosen.append(candidate)
            used_chars += len(candidate.unit.text)
            used_parts |= parts
            have_numbers |= set(numbers(candidate.unit.text))
            have_stems |= set(candidate.stems)
        return _lead_then_in_order(best, chosen[1:])

    def _with_second_part(
        self, question: str, info: QuestionInfo, chosen: list[ScoredUnit], passages: Sequence[Passage]
    ) -> list[ScoredUnit]:
        """A question that asks two things ("Hoeveel ... gingen van start, en wanneer moet ...?")
        gets the best sentence for the second as well, when the answer lacks it: the lead
        answers the question as a whole, which is mostly its first part."""
        split = second_question(question)
        if split is None or info.intent == "list":
            return chosen
        first, second = split
        # The second part asks in its own way about the first's subject ("en wanneer moeten alle
        # vijvers schoon zijn?" is about the kroosplan of the first).
        part = analyse_question(f"{second.rstrip(' ?')} {first}")
        is_new = _new_to(chosen)
        best = next(
            (
                s for s in self.score_units(second, passages, (), part)
                if s.overlap > 0 and is_new(s)
                and not any(_near_duplicate(s.stems, c.stems) for c in chosen)
            ),
            None,
        )
        return chosen if best is None else _with_added(chosen, [best])

    @staticmethod
    def _says_what_it_is(info: QuestionInfo, unit: Unit, passages: Sequence[Passage]) -> bool:
        folded = fold(unit.text)
        if info.defined and means_before(folded):
            # "Dat wil zeggen dat ...": what the sentence before it named (quoted with it, as
            # its antecedent).
            before = _sentence_before(unit, passages)
            return before is not None and defines_in(info.defined, f"{before.text} {unit.text}")
        if info.defined and defines_in(info.defined, unit.text):
            return True
        subject = words(info.defined) if info.defined else None
        if subject and unit.is_enumeration and words(unit.parts[0].text)[-len(subject):] == subject:
            return True  # "Speerpunt 1: Meer riet" over its items: what the part holds
        # Spelling out an abbreviation of what is asked about says what it is; spelling out
        # another word of the question ("... in het mbo": "(mbo)") does not.
        asked = set(subject) if subject is not None else None
        return any(introduces(t, folded) for t in info.topic_terms if asked is None or t.word in asked)

    def _no_definition_note(
        self, question: str, info: QuestionInfo, chosen: Sequence[ScoredUnit], passages: Sequence[Passage]
    ) -> str | None:
        """The caution for an answer to "Wat is X?" none of whose sentences says what X is
        (`_says_what_it_is`): the passages speak of X without saying what it is."""
        if info.intent != "define" or not info.defined or any(self._says_what_it_is(info, c.unit, passages) for c in chosen):
            return None
        if set(words(info.defined)[:1]) & (_RELATIONAL_HEADS | _EFFECT_HEADS):
            return None  # "Wat is de rol van de gemeente?": what the gemeente does says it
        folded = fold(question)
        verb = "zijn" if _ASKS_WHAT_THEY_ARE.search(folded) else "is"
        # The subject as asked, with the source it names ("het plan van het NRO"); `info.defined`
        # is without it, for finding the definition.
        subject = _as_asked(defined_subject(info.text, info.intent) or info.defined, question)
        # "Wat is het plan van ...?": "U vraagt wat het plan van ... is", with the question's article.
        # A follow-up's subject is in the question as searched ("Kun je ‘een mismatch …’ uitleggen?").
        article = re.search(rf"\b(de|het|een)\s+{re.escape(fold(subject))}\b", f"{folded}\n{fold(info.text)}")
        if article:
            subject = f"{article.group(1)} {subject}"
        # "Wat is het kroosverzuim van vijvers?" answered with sentences on vijvers alone.
        head = next((t for t in info.topic_terms if [t.word] == words(info.defined)[:1]), None)
        if head is not None and not TermIndex(c.unit.text for c in chosen).contains(head):
            return NOTE_NO_DEFINITION_UNNAMED.format(subject=subject, verb=verb, named=head.asked or head.word)
        return NOTE_NO_DEFINITION.format(subject=subject, verb=verb)

    # -- building the Answer ------------------------------------------------------------

    def _answer(self, question: str, passages: tuple[Passage, ...], chosen: list[ScoredUnit], started: float) -> Answer:
        markers: dict[int, int] = {}
        used: dict[int, list[str]] = {}
        pieces = []
        for item in chosen:
            index = item.unit.passage_index
            marker = markers.setdefault(index, len(markers) + 1)
            context = (item.unit.context,) if item.unit.context is not None else ()
            after = (item.unit.elaboration,) if item.unit.elaboration is not None else ()
            used.setdefault(index, []).extend(p.text for p in (*context, *item.unit.parts, *after))
            pieces.append((item.unit.is_enumeration or item.unit.row, f"{item.unit.text} [{marker}]"))
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


#: "Wat is de rol van X?", "Wat is het doel van X?": the X's part in something, which the
#: documents say by what X does or is for ("X maakt afspraken ...", "met als doel ..."), not by
#: defining the word; no sentence says "de rol van X is".
_RELATIONAL_HEADS = frozenset(
    "rol rollen taak taken doel doelen doelstelling functie bijdrage opdracht verantwoordelijkheid verantwoordelijkheden".split()
)
_RELATIONAL_STEMS = frozenset(stem(w) for w in _RELATIONAL_HEADS)
#: What something brings about or risks is said of it ("Een risico van X is daarnaast dat ..."),
#: not defined as a kind of thing: "Wat is het risico van X?" asks no definition.
_EFFECT_HEADS = frozenset("risico gevaar gevaren nadeel nadelen voordeel voordelen gevolg gevolgen effect effecten".split())


def _stated_figures(question: str) -> set[str]:
    """The figures a claim to check states, years aside (they set the time, not the claim)."""
    if not states_claim(question):
        return set()
    return {n for n in numbers(question) if not YEAR.fullmatch(n)}


#: A question for one school or institution, which only its name answers: "Welke basisschool
#: ...?", "Op welke hogeschool ...?" (the singular; "Welke scholen ...?" may be answered by a kind).
_ASKS_NAMED_SCHOOL = re.compile(
    r"^(?:en\s+)?(?:(?:in|op|bij|van|aan|voor)\s+)?welke\s+(?:[^\W\d_]+\s+)?"
    r"(?:school|basisschool|instelling|onderwijsinstelling|universiteit|hogeschool|roc|pabo|lerarenopleiding)\b(?![-\w])"
)
#: A school or institution by its name: "School A", "basisschool De Vijver", "Universiteit
#: Utrecht", "de Vijverschool", "het Stedelijk Lyceum".
_NAMES_SCHOOL = re.compile(
    r"\b(?:[Ss]chool|[Bb]asisschool|[Hh]ogeschool|[Uu]niversiteit(?:\s+van)?|[Ii]nstelling)\s+[A-ZÀ-Þ]"
    r"|(?<=[a-zà-ÿ,;:] )[A-ZÀ-Þ][\w'’-]*(?:school|college|lyceum|gymnasium|academie)\b"
    r"|(?<=[a-zà-ÿ,;:] )(?:[A-ZÀ-Þ][\w'’-]*\s+)?(?:College|Lyceum|Gymnasium|Academie)\b"
)
#: "Wat zijn kroosdekken?": the caution says "wat kroosdekken zijn".
_ASKS_WHAT_THEY_ARE = re.compile(r"\bwat\s+zijn\b")
#: "Hoe oud ...?" asks an age ("42 jaar"): a number (`rag.text.question`), but no count to check.
_AGE_QUESTION = re.compile(r"\bhoe\s+oud\b")
#: What answers "wanneer": a year or month, or a time from now or then ("over tien jaar", "na
#: twee maanden", "volgend schooljaar", "sinds de zomer").
_WHEN = re.compile(
    _YEAR_OR_DATE.pattern
    + r"|\b(?:\d+|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twintig|enkele|paar)\s+(?:jaar|jaren|maanden|maand|weken|week|dagen|decennia)\b"
    r"|\b(?:volgend|vorig|dit|komend|afgelopen|elk|ieder)e?\s+(?:school)?jaar\b|\b(?:zomer|najaar|voorjaar|winter|herfst)\w*\b",
    re.IGNORECASE,
)
#: A share, written as a figure or in words: "12%", "12 procent", "een derde", "de helft", "1 op de 5".
_SHARE = re.compile(
    r"%|\bprocent\b|\b(?:(?:een|één|twee|drie|vier)\s+(?:derde|kwart|vijfde)|driekwart|helft|meerderheid|minderheid|merendeel)\b|"
    + _PROPORTION.pattern,
    re.IGNORECASE,
)
#: What answers "Hoe lang ...?": a span ("drie jaar", "twaalf uur", "een vierjarige opleiding",
#: "2021-2025") or a time that bounds one ("sinds 2015", "tot de zomer", "binnen zes weken"); not
#: a year or date alone ("In 2023 ..." dates something, it says nothing of how long).
_DURATION = re.compile(
    r"\b(?:\d[\d.,]*|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig|enkele|paar|half|"
    r"halve|anderhalf|aantal|meerdere)\s+(?:[^\W\d_]+\s+)?(?:jaar|jaren|maand|maanden|week|weken|dag|dagen|uur|uren|"
    r"minuten|kwartier|schooljaar|schooljaren|kalenderjaar|kalenderjaren|decennium|decennia)\b"
    r"|\b\w+jarige?n?\b"
    r"|\b(?:sinds|vanaf|tot|t/m|uiterlijk|tussen|gedurende|binnen)\s+(?:\w+\s+){0,2}?"
    r"(?:(?:19|20)\d\d\b|(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"zomer|najaar|voorjaar|winter|herfst|kerst)\w*)"
    r"|\b(?:19|20)\d\d\s*[-–/]\s*(?:19|20)?\d\d\b",
    re.IGNORECASE,
)
#: How often, in a word: what answers "hoe vaak" besides a figure.
_FREQUENCY = re.compile(r"\b(?:\w*(?:jaarlijks|maandelijks|wekelijks|dagelijks)e?|(?:een|twee|drie)maal)\b", re.IGNORECASE)


def _gives_count(text: str, asked: frozenset[str], duration: bool) -> bool:
    """Whether a sentence gives a count, size or frequency: a figure other than a year or the
    question's own (`asked`; "in 12 gemeenten", "9.800"), a count in words ("zes thema's"), a
    share ("de helft") or a frequency ("jaarlijks", "vierjaarlijkse"). A year alone dates
    something; it does not count it. When a `duration` is asked ("Hoe lang ...?") only a span
    of time answers (`_DURATION`), not a figure of another kind ("33% van de ...")."""
    plain = substance(text)
    if duration:
        return bool(_DURATION.search(plain))
    if any(not YEAR.fullmatch(n) for n in numbers(plain) - asked):
        return True
    folded = fold(plain)
    return any(is_count_word(w) for w in words(plain)) or bool(_SHARE.search(folded) or _FREQUENCY.search(folded))


#: How many of the best candidate sentences are looked at for the amount a question asks.
AMOUNT_DEPTH = 10


def _other_sector_note(asked: frozenset[str], chosen: Sequence[ScoredUnit], passages: Sequence[Passage]) -> str | None:
    """The caution for an answer about other sectors than the one asked ("Hoeveel ... in het
    vo?" answered with the po's figure, when no sentence about the vo was found): every
    sentence of the answer is about a sector (`_unit_sectors`), none of them an asked one."""
    about = [_unit_sectors(c.unit, passages) for c in chosen]
    if not about or not all(other_sectors(asked, named) for named in about):
        return None
    named = frozenset().union(*about)
    return NOTE_OTHER_SECTOR.format(asked=joined(sector_names(asked)), named=joined(sector_names(named)))


def _other_role_note(info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer about other staff than the people the question asks about
    ("Hoeveel uur besteden schooldirecteuren aan administratie?" answered with what leraren
    spend): the question names one role of staff (`rag.text.synonyms.ROLES`: the leraren or
    the schoolleiders), no sentence of the answer names it (nor another word for it, also in
    a compound: "schoolleiderstekort"), and one names the other staff instead (pupils are
    named in sentences about anyone)."""
    asked = {role: t for t in info.topic_terms if (role := role_of(t.word))}
    if len(asked) != 1 or "leerling" in asked:
        return None  # a question about pupils is answered in sentences about schools and their staff
    ((role, term),) = asked.items()
    named = {w: r for c in chosen for w in words(substance(c.unit.text)) if (r := role_of(w))}
    if role in named.values():
        return None
    told = sorted(w for w, r in named.items() if r != "leerling")
    if not told:
        return None
    return NOTE_OTHER_SECTOR.format(asked=term.asked or term.word, named=joined(told))


#: Three or more names in a row ("Amsterdam, Rotterdam, Den Haag, Utrecht en Almere").
_NAME_ITEM = r"[A-ZÀ-Þ][\w'’-]*(?:\s[A-ZÀ-Þ][\w'’-]*)*"
_NAMED_GROUP = re.compile(rf"{_NAME_ITEM}(?:,\s{_NAME_ITEM}){{1,}},?\s(?:en|of)\s{_NAME_ITEM}")
_GROUP_SEPARATOR = re.compile(r",\s|\s(?:en|of)\s")


#: "Wat is de gemiddelde leeftijd van ...?", "Hoe hoog is het verzuim in ...?": the quantity asked
#: (group 1, with its article and modifier) and its noun (group 2).
_ASKED_QUANTITY = re.compile(
    r"^(?:wat|hoe\s+(?:hoog|groot|laag))\s+(?:is|was|zijn|waren)\s+"
    r"((?:de|het)\s+(?:(?:gemiddelde|totale|huidige|jaarlijkse|landelijke|maximale|minimale)\s+)?([^\W\d_][\w-]+))"
    r"\s+(?:van|in|voor|bij|onder|op|per|aan|binnen)\b"
)
#: A word at least this common in Dutch (Zipf) is a word of its own, not a compound of its parts.
_OWN_WORD_ZIPF = 4.5
#: "Wie is de voorzitter van ...?", "Wie was de minister van ...?": the role asked (group 1 with
#: its article, group 2 the noun).
_ASKED_ROLE = re.compile(
    r"^wie\s+(?:is|was|zijn|waren|wordt|werd)\s+((?:de|het)\s+(?:(?:huidige|nieuwe|eerste|vorige)\s+)?([^\W\d_][\w-]+))"
    r"\s+(?:van|in|voor|bij|op)\b"
)
#: "Welke minister heeft ...?", "Welke wethouder ...?": one person asked by office (group 1).
_WHICH_OFFICE = re.compile(
    r"^(?:en\s+)?welke\s+(minister|staatssecretaris|wethouder|burgemeester|voorzitter|directeur|bestuurder|inspecteur-generaal"
    r"|hoogleraar|onderzoeker|auteur)\b"
)
#: A capitalised word inside a sentence: a name ("Van der Berg", "minister Vlinder"); a word in
#: capitals only ("AVS", "PO") is an abbreviation, mostly of an organisation.
_CAPITALISED = re.compile(r"(?<=[\w,;:)] )[A-ZÀ-Þ][a-zà-ÿ'’-]+")


def _no_person_note(question: str, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer to "Wie is de voorzitter van de Vijverbond?" (one person asked
    by role) that names no one: no capitalised word inside a sentence but those of the
    question (the Vijverbond)."""
    folded = fold(question).strip()
    match = _ASKED_ROLE.search(folded)
    which = _WHICH_OFFICE.match(folded)
    if which is None and (not match or not re.match(r"wie\s+(?:is|was|wordt|werd)\b", folded)):  # one person: "is", not "zijn"
        return None
    own = set(words(question))
    for c in chosen:
        if any(not set(words(name)) <= own for name in _CAPITALISED.findall(c.unit.text)):
            return None
    return NOTE_NO_PERSON.format(role=match.group(1)) if which is None else NOTE_NO_PERSON_WHICH.format(role=which.group(1))


#: Nouns that name a measure, not what is measured ("het aantal ...", "het percentage ...").
_MEASURES = frozenset({
    "aantal", "aandeel", "percentage", "deel", "omvang", "hoogte", "grootte", "totaal", "niveau", "gemiddelde", "cijfer",
})  # fmt: skip


#: "Hoeveel basisscholen zijn er (in Utrecht)?", "Hoeveel basisscholen (in Utrecht)?": how many
#: there are, in all (group 1 the noun). Only a place or time may follow; "zaten er zonder
#: directeur" asks how many of them do something, and without a verb at most three words may
#: follow the preposition ("Hoeveel besturen in het po kregen ..." asks something else).
_TOTAL_COUNT = re.compile(
    r"^hoeveel\s+([^\W\d_][\w-]*)(?:\s+(?:(?:zijn|waren)\s+er|(?:werken|werkten|zitten|zaten)(?:\s+er)?)"
    r"(?:\s+(?:gemiddeld|ongeveer|nu|momenteel|in\s+totaal))?(?:\s+(?:in|op|bij|binnen)\s+(?:(?!\b(?:zonder|met|die|dat|en|of|maar|nog)\b)[^,?])*)?"
    r"|(?:\s+(?:in|op|bij|binnen)(?:\s+[\w'’-]+){1,3})?)\s*\??$"
)


#: A sentence about a survey's sample (a questionnaire, interviews, group talks, participants):
#: its figures count those asked, not all there are.
_SURVEY = re.compile(r"(?:\b(?:vragenlijst|enquete|respondent|steekproef|ondervraag|geinterviewd|interview|bevraagd|peiling|deelnem|focusgroep|panel)|gesprek)")


def _no_total_note(question: str, info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer to "Hoeveel basisscholen zijn er?" that gives no number of
    basisscholen, only shares of them, a survey's sample of them or other figures ("40% van de
    basisscholen ...", "... vulden 312 leraren een vragenlijst in")."""
    match = _TOTAL_COUNT.search(fold(question).strip())
    if info.intent != "number" or not match or info.asks_money or info.asks_percent or info.asks_duration:
        return None  # "Hoeveel geld?", "Hoeveel procent?", "Hoeveel jaar?" count no things
    noun = match.group(1).split("-")[-1]
    if any(
        counts_noun(text, noun, _other_names(info.terms, noun), shares=False) and not _SURVEY.search(fold(text))
        for text in (substance(c.unit.text) for c in chosen)
    ):
        return None
    return NOTE_NO_TOTAL.format(noun=noun)


def _no_share_of_note(question: str, info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer to "Welk percentage van de vijvers ...?" that gives no share of
    the vijvers, only shares of other wholes ("een derde van de jongeren")."""
    whole = share_of(question)
    if info.intent != "number" or not info.asks_percent or whole is None:
        return None
    names = _other_names(info.terms, whole)
    if any(counts_share(substance(c.unit.text), whole, names) or _caption_shares(c.unit, whole, names) for c in chosen):
        return None
    return NOTE_NO_SHARE_OF.format(whole=whole)


def _share_not_named_note(question: str, info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer to "Welk percentage van de tuinmannen werkt parttime?" that
    gives shares of the tuinmannen but names nowhere what the share is of them (parttime). The
    sector or school type asked is a scope, not what is asked (`_other_sector_note` sees to it),
    and the verb right after the whole ("werkt") only joins the two."""
    whole = share_of(question)
    if info.intent != "number" or not info.asks_percent or whole is None:
        return None
    whole_stems = {stem(whole), *_other_names(info.terms, whole)}
    verb = re.search(rf"{re.escape(whole)}\s+([^\W\d_]+)", fold(question))
    scope = sector_words(question)
    asked = [
        t for t in info.topic_terms
        if not t.is_number and t.stem not in whole_stems and not t.word.endswith(whole) and t.word not in scope
        and not (verb and t.word == verb.group(1))
    ]
    index = TermIndex([substance(c.unit.text) for c in chosen])
    # Its own word, not the head of a compound alone ("diploma" is no "masterdiploma").
    missing = [t.asked or t.word for t in asked if not index.contains(t, parts=False)]
    return NOTE_SHARE_NOT_NAMED.format(whole=whole, named=listed(missing)) if missing else None


def _type_not_given_note(info: QuestionInfo, chosen: Sequence[ScoredUnit], passages: Sequence[Passage]) -> str | None:
    """The caution for an answer that does not give the kind of figure the question asks (an
    amount, a share, a count, a span of time, a date; `_amount_missing`), though one of the
    best sentences about the question did, so the question was not refused: "Hoe lang duurt
    ...?" answered with a sentence of shares."""
    kind = _amount_missing(info, chosen, passages)
    return None if kind is None else NOTE_TYPE_NOT_GIVEN.format(kind=kind)


def _unnamed_quantity_note(question: str, info: QuestionInfo, chosen: Sequence[ScoredUnit], passages: Sequence[Passage]) -> str | None:
    """The caution for an answer to a how-much question that asks a quantity by name ("Wat is
    de gemiddelde leeftijd van ...?"), or a who-question that asks a person by role ("Wie is de
    voorzitter van ...?"), when neither the answer nor its passages' headings (a table's
    caption) name it: its figures measure something else, its names hold another role."""
    folded = fold(question).strip()
    match = _ASKED_QUANTITY.search(folded) if info.intent == "number" else None
    match = match or _ASKED_ROLE.search(folded)  # "Wie is de voorzitter van ...?" asks a person by role
    if not match or match.group(2) in _MEASURES:
        return None
    asked = next((t for t in question_terms(match.group(2))), None)
    if asked is None:
        return None
    shown = [substance(c.unit.text) for c in chosen]
    shown += [passages[c.unit.passage_index].chunk.innermost_section or "" for c in chosen]
    # A compound's head names it ("het tekort" for "het lerarentekort"), unless the word is so
    # common it is a word of its own ("tijd" is no "leeftijd").
    if TermIndex(shown).contains(asked, parts=zipf(asked.word) < _OWN_WORD_ZIPF):
        return None
    return NOTE_NOT_NAMED.format(asked=match.group(1), named=match.group(2))


def _group_note(info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer that names a place the question asks about ("Hoeveel scholen in
    Rotterdam ...?", "op Utrechtse scholen") only as one of a group of names ("in Amsterdam,
    Rotterdam, Den Haag, Utrecht en Almere (G5) is het tekort 24%"): its figures are the
    group's. None when a chosen sentence names the place on its own, when the group's sentence
    gives no figure, or when the question names another member of the group too."""
    asked_words = set(words(info.text))
    for term in (t for t in info.topic_terms if t.is_name and not t.is_letter_name and len(t.word) >= 3):
        group: list[str] = []
        alone = False
        for c in chosen:
            figures = [n for n in numbers(substance(c.unit.text)) if not YEAR.fullmatch(n)]
            for match in _NAMED_GROUP.finditer(c.unit.text) if figures else ():
                members = [m.strip() for m in _GROUP_SEPARATOR.split(match.group(0))]
                if not group and any(_names_place(term.word, m) for m in members):
                    group = members
            rest = words(_NAMED_GROUP.sub(" ", c.unit.text))
            alone = alone or any(_names_place(term.word, w) for w in rest)
        if not group or alone:
            continue
        member = next(m for m in group if _names_place(term.word, m))
        others = [m for m in group if m != member]
        if any(w in asked_words for m in others for w in words(m)):
            continue  # the question names the group's other members too
        return NOTE_GROUP.format(asked=member, others=joined(others))
    return None


#: A place a question asks about: a name after "in", "uit" or "rond" ("scholen in Vlinderstad",
#: "in de regio Vlinderstad"), not one that names a source or a test ("volgens PISA").
_ASKED_PLACE = re.compile(r"\b(?:in|uit|rond)\s+(?:de\s+(?:regio|gemeente|provincie|stad|wijk)\s+)?([A-ZÀ-Þ][\w'’-]+)")


def _place_not_named_note(info: QuestionInfo, chosen: Sequence[ScoredUnit], passages: Sequence[Passage]) -> str | None:
    """The caution for an answer to a question about a place ("Hoeveel scholen in Vlinderstad
    hebben ...?") when no sentence of the answer, nor the heading above it, names the place:
    its figures are the country's, or another place's."""
    names = {t.word: t for t in info.topic_terms if t.is_name and not t.is_letter_name}
    asked = [(term, match.group(1)) for match in _ASKED_PLACE.finditer(info.topic) if (term := names.get(fold(match.group(1))))]
    if not asked:
        return None
    shown = [w for c in chosen for text in (c.unit.text, passages[c.unit.passage_index].chunk.innermost_section or "") for w in words(text)]
    for term, typed in asked:
        if not any(_names_place(term.word, w) for w in shown):
            return NOTE_PLACE_NOT_NAMED.format(place=term.asked or typed)
    return None


#: The top of a ranking asked: "het grootst", "de hoogste", "het meest".
_SUPERLATIVE_ASKED = re.compile(r"\b(grootst|hoogst|laagst|kleinst|meest|minst|sterkst|snelst)e?\b")
#: A superlative and the thing it ranks: "de grootste bedreiging", "de belangrijkste reden";
#: or, after "het" and without its -e, the superlative alone: "waar is de uitval het hoogst"
#: ("het best" also means "quite": `SUPERLATIVES_AFTER_HET`).
_RANKED_THING = re.compile(
    rf"\b(?:({'|'.join((*SUPERLATIVE_STEMS, 'belangrijkst', 'voornaamst'))})e\s+([^\W\d_]{{3,}})"
    rf"|het\s+({'|'.join(SUPERLATIVES_AFTER_HET)})(?=\s|$|[.,;:?!]))"
)


def _ranked_things(text: str) -> Iterator[tuple[str, str]]:
    """The superlatives of a (folded) text with the stem of what each ranks ("" for one alone)."""
    for found in _RANKED_THING.finditer(text):
        if found.group(3):
            yield found.group(3), ""
        elif found.group(2) not in STOPWORDS and found.group(2) not in QUESTION_WORDS:
            yield found.group(1), stem(found.group(2))


def _ranked_thing(question: str) -> tuple[str, str] | None:
    """The superlative a question asks for and the stem of what it ranks ("" for a superlative
    alone, "het hoogst"), if it asks one."""
    return next(_ranked_things(fold(question)), None)


def _ranks(text: str, ranked: tuple[str, str]) -> bool:
    """Whether `text` ranks the same thing with the same superlative ("de grootste bedreiging";
    any use of the superlative when the question ranks it alone)."""
    return any(superlative == ranked[0] and (not ranked[1] or thing == ranked[1]) for superlative, thing in _ranked_things(fold(text)))


#: "Welke ...", "In welke ...", "Waar ...": a question that asks which one.
_WHICH = re.compile(r"^(?:in\s+|op\s+|bij\s+)?(?:welke|welk|waar)\b")

#: "Wat is het verschil tussen A en B (in ...)?": the two things contrasted.
_CONTRAST = re.compile(
    r"\bverschil(?:len)?\s+tussen\s+(.+?)\s+en\s+(.+?)\s*(?:\s(?:in|bij|volgens|qua|wat\s+betreft)\s.*)?(?:[?.!]|$)"
)


def _no_contrast_note(info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer to "Wat is het verschil tussen A en B?" none of whose sentences
    names both: a sentence about A alone says nothing of how it differs from B."""
    match = _CONTRAST.search(fold(info.text))
    if not match:
        return None
    a_words, b_words = (set(words(side)) for side in match.groups())
    # What sets each apart ("passend" and "inclusief" of "passend onderwijs en inclusief onderwijs"),
    # each by its own word: "schoolleider" and "schooldirecteur" are other names of one another.
    sides = [[t for t in info.topic_terms if t.word in own - other] for own, other in ((a_words, b_words), (b_words, a_words))]
    if not all(sides):
        return None
    for c in chosen:
        text = analyse(c.unit.text)
        if all(any(t.stem in text.stems or t.stem in text.folded for t in terms) for terms in sides):
            return None
    a, b = (_as_asked(side, info.text) for side in match.groups())
    return NOTE_NO_CONTRAST.format(a=a, b=b)


def _group_only_note(info: QuestionInfo, chosen: Sequence[ScoredUnit]) -> str | None:
    """The caution for an answer to "Welke ... heeft het grootste ...?" that opens with one figure
    for a group of names ("in Amsterdam, Rotterdam, Den Haag, Utrecht en Almere (G5) is het tekort
    24%") and names none of them alone: which one it is, the answer does not say."""
    superlative = _SUPERLATIVE_ASKED.search(fold(info.text))
    if superlative is None or not _WHICH.match(fold(info.text).strip()):
        return None
    lead = chosen[0].unit.text if chosen else ""
    found = [[m.strip() for m in _GROUP_SEPARATOR.split(g.group(0))] for g in _NAMED_GROUP.finditer(lead)]
    if not found or not [n for n in numbers(substance(lead)) if not YEAR.fullmatch(n)]:
        return None
    rest = set(words(_NAMED_GROUP.sub(" ", " ".join(c.unit.text for c in chosen))))
    if any(words(m) and all(w in rest for w in words(m)) for m in found[0]):
        return None  # a member is named on its own too
    return NOTE_GROUP_ONLY.format(superlative=superlative.group(1))


def _names_place(asked: str, written: str) -> bool:
    """Whether a question's (folded) word names the place `written`: the same word, or an
    adjective made of it ("utrechtse" for "Utrecht")."""
    place = fold(written)
    return len(place) >= 3 and (asked == place or (asked.startswith(place) and len(asked) - len(place) <= 3))


def _abroad_note(question: str, history: Sequence[Turn], chosen: Sequence[ScoredUnit], passages: Sequence[Passage]) -> str | None:
    """The caution for an answer about other countries to a question (or the one it follows
    on) that asks about none: its first sentence names another country, or its passage's
    heading or paragraph does ("Over de grens: ... in Finland"), and no sentence names the
    Netherlands. The note says whether the whole answer is about other countries or only its
    first sentence."""
    if asks_abroad(question) or asks_abroad(previous_question(history) or ""):
        return None
    about = []
    for c in chosen:
        if names_home(c.unit.text):
            return None
        passage = passages[c.unit.passage_index]
        heading = passage.chunk.innermost_section or ""
        about.append(foreign_places(c.unit.text) | foreign_places(heading) | _paragraph_abroad(passage.text, c.unit.parts[0].start))
    if not about or not about[0]:
        return None
    if all(about):
        return NOTE_ABROAD.format(named=joined(sorted(frozenset().union(*about))))
    return NOTE_ABROAD_LEAD.format(named=joined(sorted(about[0])))


#: A number that names a level, group or other thing after its noun ("niveau 1", "groep 8"),
#: not one in a word ("15-jarigen") or an amount before its noun ("3 vijvers").
_NUMBERED = re.compile(r"\b(?P<noun>[^\W\d_]{3,}) (?P<number>\d+)(?![\w%-]|[.,]\d)")


def _numbered(question: str) -> set[str]:
    """The numbers `question` names things by ("niveau 1", "groep 8"; no years, no "dan 20")."""
    return {
        m.group("number") for m in _NUMBERED.finditer(fold(question))
        if m.group("noun") not in STOPWORDS and m.group("noun") not in QUESTION_WORDS and not YEAR.fullmatch(m.group("number"))
    }


def _paragraph_abroad(text: str, start: int) -> frozenset[str]:
    """The other countries the paragraph of `text` that a sentence at `start` is in opens with,
    when nothing before the sentence names the Netherlands: a box's title that runs on into its
    text ("Over de grens: in Finland ... . De wet legt vast dat ...") is no heading of its own."""
    begin = text.rfind("\n\n", 0, start)
    begin = 0 if begin < 0 else begin + 2
    if not text[begin:start].strip() or names_home(text[begin:start]):
        return frozenset()
    opening = next((s for s in _split_cached(text) if s.start >= begin), None)
    return foreign_places(opening.text) if opening is not None and opening.start < start else frozenset()


#: Where a question asks a second thing: "..., en wanneer ...?", "...? Hoeveel ...?".
_SECOND_QUESTION = re.compile(
    r",?\s+en\s+(?=(?:wanneer|hoeveel|hoe|waarom|wat|welke|welk|wie|waar|waarin|waardoor|waarmee|sinds)\b)|\?\s+(?=\S)",
    re.IGNORECASE,
)


def second_question(question: str) -> tuple[str, str] | None:
    """A question that asks two things, cut in two: "Hoeveel vijvers zijn er, en wanneer zijn
    ze gegraven?" -> ("Hoeveel vijvers zijn er", "wanneer zijn ze gegraven?"). None for one
    question."""
    text = searchable(question).strip()  # not "Antwoord in het Engels." after the question
    match = _SECOND_QUESTION.search(text)
    if match is None or not text[: match.start()].strip() or not text[match.end() :].strip(" ?"):
        return None
    if match.group(0).startswith("?") and not text.endswith("?"):
        return None  # "Hoeveel ...? Graag met bron." asks one thing
    return text[: match.start()], text[match.end() :]


def _own_sectors(question: str, history: Sequence[Turn]) -> frozenset[str]:
    """The sectors a follow-up names itself ("En in het vo?"): what it asks about, whatever
    sector the question before it asked about. Empty for a question that follows on nothing."""
    return sectors(question) if previous_question(history) else frozenset()


def _amount_missing(info: QuestionInfo, scored: Sequence[ScoredUnit], passages: Sequence[Passage]) -> str | None:
    """What a how-much or when question asks that none of the best sentences about it gives:
    "een bedrag" ("Wat kost ...?", "Hoeveel geld ...?"), "een percentage of aandeel" ("Welk deel
    van ...?"), "een aantal" or "een tijdsduur" (any other "Hoeveel ...?", "Hoe vaak ...?", "Hoe
    lang ...?"), "een jaar of datum" ("Wanneer ...?", "In welk jaar ...?") or "een school of
    instelling bij naam" ("Welke basisschool ...?"). None when it asks none of these, or when
    one of them gives it. An amount or share is about the question only
    in a passage that names what the question names ("het budget van de Vijverbond": an amount
    in a passage without the Vijverbond is some other budget)."""
    # About it as the lead may be: sharing a key term, or going on from a sentence that does
    # ("Dat gebeurde in maart 2021." after one on the riet that was mown).
    about = [s for s in scored[:AMOUNT_DEPTH] if s.overlap > 0 or s.signals["previous_overlap"] > 0]
    if _ASKS_NAMED_SCHOOL.search(fold(info.text)):
        # "Welke basisschool ...?" asks for one by its name ("School A", "de Vijverschool"): a
        # sentence about schools of that kind names none.
        return None if any(_NAMES_SCHOOL.search(s.unit.text) for s in about) else "een school of instelling bij naam"
    if _AGE_QUESTION.search(fold(info.text)):
        # An age is told in many ways ("in de zestig", "pas afgestudeerd", a thing's by its year:
        # "dateert uit 2020"): no check for it.
        return None
    if info.intent == "date":
        return None if any(_WHEN.search(s.unit.text) for s in about) else "een jaar of datum"
    if info.intent != "number":
        return None
    if not (info.asks_money or info.asks_percent):
        if any(_gives_count(s.unit.text, info.numbers, info.asks_duration) for s in about):
            return None
        return "een tijdsduur" if info.asks_duration else "een aantal"
    named = [t for t in info.topic_terms if t.is_name and not t.is_letter_name]
    if named:
        holds = {i: TermIndex([p.text]) for i, p in enumerate(passages)}
        about = [s for s in about if all(holds[s.unit.passage_index].contains(t) for t in named)]
    if info.mention and not _subject_besides_rate(info):
        # "Wat kost het vijverplan per jaar?": the plan it names is what the amount is of; an
        # amount in another document is some other plan's or budget's.
        about = [s for s in about if passages[s.unit.passage_index].chunk.document_id in info.mention.documents]
    if info.asks_money:
        return None if any(s.signals["money_wanted"] for s in about) else "een bedrag"
    shares = [s for s in about if _SHARE.search(s.unit.text)]
    if counted_noun(info.text) == "%":
        # "Hoeveel procent van de vijvers ...?": a share of the parken ("In 40% van de parken
        # hebben vijvers riet") is no share of the vijvers (the `counted` signal).
        shares = [s for s in shares if s.signals["counted"]]
    return None if shares else "een percentage of aandeel"


def _subject_besides_rate(info: QuestionInfo) -> bool:
    """Whether the question, less the words that name its source, has a subject other than what
    an amount is counted by ("per jaar", "jaarlijks") or a year: "Wat kost het vijverplan per
    jaar?" has none, the plan is its subject; "Wat kost het maaien volgens het vijverplan?" has."""
    rate = {fold(w) for phrase in rates(info.topic).values() for w in words(phrase)} | set(_RATE_ADVERBS)
    return any(not t.is_number and t.word not in rate for t in info.topic_terms)


def asked_years(info: QuestionInfo, asked: str | None = None) -> frozenset[str]:
    """The years a question asks about ("in 2021", "schooljaar 2020-2021"). Years that name a
    source ("het rapport van 2024") do not count, nor those that bound a period ("sinds 2021":
    2023 answers it too), nor years a follow-up carries over from the questions before it (only
    those of `asked`, the question as written, when given)."""
    years = set(YEAR.findall(info.topic)) - info.source_years - _bound_years(info.topic)
    if asked is not None:
        years &= set(YEAR.findall(asked))
    return frozenset(years)


#: A year that bounds a period ("sinds 2021", "vanaf 2019", "na 2020", "tot en met 2023",
#: "tussen 2019 en 2023"): the answer may be about any year in it, not that year only.
_BOUND_YEAR = (
    re.compile(r"\b(?:sinds|vanaf|na|tot(?: en met)?|t/m|tussen)\s+(?:(?:begin|eind|medio|halverwege)\s+)?((?:19|20)\d\d)\b"),
    re.compile(r"\btussen\s+(?:\w+\s+)?(?:19|20)\d\d\s+en\s+(?:(?:begin|eind|medio|halverwege)\s+)?((?:19|20)\d\d)\b"),
)


def _bound_years(text: str) -> set[str]:
    """The years of `text` that bound a period (`_BOUND_YEAR`)."""
    folded = fold(text)
    return {year for pattern in _BOUND_YEAR for year in pattern.findall(folded)}


def _other_years_note(info: QuestionInfo, chosen: Sequence[ScoredUnit], asked: str) -> str | None:
    """The caution for an answer about other years than the one asked ("Hoeveel ... in 2022?"
    answered with the figure for 2023): the sentences about the question name the year
    somewhere (`_year_missing`), but none of the answer's does. None when the answer names an
    asked year or no year at all, and for a "wanneer" question, whose answer is the date. For a
    how-many question only the sentences that give a figure count: a sentence that names the
    asked year but counts nothing ("in 2023-2024 zijn we gestart met ...") gives no figure for it."""
    if info.intent == "date":
        return None
    years = asked_years(info, asked) - edition_years(asked)
    counting = [c for c in chosen if info.intent == "number" and _gives_count(c.unit.text, info.numbers, False)]
    named = set(YEAR.findall(" ".join(c.unit.text for c in counting or chosen)))
    if not years or not named or named & years:
        return None
    return NOTE_OTHER_YEAR.format(asked=joined(sorted(years)), named=joined(sorted(named)))


#: What an amount is counted by: "per jaar", "per leerling"; "jaarlijks" is "per jaar".
_RATE = re.compile(r"\bper\s+([^\W\d_]{2,})|\b(jaarlijks|maandelijks|wekelijks|dagelijks)\b", re.IGNORECASE)
_RATE_ADVERBS = {"jaarlijks": "jaar", "maandelijks": "maand", "wekelijks": "week", "dagelijks": "dag"}
#: "per saldo", "per direct": no rate.
_NOT_RATES = frozenset("saldo se direct definitie geval toeval ongeluk abuis stuk".split())


def rates(text: str) -> dict[str, str]:
    """What amounts in `text` are counted by: the stem of each "per ..." word, with the words as
    written ("per leerling")."""
    found: dict[str, str] = {}
    for match in _RATE.finditer(text):
        noun = fold(match.group(1) or _RATE_ADVERBS[fold(match.group(2))])
        if noun not in _NOT_RATES and noun not in STOPWORDS:
            found.setdefault(stem(noun), f"per {noun}")
    return found


def _other_rate_note(chosen: Sequence[ScoredUnit], asked: str, money: bool = False) -> str | None:
    """The caution for an answer that counts per something else than the question asks ("Wat
    kost het per jaar?" answered with a bonus per maand): the answer names a rate, none of them
    the asked one. An amount of money asked per something (`money`) and answered with amounts
    per nothing gets it too: those are totals ("een budget van € 3 miljoen"); for money only
    the sentences that give an amount count ("meer leraren per leerling" prices nothing). None
    when the question names no rate, and for other figures when the answer names none."""
    wanted = rates(asked)
    named = rates(" ".join(c.unit.text for c in chosen if not money or _gives_money(fold(c.unit.text))))
    if wanted and not named and money:
        return NOTE_NO_RATE.format(asked=joined(sorted(wanted.values())))
    if not wanted or not named or wanted.keys() & named.keys():
        return None
    return NOTE_OTHER_RATE.format(asked=joined(sorted(wanted.values())), named=joined(sorted(named.values())))


def _year_missing(info: QuestionInfo, scored: Sequence[ScoredUnit], asked: str | None = None) -> str | None:
    """A year the question asks about (`asked_years`) that none of the best sentences about
    the question names: their figures are for other years."""
    years = sorted(asked_years(info, asked))
    if not years:
        return None
    # A table row names the years of its columns whatever it counts: it counts here when its
    # own label is about the question; the caption's years when the caption is about it ("Tabel
    # 2.1 Kikkers per vijver in 2022 en 2023": the table gives figures for both years).
    about = " ".join(
        s.unit.text if not s.unit.row or s.signals["row_label"] else s.unit.parts[0].text
        for s in scored[:AMOUNT_DEPTH]
        if s.overlap > 0 and (not s.unit.row or s.signals["row_label"] or _about(info, s.unit.parts[0].text))
    )
    return next((y for y in years if y not in YEAR.findall(about)), None)


def _about(info: QuestionInfo, text: str) -> bool:
    """Whether `text` holds a key term of the question as a word of its own (not inside a
    longer word, as for a row's label; numbers not counted)."""
    terms = [t for t in info.terms if not t.is_number]
    return any(m == 1.0 for m in _matches(terms, analyse(text).stems, text))


#: A sentence that opens by referring back ("Dit komt door ...", "Deze scholen ..."): read
#: alone, the reader does not know what it is about. Narrower than `_ANAPHORIC_START`, the fitted
#: signal ("Ook", "Daarnaast", "Toen" lean on what came before but name nothing in it).
_REFERS_BACK = re.compile(r"^(dit|deze|dat|die|zij|ze|daardoor|hierdoor|daarbij|hierbij|daarmee|hiermee|daaronder)\b", re.IGNORECASE)
#: A word inside a sentence that points at the one before it: "De coronaperiode lag hieraan ten
#: grondslag", "Scholen gebruiken hiervoor ...", and "hierom" written apart, as in "Het gaat hier
#: om ...". ("daar-" words often point inside the sentence.)
_POINTS_BACK = re.compile(
    r"\bhier(?:aan|door|voor|bij|mee|in|op|van|uit|over|toe|onder|tegen|naast|achter|om)\b|\bhier\s+om\b", re.IGNORECASE
)
#: "In 2016 was dit nog 76%": the pronoun after the verb of a sentence that opens with another
#: phrase (Dutch puts the verb second), followed by no noun of its own ("dit jaar" names one).
_INVERTED_PRONOUN = re.compile(
    r"^(?:[^\W\d_]+\s+|\d[\d.,]*\s+){1,4}?(?:is|was|zijn|waren|wordt|werd|worden|werden|ligt|lag|lagen|bleek|"
    r"blijkt|bleef|blijft|heeft|had|hebben|hadden|gaat|ging|komt|kwam|kan|kon|zal|zou|moet|moest)\s+(?:dit|dat)\s+(?P<next>\S+)",
    re.IGNORECASE,
)


def _pronoun_refers_back(text: str) -> bool:
    """Whether a sentence's subject, after its verb, is "dit" or "dat" standing alone: it refers
    to the sentence before ("In 2016 was dit nog 76%"; not "In 2016 was dit jaar ...")."""
    match = _INVERTED_PRONOUN.match(text)
    if match is None:
        return False
    following = fold(match.group("next")).strip(",.;:")
    return following in STOPWORDS or following[:1].isdigit() or not following


#: An antecedent longer than this is not added (the answer would be mostly context).
MAX_ANTECEDENT_CHARS = 400


def _beside(unit: Unit, passages: Sequence[Passage], step: int) -> tuple[Sentence, Sentence | None] | None:
    """The passage's sentence right before the unit's first sentence (`step` -1) or after its
    last (+1), with the sentence before that one; None at the passage's edge."""
    sentences = _split_cached(passages[unit.passage_index].text)
    anchor = unit.parts[0] if step < 0 else unit.parts[-1]
    k, j = anchor.number, anchor.number + step
    if not (0 <= j < len(sentences) and k < len(sentences) and sentences[k] == anchor):
        return None
    return sentences[j], sentences[j - 1] if j >= 1 else None


def _sentence_before(unit: Unit, passages: Sequence[Passage]) -> Sentence | None:
    """The passage's sentence before the unit's first one (None when it opens the passage)."""
    found = _beside(unit, passages, -1)
    return found[0] if found else None


def _quoted_with(chosen: list[ScoredUnit], role: str, sentence: Sentence) -> list[ScoredUnit]:
    """The answer with `sentence` quoted in its lead as its `role` ("context" or "elaboration");
    a follower that is that sentence goes."""
    lead = chosen[0]
    rest = [c for c in chosen[1:] if not (c.unit.passage_index == lead.unit.passage_index and sentence in c.unit.parts)]
    return [replace(lead, unit=replace(lead.unit, **{role: sentence})), *rest]


def _with_antecedent(chosen: list[ScoredUnit], passages: Sequence[Passage], info: QuestionInfo | None = None) -> list[ScoredUnit]:
    """The answer with the sentence before its lead when the lead refers back to it ("Dit komt
    door ...", or, for a definition question, "Leraren die dit doen worden X genoemd"), quoted
    with it; a follower that is that sentence goes. The sentence before may end the paragraph
    before: the layout often breaks a short paragraph after its first sentence."""
    unit = chosen[0].unit
    first = unit.parts[0]
    names_before = info is not None and info.intent == "define" and names_what_came_before(fold(first.text))
    refers_back = _REFERS_BACK.match(first.text) or _POINTS_BACK.search(first.text) or _pronoun_refers_back(first.text)
    if unit.is_enumeration or unit.row or unit.context is not None or not (refers_back or names_before):
        return chosen
    found = _beside(unit, passages, -1)
    if found is None:
        return chosen
    previous, before = found
    if (
        (previous.kind != "prose" and not (previous.kind == "bullet" and previous.line == first.line)) or previous.ends_with_colon
        # (A sentence before that refers back in turn still names what "Dit aantal ..." counts.)
        or len(previous.text) > MAX_ANTECEDENT_CHARS
        or (_REFERS_BACK.match(previous.text) and not names_before and not _POINTS_AT_FIGURE.match(first.text))
        or continues_sentence(previous.text.rstrip()) or not _quotable(previous, before)
    ):
        return chosen
    return _quoted_with(chosen, "context", previous)


#: A sentence that says what the one before it announced: "Daarbij valt te denken aan ...",
#: "Het gaat hierbij om ...", "Denk daarbij aan ...".
_ELABORATES = re.compile(
    r"^(?:(?:daarbij|hierbij)\s+(?:valt|kun\s+je|kunt\s+u)\s+te\s+denken\s+aan|denk\s+(?:hierbij\s+|daarbij\s+)?aan|"
    r"het\s+gaat\s+(?:hierbij\s+|daarbij\s+)?om|(?:hierbij|daarbij)\s+gaat\s+het\s+om)\b"
    # "... stelt de boswachter 3 vragen. Dit zijn: ...": what the lead announced, one by one.
    r"|^(?:dit|dat|deze|die)\s+(?:zijn|is)\s*:",
    re.IGNORECASE,
)


#: A sentence that gives the reason for the one before it: "Dit komt doordat ...", "De reden
#: hiervoor is ...", "Oorzaak daarvan is ...", or what it is good for: "Het voordeel hiervan is
#: ...", "Dat is nodig omdat ...".
_GIVES_REASON = re.compile(
    r"^(?:(?:dit|dat|het)\s+komt\s+(?:\w+\s+)?(?:doordat|door|omdat)|"
    r"(?:de|een)\s+(?:belangrijke\s+|voornaamste\s+)?(?:reden|oorzaak|verklaring)\s+(?:hiervoor|daarvoor|hiervan|daarvan)|"
    r"(?:het|een)\s+(?:belangrijk\s+|groot\s+|grote\s+)?(?:voordeel|nut|doel)\s+(?:hiervan|daarvan|hiervoor|daarvoor)|"
    r"(?:dit|dat)\s+is\s+(?:nodig|belangrijk|van\s+belang|wenselijk|noodzakelijk)\s+(?:omdat|doordat|want)|"
    r"(?:reden|oorzaak)\s+(?:hiervoor|daarvoor|hiervan|daarvan))\b",
    re.IGNORECASE,
)


#: The items a list question asks for: "Welke [maatregelen] ...?", "Wat zijn de [risico's] ...?".
_ITEMS_ASKED = re.compile(
    rf"\b(?:welke|wat\s+zijn(?:\s+de)?)\s+(?:(?:{'|'.join(sorted(_COUNT_WORDS))}|\d+)\s+)?([^\W\d_]+)"
)
#: A quantity in words before the items' noun ("diverse maatregelen", "acht mechanismen").
_QUANTITY = re.compile(
    rf"\b(?:diverse|verschillende|enkele|meerdere|aantal|volgende|\d{{1,2}}|{'|'.join(sorted(_COUNT_WORDS))})"
    r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?"
)


def _items_asked(question: str) -> str | None:
    """The stem of the items a list question asks for ("Welke maatregelen ...?": "maatregel")."""
    asked = _ITEMS_ASKED.search(_without_plural_s(fold(question)))
    return stem(asked.group(1)) if asked else None


def _without_plural_s(folded: str) -> str:
    """"thema's" as "thema": the items' noun without the plural after an apostrophe."""
    return re.sub(r"['’]s\b", "", folded)


def _lists_items(text: str, question: str) -> bool:
    """Whether a sentence names the items a list question asks for and then lists them after a
    colon: "... inzetten op drie speerpunten: de scholing, de steun en de profilering."."""
    noun = _items_asked(question)
    if noun is None or ":" not in text:
        return False
    parts = _without_plural_s(fold(text)).split(":")
    for head, items in zip(parts, parts[1:]):
        named = words(head)[-3:]  # the noun right before the colon
        if any(stem(w) == noun for w in named) and (items.count(",") >= 2 or ("," in items and " en " in items)):
            return True
    return False


def _as_asked(folded: str, question: str) -> str:
    """The words of `question` that fold to `folded` ("Kroos-effect" for "kroos-effect"),
    as the user wrote them; `folded` itself when they are not found."""
    written = re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", question)
    size = len(re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", folded))
    return next(
        (" ".join(written[i : i + size]) for i in range(len(written) - size + 1) if fold(" ".join(written[i : i + size])) == folded),
        folded,
    )


#: "Wie moet ...?", "En wie zou ...?": a question for who does something (not "Wie is de voorzitter",
#: one person by role, `_no_person_note`).
_ASKS_WHO = re.compile(r"^(?:en\s+)?wie\s+(?!is\b|was\b|zijn\b|waren\b)")
#: An item that opens with who does it: "Schoolbesturen en AVS: ...", "• Opleidingsaanbieders: ...".
_ACTOR_LABEL = re.compile(r"^\W*[A-ZÀ-Þ][\w'’()&-]*(?:(?:,\s*|\s+)[\w'’()&-]+){0,6}\s*:\s+\S")


def _subject_terms(info: QuestionInfo) -> list[QuestionTerm]:
    """The key terms of a question that names its source, other than the words that name it."""
    if not info.mention:
        return []
    naming = {t.stem for t in question_terms(info.text)} - {t.stem for t in question_terms(info.mention.strip(info.text))}
    return [t for t in info.terms if t.stem not in naming and not t.is_number]


def _introduces_items(unit: Unit, items: str) -> bool:
    """Whether a unit is a list whose lead-in names the items a list question asks for (their
    stem, `_items_asked`): "Het plan kent drie doelen:" with its items, for "Wat zijn de doelen ...?"."""
    return unit.is_enumeration and any(stem(w) == items for w in words(_without_plural_s(fold(unit.parts[0].text))))


def _announces_items(text: str, question: str) -> bool:
    """Whether a list question's lead announces the items it asks for without giving them: a
    quantity in words before their noun, or their noun as its last word ("... ziet risico's.")."""
    noun = _items_asked(question)
    if noun is None:
        return False
    folded = _without_plural_s(fold(text))
    # "... zetten scholen ook andere maatregelen in.": a verb's particle after the noun closes it.
    said = words(folded)
    last = said[-2:-1] if said[-1:] and said[-1] in PARTICLE_WORDS and len(said) > 1 else said[-1:]
    return any(noun in (stem(m.group(1)), stem(m.group(2) or "")) for m in _QUANTITY.finditer(folded)) or (bool(last) and stem(last[0]) == noun)


def _with_elaboration(chosen: list[ScoredUnit], passages: Sequence[Passage], info: QuestionInfo | None = None) -> list[ScoredUnit]:
    """The answer with the sentence after its lead when that one says what the lead announced
    ("... de knelpunten van het plan. Daarbij valt te denken aan ..."; for a list question, any
    sentence after a lead that announces the items: "De aanpak beschrijft diverse maatregelen."),
    or goes on about a lead that only says again what the question asks ("... grote verschillen.
    Dit verschil zit vooral in ..."), from the same paragraph or list item, quoted with it; a
    follower that is that sentence goes."""
    unit = chosen[0].unit
    if unit.is_enumeration or unit.row or unit.elaboration is not None:
        return chosen
    found = _beside(unit, passages, +1)
    if found is None:
        return chosen
    after = found[0]
    announced = info is not None and info.intent == "list" and _announces_items(unit.parts[-1].text, info.text)
    # "Waarom ...?" led by what happens, followed by why: "Dit komt doordat ...".
    explained = (
        info is not None and info.intent == "explain" and not _CAUSAL.search(fold(unit.text)) and bool(_GIVES_REASON.match(after.text))
    )
    # "X constateert grote verschillen. Dit verschil is vooral zichtbaar op ...": a lead that
    # only says again what the question asks, followed by a sentence that goes on about it.
    # (A reason after it is added only for a why-question: `explained`.)
    continued = (
        info is not None and bool(_REFERS_BACK.match(after.text)) and not _GIVES_REASON.match(after.text)
        and _restates(unit.text, info.text)
    )
    if (
        after.line != unit.parts[-1].line or (after.kind != "prose" and not continued)
        or not (announced or explained or continued or _ELABORATES.match(after.text))
        or len(after.text) > MAX_ANTECEDENT_CHARS or is_note_sentence(after.text)
    ):
        return chosen
    return _quoted_with(chosen, "elaboration", after)


#: A lead with at most this many content words the question lacks says again what it asks
#: (chosen on tune: at 1 or 2 no answer changes, at 3 to 5 the same one gets better; at 6 and 8
#: answers only grow longer, their first sentence holding no more of the gold answer).
RESTATES_NEW = 3


def _only_questions(unit: Unit) -> bool:
    """Whether a unit is a question, or a list whose items are all questions ("De
    onderzoeksvragen zijn: • Welke ...? • Hoe ...?"): it asks, it answers nothing."""
    items = unit.parts[1:] if unit.is_enumeration else unit.parts
    return bool(items) and all(_is_question(p.text) for p in items)


def _asks_nothing_asked(unit: Unit, info: QuestionInfo) -> bool:
    """Whether a unit only asks (`_only_questions`) and the question asks for no questions
    ("Welke vragen ...?", "de kennisvragen")."""
    return _only_questions(unit) and not any(t.stem.endswith(("vrag", "vraag")) for t in info.terms)


def _restates(lead: str, question: str) -> bool:
    """Whether a sentence says little more than the question: "De inspectie constateert grote
    verschillen tussen de tuinmannen." for "Op welke punten ziet de inspectie verschillen tussen
    de tuinmannen?"."""
    asked = set(content_stems(question))
    return len({s for s in content_stems(substance(lead)) if s not in asked}) <= RESTATES_NEW


#: A sentence's end: its full stop, maybe inside a closing quote or bracket.
_ENDS_SENTENCE = re.compile(r"[.!][”\"’')\]]*\s*$")


def _with_each_named(
    info: QuestionInfo, chosen: list[ScoredUnit], scored: Sequence[ScoredUnit], passages: Sequence[Passage]
) -> list[ScoredUnit]:
    """A question that names two or more documents ("Wat zeggen het vijverplan en de
    kikkernota over ...?") gets the best sentence about it from each named document the answer
    does not quote yet, when a passage of that document was found: the reader asked what each
    says. The lead stays; the added sentences go with the rest, in passage order."""
    named = info.mention.documents
    if len(named) < 2 or not chosen:
        return chosen
    quoted = {passages[c.unit.passage_index].document_id for c in chosen}
    # About the subject: a word of it, not only a year or the words that name the documents
    # (a share of its words by weight was tried on tune: a quarter or more kept fewer good ones).
    subject = [t for t in info.topic_terms if not t.is_number]
    # The reader asked for each of them: an answer that quotes each may be as long as a list's.
    return _with_one_for_each(
        [d for d in named if d not in quoted], lambda s, document: passages[s.unit.passage_index].document_id == document,
        subject, chosen, scored, budget=MAX_CHARS_LIST,
    )


def _with_each_sector(
    info: QuestionInfo, asked: frozenset[str], chosen: list[ScoredUnit], scored: Sequence[ScoredUnit], passages: Sequence[Passage]
) -> list[ScoredUnit]:
    """A question about two or more sectors ("Is het tekort in het vo kleiner dan in het po?")
    gets the best sentence about its subject for each asked sector the answer names in no
    sentence yet, as `_with_each_named` does for documents: the reports give each sector's figure
    in a sentence of its own."""
    if len(asked) < 2 or not chosen:
        return chosen
    named = frozenset().union(*(_unit_sectors(c.unit, passages) for c in chosen))
    subject = [t for t in info.topic_terms if not t.is_number and not sectors(t.word)]
    return _with_one_for_each(
        sorted(asked - named), lambda s, sector: sector in _unit_sectors(s.unit, passages), subject or None, chosen, scored
    )


def _with_one_for_each(
    targets: Sequence[str], belongs: Callable[[ScoredUnit, str], bool], subject: Sequence[QuestionTerm] | None,
    chosen: list[ScoredUnit], scored: Sequence[ScoredUnit], budget: int = MAX_CHARS,
) -> list[ScoredUnit]:
    """The answer with, for each of `targets`, the best candidate that `belongs` to it, shares a
    key term with the question, is a whole sentence (a table's row or a scrap says little alone),
    holds a term of `subject` (None: not checked) and is new to the answer (`_with_added`)."""
    is_new = _new_to(chosen)
    added: list[ScoredUnit] = []
    for target in targets:
        best = next(
            (
                s for s in scored
                if belongs(s, target) and s.overlap > 0
                and not s.unit.row and not s.signals["short"] and _ENDS_SENTENCE.search(s.unit.text)
                and (subject is None or any(TermIndex([substance(s.unit.text)]).contains(t) for t in subject))
                and is_new(s) and s not in added
            ),
            None,
        )
        if best is not None:
            added.append(best)
    return _with_added(chosen, added, budget)


def _new_to(chosen: Sequence[ScoredUnit]) -> Callable[[ScoredUnit], bool]:
    """Whether a candidate is new to the answer `chosen`: not a question (it answers nothing)
    and not a sentence the answer quotes already (what it quotes is gathered once)."""
    used = frozenset().union(*(c.unit.keys for c in chosen))
    return lambda candidate: not _is_question(candidate.unit.text) and not used & candidate.unit.keys


def _with_added(chosen: list[ScoredUnit], added: Sequence[ScoredUnit], budget: int = MAX_CHARS) -> list[ScoredUnit]:
    """The lead stays; `added` joins the rest of `chosen`, all in passage order, unless that
    makes the answer longer than `budget` (then the answer stays as it was)."""
    if not added or sum(len(c.unit.text) for c in (*chosen, *added)) > budget:
        return chosen
    return _lead_then_in_order(chosen[0], [*chosen[1:], *added])


#: The signals of a sentence that gives the kind of answer asked: a number for "hoeveel", a
#: year for "wanneer", an amount for "hoeveel geld", a reason for "waarom".
_GIVES_WHAT_IS_ASKED = ("number_wanted", "date_wanted", "place_wanted", "percent_wanted", "money_wanted", "causal_wanted")


def _not_said_before(
    question: str, info: QuestionInfo, history: Sequence[Turn], scored: list[ScoredUnit]
) -> list[ScoredUnit]:
    """The candidates for a follow-up without the sentences the previous answer already quoted:
    the user has read them and asks for more. One stays when it holds a key term or sector
    that the follow-up adds to the question before ("En in het vo?" after an answer that gave
    the figures of both sectors), or gives the kind of answer the follow-up asks and the
    question before did not ("Hoeveel geld is ermee gemoeid?" after "Wat is X?", whose answer
    gave the budget), and all stay when nothing else is about the question, or
    when the question asks what the one before asked (the engine then says it is the same)."""
    before = previous_answer(history)
    if not before:
        return scored
    said = " ".join(strip_markers(before).split())
    previous = previous_question(history) or ""
    added_terms = {t.stem for t in analyse_question(question).terms} - {t.stem for t in analyse_question(previous).terms}
    added_sectors = sectors(question) - sectors(previous)
    asked_before = question_intent(previous)
    if not added_terms and not added_sectors and question_intent(question) == asked_before:
        return scored
    new_kind = info.intent != asked_before  # as searched: "En ...?" asks what the one before asked

    def adds(s: ScoredUnit) -> bool:
        return bool(
            added_terms & s.stems or added_sectors & sectors(_sector_text(s.unit))
            or (new_kind and any(s.signals[k] for k in _GIVES_WHAT_IS_ASKED))
        )

    kept = [s for s in scored if " ".join(strip_markers(s.unit.text).split()) not in said or adds(s)]
    if any(s.overlap > 0 or s.signals["previous_overlap"] > 0 for s in kept):
        return kept
    return scored


def _lead_then_in_order(lead: ScoredUnit, rest: Sequence[ScoredUnit]) -> list[ScoredUnit]:
    return [lead, *sorted(rest, key=lambda c: (c.unit.passage_index, c.unit.position))]


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a | b) >= NEAR_DUPLICATE or shared / min(len(a), len(b)) >= 0.9


__all__ = [
    "REFUSAL_POINTER", "REFUSAL_TEXT", "SENTENCE_FEATURES", "ExtractiveComposer", "Unit", "candidate_units",
    "counted_noun", "counts_noun", "counts_share", "measures", "share_of", "question_intent", "unit_signals",
]  # fmt: skip
