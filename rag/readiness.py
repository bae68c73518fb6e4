"""Can the index answer a question right now? One real search says so.

`readiness_problem(engine)` runs a search for a fixed question through the whole read path
(query embedding, Chroma, keyword index). None means ready; otherwise a Dutch reason a school
leader or operator can act on. Used by `/readyz` and at server start, so a corrupt or empty
index is reported at once instead of turning every question into an error.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rag.errors import BronwijzerError

if TYPE_CHECKING:
    from rag.engine import Engine

log = logging.getLogger(__name__)

PROBE_QUESTION = "Wat zijn de belangrijkste ontwikkelingen in het onderwijs?"

REBUILD_HINT = "Bouw de index opnieuw op met `bronwijzer ingest --rebuild`."


def readiness_problem(engine: "Engine") -> str | None:
    """None when a real search returns passages; otherwise why not (Dutch)."""
    try:
        passages = engine.search(PROBE_QUESTION, k=1)
    except BronwijzerError as exc:
        return exc.message
    except Exception as exc:  # a broken index raises whatever its library raises
        log.error("Readiness probe failed: the index cannot answer (%s: %s)", type(exc).__name__, exc, exc_info=exc)
        return f"De index kan geen vragen beantwoorden: hij is beschadigd of onleesbaar. {REBUILD_HINT}"
    if not passages:
        return f"De index geeft op een gewone vraag geen enkele passage terug. {REBUILD_HINT}"
    return None
