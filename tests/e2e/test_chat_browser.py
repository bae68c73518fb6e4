"""The chat page in headless Chromium, served for real over a small real index.

Debian's Chromium (`scripts/install_browser.sh`) driven by Playwright for Python; Playwright's
own browser download is never used. The app is the full one from `tests/app/conftest.py`
(REST + chat page on uvicorn), the live_server fixture of tests/app.
Screenshots go to `test-output/` (desktop 1280 px and phone 390 px wide).
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from rag.settings import REPO_ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # Gradio's queue summarises its events with pandas after each one (`Queue._get_df`), using an
    # option and a keyword that pandas 3 deprecates; raised as errors they kill the queue's task.
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated:pandas.errors.Pandas4Warning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = REPO_ROOT / "test-output"
ACTIEPLAN = "actieplan-schooldirecteur-topprioriteit-2020.txt"
KENNISAGENDA = "kennisagenda-voor-het-onderwijs-2022.txt"
ANSWER_TIMEOUT_MS = 120_000

from playwright import sync_api

# The full app, as `bronwijzer serve` runs it (fixtures shared with tests/app).
from tests.app.conftest import live_index_home, live_server, start_live_server  # noqa: E402,F401


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _open(browser, url: str, width: int, height: int):
    # A Dutch browser, as a school leader has: Gradio's own labels follow the locale.
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url + "/")
    page.wait_for_selector("#bw-question textarea")
    return context, page


@pytest.fixture
def desktop(browser, live_server):
    context, page = _open(browser, live_server.url, 1280, 900)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context, page = _open(browser, live_server.url, 390, 844)
    yield page
    context.close()


def ask(page, question: str):
    """Type a question, press "Vraag", and return the locator of the finished answer."""
    answers = page.locator("#bw-chat .bw-answer:not(.bw-pending):not(.bw-streaming), #bw-chat .bw-error")
    before = answers.count()
    page.fill("#bw-question textarea", question)
    page.get_by_role("button", name="Vraag", exact=True).click()
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length > n",
        arg=[
            "#bw-chat .bw-answer:not(.bw-pending):not(.bw-streaming), #bw-chat .bw-error",
            before,
        ],
        timeout=ANSWER_TIMEOUT_MS,
    )
    return answers.nth(before)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # let the last paint settle
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_page_reads_as_the_product(desktop):
    assert desktop.title().startswith("Bronwijzer")
    assert desktop.locator(".bw-header h1").inner_text() == "Bronwijzer"
    assert desktop.get_by_placeholder("Stel uw vraag over onderwijsbeleid…").is_visible()
    assert desktop.get_by_role("button", name="Nieuw gesprek").is_visible()
    assert desktop.locator("#bw-chat button.example").count() >= 3
    assert not desktop.locator("footer").is_visible()
    shoot(desktop, "chat-desktop-start.png")


def test_answer_cites_its_source_and_opens_the_highlighted_passage(desktop):
    answer = ask(desktop, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
    text = answer.locator(".bw-text").inner_text()
    assert "1 op de 20" in text and "[1]" in text

    source = answer.locator("details.bw-source").first
    summary = source.locator("summary").inner_text()
    assert summary.startswith("[1]") and "Actieplan" in summary
    assert not source.locator(".bw-passage").is_visible()
    source.locator("summary").click()
    passage = source.locator(".bw-passage")
    assert passage.is_visible()
    marked = passage.locator("mark")
    assert marked.count() >= 1 and "1 op de 20" in marked.first.inner_text()
    assert len(passage.inner_text()) > len(marked.first.inner_text())  # the passage, not only the sentence
    shoot(desktop, "chat-desktop-answer.png")


def test_thumbs_up_with_a_comment_lands_in_the_feedback_store(desktop, live_server):
    question = "Hoeveel basisscholen hadden in 2019 geen schoolleider?"
    ask(desktop, question)
    comment = f"Precies wat ik zocht ({time.time_ns()})"
    desktop.locator("#bw-chat button[aria-label='Vind ik leuk']").last.click()
    desktop.locator("#bw-comment textarea").fill(comment)
    desktop.get_by_role("button", name="Opmerking versturen").click()
    desktop.get_by_text("uw opmerking is opgeslagen").wait_for()

    path = live_server.settings.home / "feedback.sqlite3"
    deadline = time.monotonic() + 10
    row = None
    while row is None and time.monotonic() < deadline:
        if path.exists():
            with closing(sqlite3.connect(path)) as conn:
                row = conn.execute(
                    "SELECT question, answer, refused, rating, cited_documents FROM feedback WHERE comment = ?", (comment,)
                ).fetchone()
        time.sleep(0.1)
    assert row is not None, "the rating and comment were not stored"
    stored_question, stored_answer, refused, rating, documents = row
    assert (stored_question, refused, rating) == (question, 0, "up")
    assert "1 op de 20" in stored_answer
    assert json.loads(documents) == [ACTIEPLAN]


def test_unanswerable_question_is_refused_with_the_closest_passages(desktop):
    answer = ask(desktop, "Wanneer begint de zomervakantie voor scholen in Japan?")
    refusal = answer.locator(".bw-refusal")
    assert refusal.is_visible()
    assert "Dat staat niet in de documenten die ik ken" in refusal.inner_text()
    assert "dichtstbijzijnde passages" in answer.locator(".bw-sources-title").inner_text().lower()
    assert answer.locator("details.bw-source").count() >= 1
    assert answer.locator(".bw-text").count() == 0  # no answer text dressed up as one
    shoot(desktop, "chat-desktop-refusal.png")


def test_a_greeting_is_answered_by_bronwijzer_itself(desktop):
    answer = ask(desktop, "Hallo")
    text = answer.locator(".bw-refusal").inner_text()
    assert text.startswith("Hallo! Ik ben Bronwijzer.") and "documenten" in text
    assert "Dat staat niet in de documenten" not in text
    assert answer.locator(".bw-sources").count() == 0 and answer.locator(".bw-refusal strong").count() == 0


def test_follow_up_question_uses_the_conversation(desktop):
    ask(desktop, "Wat is cross-mentoring in het actieplan?")
    follow_up = ask(desktop, "Tot hoeveel koppels moet dat groeien?")
    assert "1.000" in follow_up.inner_text()


def test_document_choice_limits_the_sources(desktop):
    desktop.locator("#bw-documents").get_by_text("Zoek in alle documenten").click()
    desktop.locator("#bw-document-choice input").click()
    desktop.get_by_role("option", name="Kennisagenda", exact=False).first.click()
    desktop.get_by_text("Zoek in 1 document").wait_for()
    answer = ask(desktop, "Wat zegt het over leraren en schoolleiders?")
    titles = answer.locator("details.bw-source summary .bw-doc").all_inner_texts()
    assert titles and all("Kennisagenda" in title for title in titles)


def test_new_conversation_empties_the_chat(desktop):
    ask(desktop, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
    desktop.get_by_role("button", name="Nieuw gesprek").click()
    desktop.locator("#bw-chat button.example").first.wait_for()
    assert desktop.locator("#bw-chat .bw-answer").count() == 0


def test_phone_width_has_no_sideways_scrolling(phone):
    answer = ask(phone, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
    answer.locator("details.bw-source summary").first.click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box = phone.locator("#bw-question").bounding_box()
    assert box is not None and box["width"] > 300  # the question field gets the whole width
    shoot(phone, "chat-phone-answer.png")


def test_an_empty_index_says_to_run_ingest(browser, start_live_server, make_settings):
    server = start_live_server(make_settings())
    context, page = _open(browser, server.url, 390, 844)
    try:
        notice = page.locator(".bw-notice")
        notice.wait_for()
        assert "bronwijzer ingest" in notice.inner_text()
        answer = ask(page, "Wat is een schoolleider?")
        assert "Er is nog niets geïndexeerd" in answer.inner_text() and "bronwijzer ingest" in answer.inner_text()
        assert page.locator("#bw-question textarea").input_value() == "Wat is een schoolleider?"  # kept for another try
        shoot(page, "chat-phone-not-indexed.png")
    finally:
        context.close()


def test_the_chat_page_behind_a_login(browser, start_live_server, live_index_home, models_dir):
    from app.passwords import hash_password
    from rag.settings import Settings

    settings = Settings(_env_file=None, home=live_index_home, model_cache=models_dir, chat_users=[f"anna:{hash_password('geheim-wachtwoord')}"])
    server = start_live_server(settings)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.url + "/")
        password = page.locator("input[type=password]")
        password.wait_for()
        assert page.locator("#bw-question").count() == 0  # no chat before the login
        assert "gebruikersnaam en het wachtwoord" in page.content()
        shoot(page, "chat-login.png")
        page.locator("input[type=text]").first.fill("anna")
        password.fill("fout")
        password.press("Enter")
        page.get_by_text("Incorrect", exact=False).or_(page.get_by_text("Onjuist", exact=False)).first.wait_for()
        assert page.locator("#bw-question").count() == 0
        page.locator("input[type=text]").first.fill("anna")  # the form is emptied after a wrong try
        password.fill("geheim-wachtwoord")
        password.press("Enter")
        page.wait_for_selector("#bw-question textarea")
        answer = ask(page, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
        assert "1 op de 20" in answer.inner_text()
        # Logged in or not, Gradio's upload route takes nothing.
        uploaded = page.request.post(server.url + "/gradio_api/upload", multipart={"files": {"name": "a.txt", "mimeType": "text/plain", "buffer": b"hallo"}})
        assert uploaded.status == 404
    finally:
        context.close()


def test_the_api_docs_render_without_internet(browser, live_server):
    """Swagger UI comes from the server itself: nothing is fetched from another host."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None)
    try:
        page.goto(live_server.url + "/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "Bronwijzer" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock-summary-path[data-path='/api/ask']")
        page.screenshot(path=str(SHOTS / "api-docs.png"))
    finally:
        context.close()
    assert elsewhere == []


