"""`/infrawork setup` and the App Home tab, end to end."""

from __future__ import annotations

import json

from tests.e2e.capture_flows import (
    command,
    interact,
    make_team,
    opened_view,
    reaction_event,
    send_event,
    teams,
    view_submission,
)


def setup_values(**overrides: object) -> dict:
    raw: dict[str, object] = {
        "name": "Platform",
        "home": "C0PLATFORM",
        "incident": ["C0INCIDENTS"],
        "emojis": ":fire: boom",
        "ack": "thread",
        "weekday": "4",
        "time": "16:30",
        "tz": "America/New_York",
        "threshold": "60",
        "window": "6",
    }
    raw.update(overrides)
    return {
        "setup_name": {"value": {"type": "plain_text_input", "value": raw["name"]}},
        "setup_home": {
            "value": {"type": "conversations_select", "selected_conversation": raw["home"]}
        },
        "setup_incident_channels": {
            "value": {
                "type": "multi_conversations_select",
                "selected_conversations": raw["incident"],
            }
        },
        "setup_emojis": {"value": {"type": "plain_text_input", "value": raw["emojis"]}},
        "setup_ack": {"value": {"type": "static_select", "selected_option": {"value": raw["ack"]}}},
        "setup_weekday": {
            "value": {"type": "static_select", "selected_option": {"value": raw["weekday"]}}
        },
        "setup_time": {"value": {"type": "timepicker", "selected_time": raw["time"]}},
        "setup_timezone": {"value": {"type": "plain_text_input", "value": raw["tz"]}},
        "setup_threshold": {"value": {"type": "number_input", "value": raw["threshold"]}},
        "setup_window": {"value": {"type": "number_input", "value": raw["window"]}},
    }


def element(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]


async def open_setup(http, running, slack, n: int = 1, **kwargs) -> dict:
    status, answer = await command(http, running, slack, "setup", **kwargs)
    assert status == 200 and answer == {}
    await slack.wait_for("views.open", n)
    return opened_view(slack)


async def test_setup_opens_with_defaults_and_saves(running, slack, http):
    await make_team(http, running, slack)
    slack.users["U0001"] = {"id": "U0001", "tz": "Asia/Tokyo"}
    view = await open_setup(http, running, slack)
    assert view["callback_id"] == "infrawork_setup"
    [info] = slack.calls_to("users.info")
    assert info.args["user"] == "U0001"
    assert element(view, "setup_timezone")["initial_value"] == "Asia/Tokyo"
    assert element(view, "setup_weekday")["initial_option"]["value"] == "0"  # Monday
    assert element(view, "setup_time")["initial_time"] == "09:00"
    assert element(view, "setup_emojis")["initial_value"] == ":rotating_light: :fire: :sos:"
    assert element(view, "setup_ack")["initial_option"]["value"] == "reaction"
    assert element(view, "setup_home")["initial_conversation"] == "C0PLATFORM"
    assert element(view, "setup_threshold")["initial_value"] == "50"
    assert element(view, "setup_window")["initial_value"] == "4"
    assert "/infrawork token" in json.dumps(view)  # machines push measurements with a token

    status, answer = await interact(http, running, view_submission(view, setup_values()))
    assert status == 200 and answer["response_action"] == "update"
    [team] = await teams(running)
    assert team.name == "Platform"
    assert team.incident_channels == ["C0INCIDENTS"]
    assert team.incident_emojis == ["fire", "boom"]
    assert team.ack_mode == "thread"
    assert (team.digest_weekday, team.digest_time, team.timezone) == (
        4,
        "16:30",
        "America/New_York",
    )
    assert (team.forced_threshold, team.window_weeks) == (0.6, 6)
    assert team.setup_by == "U0001"

    # Reopened, it shows what was saved (not the person's timezone again).
    view = await open_setup(http, running, slack, n=2)
    assert element(view, "setup_timezone")["initial_value"] == "America/New_York"
    assert element(view, "setup_weekday")["initial_option"]["value"] == "4"

    # And the settings are live: a :boom: in the incident channel now logs with a thread reply.
    ts = slack.add_message("C0INCIDENTS", "the object store is rejecting writes")
    await send_event(http, running, reaction_event("C0INCIDENTS", ts, emoji="boom"))
    [post] = await slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == ts


