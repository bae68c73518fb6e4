"""Messages that are no question to the documents: a greeting, thanks, a question about
Bronwijzer itself, or a question in another language than Dutch; and questions about a
document as a whole ("Waar gaat het actieplan over?"), which no single passage answers.

Searching the documents for "Hallo" finds passages that are not about it and refuses with
them: true, and useless to someone trying Bronwijzer for the first time. Such a message gets
Bronwijzer's own short reply instead (`Engine.ask` and `Engine.stream`, so in every door).

Only a whole message counts: "Hallo, hoeveel scholen ...?" is a question and is searched. The
phrases are everyday Dutch (and the English a newcomer may type), not taken from any question
set; a message in English is recognised by its words being far more common in English than in
Dutch (`wordfreq`), so an English term inside a Dutch question ("de teacher shortage") does not
count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from rag.text.analysis import fold, listed
from rag.text.question import ADDRESSEE as _ME
from rag.text.terms import QuestionTerm, zipf
from rag.types import IndexedDocument

Kind = Literal["greeting", "thanks", "about", "other_language", "task"]

_GREETING = re.compile(
    r"(?:hallo|hoi|hey|hee|hi|hello|hiya|yo|goedemorgen|goedemiddag|goedenavond|goeiemorgen|goeiemiddag|goedendag|"
    r"dag|daag|moi|good (?:morning|afternoon|evening))(?: (?:daar|allemaal|there|bronwijzer))?"
)
_THANKS = re.compile(
    r"(?:(?:heel |hartelijk )?(?:dank|bedankt)(?: (?:je|jij|u))?(?: wel)?|thanks?(?: you)?|thx|merci|"
    r"top|fijn|super|mooi|prima|helder|duidelijk|ok|oke|okay|oké|goed zo|dankjewel|dankuwel)"
    r"(?: (?:hoor|voor (?:je|jouw|uw|de|het) (?:hulp|antwoord|uitleg)))?"
)
_ABOUT = re.compile(
    rf"(?:wie|wat) ben {_ME}|wat (?:kun|kan|doe|weet) {_ME}(?: (?:allemaal|zoal|precies))?(?: (?:voor mij )?doen)?|"
    rf"wat (?:kan|kun) ik (?:hier |{_ME} |aan {_ME} )?(?:allemaal )?vragen|waar(?:over)? (?:kan|kun) ik {_ME}(?: iets)? (?:over )?vragen|"
    rf"(?:welke|hoeveel) (?:documenten|bronnen|rapporten|stukken) (?:ken|heb|gebruik|kent|hebt|gebruikt) {_ME}|"
    # Not "hoe werkt dit?" or "uitleg?": after an answer, those follow up on it.
    rf"hoe werk {_ME}|hoe werkt {_ME}|help|hulp|who are you|what (?:can|do) you do|what are you"
)
#: A request to write something new ("Schrijf een gedicht over ...", "Kun je een brief opstellen?",
#: "Vertaal dit"): Bronwijzer only quotes the documents, and quotes stitched together would pass
#: for the asked text. "Schrijft de inspectie ...?" (third person) is a question, not a request.
_POLITE = rf"(?:(?:kun|kunt|kan|wil|wilt|zou|zoudt) {_ME} (?:voor mij |mij |me |ons )?(?:even |eens |alsjeblieft |aub )?)?"
_GENRES = (
    r"gedicht|versje|rijm|lied|liedje|rap|verhaal|verhaaltje|grap|mop|brief|mail|e-mail|email|nieuwsbrief|tekst|"
    r"toespraak|speech|opstel|essay|column|blog|post|tweet|slogan|presentatie|vacaturetekst|vacature|advertentie"
)
#: After the verb, a subject makes it a question ("Schrijf ik een opp voor elke leerling?"), and
#: "Stel dat ..." supposes.
_NOT_IMPERATIVE = r"(?!\s+(?:ik|je|jij|u|we|wij|jullie|ze|zij|hij|men|dat)\b)"
_TASK = re.compile(
    rf"^{_POLITE}(?:(?:schrijf|schrijven|herschrijf|herschrijven|vertaal|vertalen|verzin|verzinnen|genereer|genereren|"
    rf"componeer|dicht)\b{_NOT_IMPERATIVE}|(?:maak|maken|stel|opstellen)\b{_NOT_IMPERATIVE}.*\b(?:{_GENRES})\b|"
    rf"(?:een|het) (?:{_GENRES})\b.*\b(?:schrijven|maken|opstellen)\b)"
)
#: The subject of a request ("... over de kikkers in het park"), for the suggested question.
_ABOUT_SUBJECT = re.compile(r"\bover (.{3,80}?)[\s?.!]*$")
_SEGMENT_SPLIT = re.compile(r"[,.!?;:]+")
_NON_WORD = re.compile(r"[^\w\s'-]")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: A word leans to another language when it is this much more common there than in Dutch (Zipf).
_FOREIGN_MARGIN = 1.5


def _segments(folded: str) -> list[str]:
    parts = [" ".join(_NON_WORD.sub(" ", part).split()) for part in _SEGMENT_SPLIT.split(folded)]
    return [p for p in parts if p]


def _is_foreign(folded: str) -> bool:
    """Whether a message is in English, German, French or Spanish rather than Dutch: at least
    half its words are that much more common in one of those (wordfreq), hardly any in Dutch."""
    found = _WORD.findall(folded)
    if len(found) < 3:
        return False
    foreign = sum(1 for w in found if _zipf_foreign(w) >= zipf(w) + _FOREIGN_MARGIN)
    dutch = sum(1 for w in found if zipf(w) >= _zipf_foreign(w) + _FOREIGN_MARGIN)
    return foreign >= 0.5 * len(found) and dutch <= 0.1 * len(found)


def _other_script(message: str) -> bool:
    """Whether most letters of `message` are of another script than Latin (Arabic, Cyrillic,
    Chinese, ...): a question in another language, whatever words it has."""
    letters = [ch for ch in message if ch.isalpha()]
    other = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    return bool(letters) and other > len(letters) / 2


#: The languages besides Dutch a question is most likely typed in here.
_FOREIGN = ("en", "de", "fr", "es")


@lru_cache(maxsize=4096)
def _zipf_foreign(word: str) -> float:
    """How common `word` is in the most likely other language (wordfreq's Zipf scale)."""
    from wordfreq import zipf_frequency  # as rag.text.analysis.zipf: loaded when first needed

    return max(zipf_frequency(word, language) for language in _FOREIGN)


def conversation_kind(message: str) -> Kind | None:
    """What kind of message this is, when it is no question to the documents; else None."""
    folded = fold(message)
    if _TASK.match(" ".join(folded.split())):
        return "task"
    segments = _segments(folded)
    if segments and len(" ".join(segments)) <= 80:
        kinds = []
        for segment in segments:
            if segment == "bronwijzer":  # "Goedemiddag, Bronwijzer."
                continue
            if _ABOUT.fullmatch(segment):
                kinds.append("about")
            elif _GREETING.fullmatch(segment):
                kinds.append("greeting")
            elif _THANKS.fullmatch(segment):
                kinds.append("thanks")
            else:
                break
        else:
            for kind in ("about", "thanks", "greeting"):
                if kind in kinds:
                    return kind  # type: ignore[return-value]
    return "other_language" if _is_foreign(folded) or _other_script(message) else None


#: Words that ask who made a document or when ("Wanneer is X verschenen?", "Wie heeft X
#: geschreven?"), which its manifest entry says.
_PUBLICATION_WORDS = frozenset(
    """
    gepubliceerd publiceerde verschenen verscheen uitgebracht uitgegeven geschreven schreef opgesteld auteur auteurs
    schrijver schrijvers uitgever publicatie publicatiedatum gemaakt maakte maakten samengesteld
    """.split()
)
#: Words that ask what a document is about, not about something in it: "Waar gaat X over?",
#: "Wat zegt X?", "Vat X samen", "Wat zijn de hoofdpunten van X?"; or who made it and when.
_OVERVIEW_WORDS = frozenset(
    """
    zegt zeggen zei gaat gaan over vat samen samenvatten samenvatting samengevat inhoud beschrijft beschrijven behandelt
    behandelen onderwerp onderwerpen hoofdpunten hoofdlijnen kern kernpunten belangrijkste punten boodschap
    strekking idee
    """.split()
) | _PUBLICATION_WORDS


def asks_overview(topic_terms: Sequence[QuestionTerm], source_years: frozenset[str] = frozenset()) -> bool:
    """The question's key terms, less the words naming its source, only ask what the source is
    about (none left, or only words such as "zegt", "samenvatting", a publication year)."""
    return all(t.word in _OVERVIEW_WORDS or t.word in source_years for t in topic_terms)


def asks_publication(topic_terms: Sequence[QuestionTerm]) -> bool:
    """Whether an overview question asks who made the document or when ("Wanneer verscheen X?")."""
    return any(t.word in _PUBLICATION_WORDS for t in topic_terms)


def _published(d: IndexedDocument) -> str:
    title = f"‘{d.title or d.id}’"
    if d.publisher and d.year:
        return f"{title} is in {d.year} uitgegeven door {d.publisher}."
    if d.publisher:
        return f"{title} is uitgegeven door {d.publisher}."
    if d.year:
        return f"{title} is van {d.year}."
    return f"Wie {title} uitgaf en wanneer, staat niet in de lijst van documenten."


def overview_reply(documents: Sequence[IndexedDocument], publication: bool = False) -> str:
    """What the named documents are, from their descriptions in the manifest: said to be no quote.
    With `publication`, who published each and when: what was asked."""
    if publication:
        return " ".join(_published(d) for d in documents) + " Dit staat in de lijst van documenten; het is geen citaat."
    parts = []
    for d in documents:
        who = ", ".join(str(x) for x in (d.publisher, d.year) if x)
        head = f"‘{d.title or d.id}’" + (f" ({who})" if who else "")
        parts.append(f"{head}: {d.description}" if d.description else f"{head}: van dit document is geen beschrijving bekend.")
    return (
        " ".join(parts) + " Dit is de beschrijving uit de lijst van documenten, geen citaat. Een heel document vat ik "
        "niet samen: stel een vraag over een onderwerp eruit, dan citeer ik de passages die erover gaan."
    )


def conversation_reply(kind: Kind, titles: Sequence[str], message: str = "") -> str:
    """Bronwijzer's own reply (Dutch; the English one says it in both languages). `message` is
    what the user wrote, for a request's subject."""
    if kind == "task":
        subject = _ABOUT_SUBJECT.search(" ".join(message.split()))
        ask = f"„Wat zeggen de documenten over {subject.group(1)}?”" if subject else "een vraag over een onderwerp uit de documenten"
        return (
            "Ik schrijf geen nieuwe teksten, zoals een gedicht, brief of vertaling: ik beantwoord vragen met zinnen "
            f"uit de documenten, met de bron erbij, zodat u alles kunt nakijken. Stel bijvoorbeeld {ask}"
            + ("" if subject else ".")
        )
    if titles:
        what = f"Ik beantwoord vragen uit {'dit document' if len(titles) == 1 else f'deze {len(titles)} documenten'}: {listed(titles, most=6)}."
    else:
        what = "Er zijn nog geen documenten geïndexeerd; zodra dat gebeurd is, beantwoord ik vragen daaruit."
    how = (
        "Bij elk antwoord staan de passages waar het uit komt, zodat u het kunt nakijken; staat het antwoord er "
        "niet in, dan zeg ik dat. Stel uw vraag in gewone woorden."
    )
    if kind == "thanks":
        return "Graag gedaan. Stel gerust nog een vraag over de documenten."
    if kind == "other_language":
        return (
            "Bronwijzer beantwoordt vragen in het Nederlands, uit Nederlandstalige documenten: stel uw vraag in het "
            f"Nederlands. {what} (Bronwijzer answers questions in Dutch, from Dutch documents: please ask in Dutch.)"
        )
    hello = "Hallo! " if kind == "greeting" else ""
    return f"{hello}Ik ben Bronwijzer. {what} {how}"


__all__ = ["Kind", "asks_overview", "asks_publication", "conversation_kind", "conversation_reply", "overview_reply"]
