"""A bounded pool for questions: at most `size` are worked on at once, the rest wait their turn.

Answering is CPU-bound Python and ONNX Runtime. Forty threads (Starlette's default pool) on
two cores only take turns at the GIL and the caches, so every question gets slower; with as
many workers as cores each question runs at full speed and the others queue in the event
loop, where waiting costs nothing. Streaming answers (mostly waiting on an LLM) do not take
a worker.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


class QuestionWorkers:
    """Runs engine calls in threads, `size` at a time."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size or os.cpu_count() or 1
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, function: Callable[..., T], *args, **kwargs) -> T:
        if self._limiter is None:  # made inside the event loop, on first use
            self._limiter = anyio.CapacityLimiter(self.size)
        return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs), limiter=self._limiter)
