"""Core types become JSON in one place: every source carries its publication's address."""

from __future__ import annotations

from app.schemas import ask_response, chat_reply_text, document_out, search_response
from rag.types import IndexedDocument
from rag.types import Answer, Chunk, Citation, Passage

URL = "https://gemeente.example/nota-speelpleinen"


def _passage(rank: int, url: str | None) -> Passage:
    text = f"Speelplein {rank} krijgt nieuwe schommels."
    chunk = Chunk(f"nota-{rank}.txt", 0, text, 0, len(text), section="2 Plannen", page=rank, title=f"Nota {rank}")
    return Passage(chunk, score=0.5, rank=rank, url=url)


def test_citations_passages_and_search_results_carry_the_url():
    linked, unlinked = _passage(1, URL), _passage(2, None)
    answer = Answer("Welke schommels?", "Nieuwe schommels. [1]", (Citation(1, linked),), (linked, unlinked))
    out = ask_response(answer).model_dump()
    assert out["citations"][0]["url"] == URL
    assert [p["url"] for p in out["passages"]] == [URL, None]
    assert [p["url"] for p in search_response([linked, unlinked]).model_dump()["passages"]] == [URL, None]


def test_an_address_that_is_no_web_address_is_left_out():
    answer = Answer("Welke?", "Nieuwe schommels. [1]", (Citation(1, _passage(1, "javascript:alert(1)")),), ())
    assert ask_response(answer).citations[0].url is None


def test_chat_reply_lists_the_url_after_each_source_that_has_one():
    linked, unlinked = _passage(1, URL), _passage(2, None)
    text = chat_reply_text(Answer("Welke?", "Schommels [1] en glijbanen [2].", (Citation(1, linked), Citation(2, unlinked)), ()))
    assert f"[1] Nota 1, 2 Plannen, p. 1 — {URL}" in text
    assert text.rstrip().endswith("[2] Nota 2, 2 Plannen, p. 2")


def test_documents_show_their_url():
    doc = IndexedDocument(id="nota.txt", title="Nota", version="v1", content_hash="h", chunk_count=3, url=URL)
    assert document_out(doc).url == URL
    assert document_out(IndexedDocument(id="b.txt", title="B", version="v", content_hash="h", chunk_count=1)).url is None


def test_an_uncertain_answer_is_marked_in_the_response_and_carries_its_caution():
    from rag.answer.refusal import CAUTION_TEXT

    linked = _passage(1, URL)
    sure = Answer("Welke?", "Nieuwe schommels. [1]", (Citation(1, linked),), (linked,))
    doubtful = Answer("Welke?", "Nieuwe schommels. [1]", (Citation(1, linked),), (linked,), note=CAUTION_TEXT, uncertain=True)
    assert ask_response(sure).model_dump()["uncertain"] is False
    out = ask_response(doubtful).model_dump()
    assert out["uncertain"] is True and out["note"] == CAUTION_TEXT
    assert chat_reply_text(doubtful).count("onzeker") == 1
