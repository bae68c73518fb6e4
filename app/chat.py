"""The chat page for school leaders (Gradio): ask in Dutch, read the answer with its sources, rate it.

`build_chat_ui(engine, settings)` returns the page as a `gr.Blocks`; `app/server.py` mounts it
at "/". The page carries its own stylesheet (via the header's `head`), so it looks the same
however it is mounted; `mount_chat_ui` also passes the theme and hides Gradio's footer.

Everything a user reads is Dutch. Answers are rendered here as HTML (document text always
escaped): the answer with its `[n]` markers, then per source a `<details>` that opens on the
passage with the cited sentences in `<mark>`.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import gradio as gr

from app.feedback import FeedbackStore
from rag.engine import REFUSAL_TEXT
from rag.errors import BronwijzerError, NothingIndexedError
from rag.types import Answer, AnswerNote, Passage, RewrittenQuestion, SearchFilters, Turn, web_url

if TYPE_CHECKING:
    from fastapi import FastAPI

    from rag.engine import Engine
    from rag.settings import Settings
    from rag.types import IndexedDocument

log = logging.getLogger(__name__)

T = TypeVar("T")

TITLE = "Bronwijzer"
TAGLINE = "Antwoorden op uw vragen over onderwijsbeleid, rechtstreeks uit de beleidsdocumenten en altijd met bron."
PLACEHOLDER = "Stel uw vraag over onderwijsbeleid…"

#: Questions a school leader might start with; general enough for the bundled corpus.
EXAMPLE_QUESTIONS = (
    "Hoeveel basisscholen hadden in 2019 geen schoolleider?",
    "Welke maatregelen staan in het actieplan tegen het tekort aan schooldirecteuren?",
    "Wat zegt de inspectie over de leesvaardigheid van leerlingen?",
    "Wat is het onderwijsachterstandenbeleid?",
)

REFUSAL_HEADING = "Dichtstbijzijnde passages"
SOURCES_HEADING = "Bronnen"
#: Closest passages shown under a refusal.
MAX_CLOSEST = 3

# -- look ------------------------------------------------------------------------------------

_SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
_MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def chat_theme() -> gr.themes.Base:
    """A calm theme with system fonts only (no web fonts fetched from outside)."""
    return gr.themes.Soft(
        primary_hue=gr.themes.colors.teal,
        secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
        font=_SYSTEM_FONTS,
        font_mono=_MONO_FONTS,
    )


#: The page's stylesheet and script, kept as files beside this module (package data).
STATIC = Path(__file__).resolve().parent / "static"
CHAT_CSS = (STATIC / "chat.css").read_text(encoding="utf-8")

HEADER_HTML = f"""
<header class="bw-header">
  <div class="bw-logo" aria-hidden="true">B</div>
  <div><h1>{TITLE}</h1><p>{html.escape(TAGLINE)}</p></div>
</header>
"""

WELCOME_HTML = (
    "<div class='bw-welcome'><strong>Waar bent u naar op zoek?</strong>"
    "Bronwijzer zoekt het antwoord op in de beleidsdocumenten en laat bij elk antwoord de bron zien. "
    "Staat het er niet in, dan zegt Bronwijzer dat eerlijk.</div>"
)

# The page is designed light; Gradio would follow a dark system setting and clash with it.
# The script also puts Gradio's English screen-reader labels (and lang="en") into Dutch.
KEEP_LIGHT_JS = (STATIC / "chat.js").read_text(encoding="utf-8")

# The page's events are its own business; machines use the REST API (app/server.py).
PRIVATE = "private"

FOOTNOTE = "Bronwijzer citeert alleen uit de geïndexeerde documenten. Controleer belangrijke besluiten altijd in de bron."


# -- rendering answers -----------------------------------------------------------------------


def _escape(text: str) -> str:
    """HTML-escape document text; `$` too, so the chat's LaTeX renderer leaves it alone."""
    return html.escape(text, quote=True).replace("$", "&#36;")


