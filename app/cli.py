"""The `bronwijzer` command: short commands that call the library."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.schemas import ask_response, search_response
from rag.errors import BronwijzerError
from rag.pipeline import Components, build
from rag.settings import get_settings
from rag.types import SearchFilters, web_url

app = typer.Typer(help="Bronwijzer: vragen over onderwijsbeleid, beantwoord uit de documenten.", no_args_is_help=True)
documents_app = typer.Typer(help="Geïndexeerde documenten bekijken en verwijderen.", no_args_is_help=True)
app.add_typer(documents_app, name="documents")

console = Console()
errors = Console(stderr=True)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Meer logregels (Engels).")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _components() -> Components:
    try:
        return build(get_settings())
    except ValueError as exc:  # pydantic validation of BRONWIJZER_* variables
        errors.print(f"[red]Ongeldige instelling:[/red] {exc}")
        raise typer.Exit(2) from exc


def _fail(exc: BronwijzerError) -> typer.Exit:
    errors.print(f"[red]Fout:[/red] {exc.message}")
    return typer.Exit(1)


#: What `ingest` shows while the model is converted and exported, once per model cache.
PREPARING = "Model voorbereiden (eenmalig, ongeveer een minuut)"


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Bestanden of mappen (standaard: corpus/).")] = None,
    rebuild: Annotated[bool, typer.Option(help="Gooi de index weg en bouw hem opnieuw op (bijv. na een modelwissel).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Samenvatting als JSON.")] = False,
) -> None:
    """Indexeer documenten (alleen wat nieuw of gewijzigd is)."""
    from ingest.pipeline import Ingestor

    parts = _components()
    targets = paths or [parts.settings.corpus_dir]
    ingestor = Ingestor(parts.settings, parts.store, parts.embedder)
    interactive = errors.is_terminal
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=errors, disable=as_json or not interactive, transient=True,
    )
    sentence_task = None
    # Without a terminal (a log, a pipe) a line now and then instead of a bar that never shows.
    logged = LogProgress(errors.print) if not interactive and not as_json else None
    logged_sentences = LogProgress(errors.print, what="zinnen") if not interactive and not as_json else None

    def on_progress(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)
        if logged:
            logged(done, total)

    def on_sentences(done: int, total: int) -> None:
        nonlocal sentence_task
        if sentence_task is None:
            sentence_task = progress.add_task("Zinnen embedden", total=total)
        progress.update(sentence_task, completed=done, total=total)
        if logged_sentences:
            logged_sentences(done, total)

    try:
        with progress:
            preparing_seconds = 0.0
            if not getattr(parts.embedder, "prepared", True):
                # The first ingest on a machine converts and exports the model before anything
                # is embedded: say so, instead of a bar that stands still for a minute.
                preparing = progress.add_task(PREPARING, total=None)
                if logged:
                    errors.print(f"{PREPARING} …")
                started = time.perf_counter()
                parts.embedder.prepare()
                preparing_seconds = time.perf_counter() - started
                progress.remove_task(preparing)
            task = progress.add_task("Embedden", total=None)
            report = ingestor.ingest(targets, rebuild=rebuild, on_progress=on_progress, on_sentences=on_sentences)
    except BronwijzerError as exc:
        raise _fail(exc) from exc

    if as_json:
        console.print_json(json.dumps({
            "documents": report.indexed + report.unchanged,
            "indexed": report.indexed,
            "unchanged": report.unchanged,
            "failed": report.failed,
            "chunks_embedded": report.chunks_embedded,
            "chunks_reused": report.chunks_reused,
            "sentences_embedded": report.sentences_embedded,
            "sentences_failed": report.sentences_failed,
            "seconds": round(report.seconds, 2),
            "sentence_seconds": round(report.sentence_seconds, 2),
            "model_preparation_seconds": round(preparing_seconds, 2),
            "outcomes": [asdict(o) for o in report.outcomes],
        }))
    else:
        for outcome in report.failures:
            errors.print(f"[red]Mislukt:[/red] {outcome.message}")
        console.print(
            f"Documenten: {report.indexed + report.unchanged} "
            f"(nieuw of gewijzigd: {report.indexed}, ongewijzigd overgeslagen: {report.unchanged}), "
            f"mislukt: {report.failed}, chunks geëmbed: {report.chunks_embedded} "
            f"(hergebruikt: {report.chunks_reused}), zinnen geëmbed: {report.sentences_embedded}, "
            f"tijd: {report.seconds:.1f} s"
            + (f" (en het model voorbereiden: {preparing_seconds:.1f} s)" if preparing_seconds else "")
        )
    if report.sentences_failed and not as_json:
        errors.print("[yellow]Let op:[/yellow] de zinsvectoren zijn niet bijgewerkt (zie het log); de documenten zijn "
                     "wel geïndexeerd. Een volgende `bronwijzer ingest` maakt ze af.")
    if report.failed:
        raise typer.Exit(1)


class LogProgress:
    """Progress as plain lines: the first, then at most one per `every` seconds, and the end."""

    def __init__(self, emit, every: float = 10.0, what: str = "passages") -> None:
        self._emit = emit
        self._every = every
        self._what = what
        self._last: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        # (monotonic time starts near 0 at boot: no "long ago" value stands in for "never")
        if done >= total or self._last is None or now - self._last >= self._every:
            self._last = now
            self._emit(f"Embedden: {done} van {total} {self._what} ({done * 100 // max(total, 1)}%)")


def _filters(documents: list[str] | None, publishers: list[str] | None, year_from: int | None, year_to: int | None) -> SearchFilters | None:
    if not (documents or publishers or year_from or year_to):
        return None
    return SearchFilters(tuple(documents or ()), tuple(publishers or ()), year_from, year_to)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="De vraag of zoekterm.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Aantal passages.")] = 5,
    document: Annotated[list[str] | None, typer.Option("--document", "-d", help="Alleen in dit document (herhaalbaar).")] = None,
    publisher: Annotated[list[str] | None, typer.Option("--publisher", help="Alleen van deze uitgever (herhaalbaar).")] = None,
    year_from: Annotated[int | None, typer.Option(help="Vanaf jaar.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Tot en met jaar.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Resultaten als JSON.")] = False,
) -> None:
    """Zoek passages bij een vraag."""
    parts = _components()
    try:  # the engine checks the question and k, as for /api/search
        passages = parts.engine.search(query, k=k, filters=_filters(document, publisher, year_from, year_to))
    except BronwijzerError as exc:
        raise _fail(exc) from exc
    if as_json:
        out = search_response(passages).model_dump()
        for item, passage in zip(out["passages"], passages):
            item["rank"] = passage.rank
        console.print_json(json.dumps({"query": query, **out}, ensure_ascii=False))
        return
    if not passages:
        console.print("Geen passages gevonden.")
    for p in passages:
        where = p.chunk.location()
        console.rule(f"[bold]{p.rank}. {p.chunk.title}[/bold]  ({p.score:.3f})")
        if where:
            console.print(f"[dim]{p.chunk.document_id} — {where}[/dim]")
        if url := web_url(p.url):
            console.print(f"Publicatie: {url}", soft_wrap=True, markup=False, highlight=False)
        console.print(p.chunk.text, markup=False, highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="De vraag, in gewoon Nederlands.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Aantal passages om uit te putten.")] = 5,
    document: Annotated[list[str] | None, typer.Option("--document", "-d", help="Alleen in dit document (herhaalbaar).")] = None,
    publisher: Annotated[list[str] | None, typer.Option("--publisher", help="Alleen van deze uitgever (herhaalbaar).")] = None,
    year_from: Annotated[int | None, typer.Option(help="Vanaf jaar.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Tot en met jaar.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")] = False,
) -> None:
    """Beantwoord een vraag uit de documenten, met bronvermelding."""
    parts = _components()
    try:
        answer = parts.engine.ask(question, filters=_filters(document, publisher, year_from, year_to), k=k)
    except BronwijzerError as exc:
        raise _fail(exc) from exc
    if as_json:
        console.print_json(json.dumps({"question": answer.question, **ask_response(answer).model_dump()}, ensure_ascii=False))
        return
    if answer.note:
        console.print(f"[yellow]{answer.note}[/yellow]")
    console.print(answer.text, markup=False, highlight=False)
    shown = answer.citations or [type("C", (), {"marker": p.rank, "passage": p})() for p in answer.passages[:3]]
    if shown:
        console.print("\n[bold]Bronnen[/bold]" if answer.citations else "\n[bold]Dichtstbijzijnde passages[/bold]")
    for c in shown:
        chunk = c.passage.chunk
        where = chunk.location()
        console.print(f"[{c.marker}] {chunk.title}" + (f", {where}" if where else ""), markup=False, highlight=False)
        if url := web_url(c.passage.url):
            # On its own line and never wrapped, so a terminal can still open it.
            console.print(f"    {url}", soft_wrap=True, markup=False, highlight=False)


@app.command("eval")
def evaluate(
    question_sets: Annotated[list[Path], typer.Argument(
        help="Vragenset(s) (JSON Lines), bijv. evals/sets/dev.jsonl; bij meer sets ook een rapport over alle samen.",
    )],
    url: Annotated[str | None, typer.Option(help="Test een draaiende server via de REST-API in plaats van in dit proces.")] = None,
    api_key: Annotated[str | None, typer.Option(
        envvar="BRONWIJZER_EVAL_API_KEY", help="Leessleutel voor een server met BRONWIJZER_API_KEYS (of zet BRONWIJZER_EVAL_API_KEY).",
    )] = None,
    report: Annotated[Path, typer.Option(help="Map voor het rapport (HTML, JSON, Markdown).")] = Path("out"),
    compare: Annotated[Path | None, typer.Option(
        help="Resultaten-JSON van een eerdere run om mee te vergelijken, of bij meer sets de map van een eerder rapport.",
    )] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Aantal passages per vraag.")] = 5,
    gate: Annotated[bool, typer.Option(help="Faal (exitcode 1) als een cijfer onder de drempel in evals/thresholds.toml ligt.")] = False,
    split: Annotated[str | None, typer.Option(help="Alleen 'tune' (om instellingen op te kiezen) of 'test' (alleen om te rapporteren); standaard beide.")] = None,
) -> None:
    """Meet de antwoordkwaliteit op vragensets en schrijf per set een rapport (tune en test naast
    elkaar); bij meer sets ook een over alle vragen samen ("alle-sets")."""
    from evals.clients import EngineClient, HttpClient
    from evals.gate import check
    from evals.judge import judge_from_settings
    from evals.report import write_report
    from evals.runner import pooled, run_eval

    if split not in (None, "tune", "test"):
        raise typer.BadParameter("kies 'tune' of 'test'", param_hint="--split")
    if compare is not None and len(question_sets) > 1 and not compare.is_dir():
        raise typer.BadParameter(
            "bij meer sets: geef de map van een eerder rapport (daarin {set}-results.json per set)", param_hint="--compare"
        )
    settings = get_settings()
    if url:
        client = HttpClient(url, api_key=api_key)
    else:
        engine = _components().engine
        engine.warm_up()  # latency figures are for answering, not for loading the model
        client = EngineClient(engine)
    try:
        runs = [run_eval(path, client, k=k, judge=judge_from_settings(settings), split=split) for path in question_sets]
    except BronwijzerError as exc:
        raise _fail(exc) from exc
    finally:
        close = getattr(client, "close", None)
        if close:
            close()

    def previous(name: str) -> Path | None:
        if compare is None or not compare.is_dir():
            return compare
        found = compare / f"{name}-results.json"
        return found if found.is_file() else None

    reported = [*runs, pooled(runs)] if len(runs) > 1 else runs
    for run in reported:
        paths = write_report(run, report, compare=previous(run.set_name))
        summary = paths["markdown"].read_text(encoding="utf-8")
        console.print(summary, markup=False, highlight=False)
        console.print(f"Rapport: {paths['html']}  JSON: {paths['json']}")
    if gate:
        # Thresholds hold per set (evals/thresholds.toml); the pooled run has none of its own.
        failures = [f"{run.set_name}: {failure}" if len(runs) > 1 else failure for run in runs for failure in check(run)]
        for failure in failures:
            errors.print(f"[red]Onder de drempel:[/red] {failure}")
        if failures:
            raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adres om op te luisteren (standaard BRONWIJZER_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Poort (standaard BRONWIJZER_PORT, 8000).")] = None,
    allow_unauthenticated: Annotated[bool, typer.Option(
        "--allow-unauthenticated", help="Luister ook zonder sleutels of logins op een ander adres dan loopback (bewust open).",
    )] = False,
) -> None:
    """Start de webserver: REST-API, OpenAI-compatibele /v1 en (indien aanwezig) chat en Slack."""
    import uvicorn

    from app.access import exposure_problem
    from app.server import create_app
    from rag.readiness import readiness_problem

    parts = _components()
    host = host or parts.settings.host
    port = port or parts.settings.port
    settings = parts.settings.model_copy(update={"allow_unauthenticated": True}) if allow_unauthenticated else parts.settings
    problem = exposure_problem(settings, host)
    if problem is not None:
        errors.print(f"[red]Niet gestart:[/red] {problem}", markup=True, highlight=False)
        raise typer.Exit(2)
    not_ready = readiness_problem(parts.engine)
    if not_ready is not None:
        errors.print(f"[yellow]Let op:[/yellow] de index kan nog geen vragen beantwoorden. {not_ready}", highlight=False)
    try:
        web = create_app(components=parts)
    except BronwijzerError as exc:
        raise _fail(exc) from exc
    errors.print(f"Bronwijzer op http://{host}:{port} (API-documentatie: /docs)")
    proxies = parts.settings.trusted_proxies
    # Without trusted proxies, X-Forwarded-For is ignored: clients cannot choose their own address.
    uvicorn.run(
        web, host=host, port=port, log_level="info",
        proxy_headers=bool(proxies), forwarded_allow_ips=",".join(proxies) or None,
    )


@app.command("api-key")
def api_key() -> None:
    """Maak een nieuwe, willekeurige API-sleutel (voor BRONWIJZER_API_KEYS of BRONWIJZER_ADMIN_KEYS)."""
    import secrets

    typer.echo(secrets.token_urlsafe(32))


@app.command("chat-user")
def chat_user(
    name: Annotated[str, typer.Argument(help="Gebruikersnaam voor de chatpagina.")],
    password: Annotated[str, typer.Option(prompt="Wachtwoord", hide_input=True, confirmation_prompt=True, help="Het wachtwoord (wordt gevraagd).")],
) -> None:
    """Maak een login voor de chatpagina: zet de uitvoer in BRONWIJZER_CHAT_USERS (komma's tussen gebruikers)."""
    from app.passwords import hash_password

    if ":" in name or "," in name or not name.strip():
        errors.print("[red]Fout:[/red] een gebruikersnaam mag niet leeg zijn en geen ':' of ',' bevatten.")
        raise typer.Exit(2)
    if len(password) < 8:
        errors.print("[red]Fout:[/red] kies een wachtwoord van minstens 8 tekens.")
        raise typer.Exit(2)
    typer.echo(f"{name.strip()}:{hash_password(password)}")  # one line, never wrapped


@documents_app.command("list")
def documents_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Toon de geïndexeerde documenten."""
    parts = _components()
    try:
        docs = parts.engine.documents()
    except BronwijzerError as exc:
        raise _fail(exc) from exc
    if as_json:
        console.print_json(json.dumps([asdict(d) for d in docs], ensure_ascii=False))
        return
    if not docs:
        console.print("Er is nog niets geïndexeerd: voer eerst `bronwijzer ingest` uit.")
        return
    # The id is what `documents remove` needs: on a line of its own, never cut off or wrapped.
    for d in docs:
        about = ", ".join(x for x in (d.publisher, str(d.year) if d.year else None, f"{d.chunk_count} passages") if x)
        console.print(d.id, style="bold", soft_wrap=True, markup=False, highlight=False)
        console.print(f"    {d.title} ({about})", soft_wrap=True, markup=False, highlight=False)
        if url := web_url(d.url):
            console.print(f"    {url}", soft_wrap=True, markup=False, highlight=False)


@documents_app.command("remove")
def documents_remove(document_id: Annotated[str, typer.Argument(help="Document-id (de bestandsnaam).")]) -> None:
    """Verwijder een document en al zijn passages uit de index."""
    from ingest.jobs import IngestJobs

    parts = _components()
    try:
        # Through the ingest jobs' store lock and bookkeeping: an uploaded file goes with it.
        removed = IngestJobs(parts.settings, parts.store).remove_document(document_id)
    except BronwijzerError as exc:
        raise _fail(exc) from exc
    console.print(f"Verwijderd: {removed.id} ({removed.chunk_count} passages).")



# -- feedback: the ratings school leaders give in the chat page -----------------------------

feedback_app = typer.Typer(help="Beoordelingen uit de chat (duim omhoog/omlaag) exporteren.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="Uitvoerformaat: csv of jsonl.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Schrijf naar dit bestand (standaard: het scherm).")] = None,
) -> None:
    """Exporteer alle beoordelingen met vraag, antwoord, opmerking en geciteerde documenten."""
    import sys

    from app.feedback import EXPORT_FORMATS, FeedbackStore

    if fmt not in EXPORT_FORMATS:
        errors.print(f"[red]Fout:[/red] onbekend formaat {fmt!r}; kies csv of jsonl.")
        raise typer.Exit(2)
    try:
        store = FeedbackStore.for_settings(get_settings())
    except ValueError as exc:  # pydantic validation of BRONWIJZER_* variables
        errors.print(f"[red]Ongeldige instelling:[/red] {exc}")
        raise typer.Exit(2) from exc
    if output is None:
        count = store.export(sys.stdout, fmt)
    else:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = store.export(out, fmt)
    where = f" naar {output}" if output else ""
    errors.print(f"Geëxporteerd: {count} beoordeling{'' if count == 1 else 'en'}{where}.")


if __name__ == "__main__":
    app()
