"""A team's principle baselines, their measurements, and the bearer tokens machines push with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import ApiToken, BaselineRow, Measurement, Team, Workspace
from storage.upsert import insert_ignore


class BaselineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_team(self, workspace: str, team_id: int) -> Sequence[BaselineRow]:
        result = await self.session.scalars(
            select(BaselineRow)
            .where(BaselineRow.workspace == workspace, BaselineRow.team_id == team_id)
            .order_by(BaselineRow.id)
        )
        return result.all()

    async def get(self, workspace: str, team_id: int, principle: str) -> BaselineRow | None:
        return await self.session.scalar(
            select(BaselineRow).where(
                BaselineRow.workspace == workspace,
                BaselineRow.team_id == team_id,
                BaselineRow.principle == principle,
            )
        )

    async def put(
        self,
        *,
        workspace: str,
        team_id: int,
        principle: str,
        indicator: str,
        op: str,
        target: float,
        unit: str,
        user_id: str | None,
        now: datetime,
    ) -> tuple[BaselineRow, BaselineRow | None]:
        """Set the team's baseline for ``principle`` (one per principle).

        Returns (the baseline now, a detached copy of the one it replaced or ``None``).
        """
        definition = {"indicator": indicator, "op": op, "target": target, "unit": unit}
        new_id = await insert_ignore(
            self.session,
            BaselineRow.__table__,  # type: ignore[arg-type]
            {
                "workspace": workspace,
                "team_id": team_id,
                "principle": principle,
                **definition,
                "created_by": user_id,
                "created_at": now,
                "updated_at": now,
            },
            ["team_id", "principle"],
        )
        previous: BaselineRow | None = None
        if new_id is None:
            old = await self.get(workspace, team_id, principle)
            assert old is not None
            previous = BaselineRow(
                principle=old.principle,
                indicator=old.indicator,
                op=old.op,
                target=old.target,
                unit=old.unit,
            )
            await self.session.execute(
                update(BaselineRow)
                .where(BaselineRow.id == old.id)
                .values(**definition, created_by=user_id, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        row = await self.session.scalar(
            select(BaselineRow)
            .where(BaselineRow.team_id == team_id, BaselineRow.principle == principle)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return row, previous


class MeasurementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert measurements (in the caller's transaction: all or nothing)."""
        self.session.add_all([Measurement(**values) for values in rows])
        await self.session.flush()

    async def latest(
        self,
        workspace: str,
        team_id: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, Measurement]:
        """The most recent measurement per principle in ``[since, until)``, one query."""
        rank = (
            func.row_number()
            .over(
                partition_by=Measurement.principle,
                order_by=(Measurement.measured_at.desc(), Measurement.id.desc()),
            )
            .label("rank")
        )
        ranked = select(Measurement.id.label("id"), rank).where(
            Measurement.workspace == workspace, Measurement.team_id == team_id
        )
        if since is not None:
            ranked = ranked.where(Measurement.measured_at >= since)
        if until is not None:
            ranked = ranked.where(Measurement.measured_at < until)
        sub = ranked.subquery()
        result = await self.session.scalars(
            select(Measurement).join(sub, sub.c.id == Measurement.id).where(sub.c.rank == 1)
        )
        return {row.principle: row for row in result.all()}


class ApiTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rotate(
        self, *, workspace: str, team_id: int, token_hash: str, user_id: str | None, now: datetime
    ) -> int:
        """Revoke the team's live tokens and store a new one's hash; returns how many revoked."""
        result = await self.session.execute(
            update(ApiToken)
            .where(
                ApiToken.workspace == workspace,
                ApiToken.team_id == team_id,
                ApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        self.session.add(
            ApiToken(
                workspace=workspace,
                team_id=team_id,
                token_hash=token_hash,
                created_by=user_id,
                created_at=now,
            )
        )
        await self.session.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    async def team_for(self, token_hash: str) -> Team | None:
        """The team a live token belongs to, if its workspace is still served."""
        return await self.session.scalar(
            select(Team)
            .join(ApiToken, ApiToken.team_id == Team.id)
            .outerjoin(Workspace, Workspace.id == Team.workspace)
            .where(
                ApiToken.token_hash == token_hash,
                ApiToken.revoked_at.is_(None),
                ApiToken.workspace == Team.workspace,
                func.coalesce(Workspace.active, True).is_(True),
            )
        )
