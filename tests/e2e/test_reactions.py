"""Incident reactions end to end: signed Events API requests, real database, fake Web API."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import update

from storage.tables import Team
from tests.e2e.capture_flows import items, make_team, reaction_event, send_event

OUTAGE = "checkout is down: payments-api returns 502 for every request"


async def reaction_items(runtime, workspace: str = "T0001"):
    return [i for i in await items(runtime, workspace) if i.source == "reaction"]


async def set_team(runtime, team_id: int, **values) -> None:
    async with runtime.db.uow() as uow:
        await uow.session.execute(update(Team).where(Team.id == team_id).values(**values))
        await uow.commit()


async def test_incident_emoji_logs_the_message_as_forced_work(running, slack, http):
    team = await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", OUTAGE)

    started = time.monotonic()
    status, _ = await send_event(http, running, reaction_event("C0PLATFORM", ts))
    assert status == 200
    assert time.monotonic() - started < 3.0

    # Committed before the 200 went back: no waiting needed to see it.
    [item] = await reaction_items(running)
    assert item.text == OUTAGE
    assert item.quadrant == "forced_short"
    assert item.team_id == team.id
    assert (item.channel, item.message_ts) == ("C0PLATFORM", ts)
    assert item.permalink == f"https://test.slack.com/archives/C0PLATFORM/p{ts.replace('.', '')}"
    assert item.created_by == "U0002"
    [history] = slack.calls_to("conversations.history")
    assert history.args["latest"] == ts
    assert history.args["inclusive"] in ("1", "true", True, 1)
    assert str(history.args["limit"]) == "1"

    [ack] = await slack.wait_for("reactions.add")
    assert {k: ack.args[k] for k in ("channel", "timestamp", "name")} == {
        "channel": "C0PLATFORM",
        "timestamp": ts,
        "name": "white_check_mark",
    }


async def test_duplicate_racing_and_retried_deliveries_log_one_item(running, slack, http):
    await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", "sev1: the primary database is out of disk")
    event = reaction_event("C0PLATFORM", ts, emoji="fire")

    results = await asyncio.gather(
        send_event(http, running, event, event_id="EvDup"),
        send_event(http, running, event, event_id="EvDup"),
        send_event(http, running, event, event_id="EvDup", retry=1),
        send_event(
            http, running, reaction_event("C0PLATFORM", ts, user="U0003"), event_id="EvOther"
        ),
    )
    assert [status for status, _ in results] == [200, 200, 200, 200]
    assert len(await reaction_items(running)) == 1
    # A later retry, after everything settled, changes nothing either.
    status, _ = await send_event(http, running, event, event_id="EvDup", retry=2)
    assert status == 200
    assert len(await reaction_items(running)) == 1

    # A sentinel capture on another message: once its ✅ is in, every earlier ✅ would be too.
    other = slack.add_message("C0PLATFORM", "pager storm from the edge proxies")
    await send_event(http, running, reaction_event("C0PLATFORM", other), event_id="EvSentinel")
    acks = await slack.wait_for("reactions.add", 2)
    assert [a.args["timestamp"] for a in acks] == [ts, other]


async def test_a_reaction_on_a_thread_reply_logs_the_reply(running, slack, http):
    await make_team(http, running, slack)
    parent = slack.add_message("C0PLATFORM", "incident channel for today's outage")
    reply = slack.add_message(
        "C0PLATFORM", "sos: the deploy pipeline is broken for every service", thread_ts=parent
    )
    status, _ = await send_event(http, running, reaction_event("C0PLATFORM", reply, emoji="sos"))
    assert status == 200
    [item] = await reaction_items(running)
    assert item.text == "sos: the deploy pipeline is broken for every service"
    assert item.message_ts == reply
    assert item.quadrant.startswith("forced")
    [replies] = slack.calls_to("conversations.replies")
    assert replies.args["ts"] == reply
    [ack] = await slack.wait_for("reactions.add")
    assert ack.args["timestamp"] == reply


async def test_thread_acknowledgement_replies_in_the_thread(running, slack, http):
    team = await make_team(http, running, slack)
    await set_team(running, team.id, ack_mode="thread")
    parent = slack.add_message("C0PLATFORM", "status page incident open")
    reply = slack.add_message("C0PLATFORM", "TLS certificate on api expired", thread_ts=parent)
    await send_event(http, running, reaction_event("C0PLATFORM", reply))
    [post] = await slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0PLATFORM"
    assert post.args["thread_ts"] == parent
    assert "Forced" in post.args["text"]
    assert slack.calls_to("reactions.add") == []


async def test_silent_teams_get_no_acknowledgement(running, slack, http):
    team = await make_team(http, running, slack)
    await set_team(running, team.id, ack_mode="silent")
    ts = slack.add_message("C0PLATFORM", "etcd cluster lost quorum")
    await send_event(http, running, reaction_event("C0PLATFORM", ts))
    assert len(await reaction_items(running)) == 1
    # The sentinel: a thread-mode team's capture after it; only that one speaks.
    other = await make_team(http, running, slack, channel="C0SRE", name="sre")
    await set_team(running, other.id, ack_mode="thread")
    ts2 = slack.add_message("C0SRE", "kafka brokers are down")
    await send_event(http, running, reaction_event("C0SRE", ts2), event_id="Ev2")
    [post] = await slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0SRE"
    assert slack.calls_to("reactions.add") == []


async def test_other_emojis_and_channels_of_no_team_log_nothing(running, slack, http):
    await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", "lunch is here")
    stray = slack.add_message("C0RANDOM", "the coffee machine is on fire")
    for n, event in enumerate(
        [
            reaction_event("C0PLATFORM", ts, emoji="thumbsup"),
            reaction_event("C0PLATFORM", ts, emoji="fire::skin-tone-2".replace("fire", "tada")),
            reaction_event("C0RANDOM", stray, emoji="fire"),
            {**reaction_event("C0PLATFORM", ts), "item": {"type": "file", "file": "F1"}},
        ]
    ):
        status, _ = await send_event(http, running, event, event_id=f"Ev{n}")
        assert status == 200
    # The listener acks after it decided, so "nothing" is already final here.
    assert await reaction_items(running) == []
    assert slack.calls_to("conversations.history") == []
    assert slack.calls_to("reactions.add") == []


async def test_team_emojis_and_incident_channels_are_the_teams_own(running, slack, http):
    team = await make_team(http, running, slack)
    await set_team(running, team.id, incident_emojis=["boom"], incident_channels=["C0INCIDENTS"])
    ts = slack.add_message("C0INCIDENTS", "redis primary failed over twice in an hour")
    await send_event(http, running, reaction_event("C0INCIDENTS", ts, emoji="fire"), event_id="E1")
    assert await reaction_items(running) == []  # fire is no longer this team's emoji
    await send_event(http, running, reaction_event("C0INCIDENTS", ts, emoji="boom"), event_id="E2")
    [item] = await reaction_items(running)
    assert item.team_id == team.id and item.channel == "C0INCIDENTS"
    assert item.quadrant.startswith("forced")


async def test_the_bots_own_reaction_does_not_loop(running, slack, http):
    await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", "the VPN concentrator rebooted")
    for n, emoji in enumerate(["white_check_mark", "rotating_light"]):
        status, _ = await send_event(
            http,
            running,
            reaction_event("C0PLATFORM", ts, emoji=emoji, user="UBOT"),
            event_id=f"B{n}",
        )
        assert status == 200
    assert await reaction_items(running) == []
    assert slack.calls_to("conversations.history") == []


async def test_an_unreadable_channel_is_explained_once(running, slack, http):
    team = await make_team(http, running, slack)
    await set_team(running, team.id, incident_channels=["C0PRIVATE"])
    slack.unreadable.add("C0PRIVATE")
    ts = slack.add_message("C0PRIVATE", "customer data export job failing")

    # Two people react at once: still one notice.
    results = await asyncio.gather(
        send_event(http, running, reaction_event("C0PRIVATE", ts), event_id="U1"),
        send_event(http, running, reaction_event("C0PRIVATE", ts, user="U0005"), event_id="U1b"),
    )
    assert [status for status, _ in results] == [200, 200]
    assert await reaction_items(running) == []
    [notice] = await slack.wait_for("chat.postEphemeral")
    assert notice.args["channel"] == "C0PRIVATE" and notice.args["user"] in {"U0002", "U0005"}
    assert "/invite @infrawork" in notice.args["text"]
    async with running.db.read() as uow:
        stored = await uow.teams.get("T0001", team.id)
    assert stored is not None and stored.unreadable_channels == ["C0PRIVATE"]

    # Someone else tries: no second notice (the sentinel capture below proves the order).
    await send_event(
        http, running, reaction_event("C0PRIVATE", ts, emoji="fire", user="U0009"), event_id="U2"
    )
    ok = slack.add_message("C0PLATFORM", "cron host is out of memory")
    await send_event(http, running, reaction_event("C0PLATFORM", ok), event_id="U3")
    await slack.wait_for("reactions.add")
    assert len(slack.calls_to("chat.postEphemeral")) == 1

    # Once invited, the same reaction logs the message and the reminder is forgotten.
    slack.unreadable.discard("C0PRIVATE")
    await send_event(http, running, reaction_event("C0PRIVATE", ts), event_id="U4")
    assert [i.channel for i in await reaction_items(running)] == ["C0PLATFORM", "C0PRIVATE"]
    async with running.db.read() as uow:
        stored = await uow.teams.get("T0001", team.id)
    assert stored is not None and stored.unreadable_channels == []


async def test_unreadable_notice_falls_back_to_the_home_channel(running, slack, http):
    team = await make_team(http, running, slack)
    await set_team(running, team.id, incident_channels=["C0SECRET"])
    slack.unreadable.add("C0SECRET")
    slack.script("chat.postEphemeral", body={"ok": False, "error": "channel_not_found"})
    ts = slack.add_message("C0SECRET", "hsm cluster unreachable")
    await send_event(http, running, reaction_event("C0SECRET", ts))
    [post] = await slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0PLATFORM"
    assert "<@U0002>" in post.args["text"] and "/invite @infrawork" in post.args["text"]
