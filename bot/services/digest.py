"""The weekly digest as a use case: build it from the database, and post it at most once per team
and ISO week (claim, post, thread reply, record), telling the team's setup person when the bot
cannot post into the channel."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as wall_time
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.digest import (
    MAX_BLOCKS,
    build_digest_blocks,
    build_digest_thread_blocks,
    digest_fallback_text,
)
from bot.clock import Clock
from bot.services.baselines import to_baseline
from bot.services.context import Actor
from bot.services.teams import team_for
from core.advice import MAX_TEXTS
from core.baselines import Measurement
from core.digest import NOTABLE_PER_QUADRANT, Digest, NotableItem, build_digest, weeks_needed
from core.model import Principle, Quadrant
from core.phase import PhaseThresholds
from core.schedule import IsoWeek, due_digest, to_zone
from storage.tables import DigestRun, Team
from storage.uow import Database

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
"""A claim older than this belongs to a process that died mid-post; another may take it over."""
POST_BUDGET_SECONDS = 120.0
"""The most one post attempt may take, retries included: far below STALE_CLAIM, so a claim is
never taken over while its holder may still post."""
RETRY_BASE = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=6)
CHANNEL_RETRY_BASE = timedelta(hours=1)
"""The bot is not in the channel: a person has to act, so try again less often."""
CHANNEL_ERRORS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
)
"""Answers that mean the bot cannot post into the team's channel: a person must fix it."""
REPLY_MAX_ATTEMPTS = 6
"""Tries at the thread reply (backing off like the message: 5 min … 6 h, about 9 h in all)."""
REPLY_RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
"""Slack error codes that may go away by waiting. Any other Slack error on a thread reply (the
channel, the parent message or the thread is gone, the blocks are refused, the token or scope
is wrong) will not: the reply gives up at once, and says why in the record."""
DEFAULT_PACING_SECONDS = 1.0
"""Slack allows about one message per second per channel."""

ClientFor = Callable[[Team], Awaitable[AsyncWebClient]]


class Outcome(StrEnum):
    POSTED = "posted"
    SKIPPED = "skipped"
    """Already posted, being posted elsewhere, or a failure not due for retry yet."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PostResult:
    team_id: int
    week: IsoWeek
    outcome: Outcome
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    reply: ReplyResult | None = None
    """The thread reply's attempt, when one was made."""


@dataclass(frozen=True, slots=True)
class ReplyResult:
    """One attempt at a digest's thread reply."""

    team_id: int
    week: IsoWeek
    outcome: Outcome
    ts: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    """When it will be tried again (``None`` after a failure: it gave up)."""


def team_zone(team: Team) -> str:
    """The team's IANA timezone, UTC when the stored one is unknown."""
    try:
        to_zone(team.timezone or "UTC")
    except ValueError:
        log.warning("team %s has an unknown timezone; using UTC", team.id)
        return "UTC"
    return team.timezone or "UTC"


def digest_clock(team: Team) -> tuple[int, wall_time]:
    """The team's digest weekday (0 = Monday) and local time."""
    try:
        hours, minutes = (int(part) for part in (team.digest_time or "09:00").split(":"))
        at = wall_time(hours, minutes)
    except ValueError:
        at = wall_time(9, 0)
    weekday = team.digest_weekday if 0 <= (team.digest_weekday or 0) <= 6 else 0
    return weekday, at


def reported_week(posting_week: IsoWeek, weekday: int) -> IsoWeek:
    """Which week a digest posted in ``posting_week`` reports on.

    A Monday digest reports the week that just ended (nothing of the new week has happened
    yet); a digest on any other day reports the week so far. The claim is on the reported week,
    so whatever the weekday setting, each week is reported at most once.
    """
    return posting_week.previous() if weekday == 0 else posting_week


def current_digest_week(team: Team, now: datetime) -> IsoWeek:
    """The week the team's digest would report on if it were posted at ``now``."""
    weekday, _ = digest_clock(team)
    return reported_week(IsoWeek.containing(now, team_zone(team)), weekday)


