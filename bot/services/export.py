"""Items as flat records with the contract's fields, for `infrawork export`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from storage.tables import Team
from storage.uow import Database

EXPORT_FIELDS = (
    "id",
    "workspace",
    "team",
    "text",
    "quadrant",
    "principles",
    "source",
    "channel",
    "message_ts",
    "permalink",
    "created_by",
    "created_at",
    "confidence",
    "rationale",
    "status",
)


async def export_records(
    db: Database, workspace: str | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Every item (of ``workspace``, if given) as a record keyed by EXPORT_FIELDS, oldest first."""
    async with db.read() as uow:
        teams: dict[int, Team | None] = {}
        for item in await uow.items.all_in_workspace(workspace):
            team = teams.get(item.team_id)
            if team is None:
                team = teams[item.team_id] = await uow.teams.get(item.workspace, item.team_id)
            yield {
                "id": item.id,
                "workspace": item.workspace,
                "team": team.name if team is not None else None,
                "text": item.text,
                "quadrant": item.quadrant,
                "principles": list(item.principles or []),
                "source": item.source,
                "channel": item.channel,
                "message_ts": item.message_ts,
                "permalink": item.permalink,
                "created_by": item.created_by,
                "created_at": item.created_at.isoformat(),
                "confidence": round(item.confidence, 3),
                "rationale": item.rationale,
                "status": item.status,
            }
