"""schemathesis over the app's own /openapi.json, against the whole app on loopback.

All of schemathesis's checks (server errors, status codes, content types, response schemas,
headers, undeclared methods, auth that is ignored, valid data refused, invalid data accepted),
all phases (examples, coverage, fuzzing, stateful), with a bounded number of examples and a
fixed seed. Keys are configured: the whole run uses a reading key, so the stateful phase can
find documents and try to delete them, and afterwards every document must still be there.
A second, smaller run uses the admin key on uploads and their jobs only.
What the schema cannot say (a year range that runs backwards, a chat that does not end with
the user's question) is told to schemathesis in tests/app/fuzz_hooks.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import httpx
import pytest

from rag.settings import REPO_ROOT, Settings
from tests.app.conftest import LIVE_DOCUMENTS, running

READ_KEY = "lees-sleutel-fuzz-0123456789"
ADMIN_KEY = "beheer-sleutel-fuzz-0123456789"
EXAMPLES = 20

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def fuzzed(live_index_home, models_dir, tmp_path_factory):
    """The whole app with keys, over its own copy of the small index (uploads may land in it)."""
    home = tmp_path_factory.mktemp("fuzz-home")
    shutil.copytree(live_index_home / "chroma", home / "chroma")
    settings = Settings(
        _env_file=None, home=home, model_cache=models_dir, api_keys=[READ_KEY], admin_keys=[ADMIN_KEY],
        rate_limit_questions="100000/minute", rate_limit_writes="100000/minute", rate_limit_other="100000/minute",
        ingest_job_timeout=5, max_queued_jobs=1000,
    )
    with running(settings) as server:
        yield server


def schemathesis(url: str, key: str, *options: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(REPO_ROOT / "tests" / "app" / "schemathesis.toml"),
        "run", f"{url}/openapi.json", "--max-examples", str(EXAMPLES), "--seed", "9", "--no-color",
        "--header", f"Authorization: Bearer {key}", *options,
    ]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200)
    print(result.stdout[-3000:])
    return result


def test_the_api_keeps_to_its_schema_and_a_reading_key_deletes_nothing(fuzzed):
    before = httpx.get(f"{fuzzed.url}/api/documents", headers={"X-API-Key": READ_KEY}).json()
    assert [d["id"] for d in before["documents"]] == sorted(LIVE_DOCUMENTS)
    result = schemathesis(fuzzed.url, READ_KEY, "--phases", "examples,coverage,fuzzing,stateful")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "✅ Stateful" in result.stdout
    after = httpx.get(f"{fuzzed.url}/api/documents", headers={"X-API-Key": READ_KEY}).json()
    assert after == before


def test_uploads_and_their_jobs_keep_to_the_schema(fuzzed):
    result = schemathesis(
        fuzzed.url, ADMIN_KEY, "--phases", "examples,coverage,fuzzing",
        "--include-path-regex", "^/api/(documents|jobs/)", "--exclude-method", "DELETE",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
