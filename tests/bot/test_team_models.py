"""A team's corrections reach its classifications: at once on this replica, soon on others."""

from __future__ import annotations

from bot.services.capture import CaptureService
from bot.services.context import Actor
from bot.services.learning import TeamModels
from core.model import Quadrant
from storage.uow import Database

ACTOR = Actor(workspace="T1", user_id="U1", channel_id="C1", channel_name="platform")
TEXT = "hermes queue consumer lag on the ledger topic"


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _teach(capture: CaptureService, times: int, quadrant: Quadrant) -> None:
    for n in range(times):
        captured = await capture.add(ACTOR, f"{TEXT} {n}")
        await capture.change_quadrant(ACTOR, captured.item.id, quadrant)


async def test_corrections_on_this_replica_apply_to_the_next_item(db: Database, clock):
    capture = CaptureService(db, clock, TeamModels())
    before = (await capture.add(ACTOR, TEXT)).classification
    target = next(q for q in Quadrant if q is not before.quadrant)
    await _teach(capture, 6, target)
    after = (await capture.add(ACTOR, TEXT)).classification
    assert after.quadrant is target
    assert after.team_decided


async def test_another_replicas_corrections_are_seen_after_the_recheck(database_url, clock):
    ticker = Ticker()
    here_db, there_db = Database(database_url), Database(database_url)
    try:
        here = CaptureService(here_db, clock, TeamModels(recheck_seconds=5, monotonic=ticker))
        there = CaptureService(there_db, clock, TeamModels())
        before = (await here.add(ACTOR, TEXT)).classification
        target = next(q for q in Quadrant if q is not before.quadrant)
        await _teach(there, 6, target)
        # Within the recheck window this replica still uses what it knew...
        assert (await here.add(ACTOR, TEXT)).classification.quadrant is before.quadrant
        # ...and after it, the other replica's lessons.
        ticker.now += 6
        assert (await here.add(ACTOR, TEXT)).classification.quadrant is target
    finally:
        await here_db.dispose()
        await there_db.dispose()