def due_week(team: Team, now: datetime) -> IsoWeek | None:
    """The week whose digest is due for ``team`` at ``now`` (catch-up within the posting week)."""
    weekday, at = digest_clock(team)
    posting = due_digest(now, team_zone(team), weekday, at)
    return reported_week(posting, weekday) if posting is not None else None


def retry_delay(attempts: int, channel_problem: bool) -> timedelta:
    """Back off 5 min, 15 min, 45 min … (channel problems: 1 h, 3 h …), at most 6 h."""
    base = CHANNEL_RETRY_BASE if channel_problem else RETRY_BASE
    factor: int = 3 ** min(max(attempts - 1, 0), 8)
    return min(base * factor, RETRY_MAX)


def reply_retryable(error: BaseException) -> bool:
    """Whether a failed thread reply is worth trying again later.

    Slack's rate limit (429) and its own trouble (5xx, ``internal_error`` …) after the client's
    retries, timeouts and network errors: yes. Any other Slack error: no, see
    :data:`REPLY_RETRYABLE_ERRORS`. Anything else (a bug, a database hiccup while building):
    yes, bounded by :data:`REPLY_MAX_ATTEMPTS`.
    """
    if not isinstance(error, SlackApiError):
        return True
    status = getattr(error.response, "status_code", None) or 200
    return status == 429 or status >= 500 or _error_code(error) in REPLY_RETRYABLE_ERRORS


def _channel_ref(team: Team) -> str | None:
    name = team.name or ""
    if name.startswith("#") and " " not in name and len(name) > 1:
        return name[1:]
    return None


class ChannelPacer:
    """Keeps messages into one channel at least ``interval`` seconds apart (in this process)."""

    def __init__(self, interval: float = DEFAULT_PACING_SECONDS) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def send(self, channel: str, call: Callable[[], Awaitable[Any]]) -> Any:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            last = self._last.get(channel)
            if last is not None:
                wait = self.interval - (time.monotonic() - last)
                if wait > 0:
                    await asyncio.sleep(wait)
            try:
                return await call()
            finally:
                self._last[channel] = time.monotonic()


