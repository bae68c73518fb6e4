"""Block Kit messages for Slack: an Answer as text sections, its sources and feedback buttons.

Slack's limits (Block Kit reference): a section's text holds at most 3,000 characters, a
message at most 50 blocks, a button's text at most 75 characters and its value at most
2,000, a block_id at most 255. Text in `mrkdwn` must have `&`, `<` and `>` escaped; Slack
sends them escaped in message text too, so text coming in is unescaped first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.types import Answer, Passage, web_url

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
#: Text in a context element; kept to the section limit.
CONTEXT_LIMIT = 3000
BUTTON_VALUE_LIMIT = 2000
FEEDBACK_UP = "bronwijzer_feedback_up"
FEEDBACK_DOWN = "bronwijzer_feedback_down"

# Where a long answer may be cut, best first: paragraphs, lines, sentences, words.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?…:])\s+"),  # not ";": escaped entities end in it
    re.compile(r"\s+"),
)
# Slack's own markup in message text: <@U123>, <@U123|name>, <#C123|general>, <https://x|label>, <!here>.
_SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves for its own markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_from_slack(text: str, bot_user_id: str | None = None) -> str:
    """Slack message text as the user typed it: the bot's mention removed, other markup readable."""

    def readable(match: re.Match) -> str:
        sigil, target, label = match.groups()
        if sigil == "@" and (target == bot_user_id or bot_user_id is None and not label):
            return ""
        if label:
            return f"@{label}" if sigil == "@" else f"#{label}" if sigil == "#" else label
        return f"@{target}" if sigil else target

    text = _SLACK_MARKUP.sub(readable, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def split_sections(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, at the best boundary available."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit, 0):
        if current and len(current) + len(piece.rstrip()) > limit:
            chunks.append(current.rstrip())
            current = ""
        current += piece
    if current.strip():
        chunks.append(current.rstrip())
    return [c for c in (c.strip() for c in chunks) if c]


def _pieces(text: str, limit: int, level: int) -> list[str]:
    if len(text.rstrip()) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return _hard_cut(text, limit)
    parts, start = [], 0
    for match in _BOUNDARIES[level].finditer(text):
        if match.end() > start and match.start() > start:
            parts.append(text[start:match.end()])
            start = match.end()
    parts.append(text[start:])
    out: list[str] = []
    for part in filter(None, parts):
        out.extend(_pieces(part, limit, level + 1) if len(part.rstrip()) > limit else [part])
    return out


def _hard_cut(text: str, limit: int) -> list[str]:
    """A run without whitespace: cut at the limit, but never inside an escaped entity."""
    out = []
    while len(text) > limit:
        cut = limit
        amp = text.rfind("&", max(0, cut - 4), cut)
        if amp != -1 and ";" not in text[amp:cut]:
            cut = amp
        out.append(text[:cut])
        text = text[cut:]
    return out + [text] if text else out


def source_line(marker: int, passage: Passage) -> str:
    """`[n] title, section, p. X` (the parts that are known), escaped for mrkdwn, with a link
    to the publication when its address is known."""
    chunk = passage.chunk
    line = escape_mrkdwn(f"[{marker}] " + chunk.location(title=True))
    url = web_url(passage.url)
    # `web_url` admits no `<`, `>` or `|`, so the address cannot end Slack's `<url|label>` early;
    # `&` is escaped as mrkdwn asks.
    return f"{line} — <{escape_mrkdwn(url)}|publicatie>" if url else line


def answer_sources(answer: Answer) -> list[tuple[int, Passage]]:
    """The cited passages by marker; for a refusal, the closest passages by rank."""
    if answer.citations:
        by_marker = {c.marker: c.passage for c in answer.citations}
        return sorted(by_marker.items(), key=lambda item: item[0])
    return [(p.rank, p) for p in answer.passages]


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def sources_block(answer: Answer) -> dict | None:
    sources = answer_sources(answer)
    if not sources:
        return None
    heading = "*Dichtstbijzijnde passages*" if answer.refused or not answer.citations else "*Bronnen*"
    return context(_lines_within([heading, *(source_line(m, p) for m, p in sources)], CONTEXT_LIMIT))


def feedback_block(question_id: str) -> dict:
    """👍/👎 buttons whose value is the question's id (the answer's log line carries the same id)."""
    value = question_id[:BUTTON_VALUE_LIMIT]

    def button(label: str, action_id: str) -> dict:
        return {"type": "button", "text": {"type": "plain_text", "text": label, "emoji": True}, "action_id": action_id, "value": value}

    return {
        "type": "actions",
        "block_id": f"feedback-{question_id}"[:255],
        "elements": [button("👍 Nuttig", FEEDBACK_UP), button("👎 Niet nuttig", FEEDBACK_DOWN)],
    }


def answer_message(answer: Answer, question_id: str, show_question: bool = False) -> dict:
    """`text` (notifications, and what comes back as thread history) plus the blocks."""
    head = [context(f"*Vraag:* {escape_mrkdwn(answer.question)}"[:CONTEXT_LIMIT])] if show_question else []
    if answer.rewritten:
        head.append(context(f"_Gezocht op:_ {escape_mrkdwn(answer.rewritten)}"[:CONTEXT_LIMIT]))
    if answer.note:
        head.append(context(f"*Let op:* {escape_mrkdwn(answer.note)}"[:CONTEXT_LIMIT]))
    tail = [b for b in (sources_block(answer), feedback_block(question_id)) if b]
    sections = [section(s) for s in split_sections(escape_mrkdwn(answer.text))]
    room = MAX_BLOCKS - len(head) - len(tail)
    if len(sections) > room:
        sections = sections[: room - 1] + [section("…")]
    return {"text": _fallback(answer.text), "blocks": head + sections + tail}


def text_message(text: str) -> dict:
    """A plain notice (usage hint, error) as text and one section."""
    return {"text": _fallback(text), "blocks": [section(s) for s in split_sections(escape_mrkdwn(text))][:MAX_BLOCKS]}


def _fallback(text: str) -> str:
    text = escape_mrkdwn(text)
    return text if len(text) <= SECTION_LIMIT else split_sections(text)[0]


def _lines_within(lines: Iterable[str], limit: int) -> str:
    kept: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in kept) + len(line) > limit - 2:
            kept.append("…")
            break
        kept.append(line)
    return "\n".join(kept)
