"""What the weekly digest reads (indexed aggregates, never every row) and the once-per-week claim.

A digest is posted at most once per team and ISO week: a ``digests`` row unique on
``(team_id, week)`` is claimed before anything is posted, and only the holder of the claim may
mark it posted or failed. The thread reply under the posted message has a claim of its own on the
same row (``reply_*``), so a failed reply is retried without ever posting the message again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.schedule import IsoWeek
from storage.tables import DigestRun, WorkItem
from storage.upsert import insert_ignore

FORCED_QUADRANTS = ("forced_short", "forced_long")


class DigestStatus:
    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"
    GAVE_UP = "gave_up"
    """Only for the thread reply: Slack said it can never be posted, or retries ran out."""


class DigestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- aggregates ------------------------------------------------------------------------

    async def weekly_counts(
        self,
        workspace: str,
        team_id: int,
        last: IsoWeek,
        weeks: int,
        tz: str | tzinfo,
    ) -> dict[IsoWeek, dict[str, int]]:
        """Item counts per quadrant for each of the ``weeks`` ISO weeks ending with ``last``.

        One aggregate query over the indexed ``(team_id, created_at)`` range, grouped by week
        bucket; the buckets are the weeks' bounds in ``tz`` (so DST weeks are 167 or 169 hours).
        """
        spans = [last.minus(i) for i in reversed(range(weeks))]
        bounds = [week.bounds(tz) for week in spans]
        start, end = bounds[0][0], bounds[-1][1]
        bucket = case(
            *[
                (WorkItem.created_at < week_end, index)
                for index, (_, week_end) in enumerate(bounds)
            ],
            else_=len(bounds),
        )
        inner = (
            select(bucket.label("bucket"), WorkItem.quadrant.label("quadrant"))
            .where(
                WorkItem.workspace == workspace,
                WorkItem.team_id == team_id,
                WorkItem.created_at >= start,
                WorkItem.created_at < end,
            )
            .subquery()
        )
        rows = await self.session.execute(
            select(inner.c.bucket, inner.c.quadrant, func.count()).group_by(
                inner.c.bucket, inner.c.quadrant
            )
        )
        counts: dict[IsoWeek, dict[str, int]] = {week: {} for week in spans}
        for index, quadrant, count in rows.all():
            if 0 <= int(index) < len(spans):
                counts[spans[int(index)]][str(quadrant)] = int(count)
        return counts

    async def notable(
        self,
        workspace: str,
        team_id: int,
        since: datetime,
        until: datetime,
        per_quadrant: int,
    ) -> Sequence[WorkItem]:
        """The newest ``per_quadrant`` items of each quadrant in ``[since, until)``, one query."""
        rank = (
            func.row_number()
            .over(
                partition_by=WorkItem.quadrant,
                order_by=(WorkItem.created_at.desc(), WorkItem.id.desc()),
            )
            .label("rank")
        )
        ranked = (
            select(WorkItem.id.label("id"), rank)
            .where(
                WorkItem.workspace == workspace,
                WorkItem.team_id == team_id,
                WorkItem.created_at >= since,
                WorkItem.created_at < until,
            )
            .subquery()
        )
        result = await self.session.scalars(
            select(WorkItem)
            .join(ranked, ranked.c.id == WorkItem.id)
            .where(ranked.c.rank <= per_quadrant)
            .order_by(WorkItem.quadrant, WorkItem.created_at.desc(), WorkItem.id.desc())
        )
        return result.all()

    async def forced_texts(
        self, workspace: str, team_id: int, since: datetime, until: datetime, limit: int
    ) -> list[str]:
        """Texts of the forced items in ``[since, until)``, newest first, at most ``limit``."""
        result = await self.session.scalars(
            select(WorkItem.text)
            .where(
                WorkItem.workspace == workspace,
                WorkItem.team_id == team_id,
                WorkItem.quadrant.in_(FORCED_QUADRANTS),
                WorkItem.created_at >= since,
                WorkItem.created_at < until,
            )
            .order_by(WorkItem.created_at.desc())
            .limit(limit)
        )
        return list(result.all())

    # -- the claim -------------------------------------------------------------------------

    async def runs_for(self, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], DigestRun]:
        """The existing rows for ``(team_id, week)`` pairs, in one query."""
        wanted = set(pairs)
        if not wanted:
            return {}
        teams = {team for team, _ in wanted}
        weeks = {week for _, week in wanted}
        result = await self.session.scalars(
            select(DigestRun).where(DigestRun.team_id.in_(teams), DigestRun.week.in_(weeks))
        )
        return {
            (run.team_id, run.week): run
            for run in result.all()
            if (run.team_id, run.week) in wanted
        }

    async def get(self, workspace: str, team_id: int, week: str) -> DigestRun | None:
        return await self.session.scalar(
            select(DigestRun).where(
                DigestRun.workspace == workspace,
                DigestRun.team_id == team_id,
                DigestRun.week == week,
            )
        )

    async def claim(
        self,
        *,
        workspace: str,
        team_id: int,
        week: str,
        claimant: str,
        now: datetime,
        stale_before: datetime,
    ) -> DigestRun | None:
        """Take the right to post ``team_id``'s digest for ``week``, or ``None``.

        A new row is claimed by inserting it (the unique ``(team_id, week)`` decides between
        racing replicas). An existing row is taken over only when it failed and its retry time
        has come, or when its claim is stale (claimed before ``stale_before``: the claimant died
        mid-post); the conditional UPDATE's rowcount decides, so two replicas never both win.
        """
        values: dict[str, Any] = {
            "workspace": workspace,
            "team_id": team_id,
            "week": week,
            "status": DigestStatus.CLAIMED,
            "claimed_by": claimant,
            "claimed_at": now,
            "attempts": 1,
        }
        new_id = await insert_ignore(
            self.session,
            DigestRun.__table__,  # type: ignore[arg-type]
            values,
            ["team_id", "week"],
        )
        if new_id is None:
            retry_due = and_(
                DigestRun.status == DigestStatus.FAILED,
                or_(DigestRun.next_attempt_at.is_(None), DigestRun.next_attempt_at <= now),
            )
            stale = and_(
                DigestRun.status == DigestStatus.CLAIMED, DigestRun.claimed_at < stale_before
            )
            result = await self.session.execute(
                update(DigestRun)
                .where(
                    DigestRun.workspace == workspace,
                    DigestRun.team_id == team_id,
                    DigestRun.week == week,
                    or_(retry_due, stale),
                )
                .values(
                    status=DigestStatus.CLAIMED,
                    claimed_by=claimant,
                    claimed_at=now,
                    attempts=DigestRun.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) != 1:
                return None
        run = await self.session.scalar(
            select(DigestRun)
            .where(DigestRun.team_id == team_id, DigestRun.week == week)
            .execution_options(populate_existing=True)
        )
        assert run is not None
        return run

    async def mark_posted(
        self,
        run_id: int,
        claimant: str,
        *,
        channel: str,
        message_ts: str,
        now: datetime,
        reply_claimed_at: datetime | None = None,
    ) -> bool:
        """Record the posted message; False if the claim was no longer ``claimant``'s.

        The same update hands ``claimant`` the claim on the thread reply (its first attempt,
        claimed at ``reply_claimed_at``, default ``now``), so nobody else replies while it does.
        """
        return await self._settle_claim(
            run_id,
            claimant,
            status=DigestStatus.POSTED,
            channel=channel,
            message_ts=message_ts,
            posted_at=now,
            next_attempt_at=None,
            reply_status=DigestStatus.CLAIMED,
            reply_claimed_by=claimant,
            reply_claimed_at=reply_claimed_at or now,
            reply_attempts=DigestRun.reply_attempts + 1,
        )

    async def mark_failed(
        self, run_id: int, claimant: str, *, error: str, next_attempt_at: datetime
    ) -> bool:
        """Record a failed attempt and when to try again; False if the claim was lost."""
        return await self._settle_claim(
            run_id,
            claimant,
            status=DigestStatus.FAILED,
            last_error=error[:2000],
            next_attempt_at=next_attempt_at,
        )

    async def _settle_claim(self, run_id: int, claimant: str, **values: Any) -> bool:
        """Update the run only while ``claimant`` still holds its claim; True if it did."""
        holder = (DigestRun.claimed_by == claimant, DigestRun.status == DigestStatus.CLAIMED)
        return await self._update_held(run_id, holder, values)

    async def _update_held(
        self, run_id: int, holder: tuple[ColumnElement[bool], ...], values: dict[str, Any]
    ) -> bool:
        """One guarded UPDATE of run ``run_id`` where ``holder`` still holds; True if it did."""
        result = await self.session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id, *holder)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    # -- the thread reply's claim ----------------------------------------------------------

    async def replies_due(self, now: datetime, stale_before: datetime) -> Sequence[DigestRun]:
        """Posted digests whose thread reply failed and is due for a retry, or whose reply claim
        is stale (its holder died mid-reply). Every workspace; the caller keeps active ones."""
        result = await self.session.scalars(
            select(DigestRun)
            .where(DigestRun.status == DigestStatus.POSTED, _reply_claimable(now, stale_before))
            .order_by(DigestRun.id)
        )
        return result.all()

    async def claim_reply(
        self, run_id: int, claimant: str, *, now: datetime, stale_before: datetime
    ) -> DigestRun | None:
        """Take the right to post the thread reply of a posted digest, or ``None``.

        One conditional UPDATE (reply failed and due, or its claim stale) decides by its
        rowcount, so two replicas never both reply. The main message is never claimed again.
        """
        result = await self.session.execute(
            update(DigestRun)
            .where(
                DigestRun.id == run_id,
                DigestRun.status == DigestStatus.POSTED,
                _reply_claimable(now, stale_before),
            )
            .values(
                reply_status=DigestStatus.CLAIMED,
                reply_claimed_by=claimant,
                reply_claimed_at=now,
                reply_attempts=DigestRun.reply_attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            return None
        return await self.session.scalar(
            select(DigestRun)
            .where(DigestRun.id == run_id)
            .execution_options(populate_existing=True)
        )

    async def mark_reply_posted(
        self, run_id: int, claimant: str, *, reply_ts: str, note: str | None = None
    ) -> bool:
        """Record the posted thread reply; False if the reply claim was no longer ours."""
        return await self._settle_reply(
            run_id,
            claimant,
            reply_status=DigestStatus.POSTED,
            reply_ts=reply_ts,
            reply_next_attempt_at=None,
            reply_error=note[:2000] if note else None,
        )

    async def mark_reply_failed(
        self, run_id: int, claimant: str, *, error: str, next_attempt_at: datetime | None
    ) -> bool:
        """Record a failed reply and when to try again (``None``: never, it gave up)."""
        return await self._settle_reply(
            run_id,
            claimant,
            reply_status=DigestStatus.FAILED if next_attempt_at else DigestStatus.GAVE_UP,
            reply_error=error[:2000],
            reply_next_attempt_at=next_attempt_at,
        )

    async def _settle_reply(self, run_id: int, claimant: str, **values: Any) -> bool:
        """Update the run only while ``claimant`` still holds the reply's claim."""
        holder = (
            DigestRun.reply_claimed_by == claimant,
            DigestRun.reply_status == DigestStatus.CLAIMED,
        )
        return await self._update_held(run_id, holder, values)

    async def note_error(self, run_id: int, error: str) -> None:
        """Keep a problem that did not fail the digest (e.g. the thread reply failed)."""
        await self.session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id)
            .values(last_error=error[:2000])
            .execution_options(synchronize_session=False)
        )

    async def for_team(self, workspace: str, team_id: int, limit: int = 20) -> Sequence[DigestRun]:
        result = await self.session.scalars(
            select(DigestRun)
            .where(DigestRun.workspace == workspace, DigestRun.team_id == team_id)
            .order_by(DigestRun.week.desc())
            .limit(limit)
        )
        return result.all()


def _reply_claimable(now: datetime, stale_before: datetime) -> Any:
    """A thread reply that failed and is due again, or whose claimant died mid-reply."""
    return or_(
        and_(
            DigestRun.reply_status == DigestStatus.FAILED,
            or_(
                DigestRun.reply_next_attempt_at.is_(None),
                DigestRun.reply_next_attempt_at <= now,
            ),
        ),
        and_(
            DigestRun.reply_status == DigestStatus.CLAIMED,
            DigestRun.reply_claimed_at < stale_before,
        ),
    )


def _rowcount(result: Any) -> int:
    """Rows an UPDATE matched (the race's verdict)."""
    return int(getattr(result, "rowcount", 0) or 0)
