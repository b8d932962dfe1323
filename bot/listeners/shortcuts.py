"""The message shortcut "Log as infra work": the add modal, prefilled with the message."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ids import Callback
from bot.listeners.common import actor_from_body
from bot.listeners.views import open_add_modal
from bot.services.container import Services
from bot.services.reactions import get_permalink, message_text


def register(app: AsyncApp, services: Services) -> None:
    @app.message_shortcut(Callback.LOG_INFRA_WORK)
    async def on_log_infra_work(
        ack: Any, body: dict[str, Any], shortcut: dict[str, Any], client: Any
    ) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        ts = message.get("ts") or shortcut.get("message_ts")
        permalink = await get_permalink(client, channel, ts) if channel and ts else None
        await open_add_modal(
            services,
            client,
            actor_from_body(body),
            body["trigger_id"],
            text=message_text(message),
            message_ts=ts,
            permalink=permalink,
            channel_team=False,
        )
