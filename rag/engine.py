"""The read path's front door: `search` and `ask`.

    standalone = condenser.condense(question, history)    # follow-ups become standalone
    passages = retriever.retrieve(standalone, k, filters)
    answer = composer.compose(question, passages, history) # extractive or LLM: same Answer
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import takewhile
from typing import TYPE_CHECKING, Literal

from rag.answer.citation_check import MARKER, strip_markers, stream_composed
from rag.errors import InvalidQuestionError
from rag.answer.refusal import REFUSAL_TEXT
from rag.text.analysis import PREPOSITIONS, YEAR, fold, listed, numbers, words
from rag.text.sectors import sectors
from rag.text.sources import document_years
from rag.text.terms import TermIndex, analyse, question_terms
from rag.text.headings import ORDINAL_PLACE, announced_count, heading_list, heading_list_reply, numbered_titles, parts_asked, with_heading_part
from rag.text.sentences import split_sentences
from rag.text.conversation import asks_overview, asks_publication, conversation_kind, conversation_reply, overview_reply
from rag.text.question import OPINION_NOTE, asks_opinion, named_editions, question_intent, searchable, unshouted
from rag.protocols import Composer, Condenser, Retriever, StreamingComposer
from rag.types import Answer, Citation, IndexedDocument, Passage, RewrittenQuestion, SearchFilters, StreamItem, Turn, previous_answer, previous_question

if TYPE_CHECKING:
    from rag.settings import Settings


MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20


def as_turns(history: Sequence[Turn | Mapping] | None) -> list[Turn]:
    """Accept `[{"role": ..., "content": ...}]` as well as Turns; keep the last turns only."""
    turns = []
    for item in history or ():
        if isinstance(item, Turn):
            turns.append(item)
            continue
        role = item.get("role")
        if role not in ("user", "assistant"):
            raise InvalidQuestionError(f"Onbekende rol in de gespreksgeschiedenis: {role!r} (gebruik 'user' of 'assistant').")
        turns.append(Turn(role, str(item.get("content") or "")))
    return turns[-MAX_HISTORY_TURNS:]


def _about_the_documents(turns: list[Turn]) -> list[Turn]:
    """The conversation without its small talk: a greeting, thanks or a request to write (and
    Bronwijzer's reply to it) is no subject a follow-up can lean on ("Wat is LEA?" after
    "Schrijf een gedicht" is no question about poems)."""
    kept: list[Turn] = []
    skipping = False
    for turn in turns:
        if turn.role == "user":
            skipping = conversation_kind(turn.content) is not None
        if not skipping:
            kept.append(turn)
    return kept


def as_filters(filters: SearchFilters | Mapping | None) -> SearchFilters | None:
    """Accept `{"documents": [...], "publishers": [...], "year_from": int, "year_to": int}`."""
    if filters is None or isinstance(filters, SearchFilters):
        return filters
    unknown = set(filters) - {"documents", "publishers", "year_from", "year_to"}
    if unknown:
        raise InvalidQuestionError(f"Onbekend filter: {', '.join(sorted(unknown))}.")
    result = SearchFilters(
        documents=tuple(filters.get("documents") or ()),
        publishers=tuple(filters.get("publishers") or ()),
        year_from=filters.get("year_from"),
        year_to=filters.get("year_to"),
    )
    if result.year_from and result.year_to and result.year_from > result.year_to:
        raise InvalidQuestionError("Het beginjaar ligt na het eindjaar.")
    return result if result != SearchFilters() else None


#: Characters a question copied from a PDF or a web page may hide inside its words: zero-width
#: spaces and joiners, word joiners, byte-order marks and soft hyphens ("lera\u200brentekort").
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _check_question(question: str) -> str:
    question = (question or "").translate(_INVISIBLE)
    question = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in question).strip()
    if not question:
        raise InvalidQuestionError("Stel een vraag: de vraag is leeg.")
    if not any(ch.isalnum() for ch in question):
        # "?", "...", an emoji: nothing to search for, so no passages that would look like an answer.
        raise InvalidQuestionError("Stel een vraag in woorden: deze vraag bevat geen letters of cijfers.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(f"De vraag is te lang (meer dan {MAX_QUESTION_CHARS} tekens); stel een kortere vraag.")
    return unshouted(question)


class Engine:
    """Search and ask, with follow-ups, filters and timings."""

    def __init__(
        self,
        settings: "Settings",
        retriever: Retriever,
        composer: Composer,
        condenser: Condenser,
        documents: Callable[[], list[IndexedDocument]] | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.composer = composer
        self.condenser = condenser
        self._documents = documents

    def documents(self) -> list[IndexedDocument]:
        """The documents questions are answered from (none known: an empty list)."""
        return self._documents() if self._documents else []

    def warm_up(self) -> None:
        """Load models and indexes now rather than on the first question."""
        for part in (self.retriever, self.composer):
            warm = getattr(part, "warm_up", None)
            if warm:
                warm()
        conversation_kind("Hoeveel vijvers telt het park?")  # loads the word lists of five languages

    def _retrieve(self, question, history, filters, k) -> tuple[list[Passage], list[Turn], dict[str, float], str | None, object]:
        """Passages for the question (condensed first when it follows up on earlier turns, typing
        errors of the documents' words corrected).

        Also: the standalone question retrieval used, when it differs from the question, and
        the retriever's analysis of the question (None for a retriever that gives none).
        """
        question = _check_question(question)
        turns = _about_the_documents(as_turns(history))
        timings: dict[str, float] = {}
        t = time.perf_counter()
        # Links, emoji and "Antwoord kort." after the question are searched for by no one.
        asked = searchable(question)
        standalone = self.condenser.condense(asked, turns) if turns else asked
        timings["condense"] = _ms(t)
        # "lerarentkort" is searched as "lerarentekort"; the answer shows what was searched.
        spelled = getattr(self.retriever, "spelled", None) if self.settings.spelling else None
        if spelled is not None:
            t = time.perf_counter()
            standalone = spelled(standalone)
            timings["spelling"] = _ms(t)
        t = time.perf_counter()
        k = self.settings.search_k if k is None else k
        if not 0 < k <= 50:
            raise InvalidQuestionError(f"top_k moet tussen 1 en 50 liggen, niet {k}.")
        search = getattr(self.retriever, "search", None)
        analysis = None
        if search is not None:
            found = search(standalone, k, as_filters(filters))
            passages, analysis = found.passages, found.question
            timings.update(found.timings)
            if not turns and (pointed := self._heading_part(standalone, analysis, passages)) is not None:
                # "Wat houdt het tweede speerpunt van het plan in?": searched as the part it points at.
                standalone = pointed
                found = search(standalone, k, as_filters(filters))
                passages, analysis = found.passages, found.question
        else:
            passages = self.retriever.retrieve(standalone, k, as_filters(filters))
        timings["retrieve"] = _ms(t)
        rewritten = standalone.strip() if standalone.strip() != question else None
        return passages, turns, timings, rewritten, analysis

    def _heading_part(self, question: str, analysis, passages) -> str | None:
        """The question with the part an ordinal points at ("het tweede speerpunt") named, where
        the named document (else one of the best three passages') gives those parts as its
        headings (`rag.text.headings.with_heading_part`); None otherwise."""
        outline = getattr(self.retriever, "outline", None)
        if outline is None or analysis is None or not ORDINAL_PLACE.search(question):
            return None
        for document_id in _listing_documents(analysis, passages):
            pointed = with_heading_part(question, [p.chunk.section for p in outline(document_id)])
            if pointed is not None:
                return pointed
        return None

    def search(self, query: str, k: int | None = None, filters=None, history=None) -> list[Passage]:
        return self._retrieve(query, history, filters, k)[0]

    def _compose(self, question: str, passages, turns, analysis) -> Answer:
        if analysis is not None and getattr(self.composer, "accepts_analysis", False):
            return self.composer.compose(question, passages, turns, analysis=analysis)
        return self.composer.compose(question, passages, turns)

    def reply_to_conversation(self, question: str) -> Answer | None:
        """A greeting, thanks, a question about Bronwijzer or one in another language gets Bronwijzer's
        own reply (`rag.text.conversation`), not a search: no passages, `refused` since nothing
        comes from the documents."""
        started = time.perf_counter()
        kind = conversation_kind(_check_question(question))
        if kind is None:
            return None
        titles = [d.title or d.id for d in self.documents()]
        return Answer(
            question=question.strip(), text=conversation_reply(kind, titles, question), citations=(), passages=(), refused=True,
            timings_ms={"total": _ms(started)},
        )

    def _document_overview(self, question: str, analysis, turns, passages, timings) -> Answer | None:
        """A question about a named document as a whole ("Waar gaat het actieplan over?"): no
        passage answers it, so the reply is the document's description from the manifest, said
        to be no quote, with the document's best passages. Not for a follow-up, which asks
        about the conversation's subject."""
        named = _named_documents(analysis)
        if turns or not named or not asks_overview(analysis.topic_terms, analysis.source_years):
            return None
        # "Hoe oud is het actieplan?", "Van wanneer is het?": when it was published.
        age = _ASKS_AGE.search(fold(question)) is not None
        if (analysis.intent == "number" and not age) or analysis.asks_money:
            return None  # "Wat kost het actieplan?": an amount, which no description gives
        publication = age or analysis.intent == "date" or asks_publication(analysis.topic_terms)
        known = {d.id: d for d in self.documents()}
        documents = [known[d] for d in named if d in known]
        if not documents:
            return None
        own = tuple(p for p in passages if p.chunk.document_id in named) or tuple(passages)
        return Answer(
            question=question.strip(), text=overview_reply(documents, publication), citations=(), passages=own, refused=True,
            timings_ms=timings,
        )

    def _heading_list(self, question: str, analysis, passages, filters, timings) -> Answer | None:
        """A list question whose parts a document gives only as its headings ("Wat zijn de zes
        thema's van het vijverplan?", `rag.text.headings`): the headings, each citing where its
        part begins. The named document, else those of the best three passages, in that order."""
        outline = getattr(self.retriever, "outline", None)
        if outline is None or analysis is None or analysis.intent not in ("list", "define"):
            return None
        asked = parts_asked(question, analysis.topic_terms)
        if asked is None:
            return None
        allowed = as_filters(filters)
        known = {d.id: d for d in self.documents()}
        for document_id in _listing_documents(analysis, passages):
            document = known.get(document_id)
            if document is None or (allowed is not None and not allowed.admits(document)):
                continue
            if asked.years and not asked.years & {str(document.year), *YEAR.findall(document.title or "")}:
                continue  # "Welke thema's had het plan in 2019?": another edition's parts (its year, or the one of its title)
            parts = outline(document_id)
            found = heading_list(asked, [p.chunk.section for p in parts])
            if found is None:
                continue
            shown, _, citations = _cited_first([(parts[item.path_index], item.heading) for item in found.items], passages)
            return Answer(
                question=question.strip(), text=heading_list_reply(document.title or document.id, found), citations=citations,
                passages=shown, timings_ms=timings,
            )
        return None

    def _announced_list(self, question: str, analysis, passages, timings) -> Answer | None:
        """A list question whose parts a sentence announces ("Er zijn acht mechanismen te
        onderscheiden.") and the document then gives as numbered titles, each with its own text
        (`rag.text.headings.numbered_titles`): that sentence, then the titles in order, each
        citing the passage it stands in. The sentence is looked for in the best passages."""
        following = getattr(self.retriever, "following", None)
        if following is None or analysis is None or analysis.intent != "list":
            return None
        # The parts asked for are named in the question ("Welke gamechangers ...?", "Wat zijn
        # volgens het plan de mechanismen ...?"): one of its key terms the sentence counts.
        terms = [t for t in analysis.topic_terms if not t.is_number and t.word not in PREPOSITIONS]
        stems = {t.stem for t in terms}
        ranked = sorted(passages, key=lambda p: p.rank)
        # "Wat zijn de gamechangers uit het vijverplan?": another document's list is no answer.
        named = _named_documents(analysis)
        for passage in ranked[:ANNOUNCING_PASSAGES]:
            if named and passage.chunk.document_id not in named:
                continue
            for sentence in split_sentences(passage.text):
                if sentence.kind != "prose" or (count := announced_count(sentence.text, stems)) is None:
                    continue
                # The sentence or its part's headings name what else the question does ("... voor
                # gelijke kansen"): another part's list of the same kind of thing is no answer.
                if not _names_terms(f"{sentence.text} {passage.chunk.section or ''}", terms):
                    continue
                # The titles are in the same part of the document: under the same top heading.
                part = _top_heading(passage)
                after = list(takewhile(lambda p: _top_heading(p) == part, following(passage, NUMBERED_REACH)))
                titles = numbered_titles([p.text for p in after], count, sentence.end)
                if titles is None:
                    continue
                quoted = [(passage, sentence.text), *((after[t.text_index], t.title) for t in titles)]
                shown, marker, citations = _cited_first(quoted, ranked)
                lines = [f"{sentence.text} [{marker[passage.chunk.id]}]"]
                lines += [f"{t.number}. {t.title} [{marker[after[t.text_index].chunk.id]}]" for t in titles]
                return Answer(
                    question=question.strip(), text="\n".join(lines), citations=citations, passages=shown, timings_ms=timings
                )
        return None

    def _direct_answer(self, question: str, analysis, turns, passages, filters, timings) -> Answer | None:
        """An answer that is not composed from sentences: a document's description, a list of
        its headings, or of the numbered titles a sentence announces."""
        return (
            self._document_overview(question, analysis, turns, passages, timings)
            or self._heading_list(question, analysis, passages, filters, timings)
            or self._announced_list(question, analysis, passages, timings)
        )

    def ask(self, question: str, history=None, filters=None, k: int | None = None) -> Answer:
        started = time.perf_counter()
        own = self.reply_to_conversation(question)
        if own is not None:
            return own
        question = _check_question(question)
        passages, turns, timings, rewritten, analysis = self._retrieve(question, history, filters, k)
        direct = self._direct_answer(question, analysis, turns, passages, filters, timings)
        if direct is not None:
            return replace(direct, timings_ms={**timings, "total": _ms(started)}, rewritten=rewritten)
        t = time.perf_counter()
        answer = self._with_notes(self._compose(question.strip(), passages, turns, analysis), question, analysis, turns)
        timings["compose"] = _ms(t)
        timings["total"] = _ms(started)
        return replace(answer, timings_ms={**answer.timings_ms, **timings}, rewritten=rewritten)

    def _with_notes(self, answer: Answer, question: str, analysis, turns: Sequence[Turn] = ()) -> Answer:
        """The answer with what its reader should know first: that Bronwijzer has no opinion of
        its own when asked for one, that a named document did not answer, that the passages do
        not name the places or names the question's context gave, and that a follow-up got the
        answer before it again."""
        answer = self._with_context_note(self._with_source_note(answer, analysis), analysis)
        if not answer.refused and (repeated := _repeats(answer.text, turns)):
            if _names_what_is_asked(answer.text, question, previous_question(turns) or ""):
                answer = _noted(answer, REPEAT_ANSWERED_NOTE)
            else:
                answer = _noted(answer, REPEAT_NOTE if repeated == "all" else REPEAT_PART_NOTE)
        if answer.refused or not asks_opinion(question):
            return answer
        return replace(answer, note=f"{OPINION_NOTE} {answer.note}" if answer.note else OPINION_NOTE)

    def _with_source_note(self, answer: Answer, analysis) -> Answer:
        """An answer to a question that names a document, built from other documents only,
        says so, and is marked uncertain when a document was named by its title: naming a
        document is no reason to refuse, but the reader should know that what the named
        document says was not found. So does one built from some of the named
        documents only ("Wat zeggen A en B ...?" answered from A)."""
        mention = getattr(analysis, "mention", None)
        named = getattr(mention, "documents", ())
        if answer.refused or not named or not answer.citations:
            return answer
        cited = {c.passage.document_id for c in answer.citations}
        missing = [d for d in named if d not in cited]
        if not missing:
            return self._with_edition_note(answer, analysis.text, mention)
        # The documents' titles only for a note: the registry is read when one is needed.
        titles = {d.id: d.title for d in self.documents()}

        def titled(ids) -> str:
            return listed([titles.get(d) or d for d in ids])

        if len(missing) < len(named):
            # "Wat zeggen A en B over ...?" answered from A alone: the reader should know B is not in it.
            answer = _noted(answer, (
                f"U noemt {titled(named)}, maar in {titled(missing)} is geen passage gevonden die hierop antwoordt: "
                f"dit antwoord komt alleen uit {titled(d for d in named if d in cited)}."
            ))
            return self._with_edition_note(answer, analysis.text, mention)
        used = listed(list(dict.fromkeys(c.passage.chunk.title or titles.get(c.passage.document_id) or c.passage.document_id for c in answer.citations)))
        note = f"U noemt {titled(named)}, maar daarin is geen passage gevonden die hierop antwoordt; dit antwoord komt uit {used}."
        # What another document says is no answer about the one named by its title: a doubtful
        # answer. Named by its publisher ("volgens de inspectie"), other documents that quote
        # the publisher may well answer.
        by_title = [d for d in named if d not in getattr(mention, "by_publisher", ())]
        return replace(_noted(answer, note), uncertain=answer.uncertain or bool(by_title))

    def _with_edition_note(self, answer: Answer, question: str, mention) -> Answer:
        """An answer to a question that names a document with a year no indexed edition has
        ("De Staat van het Onderwijs 2023" when 2024 is indexed, "het actieplan uit 2019") says
        which edition it comes from: a figure of another year is no answer about that one."""
        known = {d.id: d for d in self.documents()}
        documents = [known[d] for d in mention.documents if d in known]
        years = frozenset().union(*(document_years(d) for d in documents))
        if not documents or not years:
            return answer
        for named, asked in named_editions(question, mention):
            if asked and not asked & years:
                editions = listed([d.title if str(d.year) in d.title else f"{d.title} ({d.year})" for d in documents if d.year])
                return _noted(answer, f"U noemt ‘{named}’, maar ik ken alleen {editions}: dit antwoord komt daaruit.")
        return answer

    @staticmethod
    def _with_context_note(answer: Answer, analysis) -> Answer:
        """An answer to a question after its context ("Ik werk in Vlinderstad. Hoeveel ...?") whose
        passages do not name the context's names says that it is no answer about them."""
        names = getattr(analysis, "context_names", ())
        if answer.refused or not names or not answer.citations:
            return answer
        cited = analyse(" ".join(c.passage.text for c in answer.citations)).words
        missing = [n for n in names if not set(words(n)) <= cited]
        if not missing:
            return answer
        note = f"U noemt {listed(missing)}, maar de gevonden passages gaan daar niet in het bijzonder over: dit antwoord is algemeen."
        return _noted(answer, note)

    def stream(self, question: str, history=None, filters=None, k: int | None = None) -> Iterator[StreamItem]:
        """The answer as it is written: what can be shown at once, then the final Answer.

        First a `RewrittenQuestion` when the question was rewritten for retrieval; then pieces
        of answer text, each one or more whole sentences with their `[n]` markers (an LLM's
        only once checked; an extractive answer sentence by sentence), and `AnswerNote`s;
        last the Answer, whose text is exactly the pieces joined.
        """
        started = time.perf_counter()
        own = self.reply_to_conversation(question)
        if own is not None:
            yield from stream_composed(own)
            return
        question = _check_question(question)
        passages, turns, timings, rewritten, analysis = self._retrieve(question, history, filters, k)
        direct = self._direct_answer(question, analysis, turns, passages, filters, timings)
        if direct is not None:
            if rewritten:
                yield RewrittenQuestion(rewritten)
            yield from stream_composed(replace(direct, timings_ms={**timings, "total": _ms(started)}, rewritten=rewritten))
            return
        if rewritten:
            yield RewrittenQuestion(rewritten)
        stream = getattr(self.composer, "stream", None)
        if stream is None:
            composed = self._compose(question.strip(), passages, turns, analysis)
            items: Iterator[StreamItem] = stream_composed(composed)
        elif analysis is not None and getattr(self.composer, "accepts_analysis", False):
            items = stream(question.strip(), passages, turns, analysis)
        else:
            items = stream(question.strip(), passages, turns)
        answer = None
        for item in items:
            if isinstance(item, Answer):
                answer = item
                break
            if isinstance(item, str) and "first_text" not in timings:
                timings["first_text"] = _ms(started)
            yield item
        assert answer is not None, "a composer's stream ends with its Answer"
        timings["total"] = _ms(started)
        answer = self._with_notes(answer, question, analysis, turns)
        yield replace(answer, timings_ms={**answer.timings_ms, **timings}, rewritten=rewritten)


def _named_documents(analysis) -> tuple[str, ...]:
    """The documents a question names (none without an analysis)."""
    return getattr(getattr(analysis, "mention", None), "documents", ())


def _listing_documents(analysis, passages) -> list[str]:
    """Where the parts a question asks for are looked for: the documents it names, else those of
    the best three passages, best first."""
    return list(_named_documents(analysis)) or list(dict.fromkeys(p.chunk.document_id for p in sorted(passages, key=lambda p: p.rank)[:3]))


#: "Hoe oud is ...?": an age asked.
_ASKS_AGE = re.compile(r"\bhoe\s+oud\b")

#: The note above a follow-up's answer that is the previous answer again.
REPEAT_NOTE = "Dit is hetzelfde antwoord als hiervoor: meer zeggen de gevonden passages hier niet over."
#: The note above a follow-up's answer whose every sentence the previous answer already gave.
REPEAT_PART_NOTE = "Dit antwoord herhaalt alleen zinnen uit het vorige antwoord: meer zeggen de gevonden passages hier niet over."

#: The note above a follow-up's answer that repeats the previous one, where that already named
#: what the follow-up asks ("En in het po?" after an answer with po and vo figures).
REPEAT_ANSWERED_NOTE = "Dit antwoord herhaalt het vorige: dat noemde ook al wat u nu vraagt."


def _names_what_is_asked(text: str, follow_up: str, previous: str) -> bool:
    """Whether `text` names every sector and key term the follow-up asks about that the
    question before it did not (and it asks about one), or gives the kind of answer it asks and
    the question before did not ("Wanneer moeten die er zijn?" after "Wat zijn onderwijsregio's?",
    answered with a year): then repeating the answer before it answers it. "En waarom?" and the
    same question again ask nothing new."""
    new_sectors = sectors(follow_up) - sectors(previous)
    before = {t.stem for t in question_terms(previous)}
    new_terms = [t for t in question_terms(follow_up) if t.stem not in before]
    if not new_sectors and not new_terms:
        kind = question_intent(follow_up)
        if kind == question_intent(previous):
            return False
        return (kind == "date" and bool(YEAR.search(text))) or (kind == "number" and bool(numbers(strip_markers(text))))
    index = TermIndex([text])
    return new_sectors <= sectors(text) and all(index.contains(t) for t in new_terms)


#: How many of the best passages are searched for a sentence that announces numbered parts.
ANNOUNCING_PASSAGES = 3
#: How many chunks, from the announcing one on, are searched for the parts' numbered titles at most.
NUMBERED_REACH = 40


def _names_terms(text: str, terms) -> bool:
    """Whether `text` names every one of the question terms, also in another form of the word
    ("inclusieve(re)" and "inclusiever" for "inclusief"): a word that starts as the term does,
    but for its last two letters (five at least)."""
    index, written = TermIndex([text]), words(text)

    def names(term) -> bool:
        start = term.word[: max(5, len(term.word) - 2)]
        return index.contains(term) or (len(term.word) >= 5 and any(w.startswith(start) for w in written))

    return all(names(t) for t in terms)


def _top_heading(passage: Passage) -> str:
    """The first heading of a passage's heading path ("Thema water" of "Thema water > Achtergrond")."""
    return (passage.chunk.section or "").split(" > ")[0]


def _cited_first(
    quoted: Sequence[tuple[Passage, str]], others: Sequence[Passage]
) -> tuple[tuple[Passage, ...], dict[str, int], tuple[Citation, ...]]:
    """For an answer that quotes (passage, words) pieces: the passages to show (those quoted first,
    in the order first quoted, then `others`, ranked anew), each quoted chunk's marker, and a
    citation per quoted passage with the words quoted from it."""
    words_of: dict[str, list[str]] = {}
    by_id: dict[str, Passage] = {}
    for passage, quote in quoted:
        words_of.setdefault(passage.chunk.id, []).append(quote)
        by_id.setdefault(passage.chunk.id, passage)
    rest = [p for p in others if p.chunk.id not in by_id]
    shown = tuple(replace(p, rank=rank) for rank, p in enumerate([*by_id.values(), *rest], start=1))
    marker = {p.chunk.id: p.rank for p in shown[: len(by_id)]}
    citations = tuple(Citation(marker[c], shown[marker[c] - 1], tuple(words)) for c, words in words_of.items())
    return shown, marker, citations


def _noted(answer: Answer, note: str) -> Answer:
    """`answer` with `note` after the note it already has."""
    return replace(answer, note=f"{answer.note} {note}" if answer.note else note)


def _repeats(text: str, turns: Sequence[Turn]) -> Literal["all", "part"] | None:
    """Whether `text` is Bronwijzer's last reply in the conversation again, its [n] markers
    aside ("all"), or only sentences of it ("part": each piece of `text` between markers is in
    the last reply); None when it says something new or there is no last reply."""
    previous = previous_answer(turns)
    if previous is None:
        return None
    said, now = _unmarked(previous), _unmarked(text)
    if now == said:
        return "all"
    pieces = [" ".join(piece.split()) for piece in MARKER.split(text)[::2]]
    pieces = [piece for piece in pieces if piece.strip(" .,;:")]
    return "part" if pieces and all(piece in said for piece in pieces) else None


def _unmarked(text: str) -> str:
    """`text` without its markers, its whitespace normalised (`strip_markers`)."""
    return " ".join(strip_markers(text).split())


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


__all__ = ["MAX_QUESTION_CHARS", "REFUSAL_TEXT", "Composer", "Engine", "SearchFilters", "StreamingComposer", "as_filters", "as_turns"]
