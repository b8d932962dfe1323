"""`/infrawork list`, `done`, `undo` and help for bad input, end to end."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.e2e.capture_flows import command, interact, items, make_team


def texts(answer: dict) -> list[str]:
    """The item lines of a list answer, in order."""
    return [
        b["text"]["text"]
        for b in answer["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("`#")
    ]


async def add(http, running, slack, text: str, **kwargs) -> None:
    status, answer = await command(http, running, slack, f"add {text}", **kwargs)
    assert status == 200 and "Logged" in answer["text"]


async def test_list_shows_the_teams_items_newest_first_and_filters(running, slack, http, clock):
    await make_team(http, running, slack)  # logs "write the on-call handbook"
    clock.advance(days=-7)
    await add(http, running, slack, "upgrade postgres 11 before end of life next year")
    clock.advance(days=7)
    await add(http, running, slack, "the payments api is down, page the on-call")
    await add(http, running, slack, "add retries to the dns updater", channel_id="C0OTHER")

    status, answer = await command(http, running, slack, "list")
    assert status == 200 and answer["response_type"] == "ephemeral"
    lines = texts(answer)
    assert len(lines) == 3  # the other channel's team is not listed
    assert "payments api" in lines[0] and "handbook" in lines[1] and "postgres" in lines[2]

    _, answer = await command(http, running, slack, "list forced_short")
    assert [("payments api" in line) for line in texts(answer)] == [True]

    _, answer = await command(http, running, slack, "list --week 2026-W47")
    assert [("postgres" in line) for line in texts(answer)] == [True]
    _, answer = await command(http, running, slack, "list --weeks 1")
    assert len(texts(answer)) == 2
    _, answer = await command(http, running, slack, "list --weeks=2")
    assert len(texts(answer)) == 3


async def test_list_pages_within_block_kit_limits(running, slack, http):
    await make_team(http, running, slack)
    for n in range(14):
        await add(http, running, slack, f"rotate the credentials of service number {n}")
    _, answer = await command(http, running, slack, "list")
    assert len(answer["blocks"]) <= 50
    assert len(texts(answer)) == 10
    assert "service number 13" in texts(answer)[0]
    nav = next(b for b in answer["blocks"] if b["type"] == "actions")
    [next_button] = nav["elements"]
    assert next_button["text"]["text"].startswith("Next")

    click = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "test"},
        "user": {"id": "U0001", "team_id": "T0001"},
        "channel": {"id": "C0PLATFORM", "name": "platform"},
        "container": {"type": "message", "is_ephemeral": True},
        "response_url": slack.response_url("page2"),
        "trigger_id": "t.page",
        "actions": [
            {
                "type": "button",
                "action_id": next_button["action_id"],
                "block_id": nav["block_id"],
                "value": next_button["value"],
            }
        ],
    }
    status, _ = await interact(http, running, click)
    assert status == 200
    [page2] = await slack.wait_for_responses(1)
    assert page2["replace_original"] is True
    lines = texts(page2)
    assert len(lines) == 5  # 15 items: the handbook and 14 rotations
    assert "handbook" in lines[-1]
    labels = [
        e["text"]["text"] for b in page2["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["◀ Previous"]


async def test_done_marks_an_item_done(running, slack, http):
    await make_team(http, running, slack)
    [item] = await items(running)
    _, answer = await command(http, running, slack, f"done #{item.id}")
    assert f"#{item.id}" in answer["text"]
    [item] = await items(running)
    assert item.status == "done" and item.done_at is not None
    _, answer = await command(http, running, slack, "done 99999")
    assert "no item #99999" in answer["text"]


async def test_undo_removes_only_the_users_last_capture(running, slack, http):
    await make_team(http, running, slack)
    await add(http, running, slack, "renew the wildcard certificate", user_id="U0002")
    await add(http, running, slack, "bump the base image for all services")
    _, answer = await command(http, running, slack, "undo")
    assert "base image" in answer["text"]
    remaining = [i.text for i in await items(running)]
    assert remaining == ["write the on-call handbook", "renew the wildcard certificate"]
    _, answer = await command(http, running, slack, "undo", user_id="U0003")
    assert "haven't logged anything" in answer["text"]


async def test_unknown_verbs_and_malformed_arguments_get_help(running, slack, http):
    await make_team(http, running, slack)
    for text in (
        "frobnicate",
        "list --weeks lots",
        "list --week 2026-47",
        "list nonsense",
        "list --week 2026-W47 --weeks 2",
        "done",
        "done twelve",
        "undo everything",
    ):
        status, answer = await command(http, running, slack, text)
        assert status == 200, text
        assert answer["response_type"] == "ephemeral", text
        rendered = json.dumps(answer["blocks"], ensure_ascii=False)
        assert "/infrawork list" in rendered and "/infrawork undo" in rendered, text
        assert "Traceback" not in rendered
    assert len(await items(running)) == 1


async def test_list_outside_any_team_explains(running, slack, http):
    _, answer = await command(http, running, slack, "list", channel_id="C0NOTEAM")
    assert "team" in answer["text"]
    _, answer = await command(http, running, slack, "help")
    rendered = json.dumps(answer["blocks"], ensure_ascii=False)
    for usage in ("list [quadrant]", "done <id>", "undo", "setup"):
        assert usage in rendered


async def test_week_filter_uses_the_teams_timezone(running, slack, http, clock):
    team = await make_team(http, running, slack)
    async with running.db.uow() as uow:
        stored = await uow.teams.get("T0001", team.id)
        assert stored is not None
        stored.timezone = "Pacific/Auckland"  # UTC+13 in November
        await uow.commit()
    # Sunday 2026-11-22 12:00 UTC is already Monday (week 48) in Auckland.
    clock.moment = clock.moment - timedelta(hours=21, minutes=30)
    await add(http, running, slack, "fix the flaky backup restore test")
    _, answer = await command(http, running, slack, "list --week 2026-W48")
    assert any("backup restore" in line for line in texts(answer))