async def test_setup_errors_are_shown_in_the_modal(running, slack, http):
    await make_team(http, running, slack)
    view = await open_setup(http, running, slack)
    bad = setup_values(
        name=" ",
        tz="Mars/Olympus",
        emojis=":white_check_mark:",
        threshold="100",
        window="0",
        time="25:00",
    )
    status, answer = await interact(http, running, view_submission(view, bad))
    assert status == 200 and answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        "setup_name",
        "setup_timezone",
        "setup_emojis",
        "setup_threshold",
        "setup_window",
        "setup_time",
    }
    assert "Mars/Olympus" in answer["errors"]["setup_timezone"]
    _, answer = await interact(
        http, running, view_submission(view, setup_values(emojis="fire, not an emoji!"))
    )
    assert set(answer["errors"]) == {"setup_emojis"}
    [team] = await teams(running)
    assert team.setup_by is None and team.name == "#platform"  # nothing half-saved


async def test_a_home_channel_belongs_to_one_team(running, slack, http):
    await make_team(http, running, slack)
    await make_team(http, running, slack, channel="C0SRE", name="sre")
    view = await open_setup(http, running, slack, channel_id="C0SRE", channel_name="sre")
    _, answer = await interact(
        http, running, view_submission(view, setup_values(home="C0PLATFORM"))
    )
    assert answer["response_action"] == "errors"
    assert "already another team's home" in answer["errors"]["setup_home"]
    _, answer = await interact(http, running, view_submission(view, setup_values(home="C0SRE2")))
    assert answer["response_action"] == "update"
    assert sorted(t.home_channel for t in await teams(running)) == ["C0PLATFORM", "C0SRE2"]


async def test_app_home_shows_the_users_teams_with_this_weeks_mix(running, slack, http):
    await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", "the load balancer returns 503 for all traffic")
    await send_event(http, running, reaction_event("C0PLATFORM", ts, user="U0001"))
    status, _ = await send_event(
        http, running, {"type": "app_home_opened", "user": "U0001", "tab": "home"}, event_id="H1"
    )
    assert status == 200
    [publish] = await slack.wait_for("views.publish")
    assert publish.args["user_id"] == "U0001"
    view = opened_view(slack, method="views.publish")
    assert view["type"] == "home"
    rendered = json.dumps(view, ensure_ascii=False)
    assert "#platform" in rendered
    assert "Forced · short *1* (50%)" in rendered
    # The phase and the baselines, as the digest computes them.
    assert "Firefighting" in rendered and "your line: 50%" in rendered
    assert "no baseline yet" in rendered
    assert (
        "load balancer" in rendered and "https://test.slack.com/archives/C0PLATFORM/p" in rendered
    )
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["open_add_modal", "open_setup_modal"]

    for n, button in enumerate(buttons, start=1):
        click = {
            "type": "block_actions",
            "team": {"id": "T0001", "domain": "test"},
            "user": {"id": "U0001", "team_id": "T0001"},
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home", **view},
            "trigger_id": f"t.home{n}",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "value": button["value"],
                    "block_id": "x",
                }
            ],
        }
        status, _ = await interact(http, running, click)
        assert status == 200
        await slack.wait_for("views.open", n)
    add, setup = (opened_view(slack, i) for i in (0, 1))
    assert add["callback_id"] == "infrawork_add" and setup["callback_id"] == "infrawork_setup"
    assert [c.args["trigger_id"] for c in slack.calls_to("views.open")] == ["t.home1", "t.home2"]

    # Logging from the tab's modal publishes the tab again, with the new item.
    values = {
        "add_text": {"value": {"type": "plain_text_input", "value": "tidy the grafana folders"}}
    }
    _, answer = await interact(http, running, view_submission(add, values))
    assert answer["response_action"] == "update"
    await slack.wait_for("views.publish", 2)
    assert "tidy the grafana folders" in json.dumps(opened_view(slack, method="views.publish"))


async def test_app_home_for_someone_without_a_team_says_how_to_start(running, slack, http):
    await send_event(http, running, {"type": "app_home_opened", "user": "U0404", "tab": "home"})
    await slack.wait_for("views.publish")
    view = opened_view(slack, method="views.publish")
    assert "/infrawork add" in json.dumps(view)
    assert not [b for b in view["blocks"] if b["type"] == "actions"]
