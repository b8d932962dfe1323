"""Three replicas (three engines on one database) tick together for 20 simulated weeks: every
team's digest is posted exactly once per week, never twice, never skipped."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.scheduler import Scheduler
from bot.services.digest import ChannelPacer, DigestService, Outcome
from bot.slack_client import make_web_client
from storage.tables import DigestRun, Team
from storage.uow import Database
from tests.conftest import make_settings
from tests.support.databases import is_postgres
from tests.support.fake_slack import FakeSlack

WEEKS = 20
STEP = timedelta(hours=11)
"""An odd step, so the ticks land at every time of day; due windows are all longer than it."""
TEAMS = (
    # channel, timezone, weekday, local time
    ("C0UTC", "UTC", 0, "09:00"),
    ("C0BERLIN", "Europe/Berlin", 0, "09:00"),  # crosses the end of DST on Oct 25
    ("C0TONGA", "Pacific/Tongatapu", 0, "09:00"),
    ("C0HONOLULU", "Pacific/Honolulu", 4, "16:30"),
    ("C0NEWYORK", "America/New_York", 6, "02:30"),  # crosses the end of DST on Nov 1
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
async def replicas(
    database_url: str, slack: FakeSlack
) -> AsyncIterator[list[tuple[Database, Scheduler]]]:
    made: list[tuple[Database, Scheduler, AsyncWebClient]] = []
    for name in ("replica-a", "replica-b", "replica-c"):
        db = Database(database_url)
        client = make_web_client(make_settings(database_url, slack))

        async def client_for(team: Team, client: AsyncWebClient = client) -> AsyncWebClient:
            return client

        digests = DigestService(db, Clock(datetime(2026, 1, 1, tzinfo=UTC)), pacer=ChannelPacer(0))
        made.append((db, Scheduler(db, digests, client_for, name=name), client))
    yield [(db, scheduler) for db, scheduler, _ in made]
    for db, _, client in made:
        await db.dispose()
        if client.session is not None and not client.session.closed:
            await client.session.close()


async def test_three_replicas_post_each_digest_exactly_once(replicas, slack):
    db = replicas[0][0]
    start = datetime(2026, 9, 7, tzinfo=UTC)  # Monday of 2026-W37
    async with db.uow() as uow:
        await uow.workspaces.ensure("T0001", None, start)
        for channel, tz, weekday, at in TEAMS:
            await uow.teams.create_once(
                {
                    "workspace": "T0001",
                    "name": f"#{channel.lower()}",
                    "home_channel": channel,
                    "incident_channels": [],
                    "incident_emojis": [],
                    "timezone": tz,
                    "digest_weekday": weekday,
                    "digest_time": at,
                    "created_by": "U0001",
                    "created_at": start,
                    "updated_at": start,
                }
            )
        await uow.commit()

    outcomes: Counter[Outcome] = Counter()
    now = start
    while now < start + timedelta(weeks=WEEKS):
        # The replicas tick at the same instant, racing for every due digest.
        reports = await asyncio.gather(*(scheduler.tick(now) for _, scheduler in replicas))
        for report in reports:
            outcomes.update(r.outcome for r in report.results)
        now += STEP

    async with db.read() as uow:
        runs = list((await uow.session.scalars(select(DigestRun))).all())
    assert all(run.status == "posted" for run in runs)
    assert outcomes[Outcome.FAILED] == 0
    per_team = Counter(run.team_id for run in runs)
    # Each team gets one digest per week it was due: 20 (± the first and last partial week).
    assert set(per_team) == set(range(1, len(TEAMS) + 1))
    assert all(WEEKS - 1 <= n <= WEEKS + 1 for n in per_team.values()), per_team
    # Slack saw exactly one top-level message per claimed (team, week), each with its thread.
    for channel, *_ in TEAMS:
        top = [m for m in slack.messages[channel] if not m.get("thread_ts")]
        replies = [m for m in slack.messages[channel] if m.get("thread_ts")]
        headers = [m["blocks"][0]["text"]["text"] for m in top]
        assert len(headers) == len(set(headers)), f"{channel} got a week twice"
        assert len(replies) == len(top)
    assert (
        outcomes[Outcome.POSTED]
        == len(runs)
        == sum(len([m for m in slack.messages[c] if not m.get("thread_ts")]) for c, *_ in TEAMS)
    )
    # The replicas really raced: more than one of them won some claims.
    assert len({run.claimed_by for run in runs}) > 1 or not is_postgres()
