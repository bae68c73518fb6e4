"""Which document does a question name? "Volgens de inspectie ...", "Wat zegt het actieplan hierover?"

Users name their source by its title, its publisher, a short name or an acronym. The names
come from the documents' metadata only (title, publisher, `aliases` in the corpus manifest),
never from questions: a name is found in a question as whole words, or as the head of a
compound ("onderwijsinspectie" names "inspectie"). A name written with capitals whose words
are ordinary Dutch words ("de Staat") must match with its capitals, so "Wat staat er ..."
names nothing; other names (acronyms, rare words, names written in lower case) match in any
case.

A publisher's name (or an alias that is part of it) after "in" names the organisation itself
("Wie staan er in het Schoolleidersregister?"), not its report; so does the subject of "Wat is
...?" (`rag.text.question`).

A named document is a soft preference for retrieval and never a reason to refuse: the words
of the name (and the document's year) are not terms the passages must contain. A document
described by its subject ("het onderzoek naar ...") is named too; the description's words stay
terms, unless it opens with two or more words of the title ("het onderzoek naar uitdagende
omgevingen" for "Sterk onderwijs in uitdagende omgevingen").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rag.text.analysis import PREPOSITIONS, STOPWORDS, YEAR, fold, stem, words, zipf
from rag.text.terms import TermIndex, question_terms

_WORD = re.compile(r"[^\W_]+(?:[-‑][^\W_]+)*", re.UNICODE)
_ARTICLES = frozenset({"de", "het", "een"})
#: A compound names X when it ends in X and X has at least this many letters.
_MIN_COMPOUND_HEAD = 5
#: A name with capitals whose words are all Dutch words at least this common is matched with
#: its capitals ("de Staat"); one written in lower case whose words are all this common
#: ("onderwijs") is no name at all.
_KNOWN_ZIPF = 3.0
_COMMON_ZIPF = 4.5
#: "het rapport over ...", "het onderzoek naar ...": a document named by its subject, up to the
#: end of the clause (a comma, a question mark, "en de/het ..." naming the next source).
_DESCRIBED = re.compile(
    r"\b(?:het|dat|de|die|dit|deze)\s+(?:rapport|onderzoek|studie|publicatie|document|verslag|notitie|monitor)"
    r"\s+(?:over|naar|met\s+betrekking\s+tot)\s+(?P<subject>[^,;:?!.()]{3,100}?)"
    r"(?=\s+(?:en|of)\s+(?:de|het|volgens)\b|\s+(?:zegt|zeggen|staat|stelt|noemt|vindt|beschrijft)\b|[,;:?!.()]|$)",
    re.IGNORECASE,
)
#: A description names a document when this many of its key terms are in the document's
#: title or description.
_MIN_DESCRIBED = 2


@dataclass(frozen=True)
class NamedSource:
    """A document the question names, and where in the question it is named."""

    document_id: str
    name: str
    spans: tuple[tuple[int, int], ...]
    by_publisher: bool = False


@dataclass(frozen=True)
class SourceMention:
    """The documents a question names (possibly none) and the question words that name them."""

    documents: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    names: tuple[str, ...] = field(default=())
    #: The documents of `documents` named only by their publisher ("volgens de inspectie"): other
    #: documents quote that organisation too.
    by_publisher: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.documents)

    def strip(self, question: str) -> str:
        """The question without the words that name a source (for term checks)."""
        if not self.spans:
            return question
        out, last = [], 0
        for start, end in sorted(self.spans):
            before = question[last:start]
            # "het oordeel van de inspectie over het mbo": "van" goes with the name, not "van over".
            dangling = _LAST_WORD.search(before)
            if dangling and fold(dangling.group(1)) in PREPOSITIONS and _NO_OBJECT.match(question[end:]):
                before = before[: dangling.start()]
            out.append(before)
            last = max(last, end)
        out.append(question[last:])
        return re.sub(r"\s+(?=[?.!,;:])", "", re.sub(r"\s+", " ", " ".join(out))).strip()


#: The last word before a name, and what may follow a name whose preposition then has no object:
#: another preposition, the question's end or a comma.
_LAST_WORD = re.compile(r"\b([^\W\d_]+)\s*$")
_NO_OBJECT = re.compile(rf"\s*(?:$|[?.!,;:]|(?:{'|'.join(sorted(PREPOSITIONS))})\b)", re.IGNORECASE)


@dataclass(frozen=True)
class _Name:
    document_id: str
    text: str
    words: tuple[str, ...]  # folded
    exact: tuple[str, ...] | None  # original case, when it must match with capitals
    organisation: bool = False  # a publisher's name, not a document's


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def _name_forms(text: str, *, parts: bool = False) -> list[str]:
    """A name as given, without a leading article and without a year; with `parts`, also the
    names joined by " en " ("NL2025 en AVS": a publisher of two organisations)."""
    forms = {text.strip()}
    for form in list(forms):
        forms.add(YEAR.sub(" ", form))
    if parts:
        for form in list(forms):
            forms.update(part for part in re.split(r"\s+(?:en|&)\s+", form) if part.strip())
    for form in list(forms):
        words = form.split()
        if words and words[0].casefold() in _ARTICLES:
            forms.add(" ".join(words[1:]))
    return [re.sub(r"[\s:!?.,]+$", "", " ".join(f.split())) for f in forms if f.split()]


def _inside(folded: list[str], i: int) -> bool:
    """Whether the words from `i` on follow "in" (with or without an article): a document is
    something one reads in, an organisation publishes; "in het register" is the register itself."""
    j = i - 1
    if j >= 0 and folded[j] in _ARTICLES:
        j -= 1
    return j >= 0 and folded[j] == "in"


def document_years(document) -> frozenset[str]:
    """The years a user may name a document's edition by (a registry record, or anything with
    `title` and maybe `year`): its year of publication, and a year its title gives ("Trends en
    ontwikkelingen 2023", published in 2024, is the one of 2023 too)."""
    year = getattr(document, "year", None)
    return frozenset(YEAR.findall(document.title)) | ({str(year)} if year else frozenset())


class SourceMatcher:
    """Finds names of documents in questions. Built from (document id, names) pairs."""

    def __init__(
        self,
        names_by_document: Iterable[tuple[str, Sequence[str]]],
        publishers: Iterable[tuple[str, str]] = (),
        descriptions: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`names_by_document`: (document id, titles and aliases); `publishers`: (document id,
        publisher), whose parts around " en " are names too; `descriptions`: (document id, what
        the document is about: its title and description), for "het rapport over ..."."""
        self._described = [(d, TermIndex([text])) for d, text in descriptions if text and text.strip()]
        names_by_document = [(d, list(names)) for d, names in names_by_document]
        # The first name of each document is its title: a shorter name of it may go on with the
        # title's next words ("het actieplan schooldirecteur" for the title "Actieplan
        # Schooldirecteur Topprioriteit!" and the name "actieplan").
        self._titles = {
            d: tuple(w for w in (fold(t) for t, _, _ in _tokens(names[0])) if w not in _ARTICLES)
            for d, names in names_by_document if names and names[0]
        }
        given = [(d, n, False) for d, names in names_by_document for n in names] + [(d, p, True) for d, p in publishers]
        names: list[_Name] = []
        for document_id, raw, split in given:
            for form in _name_forms(raw or "", parts=split):
                words = tuple(fold(w) for w, _, _ in _tokens(form))
                if not words or all(w in _ARTICLES for w in words):
                    continue
                content = [w for w in words if w not in _ARTICLES]
                has_capital = any(ch.isupper() for ch in form)
                if not has_capital and all(w.isalpha() and zipf(w) >= _COMMON_ZIPF for w in content):
                    continue  # "onderwijs" alone names nothing
                known = all(w.isalpha() and zipf(w) >= _KNOWN_ZIPF for w in content)
                exact = tuple(w for w, _, _ in _tokens(form)) if has_capital and known else None
                names.append(_Name(document_id, form, words, exact, organisation=split))
        # Longest names first, so "Inspectie van het Onderwijs" wins over "Onderwijs".
        self._names = sorted(set(names), key=lambda n: (-len(n.words), n.text))
        self.years: frozenset[str] = frozenset()

    @classmethod
    def of_documents(cls, documents: Iterable) -> "SourceMatcher":
        """From registry records (anything with `id`, `title`, `publisher`, `aliases`)."""
        documents = list(documents)

        def of_publisher(d, alias: str) -> bool:  # "Vijverbureau" for "Vijverbureau Noord"
            return bool(d.publisher) and set(words(alias)) <= set(words(d.publisher))

        matcher = cls(
            ((d.id, [d.title, *(a for a in getattr(d, "aliases", ()) if not of_publisher(d, a))]) for d in documents),
            [(d.id, p) for d in documents for p in (d.publisher, *(a for a in getattr(d, "aliases", ()) if of_publisher(d, a))) if p],
            ((d.id, f"{d.title}. {getattr(d, 'description', None) or ''}") for d in documents),
        )
        matcher.years = frozenset(y for d in documents for y in document_years(d))
        return matcher

    def match(self, question: str) -> SourceMention:
        tokens = _tokens(question)
        folded = [fold(t) for t, _, _ in tokens]
        taken: set[int] = set()
        found: dict[str, NamedSource] = {}
        described: dict[str, NamedSource] = {}
        where: dict[str, tuple[int, int]] = {}  # where a description was found, for the order
        for name in self._names:
            n = len(name.words)
            for i in range(len(tokens) - n + 1):
                if any(j in taken for j in range(i, i + n)):
                    continue
                if not self._matches(name, tokens, folded, i):
                    continue
                if name.organisation and _inside(folded, i):
                    continue  # "Wie staan er in het Vijverregister?": the organisation itself, no source
                n += self._title_goes_on(name, folded, i, n, taken)
                span = (tokens[i][1], tokens[i + n - 1][2])
                # The article before a name and a year after it belong to the mention.
                if i > 0 and folded[i - 1] in _ARTICLES:
                    span = (tokens[i - 1][1], span[1])
                if i + n < len(tokens) and YEAR.fullmatch(tokens[i + n][0]):
                    span = (span[0], tokens[i + n][2])
                taken.update(range(i, i + n))
                previous = found.get(name.document_id)
                spans = (previous.spans if previous else ()) + (span,)
                by_publisher = name.organisation and (previous is None or previous.by_publisher)
                found[name.document_id] = NamedSource(name.document_id, name.text, spans, by_publisher)
        for match in _DESCRIBED.finditer(question):
            span = match.span()
            if any(i in taken for i, (_, start, end) in enumerate(tokens) if start < span[1] and end > span[0]):
                continue  # the description holds a name already found ("het rapport van de inspectie")
            document_id = self._described_document(match.group("subject"))
            if document_id is not None and document_id not in found:
                # Where a description ends is a guess ("het rapport over X over werkdruk"), so its
                # words stay terms of the question ("Welke niveaus onderscheidt het onderzoek naar
                # ...?" asks about the study itself), unless it opens with words of the title: they
                # name it ("het onderzoek naar uitdagende omgevingen over werkdruk").
                end = self._title_words_end(match.group("subject"), document_id)
                spans = ((match.start(), match.start("subject") + end),) if end else ()
                described[document_id] = NamedSource(document_id, match.group(0), spans)
                where[document_id] = span
        if not found and not described:
            return SourceMention()
        ordered = sorted([*found.values(), *described.values()], key=lambda s: min(s.spans, default=where.get(s.document_id)))
        return SourceMention(
            documents=tuple(s.document_id for s in ordered),
            spans=tuple(span for s in ordered for span in s.spans),
            names=tuple(s.name for s in ordered),
            by_publisher=tuple(s.document_id for s in ordered if s.by_publisher),
        )

    def _title_words_end(self, subject: str, document_id: str) -> int:
        """Where the longest start of `subject` whose key terms (two or more: one word, as in "de
        uitdagingen van ...", may well be the subject asked about) are all words of the document's
        title (by stem) ends ("uitdagende omgevingen" of "uitdagende omgevingen over werkdruk"),
        0 when no start is."""
        title = {stem(w) for w in self._titles.get(document_id, ())}
        for word, _, end in reversed(_tokens(subject)):
            if fold(word) in STOPWORDS:
                continue  # "groene oevers over": the name ends at its last word that names something
            terms = [t for t in question_terms(subject[:end]) if not t.is_number]
            if len(terms) >= _MIN_DESCRIBED and all(t.stem in title for t in terms):
                return end
        return 0

    def _title_goes_on(self, name: _Name, folded: list[str], i: int, n: int, taken: set[int]) -> int:
        """How many words after a name found at `folded[i:i + n]` go on with its document's
        title, word for word (by stem): "het actieplan schooldirecteur" names the "Actieplan
        Schooldirecteur Topprioriteit!" as a whole, not the actieplan and a schooldirecteur."""
        title = self._titles.get(name.document_id, ())
        own = tuple(w for w in name.words if w not in _ARTICLES)
        if name.organisation or not own or len(own) >= len(title):
            return 0
        start = next((k for k in range(len(title) - len(own) + 1) if title[k : k + len(own)] == own), None)
        if start is None:
            return 0
        k, j, more = start + len(own), i + n, 0
        while j < len(folded) and k < len(title) and j not in taken:
            if folded[j] in _ARTICLES:  # "de kennisagenda voor het onderwijs"
                j += 1
                continue
            if stem(folded[j]) != stem(title[k]):
                break
            j, k = j + 1, k + 1
            if folded[j - 1] not in STOPWORDS:
                more = j - (i + n)  # up to the last word that names something, not "voor"
        return more

    def _described_document(self, subject: str) -> str | None:
        """The one document whose title and description hold the most of `subject`'s key terms
        (at least `_MIN_DESCRIBED`), or None."""
        terms = [t for t in question_terms(subject) if not t.is_number]
        if len(terms) < _MIN_DESCRIBED:
            return None
        counts = sorted(((sum(1 for t in terms if index.contains(t)), d) for d, index in self._described), reverse=True)
        if not counts or counts[0][0] < _MIN_DESCRIBED or (len(counts) > 1 and counts[1][0] == counts[0][0]):
            return None
        return counts[0][1]

    @staticmethod
    def _matches(name: _Name, tokens: list[tuple[str, int, int]], folded: list[str], i: int) -> bool:
        n = len(name.words)
        if name.exact is not None:
            # The capital of the question's first word is grammar, not a name: "Staat er ...?".
            return tuple(t for t, _, _ in tokens[i : i + n]) == name.exact and (i > 0 or n > 1)
        if tuple(folded[i : i + n]) == name.words:
            return True
        # A one-word name may be the head of a compound: "onderwijsinspectie", "trendmonitor".
        head, word = name.words[0], folded[i]
        return n == 1 and len(head) >= _MIN_COMPOUND_HEAD and word.endswith(head) and len(word) > len(head)


__all__ = ["NamedSource", "SourceMatcher", "SourceMention", "document_years"]
