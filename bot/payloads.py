"""The shapes of Slack's request bodies we rely on, validated before any listener runs.

A signed request that lacks what its kind must carry is answered 400 at the edge, so listeners
can parse without defending against every missing key.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class SlashCommand(_Loose):
    command: str
    text: str = ""
    team_id: str
    user_id: str
    channel_id: str
    channel_name: str | None = None
    enterprise_id: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class _Id(_Loose):
    id: str


class Interaction(_Loose):
    type: str
    team: _Id | None = None
    user: _Id
    enterprise: _Id | None = None


class EventCallback(_Loose):
    type: str
    team_id: str | None = None
    event_id: str | None = None
    event: dict[str, Any]


class UrlVerification(_Loose):
    type: str
    challenge: str


class MalformedPayload(ValueError):
    """A signed body that is not a Slack request we can handle."""


def check_body(body: dict[str, Any]) -> None:
    """Raise MalformedPayload unless ``body`` (as Bolt parsed it) has its kind's fields."""
    if not isinstance(body, dict):
        raise MalformedPayload("the body is not an object")
    if body.get("ssl_check"):
        return
    try:
        if "command" in body:
            SlashCommand.model_validate(body)
            return
        kind = body.get("type")
        if kind == "url_verification":
            UrlVerification.model_validate(body)
        elif kind == "event_callback":
            EventCallback.model_validate(body)
        elif kind in {"app_rate_limited"}:
            return
        elif isinstance(kind, str):
            Interaction.model_validate(body)
        else:
            raise MalformedPayload("the body is neither a slash command, an event nor a payload")
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
        raise MalformedPayload(f"missing or invalid field(s): {fields}") from exc
