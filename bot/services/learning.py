"""Each team's learned model, rebuilt only when the team's corrections change."""

from __future__ import annotations

import time
from collections.abc import Callable

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

    def forget(self, team_id: int) -> None:
        """This team's corrections changed: rebuild its model on next use."""
        self._cache.pop(team_id, None)

    def recent(self, team_id: int) -> tuple[bool, TeamModel | None]:
        """(True, model) when the team's model was checked within the recheck interval."""
        cached = self._cache.get(team_id)
        if cached is not None and self._monotonic() - cached[2] < self._recheck:
            return True, cached[1]
        return False, None

    async def for_team(self, uow: UnitOfWork, team: Team) -> TeamModel | None:
        now = self._monotonic()
        cached = self._cache.get(team.id)
        if cached is not None and now - cached[2] < self._recheck:
            return cached[1]
        version = await uow.corrections.version(team.workspace, team.id)
        if cached is not None and cached[0] == version:
            self._cache[team.id] = (version, cached[1], now)
            return cached[1]
        model: TeamModel | None = None
        if version[0]:
            rows = await uow.corrections.for_team(team.workspace, team.id)
            model = TeamModel.from_corrections(
                Lesson(text=row.text, quadrant=Quadrant(row.to_quadrant)) for row in reversed(rows)
            )
        if len(self._cache) >= self._max_teams and team.id not in self._cache:
            self._cache.pop(next(iter(self._cache)))
        self._cache[team.id] = (version, model, now)
        return model
