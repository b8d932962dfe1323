"""The "Log as infra work" message shortcut end to end: modal prefilled, stored once, updatable."""

from __future__ import annotations

import json
import time

from tests.e2e.capture_flows import (
    block_ids,
    interact,
    items,
    make_team,
    opened_view,
    view_submission,
)

CVE = "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday"


def shortcut_payload(ts: str, text: str, *, channel: str = "C0PLATFORM", user: str = "U0001"):
    return {
        "type": "message_action",
        "callback_id": "log_infra_work",
        "trigger_id": "t.shortcut",
        "response_url": "http://127.0.0.1:9/response",
        "team": {"id": "T0001", "domain": "test"},
        "user": {"id": user, "team_id": "T0001"},
        "channel": {"id": channel, "name": channel.lower()},
        "message_ts": ts,
        "message": {"type": "message", "user": "U_AUTHOR", "ts": ts, "text": text},
    }


def add_values(text: str, quadrant: str = "auto", principles: tuple[str, ...] = ()):
    return {
        "add_text": {"value": {"type": "plain_text_input", "value": text}},
        "add_quadrant": {
            "value": {"type": "static_select", "selected_option": {"value": quadrant}}
        },
        "add_principles": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": p} for p in principles],
            }
        },
    }


async def shortcut_items(runtime):
    return [i for i in await items(runtime) if i.source == "message_shortcut"]


async def test_shortcut_opens_a_prefilled_modal_and_stores_the_message_once(running, slack, http):
    team = await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", CVE)

    started = time.monotonic()
    status, _ = await interact(http, running, shortcut_payload(ts, CVE))
    assert status == 200 and time.monotonic() - started < 3.0
    [opened] = await slack.wait_for("views.open")
    assert opened.args["trigger_id"] == "t.shortcut"
    view = opened_view(slack)
    assert view["callback_id"] == "infrawork_add"
    text_input = next(b for b in view["blocks"] if b.get("block_id") == "add_text")
    assert text_input["element"]["initial_value"] == CVE
    rendered = json.dumps(view, ensure_ascii=False)
    assert "Forced · short-term" in rendered  # the proposal, named
    principles = next(b for b in view["blocks"] if b.get("block_id") == "add_principles")
    assert {o["value"] for o in principles["element"]["initial_options"]} == {"security"}
    assert "add_team" not in block_ids(view)  # one team: nothing to pick

    status, answer = await interact(
        http, running, view_submission(view, add_values(CVE, "auto", ("security",)))
    )
    assert status == 200
    assert answer["response_action"] == "update"
    assert "Logged" in json.dumps(answer["view"], ensure_ascii=False)
    [item] = await shortcut_items(running)
    assert (item.channel, item.message_ts, item.team_id) == ("C0PLATFORM", ts, team.id)
    assert item.permalink == f"https://test.slack.com/archives/C0PLATFORM/p{ts.replace('.', '')}"
    assert item.text == CVE and item.quadrant == "forced_short"
    assert item.principles == ["security"]

    # The same modal submitted again: told it is logged, offered an update; still one item.
    second = view_submission(view, add_values(CVE, "forced_long", ("security",)))
    status, answer = await interact(http, running, second)
    assert answer["response_action"] == "update"
    notice = answer["view"]
    assert notice["callback_id"] == "infrawork_already_logged"
    assert "already logged" in json.dumps(notice)
    assert len(await shortcut_items(running)) == 1

    button = next(e for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "test"},
        "user": {"id": "U0001", "team_id": "T0001"},
        "trigger_id": "t.click",
        "container": {"type": "view", "view_id": "V9"},
        "view": {"id": "V9", "hash": "h9", **notice},
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button["value"],
            }
        ],
    }
    status, _ = await interact(http, running, click)
    assert status == 200
    [updated] = await slack.wait_for("views.update")
    assert updated.args["view_id"] == "V9"
    [item] = await shortcut_items(running)
    assert item.quadrant == "forced_long" and item.classified_by == "person"


async def test_the_shortcut_on_a_logged_message_offers_to_update_it(running, slack, http):
    await make_team(http, running, slack)
    ts = slack.add_message("C0PLATFORM", CVE)
    await interact(http, running, shortcut_payload(ts, CVE))
    await slack.wait_for("views.open")
    await interact(http, running, view_submission(opened_view(slack), add_values(CVE)))

    await interact(http, running, shortcut_payload(ts, CVE, user="U0002"))
    await slack.wait_for("views.open", 2)
    again = opened_view(slack)
    assert "already logged" in json.dumps(again)
    assert again["submit"]["text"] == "Update"
    edited = CVE + " (and the bastion hosts)"
    _, answer = await interact(
        http, running, view_submission(again, add_values(edited), user="U0002")
    )
    assert answer["response_action"] == "update"
    [item] = await shortcut_items(running)
    assert item.text == edited


async def test_a_message_in_a_thread_can_be_logged(running, slack, http):
    await make_team(http, running, slack)
    parent = slack.add_message("C0PLATFORM", "postmortem follow-ups")
    reply = slack.add_message(
        "C0PLATFORM",
        "automate the certificate rotation so it never expires again",
        thread_ts=parent,
    )
    await interact(
        http,
        running,
        shortcut_payload(reply, "automate the certificate rotation so it never expires again"),
    )
    await slack.wait_for("views.open")
    values = add_values("automate the certificate rotation so it never expires again")
    await interact(http, running, view_submission(opened_view(slack), values))
    [item] = await shortcut_items(running)
    assert item.message_ts == reply
