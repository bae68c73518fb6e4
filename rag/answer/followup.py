"""Follow-up questions: turn "En bij de salamanders?" into a standalone question.

Without an LLM, a follow-up is recognised by its form (it starts with "en"/"maar"/"ook",
refers back with "die", "dat", "daar", "ze", … or is too short to stand alone) and is
completed with the content words of the previous user question. With an LLM,
`rag.answer.llm.LLMCondenser` writes a condensed standalone question instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.protocols import Condenser
from rag.answer.citation_check import strip_markers
from rag.text.analysis import POINTER_WORD, PREPOSITIONS, QUESTION_WORDS, STOPWORDS, YEAR, fold, words
from rag.text.question import DEFINING_WORDS, asking_words, defined_subject, is_superlative
from rag.text.sectors import sector_words, sectors
from rag.text.headings import ORDINAL_PLACE, ORDINALS
from rag.text.sentences import BULLET, split_sentences, without_marker
from rag.text.sources import SourceMatcher
from rag.text.terms import TermIndex, form_words, question_terms
from rag.types import Turn, previous_answer, previous_question

_OPENERS = frozenset({"en", "maar", "ook", "dus", "daarnaast", "verder", "enne"})
_BACK_REFERENCES = frozenset(
    """
    die dat deze dit daar daarin daarvan daarmee daarbij daarvoor daardoor daarop daaraan hiervan
    hierin hiermee hiervoor ze zij hun hen zulke dezelfde datzelfde
    """.split()
)


#: "daartegen", "hierover", "daaruit": a pronoun and a preposition in one word, pointing back
#: ("daarom", therefore, is none).
_POINTER = re.compile(r"^(?:daar|hier|er)(?:aan|achter|bij|binnen|boven|buiten|door|in|langs|mee|na|naar|naast|onder|op|over|tegen|toe|tussen|uit|van|voor)$")


#: A long conversation of follow-ups carries at most this many words from before the previous question.
_MAX_CARRIED = 10


def is_follow_up(question: str) -> bool:
    """Does this question lean on the conversation before it?"""
    tokens = words(question)
    if not tokens:
        return False
    if tokens[0] in _OPENERS:
        return True
    subject = defined_subject(question)
    if subject:
        # "Wat is LEA?" names what it asks about; "Licht dat toe." and "Licht de eerste toe."
        # point back at what came before (the first of it).
        return set(words(subject)) <= _BACK_REFERENCES | STOPWORDS | ORDINALS.keys()
    content = [t for t in tokens if t not in STOPWORDS and t not in QUESTION_WORDS]
    return len(content) <= 2 or any(t in _BACK_REFERENCES or _POINTER.match(t) for t in tokens)


def _content(text: str, own: set[str]) -> list[str]:
    """The subject words of `text` that `own` lacks: no stopwords, question words, or words of
    the question's form ("groot" in "hoe groot", "toelichten" in "Kun je X toelichten?", the
    superlative of "Waar is het tekort het grootst?": what was ranked, not what it is about)."""
    asking = asking_words(fold(text))
    # "Wat houdt X in?", "Wat wordt bedoeld met X?": the words that ask what X means are no subject.
    defining = DEFINING_WORDS if defined_subject(text) else frozenset()
    return [
        w for w, form in zip(words(text), form_words(text))
        if not form and w not in STOPWORDS and w not in QUESTION_WORDS and w not in own and w not in asking
        and not is_superlative(w) and w not in defining
        # "Wie doen daaraan mee?": what points back is no subject either.
        and not POINTER_WORD.match(w)
    ]


#: Words that ask something: a follow-up with one of them asks its own kind of question.
_ASKING = frozenset("wat welke welk wie waar waarom wanneer hoe hoeveel hoelang hoezeer".split())


def _asking_frame(question: str) -> list[str]:
    """How `question` asks, when it opens with it: "hoe groot" of "Hoe groot is het tekort?",
    "hoeveel" of "Hoeveel kikkers ...?"; [] for a question that does not open asking."""
    asked = words(question)
    if not asked or asked[0] not in _ASKING:
        return []
    forms = form_words(question)
    frame = [asked[0]]
    for w, form in zip(asked[1:], forms[1:]):
        if not form:
            break
        frame.append(w)
    return frame


#: Subjects of a verb-first question ("Werkt het?", "Klopt dat?", "Geldt dit ook ...?").
_PRONOUNS = frozenset("het dat dit die deze ze zij er u je jij hij".split())


def _asks_yes_or_no(question: str) -> bool:
    """Whether `question` opens with a verb and its pronoun subject ("Werkt het?", "En klopt
    dat?"): it asks yes or no, so it takes no "hoeveel" or "hoe groot" from the question before.
    "In het vo?" opens with a preposition, not a verb."""
    asked = words(question)
    if asked and asked[0] in _OPENERS:
        asked = asked[1:]
    if len(asked) < 2 or asked[0] in _ASKING or asked[1] not in _PRONOUNS:
        return False
    return asked[0] not in STOPWORDS or asked[0] in QUESTION_WORDS


def replaced_subject(question: str, previous: str) -> set[str]:
    """The words of `previous` that an elliptical follow-up replaces: "En over riet?" after
    "Wat zegt het vijverplan over kroos?" asks what the plan says about riet instead of kroos,
    not besides it. The words after "over" in `previous`, up to the next preposition; empty
    unless the follow-up is such a phrase ("[En] over ...?"). Only "over" names the subject
    this surely: "En in de winter?" after "... in het stadspark?" adds a time to the place.
    A sector replaces a sector: "En in het vo?" after "... in het primair onderwijs?" leaves
    "primair" behind (`rag.text.sectors.sector_words`), and a year a year ("En in 2022?" after
    "... in 2023?")."""
    years = set(YEAR.findall(question))
    other_years = set(YEAR.findall(previous)) - years if years else set()
    return other_years | _replaced_words(question, previous)


def _replaced_words(question: str, previous: str) -> set[str]:
    if sectors(question):
        # "En in het vo?" after "... in het primair onderwijs?" asks about the vo instead.
        return set(sector_words(previous) - set(words(question)))
    asked = words(question)
    if asked and asked[0] in _OPENERS:
        asked = asked[1:]
    before = words(previous)
    if len(asked) < 2 or asked[0] != "over" or "over" not in before or any(w in PREPOSITIONS for w in asked[1:]):
        return set()
    phrase = []
    for w in before[before.index("over") + 1:]:
        if w in PREPOSITIONS:
            break
        phrase.append(w)
    return set(phrase)


#: What an item of a list is called when no word of the conversation names it.
_ITEM_NOUNS = frozenset({"punt", "punten", "item", "onderdeel", "element", "optie", "stap"})
#: The particle of a verb that ends the question ("Licht de eerste toe.").
_PARTICLES = frozenset("toe uit aan op in mee door na voor af bij weg".split())
#: A question that opens with a modal verb ends with the verb it governs ("Kun je de eerste
#: uitleggen?"): that last word is no noun of the ordinal.
_MODAL_START = re.compile(r"^\s*(?:kun|kunt|kan|wil|wilt|zou|zoudt|mag|moet)\b", re.IGNORECASE)


def with_list_item(question: str, answer: str | None, previous: str | None) -> str | None:
    """`question` with the item of the previous answer's list it points at by its place put in
    its place: "Licht de eerste toe." -> "Licht ‘Basisvaardigheden versus ...’ toe.", "Wat
    houdt het laatste spanningsveld in?" -> "Wat houdt het spanningsveld ‘...’ in?". A noun
    after the ordinal counts when the question before or the answer names it ("het derde
    spanningsveld"), or names an item ("punt"); "de eerste fase" of something else does not.
    None when the question names no place, or the answer holds no list of two or more items."""
    if not answer:
        return None
    # The list items as the sentence splitter marks them ("• ...", "2. ..."), without their
    # citations; else the items a sentence lists after a colon ("... drie factoren: A, B en C.").
    items = [strip_markers(without_marker(line)).strip(" ;,.") for line in answer.splitlines() if BULLET.match(line.lstrip())]
    items = [i for i in items if i] or inline_items(strip_markers(answer))
    if len(items) < 2:
        return None
    said = set(words(f"{previous or ''} {answer}"))
    for match in ORDINAL_PLACE.finditer(question):
        place = ORDINALS[match.group("ordinal").lower()]
        noun = (match.group("noun") or "").lower()
        ends = match.group("noun") is not None and not re.search(r"\w", question[match.end("noun") :])
        if noun in STOPWORDS or noun in _PARTICLES or (ends and _MODAL_START.match(question)):
            noun = ""  # "de eerste is ...", "Licht de eerste toe.", "Kun je de eerste uitleggen?": no noun of the ordinal
        if noun and not _names_items(noun, said):
            continue  # "de eerste fase": a thing of its own, not an item of the list
        if place >= len(items):
            return None
        kept = f"{match.group('article') or ''}{match.group('noun')} " if noun and noun not in _ITEM_NOUNS else ""
        end = match.end("noun") if noun else match.end("ordinal")
        return f"{question[:match.start()]}{kept}‘{items[place]}’{question[end:]}"
    if ORDINAL_PLACE.search(question):
        return None
    return _item_by_content(question, items, said, set(words(previous or "")))


def _names_items(noun: str, said: set[str]) -> bool:
    """Whether a noun in a follow-up ("het derde spanningsveld", "het thema over ...") names the
    items of the list before: a word for an item ("punt"), or one the conversation used (either
    word the start of the other, four letters or more)."""
    return noun in _ITEM_NOUNS or any(w.startswith(noun) or noun.startswith(w) for w in said if len(w) >= 4)


#: "Welke daarvan ...?", "Welk van deze ...?": a follow-up that asks within the list before.
_FROM_THE_LIST = re.compile(r"\b(?:daarvan|hiervan|van\s+(?:deze|die))\b", re.IGNORECASE)
#: "het thema over leraren", "het punt met de pompen": an item named by what it is about.
_ITEM_ABOUT = re.compile(r"\b(?:de|het|dat|die)\s+(?P<noun>[^\W\d_]+)\s+(?P<about>(?:over|met|bij|voor|rond|op)\s+[^?.!,;]+)", re.IGNORECASE)


#: The fewest letters of a word that points at an item as the first part of a compound.
_MIN_ITEM_PART = 4


def _item_by_content(question: str, items: Sequence[str], said: set[str], asked_before: set[str]) -> str | None:
    """`question` with the one item of the list before that its own words point at put in:
    "Welke daarvan gaat over riet?" -> "Welke ‘Rietvijvers’ gaat over riet?", "Wat staat er bij
    het soort over riet?" -> "Wat staat er bij het soort ‘Rietvijvers’?". The question asks
    within the list ("daarvan", "van deze") or names an item by what it is about, with a noun
    the conversation used for the items ("het soort over ..."); None unless exactly one item
    holds a word of the question that the question before did not."""
    about = _ITEM_ABOUT.search(question)
    within = _FROM_THE_LIST.search(question)
    if about is not None and not within:
        if not _names_items(about.group("noun").lower(), said):
            about = None
    if not within and about is None:
        return None
    own = [t for t in question_terms(question) if not t.is_number and t.word not in asked_before]
    if about is not None and not within:
        own = [t for t in own if t.word in set(words(about.group("about")))]
    if not own:
        return None

    def holds(item: str) -> bool:  # a term as a word, or as the first part of one ("riet" in "Rietvijvers")
        index, item_words = TermIndex([item]), words(item)
        return any(
            index.contains(t, parts=False) or (len(t.stem) >= _MIN_ITEM_PART and any(w.startswith(t.stem) for w in item_words))
            for t in own
        )

    matching = [item for item in items if holds(item)]
    if len(matching) != 1:
        return None
    if within:
        return f"{question[: within.start()]}‘{matching[0]}’{question[within.end():]}"
    return f"{question[: about.start('about')]}‘{matching[0]}’{question[about.end('about'):]}"


#: The most words an item of a list written in a sentence has ("een tekort aan tuinmannen met
#: verstand van riet"): more, and the commas part clauses, not items.
MAX_INLINE_ITEM_WORDS = 12


def inline_items(text: str) -> list[str]:
    """The items a sentence of `text` lists after a colon, parted by semicolons, or else by commas
    and a last "en" or "of", outside brackets: "Drie zaken bedreigen de vijvers: een dik kroosdek, weinig (stromend)
    water en een tekort aan tuinmannen." -> ["een dik kroosdek", "weinig (stromend) water",
    "een tekort aan tuinmannen"].
    [] when no sentence lists two or more short items after a colon."""
    for sentence in split_sentences(text):
        head, *after = _top_level_split(sentence.text, ":")
        if not after or not head.strip():
            continue
        rest = ":".join(after).strip().rstrip(".;!")
        if len(parts := _top_level_split(rest, ";")) < 2:
            parts = _top_level_split(rest, ",")
            # "A, B en C": the last comma's part holds the last two, parted at its first "en"/"of".
            last = re.split(r"\s+(?:en|of)\s+", parts[-1], maxsplit=1)
            if len(last) < 2:
                continue  # "... onderwerpen waar kansen liggen, waar nodig, verder te versterken": clauses, no list
            parts = [*parts[:-1], *last]
        items = [p.strip(" ;,") for p in parts]
        if len(items) >= 2 and all(0 < len(i.split()) <= MAX_INLINE_ITEM_WORDS for i in items):
            return items
    return []


def _top_level_split(text: str, separator: str) -> list[str]:
    """`str.split` at each `separator` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


#: A follow-up that only names a place in the list: "En de tweede?", "de laatste?".
_ONLY_PLACE = re.compile(r"^\s*(?:en\s+)?(?:de\s+|het\s+)?(?:" + "|".join(ORDINALS) + r")\s*[?.!]*\s*$", re.IGNORECASE)
#: A list item as `with_list_item` puts it in a question.
_QUOTED_ITEM = re.compile(r"‘[^’]*’")


def pointed_item(question: str, history: Sequence[Turn]) -> str | None:
    """`question` with the list item it points at by place put in (`with_list_item`). The list is
    the last answer's, or, when the questions before pointed into a list by place too ("Licht
    de eerste toe." ... "En de tweede?" ... "En de derde?"), that list. A follow-up that only
    names the place ("En de tweede?") asks what the question before asked, about this item."""
    asked_at = max((i for i, t in enumerate(history) if t.role == "user" and t.content.strip()), default=None)
    if asked_at is not None and ORDINAL_PLACE.search(history[asked_at].content):
        earlier = history[:asked_at]
        last = pointed_item(history[asked_at].content, earlier)
        if last is not None:  # the question before pointed into a list: this one continues it
            resolved = pointed_item(question, earlier)
            if resolved is not None and _ONLY_PLACE.match(question):
                old, new = _QUOTED_ITEM.search(last), _QUOTED_ITEM.search(resolved)
                return last.replace(old.group(0), new.group(0), 1) if old and new else resolved
            if resolved is not None:
                return resolved
    return with_list_item(question, previous_answer(history), previous_question(history))


class HeuristicCondenser:
    """Completes a follow-up with the content words of the previous user question.

    `matcher` gives the documents' names (`rag.text.sources.SourceMatcher`): a follow-up that
    names a document of its own ("En wat zegt de kennisagenda erover?") asks that document, so
    the name of the one asked before is not carried.
    """

    def __init__(self, matcher: Callable[[], SourceMatcher | None] | None = None) -> None:
        self._matcher = matcher

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        previous = previous_question(history)
        if previous is None:
            return question
        # "Licht de eerste toe." after a list: that item asked about; "En de tweede?" after it
        # points into the same list (`pointed_item`).
        question = pointed_item(question, history) or question
        if not is_follow_up(question):
            return question
        own = set(words(question)) | replaced_subject(question, previous)
        matcher = self._matcher() if self._matcher is not None else None
        # A follow-up that names a document of its own leaves the earlier one's name behind.
        names_own = matcher is not None and bool(matcher.match(question))

        def content(text: str) -> list[str]:
            return _content(matcher.match(text).strip(text) if names_own else text, own)

        # A follow-up on a follow-up ("Wat zijn de oorzaken daarvan?" after "En in het vo?") also
        # carries the subject the earlier one carried: what was added to it when it was searched.
        asked_at = max(i for i, t in enumerate(history) if t.role == "user" and t.content.strip())
        searched = self.condense(previous, history[:asked_at])
        if searched.startswith(previous):
            carried = content(searched[len(previous):])[:_MAX_CARRIED]
        else:
            carried, previous = [], searched  # "Wat houdt de tweede in?" was searched as the item it pointed at
        # "En in het vo?" after "Hoe groot is het tekort?" asks "hoe groot" again.
        frame = [] if own & _ASKING or _asks_yes_or_no(question) else _asking_frame(previous)
        # De-duplicate while keeping order; the follow-up itself stays first so it dominates.
        # An ordinal of the question before ("Licht de eerste toe.") pointed into a list; it is no subject.
        context = frame + list(dict.fromkeys(w for w in content(previous) + carried if w not in ORDINALS))
        return f"{question} ({' '.join(context)})" if context else question


class FallbackCondenser:
    """An LLM condenser that falls back to the heuristic when it leaves the question as it was."""

    def __init__(self, primary: Condenser, fallback: Condenser) -> None:
        self._primary = primary
        self._fallback = fallback

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        rewritten = self._primary.condense(question, history)
        return rewritten if rewritten.strip() != question.strip() else self._fallback.condense(question, history)
