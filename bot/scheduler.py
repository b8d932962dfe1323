"""The digest scheduler: beside the server, post each team's weekly digest when it is due.

Each :meth:`Scheduler.tick` is one pass with an explicit ``now`` (tests drive it with their own
clock): for every team in an active workspace, the week whose digest is due (catch-up later in
the same week after downtime, never for a week that is over), minus those already posted,
being posted, or failed and not due for retry yet; the rest are claimed and posted with bounded
concurrency. Posted digests whose thread reply failed are replied to again when their retry is
due (the message itself is never posted again). Several replicas may tick at once: the claims
let exactly one post each message and each reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.metrics import Metrics
from bot.services.digest import (
    STALE_CLAIM,
    DigestService,
    Outcome,
    PostResult,
    ReplyResult,
    current_digest_week,
    due_week,
)
from bot.settings import Settings
from bot.slack_client import make_web_client
from core.schedule import IsoWeek
from storage.digests import DigestStatus
from storage.tables import DigestRun, Team
from storage.uow import Database

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4

ClientFor = Callable[[Team], Awaitable[AsyncWebClient | None]]


def claimant_name() -> str:
    """Who holds a claim: host, process and a per-scheduler nonce (fits digests.claimed_by)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class TickReport:
    """What one pass did (for logs and tests)."""

    due: int = 0
    results: list[PostResult] = field(default_factory=list)
    replies: list[ReplyResult] = field(default_factory=list)
    """Retried thread replies of digests posted earlier."""

    @property
    def posted(self) -> list[PostResult]:
        return [r for r in self.results if r.outcome is Outcome.POSTED]

    @property
    def failed(self) -> list[PostResult]:
        return [r for r in self.results if r.outcome is Outcome.FAILED]


def _wants_attempt(run: DigestRun | None, now: datetime) -> bool:
    """Whether a claim is worth trying (the claim itself still decides, atomically)."""
    if run is None:
        return True
    if run.status == DigestStatus.POSTED:
        return False
    if run.status == DigestStatus.FAILED:
        return run.next_attempt_at is None or run.next_attempt_at <= now
    return run.claimed_at < now - STALE_CLAIM


