"""Each team's learned model, rebuilt only when the team's corrections change."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.services.refresh import REFRESH_AHEAD
from core.learning import Correction as Lesson
from core.learning import TeamModel
from core.model import Quadrant
from storage.tables import Team
from storage.uow import UnitOfWork

RECHECK_SECONDS = 5.0
"""How stale a team's model may be when another replica records a correction."""


class TeamModels:
    """A per-process cache of TeamModel keyed by team.

    A correction made through this process takes effect on the next classification (the
    service calls :meth:`forget`). Corrections made on another replica are noticed within
    ``recheck_seconds``, by one indexed aggregate query; checking on every request instead
    would cost a query per capture for something that changes a few times a week.
    """

    def __init__(
        self,
        max_teams: int = 1024,
        recheck_seconds: float = RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache: dict[int, tuple[tuple[int, int], TeamModel | None, float]] = {}
        self._max_teams = max_teams
        self._recheck = recheck_seconds
        self._monotonic = monotonic
        self._forgets = 0

    def forget(self, team_id: int) -> None:
        """This team's corrections changed: rebuild its model on next use."""
        self._cache.pop(team_id, None)
        # A check that started before this may have read the old corrections: it must not
        # put its model back (see refresh), and nobody may wait for it instead of a new one.
        # Counted for all teams at once (corrections are rare): no per-team bookkeeping to bound.
        self._forgets += 1

    @property
    def generation(self) -> int:
        """Changes with every :meth:`forget`: part of the key of a running check."""
        return self._forgets

    def recent(self, team_id: int) -> tuple[bool, TeamModel | None]:
        """(True, model) when the team's model was checked within the recheck interval."""
        cached = self._cache.get(team_id)
        if cached is not None and self._monotonic() - cached[2] < self._recheck:
            return True, cached[1]
        return False, None

    def due(self, team_id: int) -> bool:
        """The team's model is still fresh but should be checked again now (in the background),
        so the check is done before the model expires."""
        cached = self._cache.get(team_id)
        if cached is None:
            return False
        age = self._monotonic() - cached[2]
        return self._recheck * REFRESH_AHEAD <= age < self._recheck

    async def for_team(self, uow: UnitOfWork, team: Team) -> TeamModel | None:
        cached = self._cache.get(team.id)
        if cached is not None and self._monotonic() - cached[2] < self._recheck:
            return cached[1]
        return await self.refresh(uow, team)

    async def refresh(self, uow: UnitOfWork, team: Team) -> TeamModel | None:
        """Check the team's corrections now (one indexed query; the model is rebuilt only if
        they changed) and remember the result for the recheck interval."""
        now = self._monotonic()
        generation = self._forgets
        cached = self._cache.get(team.id)
        version = await uow.corrections.version(team.workspace, team.id)
        if cached is not None and cached[0] == version:
            if self._forgets == generation:
                self._cache[team.id] = (version, cached[1], now)
            return cached[1]
        model: TeamModel | None = None
        if version[0]:
            rows = await uow.corrections.for_team(team.workspace, team.id)
            model = TeamModel.from_corrections(
                Lesson(text=row.text, quadrant=Quadrant(row.to_quadrant)) for row in reversed(rows)
            )
        if self._forgets != generation:
            return model  # forgotten meanwhile: the next use checks again
        if len(self._cache) >= self._max_teams and team.id not in self._cache:
            self._cache.pop(next(iter(self._cache)))
        self._cache[team.id] = (version, model, now)
        return model
