"""What every listener needs: who is asking, from a Slack payload."""

from __future__ import annotations

from typing import Any

from bot.services.context import Actor


def actor_from_command(command: dict[str, Any]) -> Actor:
    return Actor(
        workspace=command["team_id"],
        enterprise_id=command.get("enterprise_id") or None,
        user_id=command["user_id"],
        channel_id=command.get("channel_id"),
        channel_name=command.get("channel_name"),
    )


def actor_from_body(body: dict[str, Any]) -> Actor:
    """The actor of an interaction payload (block_actions, view_submission, shortcut)."""
    team = body.get("team") or {}
    user = body.get("user") or {}
    channel = body.get("channel") or {}
    enterprise = body.get("enterprise") or {}
    workspace = team.get("id") or user.get("team_id") or ""
    return Actor(
        workspace=workspace,
        enterprise_id=enterprise.get("id") or None,
        user_id=user.get("id"),
        channel_id=channel.get("id"),
        channel_name=channel.get("name"),
    )
