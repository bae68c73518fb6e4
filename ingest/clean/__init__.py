"""Generic repair of PDF-extraction damage in Dutch policy documents.

`clean_text` turns a raw PDF text extraction into the block format the chunker expects:
blocks separated by exactly one blank line, prose reflowed onto one line, headings on a
line of their own, one bullet item per line, table rows kept on their own lines, and
every form feed (page boundary) kept as a block of its own.

Every rule is a small function on text. The rules are generic: word repairs are decided
with a Dutch lexicon (`wordfreq`) and with the document's own vocabulary, never with
lists of known bad strings. Each concern has its own module (characters, furniture, words,
paragraphs, footnotes, duplicates); `clean_text` chains them in the order they must run.
"""

from __future__ import annotations

from ingest.clean.characters import collapse_spaces, normalize_whitespace, separate_framed_titles
from ingest.clean.duplicates import drop_repeated_blocks
from ingest.clean.footnotes import separate_footnotes, strip_footnote_refs
from ingest.clean.furniture import (
    remove_letter_spaced_lines,
    remove_page_numbers,
    remove_repeated_furniture,
    remove_running_headers,
    remove_toc_and_page_labels,
)
from ingest.clean.lexicon import Lexicon
from ingest.clean.paragraphs import reflow_paragraphs, rejoin_broken_sentences
from ingest.clean.shared import PAGE_BREAK
from ingest.clean.words import join_line_break, join_split_ligatures, join_split_words

__all__ = [
    "PAGE_BREAK",
    "Lexicon",
    "clean_text",
    "collapse_spaces",
    "drop_repeated_blocks",
    "join_line_break",
    "join_split_ligatures",
    "join_split_words",
    "normalize_whitespace",
    "reflow_paragraphs",
    "rejoin_broken_sentences",
    "remove_letter_spaced_lines",
    "remove_page_numbers",
    "remove_repeated_furniture",
    "remove_running_headers",
    "remove_toc_and_page_labels",
    "separate_footnotes",
    "separate_framed_titles",
    "strip_footnote_refs",
]


def clean_text(raw: str) -> str:
    """Repair a raw PDF text extraction of a Dutch document into clean blocks.

    See the module docstring for the output format. Page boundaries (`\\f`) are kept,
    each as a block of its own.
    """
    text = normalize_whitespace(separate_framed_titles(raw))
    text = remove_letter_spaced_lines(text)
    text = collapse_spaces(join_split_ligatures(text))
    lex = Lexicon.of(text)
    text = join_split_words(text, lex)
    text = remove_repeated_furniture(text)
    text = remove_running_headers(text)
    text = remove_toc_and_page_labels(text)

    blocks: list[str] = []
    for n, page in enumerate(text.split(PAGE_BREAK)):
        if n:
            blocks.append(PAGE_BREAK)
        page = remove_page_numbers(page.strip("\n"))
        blocks.extend(strip_footnote_refs(b, lex) for b in reflow_paragraphs(page, lex))
    blocks = drop_repeated_blocks([b for b in blocks if b == PAGE_BREAK or b.strip()])
    return "\n\n".join(rejoin_broken_sentences(separate_footnotes(blocks, lex), lex))
