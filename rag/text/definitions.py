"""Where a text says what a word means: the answer to "Wat is ...?" and "Waar staat ... voor?".

* it opens with the word, perhaps after "een", and "is een", "betekent", "houdt in" ("Een kroosdek
  is een ..."; not "Het kroos is een groot probleem": what the kroos is like), or "is" with a
  kind and what sets it apart ("Kroosbeheer is beheer dat ...", "... zijn vijvers waarin ...");
  a name may open with "de" or "het" ("De Vijverschool is een ...", not "... is een van de
  scholen"), and a time or a place may stand before the kind ("is sinds 2012 een ...");
* it gives the kind in dashes or commas after the word that opens the sentence ("Kroosvissen –
  een methode om vijvers te reinigen – is ...");
* it explains the word in brackets ("kroosdek (laag van drijvende plantjes)"), not
  a range or a pointer ("(tussen 20 en 40)", "(zie figuur 2)");
* it spells an abbreviation out ("vijverbeheerplan (vbp)", "(vbp's)" define "vbp"); the long
  name with its abbreviation is no definition of the long name unless "is een" follows
  ("Een vijverbeheerplan (vbp) is een ...");
* it names the word and, after a colon, what kind of thing it is ("... kroosdekken
  onderscheiden: lagen die ..."), not a list ("drie soorten: kroos, riet en ...") or a clause
  of its own ("de kosten van kroos: hogere kosten betekenen dat ...");
* it says what is meant by it ("Onder X verstaan we ...", "X wordt gedefinieerd als ...", "We
  definiëren X als ...", "Dit wordt X genoemd", "... noemen we X"), or names it and says so in
  the next sentence ("Het park heeft een kroosdek. Dat wil zeggen dat ...").

Used by retrieval (a definition question keeps one passage that defines its subject) and by
the extractive answer (that sentence leads). Texts are folded (`rag.text.analysis.fold`);
`defines_in` folds a text as written, whose capitals tell a name.
"""

from __future__ import annotations

import re

from rag.text.analysis import STOPWORDS, fold
from rag.text.terms import QuestionTerm


#: How a text introduces a term with its abbreviation: "vijverbeheerplan (vbp)", "(vbp's)".
_ABBREVIATED = r"\s*\(\s*(?P<short>[^\W\d_][\w.\-]{0,11}?)(?:['’]s)?\s*\)(?![^\W_])"


def _abbreviated(phrase: str, folded: str) -> bool:
    """Whether the words `phrase` (a pattern) stand in `folded` with their abbreviation after
    them, one that starts as they do: "vijverbeheerplan (vbp)", not "vijverbeheer (svb)" (the
    abbreviation of "stichting vijverbeheer")."""
    return any(
        m.group("short")[0] == m.group(0)[0]
        for m in re.finditer(rf"(?<![^\W_]){phrase}{_ABBREVIATED}", folded)
    )


def introduces(term: QuestionTerm, folded: str) -> bool:
    """Whether `folded` text spells out the abbreviation `term` ("... (vbp)") or gives the
    term with its abbreviation ("vijverbeheerplan (vbp)"): where a text says what it means. An
    abbreviation in brackets after a figure only says what the figure is of ("61% (vbp)"). So
    does "vijverbeheerplan (ook wel vbp genoemd)"."""
    return bool(
        # A bracket inside a word ("(onderwijs)mensen") gives no abbreviation.
        re.search(rf"(?<=[^\W\d_])\s*\(\s*(?:ook\s+wel\s+|kortweg\s+)?{re.escape(term.word)}(?:['’]s)?(?:\s+genoemd)?\s*\)(?![^\W_])", folded)
        or _abbreviated(re.escape(term.word), folded)
    )


#: Brackets that open with these point elsewhere or give a range, not what the word means.
_NOT_EXPLAINING = frozenset("tussen zie vanaf sinds circa ca bijvoorbeeld bv ongeveer tabel figuur hoofdstuk bijlage pagina p".split())


def _explains(bracketed: str) -> bool:
    """Whether a bracketed text after a word explains it: a phrase ("laag van drijvende plantjes"),
    not a range, a pointer, a figure or an abbreviation."""
    first = re.match(r"\s*([^\W\d_]+)", bracketed)
    return (
        first is not None and " " in bracketed.strip()
        and first.group(1) not in STOPWORDS and first.group(1) not in _NOT_EXPLAINING
    )


#: A sentence that says what the one before it meant: "Dat wil zeggen ...", "Daarmee wordt bedoeld ...".
_MEANING_FOLLOWS = r"(?:(?:dat|dit)\s+wil\s+zeggen|(?:daar|hier)mee\s+(?:wordt|worden|bedoelen|bedoelt)\b|(?:daar|hier)onder\s+(?:wordt|worden|verstaan|verstaat)\b)"


