"""The add modal end to end: opened by `/infrawork` with no text, validated in the modal."""

from __future__ import annotations

import time

from tests.e2e.capture_flows import (
    block_ids,
    command,
    interact,
    items,
    make_team,
    opened_view,
    teams,
    view_submission,
)
from tests.e2e.test_shortcut import add_values


async def open_modal(http, running, slack, text: str = "", n: int = 1, **kwargs) -> dict:
    started = time.monotonic()
    status, answer = await command(http, running, slack, text, **kwargs)
    assert status == 200 and answer == {}  # an empty ack: the modal is the answer
    assert time.monotonic() - started < 3.0
    await slack.wait_for("views.open", n)
    return opened_view(slack)


async def test_bare_command_and_bare_add_open_the_modal(running, slack, http):
    await make_team(http, running, slack)
    for n, text in enumerate(("", "add"), start=1):
        view = await open_modal(http, running, slack, text, n=n)
        assert view["callback_id"] == "infrawork_add"
        assert block_ids(view)[:3] == ["add_text", "add_quadrant", "add_principles"]
        quadrant = next(b for b in view["blocks"] if b["block_id"] == "add_quadrant")
        assert quadrant["optional"] is True
        assert quadrant["element"]["initial_option"]["value"] == "auto"
        assert [o["value"] for o in quadrant["element"]["options"]] == [
            "auto",
            "forced_short",
            "forced_long",
            "discretionary_short",
            "discretionary_long",
        ]
    assert slack.calls_to("views.open")[0].args["trigger_id"] == "t.1"


async def test_a_modal_submitted_with_errors_is_answered_in_the_modal(running, slack, http):
    await make_team(http, running, slack)
    view = await open_modal(http, running, slack)
    before = len(await items(running))
    for text, expected in (("   ", "what the work is"), ("x" * 3001, "3,001 characters")):
        status, answer = await interact(http, running, view_submission(view, add_values(text)))
        assert status == 200
        assert answer["response_action"] == "errors"
        assert expected in answer["errors"]["add_text"]
    assert len(await items(running)) == before


async def test_a_picked_quadrant_and_principles_are_kept(running, slack, http):
    await make_team(http, running, slack)
    view = await open_modal(http, running, slack)
    values = add_values(
        "write the runbook for failing over the queue", "forced_long", ("reliability",)
    )
    _, answer = await interact(http, running, view_submission(view, values))
    assert answer["response_action"] == "update"
    item = (await items(running))[-1]
    assert item.source == "modal"
    assert item.quadrant == "forced_long" and item.classified_by == "person"
    assert item.principles == ["reliability"]
    assert item.channel == "C0PLATFORM" and item.message_ts is None


async def test_someone_in_two_teams_picks_the_team(running, slack, http):
    await make_team(http, running, slack)
    sre = await make_team(http, running, slack, channel="C0SRE", name="sre")
    view = await open_modal(http, running, slack, channel_id="C0SRE", channel_name="sre")
    team_block = next(b for b in view["blocks"] if b["block_id"] == "add_team")
    options = team_block["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["#sre", "#platform"]  # this channel's first
    assert team_block["element"]["initial_option"]["value"] == str(sre.id)
    platform_id = options[1]["value"]
    values = {
        **add_values("tune the alert thresholds on the ingest lag"),
        "add_team": {"value": {"type": "static_select", "selected_option": {"value": platform_id}}},
    }
    await interact(http, running, view_submission(view, values))
    item = (await items(running))[-1]
    assert str(item.team_id) == platform_id


async def test_a_new_channel_gets_its_team_on_submission(running, slack, http):
    view = await open_modal(http, running, slack, channel_id="C0NEW", channel_name="storage")
    assert "add_team" not in block_ids(view)
    await interact(
        http, running, view_submission(view, add_values("migrate backups to the new bucket"))
    )
    [team] = await teams(running)
    assert team.home_channel == "C0NEW" and team.name == "#storage"
    [item] = await items(running)
    assert item.team_id == team.id


async def test_in_a_dm_without_a_team_the_modal_explains(running, slack, http):
    view = await open_modal(http, running, slack, channel_id="D0DM", channel_name="directmessage")
    assert view.get("callback_id") is None and "submit" not in view
    assert "team's channel" in str(view["blocks"])
    assert await teams(running) == []
