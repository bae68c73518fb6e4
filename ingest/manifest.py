"""The corpus manifest (`manifest.toml` beside the documents): title, publisher, year,
description, aliases (other names users give the document) and url (where the publication
can be read)."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from rag.types import DocumentMeta, web_url

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"


def read_manifest(directory: Path) -> dict[str, DocumentMeta]:
    """Entries of `directory/manifest.toml` by file name; empty when there is none.

    A malformed manifest is reported and ignored, so that ingest still runs (titles are
    then derived from the documents).
    """
    path = directory / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        log.warning("Ignoring malformed manifest %s: %s", path, exc)
        return {}
    entries: dict[str, DocumentMeta] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not str(entry.get("title", "")).strip():
            log.warning("Manifest %s: entry %r has no title; ignored", path, name)
            continue
        year = entry.get("year")
        url = web_url(entry.get("url"))
        if entry.get("url") is not None and url is None:
            log.warning("Manifest %s: entry %r has a url that is not an http(s) address; ignored", path, name)
        entries[name] = DocumentMeta(
            title=str(entry["title"]).strip(),
            publisher=(str(entry["publisher"]).strip() or None) if entry.get("publisher") else None,
            year=int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None,
            description=(str(entry["description"]).strip() or None) if entry.get("description") else None,
            aliases=tuple(str(a).strip() for a in entry.get("aliases", ()) if str(a).strip())
            if isinstance(entry.get("aliases"), list) else (),
            url=url,
        )
    return entries


_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


def title_from_name(path: Path) -> str:
    """`staat-van-het-onderwijs-2024.txt` -> `Staat van het onderwijs 2024`."""
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name


def derive_meta(path: Path, text: str, title_hint: str | None) -> DocumentMeta:
    """Metadata for a file without a manifest entry: a title from its content or its name."""
    title = (title_hint or "").strip() or _title_from_text(text) or title_from_name(path)
    year_match = _YEAR.search(path.stem)
    return DocumentMeta(title=title, year=int(year_match.group(0)) if year_match else None)


def _title_from_text(text: str) -> str | None:
    """The first Markdown heading, or a short first line that looks like a title."""
    for line in text.splitlines()[:40]:
        line = line.strip()
        if line.startswith("#"):
            return line.lstrip("#").strip() or None
    for line in text.splitlines()[:5]:
        line = line.strip()
        if 3 <= len(line) <= 90 and not line.endswith((".", ",", ";", ":")) and any(c.isalpha() for c in line):
            return line
    return None