class DigestService:
    def __init__(self, db: Database, clock: Clock, *, pacer: ChannelPacer | None = None) -> None:
        self.db = db
        self.clock = clock
        self.pacer = pacer or ChannelPacer()

    # -- building --------------------------------------------------------------------------

    async def build(self, team: Team, week: IsoWeek) -> Digest:
        """The digest of ``team`` for ``week``, from indexed aggregates in one read."""
        tz = team_zone(team)
        thresholds = _thresholds(team)
        since, until = week.bounds(tz)
        window_start, _ = week.minus(thresholds.window_weeks - 1).bounds(tz)
        async with self.db.read() as uow:
            weekly = await uow.digests.weekly_counts(
                team.workspace, team.id, week, weeks_needed(thresholds), tz
            )
            rows = await uow.baselines.for_team(team.workspace, team.id)
            latest = await uow.measurements.latest(team.workspace, team.id, since, until)
            notable = await uow.digests.notable(
                team.workspace, team.id, since, until, NOTABLE_PER_QUADRANT
            )
            forced = await uow.digests.forced_texts(
                team.workspace, team.id, window_start, until, MAX_TEXTS
            )
        measurements: dict[Principle, Measurement | float | None] = {
            Principle(p): Measurement(m.value, m.measured_at)
            for p, m in latest.items()
            if p in Principle.__members__.values()
        }
        return build_digest(
            team_name=team.name,
            channel_id=team.home_channel,
            channel_name=_channel_ref(team),
            week=week,
            weekly_counts=weekly,  # type: ignore[arg-type]
            baselines=[to_baseline(r) for r in rows],
            measurements=measurements,
            thresholds=thresholds,
            notable=[
                NotableItem(
                    id=item.id,
                    text=item.text,
                    quadrant=Quadrant(item.quadrant),
                    permalink=item.permalink,
                    created_at=item.created_at,
                )
                for item in notable
            ],
            forced_texts=forced,
        )

    async def team(self, workspace: str | None, team_id: int) -> Team | None:
        async with self.db.read() as uow:
            if workspace is None:
                return next((t for t in await uow.teams.all() if t.id == team_id), None)
            return await uow.teams.get(workspace, team_id)

    async def teams(self) -> list[Team]:
        """Every team in every active workspace."""
        async with self.db.read() as uow:
            return list(await uow.teams.all())

    async def preview(self, actor: Actor, week: IsoWeek | None = None) -> tuple[Digest, list[Any]]:
        """The digest for the actor's team as it would be posted now, with its thread's items.

        Returns the digest and the blocks of one ephemeral message (message, then the items).
        """
        async with self.db.uow() as uow:
            team = await team_for(uow, actor, self.clock)
            await uow.commit()
        digest = await self.build(team, week or current_digest_week(team, self.clock.now()))
        return digest, preview_blocks(digest)

    # -- posting ---------------------------------------------------------------------------

    async def post(
        self,
        team: Team,
        week: IsoWeek,
        client: AsyncWebClient,
        *,
        claimant: str,
        now: datetime | None = None,
    ) -> PostResult:
        """Claim ``(team, week)`` and post the digest; at most once, failures recorded.

        Web API retries (429 Retry-After, 5xx) happen inside ``client``; what still fails is
        recorded with its error and a retry time, and a channel the bot cannot post into is
        reported to the person who set the team up (once per week).
        """
        now = now or self.clock.now()
        async with self.db.uow() as uow:
            run = await uow.digests.claim(
                workspace=team.workspace,
                team_id=team.id,
                week=str(week),
                claimant=claimant,
                now=now,
                stale_before=now - STALE_CLAIM,
            )
            await uow.commit()
        if run is None:
            return PostResult(team.id, week, Outcome.SKIPPED)
        previous_error = run.last_error
        if run.attempts > 1:
            earlier = await self._find_earlier_post(team, week, client)
            if earlier is not None:
                return await self._recovered(team, week, run, claimant, earlier, client, now)
        try:
            digest = await self.build(team, week)
            channel = team.home_channel
            response = await asyncio.wait_for(
                self.pacer.send(
                    channel,
                    lambda: client.chat_postMessage(
                        channel=channel,
                        text=digest_fallback_text(digest),
                        blocks=build_digest_blocks(digest),
                        metadata=digest_metadata(team, week),
                        unfurl_links=False,
                        unfurl_media=False,
                    ),
                ),
                POST_BUDGET_SECONDS,
            )
            ts = str(response["ts"])
            posted_channel = str(response.get("channel") or channel)
        except Exception as error:
            return await self._failed(team, week, run, claimant, error, previous_error, client, now)

        log.info("posted digest for team %s week %s", team.id, week)
        return await self._posted(
            team, week, run, claimant, client, posted_channel, ts, now=now, digest=digest
        )

    async def _posted(
        self,
        team: Team,
        week: IsoWeek,
        run: DigestRun,
        claimant: str,
        client: AsyncWebClient,
        channel: str,
        ts: str,
        *,
        now: datetime,
        digest: Digest | None,
        note: str | None = None,
    ) -> PostResult:
        """Record the digest message ``ts`` as posted (taking the reply's claim in the same
        update), then post its thread reply. Without ``digest`` the message was found rather
        than posted by us (``note`` says so): its reply may be out already, so look first."""
        async with self.db.uow() as uow:
            still_ours = await uow.digests.mark_posted(
                run.id,
                claimant,
                channel=channel,
                message_ts=ts,
                now=self.clock.now(),
                reply_claimed_at=now,  # on the same clock as the claims it races with
            )
            if note is not None:
                await uow.digests.note_error(run.id, note)
            await uow.commit()
        if not still_ours:
            # Whoever took the claim over finds this message and replies under it.
            log.error("digest for team %s week %s: claim lost while posting", team.id, week)
            return PostResult(team.id, week, Outcome.POSTED, channel, ts)
        reply = await self._reply(
            team,
            week,
            run.id,
            claimant,
            client,
            channel,
            ts,
            attempt=1,
            now=now,
            digest=digest,
            look_first=digest is None,
        )
        return PostResult(team.id, week, Outcome.POSTED, channel, ts, reply=reply)

    async def _find_earlier_post(
        self, team: Team, week: IsoWeek, client: AsyncWebClient
    ) -> dict[str, Any] | None:
        """A digest message for ``(team, week)`` already in the channel, if Slack has one.

        On a retry, an earlier attempt may have landed although it looked failed (a timeout,
        a 5xx after Slack posted, a process that died before recording): look before posting
        again. The message carries :func:`digest_metadata`. Best effort: if the history can't
        be read, post.
        """
        oldest, _ = week.bounds(team_zone(team))
        try:
            response = await client.conversations_history(
                channel=team.home_channel,
                oldest=str(oldest.timestamp()),
                include_all_metadata=True,
                limit=200,
            )
        except Exception as error:
            log.info("could not check %s for an earlier digest: %s", team.home_channel, error)
            return None
        found = _marked(response.get("messages") or [], digest_metadata(team, week))
        return dict(found) if found is not None else None

    async def _recovered(
        self,
        team: Team,
        week: IsoWeek,
        run: DigestRun,
        claimant: str,
        message: dict[str, Any],
        client: AsyncWebClient,
        now: datetime,
    ) -> PostResult:
        log.warning("digest for team %s week %s was already in the channel", team.id, week)
        return await self._posted(
            team,
            week,
            run,
            claimant,
            client,
            team.home_channel,
            str(message.get("ts")),
            now=now,
            digest=None,
            note=f"an earlier attempt had posted ({run.last_error}); not posted again",
        )

    async def retry_reply(
        self,
        team: Team,
        run: DigestRun,
        client: AsyncWebClient,
        *,
        claimant: str,
        now: datetime | None = None,
    ) -> ReplyResult:
        """Claim and post the thread reply of an already posted digest whose reply failed.

        The message itself is never posted again; the claim (one guarded UPDATE) lets exactly
        one scheduler reply, and an earlier reply that landed although it looked failed is
        found in the thread and recorded instead of posted twice.
        """
        now = now or self.clock.now()
        week = IsoWeek.parse(run.week)
        async with self.db.uow() as uow:
            claimed = await uow.digests.claim_reply(
                run.id, claimant, now=now, stale_before=now - STALE_CLAIM
            )
            await uow.commit()
        if claimed is None or not claimed.channel or not claimed.message_ts:
            return ReplyResult(team.id, week, Outcome.SKIPPED)
        return await self._reply(
            team,
            week,
            claimed.id,
            claimant,
            client,
            claimed.channel,
            claimed.message_ts,
            attempt=claimed.reply_attempts,
            now=now,
            digest=None,
            look_first=True,
        )

    async def _reply(
        self,
        team: Team,
        week: IsoWeek,
        run_id: int,
        claimant: str,
        client: AsyncWebClient,
        channel: str,
        ts: str,
        *,
        attempt: int,
        now: datetime,
        digest: Digest | None,
        look_first: bool,
    ) -> ReplyResult:
        """Post the thread reply under message ``ts`` while holding its claim; record how it went.

        ``look_first``: an earlier attempt may have landed (a timeout after Slack posted, a
        process that died before recording it), so look in the thread before posting.
        """
        if look_first:
            earlier = await self._find_earlier_reply(team, week, client, channel, ts)
            if earlier is not None:
                async with self.db.uow() as uow:
                    await uow.digests.mark_reply_posted(
                        run_id,
                        claimant,
                        reply_ts=earlier,
                        note="an earlier attempt had replied; not replied again",
                    )
                    await uow.commit()
                log.warning("digest reply for team %s week %s was already there", team.id, week)
                return ReplyResult(team.id, week, Outcome.POSTED, earlier)
        try:
            if digest is None:
                digest = await self.build(team, week)
            blocks = build_digest_thread_blocks(digest)
            response = await asyncio.wait_for(
                self.pacer.send(
                    channel,
                    lambda: client.chat_postMessage(
                        channel=channel,
                        thread_ts=ts,
                        text=f"Notable items — {week.label()}",
                        blocks=blocks,
                        metadata=digest_reply_metadata(team, week),
                        unfurl_links=False,
                        unfurl_media=False,
                    ),
                ),
                POST_BUDGET_SECONDS,
            )
            reply_ts = str(response["ts"])
        except Exception as error:
            # The digest itself is out; re-posting it for the thread would duplicate it.
            reason = f"thread reply failed: {_describe(error)}"
            retry = reply_retryable(error) and attempt < REPLY_MAX_ATTEMPTS
            retry_at = now + retry_delay(attempt, channel_problem=False) if retry else None
            if not isinstance(error, SlackClientError | TimeoutError | OSError):
                log.exception("digest reply for team %s week %s failed", team.id, week)
            log.warning(
                "digest for team %s week %s: %s (attempt %s); %s",
                team.id,
                week,
                reason,
                attempt,
                f"retry at {retry_at.isoformat()}" if retry_at else "giving up",
            )
            async with self.db.uow() as uow:
                await uow.digests.mark_reply_failed(
                    run_id, claimant, error=reason, next_attempt_at=retry_at
                )
                await uow.commit()
            return ReplyResult(team.id, week, Outcome.FAILED, error=reason, retry_at=retry_at)
        async with self.db.uow() as uow:
            still_ours = await uow.digests.mark_reply_posted(run_id, claimant, reply_ts=reply_ts)
            await uow.commit()
        if not still_ours:
            log.error("digest reply for team %s week %s: claim lost while replying", team.id, week)
        return ReplyResult(team.id, week, Outcome.POSTED, reply_ts)

    async def _find_earlier_reply(
        self, team: Team, week: IsoWeek, client: AsyncWebClient, channel: str, ts: str
    ) -> str | None:
        """The ts of this digest's thread reply if it is already in the thread (best effort:
        if the thread can't be read, reply)."""
        try:
            response = await client.conversations_replies(
                channel=channel, ts=ts, include_all_metadata=True, limit=200
            )
        except Exception as error:
            log.info("could not check the thread of %s for an earlier reply: %s", ts, error)
            return None
        found = _marked(response.get("messages") or [], digest_reply_metadata(team, week), ts)
        return str(found.get("ts")) if found is not None else None

    async def _failed(
        self,
        team: Team,
        week: IsoWeek,
        run: DigestRun,
        claimant: str,
        error: BaseException,
        previous_error: str | None,
        client: AsyncWebClient,
        now: datetime,
    ) -> PostResult:
        code = _error_code(error)
        reason = _describe(error)
        channel_problem = code in CHANNEL_ERRORS
        next_at = now + retry_delay(run.attempts, channel_problem)
        if isinstance(error, SlackClientError | TimeoutError | OSError):
            log.warning(
                "digest for team %s week %s failed (attempt %s): %s; retry at %s",
                team.id,
                week,
                run.attempts,
                reason,
                next_at.isoformat(),
            )
        else:
            log.exception("digest for team %s week %s failed", team.id, week, exc_info=error)
        async with self.db.uow() as uow:
            await uow.digests.mark_failed(run.id, claimant, error=reason, next_attempt_at=next_at)
            await uow.commit()
        # Once per week: a row's earlier channel error means the person was already told.
        already_reported = bool(previous_error) and (
            str(previous_error).split(" ")[0] in CHANNEL_ERRORS
        )
        if channel_problem and not already_reported:
            await self._tell_setup_person(team, week, code or "error", client)
        return PostResult(team.id, week, Outcome.FAILED, error=reason)

    async def _tell_setup_person(
        self, team: Team, week: IsoWeek, code: str, client: AsyncWebClient
    ) -> None:
        """DM the person who set the team up that its digest cannot be posted, and how to fix."""
        person = team.setup_by or team.created_by
        if not person:
            log.warning(
                "digest for team %s cannot be posted (%s) and nobody to tell", team.id, code
            )
            return
        explain = {
            "not_in_channel": "I'm not a member of the channel",
            "channel_not_found": "I can't find the channel (deleted, or private without me)",
            "is_archived": "the channel is archived",
            "restricted_action": "posting there is restricted",
        }.get(code, code)
        text = (
            f"I couldn't post {team.name}'s weekly infra digest ({week.label()}) into "
            f"<#{team.home_channel}>: {explain}. Invite me with `/invite @infrawork` in that "
            "channel, or pick another home channel with `/infrawork setup`. I'll keep trying "
            "this week."
        )
        try:
            await client.chat_postMessage(channel=person, text=text)
        except Exception as error:
            log.warning("could not tell the setup person about team %s: %s", team.id, error)


