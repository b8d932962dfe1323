"""`/infrawork add` end to end: real HTTP, signed requests, real database, fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
from sqlalchemy import func, select

from bot.runtime import Runtime
from storage.tables import Team, WorkItem
from tests.support.fake_slack import FakeSlack
from tests.support.signing import interaction_body, post_signed, slash_command_body

OPENSSL = "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday"


async def _items(runtime: Runtime) -> list[WorkItem]:
    async with runtime.db.read() as uow:
        return list((await uow.session.scalars(select(WorkItem).order_by(WorkItem.id))).all())


async def add(
    http: aiohttp.ClientSession, runtime: Runtime, slack: FakeSlack, text: str, **kwargs: str
) -> tuple[int, dict]:
    body = slash_command_body(f"add {text}", response_url=slack.response_url(), **kwargs)
    status, raw = await post_signed(http, runtime.url + "/slack/events", body)
    return status, (json.loads(raw) if raw.startswith("{") else {"raw": raw})


async def test_add_stores_classifies_and_explains(running, slack, http):
    started = time.monotonic()
    status, answer = await add(http, running, slack, OPENSSL)
    elapsed = time.monotonic() - started

    assert status == 200
    assert elapsed < 3.0
    assert answer["response_type"] == "ephemeral"
    rendered = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Forced · short-term" in rendered
    assert "security" in rendered
    assert "CVE" in rendered and "→" in rendered  # the why, in plain words
    actions = [b for b in answer["blocks"] if b["type"] == "actions"]
    assert actions, "the confirmation offers a control to change the quadrant"
    select_el = next(e for e in actions[0]["elements"] if e["type"] == "static_select")
    assert {o["value"] for o in select_el["options"]} == {
        "forced_short",
        "forced_long",
        "discretionary_short",
        "discretionary_long",
    }

    items = await _items(running)
    assert len(items) == 1
    item = items[0]
    assert item.text == OPENSSL
    assert item.quadrant == "forced_short"
    assert "security" in item.principles
    assert item.source == "slash_command"
    assert item.channel == "C0PLATFORM" and item.created_by == "U0001"
    assert item.workspace == "T0001"
    async with running.db.read() as uow:
        team = (await uow.session.scalars(select(Team))).one()
    assert team.home_channel == "C0PLATFORM" and team.name == "#platform"
    # The answer travels in the HTTP response; nothing needed the Web API but Bolt's auth.test.
    assert {c.method for c in slack.calls} <= {"auth.test"}


async def test_changing_the_quadrant_updates_item_and_message(running, slack, http):
    _, answer = await add(http, running, slack, OPENSSL)
    controls = next(b for b in answer["blocks"] if b["type"] == "actions")
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "test"},
        "user": {"id": "U0002", "team_id": "T0001"},
        "channel": {"id": "C0PLATFORM", "name": "platform"},
        "container": {"type": "message", "is_ephemeral": True},
        "response_url": slack.response_url("change"),
        "trigger_id": "t.2",
        "actions": [
            {
                "type": "static_select",
                "action_id": "change_quadrant",
                "block_id": controls["block_id"],
                "selected_option": {
                    "value": "forced_long",
                    "text": {"type": "plain_text", "text": "Forced · long-term"},
                },
            }
        ],
    }
    status, _ = await post_signed(http, running.url + "/slack/events", interaction_body(payload))
    assert status == 200
    responses = await slack.wait_for_responses(1)
    assert responses[0]["replace_original"] is True
    assert "Forced · long-term" in json.dumps(responses[0]["blocks"], ensure_ascii=False)
    items = await _items(running)
    assert items[0].quadrant == "forced_long"
    assert items[0].classified_by == "person"
    async with running.db.read() as uow:
        corrections = await uow.corrections.for_team("T0001", items[0].team_id)
    assert [(c.from_quadrant, c.to_quadrant) for c in corrections] == [
        ("forced_short", "forced_long")
    ]


async def test_concurrent_first_use_creates_one_team(running, slack, http):
    results = await asyncio.gather(
        *[add(http, running, slack, f"rotate the leaked deploy key number {n}") for n in range(8)]
    )
    assert all(status == 200 for status, _ in results)
    async with running.db.read() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Team)) == 1
    assert len(await _items(running)) == 8


async def test_a_second_workspace_gets_its_own_team(running, slack, http):
    await add(http, running, slack, OPENSSL)
    await add(http, running, slack, "add retries to the dns updater", team_id="T0002")
    items = await _items(running)
    assert {i.workspace for i in items} == {"T0001", "T0002"}
    assert items[0].team_id != items[1].team_id
