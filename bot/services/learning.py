"""Each team's learned model, rebuilt only when the team's corrections change."""

from __future__ import annotations

from core.learning import Correction as Lesson
from core.learning import TeamModel
from core.model import Quadrant
from storage.tables import Team
from storage.uow import UnitOfWork


class TeamModels:
    """A per-process cache of TeamModel keyed by team, checked against the database each use.

    The check is one indexed aggregate query, so a correction made on another replica is seen
    by the next classification here.
    """

    def __init__(self, max_teams: int = 1024) -> None:
        self._cache: dict[int, tuple[tuple[int, int], TeamModel]] = {}
        self._max_teams = max_teams

    async def for_team(self, uow: UnitOfWork, team: Team) -> TeamModel | None:
        version = await uow.corrections.version(team.workspace, team.id)
        if version[0] == 0:
            return None
        cached = self._cache.get(team.id)
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = await uow.corrections.for_team(team.workspace, team.id)
        model = TeamModel.from_corrections(
            Lesson(text=row.text, quadrant=Quadrant(row.to_quadrant)) for row in reversed(rows)
        )
        if len(self._cache) >= self._max_teams:
            self._cache.pop(next(iter(self._cache)))
        self._cache[team.id] = (version, model)
        return model
