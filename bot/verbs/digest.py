"""`/infrawork digest [YYYY-Www]`: the team's weekly digest now, only for the person asking."""

from __future__ import annotations

from bot.blocks.digest import digest_fallback_text
from bot.ids import COMMAND
from bot.services.errors import InvalidInput
from bot.verbs import VerbRequest, verb
from core.schedule import IsoWeek


@verb(
    "digest",
    "digest [YYYY-Www]",
    "preview your team's weekly digest (only you see it)",
    order=45,
)
async def digest(req: VerbRequest) -> None:
    week = None
    if req.args.strip():
        try:
            week = IsoWeek.parse(req.args)
        except ValueError:
            raise InvalidInput(
                f"`{req.args.strip()[:30]}` isn't an ISO week. Write `{COMMAND} digest` for "
                f"the current digest, or `{COMMAND} digest 2026-W47` for a given week."
            ) from None
    built, blocks = await req.services.digests.preview(req.actor, week)
    await req.ack(
        response_type="ephemeral",
        text=digest_fallback_text(built),
        blocks=blocks,
    )
