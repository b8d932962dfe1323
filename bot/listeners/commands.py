"""The `/infrawork` slash command: route the verb, answer unknown ones with help."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

import bot.verbs.add
import bot.verbs.baseline
import bot.verbs.digest
import bot.verbs.help
import bot.verbs.items
import bot.verbs.setup
import bot.verbs.token
from bot.blocks.capture import build_notice
from bot.ids import COMMAND
from bot.listeners.common import actor_from_command
from bot.listeners.views import open_add_modal
from bot.services.container import Services
from bot.services.errors import UserFacingError
from bot.verbs import REGISTRY, VerbRequest, split_invocation
from bot.verbs.help import build_help

_ = bot.verbs.add  # registered on import
_capture_verbs = (bot.verbs.items, bot.verbs.setup)  # registered on import
_digest_verbs = (bot.verbs.baseline, bot.verbs.digest, bot.verbs.token)  # registered on import


def register(app: AsyncApp, services: Services) -> None:
    @app.command(COMMAND)
    async def on_command(ack: Any, command: dict[str, Any], respond: Any, client: Any) -> None:
        name, args = split_invocation(command.get("text", ""))
        if name in {"", "add"} and not args and command.get("trigger_id"):
            # Nothing to log yet: the add modal asks for it (opened with the 3 s trigger).
            await ack()
            actor = actor_from_command(command)
            await open_add_modal(services, client, actor, command["trigger_id"])
            return
        verb = REGISTRY.get(name or "add")
        if verb is None:
            await ack(
                response_type="ephemeral",
                text="infrawork help",
                blocks=build_help(f"I don't know `{name[:40]}`. Here's what I can do:"),
            )
            return
        request = VerbRequest(
            services=services,
            actor=actor_from_command(command),
            verb=verb.name,
            args=args,
            ack=ack,
            respond=respond,
            client=client,
            trigger_id=command.get("trigger_id"),
            command=command,
        )
        try:
            await verb.handler(request)
        except UserFacingError as error:
            await ack(response_type="ephemeral", text=str(error), blocks=build_notice(str(error)))
