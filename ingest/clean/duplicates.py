"""Drop passages that the extraction repeats (a page printed twice, a repeated summary)."""

from __future__ import annotations

import re

from ingest.clean.shared import PAGE_BREAK

_SHINGLE = 40


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _shingles(key: str) -> set[int]:
    return {hash(key[k : k + _SHINGLE]) for k in range(0, max(1, len(key) - _SHINGLE + 1))}


def drop_repeated_blocks(
    blocks: list[str], min_chars: int = 150, overlap: float = 0.8
) -> list[str]:
    """Keep the first occurrence of repeated passages, drop later near-exact repeats.

    A substantial block whose text (letters and digits only, so hyphenation and line
    breaks do not matter) was mostly seen before is dropped; so is a short block seen
    before (a heading) that sits next to a dropped block. Short repeats elsewhere, such
    as recurring headings, stay, and so does a list repeated right after a new lead-in that
    announces it. Page breaks are never dropped.
    """
    seen: set[int] = set()
    seen_short: set[str] = set()
    keys = [_alnum(b) for b in blocks]
    dropped = [False] * len(blocks)
    long_block = [len(k) >= min_chars for k in keys]
    for i, key in enumerate(keys):
        if blocks[i] == PAGE_BREAK or not long_block[i]:
            continue
        sh = _shingles(key)
        if len(sh & seen) >= overlap * len(sh):
            # A list the text announces anew ("... deze vier thema's:") is quoted, not a repeat:
            # a repeated page or summary repeats its lead-in too.
            dropped[i] = not (
                _is_list(blocks[i]) and i and blocks[i - 1].rstrip().endswith(":")
                and not dropped[i - 1] and keys[i - 1] not in keys[: i - 1]
            )
        else:
            seen |= sh
    for i, key in enumerate(keys):
        if long_block[i] or blocks[i] == PAGE_BREAK or not key:
            continue
        if key in seen_short and (
            _nearest_long_dropped(i, -1, long_block, dropped, blocks)
            or _nearest_long_dropped(i, 1, long_block, dropped, blocks)
        ):
            dropped[i] = True
        seen_short.add(key)
    return [b for b, d in zip(blocks, dropped) if not d]


_ITEM = re.compile(r"^\s*(?:[•▪●◦‣·\-–*]|\d{1,2}[.)])\s")


def _is_list(block: str) -> bool:
    """Whether every line of a block is a list item."""
    lines = [line for line in block.splitlines() if line.strip()]
    return bool(lines) and all(_ITEM.match(line) for line in lines)


def _nearest_long_dropped(
    i: int, step: int, long_block: list[bool], dropped: list[bool], blocks: list[str]
) -> bool:
    j = i + step
    while 0 <= j < len(blocks):
        if long_block[j]:
            return dropped[j]
        j += step
    return False
