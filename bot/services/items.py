"""Reading a team's items (list, pages) and preparing the add modal (teams, proposal, duplicate)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.services.context import Actor
from bot.services.errors import InvalidInput
from bot.services.learning import TeamModels
from bot.services.teams import NoTeamHere
from core.classify import classify
from core.model import CaptureContext, Classification, Quadrant, Source
from core.schedule import IsoWeek
from storage.tables import Team, WorkItem
from storage.uow import Database, UnitOfWork

PAGE_SIZE = 10
"""Items per list page: each is one section, well inside a message's 50 blocks."""
MAX_WEEKS = 52

_QUADRANT_ALIASES = {
    **{q.value: q for q in Quadrant},
    **{q.value.replace("_", "-"): q for q in Quadrant},
    "fs": Quadrant.FORCED_SHORT,
    "fl": Quadrant.FORCED_LONG,
    "ds": Quadrant.DISCRETIONARY_SHORT,
    "dl": Quadrant.DISCRETIONARY_LONG,
}


class BadListArguments(InvalidInput):
    """`list` arguments that don't parse; the answer shows the usage."""


@dataclass(frozen=True, slots=True)
class ListQuery:
    """`/infrawork list [quadrant] [--week YYYY-Www|--weeks N]`, parsed; also a page's state."""

    quadrant: Quadrant | None = None
    week: str | None = None
    weeks: int | None = None
    offset: int = 0
    team_id: int | None = None

    @classmethod
    def parse(cls, args: str) -> ListQuery:
        quadrant: Quadrant | None = None
        week: str | None = None
        weeks: int | None = None
        tokens = args.split()
        i = 0
        while i < len(tokens):
            token = tokens[i].lower()
            flag, _, inline = token.partition("=")
            if flag in {"--week", "--weeks"}:
                value = inline or (tokens[i + 1] if i + 1 < len(tokens) else "")
                i += 1 if inline else 2
                if week is not None or weeks is not None:
                    raise BadListArguments("Use either `--week` or `--weeks`, once.")
                if flag == "--week":
                    try:
                        week = str(IsoWeek.parse(value))
                    except ValueError:
                        raise BadListArguments(
                            f"`{value[:20]}` is not an ISO week; write it like 2026-W47."
                        ) from None
                else:
                    if not re.fullmatch(r"\d{1,3}", value) or not 1 <= int(value) <= MAX_WEEKS:
                        raise BadListArguments(f"`--weeks` takes a number from 1 to {MAX_WEEKS}.")
                    weeks = int(value)
                continue
            if token in _QUADRANT_ALIASES and quadrant is None:
                quadrant = _QUADRANT_ALIASES[token]
                i += 1
                continue
            raise BadListArguments(f"I don't understand `{tokens[i][:40]}` in `list`.")
        return cls(quadrant=quadrant, week=week, weeks=weeks)

    def describe(self) -> str:
        parts = []
        if self.quadrant is not None:
            parts.append(self.quadrant.label)
        if self.week:
            parts.append(IsoWeek.parse(self.week).label())
        elif self.weeks:
            parts.append(f"last {self.weeks} week{'s' if self.weeks != 1 else ''}")
        return " · ".join(parts) or "all items"


@dataclass(frozen=True, slots=True)
class ListPage:
    team: Team
    query: ListQuery
    items: Sequence[WorkItem]
    total: int

    @property
    def has_next(self) -> bool:
        return self.query.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.query.offset > 0


@dataclass(frozen=True, slots=True)
class AddModalContext:
    """What the add modal needs: the teams to offer, the default, a proposal, a duplicate."""

    teams: Sequence[Team]
    default_team: Team | None
    proposal: Classification | None = None
    existing: WorkItem | None = None
    here: Team | None = None
    """The team of the actor's channel, if that channel has one."""


class ItemsService:
    def __init__(self, db: Database, clock: Clock, models: TeamModels) -> None:
        self.db = db
        self.clock = clock
        self.models = models

    async def list_page(self, actor: Actor, query: ListQuery) -> ListPage:
        """One page of the team's items, newest first (the channel's team, or ``query.team_id``)."""
        async with self.db.read() as uow:
            if query.team_id is not None:
                team = await uow.teams.get(actor.workspace, query.team_id)
                if team is None:
                    raise NoTeamHere()
            else:
                team = await team_here(uow, actor)
            since, until = self._window(query, team)
            quadrant = query.quadrant.value if query.quadrant else None
            total = await uow.items.count_for_team(
                actor.workspace, team.id, since=since, until=until, quadrant=quadrant
            )
            items = await uow.items.list_for_team(
                actor.workspace,
                team.id,
                since=since,
                until=until,
                quadrant=quadrant,
                limit=PAGE_SIZE,
                offset=max(0, query.offset),
            )
        return ListPage(team=team, query=query, items=items, total=total)

    def _window(self, query: ListQuery, team: Team) -> tuple[datetime | None, datetime | None]:
        if query.week:
            return IsoWeek.parse(query.week).bounds(team.timezone or "UTC")
        if query.weeks:
            current = IsoWeek.containing(self.clock.now(), team.timezone or "UTC")
            start, _ = current.minus(query.weeks - 1).bounds(team.timezone or "UTC")
            return start, None
        return None, None

    async def add_modal_context(
        self,
        actor: Actor,
        *,
        text: str = "",
        message_ts: str | None = None,
    ) -> AddModalContext:
        """Teams the person may log for (the channel's first), a proposal for ``text``, and the
        item already logged for the message, if any. Reads only; nothing is created."""
        async with self.db.read() as uow:
            teams = list(await uow.teams.of_member(actor.workspace, actor.user_id or ""))
            here: Team | None = None
            if actor.channel_id and not actor.in_direct_message:
                here = await uow.teams.for_channel(actor.workspace, actor.channel_id)
            if here is not None:
                teams = [here] + [t for t in teams if t.id != here.id]
            existing = None
            if message_ts and actor.channel_id:
                existing = await uow.items.by_message(actor.workspace, actor.channel_id, message_ts)
            proposal = None
            if text.strip():
                default = teams[0] if teams else None
                model = await self.models.for_team(uow, default) if default else None
                context = CaptureContext(
                    source=Source.MESSAGE_SHORTCUT,
                    incident_channel=bool(
                        default and actor.channel_id in (default.incident_channels or [])
                    ),
                )
                proposal = classify(text, context=context, logged_at=self.clock.now(), team=model)
        return AddModalContext(
            teams=teams,
            default_team=teams[0] if teams else None,
            proposal=proposal,
            existing=existing,
            here=here,
        )


async def team_here(uow: UnitOfWork, actor: Actor) -> Team:
    """The channel's team (in a DM, the person's most recent team), without creating one.

    Like :func:`bot.services.teams.team_for` with ``create=False``, but read-only.
    """
    if actor.channel_id and not actor.in_direct_message:
        team = await uow.teams.for_channel(actor.workspace, actor.channel_id)
        if team is not None:
            return team
        raise NoTeamHere()
    teams = await uow.teams.of_member(actor.workspace, actor.user_id or "")
    if not teams:
        raise NoTeamHere()
    return teams[0]
