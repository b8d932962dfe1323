"""The capture path's team and model lookups: shared by concurrent captures, done ahead of
expiry in the background, and never trusted for longer than the recheck interval."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from bot.services.capture import CaptureService
from bot.services.context import Actor
from bot.services.learning import TeamModels
from bot.services.refresh import Lookups
from bot.services.teams import TeamDirectory
from core.model import Quadrant
from storage.tables import Team
from storage.uow import Database

TEXT = "hermes queue consumer lag on the ledger topic"


def actor(channel: str = "C1") -> Actor:
    return Actor(workspace="T1", user_id="U1", channel_id=channel, channel_name=channel.lower())


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Reads:
    """Counts the statements on ``db`` that read a channel's team or a team's corrections."""

    def __init__(self, db: Database) -> None:
        self.teams = 0
        self.corrections = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("SELECT") and "FROM teams" in statement:
            self.teams += 1
        if statement.startswith("SELECT") and "FROM corrections" in statement:
            self.corrections += 1


def replica(db: Database, clock: Any, ticker: Ticker) -> CaptureService:
    return CaptureService(
        db,
        clock,
        TeamModels(recheck_seconds=5, monotonic=ticker),
        teams=TeamDirectory(recheck_seconds=5, monotonic=ticker),
    )


async def test_concurrent_captures_share_one_team_and_one_model_lookup(db: Database, clock):
    ticker = Ticker()
    capture = replica(db, clock, ticker)
    await capture.add(actor(), "first use creates the team")
    reads = Reads(db)
    ticker.now = 6  # both the team and its model have expired

    results = await asyncio.gather(*(capture.add(actor(), f"{TEXT} {n}") for n in range(8)))

    assert all(r.created for r in results)
    assert len({r.team.id for r in results}) == 1
    assert reads.teams == 1  # one lookup of the channel's team for the eight captures
    assert reads.corrections == 1  # and one check of its corrections


async def test_a_team_in_use_is_checked_ahead_and_no_capture_waits_for_it(database_url, clock):
    ticker = Ticker()
    here_db, there_db = Database(database_url), Database(database_url)
    try:
        here = replica(here_db, clock, ticker)
        there = CaptureService(there_db, clock, TeamModels())
        before = (await here.add(actor(), TEXT)).classification
        target = next(q for q in Quadrant if q is not before.quadrant)
        for n in range(6):  # another replica teaches the team
            captured = await there.add(actor(), f"{TEXT} {n}")
            await there.change_quadrant(actor(), captured.item.id, target)
        reads = Reads(here_db)

        # Still fresh but close to its recheck: the capture uses what this replica knew and
        # starts the check in the background.
        ticker.now = 4.5
        assert (await here.add(actor(), TEXT)).classification.quadrant is before.quadrant
        await here.lookups.wait()
        assert reads.teams == 1 and reads.corrections >= 1

        # Past the old recheck time: the fresh model is already here, nothing is read again.
        ticker.now = 6
        checked = reads.teams, reads.corrections
        assert (await here.add(actor(), TEXT)).classification.quadrant is target
        assert (reads.teams, reads.corrections) == checked
    finally:
        await here_db.dispose()
        await there_db.dispose()


async def test_an_idle_team_is_read_again_before_use(db: Database, clock):
    ticker = Ticker()
    capture = replica(db, clock, ticker)
    await capture.add(actor(), "first use creates the team")
    reads = Reads(db)
    ticker.now = 60  # long past the recheck: no stale team or model is used

    await capture.add(actor(), TEXT)

    assert reads.teams == 1 and reads.corrections == 1


class _Corrections:
    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def version(self, workspace: str, team_id: int) -> tuple[int, int]:
        await self.release.wait()
        return (0, 0)


class _ReadOnly:
    def __init__(self) -> None:
        self.corrections = _Corrections()


async def test_a_model_check_that_overlaps_a_correction_is_not_kept():
    models = TeamModels(recheck_seconds=5)
    team = Team(id=7, workspace="T1", name="#c1")
    uow = _ReadOnly()
    check = asyncio.ensure_future(models.refresh(uow, team))  # type: ignore[arg-type]
    await asyncio.sleep(0)  # the check has read nothing yet
    generation = models.generation

    models.forget(team.id)  # a correction was committed meanwhile
    uow.corrections.release.set()
    await check

    assert models.generation != generation  # waiters for the old check start a new one
    assert models.recent(team.id) == (False, None)


def test_a_team_lookup_that_overlaps_a_setup_change_is_not_remembered():
    teams = TeamDirectory()
    team = Team(id=7, workspace="T1", name="#c1")
    started = teams.generation
    teams.forget_all()  # a setup change through this process

    teams.remember(team, "C1", generation=started)
    assert teams.by_channel("T1", "C1") is None
    teams.remember(team, "C1", generation=teams.generation)
    assert teams.by_channel("T1", "C1") is team


async def test_a_shared_lookup_survives_a_caller_that_gives_up():
    lookups = Lookups()
    release = asyncio.Event()
    calls = 0

    async def lookup() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "team"

    first = asyncio.ensure_future(lookups.once("k", lookup))
    second = asyncio.ensure_future(lookups.once("k", lookup))
    await asyncio.sleep(0)
    first.cancel()
    release.set()

    assert await second == "team"
    assert calls == 1
    assert not lookups.running("k")


async def test_a_capture_that_joins_the_background_recheck_gets_the_team(db: Database, clock):
    # Under load the recheck started ahead of expiry can still be running when the remembered
    # team expires; the next capture joins that lookup and must get the team from it (it used to
    # get the recheck's None and fail with a 500).
    ticker = Ticker()
    capture = replica(db, clock, ticker)
    first = await capture.add(actor(), "first use creates the team")
    release = asyncio.Event()
    recheck = capture._recheck_channel

    async def slow_recheck(*args: Any) -> Team | None:
        await release.wait()
        return await recheck(*args)

    capture._recheck_channel = slow_recheck  # type: ignore[method-assign]
    ticker.now = 4.5  # due: the recheck starts in the background, the capture goes on
    await capture.add(actor(), f"{TEXT} 1")
    assert any(key[0] == "channel team" for key in capture.lookups._running)
    ticker.now = 6  # expired while the recheck is still running
    joined = asyncio.ensure_future(capture.add(actor(), f"{TEXT} 2"))
    await asyncio.sleep(0.05)
    release.set()
    assert (await joined).team.id == first.team.id