#: Who or what "… wordt X genoemd" names: a pronoun for what was just said ("Dit wordt een
#: kroosdek genoemd"), or a noun with a clause that says what it is ("Vijvers die dichtgroeien
#: worden kroosvijvers genoemd"), at the start of a sentence.
_NAMED_SUBJECT = r"(?:^|(?<=[.!?:] )|(?<=\n))(?:dit|dat|deze|die|[^\W\d_]+\s+die\s+[^.!?]{1,60}?)"


#: Verbs after the colon make a clause of their own ("... van X: hogere kosten betekenen dat ..."),
#: not a kind of thing with what sets it apart ("X: lagen die ...").
_FINITE = (
    r"(?:is|zijn|was|waren|betekent|betekenen|heeft|hebben|had|hadden|wordt|worden|werd|werden|blijkt|blijken|"
    r"laat|laten|toont|tonen|geeft|geven|leidt|leiden|zorgt|zorgen|maakt|maken|kan|kunnen|moet|moeten|zal|zullen)"
)


def names_what_came_before(folded: str) -> bool:
    """Whether a sentence gives a name to what the sentence before it described: "Dit wordt een
    kroosdek genoemd", "Vijvers die dit doen worden kroosvijvers genoemd"."""
    return bool(re.match(r"\W*(?:(?:dit|dat|deze|die)\b|[^\W\d_]+\s+die\s+(?:dit|dat|het)\b)[^.!?]*\bgenoemd\b", folded))


def means_before(folded: str) -> bool:
    """Whether a sentence says what the sentence before it meant ("Dat wil zeggen dat ...")."""
    return re.match(_MEANING_FOLLOWS, folded.lstrip()) is not None


#: A time or a place between "is" and what it is: "is sinds 2012 een", "is in Vlinderstad een".
_SETTING = r"(?:(?:sinds|vanaf|al|in|tot)\s+(?:\d{4}|[^\W\d_]+)(?:\s+[^\W\d_]+)?\s+)"


#: Nouns of purpose, which say what they are in an infinitive ("Het doel is de vijvers schoon te
#: houden"); in "De vijver is moeilijk te bereiken" the infinitive says no such thing.
_PURPOSE_NOUNS = frozenset("doel doelen doelstelling doelstellingen opdracht taak taken functie ambitie bedoeling streven missie".split())
_PURPOSE_INFINITIVE = r"|om\s|(?:[^\W\d_]+\s+){1,4}te\s+[^\W\d_]+en\b"


def written_as_name(subject: str, text: str) -> bool:
    """Whether `text` (as written, not folded) gives `subject` (folded words) as a name, every
    word capitalised: "De Vijverschool Academie", "het Programma Schone Vijvers". A sentence's
    first word is capitalised by grammar, so there a name needs a second capitalised word."""
    words = re.findall(r"[^\W_]+", subject)
    if not words:
        return False
    phrase = r"[\s\-]+".join(re.escape(w) for w in words)
    for m in re.finditer(rf"(?<![^\W_]){phrase}(?![^\W_])", text, re.IGNORECASE):
        written = re.findall(r"[^\W_]+", m.group(0))
        opens = re.search(r"(?:^|[.!?:]\s+|\n)\W*$", text[: m.start()]) is not None
        if all(w[:1].isupper() for w in written) and not (opens and len(written) < 2):
            return True
    return False


_ARTICLES = frozenset({"de", "het", "een"})


