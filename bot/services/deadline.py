"""The time by which the current Slack request must be answered, for work that must not outlive it.

The HTTP layer sets it when a request arrives; a capture that would commit after Slack has given
up on the request (and told the person it failed) rolls back instead, so a person's retry can't
store the same work twice.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

ACK_BUDGET_SECONDS = 2.5
"""Slack waits 3 s; leave room to send the answer."""

ack_deadline: ContextVar[float | None] = ContextVar("ack_deadline", default=None)
"""time.monotonic() value after which the answer would come too late (None: no deadline)."""


def start_ack_clock(budget: float = ACK_BUDGET_SECONDS) -> object:
    """Start the clock for the request being handled; returns a token for :func:`stop_ack_clock`."""
    return ack_deadline.set(time.monotonic() + budget)


def stop_ack_clock(token: object) -> None:
    ack_deadline.reset(token)  # type: ignore[arg-type]


def current_deadline() -> float | None:
    """The current request's deadline (a time.monotonic() value), for work done elsewhere."""
    return ack_deadline.get()


def too_late() -> bool:
    """True when the current request's answer could no longer reach Slack in time."""
    deadline = ack_deadline.get()
    return deadline is not None and time.monotonic() > deadline