def test_the_page_speaks_dutch_and_the_documents_arrow_points_down(desktop):
    # What a reader (or a screen reader) meets: no Gradio defaults in English.
    text = desktop.evaluate("() => document.body.innerText")
    for english in ("Textbox", "Info", "Submit", "Clear"):
        assert english not in text, english
    labels = desktop.evaluate("() => [...document.querySelectorAll('#bw-question [data-testid=block-info]')].map(e => e.textContent.trim())")
    assert labels == ["Uw vraag"]
    icon = "#bw-documents .label-wrap .icon"
    # Read once the icon stands still: the page may still be turning it into place (a CSS transition).
    closed = desktop.evaluate(
        f"""async () => {{
            const icon = document.querySelector('{icon}');
            await Promise.all(icon.getAnimations().map(a => a.finished.catch(() => null)));
            return getComputedStyle(icon).transform;
        }}"""
    )
    assert closed in ("none", "matrix(1, 0, 0, 1, 0, 0)")  # ▼ as written: down
    desktop.click("#bw-documents .label-wrap")
    desktop.wait_for_selector("#bw-documents .label-wrap.open")
    desktop.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{icon}')).transform.startsWith('matrix(-1')"
    )  # turned half a circle: up


#: Gradio's own words in English, as a reader or a screen reader would meet them on this page.
ENGLISH_DEFAULTS = (
    "Textbox", "Info", "Submit", "Clear", "Loading", "Like", "Dislike", "Liked", "Disliked", "Copy", "Retry",
    "Undo", "chatbot", "conversation", "Select example", "'s message", "Drop File", "Click to Upload", "Upload",
    "Error", "Close", "Settings", "Share", "Flag",
)

