"""Who and where a request comes from, parsed once from a Slack payload."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The person and place behind a request; every query is scoped to ``workspace``."""

    workspace: str
    user_id: str | None
    enterprise_id: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None

    @property
    def in_direct_message(self) -> bool:
        return bool(self.channel_id and self.channel_id.startswith("D")) or (
            self.channel_name in {"directmessage", "mpdm"}
        )
