"""Lookups of remembered values: one at a time per key, and started before the value expires.

The capture path remembers a channel's team and a team's model for a few seconds
(bot/services/teams.py, bot/services/learning.py). When such a value expired, every request that
found it expired read it again, each through its own unit of work, and each waited for its read:
under load these requests made most of the slowest 1 % (bench/RESULTS.md, "Request path"). Here
concurrent lookups of one key share one read (:meth:`Lookups.once`), and a value still in use is
read again in the background shortly before it expires (:meth:`Lookups.ahead`), so under steady
use no request waits for it. Nothing is trusted for longer than before: every value a request
uses was read within its recheck interval.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

REFRESH_AHEAD = 0.8
"""A remembered value is read again in the background once this share of its recheck interval
has passed, so the fresh copy is in place before the old one expires."""


class Lookups:
    """The lookups running in this process, by key."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Task[Any]] = {}

    def running(self, key: Hashable) -> bool:
        return key in self._running

    async def wait(self) -> None:
        """Until every lookup running now has finished (shutdown; tests)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def once(self, key: Hashable, lookup: Callable[[], Awaitable[T]]) -> T:
        """The result of ``lookup()``, or of the lookup for ``key`` that is already running.

        A caller cancelled while it waits does not cancel the lookup others share.
        """
        task = self._running.get(key)
        if task is None:
            task = self._start(key, lookup)
        result: T = await asyncio.shield(task)
        return result

    def ahead(self, key: Hashable, lookup: Callable[[], Awaitable[object]]) -> None:
        """Start ``lookup()`` in the background unless a lookup for ``key`` is running."""
        if key not in self._running:
            self._start(key, lookup)

    def _start(self, key: Hashable, lookup: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        async def run() -> T:
            return await lookup()

        # A context of its own: the lookup serves whichever requests need the key, not the
        # first one (its request id, its ack deadline).
        task = asyncio.get_running_loop().create_task(run(), context=contextvars.Context())
        self._running[key] = task
        task.add_done_callback(partial(self._finished, key))
        return task

    def _finished(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if task.cancelled():
            return
        error = task.exception()  # retrieved here too: a background lookup has no other reader
        if error is not None:
            # The key names a team, not a person's data; the callers waiting get the error.
            log.warning(
                "looking up %r failed: %s",
                key[0] if isinstance(key, tuple) else key,
                type(error).__name__,
            )
