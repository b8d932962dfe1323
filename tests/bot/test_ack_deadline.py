"""A capture that would commit after Slack gave up on the request stores nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services.capture import CaptureService
from bot.services.context import Actor
from bot.services.deadline import start_ack_clock, stop_ack_clock
from bot.services.errors import AnswerTooLate
from bot.services.learning import TeamModels
from storage.tables import WorkItem

ACTOR = Actor(workspace="T1", user_id="U1", channel_id="C1", channel_name="platform")


async def _count(db) -> int:
    async with db.read() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(WorkItem)))


async def test_a_late_capture_is_rolled_back(db, clock):
    capture = CaptureService(db, clock, TeamModels())
    token = start_ack_clock(budget=-1)  # the deadline has already passed
    try:
        try:
            await capture.add(ACTOR, "bump the disk alert threshold")
        except AnswerTooLate:
            pass
        else:
            raise AssertionError("a late capture must not commit")
    finally:
        stop_ack_clock(token)
    assert await _count(db) == 0


async def test_in_time_and_message_bound_captures_commit(db, clock):
    capture = CaptureService(db, clock, TeamModels())
    token = start_ack_clock(budget=60)
    try:
        await capture.add(ACTOR, "bump the disk alert threshold")
    finally:
        stop_ack_clock(token)
    late = start_ack_clock(budget=-1)
    try:
        # Tied to a Slack message, a retry finds the item, so committing late is safe.
        await capture.add(ACTOR, "prod db down", message_ts="1700000000.000100")
    finally:
        stop_ack_clock(late)
    assert await _count(db) == 2
