"""Test doubles that ship with Bronwijzer, so the parts above the model can be tested fast.

`HashingEmbedder` turns text into a deterministic vector without any model: every content
stem (and every character trigram of it) is hashed into one of `dimension` buckets. Texts
that share words get a high cosine, as with a real model, so retrieval, fusion, filters,
diversity and the keyword index can be tested against a real Chroma (embedded or a `chroma
run` server) in milliseconds. It is a stand-in for the embedding model only: everything else
is the real thing.

    from rag.testing import HashingEmbedder, invented_corpus
    components = build(settings, embedder=HashingEmbedder())
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.text.analysis import content_stems

#: Invented documents (no corpus text, no question of a set): two small policy notes.
INVENTED_DOCUMENTS: dict[str, str] = {
    "vijvers.md": (
        "# De vijvers van het stadspark\n\n"
        "## Aantal vijvers\n\n"
        "In 2021 telde het stadspark 14 vijvers. In 2023 waren het er 19, omdat de gemeente vijf nieuwe "
        "vijvers liet graven aan de oostkant. De tuinmannen van de gemeente onderhouden de vijvers.\n\n"
        "## Onderhoud\n\n"
        "Het riet langs de vijvers groeit snel omdat het water voedselrijk is. Daardoor wordt het riet elk "
        "najaar gemaaid. Een vijver schoonmaken kost volgens de gemeente ongeveer € 2.500.\n"
    ),
    "kikkers.md": (
        "# Plan voor de kikkers\n\n"
        "Het kikkerplan is in 2022 opgesteld door de stichting Groene Oevers. Het plan noemt drie maatregelen:\n\n"
        "- Elke vijver krijgt een ondiepe oever waar kikkers kunnen schuilen.\n"
        "- Tussen de vijvers komen tunnels onder de paden door.\n"
        "- Vrijwilligers tellen elk voorjaar de kikkers.\n\n"
        "## Tellingen\n\n"
        "Bij de telling van 2023 zagen de vrijwilligers 310 kikkers, tegen 240 in 2022. De stichting wil dat "
        "het aantal kikkers in 2030 is verdubbeld.\n"
    ),
    "bijen.txt": (
        "Bijen in de stad\n\n"
        "De gemeente zaait elk voorjaar bloemenweides voor wilde bijen. In 2023 telden imkers 42 soorten "
        "wilde bijen in de stad. De meeste bijen leven in de tuinen aan de westkant.\n"
    ),
}
INVENTED_MANIFEST = """
["vijvers.md"]
title = "De vijvers van het stadspark"
publisher = "Gemeente Vlinderstad"
year = 2023

["kikkers.md"]
title = "Plan voor de kikkers"
publisher = "Stichting Groene Oevers"
year = 2022
aliases = ["kikkerplan"]

["bijen.txt"]
title = "Bijen in de stad"
publisher = "Gemeente Vlinderstad"
year = 2023
"""


def invented_corpus(directory: Path) -> Path:
    """Write the invented documents and their manifest into `directory`; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in INVENTED_DOCUMENTS.items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "manifest.toml").write_text(INVENTED_MANIFEST, encoding="utf-8")
    return directory


class HashingEmbedder(Embeddings):
    """Deterministic vectors from hashed stems and trigrams: no model, no randomness."""

    def __init__(self, dimension: int = 256, model_name: str = "hashing-test") -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be greater than 0, got {dimension}")
        self._dimension = dimension
        self._model_name = model_name
        self.calls = 0  # texts embedded, for tests that count (re-)embedding

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return self._dimension

    def warm_up(self) -> None:
        """Nothing to load."""

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        return value % self._dimension, 1.0 if value >> 63 else -1.0

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self._dimension
        for stem in content_stems(text):
            index, sign = self._bucket(stem)
            vector[index] += 2.0 * sign
            padded = f"#{stem}#"
            for i in range(len(padded) - 2):
                index, sign = self._bucket(padded[i : i + 3])
                vector[index] += 0.5 * sign
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return self._vector(text)


__all__ = ["INVENTED_DOCUMENTS", "INVENTED_MANIFEST", "HashingEmbedder", "invented_corpus"]
