"""Buttons and selects on infrawork's messages: change an item's quadrant, undo it."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.blocks.capture import build_confirmation, build_notice, item_id_from_block_id
from bot.blocks.items import read_page_value
from bot.ids import Action
from bot.listeners.common import actor_from_body
from bot.services.container import Services
from bot.services.errors import UserFacingError
from bot.services.items import ListQuery
from bot.text.slack_text import escape_mrkdwn, truncate
from bot.verbs.items import render_page
from core.model import Quadrant


def register(app: AsyncApp, services: Services) -> None:
    @app.action(Action.CHANGE_QUADRANT)
    @app.action(re.compile(rf"^{Action.PICK_QUADRANT}:"))
    async def on_change_quadrant(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        item_id = item_id_from_block_id(action.get("block_id", ""))
        raw = str((action.get("selected_option") or {}).get("value") or action.get("value"))
        if item_id is None or raw not in Quadrant._value2member_map_:
            await respond(
                replace_original=False,
                response_type="ephemeral",
                text="That control is out of date; log the item again.",
            )
            return
        try:
            item, team = await services.capture.change_quadrant(
                actor_from_body(body), item_id, Quadrant(raw)
            )
        except UserFacingError as error:
            await respond(replace_original=True, text=str(error), blocks=build_notice(str(error)))
            return
        quadrant = Quadrant(item.quadrant)
        await respond(
            replace_original=True,
            text=f"Moved to {quadrant.label}",
            blocks=build_confirmation(
                item_id=item.id,
                team_name=team.name,
                text=item.text,
                quadrant=quadrant,
                principles=item.principles,
                why=[],
                decided_by_person=True,
                headline="✅ Updated for",
            ),
        )

    @app.action(re.compile(rf"^{Action.LIST_PAGE}:"))
    async def on_list_page(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        state = read_page_value(str(action.get("value") or ""))
        if not state:
            await respond(
                replace_original=False, response_type="ephemeral", text="Run the list again."
            )
            return
        query = ListQuery(
            quadrant=Quadrant(state["q"])
            if state.get("q") in Quadrant._value2member_map_
            else None,
            week=state.get("w"),
            weeks=state.get("n"),
            offset=max(0, int(state.get("o", 0))),
            team_id=state["t"],
        )
        try:
            page = await services.items.list_page(actor_from_body(body), query)
        except UserFacingError as error:
            await respond(replace_original=True, text=str(error), blocks=build_notice(str(error)))
            return
        await respond(replace_original=True, **render_page(page))

    @app.action(Action.UNDO)
    async def on_undo(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        try:
            item_id = int(action.get("value", ""))
            item = await services.capture.undo(actor_from_body(body), item_id)
        except ValueError:
            await respond(
                replace_original=False,
                response_type="ephemeral",
                text="That control is out of date.",
            )
            return
        except UserFacingError as error:
            await respond(replace_original=True, text=str(error), blocks=build_notice(str(error)))
            return
        text = f"↩️ Removed: {escape_mrkdwn(truncate(item.text, 200))}"
        await respond(replace_original=True, text=text, blocks=build_notice(text))
