"""`infrawork import`: items from an `infrawork export` (JSONL or CSV) back into a database.

For backups and for moving between SQLite and PostgreSQL. Every exported field is restored as
it was, including ``source`` (an item logged by a slash command stays ``slash_command``), so
export → import → export gives the same records (``id`` aside: the target database numbers its
own rows). Teams are matched by (workspace, name) and created when missing. Importing twice adds
nothing: an item is the same when its Slack message matches (workspace, channel, message_ts), or,
for items without a message, when its workspace, team, text and creation time match.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.clock import Clock
from bot.ids import DEFAULT_INCIDENT_EMOJIS, AckMode
from bot.services.export import EXPORT_FIELDS
from bot.services.teams import TEAM_NAME_MAX
from core.model import ItemStatus, Principle, Quadrant, Source
from storage.tables import Team
from storage.uow import Database, UnitOfWork

BATCH = 500
"""Items per transaction: a big file commits as it goes, and a re-run skips what is in."""

_OPTIONAL = ("channel", "message_ts", "permalink", "created_by")
HOME_CHANNEL_MAX = 32


class BadRecord(ValueError):
    """A record that cannot be imported, with the reason in words."""


@dataclass(frozen=True, slots=True)
class ImportItem:
    workspace: str
    team: str
    text: str
    quadrant: Quadrant
    principles: tuple[Principle, ...]
    source: Source
    channel: str | None
    message_ts: str | None
    permalink: str | None
    created_by: str | None
    created_at: datetime
    confidence: float
    rationale: str
    status: ItemStatus


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    """Already present (a re-import, or the same message twice)."""
    teams_created: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(line or row number, reason) of records left out."""