def _code_spans(text: str) -> str:
    """Escaped text with `backticks` as <code> (error messages name commands that way)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _escape(text))


def _one_block(markup: str) -> str:
    """The chat renders Markdown; an HTML block stays raw only while it has no blank line."""
    return re.sub(r"\n\s*\n", "\n", markup)


def _sentence_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Where each cited sentence occurs in `text` (exactly, or with any run of white space)."""
    spans = []
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        start = text.find(sentence)
        if start >= 0:
            spans.append((start, start + len(sentence)))
            continue
        pattern = r"\s+".join(re.escape(word) for word in sentence.split())
        found = re.search(pattern, text)
        if found:
            spans.append(found.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_passage(text: str, sentences: Sequence[str] = ()) -> str:
    """The passage as escaped HTML paragraphs, with the cited sentences in <mark>."""
    out, at = [], 0
    for start, end in _sentence_spans(text, sentences):
        out.append(_escape(text[at:start]))
        marked = _escape(text[start:end]).replace("\n", "</mark>\n<mark>")
        out.append(f"<mark>{marked}</mark>")
        at = end
    out.append(_escape(text[at:]))
    lines = [line.strip() for line in "".join(out).split("\n")]
    return "".join(f"<p>{line}</p>" for line in lines if line and line != "<mark></mark>")


def _where(passage: Passage) -> str:
    return passage.chunk.location(last_section=True)


def publication_link(url: str | None, title: str) -> str:
    """A link that opens the publication in a new tab; nothing when no http(s) address is known.

    Inside the source's <summary>: a click on the link follows it without folding the source open.
    """
    url = web_url(url)
    if url is None:
        return ""
    # The chat's sanitizer keeps `title` (not `aria-label`): it names the document for a screen reader.
    label = _escape(f"Open de publicatie {title} (nieuw tabblad)")
    return (
        f' <a class="bw-link" href="{_escape(url)}" target="_blank" rel="noopener noreferrer" '
        f'title="{label}">publicatie ↗</a>'
    )


def render_source(marker: int, passage: Passage, sentences: Sequence[str] = ()) -> str:
    """One source as <details>: "[1] Titel — sectie, p. 12 · publicatie ↗", opening on the passage."""
    chunk = passage.chunk
    title = chunk.title or chunk.document_id
    where = _where(passage)
    where_html = f' <span class="bw-where">— {_escape(where)}</span>' if where else ""
    full_section = f' title="{_escape(chunk.section)}"' if chunk.section else ""
    return (
        f'<details class="bw-source" data-marker="{marker}">'
        f'<summary{full_section}><span class="bw-marker">[{marker}]</span>'
        f'<span class="bw-doc">{_escape(title)}</span>{where_html}{publication_link(passage.url, title)}</summary>'
        f'<div class="bw-passage">{highlight_passage(chunk.text, sentences)}</div>'
        "</details>"
    )


def _answer_text(text: str) -> str:
    escaped = _escape(text.strip())
    return re.sub(r"\[(\d{1,2})\]", r'<span class="bw-ref">[\1]</span>', escaped)


def render_answer(answer: Answer) -> str:
    """The whole assistant message: note, answer or refusal, and the sources."""
    parts = ['<div class="bw-answer' + (' bw-refused"' if answer.refused else '"') + ">"]
    if answer.rewritten:
        parts.append(render_rewritten(answer.rewritten))
    if answer.refused:
        why = (
            f'<details class="bw-why"><summary>Waarom niet?</summary>{_escape(answer.note)}</details>'
            if answer.note else ""
        )
        if answer.text.startswith(REFUSAL_TEXT):
            rest = answer.text[len(REFUSAL_TEXT):].strip()
            rest_html = f"<span>{_escape(rest)}</span>" if rest else ""
            parts.append(f'<div class="bw-refusal"><strong>{_escape(REFUSAL_TEXT)}</strong>{rest_html}{why}</div>')
        else:  # Bronwijzer's own reply to a greeting or a question about itself
            parts.append(f'<div class="bw-refusal"><span>{_escape(answer.text)}</span>{why}</div>')
        closest = answer.passages[:MAX_CLOSEST]
        if closest:
            parts.append(f'<div class="bw-sources"><div class="bw-sources-title">{REFUSAL_HEADING}</div>')
            parts.extend(render_source(n, passage) for n, passage in enumerate(closest, 1))
            parts.append("</div>")
    else:
        if answer.note:
            parts.append(f'<div class="bw-note"><strong>Let op:</strong> {_escape(answer.note)}</div>')
        parts.append(f'<div class="bw-text">{_answer_text(answer.text)}</div>')
        if answer.citations:
            parts.append(f'<div class="bw-sources"><div class="bw-sources-title">{SOURCES_HEADING}</div>')
            parts.extend(render_source(c.marker, c.passage, c.sentences) for c in answer.citations)
            parts.append("</div>")
    parts.append("</div>")
    return _one_block("".join(parts))


def render_rewritten(question: str) -> str:
    """The question that was searched for, when it differs from the one asked (a follow-up
    rewritten, typing errors corrected)."""
    return f'<div class="bw-rewritten">Gezocht op: <em>{_escape(question)}</em></div>'


def render_partial(text: str, *, note: str | None = None, rewritten: str | None = None) -> str:
    """An answer still being written: the checked sentences so far."""
    head = render_rewritten(rewritten) if rewritten else ""
    if note:
        head += f'<div class="bw-note"><strong>Let op:</strong> {_escape(note)}</div>'
    body = f'<div class="bw-text">{_answer_text(text)}</div>' if text.strip() else '<div class="bw-pending">Bronwijzer schrijft het antwoord…</div>'
    return _one_block(f'<div class="bw-answer bw-streaming">{head}{body}</div>')


def render_pending() -> str:
    return '<div class="bw-answer bw-pending">Bronwijzer zoekt in de documenten…</div>'


def render_error(message: str) -> str:
    return _one_block(f'<div class="bw-error"><strong>Dat lukte niet.</strong> {_code_spans(message)}</div>')


def render_question(question: str) -> str:
    return f'<div class="bw-question">{_escape(" ".join(question.split()))}</div>'


def cited_documents(answer: Answer) -> list[str]:
    """The ids of the documents an answer cites (for feedback), in order of first citation."""
    return list(dict.fromkeys(c.passage.chunk.document_id for c in answer.citations))


def document_choice(doc: "IndexedDocument") -> tuple[str, str]:
    """(label, value) for the document picker: "Titel (uitgever, 2020)"."""
    extra = ", ".join(str(x) for x in (doc.publisher, doc.year) if x)
    return (f"{doc.title} ({extra})" if extra else doc.title, doc.id)


# -- the page --------------------------------------------------------------------------------


def in_running_loop(make: Callable[[], T]) -> T:
    """Call `make` inside an event loop, starting a short-lived one when none is running.

    Gradio creates its asyncio locks with `utils.safe_get_lock`, which outside a running loop
    opens a fresh event loop for every lock and drops the one before unclosed (a
    ResourceWarning per Blocks or mounted app). Inside a running loop it opens none.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def call() -> T:
            return make()

        return asyncio.run(call())
    return make()


def build_chat_ui(
    engine: "Engine",
    settings: "Settings",
    *,
    documents: Callable[[], list["IndexedDocument"]] | None = None,
    feedback: FeedbackStore | None = None,
) -> gr.Blocks:
    """The chat page. `documents` lists the indexed documents (default: the engine's)."""
    return in_running_loop(lambda: _build_page(engine, settings, documents, feedback))


def _build_page(
    engine: "Engine",
    settings: "Settings",
    documents: Callable[[], list["IndexedDocument"]] | None,
    feedback: FeedbackStore | None,
) -> gr.Blocks:
    feedback = feedback or FeedbackStore.for_settings(settings)
    documents = documents or engine.documents

    def load_documents():
        try:
            docs = documents()
        except BronwijzerError as exc:
            return gr.update(choices=[]), gr.update(value=_notice(exc.message), visible=True)
        if not docs:
            return gr.update(choices=[]), gr.update(value=_notice(NothingIndexedError().message), visible=True)
        return gr.update(choices=[document_choice(d) for d in docs]), gr.update(value="", visible=False)

    def respond(question: str, chat: list, turns: list, answers: dict, chosen: list[str] | None) -> Iterator[tuple]:
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        chat = [*chat, {"role": "user", "content": render_question(question)}, {"role": "assistant", "content": render_pending()}]
        yield chat, "", turns, answers
        filters = SearchFilters(documents=tuple(chosen)) if chosen else None
        written, note, rewritten = "", None, None
        try:
            # Only checked sentences arrive here (rag.engine.Engine.stream): each is shown at once.
            for piece in engine.stream(question, history=turns, filters=filters):
                if isinstance(piece, Answer):
                    answer = piece
                    break
                if isinstance(piece, RewrittenQuestion):
                    rewritten = piece.question
                elif isinstance(piece, AnswerNote):
                    note = piece.text
                else:
                    written += piece
                chat[-1] = {"role": "assistant", "content": render_partial(written, note=note, rewritten=rewritten)}
                yield chat, "", turns, answers
        except BronwijzerError as exc:
            log.info("chat question failed: %s", exc.message)
            # Said in the chat where the answer would be, with the question kept for another try.
            # (A raised gr.Error would also lay Gradio's red error state over the whole chat.)
            chat[-1] = {"role": "assistant", "content": render_error(exc.message)}
            yield chat, question, turns, answers
            return
        chat[-1] = {"role": "assistant", "content": render_answer(answer)}
        turns = [*turns, Turn("user", question), Turn("assistant", answer.text)]
        answers = answers | {
            len(chat) - 1: {
                "question": question,
                "answer": answer.text,
                "refused": answer.refused,
                "documents": cited_documents(answer),
            }
        }
        yield chat, "", turns, answers

    def rate(answers: dict, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        meta = answers.get(index)
        if meta is None:  # a message without an answer (an error); nothing to rate
            return answers, gr.skip(), None
        rating = {True: "up", False: "down"}.get(data.liked)
        feedback_id = meta.get("feedback_id")
        if rating is None:  # the thumb was taken back
            if feedback_id is not None:
                feedback.delete(feedback_id)
            meta = {k: v for k, v in meta.items() if k != "feedback_id"}
            return answers | {index: meta}, gr.update(visible=False), None
        if feedback_id is None:
            row = feedback.record(meta["question"], meta["answer"], meta["refused"], rating, cited_documents=meta["documents"])
            feedback_id = row.id
        else:
            feedback.update(feedback_id, rating=rating)
        return answers | {index: meta | {"feedback_id": feedback_id}}, gr.update(visible=True), feedback_id

    def send_comment(comment: str, feedback_id: int | None):
        if feedback_id is None:
            return gr.update(visible=False), ""
        if (comment or "").strip():
            feedback.update(feedback_id, comment=comment)
            gr.Info("Dank u wel, uw opmerking is opgeslagen.", title="Opgeslagen", duration=4)
        return gr.update(visible=False), ""

    def new_conversation():
        return [], "", [], {}, gr.update(visible=False), None

    with gr.Blocks(title=f"{TITLE} — vragen over onderwijsbeleid", analytics_enabled=False, fill_width=False) as page:
        gr.HTML(
            HEADER_HTML,
            head=f'<meta name="color-scheme" content="light"><style>{CHAT_CSS}</style><script>{KEEP_LIGHT_JS}</script>',
            elem_id="bw-header-block",
            js_on_load=None,
        )
        notice = gr.HTML("", visible=False, elem_id="bw-notice", js_on_load=None)
        with gr.Row(elem_id="bw-toolbar", equal_height=False):
            with gr.Column(scale=5, min_width=160):
                with gr.Accordion(_scope_label([]), open=False, elem_id="bw-documents") as scope:
                    chosen = gr.Dropdown(
                        choices=[],
                        value=[],
                        multiselect=True,
                        label="Documenten",
                        info="Kies een of meer documenten om alleen daarin te zoeken. Leeg laten = alle documenten.",
                        elem_id="bw-document-choice",
                    )
            reset = gr.Button("Nieuw gesprek", variant="secondary", size="md", scale=0, min_width=120, elem_id="bw-new")
        chatbot = gr.Chatbot(
            value=[],
            elem_id="bw-chat",
            show_label=False,
            height="62vh",
            min_height=360,
            layout="panel",
            buttons=[],
            placeholder=WELCOME_HTML,
            examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
            feedback_options=("Like", "Dislike"),
            autoscroll=True,
        )
        with gr.Group(visible=False, elem_id="bw-feedback") as feedback_panel:
            comment = gr.Textbox(
                label="Bedankt voor uw beoordeling. Wilt u toelichten wat goed of niet goed was? (optioneel)",
                placeholder="Uw opmerking…",
                lines=2,
                elem_id="bw-comment",
            )
            send = gr.Button("Opmerking versturen", variant="secondary", size="sm", elem_id="bw-send-comment")
        with gr.Row(elem_id="bw-ask-row", equal_height=True):
            question = gr.Textbox(
                label="Uw vraag",  # read out by screen readers (Gradio's default is "Textbox")
                placeholder=PLACEHOLDER,
                show_label=False,
                lines=1,
                max_lines=4,
                scale=5,
                container=False,
                autofocus=True,
                elem_id="bw-question",
            )
            ask = gr.Button("Vraag", variant="primary", scale=1, elem_id="bw-ask")
        gr.HTML(f'<p class="bw-small">{html.escape(FOOTNOTE)}</p>', js_on_load=None)

        turns = gr.State([])
        answers = gr.State({})
        pending_feedback = gr.State(None)

        quiet = {"show_progress": "hidden", "api_visibility": PRIVATE}
        ask_io = ([question, chatbot, turns, answers, chosen], [chatbot, question, turns, answers])
        page.load(load_documents, None, [chosen, notice], **quiet)
        gr.on([question.submit, ask.click], respond, *ask_io, **quiet)
        chatbot.example_select(_example_text, None, question, **quiet).then(respond, *ask_io, **quiet)
        chatbot.like(rate, answers, [answers, feedback_panel, pending_feedback], **quiet)
        gr.on([send.click, comment.submit], send_comment, [comment, pending_feedback], [feedback_panel, comment], **quiet)
        reset.click(new_conversation, None, [chatbot, question, turns, answers, feedback_panel, pending_feedback], **quiet)
        # The chat's own bin icon empties the messages; forget the conversation with them.
        chatbot.clear(lambda: new_conversation()[2:], None, [turns, answers, feedback_panel, pending_feedback], **quiet)
        chosen.change(lambda picked: gr.update(label=_scope_label(picked)), chosen, scope, **quiet)
    return page


def _example_text(selected: gr.SelectData) -> str:
    value: Any = selected.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def _scope_label(chosen: Sequence[str] | None) -> str:
    count = len(chosen or ())
    if not count:
        return "Zoek in alle documenten"
    return "Zoek in 1 document" if count == 1 else f"Zoek in {count} documenten"


def _notice(message: str) -> str:
    return f'<div class="bw-notice">{_code_spans(message)}</div>'


def mount_options() -> dict[str, Any]:
    """What `gradio.mount_gradio_app` should be given for this page: theme, no footer, no run history."""
    return {
        "theme": chat_theme(),
        "css": CHAT_CSS,
        "footer_links": [],
        "run_history": False,
    }


def mount_chat_ui(app: "FastAPI", engine: "Engine", settings: "Settings", path: str = "/", **kwargs: Any) -> "FastAPI":
    """Mount the chat page on a FastAPI app with its theme (what `app/server.py` can call)."""
    page = build_chat_ui(engine, settings, **kwargs)
    return in_running_loop(lambda: gr.mount_gradio_app(app, page, path=path, **mount_options()))
