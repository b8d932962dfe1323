"""One SQLite writer at a time per process, queued in arrival order.

SQLite admits one writer. Without a gate, concurrent writer transactions (BEGIN IMMEDIATE) wait
in SQLite's busy handler, which sleeps in growing steps of up to 100 ms and wakes waiters in no
particular order: under 16 concurrent `/infrawork add` requests some waited over a second
(bench/RESULTS.md). Queueing them on an asyncio lock instead hands the database over the moment
the previous writer commits. Other processes (the CLI, a second replica) still meet SQLite's busy
timeout, as before.
"""

from __future__ import annotations

import asyncio


class WriterGate:
    """An asyncio lock for writer units of work, safe to nest and never worse than no gate.

    A unit of work nested in one that already holds the gate (same task) passes through, and a
    writer that waits longer than ``timeout`` goes ahead to SQLite's own busy handling.
    """

    def __init__(self, timeout: float) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._timeout = timeout

    async def enter(self) -> bool:
        """Wait for the gate; True when this caller holds it and must call ``leave``."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            return False
        try:
            async with asyncio.timeout(self._timeout):
                await self._lock.acquire()
        except TimeoutError:
            return False
        self._owner = task
        return True

    def leave(self, entered: bool) -> None:
        if entered:
            self._owner = None
            self._lock.release()