class Scheduler:
    """Posts due digests. ``client_for(team)`` gives the Web API client for a team's workspace."""

    def __init__(
        self,
        db: Database,
        digests: DigestService,
        client_for: ClientFor,
        *,
        clock: Clock | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        name: str | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.db = db
        self.digests = digests
        self.client_for = client_for
        self.clock = clock
        self.name = name or claimant_name()
        self._limit = asyncio.Semaphore(max(1, concurrency))

    async def due(self, now: datetime) -> list[tuple[Team, IsoWeek]]:
        """The (team, week) pairs to attempt at ``now``: one read for teams, one for claims."""
        return (await self._pending(now))[0]

    async def _pending(
        self, now: datetime
    ) -> tuple[list[tuple[Team, IsoWeek]], list[tuple[Team, DigestRun]]]:
        """Digests to post and thread replies to retry at ``now``, in one read transaction."""
        async with self.db.read() as uow:
            teams = await uow.teams.all()
            candidates = [(team, week) for team in teams if (week := due_week(team, now))]
            runs = await uow.digests.runs_for((team.id, str(week)) for team, week in candidates)
            replies = await uow.digests.replies_due(now, now - STALE_CLAIM)
        by_id = {team.id: team for team in teams}  # active workspaces only
        due = [
            (team, week)
            for team, week in candidates
            if _wants_attempt(runs.get((team.id, str(week))), now)
        ]
        return due, [
            (by_id[run.team_id], run)
            for run in replies
            if run.team_id in by_id and by_id[run.team_id].workspace == run.workspace
        ]

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One pass: claim and post every digest due at ``now``, and retry due thread replies."""
        if now is None:
            if self.clock is None:
                raise ValueError("tick() needs now= or a clock")
            now = self.clock.now()
        due, replies = await self._pending(now)
        report = TickReport(due=len(due))
        if due or replies:
            posts = asyncio.gather(*(self.post(team, week, now) for team, week in due))
            retries = asyncio.gather(*(self.reply(team, run, now) for team, run in replies))
            results, report.replies = await asyncio.gather(posts, retries)
            report.results = list(results)
        return report

    async def post_now(
        self, teams: Sequence[Team], week: IsoWeek | None, now: datetime
    ) -> list[PostResult]:
        """Post these teams' digests now (``infrawork digest --post``), still once per week.

        ``week`` defaults to the week each team's digest would report on if posted now.
        """
        return list(
            await asyncio.gather(
                *(self.post(team, week or current_digest_week(team, now), now) for team in teams)
            )
        )

    async def post(self, team: Team, week: IsoWeek, now: datetime) -> PostResult:
        """Claim and post one digest, within the concurrency bound."""
        async with self._limit:
            client = await self._client(team)
            if client is None:
                return PostResult(team.id, week, Outcome.SKIPPED, error="no Slack client")
            result = await self.digests.post(team, week, client, claimant=self.name, now=now)
            if self.metrics is not None and result.outcome is Outcome.POSTED:
                self.metrics.digest_posted()
            elif self.metrics is not None and result.outcome is Outcome.FAILED:
                self.metrics.digest_failed()
            return result

    async def reply(self, team: Team, run: DigestRun, now: datetime) -> ReplyResult:
        """Claim and retry one posted digest's thread reply, within the concurrency bound."""
        async with self._limit:
            client = await self._client(team)
            week = IsoWeek.parse(run.week)
            if client is None:
                return ReplyResult(team.id, week, Outcome.SKIPPED, error="no Slack client")
            return await self.digests.retry_reply(team, run, client, claimant=self.name, now=now)

    async def _client(self, team: Team) -> AsyncWebClient | None:
        """The team's workspace client, or None (logged) when there is none to be had."""
        try:
            return await self.client_for(team)
        except Exception:
            log.exception("no Slack client for workspace %s", team.workspace)
            return None

    async def run(self, interval: float, stop: asyncio.Event | None = None) -> None:
        """Tick every ``interval`` seconds until cancelled (or ``stop`` is set)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                report = await self.tick()
                if report.due or report.replies:
                    log.info(
                        "scheduler: %s due, %s posted, %s failed, %s thread replies retried",
                        report.due,
                        len(report.posted),
                        len(report.failed),
                        len(report.replies),
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler pass failed; trying again next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


def workspace_clients(
    settings: Settings,
    installations: Any,
    default: AsyncWebClient | None,
    metrics: Metrics | None = None,
) -> ClientFor:
    """A team's Web API client: its workspace's bot token from the OAuth installation store,
    else ``default`` (single-workspace mode, SLACK_BOT_TOKEN)."""
    clients: dict[str, AsyncWebClient] = {}

    async def client_for(team: Team) -> AsyncWebClient | None:
        if installations is None:
            return default
        bot = await installations.async_find_bot(
            enterprise_id=team.enterprise_id, team_id=team.workspace
        )
        token = getattr(bot, "bot_token", None) if bot is not None else None
        if not token:
            log.warning("no installation for workspace %s; digest not posted", team.workspace)
            return None
        if token not in clients:
            clients[token] = make_web_client(settings, token, metrics=metrics)
        return clients[token]

    return client_for


def scheduler_for(runtime: Runtime) -> Scheduler:
    """The scheduler of a running process: its database, clock and Web API clients."""
    installations = getattr(runtime.services, "installations", None)
    return Scheduler(
        runtime.db,
        runtime.services.digests,
        workspace_clients(
            runtime.settings, installations, runtime.client, runtime.services.metrics
        ),
        clock=runtime.services.clock,
        metrics=runtime.services.metrics,
    )


async def run_scheduler(runtime: Runtime) -> None:
    """The background task :meth:`bot.runtime.Runtime.spawn` runs beside the server."""
    scheduler = scheduler_for(runtime)
    log.info("digest scheduler started as %s", scheduler.name)
    await scheduler.run(runtime.settings.scheduler_interval_seconds)