# Visible text, and the labels (aria-label, title, placeholder, alt) of elements a reader can reach.
_READABLE = """() => {
  const shown = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const labels = [...document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')].filter(shown)
    .flatMap(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a)).filter(Boolean));
  return {text: document.body.innerText, labels, lang: document.documentElement.lang};
}"""


@pytest.mark.parametrize("locale", ["nl-NL", "en-US"])
def test_no_english_gradio_labels_even_in_an_english_browser(browser, live_server, locale):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(live_server.url + "/")
        page.wait_for_selector("#bw-question textarea")
        page.wait_for_selector("#bw-chat button.example")
        seen = [page.evaluate(_READABLE)]
        page.click("#bw-documents .label-wrap")
        page.wait_for_selector("#bw-document-choice input")
        seen.append(page.evaluate(_READABLE))
        ask(page, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
        page.locator("#bw-chat .message-buttons button, #bw-chat button[title]").last.wait_for()
        page.wait_for_timeout(300)  # the label script runs after Gradio's render
        seen.append(page.evaluate(_READABLE))
        labels = seen[-1]["labels"]
        assert any(label.startswith("Antwoord van Bronwijzer: In 2019") for label in labels), labels
        assert "Vind ik leuk" in labels and "Gesprek" in labels
    finally:
        context.close()
    for state in seen:
        assert state["lang"] == "nl"
        for english in ENGLISH_DEFAULTS:
            assert english not in state["text"], english
            assert not [label for label in state["labels"] if english in label], (english, state["labels"])


def test_a_source_links_to_its_publication(desktop):
    answer = ask(desktop, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
    source = answer.locator("details.bw-source").first
    link = source.locator("summary a.bw-link")
    assert link.inner_text().startswith("publicatie")
    assert link.get_attribute("href") == "https://avs.nl/"  # corpus/manifest.toml, the Actieplan's url
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")
    assert "Actieplan" in (link.get_attribute("title") or "")
    # Opening the link must not cost the reader the answer: it goes to a new tab. (No internet here,
    # so the click itself is not made; following it would need the publisher's site.)
    assert not source.locator(".bw-passage").is_visible()


def test_thumbs_down_with_a_comment_is_one_feedback_row(desktop, live_server):
    path = live_server.settings.home / "feedback.sqlite3"

    def rows() -> list[tuple]:
        if not path.exists():
            return []
        with closing(sqlite3.connect(path)) as conn:
            return conn.execute("SELECT id, rating, comment FROM feedback ORDER BY id").fetchall()

    before = rows()
    ask(desktop, "Hoeveel basisscholen hadden in 2019 geen schoolleider?")
    comment = f"Te kort ({time.time_ns()})"
    desktop.locator("#bw-chat button[aria-label='Vind ik niet leuk']").last.click()
    desktop.locator("#bw-comment textarea").fill(comment)
    desktop.get_by_role("button", name="Opmerking versturen").click()
    desktop.get_by_text("uw opmerking is opgeslagen").wait_for()
    new = [r for r in rows() if r not in before]
    assert [(rating, text) for _, rating, text in new] == [("down", comment)]
