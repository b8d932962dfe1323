"""The weekly digest end to end: items logged through signed slash commands, then
`infrawork digest --all --post` against the recording fake Web API (with a 429 on the first post),
exactly once per team and week; and `/infrawork digest`, the ephemeral preview."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select

from bot import cli
from bot.runtime import Runtime
from bot.scheduler import scheduler_for
from bot.services.digest import Outcome, current_digest_week
from storage.tables import DigestRun, Team, WorkItem
from tests.conftest import BOT_TOKEN, FakeClock
from tests.support.fake_slack import FakeSlack
from tests.support.signing import post_signed, slash_command_body

FORCED = (
    "sev1: payments API returning 503s after the node pool upgrade, rolling back",
    "disk full on build-runner-2, builds failing across the org",
    "CVE-2026-3141 in our nginx ingress is being exploited in the wild, patch all clusters",
    "outage: eu-west DNS resolution failing for internal services",
)
CHOSEN = ("improve the error message when kubectl context is missing in the deploy CLI",)


async def command(
    http: aiohttp.ClientSession, runtime: Runtime, slack: FakeSlack, text: str, **kw: str
) -> dict:
    body = slash_command_body(text, response_url=slack.response_url(), **kw)
    status, raw = await post_signed(http, runtime.url + "/slack/events", body)
    assert status == 200, raw
    return json.loads(raw) if raw.startswith("{") else {"raw": raw}


def top_level(slack: FakeSlack, channel: str) -> list[dict]:
    return [m for m in slack.messages.get(channel, []) if not m.get("thread_ts")]


async def log_a_week_of_work(
    running: Runtime, slack: FakeSlack, http: aiohttp.ClientSession, clock: FakeClock
) -> Team:
    """Log items during the week the team's digest would report on right now (real time)."""
    await command(http, running, slack, f"add {FORCED[0]}")
    async with running.db.read() as uow:
        team = (await uow.session.scalars(select(Team))).one()
    week = current_digest_week(team, datetime.now(UTC))
    start, _ = week.bounds("UTC")
    clock.moment = start + timedelta(days=3, hours=12)
    async with running.db.uow() as uow:  # the first item too belongs to that week
        item = (await uow.session.scalars(select(WorkItem))).one()
        item.created_at = clock.moment
        await uow.commit()
    for text in (*FORCED[1:], *CHOSEN):
        clock.advance(hours=2)
        await command(http, running, slack, f"add {text}")
    return team


def run_cli(*argv: str) -> int:
    return cli.main(list(argv))


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url, slack):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)


async def test_digest_post_is_once_per_team_and_week_despite_a_429(
    running, slack, http, clock, cli_env, capsys
):
    team = await log_a_week_of_work(running, slack, http, clock)
    slack.rate_limit("chat.postMessage", retry_after=1)

    assert await asyncio.to_thread(run_cli, "digest", "--all", "--post") == 0

    posted = top_level(slack, "C0PLATFORM")
    assert len(posted) == 1, "exactly one digest message in the team's channel"
    message = posted[0]
    assert "Firefighting" in message["text"]
    rendered = json.dumps(message["blocks"], ensure_ascii=False)
    assert "🔥 *Firefighting*" in rendered
    assert "80% of the last 4 weeks' work was forced (your line: 50%)" in rendered
    assert len(message["blocks"]) <= 50
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 3  # the 429, the digest, its thread reply
    assert calls[0].args["channel"] == calls[1].args["channel"] == "C0PLATFORM"
    thread = [m for m in slack.messages["C0PLATFORM"] if m.get("thread_ts") == message["ts"]]
    assert len(thread) == 1
    assert "disk full on build-runner-2" in json.dumps(thread[0]["blocks"])
    async with running.db.read() as uow:
        [run] = (await uow.session.scalars(select(DigestRun))).all()
    assert (run.team_id, run.status, run.channel, run.message_ts) == (
        team.id,
        "posted",
        "C0PLATFORM",
        message["ts"],
    )
    assert "posted to C0PLATFORM" in capsys.readouterr().out

    # A second run the same week posts nothing.
    assert await asyncio.to_thread(run_cli, "digest", "--all", "--post") == 0
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert len(top_level(slack, "C0PLATFORM")) == 1
    assert "not posted" in capsys.readouterr().out