def defines(subject: str, folded: str, *, name: bool = False) -> bool:
    """Whether `folded` text says what `subject` (folded words) is, in one of the ways above;
    `name`: the text gives the subject as a name (`written_as_name`), so "De Vijverschool is
    een ..." says what it is where "Het kroos is een probleem" does not."""
    # An article inside the subject may be left out or differ ("A versus de B" is "A versus B").
    found = re.findall(r"[^\W_]+", subject)
    words = [re.escape(w) for n, w in enumerate(found) if not (n and w in _ARTICLES)]
    if not words:
        return False
    # "Wat is een zij-instromer?" is answered where the text speaks of "zij-instromers".
    phrase = r"[\s\-]+(?:(?:de|het|een)\s+)?".join(words) + r"(?:s|en|n)?"
    purpose = words[-1] in _PURPOSE_NOUNS
    articles = r"een\s+|het\s+|de\s+" if purpose or name else r"een\s+"
    infinitive = _PURPOSE_INFINITIVE if purpose else ""
    # "De Vijverschool is een van de scholen die ..." places a name among others.
    kind = r"een(?!\s+van\b)" if name else "een"
    return bool(
        re.search(
            # "Het doel van het vijverplan is ...": what it is of may come between.
            # ("Het kroos is een probleem" says what is wrong with it, not what it is; "Het doel is
            # ..." does say what the goal is.)
            rf"(?:^|(?<=[.!?:] )|(?<=\n))\W*(?:{articles})?{phrase}(?:{_ABBREVIATED})?\s+(?:van\s+(?:[^\W\d_]+\s+){{1,4}})?"
            # "De Vijverschool is sinds 2012 een ...": a time or a place may come before the kind.
            rf"(?:(?:is|zijn)\s+(?:{_SETTING})?(?:{kind}|de|het|(?:[^\W\d_]+\s+){{1,3}}(?:dat|die|waarin|waarbij|waarmee|waarop)\b"
            # "Het doel van het plan is (om) de vijvers schoon te houden": a purpose, in an infinitive.
            rf"{infinitive})"
            r"|betekent|betekenen|houdt\s+in|houden\s+in|omvat|bestaat\s+uit|bestaan\s+uit|verwijst\s+naar|staat\s+voor"
            # "Een kroosteam heeft als doel om ...", "... is bedoeld om ...": what it is for says what it is.
            r"|(?:heeft|hebben)\s+als\s+(?:belangrijkste\s+|voornaamste\s+)?doel|(?:is|zijn)\s+bedoeld\s+(?:om|voor)"
            r")\b",
            folded,
        )
        or any(_explains(m.group(1)) for m in re.finditer(rf"(?<![^\W_]){phrase}\s*\(([^()]{{5,160}})\)", folded))
        or re.search(rf"\(\s*{phrase}(?:['’]s)?\s*\)", folded)
        or re.search(rf"\b(?:onder|met)\s+(?:de\s+|het\s+|een\s+)?{phrase}\s+(?:wordt|worden|verstaan|bedoelen|bedoelt)\b", folded)
        # "Onder het kroosbeheer vallen het maaien en het vissen": what falls under it says what it covers.
        or re.search(rf"(?:^|(?<=[.!?:] )|(?<=\n))\W*onder\s+(?:de\s+|het\s+|een\s+)?{phrase}\s+(?:valt|vallen|viel|vielen)\b", folded)
        or re.search(rf"(?<![^\W_]){phrase}(?![^\W_])[^.!?]*[.!?:]\s+{_MEANING_FOLLOWS}", folded)
        or re.search(rf"(?<![^\W_]){phrase}\W*\s+(?:wordt|worden)\s+(?:hier\s+)?(?:gedefinieerd|omschreven|opgevat)\s+als\b", folded)
        # "We definiëren een groot kroostekort als ...", "Een groot kroostekort definiëren we als ...".
        or re.search(rf"\b(?:definieren|definieert|definieerden|definieerde)\s+(?:we\s+|wij\s+|zij\s+|ze\s+)?(?:hier\s+)?(?:de\s+|het\s+|een\s+)?{phrase}\s+als\b", folded)
        or re.search(rf"(?<![^\W_]){phrase}\s+(?:definieren|definieert)\s+(?:we|wij|zij|ze)\s+(?:hier\s+)?als\b", folded)
        or re.search(rf"{_NAMED_SUBJECT}\s+(?:wordt|worden)\s+(?:ook\s+|wel\s+)?\W*(?:een\s+|de\s+|het\s+)?{phrase}\W*\s+genoemd\b", folded)
        or re.search(rf"(?<![^\W_]){phrase}(?:\s+[^\W\d_]+){{0,2}}\s*:\s+(?:(?!{_FINITE}\b)[^\W\d_]+\s+){{1,3}}(?:die|dat|waar|waarin|waarbij|waarmee|waarop)\b", folded)
        # "Dit kan leiden tot het kikkerkoor-effect: vijvers worden ...", "het zogenoemde kroosdek: ...":
        # the term named as an effect or by name, and after a colon a clause that says what it is.
        or re.search(
            rf"(?:\b(?:leidt|leiden|leidde|leidden)\s+tot\s+(?:het|de|een)\s+|\bzogena?(?:amde|oemde)\s+){phrase}\s*:\s+(?:[^\W\d_]+\s+){{3}}",
            folded,
        )
        # "Kroosvissen – een methode om vijvers te reinigen – is ...": the kind in dashes or commas
        # right after the term that opens the sentence.
        or re.search(rf"(?:^|(?<=[.!?:] )|(?<=\n))\W*(?:{articles})?{phrase}\s*(?:[–—]|\s-|,)\s*een\s+[^\W\d_]+", folded)
        # A glossary entry: the term opens the sentence, a colon, then what it is about.
        or re.search(rf"(?:^|(?<=[.!?] )|(?<=\n))\W*{phrase}\s*:\s+[^\W\d_]", folded)
        # "... noemen we kroosvijvers", "noemen we in dit plan ‘kroosvijvers’", "beschouwen we vijvers
        # als kroosvijvers"; not "beschouwen we parken als parken met veel kroosvijvers".
        or re.search(
            r"\b(?:noemen|beschouwen|definiëren)\s+(?:we|wij)\s+"
            rf"(?:(?:[^\W\d_]+\s+){{0,4}}?(?:[^.!?]{{0,80}}?\bals\s+(?:de\s+|het\s+|een\s+)?)?\W*|[^.!?]{{0,80}}?[‘'\"“]){phrase}(?![^\W_])",
            folded,
        )
    )


def defines_in(subject: str, text: str) -> bool:
    """`defines` for a text as written (folded here), with its capitals telling a name."""
    return defines(subject, fold(text), name=written_as_name(subject, text))


__all__ = ["defines", "defines_in", "introduces", "means_before", "names_what_came_before", "written_as_name"]
