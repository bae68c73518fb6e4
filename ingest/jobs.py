"""Uploads as ingest jobs: queued, worked on one at a time in a child process, stopped by a time budget.

    jobs = IngestJobs(settings, store)
    jobs.start()                                   # clears what a crash left behind
    staged = jobs.incoming()                       # a fresh file inside the data dir to stream into
    status = jobs.submit("nota.pdf", staged, sha256, replace=False)
    jobs.status(status.id)                         # stage, progress, outcome

Why a child process: loading, cleaning and embedding a large document is minutes of CPU-bound
Python. In the server's own process it would hold the GIL and slow every question, and a thread
cannot be stopped. The child (`python -m ingest.jobs`) does that work at low priority with few
threads and writes chunks and vectors into the job's folder; the server then stores them in
Chroma under the store lock (seconds), so questions and other jobs' reads never wait for an
ingest. A job that runs past `ingest_job_timeout` is killed and the index stays as it was.

Nothing outlives a crash: the child watches its stdin, a pipe from the server, and exits when the
server is gone (even after SIGKILL); on start, `IngestJobs.start` removes job folders and any
upload that the index does not know. A document becomes live in one registry write, and only
then is its file moved into `uploads/`, so an upload is either in the index or not on disk.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import Literal

from ingest.loaders import SUPPORTED_SUFFIXES, is_supported
from ingest.pipeline import document_version
from rag.errors import BronwijzerError, IngestError, UnsupportedFormatError
from rag.settings import Settings
from rag.retrieval.store import ChromaStore
from rag.types import IndexedDocument
from rag.types import Chunk

log = logging.getLogger(__name__)

State = Literal["queued", "running", "succeeded", "failed"]
Stage = Literal["wachtrij", "lezen", "embedden", "opslaan", "klaar"]

#: Finished jobs remembered for `status` (older ones are forgotten first).
KEEP_FINISHED = 1000
#: Settings the child needs no copy of.
_SECRETS = {"api_keys", "admin_keys", "chat_users", "slack_signing_secret", "slack_bot_token", "llm_api_key"}


class DocumentExistsError(BronwijzerError):
    """An upload under a name that is already taken, without an explicit replace."""

    status = 409


class JobQueueFullError(BronwijzerError):
    """Too many uploads waiting; try again later."""

    status = 503


@dataclass(frozen=True)
class JobStatus:
    """One job as clients see it: where it is, how far, and how it ended."""

    id: str
    name: str
    replace: bool
    state: State
    stage: Stage
    done: int = 0
    total: int = 0
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    outcome: Literal["indexed", "unchanged"] | None = None
    document: IndexedDocument | None = None
    message: str | None = None


@dataclass
class _Job:
    status: JobStatus
    staged: Path
    version: str


# -- names ------------------------------------------------------------------------------

_RESERVED = set('<>:"/\\|?*')


def document_name(raw: str) -> str:
    """The document id for an uploaded file name: its own letters kept, nothing that leaves `uploads/`.

    Unicode letters, digits, marks and symbols stay (NFC), so `é€漢字.txt` stays itself; path parts,
    control characters and characters that no file system takes go; runs of white space and reserved
    characters become one "-". Two names that come out the same are not merged: the second upload
    meets the first one's name and is refused unless it replaces it on purpose.
    """
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", raw)[-1])
    kept = []
    for ch in base:
        category = unicodedata.category(ch)
        if ch.isspace() or ch in _RESERVED:
            kept.append("-")
        elif category[0] == "C":  # control, format, surrogate, private use, unassigned
            continue
        else:
            kept.append(ch)
    name = re.sub(r"-{2,}", "-", "".join(kept)).strip(".-_ ")
    stem, dot, suffix = name.rpartition(".")
    if not name or (dot and not stem.strip(".-_ ")):
        raise IngestError(raw or "(geen naam)", "de bestandsnaam is leeg of onbruikbaar; geef het bestand een naam.")
    # File systems allow 255 bytes per name: shorten the stem, keep the suffix.
    while len(name.encode("utf-8")) > 200:
        stem = stem[:-1]
        name = f"{stem.rstrip('.-_ ')}.{suffix}"
    if not is_supported(Path(name)):
        raise UnsupportedFormatError(
            name, f"bestandstype wordt niet ondersteund. Ondersteund: {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    return name


# -- the queue --------------------------------------------------------------------------


class IngestJobs:
    """The server's ingest jobs and its writes to the store (uploads and removals)."""

    def __init__(self, settings: Settings, store: ChromaStore, on_change: Callable[[], object] | None = None) -> None:
        self.settings = settings
        self.store = store
        #: Called after every write to the store (the server refreshes its in-memory index).
        self._on_change = on_change
        self.jobs_dir = settings.home / "jobs"
        self.uploads_dir = settings.home / "uploads"
        #: Held only while the store is written (seconds), never while a document is prepared.
        self.store_lock = threading.Lock()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: Queue[_Job | None] = Queue()
        self._worker: threading.Thread | None = None
        self._child: subprocess.Popen | None = None
        self._stopping = threading.Event()

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Remove what an earlier run left behind, then take jobs."""
        self._remove_leftovers()
        self._worker = threading.Thread(target=self._work, name="bronwijzer-ingest-jobs", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """Stop the running child and fail what is queued (the server is going down)."""
        self._stopping.set()
        self._queue.put(None)
        child = self._child
        if child is not None and child.poll() is None:
            child.kill()
        if self._worker is not None:
            self._worker.join(timeout=30)
        for job in self._unfinished():
            self._finish(job, message="De server is gestopt voordat dit document was geïndexeerd; upload het opnieuw.")

    def _remove_leftovers(self) -> None:
        if self.jobs_dir.exists():
            for leftover in self.jobs_dir.iterdir():
                log.warning("Removing leftover of an interrupted upload: %s", leftover.name)
                shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
        if not self.uploads_dir.exists():
            return
        try:
            known = {Path(d.source_path).resolve() for d in self.store.documents() if d.source_path}
        except Exception as exc:  # the index cannot be read: then nothing can be called an orphan
            log.warning("Uploads not checked for orphans: the index cannot be read (%s)", exc)
            return
        for path in self.uploads_dir.iterdir():
            if path.resolve() not in known:
                log.warning("Removing upload %s: it is not in the index (left by an interrupted run)", path.name)
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)

    # -- submitting ---------------------------------------------------------------------

    def incoming(self) -> Path:
        """A new, empty path inside the data directory for an upload to stream into."""
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        return self.jobs_dir / f"incoming-{uuid.uuid4().hex}.part"

    def submit(self, name: str, staged: Path, sha256: str, *, replace: bool = False) -> JobStatus:
        """Queue `staged` (from `incoming`) to be indexed as document `name`; the file is the queue's now."""
        try:
            existing = self.store.document(name)
            with self._lock:
                if existing is not None and not replace:
                    raise DocumentExistsError(
                        f"Er staat al een document '{name}' in de index. Geef het bestand een andere naam, of "
                        "vervang het bewust: POST /api/documents?replace=true (beheerder)."
                    )
                busy = [j for j in self._unfinished_locked() if j.status.name == name]
                if busy:
                    raise DocumentExistsError(
                        f"Er wordt al een document '{name}' verwerkt (taak {busy[0].status.id}); wacht tot die taak klaar is."
                    )
                if len(self._unfinished_locked()) >= self.settings.max_queued_jobs:
                    raise JobQueueFullError(
                        f"Er staan al {self.settings.max_queued_jobs} uploads in de wachtrij; probeer het over een paar minuten opnieuw."
                    )
                job_id = uuid.uuid4().hex
                folder = self.jobs_dir / job_id
                folder.mkdir(parents=True)
                target = folder / name
                staged.replace(target)
                job = _Job(
                    JobStatus(id=job_id, name=name, replace=replace, state="queued", stage="wachtrij", created_at=time.time()),
                    target,
                    document_version(sha256, self.settings),
                )
                self._jobs[job_id] = job
                self._forget_old_locked()
        finally:
            staged.unlink(missing_ok=True)
        self._queue.put(job)
        log.info("Queued ingest job %s for %s (replace=%s)", job.status.id, name, replace)
        return job.status

    def status(self, job_id: str) -> JobStatus | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job.status if job is not None else None

    def remove_document(self, document_id: str) -> IndexedDocument:
        """Remove a document from the index, and its uploaded file (corpus files stay where they are)."""
        with self.store_lock:
            removed = self.store.remove_document(document_id)
            source = Path(removed.source_path).resolve() if removed.source_path else None
            if source is not None and source.parent == self.uploads_dir.resolve():
                source.unlink(missing_ok=True)
        self._changed()
        return removed

    def _changed(self) -> None:
        if self._on_change is not None:
            try:
                self._on_change()
            except Exception:  # the write itself succeeded; the next refresh catches up
                log.warning("Refreshing the in-memory index after a write failed", exc_info=True)

    # -- bookkeeping ----------------------------------------------------------------------

    def _unfinished_locked(self) -> list[_Job]:
        return [j for j in self._jobs.values() if j.status.state in ("queued", "running")]

    def _unfinished(self) -> list[_Job]:
        with self._lock:
            return self._unfinished_locked()

    def _forget_old_locked(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status.state in ("succeeded", "failed")]
        for key in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[key]

    def _update(self, job: _Job, **changes) -> None:
        with self._lock:
            job.status = dataclasses.replace(job.status, **changes)

    def _finish(self, job: _Job, *, message: str, outcome=None, document: IndexedDocument | None = None) -> None:
        # The job's folder goes before the job is reported finished: a finished job left nothing behind.
        shutil.rmtree(job.staged.parent, ignore_errors=True)
        state: State = "succeeded" if outcome else "failed"
        self._update(job, state=state, stage="klaar", finished_at=time.time(), outcome=outcome, document=document, message=message)
        log.info("Ingest job %s (%s) %s: %s", job.status.id, job.status.name, state, message)

    # -- working ----------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self._queue.get(timeout=1)
            except Empty:
                continue
            if job is None or self._stopping.is_set():
                break
            try:
                self._run(job)
            except Exception:
                log.exception("Ingest job %s failed unexpectedly", job.status.id)
                self._finish(job, message=f"{job.status.name}: het indexeren is onverwacht mislukt; de index is niet veranderd.")
            finally:
                shutil.rmtree(job.staged.parent, ignore_errors=True)

    def _run(self, job: _Job) -> None:
        name = job.status.name
        self._update(job, state="running", stage="lezen", started_at=time.time())
        current = self.store.document(name)
        if current is not None and current.version == job.version:
            if not job.status.replace:
                self._finish(job, message=f"Er staat al een document '{name}' in de index.")
                return
            self._finish(job, outcome="unchanged", document=current, message=f"{name}: ongewijzigd (stond al zo in de index).")
            return
        if current is not None:
            # A replaced document keeps most of its passages: hand their vectors to the child.
            _write_known_vectors(job.staged.parent, self.store.vectors_of_version(current.version))
        prepared = self._prepare_in_child(job)
        if prepared is None:
            return
        record, chunks, vectors, model = prepared
        self._update(job, stage="opslaan")
        target = self.uploads_dir / name
        with self.store_lock:
            if self.store.document(name) is not None and not job.status.replace:
                self._finish(job, message=f"Er staat inmiddels al een document '{name}' in de index; het is niet vervangen.")
                return
            self.store.ensure_model(*model)
            record = dataclasses.replace(record, source_path=str(target.resolve()), ingested_at=time.time())
            from ingest.pipeline import store_document

            store_document(self.store, record, chunks, vectors)
            # Live first, then on disk: a crash in between leaves a document whose file is
            # missing (removable as usual), never a file the index does not know.
            self.uploads_dir.mkdir(parents=True, exist_ok=True)
            job.staged.replace(target)
        self._changed()
        self._finish(job, outcome="indexed", document=record, message=f"{name}: geïndexeerd, {record.chunk_count} passages.")

    def _prepare_in_child(self, job: _Job):
        """Run the child on the job's file; its result, or None when the job failed (already recorded)."""
        folder = job.staged.parent
        budget = self.settings.ingest_job_timeout
        settings = self.settings.model_dump(mode="json", exclude=_SECRETS)
        settings["embed_threads"] = self.settings.ingest_job_threads
        with open(folder / "child.log", "wb") as child_log:
            child = subprocess.Popen(
                [sys.executable, "-m", "ingest.jobs", str(folder), job.status.name],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=child_log,
                cwd=str(Path(__file__).resolve().parent.parent), text=True,
            )
        self._child = child
        timed_out = threading.Event()

        def stop_overdue() -> None:
            timed_out.set()
            child.kill()

        timer = threading.Timer(budget, stop_overdue)
        timer.daemon = True
        timer.start()
        failure: str | None = None
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(json.dumps(settings) + "\n")
            child.stdin.flush()  # stdin stays open: its end tells the child that the server is gone
            for event in _events(child.stdout):
                if "failed" in event:
                    failure = event["failed"]
                elif "stage" in event:
                    counts = {k: event[k] for k in ("done", "total") if k in event}
                    self._update(job, stage=event["stage"], **counts)
            code = child.wait()
        finally:
            timer.cancel()
            if child.poll() is None:
                child.kill()
                child.wait()
            for pipe in (child.stdin, child.stdout):
                if pipe is not None:
                    pipe.close()
            self._child = None
        name = job.status.name
        if timed_out.is_set():
            self._finish(job, message=(
                f"{name}: het indexeren duurde langer dan {budget:g} seconden en is gestopt; de index is niet "
                "veranderd. Splits het document in delen, of laat de beheerder BRONWIJZER_INGEST_JOB_TIMEOUT verhogen."
            ))
            return None
        if self._stopping.is_set():
            self._finish(job, message="De server is gestopt voordat dit document was geïndexeerd; upload het opnieuw.")
            return None
        if failure is not None:
            self._finish(job, message=failure)
            return None
        if code != 0:
            tail = (folder / "child.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            log.error("Ingest child for job %s exited with %s:\n%s", job.status.id, code, tail)
            self._finish(job, message=f"{name}: het indexeren is onverwacht mislukt; de index is niet veranderd.")
            return None
        return _read_result(folder)


def _events(lines: Iterator[str]) -> Iterator[dict]:
    for line in lines:
        line = line.strip()
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                log.debug("ingest child wrote %r", line)


# -- what the child hands over ------------------------------------------------------------


def _write_result(folder: Path, record: IndexedDocument, chunks: list[Chunk], vectors, model: tuple[str, int]) -> None:
    import numpy as np

    np.save(folder / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    result = {"record": dataclasses.asdict(record), "chunks": [dataclasses.asdict(c) for c in chunks], "model": list(model)}
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def _write_known_vectors(folder: Path, known: dict[str, list[float]]) -> None:
    import numpy as np

    if known:
        keys = sorted(known)
        np.savez(folder / "known-vectors.npz", keys=np.array(keys), vectors=np.asarray([known[k] for k in keys], dtype=np.float32))


def _read_known_vectors(folder: Path) -> dict[str, list[float]]:
    import numpy as np

    path = folder / "known-vectors.npz"
    if not path.is_file():
        return {}
    with np.load(path) as data:
        return {str(k): v.tolist() for k, v in zip(data["keys"], data["vectors"])}


def _read_result(folder: Path):
    import numpy as np

    result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy").tolist()
    chunks = [Chunk(**c) for c in result["chunks"]]
    model_name, dimension = result["model"]
    return IndexedDocument(**result["record"]), chunks, vectors, (model_name, int(dimension))


# -- the child ----------------------------------------------------------------------------


def _emit(event: dict) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _exit_when_parent_goes() -> None:
    # The server holds our stdin open; end of file means it is gone (stopped, crashed, killed).
    while sys.stdin.readline():
        pass
    os._exit(3)


def lower_priority() -> None:
    """Questions first: nice 19, so the scheduler gives this process about 1/70 of a core's
    time while a question wants it, and all of it when nothing else runs. (Linux's SCHED_IDLE
    class would go further, but a server that is never idle would then never finish an upload.)
    """
    try:
        os.nice(19 - os.nice(0))
    except OSError:
        log.warning("Could not lower the priority of the ingest process")


def child_main(folder: Path, name: str) -> int:
    """Prepare and embed `folder/name`; write the result into `folder`. Settings arrive on stdin."""
    from ingest.pipeline import embed_chunks, prepare_document
    from rag.retrieval.embedders import make_embedder

    settings = Settings(_env_file=None, **json.loads(sys.stdin.readline()))
    threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    lower_priority()
    path = folder / name
    _emit({"stage": "lezen"})
    try:
        prepared = prepare_document(path, settings)
        embedder = make_embedder(settings)
        known = _read_known_vectors(folder)
        total = len(prepared.chunks)
        done = sum(1 for c in prepared.chunks if c.embedding_key in known)
        _emit({"stage": "embedden", "done": done, "total": total})

        def progress(n: int) -> None:
            nonlocal done
            done += n
            _emit({"stage": "embedden", "done": done, "total": total})

        vectors = embed_chunks(prepared.chunks, embedder, settings.embed_batch_size, progress, known)
        _write_result(folder, prepared.record(), prepared.chunks, vectors, (embedder.model_name, embedder.dimension))
    except BronwijzerError as exc:
        # Messages name the file by its path; users know it by its name.
        _emit({"failed": exc.message.replace(str(path), name)})
        return 0
    _emit({"stage": "opslaan"})
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(child_main(Path(sys.argv[1]), sys.argv[2]))