async def test_a_thread_reply_rate_limited_beyond_retries_is_posted_by_a_later_pass(
    running, slack, http, clock, cli_env, capsys
):
    await log_a_week_of_work(running, slack, http, clock)
    # Slack keeps answering 429 to the thread reply, beyond the client's 3 retries.
    slack.rate_limit(
        "chat.postMessage", retry_after=0, times=4, when=lambda args: "thread_ts" in args
    )

    assert await asyncio.to_thread(run_cli, "digest", "--all", "--post") == 0
    out = capsys.readouterr().out
    assert "posted to C0PLATFORM" in out
    assert "thread reply failed: ratelimited (HTTP 429); retried from " in out
    [message] = top_level(slack, "C0PLATFORM")
    assert [m for m in slack.messages["C0PLATFORM"] if m.get("thread_ts")] == []
    async with running.db.read() as uow:
        [run] = (await uow.session.scalars(select(DigestRun))).all()
    assert (run.status, run.reply_status, run.reply_attempts) == ("posted", "failed", 1)
    assert run.reply_next_attempt_at is not None

    # The server's scheduler replies once the retry is due, under the same message.
    scheduler = scheduler_for(running)
    early = await scheduler.tick(run.reply_next_attempt_at - timedelta(seconds=1))
    assert early.replies == []
    report = await scheduler.tick(run.reply_next_attempt_at)
    assert [r.outcome for r in report.replies] == [Outcome.POSTED]
    assert report.results == []
    assert await asyncio.to_thread(run_cli, "digest", "--all", "--post") == 0  # still once

    assert top_level(slack, "C0PLATFORM") == [message]
    [reply] = [m for m in slack.messages["C0PLATFORM"] if m.get("thread_ts")]
    assert reply["thread_ts"] == message["ts"]
    assert "disk full on build-runner-2" in json.dumps(reply["blocks"])
    assert len(slack.calls_to("chat.postMessage")) == 1 + 4 + 1
    async with running.db.read() as uow:
        [run] = (await uow.session.scalars(select(DigestRun))).all()
    assert (run.reply_status, run.reply_ts, run.attempts) == ("posted", reply["ts"], 1)


async def test_digest_print_renders_text_without_slack(
    running, slack, http, clock, cli_env, capsys
):
    await log_a_week_of_work(running, slack, http, clock)
    assert await asyncio.to_thread(run_cli, "digest", "--print") == 0
    out = capsys.readouterr().out
    assert out.startswith("Infra work — #platform — week ")
    assert "🔥 Firefighting" in out and "What the essay suggests" in out
    assert "disk full on build-runner-2" in out
    assert slack.calls_to("chat.postMessage") == []


async def test_digest_verb_previews_ephemerally_to_the_asker(running, slack, http, clock):
    clock.moment = datetime(2026, 11, 18, 10, tzinfo=UTC)  # Wednesday of week 47
    for text in FORCED:
        clock.advance(hours=1)
        await command(http, running, slack, f"add {text}")
    clock.moment = datetime(2026, 11, 23, 8, tzinfo=UTC)  # Monday: the digest reports week 47

    answer = await command(http, running, slack, "digest", user_id="U0002")
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Infra work — #platform — week 47 (Nov 16–22)"
    rendered = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Firefighting" in rendered
    assert "Notable items" in rendered and "disk full on build-runner-2" in rendered
    # A preview posts nothing and claims nothing: the weekly digest still goes out.
    assert slack.calls_to("chat.postMessage") == []
    async with running.db.read() as uow:
        assert (await uow.session.scalars(select(DigestRun))).all() == []

    earlier = await command(http, running, slack, "digest 2026-W46")
    assert "week 46" in earlier["blocks"][0]["text"]["text"]
    assert "No phase yet" in json.dumps(earlier["blocks"], ensure_ascii=False)

    wrong = await command(http, running, slack, "digest last-week")
    assert "isn't an ISO week" in wrong["text"] and "2026-W47" in wrong["text"]
