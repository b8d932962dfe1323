"""CaptureService over the group-committing writer: per-capture promises hold in a shared batch,
and the per-process memory of teams and member touches never changes what is stored."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, func, select

from bot.blocks.modals import SetupForm
from bot.services.capture import CaptureService
from bot.services.container import Services
from bot.services.context import Actor
from bot.services.deadline import start_ack_clock, stop_ack_clock
from bot.services.errors import AnswerTooLate
from bot.services.learning import TeamModels
from bot.services.teams import TeamDirectory
from bot.settings import Settings
from storage.tables import Team, WorkItem
from storage.uow import Database


def actor(channel: str = "C1", user: str = "U1") -> Actor:
    return Actor(workspace="T1", user_id=user, channel_id=channel, channel_name=channel.lower())


async def _count(db: Database) -> int:
    async with db.read() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(WorkItem)) or 0)


async def test_a_late_capture_in_a_shared_batch_stores_only_the_in_time_ones(db, clock):
    capture = CaptureService(db, clock, TeamModels())
    await capture.add(actor(), "first use creates the team")

    async def add_with_budget(text: str, budget: float) -> str:
        token = start_ack_clock(budget=budget)
        try:
            await capture.add(actor(), text)
        except AnswerTooLate:
            return "too late"
        finally:
            stop_ack_clock(token)
        return "stored"

    outcomes = await asyncio.gather(
        add_with_budget("in time 1", 60),
        add_with_budget("late", -1),
        add_with_budget("in time 2", 60),
    )

    assert outcomes == ["stored", "too late", "stored"]
    async with db.read() as uow:
        texts = sorted(i.text for i in await uow.items.all_in_workspace("T1"))
    assert texts == ["first use creates the team", "in time 1", "in time 2"]


async def test_concurrent_captures_of_one_message_store_one_item(db, clock):
    capture = CaptureService(db, clock, TeamModels())
    await capture.add(actor(), "first use creates the team")
    results = await asyncio.gather(
        *(
            capture.add(actor(), "etcd lost quorum", message_ts="1700000000.000100")
            for _ in range(4)
        )
    )
    assert sum(r.created for r in results) == 1
    assert len({r.item.id for r in results}) == 1
    assert await _count(db) == 2


async def test_a_team_deleted_behind_this_process_is_found_again(db: Database, clock):
    capture = CaptureService(db, clock, TeamModels())
    first = await capture.add(actor(), "before the purge")
    async with db.uow() as uow:  # e.g. `infrawork workspace purge` in another process
        await uow.session.execute(delete(Team).where(Team.id == first.team.id))
        await uow.commit()

    again = await capture.add(actor(), "after the purge")

    assert again.created
    assert again.team is not first.team  # looked up (created) again, not the remembered one
    async with db.read() as uow:
        [item] = await uow.items.all_in_workspace("T1")
        team = await uow.teams.for_channel("T1", "C1")
    assert item.text == "after the purge"
    assert team is not None and item.team_id == team.id == again.team.id


async def test_switching_teams_always_records_which_came_last(db: Database, clock):
    capture = CaptureService(db, clock, TeamModels(), teams=TeamDirectory(touch_seconds=3600))
    a = (await capture.add(actor("C1"), "in team a")).team
    clock.advance(seconds=1)
    b = (await capture.add(actor("C2"), "in team b")).team
    clock.advance(seconds=1)
    await capture.add(actor("C1"), "back in team a")
    async with db.read() as uow:
        order = [t.id for t in await uow.teams.of_member("T1", "U1")]
    assert order == [a.id, b.id]

    # In a direct message the item goes to the team used last.
    clock.advance(seconds=1)
    dm = await capture.add(Actor(workspace="T1", user_id="U1", channel_id="D1"), "from a DM")
    assert dm.team.id == a.id


async def test_a_setup_change_through_this_process_is_seen_at_once(db: Database, clock):
    services = Services(
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        db=db,
        clock=clock,
        teams=TeamDirectory(recheck_seconds=3600),
    )
    team = (await services.capture.add(actor("C1"), "first use creates the team")).team
    _, current = await services.setup.current(actor("C1"), team_id=team.id)
    form = SetupForm(
        name=current.name,
        home_channel="C9",  # the team moves its home away from C1
        incident_channels=(),
        incident_emojis=" ".join(f":{e}:" for e in current.incident_emojis),
        ack_mode=current.ack_mode,
        digest_weekday=str(current.digest_weekday),
        digest_time=current.digest_time,
        timezone=current.timezone,
        forced_percent=str(current.forced_percent),
        window_weeks=str(current.window_weeks),
    )
    await services.setup.save(actor("C1"), team.id, form)

    moved = await services.capture.add(actor("C9"), "logged in the new home")
    left_behind = await services.capture.add(actor("C1"), "logged in the old channel")

    assert moved.team.id == team.id
    assert left_behind.team.id != team.id  # C1 is no team's channel any more: a new team
