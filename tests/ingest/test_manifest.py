"""Reading the corpus manifest: metadata per file, a url only when it is a web address."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.manifest import read_manifest
from rag.types import web_url


def test_manifest_entry_carries_its_url(tmp_path: Path):
    (tmp_path / "manifest.toml").write_text(
        '["nota.txt"]\ntitle = "Nota over speelpleinen"\nurl = " https://gemeente.example/nota "\n\n'
        '["brief.txt"]\ntitle = "Brief zonder adres"\n',
        encoding="utf-8",
    )
    entries = read_manifest(tmp_path)
    assert entries["nota.txt"].url == "https://gemeente.example/nota"
    assert entries["brief.txt"].url is None


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.org/x", "/relative/path", "https://", 42])
def test_manifest_ignores_a_url_that_is_no_web_address(tmp_path: Path, bad):
    value = f'"{bad}"' if isinstance(bad, str) else str(bad)
    (tmp_path / "manifest.toml").write_text(f'["nota.txt"]\ntitle = "Nota"\nurl = {value}\n', encoding="utf-8")
    entry = read_manifest(tmp_path)["nota.txt"]
    assert entry.title == "Nota"
    assert entry.url is None


@pytest.mark.parametrize("url", ["http://example.org", "https://www.example.nl/a/b?c=1&d=2#e", "HTTPS://EXAMPLE.ORG/"])
def test_web_url_keeps_http_and_https(url):
    assert web_url(url) == url


@pytest.mark.parametrize(
    "bad",
    [
        None, "", "   ", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "mailto:a@b.nl",
        "//example.org/x", "example.org", "https://exa mple.org", 'https://example.org/"onmouseover="x',
        "https://example.org/<script>", "https://example.org/a|b", "https://example.org/\x00", "http://" + "a" * 2100,
    ],
)
def test_web_url_refuses_anything_else(bad):
    assert web_url(bad) is None
