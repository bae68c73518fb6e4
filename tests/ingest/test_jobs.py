"""Ingest jobs (`ingest.jobs`): real Chroma on tmp_path, a real child process per job.

The server's use of them (202, progress, 409) is in tests/app/test_api.py; a SIGKILL of the
whole server in the middle of a job is in tests/e2e/test_crash.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from ingest.jobs import DocumentExistsError, IngestJobs, JobQueueFullError, JobStatus
from rag.pipeline import build
from rag.types import sha256_hex

NOTE = "# Notitie\n\nDe gemeente Zuiderhaven investeert in 2025 twaalf miljoen euro in leesbevordering.\n"

pytestmark = pytest.mark.slow


@pytest.fixture
def make_jobs(make_settings):
    started: list[IngestJobs] = []

    def make(**overrides) -> IngestJobs:
        settings = make_settings(**overrides)
        jobs = IngestJobs(settings, build(settings).store)
        jobs.start()
        started.append(jobs)
        return jobs

    yield make
    for jobs in started:
        jobs.stop()


def submit(jobs: IngestJobs, name: str, data: bytes, replace: bool = False) -> JobStatus:
    staged = jobs.incoming()
    staged.write_bytes(data)
    return jobs.submit(name, staged, sha256_hex(data), replace=replace)


def wait(jobs: IngestJobs, job_id: str, timeout: float = 180) -> JobStatus:
    deadline = time.monotonic() + timeout
    while (status := jobs.status(job_id)).state in ("queued", "running"):
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    return status


def children_working_on(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if str(folder) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def test_a_job_past_its_time_budget_is_stopped_and_changes_nothing(make_jobs):
    jobs = make_jobs(ingest_job_timeout=1.0)  # the child cannot even load the model in a second
    status = wait(jobs, submit(jobs, "notitie.md", NOTE.encode()).id)
    assert status.state == "failed" and status.outcome is None
    assert "langer dan 1 seconden" in status.message and "index is niet veranderd" in status.message
    assert jobs.store.documents() == []
    assert not (jobs.jobs_dir / status.id).exists()
    assert children_working_on(jobs.jobs_dir / status.id) == []
    assert not (jobs.uploads_dir / "notitie.md").exists()


def test_a_document_over_the_limits_fails_with_the_reason(make_jobs):
    jobs = make_jobs(max_document_chars=1000)
    status = wait(jobs, submit(jobs, "lang.txt", ("Een zin over leraren. " * 300).encode()).id)
    assert status.state == "failed"
    assert status.message.startswith("lang.txt: ") and "hoogstens 1.000 tekens" in status.message
    assert str(jobs.jobs_dir) not in status.message


def test_names_in_use_and_a_full_queue_are_refused(make_jobs):
    jobs = make_jobs(max_queued_jobs=2, ingest_job_timeout=120)
    first = submit(jobs, "notitie.md", NOTE.encode())
    with pytest.raises(DocumentExistsError, match="wordt al een document 'notitie.md' verwerkt"):
        submit(jobs, "notitie.md", NOTE.encode(), replace=True)
    submit(jobs, "tweede.md", NOTE.encode())
    with pytest.raises(JobQueueFullError, match="wachtrij"):
        submit(jobs, "derde.md", NOTE.encode())
    assert sorted(p.name for p in jobs.jobs_dir.iterdir() if p.name.startswith("incoming")) == []  # refused files removed
    done = wait(jobs, first.id)
    assert done.state == "succeeded" and done.outcome == "indexed"
    with pytest.raises(DocumentExistsError, match="replace=true"):
        submit(jobs, "notitie.md", b"Andere tekst over leraren.")


def test_what_a_crash_left_behind_is_removed_at_start(make_settings, embedder):
    settings = make_settings()
    store = build(settings).store
    kept = IngestJobs(settings, store)
    kept.start()
    done = wait(kept, submit(kept, "notitie.md", NOTE.encode()).id)
    assert done.state == "succeeded"
    kept.stop()
    # What a SIGKILL can leave: a job folder, a half-received upload, a file the index never got.
    (settings.home / "jobs" / "0123abcd").mkdir(parents=True)
    (settings.home / "jobs" / "0123abcd" / "groot.pdf").write_bytes(b"%PDF")
    (settings.home / "jobs" / "incoming-x.part").write_bytes(b"half")
    (settings.home / "uploads" / "wees.txt").write_text("niet in de index", encoding="utf-8")
    again = IngestJobs(settings, store)
    again.start()
    try:
        assert list((settings.home / "jobs").iterdir()) == []
        assert [p.name for p in (settings.home / "uploads").iterdir()] == ["notitie.md"]
        removed = again.remove_document("notitie.md")  # an upload the index knows is removable, file and all
        assert removed.id == "notitie.md" and list((settings.home / "uploads").iterdir()) == []
    finally:
        again.stop()


def test_the_ingest_child_runs_at_the_lowest_priority():
    import subprocess
    import sys

    probe = "import os; from ingest.jobs import lower_priority; lower_priority(); print(os.nice(0))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "19"


def test_a_replaced_upload_reuses_the_vectors_of_its_unchanged_passages(make_jobs):
    jobs = make_jobs()
    text = "# Notitie\n\n" + "\n\n".join(f"Alinea {i}: de gemeente Zuiderhaven investeert {i} miljoen euro in lezen." for i in range(30))
    first = wait(jobs, submit(jobs, "notitie.md", text.encode()).id)
    assert first.state == "succeeded", first.message
    changed = text + "\n\nAlinea 30: een nieuwe alinea over rekenen.\n"
    second = wait(jobs, submit(jobs, "notitie.md", changed.encode(), replace=True).id)
    assert second.state == "succeeded", second.message
    assert second.document.chunk_count == second.total
    keys = [m["embedding_key"] for m in jobs.store.chunks.get(where={"version": second.document.version}, include=["metadatas"])["metadatas"]]
    assert len(keys) == second.document.chunk_count
