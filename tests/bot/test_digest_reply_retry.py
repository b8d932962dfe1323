"""A digest's thread reply that still fails after the Web API client's own retries is retried by
later scheduler passes, with backoff, under a claim of its own: the message is never posted again
and the reply never twice. Slack errors that waiting cannot fix give up at once, on the record."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.scheduler import Scheduler
from bot.services.digest import REPLY_MAX_ATTEMPTS, ChannelPacer, DigestService, Outcome
from bot.slack_client import make_web_client
from storage.tables import Team
from storage.uow import Database
from tests.bot.test_scheduler import Clock, add_item, make_team, runs, thread, top_level, utc
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack

MONDAY_NINE = utc(2026, 11, 23, 9, 0)
"""A Monday 09:00 UTC team's digest time in week 48 (it reports week 47)."""


def is_reply(args: dict[str, Any]) -> bool:
    return bool(args.get("thread_ts"))


@pytest.fixture
async def client(slack: FakeSlack, database_url: str) -> AsyncIterator[AsyncWebClient]:
    # One retry inside the client (so "after the client's retries" is exercised, quickly).
    web = make_web_client(make_settings(database_url, slack), max_retries=1)
    yield web
    if web.session is not None and not web.session.closed:
        await web.session.close()


def make_scheduler(db: Database, client: AsyncWebClient, name: str) -> Scheduler:
    async def client_for(team: Team) -> AsyncWebClient:
        return client

    digests = DigestService(db, Clock(MONDAY_NINE), pacer=ChannelPacer(0.0))
    return Scheduler(db, digests, client_for, name=name)


@pytest.fixture
def scheduler(db: Database, client: AsyncWebClient) -> Scheduler:
    return make_scheduler(db, client, "replica-a")


async def a_team_with_work(db: Database, channel: str) -> Team:
    team = await make_team(db, channel)
    await add_item(db, team, "disk full on build-runner-4", "forced_short", utc(2026, 11, 18, 12))
    return team


