"""`/infrawork setup`: the team's settings in a modal."""

from __future__ import annotations

from bot.blocks.capture import build_notice
from bot.listeners.views import open_setup_modal
from bot.services.errors import UserFacingError
from bot.verbs import VerbRequest, verb


@verb(
    "setup",
    "setup",
    "the team's name, channels, incident emojis, acknowledgements, digest time, thresholds",
    order=60,
)
async def setup(req: VerbRequest) -> None:
    if not req.trigger_id:
        await req.ack(response_type="ephemeral", text="Run `/infrawork setup` again, please.")
        return
    # Ack first: the modal opens with the trigger (valid 3 s) after the team is read or created.
    await req.ack()
    try:
        await open_setup_modal(req.services, req.client, req.actor, req.trigger_id)
    except UserFacingError as error:
        await req.respond(
            response_type="ephemeral", text=str(error), blocks=build_notice(str(error))
        )
