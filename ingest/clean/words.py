"""Word repair: words split by a ligature or a stray space, words broken at a line end."""

from __future__ import annotations

import re

from ingest.clean.lexicon import Lexicon, lexicon_for
from ingest.clean.shared import LETTERS, WORD_RE, map_lines

# A hyphenated word broken before one of these is an ellipsis ("wet- en regelgeving").
_COORDINATORS = frozenset({"en", "of", "tot", "als", "noch", "t/m", "en/of"})
_VOWELS = frozenset("aeiouyáéíóúëïöüàèâêîôû")

_LIGATURE_SPLIT_RE = re.compile(
    rf"(?<![\w-])({LETTERS}*(?:fi|fl|ff|ft|tt|fh|fj|fb|fk)) {{1,3}}({LETTERS}+)(?![\w-])"
)


def _should_join_ligature(left: str, right: str, lex: Lexicon) -> bool:
    if not right[0].islower():
        return False
    joined = left + right
    if not lex.knows(joined):
        return False
    if not lex.is_word(left) or not lex.is_word(right):
        return True
    # Both halves are words (`behoeft en`): join only where the whole is the likelier
    # reading and the document uses it unsplit.
    return lex.count(joined) >= 1 and lex.zipf(joined) >= lex.zipf(left)


def join_split_ligatures(text: str, lexicon: Lexicon | None = None) -> str:
    """Re-join words that the PDF split after a ligature glyph (`fi nanciering`, `eff ecten`)."""
    lex = lexicon_for(text, lexicon)

    def repl(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        return left + right if _should_join_ligature(left, right, lex) else m.group(0)

    # Twice, because one word can be split at two ligatures (`eff ecti ef`).
    return _LIGATURE_SPLIT_RE.sub(repl, _LIGATURE_SPLIT_RE.sub(repl, text))


def _is_fragment(word: str, lex: Lexicon) -> bool:
    return len(word) > 1 and lex.zipf(word) < 1.5 and lex.count(word) <= 2


def join_split_words(text: str, lexicon: Lexicon | None = None) -> str:
    """Re-join a word split by a stray space (`Ke nnisdeling`, `g ebruikt`).

    Only where one half is no word at all, and the whole is a word the document uses
    elsewhere, so two real words side by side are never merged.
    """
    lex = lexicon_for(text, lexicon)

    def should_join(left: str, right: str) -> bool:
        if not (WORD_RE.fullmatch(left) and WORD_RE.fullmatch(right)):
            return False
        joined = left + right
        return (
            right[0].islower()
            and (_is_fragment(left, lex) or _is_fragment(right, lex))
            and lex.count(joined) >= 2
            and lex.zipf(joined) >= 1.0
        )

    def repair(line: str) -> str:
        words = line.split(" ")
        out: list[str] = []
        for word in words:
            if out and should_join(out[-1], word):
                out[-1] += word
            else:
                out.append(word)
        return " ".join(out)

    return map_lines(text, repair)


def join_line_break(left_line: str, right_line: str, lex: Lexicon) -> str:
    """Join two lines of one paragraph, repairing a word broken at the line end.

    `ontwik-⏎kelingen` → `ontwikkelingen`; `sociaal-⏎culturele` and `wet-⏎en` keep their
    hyphen; `achter⏎grond` (a dropped soft hyphen) is joined when the lexicon and the
    document agree.
    """
    if not left_line:
        return right_line
    if not right_line:
        return left_line
    m_left = re.search(rf"({LETTERS}[\w/]*?)-$", left_line)
    m_right = re.match(rf"({LETTERS}+)", right_line)
    if left_line.endswith("-") and right_line[0].isdigit():
        return left_line + right_line  # 2022-⏎2023
    if m_left and m_right is None:
        return f"{left_line} {right_line}"
    if m_left and m_right:
        left, right = m_left.group(1), m_right.group(1)
        if _keeps_hyphen(left, right, right_line, lex):
            if right.lower() in _COORDINATORS:
                return f"{left_line} {right_line}"
            return left_line + right_line
        return left_line[:-1] + right_line
    m_left = re.search(rf"(?<![\w-])({LETTERS}+)$", left_line)
    if m_left and m_right and _is_dropped_soft_hyphen(m_left.group(1), m_right.group(1), lex):
        return left_line + right_line
    return f"{left_line} {right_line}"


def _keeps_hyphen(left: str, right: str, right_line: str, lex: Lexicon) -> bool:
    if right.lower() in _COORDINATORS and right_line[len(right) : len(right) + 1] in ("", " "):
        return True
    if right[0].isupper() or left[-1].isupper() or left[-1].isdigit():
        return True  # OAB-middelen, PO-Raad, Covid-19
    joined = left + right
    hyphenated = f"{left}-{right}".lower()
    if hyphenated in lex.hyphenated:
        return True
    if lex.knows(joined):
        return False
    if left[-1].lower() in _VOWELS and right[0].lower() in _VOWELS:
        return True  # Dutch writes a hyphen where vowels collide (zee-eend)
    # Two real words that are not known as one (`sociaal-culturele`): a kept hyphen
    # reads fine, a wrong join does not.
    return len(left) >= 4 and len(right) >= 4 and lex.is_word(left) and lex.is_word(right)


def _is_dropped_soft_hyphen(left: str, right: str, lex: Lexicon) -> bool:
    if not right[0].islower() or len(left) < 2 or len(right) < 2:
        return False
    joined = left + right
    if not (lex.zipf(joined) >= 3.0 or lex.count(joined) >= 2):
        return False
    if _is_fragment(left, lex) or _is_fragment(right, lex) or not (
        lex.is_word(left) and lex.is_word(right)
    ):
        return lex.count(joined) >= 1 or lex.zipf(joined) >= 3.5
    # Two real words (`achter⏎grond`): only when neither is a function word and the
    # document writes the whole word elsewhere but never the pair.
    return (
        lex.zipf(left) < 6.0
        and lex.zipf(right) < 6.0
        and len(left) >= 4
        and len(right) >= 4
        and lex.count(joined) >= 2
        and f"{left} {right}".lower() not in lex.bigrams
    )
