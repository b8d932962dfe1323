"""The `/infrawork` slash command: route the verb, answer unknown ones with help."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

import bot.verbs.add
import bot.verbs.help
from bot.blocks.capture import build_notice
from bot.ids import COMMAND
from bot.listeners.common import actor_from_command
from bot.services.container import Services
from bot.services.errors import UserFacingError
from bot.verbs import REGISTRY, VerbRequest, split_invocation
from bot.verbs.help import build_help

_ = bot.verbs.add  # registered on import


def register(app: AsyncApp, services: Services) -> None:
    @app.command(COMMAND)
    async def on_command(ack: Any, command: dict[str, Any], respond: Any, client: Any) -> None:
        name, args = split_invocation(command.get("text", ""))
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
