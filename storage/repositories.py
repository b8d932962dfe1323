"""Repositories: the queries infrawork needs, each scoped to one workspace. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import (
    Base,
    Correction,
    Team,
    TeamMember,
    WorkItem,
    Workspace,
    slack_bots,
    slack_installations,
)
from storage.upsert import insert_ignore, upsert


class WorkspaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, workspace: str, enterprise_id: str | None, now: datetime) -> None:
        """Record that we serve ``workspace`` (idempotent)."""
        await insert_ignore(
            self.session,
            Workspace.__table__,  # type: ignore[arg-type]
            {
                "id": workspace,
                "enterprise_id": enterprise_id,
                "active": True,
                "created_at": now,
                "updated_at": now,
            },
            ["id"],
        )

    async def is_active(self, workspace: str) -> bool:
        active = await self.session.scalar(
            select(Workspace.active).where(Workspace.id == workspace)
        )
        return active is not False

    async def set_active(self, workspace: str, active: bool, now: datetime) -> None:
        await self.ensure(workspace, None, now)
        await self.session.execute(
            update(Workspace).where(Workspace.id == workspace).values(active=active, updated_at=now)
        )

    async def purge(self, workspace: str) -> dict[str, int]:
        """Delete every row of ``workspace`` in every table, children first: {table: rows}.

        Covers each table with a ``workspace`` column (so tables added later are included), the
        workspace itself, and its Slack installations.
        """
        deleted: dict[str, int] = {}
        for table in reversed(Base.metadata.sorted_tables):
            if "workspace" in table.c:
                condition = table.c.workspace == workspace
            elif table is Workspace.__table__:
                condition = table.c.id == workspace
            elif table is slack_installations or table is slack_bots:
                condition = table.c.team_id == workspace
            else:
                continue
            result = await self.session.execute(delete(table).where(condition))
            deleted[table.name] = int(getattr(result, "rowcount", 0) or 0)
        return deleted


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace: str, team_id: int) -> Team | None:
        return await self.session.scalar(
            select(Team).where(Team.workspace == workspace, Team.id == team_id)
        )

    async def get_for_update(self, workspace: str, team_id: int) -> Team | None:
        """The team, freshly read and row-locked until the unit of work ends.

        On PostgreSQL this serialises read-modify-write of the team's JSON columns; SQLite's
        writer transactions are serialised already.
        """
        return await self.session.scalar(
            select(Team)
            .where(Team.workspace == workspace, Team.id == team_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def by_home_channel(self, workspace: str, channel: str) -> Team | None:
        return await self.session.scalar(
            select(Team).where(Team.workspace == workspace, Team.home_channel == channel)
        )

    async def for_channel(self, workspace: str, channel: str) -> Team | None:
        """The team whose home or incident channel ``channel`` is (home wins)."""
        team = await self.by_home_channel(workspace, channel)
        if team is not None:
            return team
        # Incident channels are a short JSON list per team; a workspace has few teams.
        for candidate in await self.in_workspace(workspace):
            if channel in (candidate.incident_channels or []):
                return candidate
        return None

    async def by_name(self, workspace: str, name: str) -> Team | None:
        """The workspace's oldest team named ``name`` (names are not unique; imports use them)."""
        return await self.session.scalar(
            select(Team)
            .where(Team.workspace == workspace, Team.name == name)
            .order_by(Team.id)
            .limit(1)
        )

    async def in_workspace(self, workspace: str) -> Sequence[Team]:
        result = await self.session.scalars(
            select(Team).where(Team.workspace == workspace).order_by(Team.id)
        )
        return result.all()

    async def all(self) -> Sequence[Team]:
        """Every team in every active workspace (for the scheduler and the CLI)."""
        result = await self.session.scalars(
            select(Team)
            .outerjoin(Workspace, Workspace.id == Team.workspace)
            .where(or_(Workspace.active.is_(None), Workspace.active.is_(True)))
            .order_by(Team.id)
        )
        return result.all()

    async def create_once(self, values: dict[str, Any]) -> Team:
        """Create the team for a home channel, or return the one a concurrent request made."""
        await insert_ignore(
            self.session,
            Team.__table__,  # type: ignore[arg-type]
            values,
            ["workspace", "home_channel"],
        )
        team = await self.by_home_channel(values["workspace"], values["home_channel"])
        assert team is not None
        return team

    async def touch_member(self, team: Team, user_id: str, now: datetime) -> None:
        # One statement: this runs on every capture (bench/RESULTS.md, request path).
        await upsert(
            self.session,
            TeamMember.__table__,  # type: ignore[arg-type]
            {
                "team_id": team.id,
                "user_id": user_id,
                "workspace": team.workspace,
                "last_seen_at": now,
            },
            ["team_id", "user_id"],
            ["last_seen_at"],
        )

    async def of_member(self, workspace: str, user_id: str) -> Sequence[Team]:
        """Teams ``user_id`` has used infrawork for, most recently used first."""
        result = await self.session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.workspace == workspace, TeamMember.user_id == user_id)
            .order_by(TeamMember.last_seen_at.desc())
        )
        return result.all()


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> WorkItem:
        item = WorkItem(**values)
        self.session.add(item)
        await self.session.flush()
        return item

    async def add_once(self, values: dict[str, Any]) -> tuple[WorkItem, bool]:
        """Insert an item for a Slack message unless that message is already logged.

        Returns (item, created). Safe against concurrent deliveries of the same message.
        """
        new_id = await insert_ignore(
            self.session,
            WorkItem.__table__,  # type: ignore[arg-type]
            values,
            ["workspace", "channel", "message_ts"],
        )
        if new_id is not None:
            item = await self.get(values["workspace"], new_id)
            assert item is not None
            return item, True
        existing = await self.by_message(
            values["workspace"], values["channel"], values["message_ts"]
        )
        assert existing is not None
        return existing, False

    async def get(self, workspace: str, item_id: int) -> WorkItem | None:
        return await self.session.scalar(
            select(WorkItem).where(WorkItem.workspace == workspace, WorkItem.id == item_id)
        )

    async def by_message(self, workspace: str, channel: str, message_ts: str) -> WorkItem | None:
        return await self.session.scalar(
            select(WorkItem).where(
                WorkItem.workspace == workspace,
                WorkItem.channel == channel,
                WorkItem.message_ts == message_ts,
            )
        )

    async def same_as(
        self, workspace: str, team_id: int, text: str, created_at: datetime
    ) -> WorkItem | None:
        """An item with this text logged at this moment for the team (how imports dedupe)."""
        return await self.session.scalar(
            select(WorkItem)
            .where(
                WorkItem.workspace == workspace,
                WorkItem.team_id == team_id,
                WorkItem.created_at == created_at,
                WorkItem.text == text,
            )
            .limit(1)
        )

    async def last_by_user(self, workspace: str, user_id: str) -> WorkItem | None:
        return await self.session.scalar(
            select(WorkItem)
            .where(WorkItem.workspace == workspace, WorkItem.created_by == user_id)
            .order_by(WorkItem.created_at.desc(), WorkItem.id.desc())
            .limit(1)
        )

    async def delete(self, item: WorkItem) -> None:
        await self.session.execute(delete(WorkItem).where(WorkItem.id == item.id))

    def _team_items(
        self,
        workspace: str,
        team_id: int,
        since: datetime | None,
        until: datetime | None,
        quadrant: str | None,
    ) -> Select[WorkItem]:
        stmt = select(WorkItem).where(WorkItem.workspace == workspace, WorkItem.team_id == team_id)
        if since is not None:
            stmt = stmt.where(WorkItem.created_at >= since)
        if until is not None:
            stmt = stmt.where(WorkItem.created_at < until)
        if quadrant is not None:
            stmt = stmt.where(WorkItem.quadrant == quadrant)
        return stmt

    async def list_for_team(
        self,
        workspace: str,
        team_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        quadrant: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Sequence[WorkItem]:
        """A team's items, newest first."""
        stmt = (
            self._team_items(workspace, team_id, since, until, quadrant)
            .order_by(WorkItem.created_at.desc(), WorkItem.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(stmt)).all()

    async def count_for_team(
        self,
        workspace: str,
        team_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        quadrant: str | None = None,
    ) -> int:
        stmt = self._team_items(workspace, team_id, since, until, quadrant).with_only_columns(
            func.count()
        )
        return int(await self.session.scalar(stmt) or 0)

    async def mix(
        self, workspace: str, team_id: int, since: datetime, until: datetime
    ) -> dict[str, int]:
        """Item counts per quadrant in [since, until): one indexed aggregate query."""
        rows = await self.session.execute(
            select(WorkItem.quadrant, func.count())
            .where(
                WorkItem.workspace == workspace,
                WorkItem.team_id == team_id,
                WorkItem.created_at >= since,
                WorkItem.created_at < until,
            )
            .group_by(WorkItem.quadrant)
        )
        return {quadrant: int(count) for quadrant, count in rows.all()}

    async def all_in_workspace(self, workspace: str | None = None) -> Sequence[WorkItem]:
        stmt = select(WorkItem).order_by(WorkItem.id)
        if workspace is not None:
            stmt = stmt.where(WorkItem.workspace == workspace)
        return (await self.session.scalars(stmt)).all()


class CorrectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        self.session.add(Correction(**values))

    async def version(self, workspace: str, team_id: int) -> tuple[int, int]:
        """(count, newest id) of the team's corrections: changes whenever one is added."""
        row = (
            await self.session.execute(
                select(func.count(), func.coalesce(func.max(Correction.id), 0)).where(
                    Correction.workspace == workspace, Correction.team_id == team_id
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def for_team(
        self, workspace: str, team_id: int, limit: int = 2000
    ) -> Sequence[Correction]:
        """The team's most recent corrections (the newest teach the most)."""
        result = await self.session.scalars(
            select(Correction)
            .where(Correction.workspace == workspace, Correction.team_id == team_id)
            .order_by(Correction.created_at.desc(), Correction.id.desc())
            .limit(limit)
        )
        return result.all()
