"""The App Home tab's data: the person's teams with this week's mix and recent items."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.blocks.home import MAX_TEAMS, TeamPanel, build_home
from bot.clock import Clock
from core.schedule import IsoWeek
from storage.uow import Database

RECENT_ITEMS = 5


class HomeService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def view_for(self, workspace: str, user_id: str) -> View:
        """The Home tab for ``user_id``: only teams of ``workspace`` they have used."""
        now = self.clock.now()
        panels: list[TeamPanel] = []
        async with self.db.read() as uow:
            teams = await uow.teams.of_member(workspace, user_id)
            for team in teams[:MAX_TEAMS]:
                tz = team.timezone or "UTC"
                week = IsoWeek.containing(now, tz)
                since, until = week.bounds(tz)
                panels.append(
                    TeamPanel(
                        team_id=team.id,
                        name=team.name,
                        home_channel=team.home_channel,
                        week_label=week.label(),
                        mix=await uow.items.mix(workspace, team.id, since, until),
                        recent=await uow.items.list_for_team(
                            workspace, team.id, limit=RECENT_ITEMS
                        ),
                    )
                )
        return build_home(panels, total_teams=len(teams))
