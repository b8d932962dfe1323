"""The digest scheduler with a controllable clock: due times in many timezones and across DST,
week boundaries, catch-up after downtime, failures recorded and retried, and a channel the bot
cannot post into reported to the person who set the team up (once)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.scheduler import Scheduler
from bot.services.digest import ChannelPacer, DigestService, Outcome
from bot.slack_client import make_web_client
from core.schedule import IsoWeek
from storage.tables import DigestRun, Team
from storage.uow import Database
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack

MONDAY, FRIDAY, SUNDAY = 0, 4, 6


class Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


async def make_team(
    db: Database,
    channel: str,
    *,
    tz: str = "UTC",
    weekday: int = MONDAY,
    at: str = "09:00",
    setup_by: str | None = "U0SETUP",
    workspace: str = "T0001",
) -> Team:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.uow() as uow:
        await uow.workspaces.ensure(workspace, None, now)
        team = await uow.teams.create_once(
            {
                "workspace": workspace,
                "name": f"#{channel.lower()}",
                "home_channel": channel,
                "incident_channels": [],
                "incident_emojis": [],
                "timezone": tz,
                "digest_weekday": weekday,
                "digest_time": at,
                "created_by": "U0CREATOR",
                "setup_by": setup_by,
                "created_at": now,
                "updated_at": now,
            }
        )
        await uow.commit()
    return team


async def add_item(db: Database, team: Team, text: str, quadrant: str, at: datetime) -> None:
    async with db.uow() as uow:
        await uow.items.add(
            {
                "workspace": team.workspace,
                "team_id": team.id,
                "text": text,
                "quadrant": quadrant,
                "confidence": 0.9,
                "principles": [],
                "source": "slash_command",
                "created_by": "U0001",
                "created_at": at,
                "updated_at": at,
            }
        )
        await uow.commit()


def top_level(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages.get(channel, []) if not m.get("thread_ts")]


def thread(slack: FakeSlack, channel: str, ts: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages.get(channel, []) if m.get("thread_ts") == ts]


async def runs(db: Database) -> list[DigestRun]:
    async with db.read() as uow:
        return list((await uow.session.scalars(select(DigestRun).order_by(DigestRun.id))).all())


@pytest.fixture
async def client(slack: FakeSlack, database_url: str) -> AsyncIterator[AsyncWebClient]:
    web = make_web_client(make_settings(database_url, slack))
    yield web
    if web.session is not None and not web.session.closed:
        await web.session.close()


@pytest.fixture
def scheduler(db: Database, client: AsyncWebClient) -> Scheduler:
    async def client_for(team: Team) -> AsyncWebClient:
        return client

    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    digests = DigestService(db, clock, pacer=ChannelPacer(0.0))
    return Scheduler(db, digests, client_for, name="replica-a")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def test_posts_at_the_scheduled_time_once_with_items_in_a_thread(db, slack, scheduler):
    team = await make_team(db, "C0PLAT")
    # Week 47 of 2026 (Nov 16–22): mostly forced work.
    for day, (text, quadrant) in enumerate(
        [
            ("disk full on build-runner-4", "forced_short"),
            ("sev2: checkout latency", "forced_short"),
            ("postgres 12 EOL upgrade plan", "forced_long"),
            ("docs for kafka topics", "discretionary_short"),
        ]
    ):
        await add_item(db, team, text, quadrant, utc(2026, 11, 16 + day, 12))

    assert (await scheduler.tick(utc(2026, 11, 23, 8, 59))).due == 0
    report = await scheduler.tick(utc(2026, 11, 23, 9, 0))
    assert [r.outcome for r in report.results] == [Outcome.POSTED]

    posted = top_level(slack, "C0PLAT")
    assert len(posted) == 1
    header = posted[0]["blocks"][0]["text"]["text"]
    # A Monday digest reports the week that just ended.
    assert header == "Infra work — #c0plat — week 47 (Nov 16–22)"
    assert "Firefighting" in posted[0]["text"]
    assert posted[0]["metadata"] == {
        "event_type": "infrawork_digest",
        "event_payload": {"team": str(team.id), "week": "2026-W47"},
    }
    replies = thread(slack, "C0PLAT", posted[0]["ts"])
    assert len(replies) == 1
    assert "disk full on build-runner-4" in str(replies[0]["blocks"])

    for later in (utc(2026, 11, 23, 9, 1), utc(2026, 11, 25, 12), utc(2026, 11, 29, 23, 59)):
        assert (await scheduler.tick(later)).due == 0
    assert len(top_level(slack, "C0PLAT")) == 1
    [run] = await runs(db)
    assert (run.week, run.status, run.attempts) == ("2026-W47", "posted", 1)
    assert (run.channel, run.message_ts) == ("C0PLAT", posted[0]["ts"])


async def test_week_bounds_follow_the_teams_timezone(db, slack, scheduler):
    # Berlin's week 47 runs from Sunday 23:00 UTC to Sunday 23:00 UTC.
    team = await make_team(db, "C0BER", tz="Europe/Berlin")
    await add_item(
        db, team, "before the week (Sun 23:30 Berlin)", "forced_short", utc(2026, 11, 15, 22, 30)
    )
    await add_item(db, team, "first minute of week 47", "forced_short", utc(2026, 11, 15, 23, 0))
    await add_item(
        db, team, "last minute of week 47", "discretionary_long", utc(2026, 11, 22, 22, 59)
    )
    await add_item(db, team, "Monday 00:00 of week 48", "forced_short", utc(2026, 11, 22, 23, 0))
    digest = await scheduler.digests.build(team, IsoWeek(2026, 47))
    assert digest.this_week.total == 2
    assert digest.last_week.total == 1
    assert (digest.this_week.forced_short, digest.this_week.discretionary_long) == (1, 1)


async def test_a_dst_week_has_167_hours_and_items_fall_on_the_right_side(db, slack, scheduler):
    # Berlin springs forward on Sunday 2026-03-29: week 13 ends at 22:00 UTC, not 23:00.
    team = await make_team(db, "C0SPRING", tz="Europe/Berlin")
    await add_item(db, team, "Sunday 23:59 CEST, week 13", "forced_short", utc(2026, 3, 29, 21, 59))
    await add_item(db, team, "Monday 00:30 CEST, week 14", "forced_long", utc(2026, 3, 29, 22, 30))
    await add_item(
        db, team, "Monday 00:30 CET, week 13", "discretionary_short", utc(2026, 3, 22, 23, 30)
    )
    week13 = await scheduler.digests.build(team, IsoWeek(2026, 13))
    week14 = await scheduler.digests.build(team, IsoWeek(2026, 14))
    assert (week13.this_week.forced_short, week13.this_week.discretionary_short) == (1, 1)
    assert week13.this_week.total == 2
    assert (week14.this_week.forced_long, week14.this_week.total) == (1, 1)
    assert week14.last_week == week13.this_week


async def test_spring_forward_gap_and_fall_back_repeat_in_berlin(db, slack, scheduler):
    # Sunday 02:30 does not exist on 2026-03-29 in Berlin: the digest goes at 03:00 CEST.
    team = await make_team(db, "C0DST", tz="Europe/Berlin", weekday=SUNDAY, at="02:30")
    assert (await scheduler.tick(utc(2026, 3, 29, 0, 59))).due == 0
    assert len((await scheduler.tick(utc(2026, 3, 29, 1, 0))).posted) == 1

    # Sunday 02:30 happens twice on 2026-10-25: the first one (00:30 UTC) counts, once.
    assert (await scheduler.tick(utc(2026, 10, 25, 0, 29))).due == 0
    assert len((await scheduler.tick(utc(2026, 10, 25, 0, 30))).posted) == 1
    assert (await scheduler.tick(utc(2026, 10, 25, 1, 30))).due == 0  # the second 02:30

    assert [r.week for r in await runs(db)] == ["2026-W13", "2026-W43"]
    assert len(top_level(slack, team.home_channel)) == 2


async def test_a_dst_gap_across_sunday_midnight_still_gets_that_weeks_digest(db, slack, scheduler):
    # Algiers sprang forward from Sunday 1971-04-25 23:00 to Monday 00:00: week 16's Sunday
    # 23:30 digest goes out at Monday 00:00 (already week 17 there), reporting week 16, and
    # week 17's at its own Sunday: one each.
    team = await make_team(db, "C0ALG", tz="Africa/Algiers", weekday=SUNDAY, at="23:30")
    assert (await scheduler.tick(utc(1971, 4, 25, 22, 59))).due == 0
    report = await scheduler.tick(utc(1971, 4, 26, 7))  # Monday morning: caught up
    assert [r.week for r in report.posted] == [IsoWeek(1971, 16)]
    assert (await scheduler.tick(utc(1971, 5, 2, 22, 29))).due == 0
    assert [r.week for r in (await scheduler.tick(utc(1971, 5, 2, 22, 30))).posted] == [
        IsoWeek(1971, 17)
    ]
    assert [r.week for r in await runs(db)] == ["1971-W16", "1971-W17"]
    assert len(top_level(slack, team.home_channel)) == 2


async def test_monday_nine_in_tonga_and_in_honolulu(db, slack, scheduler):
    tonga = await make_team(db, "C0TONGA", tz="Pacific/Tongatapu")  # UTC+13
    honolulu = await make_team(db, "C0HNL", tz="Pacific/Honolulu")  # UTC−10

    # Sunday 19:59 UTC: Monday 08:59 in Tonga (week 48, not due yet; its week 47 is over, so
    # that week's digest is never caught up), Sunday 09:59 in Honolulu (week 47, due since
    # Monday: caught up now, reporting week 46).
    report = await scheduler.tick(utc(2026, 11, 22, 19, 59))
    assert [(r.team_id, r.week) for r in report.posted] == [(honolulu.id, IsoWeek(2026, 46))]
    # Monday 09:00 in Tonga is Sunday 20:00 UTC; Honolulu is still in its Sunday.
    report = await scheduler.tick(utc(2026, 11, 22, 20, 0))
    assert [r.team_id for r in report.posted] == [tonga.id]
    # Monday 09:00 in Honolulu is Monday 19:00 UTC.
    assert (await scheduler.tick(utc(2026, 11, 23, 18, 59))).due == 0
    report = await scheduler.tick(utc(2026, 11, 23, 19, 0))
    assert [r.team_id for r in report.posted] == [honolulu.id]

    # Both report their own local week 47, each exactly once.
    assert sorted((r.team_id, r.week) for r in await runs(db)) == [
        (tonga.id, "2026-W47"),
        (honolulu.id, "2026-W46"),
        (honolulu.id, "2026-W47"),
    ]
    assert len(top_level(slack, "C0TONGA")) == 1
    assert len(top_level(slack, "C0HNL")) == 2


async def test_year_boundary_week_53(db, slack, scheduler):
    team = await make_team(db, "C0YEAR", weekday=FRIDAY, at="16:00")
    await scheduler.tick(utc(2027, 1, 1, 16, 0))  # Friday of ISO week 2026-W53
    await scheduler.tick(utc(2027, 1, 8, 16, 0))  # Friday of 2027-W01
    assert [r.week for r in await runs(db)] == ["2026-W53", "2027-W01"]
    assert len(top_level(slack, team.home_channel)) == 2


async def test_catch_up_later_the_same_week_but_never_for_a_past_week(db, slack, scheduler):
    team = await make_team(db, "C0FRI", weekday=FRIDAY, at="16:00")
    # Down from Thursday until Saturday of week 47: caught up on Saturday.
    assert (await scheduler.tick(utc(2026, 11, 19, 10))).due == 0
    report = await scheduler.tick(utc(2026, 11, 21, 10))
    assert [r.week for r in report.posted] == [IsoWeek(2026, 47)]

    # Down from Thursday of week 48 until Monday of week 49: week 48's digest is never posted,
    # and week 49's only at its own Friday.
    assert (await scheduler.tick(utc(2026, 11, 26, 10))).due == 0
    assert (await scheduler.tick(utc(2026, 11, 30, 10))).due == 0
    assert (await scheduler.tick(utc(2026, 12, 4, 15, 59))).due == 0
    assert len((await scheduler.tick(utc(2026, 12, 4, 16, 0))).posted) == 1
    assert [r.week for r in await runs(db)] == ["2026-W47", "2026-W49"]
    assert len(top_level(slack, team.home_channel)) == 2


async def test_a_failure_is_recorded_and_retried_later(db, slack, scheduler):
    team = await make_team(db, "C0FAIL")
    slack.script("chat.postMessage", body={"ok": False, "error": "internal_error"})
    first = await scheduler.tick(utc(2026, 11, 23, 9, 0))
    assert [r.outcome for r in first.results] == [Outcome.FAILED]
    [run] = await runs(db)
    assert run.status == "failed" and run.attempts == 1
    assert run.last_error is not None and run.last_error.startswith("internal_error")
    assert run.next_attempt_at == utc(2026, 11, 23, 9, 5)
    assert top_level(slack, team.home_channel) == []

    assert (await scheduler.tick(utc(2026, 11, 23, 9, 4))).due == 0
    retried = await scheduler.tick(utc(2026, 11, 23, 9, 5))
    assert [r.outcome for r in retried.results] == [Outcome.POSTED]
    [run] = await runs(db)
    assert (run.status, run.attempts) == ("posted", 2)
    assert len(top_level(slack, team.home_channel)) == 1
    # Only the setup person hears about channel problems, not about Slack's bad days.
    assert "U0SETUP" not in slack.messages


async def test_a_retry_finds_an_earlier_post_that_landed_and_does_not_post_again(
    db, slack, scheduler
):
    team = await make_team(db, "C0LANDED")
    slack.script("chat.postMessage", body={"ok": False, "error": "internal_error"})
    assert len((await scheduler.tick(utc(2026, 11, 23, 9, 0))).failed) == 1
    # …yet Slack had posted it (a 5xx after the write, a timeout): it is in the channel.
    ts = slack.add_message("C0LANDED", "Infra work — #c0landed — week 47", user=slack.bot_user_id)
    slack.messages["C0LANDED"][-1]["metadata"] = {
        "event_type": "infrawork_digest",
        "event_payload": {"team": str(team.id), "week": "2026-W47"},
    }
    report = await scheduler.tick(utc(2026, 11, 23, 9, 5))
    assert [(r.outcome, r.ts) for r in report.results] == [(Outcome.POSTED, ts)]
    # Not posted again: the failed first attempt, then only the thread reply under the landed
    # message (that attempt never got as far as replying: the thread is empty).
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[1].args["thread_ts"] == ts
    assert len(top_level(slack, "C0LANDED")) == 1
    [run] = await runs(db)
    assert (run.status, run.message_ts, run.attempts) == ("posted", ts, 2)
    assert (run.reply_status, run.reply_attempts) == ("posted", 1)


async def test_not_in_channel_is_reported_to_the_setup_person_once(db, slack, scheduler):
    team = await make_team(db, "C0PRIV", setup_by="U0SETUP")
    slack.unpostable.add("C0PRIV")
    now = utc(2026, 11, 23, 9, 0)
    for hours in (0, 1, 4, 13):  # the first attempt, then each retry as it comes due
        report = await scheduler.tick(now + timedelta(hours=hours))
        assert [r.outcome for r in report.results] == [Outcome.FAILED]
    dms = slack.messages["U0SETUP"]
    assert len(dms) == 1
    assert "<#C0PRIV>" in dms[0]["text"] and "/invite" in dms[0]["text"]
    [run] = await runs(db)
    assert run.status == "failed" and run.attempts == 4
    assert run.last_error is not None and run.last_error.startswith("not_in_channel")

    # Someone invites the bot: the next retry posts, still once.
    slack.unpostable.discard("C0PRIV")
    assert run.next_attempt_at is not None
    assert len((await scheduler.tick(run.next_attempt_at)).posted) == 1
    assert len(top_level(slack, team.home_channel)) == 1
    assert len(slack.messages["U0SETUP"]) == 1


async def test_setup_person_falls_back_to_the_creator(db, slack, scheduler):
    await make_team(db, "C0GONE", setup_by=None)
    slack.unpostable.add("C0GONE")
    await scheduler.tick(utc(2026, 11, 23, 9, 0))
    assert len(slack.messages["U0CREATOR"]) == 1


async def test_a_stale_claim_is_taken_over_but_a_fresh_one_is_not(db, slack, scheduler):
    team = await make_team(db, "C0STALE")
    now = utc(2026, 11, 23, 9, 30)
    async with db.uow() as uow:
        run = await uow.digests.claim(
            workspace=team.workspace,
            team_id=team.id,
            week="2026-W47",
            claimant="dead-replica",
            now=now - timedelta(minutes=5),
            stale_before=now - timedelta(minutes=15),
        )
        await uow.commit()
    assert run is not None
    assert (await scheduler.tick(now)).due == 0  # claimed 5 minutes ago: maybe still posting
    report = await scheduler.tick(now + timedelta(minutes=6))  # claimed 11 minutes ago: died
    assert len(report.posted) == 1
    [run] = await runs(db)
    assert (run.status, run.claimed_by, run.attempts) == ("posted", "replica-a", 2)


async def test_inactive_workspaces_get_no_digest(db, slack, scheduler):
    await make_team(db, "C0OLD", workspace="T0GONE")
    async with db.uow() as uow:
        await uow.workspaces.set_active("T0GONE", False, utc(2026, 11, 1))
        await uow.commit()
    assert (await scheduler.tick(utc(2026, 11, 23, 9, 0))).due == 0


async def test_pacing_keeps_a_channel_under_slacks_rate(db, slack, client):
    # The fake answers 429 to a second message into a channel within the interval; the pacer
    # spaces the digest and its thread reply so Slack never has to say so.
    slack.per_channel_interval = 0.2
    team = await make_team(db, "C0PACE")

    async def client_for(team: Team) -> AsyncWebClient:
        return client

    digests = DigestService(db, Clock(utc(2026, 11, 23, 9)), pacer=ChannelPacer(0.25))
    scheduler = Scheduler(db, digests, client_for, name="paced")
    assert len((await scheduler.tick(utc(2026, 11, 23, 9, 0))).posted) == 1
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2  # no 429, no retry
    assert calls[1].at - calls[0].at >= 0.2
    assert len(thread(slack, team.home_channel, top_level(slack, team.home_channel)[0]["ts"])) == 1
