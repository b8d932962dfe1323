"""Helpers for the capture surfaces' end-to-end tests: signed events, payloads, database reads."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.runtime import Runtime
from storage.tables import Team, WorkItem
from tests.support.fake_slack import FakeSlack
from tests.support.signing import event_body, interaction_body, post_signed, slash_command_body


async def items(runtime: Runtime, workspace: str | None = None) -> list[WorkItem]:
    async with runtime.db.read() as uow:
        stmt = select(WorkItem).order_by(WorkItem.id)
        if workspace is not None:
            stmt = stmt.where(WorkItem.workspace == workspace)
        return list((await uow.session.scalars(stmt)).all())


async def teams(runtime: Runtime) -> list[Team]:
    async with runtime.db.read() as uow:
        return list((await uow.session.scalars(select(Team).order_by(Team.id))).all())


async def command(
    http: aiohttp.ClientSession, runtime: Runtime, slack: FakeSlack, text: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """POST `/infrawork <text>`; (status, JSON answer or {} for an empty ack)."""
    kwargs.setdefault("response_url", slack.response_url())
    status, raw = await post_signed(
        http, runtime.url + "/slack/events", slash_command_body(text, **kwargs)
    )
    return status, (json.loads(raw) if raw.startswith("{") else {})


async def make_team(
    http: aiohttp.ClientSession,
    runtime: Runtime,
    slack: FakeSlack,
    *,
    channel: str = "C0PLATFORM",
    name: str = "platform",
    user: str = "U0001",
    team_id: str = "T0001",
) -> Team:
    """Create a team the way people do: the first `/infrawork add` in its channel."""
    status, _ = await command(
        http,
        runtime,
        slack,
        "add write the on-call handbook",
        channel_id=channel,
        channel_name=name,
        user_id=user,
        team_id=team_id,
    )
    assert status == 200
    async with runtime.db.read() as uow:
        team = await uow.teams.by_home_channel(team_id, channel)
    assert team is not None
    return team


def reaction_event(
    channel: str, ts: str, *, emoji: str = "rotating_light", user: str = "U0002"
) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": "U_AUTHOR",
        "event_ts": "1700000999.000100",
    }


async def send_event(
    http: aiohttp.ClientSession,
    runtime: Runtime,
    event: dict[str, Any],
    *,
    event_id: str = "Ev0001",
    team_id: str = "T0001",
    retry: int | None = None,
) -> tuple[int, str]:
    headers = {}
    if retry is not None:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return await post_signed(
        http,
        runtime.url + "/slack/events",
        event_body(event, team_id=team_id, event_id=event_id),
        headers=headers,
    )


async def interact(
    http: aiohttp.ClientSession, runtime: Runtime, payload: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    status, raw = await post_signed(http, runtime.url + "/slack/events", interaction_body(payload))
    return status, (json.loads(raw) if raw.startswith("{") else {})


def view_submission(
    view: dict[str, Any],
    values: dict[str, Any],
    *,
    user: str = "U0001",
    team_id: str = "T0001",
) -> dict[str, Any]:
    """A view_submission payload for ``view`` (as our app opened it) with ``values`` filled in."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "test"},
        "user": {"id": user, "team_id": team_id},
        "api_app_id": "A0001",
        "trigger_id": "t.submit",
        "view": {
            "id": view.get("id", "V1"),
            "hash": "h1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": values},
        },
    }


def opened_view(slack: FakeSlack, index: int = -1, method: str = "views.open") -> dict[str, Any]:
    call = slack.calls_to(method)[index]
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in view.get("blocks", [])]
