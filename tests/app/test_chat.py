"""How the chat page renders answers (HTML built from document text) and that it builds cleanly.

The page itself is driven in a real browser by tests/e2e/test_chat_browser.py.
"""

from __future__ import annotations

import gc

import gradio as gr
from fastapi import FastAPI

from app.chat import build_chat_ui, highlight_passage, mount_chat_ui, render_answer, render_question
from rag.engine import REFUSAL_TEXT
from rag.types import Answer, Chunk, Citation, Passage

TEXT = (
    "Kwantitatief\n"
    "In 2021 had ongeveer 1 op de 15 vijvers geen kikkerkoor.\n"
    "Het aantal kikkers is <b>niet</b> evenredig verdeeld & groeit."
)


def passage(
    text: str = TEXT, rank: int = 1, section: str | None = "1 Inleiding > Kwantitatief", page: int | None = 12,
    url: str | None = None,
) -> Passage:
    chunk = Chunk("actieplan.txt", 0, text, 0, len(text), section=section, page=page, title="Actieplan <Schooldirecteur>")
    return Passage(chunk, score=0.9, rank=rank, url=url)


def test_a_source_links_to_its_publication_in_a_new_tab():
    p = passage(url="https://voorbeeld.nl/rapport?jaar=2024&deel=1")
    html = render_answer(Answer("Hoeveel?", "Zo veel. [1]", (Citation(1, p),), (p,)))
    summary = html.split("<summary")[1].split("</summary>")[0]
    assert '<a class="bw-link" href="https://voorbeeld.nl/rapport?jaar=2024&amp;deel=1" target="_blank" rel="noopener noreferrer"' in summary
    assert 'title="Open de publicatie Actieplan &lt;Schooldirecteur&gt; (nieuw tabblad)">publicatie ↗</a>' in summary


def test_a_source_without_a_web_address_has_no_link():
    for url in (None, "javascript:alert(1)", "file:///etc/passwd", 'https://x.nl/"><script>'):
        p = passage(url=url)
        html = render_answer(Answer("Hoeveel?", "Zo veel. [1]", (Citation(1, p),), (p,)))
        assert "<a " not in html and "publicatie" not in html and "javascript" not in html


def test_cited_sentences_are_marked_inside_the_escaped_passage():
    html = highlight_passage(TEXT, ["In 2021 had ongeveer 1 op de 15 vijvers geen kikkerkoor."])
    assert "<mark>In 2021 had ongeveer 1 op de 15 vijvers geen kikkerkoor.</mark>" in html
    assert "&lt;b&gt;niet&lt;/b&gt;" in html and "&amp; groeit" in html and "<b>" not in html
    assert html.count("<p>") == 3


def test_a_sentence_is_found_across_different_white_space():
    html = highlight_passage("Eerste zin.\nDe   tweede\nzin loopt door.", ["De tweede zin loopt door."])
    assert html.count("<mark>") == 2 and "tweede" in html.split("<mark>")[1]


def test_an_answer_shows_its_numbered_sources_with_title_section_and_page():
    p = passage()
    answer = Answer(
        question="Hoeveel?",
        text="In 2021 had ongeveer 1 op de 15 vijvers geen kikkerkoor. [1]\n\n<script>x</script>",
        citations=(Citation(1, p, ("In 2021 had ongeveer 1 op de 15 vijvers geen kikkerkoor.",)),),
        passages=(p,),
    )
    html = render_answer(answer)
    assert '<span class="bw-ref">[1]</span>' in html
    assert "<summary" in html and "[1]</span><span class=\"bw-doc\">Actieplan &lt;Schooldirecteur&gt;</span>" in html
    assert "— Kwantitatief, p. 12" in html
    assert "<mark>" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "\n\n" not in html  # one raw HTML block for the chat's Markdown renderer
    assert "bw-refusal" not in html and "bw-note" not in html


def test_a_refusal_is_set_apart_and_lists_the_closest_passages():
    passages = tuple(passage(rank=n, page=None, section=None) for n in (1, 2, 3, 4))
    answer = Answer("Japan?", f"{REFUSAL_TEXT} Hieronder staan de passages die er het dichtst bij komen.", (), passages,
                    refused=True, note="Geen van de gevonden passages noemt ‘Japan’.")
    html = render_answer(answer)
    assert f'<div class="bw-refusal"><strong>{REFUSAL_TEXT}</strong>' in html
    assert "Dichtstbijzijnde passages" in html and html.count("<details class=\"bw-source\"") == 3
    assert "Geen van de gevonden passages noemt ‘Japan’." in html and "<mark>" not in html


def test_bronwijzers_own_reply_reads_as_plain_text_without_sources():
    answer = Answer("Hallo", "Hallo! Ik ben <Bronwijzer>.", (), (), refused=True)
    html = render_answer(answer)
    assert '<div class="bw-refusal"><span>Hallo! Ik ben &lt;Bronwijzer&gt;.</span></div>' in html
    assert "<strong>" not in html and "bw-sources" not in html


def test_a_fallback_note_is_shown_above_the_answer():
    p = passage()
    answer = Answer("Hoeveel?", "Antwoord [1]", (Citation(1, p),), (p,), note="Het taalmodel gaf geen bruikbaar antwoord.")
    assert '<div class="bw-note"><strong>Let op:</strong> Het taalmodel gaf geen bruikbaar antwoord.</div>' in render_answer(answer)


def test_the_question_is_escaped():
    assert render_question("Wat is <img src=x onerror=alert(1)>?") == '<div class="bw-question">Wat is &lt;img src=x onerror=alert(1)&gt;?</div>'


def test_the_page_builds_and_mounts_without_leaking_event_loops(make_settings):
    # Warnings are errors: Gradio's leaked event loops would fail this test when collected.
    settings = make_settings()
    page = build_chat_ui(object(), settings, documents=list)
    assert isinstance(page, gr.Blocks) and page.title.startswith("Bronwijzer")
    app = mount_chat_ui(FastAPI(), object(), settings, documents=list)
    assert any(getattr(route, "path", None) == "" or getattr(route, "path", None) == "/" for route in app.routes)
    gc.collect()


def test_an_uncertain_answer_shows_its_caution_above_the_sources():
    from rag.answer.refusal import CAUTION_TEXT

    p = Passage(Chunk("vijvers.txt", 0, "Het park telt 19 vijvers.", 0, 25), 0.9, 1)
    html = render_answer(Answer("Hoeveel?", "Het park telt 19 vijvers. [1]", (Citation(1, p),), (p,), note=CAUTION_TEXT, uncertain=True))
    assert "Let op:" in html and "onzeker" in html
