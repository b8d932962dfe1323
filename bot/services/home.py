"""The App Home tab's data: the person's teams with this week's mix and recent items."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.blocks.digest import baselines_text, phase_text
from bot.blocks.home import MAX_TEAMS, TeamPanel, build_home
from bot.clock import Clock
from bot.services.digest import DigestService, team_zone
from core.schedule import IsoWeek
from storage.uow import Database

RECENT_ITEMS = 5


class HomeService:
    def __init__(self, db: Database, clock: Clock, digests: DigestService) -> None:
        self.db = db
        self.clock = clock
        self.digests = digests

    async def view_for(self, workspace: str, user_id: str) -> View:
        """The Home tab for ``user_id``: only teams of ``workspace`` they have used."""
        now = self.clock.now()
        panels: list[TeamPanel] = []
        async with self.db.read() as uow:
            teams = await uow.teams.of_member(workspace, user_id)
            recent = {
                team.id: await uow.items.list_for_team(workspace, team.id, limit=RECENT_ITEMS)
                for team in teams[:MAX_TEAMS]
            }
        for team in teams[:MAX_TEAMS]:
            # This week so far, with the phase and baselines exactly as the digest computes them.
            week = IsoWeek.containing(now, team_zone(team))
            digest = await self.digests.build(team, week)
            panels.append(
                TeamPanel(
                    team_id=team.id,
                    name=team.name,
                    home_channel=team.home_channel,
                    week_label=week.label(),
                    mix={q.value: n for q, n in digest.this_week},
                    recent=recent[team.id],
                    phase=phase_text(digest),
                    baselines=baselines_text(digest),
                )
            )
        return build_home(panels, total_teams=len(teams))
