"""Finding (and on first use, creating) the team a request belongs to."""

from __future__ import annotations

from bot.clock import Clock
from bot.ids import DEFAULT_INCIDENT_EMOJIS, AckMode
from bot.services.context import Actor
from bot.services.errors import UserFacingError
from storage.tables import Team
from storage.uow import UnitOfWork

TEAM_NAME_MAX = 80


class NoTeamHere(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "infrawork keeps work per team, and a team lives in a channel. Run `/infrawork add …` "
            "in your team's channel (the first use there creates the team), then it works here too."
        )


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
            await uow.workspaces.ensure(actor.workspace, actor.enterprise_id, now)
            name = f"#{actor.channel_name}" if actor.channel_name else f"<#{actor.channel_id}>"
            found = await uow.teams.create_once(
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
        team = found
    if actor.user_id:
        await uow.teams.touch_member(team, actor.user_id, now)
    return team
