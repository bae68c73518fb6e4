"""Shared fixtures: real settings on tmp dirs, one real embedding model per test session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag.protocols import Embedder
from rag.retrieval.embedders import make_embedder
from rag.settings import REPO_ROOT, Settings

CORPUS = REPO_ROOT / "corpus"


@pytest.fixture(scope="session")
def models_dir(request: pytest.FixtureRequest) -> Path:
    # The pytest cache survives between local runs, so the model is converted once per checkout.
    return Path(request.config.cache.mkdir("bronwijzer-models"))


@pytest.fixture
def make_settings(tmp_path: Path, models_dir: Path):
    """Settings isolated from the environment and .env, with a fresh data directory."""

    def make(**overrides) -> Settings:
        values = {"home": tmp_path / "home", "model_cache": models_dir} | overrides
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture(scope="session")
def embedder(models_dir: Path) -> Embedder:
    """The real bundled e5 model as the default settings run it, loaded once for the whole session."""
    model = make_embedder(Settings(_env_file=None, home=models_dir.parent, model_cache=models_dir))
    model.warm_up()
    return model


@dataclass(frozen=True)
class CorpusIndex:
    """The whole corpus, indexed once per test session through the real CLI."""

    home: Path
    env: dict
    summary: dict
    settings: Settings


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, models_dir) -> CorpusIndex:
    home = tmp_path_factory.mktemp("corpus-home")
    env = os.environ | {"BRONWIJZER_HOME": str(home), "BRONWIJZER_MODEL_CACHE": str(models_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "--json"], env=env, cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    return CorpusIndex(home, env, json.loads(result.stdout), Settings(_env_file=None, home=home, model_cache=models_dir))
