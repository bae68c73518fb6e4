"""What a failing Chroma store tells its users and operators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Lists the documents of an empty index, and prints the error's class and Dutch message.
LIST_DOCUMENTS = """
import json, sys
from rag.errors import BronwijzerError
from rag.retrieval.store import ChromaStore
from rag.settings import Settings
try:
    ChromaStore(Settings(_env_file=None, home=sys.argv[1])).documents()
    print(json.dumps({"error": None}))
except BronwijzerError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": exc.message}))
"""


def _list_documents(home: Path, pythonpath: list[Path]) -> dict:
    env = os.environ | {"PYTHONPATH": os.pathsep.join(str(p) for p in (*pythonpath, REPO))}
    done = subprocess.run(
        [sys.executable, "-c", LIST_DOCUMENTS, str(home)], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_broken_installation_is_not_called_a_corrupt_index(tmp_path: Path):
    # A module named like a package Chroma imports ("attr.py" in the working directory) shadows
    # it: a real broken installation. Rebuilding the index would not mend it.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "attr.py").write_text("# not the attrs package\n", encoding="utf-8")
    assert _list_documents(tmp_path / "home", []) == {"error": None}
    broken = _list_documents(tmp_path / "home", [shadow])
    assert broken["error"] == "ConfigurationError"
    assert "niet volledig geïnstalleerd" in broken["message"] and "scripts/setup.sh" in broken["message"]
    assert "ingest --rebuild" not in broken["message"]