DIGEST_EVENT = "infrawork_digest"
DIGEST_REPLY_EVENT = "infrawork_digest_items"


def digest_metadata(team: Team, week: IsoWeek, event: str = DIGEST_EVENT) -> dict[str, Any]:
    """Message metadata that marks a digest post (or, with ``DIGEST_REPLY_EVENT``, its thread
    reply), so a retry can find an earlier attempt that landed."""
    return {"event_type": event, "event_payload": {"team": str(team.id), "week": str(week)}}


def digest_reply_metadata(team: Team, week: IsoWeek) -> dict[str, Any]:
    """Message metadata that marks a digest's thread reply."""
    return digest_metadata(team, week, DIGEST_REPLY_EVENT)


def _marked(
    messages: list[dict[str, Any]], marker: dict[str, Any], skip_ts: str | None = None
) -> dict[str, Any] | None:
    """The first of ``messages`` (other than ``skip_ts``) carrying ``marker`` as its metadata."""
    for message in messages:
        metadata = message.get("metadata") or {}
        if (
            message.get("ts") != skip_ts
            and metadata.get("event_type") == marker["event_type"]
            and metadata.get("event_payload") == marker["event_payload"]
        ):
            return message
    return None


def _thresholds(team: Team) -> PhaseThresholds:
    try:
        return PhaseThresholds(
            forced_share=float(team.forced_threshold or 0.5),
            window_weeks=int(team.window_weeks or 4),
        )
    except ValueError:
        log.warning("team %s has invalid phase thresholds; using the defaults", team.id)
        return PhaseThresholds()


def _error_code(error: BaseException) -> str | None:
    if isinstance(error, SlackApiError):
        try:
            return str(error.response.get("error") or "") or None
        except Exception:
            return None
    return None


def _describe(error: BaseException) -> str:
    """A short reason for the record; never a token (slack_sdk errors carry none)."""
    code = _error_code(error)
    if code:
        status = getattr(error, "response", None)
        status_code = getattr(status, "status_code", None)
        return f"{code} (HTTP {status_code})" if status_code else code
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return "timeout: Slack did not answer in time"
    return f"{type(error).__name__}: {str(error)[:300]}"


def preview_blocks(digest: Digest) -> list[Any]:
    """The digest and its notable items in one message (an ephemeral preview)."""
    from slack_sdk.models.blocks import DividerBlock

    blocks = build_digest_blocks(digest)
    thread = build_digest_thread_blocks(digest)
    room = MAX_BLOCKS - len(blocks) - 1
    if room > 0:
        blocks = [*blocks, DividerBlock(), *thread[:room]]
    return blocks[:MAX_BLOCKS]