def _text(record: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        if required:
            raise BadRecord(f"'{name}' is missing")
        return None
    if not isinstance(value, str):
        raise BadRecord(f"'{name}' must be text")
    return value


def _enum(kind: Any, record: dict[str, Any], name: str) -> Any:
    value = _text(record, name)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise BadRecord(f"'{name}' is {value!r}; expected one of {allowed}") from None


def parse_record(record: Any) -> ImportItem:
    """One exported record (JSON types, or CSV strings) as an item to import."""
    if not isinstance(record, dict):
        raise BadRecord("expected an object with the export's fields")
    principles_raw = record.get("principles")
    if principles_raw is None or principles_raw == "":
        principles_raw = []
    if isinstance(principles_raw, str):
        principles_raw = [p for p in principles_raw.split(",") if p]
    if not isinstance(principles_raw, list):
        raise BadRecord("'principles' must be a list")
    try:
        principles = tuple(Principle(p) for p in principles_raw)
    except ValueError:
        raise BadRecord(f"'principles' has an unknown principle: {principles_raw!r}") from None
    created_raw = _text(record, "created_at")
    try:
        created_at = datetime.fromisoformat(created_raw or "")
    except ValueError:
        raise BadRecord(f"'created_at' is not an ISO 8601 time: {created_raw!r}") from None
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    confidence_raw = record.get("confidence")
    try:
        confidence = float(confidence_raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRecord(f"'confidence' is not a number: {confidence_raw!r}") from None
    if not 0.0 <= confidence <= 1.0:
        raise BadRecord(f"'confidence' must be between 0 and 1, not {confidence}")
    rationale = record.get("rationale") or ""
    if not isinstance(rationale, str):
        raise BadRecord("'rationale' must be text")
    team = _text(record, "team") or ""
    if len(team) > TEAM_NAME_MAX:
        raise BadRecord(f"'team' is longer than {TEAM_NAME_MAX} characters")
    optional = {name: _text(record, name, required=False) for name in _OPTIONAL}
    return ImportItem(
        workspace=_text(record, "workspace") or "",
        team=team,
        text=_text(record, "text") or "",
        quadrant=_enum(Quadrant, record, "quadrant"),
        principles=principles,
        source=_enum(Source, record, "source"),
        created_at=created_at,
        confidence=confidence,
        rationale=rationale,
        status=_enum(ItemStatus, record, "status"),
        **optional,
    )


def read_jsonl(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """(line number, decoded record or the BadRecord) per non-empty line."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError:
            yield number, BadRecord("not a JSON object")


def read_csv(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """(row number counting the header as 1, record) per CSV row with the export's header."""
    reader = csv.DictReader(stream)
    missing = [f for f in EXPORT_FIELDS if f != "id" and f not in (reader.fieldnames or [])]
    if missing:
        yield 1, BadRecord(f"the CSV header lacks {', '.join(missing)}")
        return
    yield from enumerate(reader, 2)


async def import_items(
    db: Database, records: Iterable[tuple[int, Any]], clock: Clock
) -> ImportReport:
    """Import every valid record; bad ones are reported by number and nothing of theirs stored."""
    report = ImportReport()
    parsed: list[ImportItem] = []
    for number, record in records:
        try:
            if isinstance(record, BadRecord):
                raise record
            parsed.append(parse_record(record))
        except BadRecord as error:
            report.errors.append((number, str(error)))
    teams: dict[tuple[str, str], Team] = {}
    for start in range(0, len(parsed), BATCH):
        async with db.uow() as uow:
            for item in parsed[start : start + BATCH]:
                team = await _team(uow, teams, item, parsed, clock, report)
                created = await _add(uow, team, item, clock)
                if created:
                    report.created += 1
                else:
                    report.skipped += 1
            await uow.commit()
    return report


async def _team(
    uow: UnitOfWork,
    cache: dict[tuple[str, str], Team],
    item: ImportItem,
    everything: list[ImportItem],
    clock: Clock,
    report: ImportReport,
) -> Team:
    key = (item.workspace, item.team)
    team = cache.get(key)
    if team is None:
        team = await uow.teams.by_name(*key)
    if team is None:
        now = clock.now()
        await uow.workspaces.ensure(item.workspace, None, now)
        team = await uow.teams.create_once(
            {
                "workspace": item.workspace,
                "name": item.team,
                "home_channel": await _home_channel(uow, item, everything),
                "incident_channels": [],
                "incident_emojis": list(DEFAULT_INCIDENT_EMOJIS),
                "ack_mode": AckMode.REACTION.value,
                "created_at": now,
                "updated_at": now,
            }
        )
        if team.name == item.team:
            report.teams_created.append(f"{item.workspace}/{item.team}")
    cache[key] = team
    return team


async def _home_channel(uow: UnitOfWork, item: ImportItem, everything: list[ImportItem]) -> str:
    """The channel most of the team's items came from, if no other team has it as home; else a
    placeholder `setup` replaces (the export does not carry the home channel)."""
    channels = Counter(
        i.channel
        for i in everything
        if i.workspace == item.workspace and i.team == item.team and i.channel
    )
    for channel, _ in channels.most_common():
        if channel and await uow.teams.by_home_channel(item.workspace, channel) is None:
            return channel
    digest = hashlib.sha256(f"{item.workspace}/{item.team}".encode()).hexdigest()
    return f"import:{digest}"[:HOME_CHANNEL_MAX]


async def _add(uow: UnitOfWork, team: Team, item: ImportItem, clock: Clock) -> bool:
    values = {
        "workspace": item.workspace,
        "team_id": team.id,
        "text": item.text,
        "quadrant": item.quadrant.value,
        "confidence": item.confidence,
        "principles": [p.value for p in item.principles],
        "rationale": item.rationale,
        "signals": [],
        "source": item.source.value,
        "channel": item.channel,
        "message_ts": item.message_ts,
        "permalink": item.permalink,
        "created_by": item.created_by,
        "created_at": item.created_at,
        "updated_at": clock.now(),
        "status": item.status.value,
        "done_at": None,
        "classified_by": "rules",
    }
    if item.message_ts is not None and item.channel is not None:
        _, created = await uow.items.add_once(values)
        return created
    if await uow.items.same_as(item.workspace, team.id, item.text, item.created_at) is not None:
        return False
    await uow.items.add(values)
    return True