def replies_in(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    [message] = top_level(slack, channel)
    return thread(slack, channel, message["ts"])


RETRYABLE = [
    # Slack's answer, and how many calls get it: HTTP 429/5xx are retried once inside the
    # client first, so the reply fails only when both calls do; an error in a 200 is not.
    pytest.param({"status": 500, "body": {"ok": False, "error": "internal_error"}}, 2, id="500"),
    pytest.param(
        {
            "status": 429,
            "body": {"ok": False, "error": "ratelimited"},
            "headers": {"Retry-After": "0"},
        },
        2,
        id="429-ratelimited",
    ),
    pytest.param({"body": {"ok": False, "error": "service_unavailable"}}, 1, id="unavailable"),
    pytest.param({"body": {"ok": False, "error": "ratelimited"}}, 1, id="ratelimited-in-200"),
]


@pytest.mark.parametrize(("failure", "calls"), RETRYABLE)
async def test_a_failed_reply_is_retried_later_and_the_message_is_never_posted_again(
    db, slack, scheduler, failure, calls
):
    team = await a_team_with_work(db, "C0REPLY")
    slack.script("chat.postMessage", times=calls, when=is_reply, **failure)

    first = await scheduler.tick(MONDAY_NINE)
    [result] = first.results
    assert result.outcome is Outcome.POSTED  # the digest itself is out
    assert result.reply is not None and result.reply.outcome is Outcome.FAILED
    assert result.reply.retry_at == MONDAY_NINE + timedelta(minutes=5)
    [run] = await runs(db)
    assert (run.status, run.reply_status, run.reply_attempts) == ("posted", "failed", 1)
    assert run.reply_error is not None and run.reply_error.startswith("thread reply failed")
    assert run.reply_next_attempt_at == MONDAY_NINE + timedelta(minutes=5)
    assert len(top_level(slack, "C0REPLY")) == 1
    assert replies_in(slack, "C0REPLY") == []

    # Not yet due: nothing happens; then the retry replies under the same message.
    quiet = await scheduler.tick(MONDAY_NINE + timedelta(minutes=4))
    assert (quiet.due, quiet.replies) == (0, [])
    retried = await scheduler.tick(MONDAY_NINE + timedelta(minutes=5))
    assert retried.due == 0 and [r.outcome for r in retried.replies] == [Outcome.POSTED]

    [message] = top_level(slack, "C0REPLY")
    [reply] = replies_in(slack, "C0REPLY")
    assert "disk full on build-runner-4" in str(reply["blocks"])
    assert reply["metadata"]["event_payload"] == {"team": str(team.id), "week": "2026-W47"}
    [run] = await runs(db)
    assert (run.status, run.attempts, run.message_ts) == ("posted", 1, message["ts"])
    assert (run.reply_status, run.reply_attempts, run.reply_ts) == ("posted", 2, reply["ts"])

    for later in (timedelta(minutes=20), timedelta(hours=7), timedelta(days=2)):
        report = await scheduler.tick(MONDAY_NINE + later)
        assert (report.due, report.replies) == (0, [])
    assert len(top_level(slack, "C0REPLY")) == 1 and len(replies_in(slack, "C0REPLY")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1 + calls + 1
    assert "U0SETUP" not in slack.messages  # nobody is bothered about a reply


@pytest.mark.parametrize(
    "error",
    ["channel_not_found", "is_archived", "not_in_channel", "thread_not_found", "invalid_blocks"],
)
async def test_a_reply_slack_will_never_take_gives_up_at_once_on_the_record(
    db, slack, scheduler, error
):
    await a_team_with_work(db, "C0GONE")
    slack.script("chat.postMessage", body={"ok": False, "error": error}, when=is_reply)

    [result] = (await scheduler.tick(MONDAY_NINE)).results
    assert result.outcome is Outcome.POSTED
    assert result.reply is not None
    assert (result.reply.outcome, result.reply.retry_at) == (Outcome.FAILED, None)
    [run] = await runs(db)
    assert (run.reply_status, run.reply_next_attempt_at) == ("gave_up", None)
    assert run.reply_error == f"thread reply failed: {error} (HTTP 200)"

    for later in (timedelta(minutes=5), timedelta(hours=6), timedelta(days=3)):
        assert (await scheduler.tick(MONDAY_NINE + later)).replies == []
    assert len(slack.calls_to("chat.postMessage")) == 2  # the message and the one reply try
    assert len(top_level(slack, "C0GONE")) == 1


async def test_reply_retries_back_off_and_give_up_after_the_last_attempt(db, slack, scheduler):
    await a_team_with_work(db, "C0DOWN")
    slack.script(
        "chat.postMessage",
        body={"ok": False, "error": "internal_error"},
        times=REPLY_MAX_ATTEMPTS,
        when=is_reply,
    )
    now = MONDAY_NINE
    await scheduler.tick(now)
    waits = []
    for _ in range(REPLY_MAX_ATTEMPTS - 1):
        [run] = await runs(db)
        assert run.reply_status == "failed" and run.reply_next_attempt_at is not None
        waits.append(run.reply_next_attempt_at - now)
        now = run.reply_next_attempt_at
        assert (await scheduler.tick(now - timedelta(seconds=1))).replies == []
        [retry] = (await scheduler.tick(now)).replies
        assert retry.outcome is Outcome.FAILED
    assert waits == [
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=45),
        timedelta(hours=2, minutes=15),
        timedelta(hours=6),
    ]
    [run] = await runs(db)
    assert (run.reply_status, run.reply_attempts, run.reply_next_attempt_at) == (
        "gave_up",
        REPLY_MAX_ATTEMPTS,
        None,
    )
    assert (await scheduler.tick(now + timedelta(days=1))).replies == []
    assert len(top_level(slack, "C0DOWN")) == 1
    assert replies_in(slack, "C0DOWN") == []


async def test_two_replicas_retrying_the_same_reply_post_it_once(db, slack, client, database_url):
    await a_team_with_work(db, "C0RACE")
    slack.script("chat.postMessage", body={"ok": False, "error": "internal_error"}, when=is_reply)
    other_db = Database(database_url)  # a second engine: another process's connections
    try:
        a = make_scheduler(db, client, "replica-a")
        b = make_scheduler(other_db, client, "replica-b")
        await a.tick(MONDAY_NINE)
        at = MONDAY_NINE + timedelta(minutes=5)
        report_a, report_b = await asyncio.gather(a.tick(at), b.tick(at))
    finally:
        await other_db.dispose()
    outcomes = sorted(r.outcome for r in [*report_a.replies, *report_b.replies])
    assert Outcome.POSTED in outcomes and outcomes.count(Outcome.POSTED) == 1
    assert set(outcomes) <= {Outcome.POSTED, Outcome.SKIPPED}
    assert len(top_level(slack, "C0RACE")) == 1
    assert len(replies_in(slack, "C0RACE")) == 1
    [run] = await runs(db)
    assert (run.reply_status, run.reply_attempts) == ("posted", 2)


async def test_a_reply_that_landed_although_it_looked_failed_is_not_posted_again(
    db, slack, scheduler
):
    team = await a_team_with_work(db, "C0LANDED")
    slack.script("chat.postMessage", body={"ok": False, "error": "internal_error"}, when=is_reply)
    await scheduler.tick(MONDAY_NINE)
    # …yet Slack had posted the reply (a 5xx after the write, a timeout): it is in the thread.
    [message] = top_level(slack, "C0LANDED")
    landed = slack.add_message(
        "C0LANDED", "Notable items", user=slack.bot_user_id, thread_ts=message["ts"]
    )
    slack.replies[("C0LANDED", message["ts"])][-1]["metadata"] = {
        "event_type": "infrawork_digest_items",
        "event_payload": {"team": str(team.id), "week": "2026-W47"},
    }
    [retry] = (await scheduler.tick(MONDAY_NINE + timedelta(minutes=5))).replies
    assert (retry.outcome, retry.ts) == (Outcome.POSTED, landed)
    assert len(slack.calls_to("chat.postMessage")) == 2  # the message, the failed reply
    [run] = await runs(db)
    assert (run.reply_status, run.reply_ts) == ("posted", landed)


async def test_a_reply_whose_replier_died_is_taken_over_once_its_claim_is_stale(
    db, slack, scheduler
):
    # A replica claimed and posted the message, then died before replying.
    team = await a_team_with_work(db, "C0DIED")
    ts = slack.add_message("C0DIED", "Infra work — #c0died — week 47", user=slack.bot_user_id)
    async with db.uow() as uow:
        run = await uow.digests.claim(
            workspace=team.workspace,
            team_id=team.id,
            week="2026-W47",
            claimant="dead-replica",
            now=MONDAY_NINE,
            stale_before=MONDAY_NINE - timedelta(minutes=10),
        )
        assert run is not None
        assert await uow.digests.mark_posted(
            run.id, "dead-replica", channel="C0DIED", message_ts=ts, now=MONDAY_NINE
        )
        await uow.commit()

    # Claimed 9 minutes ago: it may still be replying. 11 minutes: it died.
    assert (await scheduler.tick(MONDAY_NINE + timedelta(minutes=9))).replies == []
    [retry] = (await scheduler.tick(MONDAY_NINE + timedelta(minutes=11))).replies
    assert retry.outcome is Outcome.POSTED
    assert (await scheduler.tick(MONDAY_NINE + timedelta(minutes=30))).replies == []
    assert len(top_level(slack, "C0DIED")) == 1
    assert len(thread(slack, "C0DIED", ts)) == 1
    [run] = await runs(db)
    assert (run.status, run.attempts) == ("posted", 1)
    assert (run.reply_status, run.reply_claimed_by, run.reply_attempts) == (
        "posted",
        "replica-a",
        2,
    )


async def test_no_reply_retry_for_a_workspace_that_left(db, slack, scheduler):
    await make_team(db, "C0LEFT", workspace="T0LEFT")
    slack.script("chat.postMessage", body={"ok": False, "error": "internal_error"}, when=is_reply)
    await scheduler.tick(MONDAY_NINE)
    async with db.uow() as uow:
        await uow.workspaces.set_active("T0LEFT", False, MONDAY_NINE)
        await uow.commit()
    assert (await scheduler.tick(MONDAY_NINE + timedelta(minutes=5))).replies == []
    [run] = await runs(db)
    assert run.reply_status == "failed"
