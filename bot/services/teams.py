"""Finding (and on first use, creating) the team a request belongs to."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.ids import DEFAULT_INCIDENT_EMOJIS, AckMode
from bot.services.context import Actor
from bot.services.errors import UserFacingError
from bot.services.refresh import REFRESH_AHEAD
from storage.tables import Team
from storage.uow import UnitOfWork

TEAM_NAME_MAX = 80

TEAM_RECHECK_SECONDS = 5.0
"""How long this process trusts a team it looked up (another replica's setup change shows
within this), like the corrections recheck in bot/services/learning.py."""

MEMBER_TOUCH_SECONDS = 60.0
"""How stale a member's last_seen_at may get while they keep using the same team."""


class NoTeamHere(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "infrawork keeps work per team, and a team lives in a channel. Run `/infrawork add …` "
            "in your team's channel (the first use there creates the team), then it works here too."
        )


class TeamDirectory:
    """A per-process memory of teams and member touches, so a capture needs no lookup query.

    * A team found by channel or id is reused for ``recheck_seconds``. Changes made through
      this process call :meth:`forget_all`; changes on another replica show within the
      recheck. A team deleted meanwhile makes its capture fail on the foreign key, and the
      capture looks the team up again (bot/services/capture.py).
    * ``team_members.last_seen_at`` orders a person's teams, most recently used first (the
      team a direct-message capture goes to, App Home, the item lists). Writing it on every
      capture is a statement per request for a value that only has to be right about which
      team came last: this process skips the write while the person keeps using the team it
      last touched for them, for at most ``touch_seconds``; switching teams always writes.
    """

    def __init__(
        self,
        *,
        recheck_seconds: float = TEAM_RECHECK_SECONDS,
        touch_seconds: float = MEMBER_TOUCH_SECONDS,
        max_entries: int = 4096,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._recheck = recheck_seconds
        self._touch = touch_seconds
        self._max = max_entries
        self._monotonic = monotonic
        self._by_channel: dict[tuple[str, str], tuple[Team, float]] = {}
        self._by_id: dict[tuple[str, int], tuple[Team, float]] = {}
        self._touched: dict[tuple[str, str], tuple[int, float]] = {}
        self._forgets = 0

    def by_channel(self, workspace: str, channel: str) -> Team | None:
        return self._fresh(self._by_channel, (workspace, channel))

    def by_id(self, workspace: str, team_id: int) -> Team | None:
        return self._fresh(self._by_id, (workspace, team_id))

    def channel_due(self, workspace: str, channel: str) -> bool:
        """The channel's team is still fresh but should be looked up again now (in the
        background), so the lookup is done before the remembered team expires."""
        entry = self._by_channel.get((workspace, channel))
        if entry is None:
            return False
        age = self._monotonic() - entry[1]
        return self._recheck * REFRESH_AHEAD <= age < self._recheck

    @property
    def generation(self) -> int:
        """Changes with every :meth:`forget_all`: part of the key of a running lookup."""
        return self._forgets

    def remember(
        self, team: Team, channel: str | None = None, *, generation: int | None = None
    ) -> None:
        """Remember ``team`` (found in ``channel``); a lookup passes the :attr:`generation` it
        started in, and what it found is dropped if the teams were forgotten meanwhile."""
        if generation is not None and generation != self._forgets:
            return
        now = self._monotonic()
        _bounded_put(self._by_id, (team.workspace, team.id), (team, now), self._max)
        if channel is not None:
            _bounded_put(self._by_channel, (team.workspace, channel), (team, now), self._max)

    def forget_channel(self, workspace: str, channel: str, *, generation: int) -> None:
        """A lookup started in ``generation`` found no team in the channel any more."""
        if generation == self._forgets:
            self._by_channel.pop((workspace, channel), None)

    def forget_all(self) -> None:
        """A team changed through this process: look every team up again."""
        self._by_channel.clear()
        self._by_id.clear()
        self._forgets += 1  # lookups running now may have read the old teams

    def needs_touch(self, workspace: str, user_id: str, team_id: int) -> bool:
        last = self._touched.get((workspace, user_id))
        return last is None or last[0] != team_id or self._monotonic() - last[1] >= self._touch

    def touched(self, workspace: str, user_id: str, team_id: int) -> None:
        """The touch of (team, user) was committed."""
        key = (workspace, user_id)
        last = self._touched.get(key)
        if last is not None and last[0] == team_id:
            return  # keep the time of the write, so the skip window stays bounded
        _bounded_put(self._touched, key, (team_id, self._monotonic()), self._max)

    def _fresh(self, cache: dict[Any, tuple[Team, float]], key: Any) -> Team | None:
        entry = cache.get(key)
        if entry is None:
            return None
        if self._monotonic() - entry[1] >= self._recheck:
            del cache[key]
            return None
        return entry[0]


def _bounded_put(cache: dict[Any, Any], key: Any, value: Any, limit: int) -> None:
    cache.pop(key, None)
    if len(cache) >= limit:
        cache.pop(next(iter(cache)))
    cache[key] = value


async def team_for(uow: UnitOfWork, actor: Actor, clock: Clock, *, create: bool = True) -> Team:
    """The team of the actor's channel; its first use there creates it with that channel as home.

    In a direct message, the team the person used most recently.
    """
    now = clock.now()
    if actor.in_direct_message or actor.channel_id is None:
        teams = await uow.teams.of_member(actor.workspace, actor.user_id or "")
        if not teams:
            raise NoTeamHere()
        team = teams[0]
    else:
        found = await uow.teams.for_channel(actor.workspace, actor.channel_id)
        if found is None:
            if not create:
                raise NoTeamHere()
            found = await create_channel_team(uow, actor, now)
        team = found
    if actor.user_id:
        await uow.teams.touch_member(team, actor.user_id, now)
    return team


async def create_channel_team(uow: UnitOfWork, actor: Actor, now: datetime) -> Team:
    """The team whose home is the actor's channel, created now unless a concurrent request did."""
    assert actor.channel_id is not None
    await uow.workspaces.ensure(actor.workspace, actor.enterprise_id, now)
    name = f"#{actor.channel_name}" if actor.channel_name else f"<#{actor.channel_id}>"
    return await uow.teams.create_once(
        {
            "workspace": actor.workspace,
            "enterprise_id": actor.enterprise_id,
            "name": name[:TEAM_NAME_MAX],
            "home_channel": actor.channel_id,
            "incident_channels": [],
            "incident_emojis": list(DEFAULT_INCIDENT_EMOJIS),
            "ack_mode": AckMode.REACTION.value,
            "created_by": actor.user_id,
            "created_at": now,
            "updated_at": now,
        }
    )
