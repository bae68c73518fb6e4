"""The question pool never runs more than its size at once, and the rest wait their turn."""

from __future__ import annotations

import threading

import anyio

from app.workers import QuestionWorkers


def test_at_most_size_questions_run_at_once():
    workers = QuestionWorkers(2)
    lock = threading.Lock()
    running, most = 0, 0
    two_in = threading.Event()
    release = threading.Event()

    def question(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 2:
                two_in.set()
        release.wait(timeout=30)
        with lock:
            running -= 1
        return i

    async def main() -> list[int]:
        results: list[int] = []

        async def ask(i: int) -> None:
            results.append(await workers.run(question, i))

        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(ask, i)
            await anyio.to_thread.run_sync(two_in.wait, 30)
            assert most == 2
            release.set()
        return results

    assert sorted(anyio.run(main)) == list(range(6))
    assert most == 2
