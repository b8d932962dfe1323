"""A second workspace never sees the first one's data, through any capture surface."""

from __future__ import annotations

import json

from tests.e2e.capture_flows import (
    command,
    interact,
    items,
    make_team,
    opened_view,
    reaction_event,
    send_event,
    view_submission,
)
from tests.e2e.test_setup_home import setup_values
from tests.e2e.test_shortcut import add_values, shortcut_payload

SECRET = "rotate the root credentials of the acme billing cluster"


async def two_workspaces(http, running, slack):
    """Both workspaces have a team on a channel with the same id and a message with the same ts."""
    one = await make_team(http, running, slack, team_id="T0001")
    two = await make_team(http, running, slack, team_id="T0002")
    ts = slack.add_message("C0PLATFORM", SECRET)
    await send_event(http, running, reaction_event("C0PLATFORM", ts), team_id="T0001")
    return one, two, ts


async def test_the_same_message_id_is_a_separate_item_in_each_workspace(running, slack, http):
    one, two, ts = await two_workspaces(http, running, slack)
    await send_event(
        http, running, reaction_event("C0PLATFORM", ts), team_id="T0002", event_id="E2"
    )
    first = [i for i in await items(running, "T0001") if i.source == "reaction"]
    second = [i for i in await items(running, "T0002") if i.source == "reaction"]
    assert [i.team_id for i in first] == [one.id]
    assert [i.team_id for i in second] == [two.id]


async def test_list_done_undo_and_home_stay_in_their_workspace(running, slack, http):
    one, _, _ = await two_workspaces(http, running, slack)
    [logged] = [i for i in await items(running, "T0001") if i.source == "reaction"]

    _, answer = await command(http, running, slack, "list", team_id="T0002")
    assert SECRET not in json.dumps(answer)
    _, answer = await command(http, running, slack, f"done {logged.id}", team_id="T0002")
    assert f"no item #{logged.id}" in answer["text"]
    assert [i.status for i in await items(running, "T0001") if i.id == logged.id] == ["open"]

    # The same user id in the other workspace undoes only what they logged there.
    _, answer = await command(http, running, slack, "undo", team_id="T0002")
    assert len(await items(running, "T0002")) == 0
    assert len(await items(running, "T0001")) == 2

    await send_event(
        http,
        running,
        {"type": "app_home_opened", "user": "U0001", "tab": "home"},
        team_id="T0002",
        event_id="H2",
    )
    await slack.wait_for("views.publish")
    home = json.dumps(opened_view(slack, method="views.publish"))
    assert SECRET not in home and str(one.id) not in [
        e["value"]
        for b in opened_view(slack, method="views.publish")["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def test_forged_ids_from_another_workspace_reveal_nothing(running, slack, http):
    one, _, ts = await two_workspaces(http, running, slack)
    # A list page button carrying the first workspace's team id, clicked in the second.
    click = {
        "type": "block_actions",
        "team": {"id": "T0002", "domain": "other"},
        "user": {"id": "U0001", "team_id": "T0002"},
        "channel": {"id": "C0PLATFORM", "name": "platform"},
        "container": {"type": "message", "is_ephemeral": True},
        "response_url": slack.response_url("forged"),
        "trigger_id": "t.forged",
        "actions": [
            {
                "type": "button",
                "action_id": "list_page:next",
                "block_id": "list_nav",
                "value": json.dumps({"t": one.id, "o": 0}),
            }
        ],
    }
    await interact(http, running, click)
    [answer] = await slack.wait_for_responses(1)
    assert SECRET not in json.dumps(answer)

    # A setup submission naming the first workspace's team.
    view = {
        "callback_id": "infrawork_setup",
        "private_metadata": json.dumps({"team_id": one.id}),
        "blocks": [],
    }
    _, answer = await interact(
        http, running, view_submission(view, setup_values(name="pwned"), team_id="T0002")
    )
    assert answer["response_action"] == "errors"
    async with running.db.read() as uow:
        team = await uow.teams.get("T0001", one.id)
    assert team is not None and team.name == "#platform"

    # The shortcut on "the same" message in the second workspace is not "already logged".
    payload = shortcut_payload(ts, SECRET)
    payload["team"] = {"id": "T0002", "domain": "other"}
    payload["user"] = {"id": "U0001", "team_id": "T0002"}
    await interact(http, running, payload)
    await slack.wait_for("views.open")
    opened = opened_view(slack)
    assert "already logged" not in json.dumps(opened)
    _, answer = await interact(
        http, running, view_submission(opened, add_values(SECRET), team_id="T0002")
    )
    assert answer["view"]["title"]["text"] == "Logged"
    assert len([i for i in await items(running, "T0002") if i.message_ts == ts]) == 1
