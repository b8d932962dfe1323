"""Modals: open the add and setup modals, and take their submissions.

Submissions are answered in the modal itself: ``response_action: errors`` for input to fix, an
``update`` to a result view once the item or settings are committed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.blocks.modals import (
    AddModalMeta,
    TeamChoice,
    build_add_modal,
    build_already_logged,
    build_notice_modal,
    build_setup_modal,
    read_add_form,
    read_setup_form,
)
from bot.ids import Action, Block, Callback
from bot.listeners.common import actor_from_body
from bot.services.capture import clean_item_text
from bot.services.container import Services
from bot.services.context import Actor
from bot.services.errors import UserFacingError
from bot.services.reactions import slack_error
from bot.services.setup import SetupRejected
from bot.services.teams import NoTeamHere
from bot.text.slack_text import escape_mrkdwn, truncate
from core.model import Principle, Quadrant, Source

log = logging.getLogger(__name__)


async def open_add_modal(
    services: Services,
    client: Any,
    actor: Actor,
    trigger_id: str,
    *,
    text: str = "",
    message_ts: str | None = None,
    permalink: str | None = None,
    team_id: int | None = None,
    channel_team: bool = True,
    from_home: bool = False,
) -> None:
    """Open the add modal (prefilled for a message shortcut) within the trigger's 3 s.

    With ``channel_team`` (the slash command) a channel without a team gets one on submission,
    exactly like `/infrawork add`; otherwise (shortcut, App Home) the person's teams are offered.
    """
    context = await services.items.add_modal_context(actor, text=text, message_ts=message_ts)
    teams = list(context.teams)
    if team_id is not None:
        teams = [t for t in teams if t.id == team_id] + [t for t in teams if t.id != team_id]
    in_channel = actor.channel_id is not None and not actor.in_direct_message
    if channel_team and in_channel and context.here is None:
        teams = []  # the submission creates the channel's team
    if not teams and (actor.channel_id is None or actor.in_direct_message):
        await client.views_open(
            trigger_id=trigger_id, view=build_notice_modal("Log infra work", str(NoTeamHere()))
        )
        return
    meta = AddModalMeta(
        channel=actor.channel_id,
        channel_name=actor.channel_name,
        message_ts=message_ts,
        permalink=permalink,
        team_id=teams[0].id if teams else None,
        from_home=from_home or None,
    )
    existing = context.existing
    if existing is not None:
        meta = replace(meta, item_id=existing.id, team_id=existing.team_id)
        view = build_add_modal(
            meta,
            text=existing.text,
            existing_label=f"#{existing.id} · {Quadrant(existing.quadrant).label}",
        )
    else:
        view = build_add_modal(
            meta,
            text=text,
            proposal=context.proposal,
            teams=[TeamChoice(t.id, t.name) for t in teams],
        )
    await client.views_open(trigger_id=trigger_id, view=view)


async def open_setup_modal(
    services: Services, client: Any, actor: Actor, trigger_id: str, *, team_id: int | None = None
) -> None:
    """Open the setup modal for the channel's team (or ``team_id``)."""
    user_tz = None
    if actor.user_id:
        try:
            user_tz = (await client.users_info(user=actor.user_id)).get("user", {}).get("tz")
        except SlackApiError as error:
            log.info("users.info failed, the timezone defaults to UTC: %s", slack_error(error))
    team, values = await services.setup.current(actor, team_id=team_id, user_timezone=user_tz)
    await client.views_open(trigger_id=trigger_id, view=build_setup_modal(team.id, values))


def logged_view(title: str, headline: str, team_name: str, item: Any) -> View:
    quadrant = Quadrant(item.quadrant)
    serves = f" — serves {', '.join(item.principles)}" if item.principles else ""
    text = (
        f"{headline} {escape_mrkdwn(team_name)} as *{quadrant.label}*{serves} (item #{item.id})\n"
        f">{escape_mrkdwn(truncate(item.text, 280))}"
    )
    if item.rationale and item.classified_by != "person":
        text += f"\nwhy: {escape_mrkdwn(truncate(item.rationale, 1000))}"
    return build_notice_modal(title, text)


def register(app: AsyncApp, services: Services) -> None:
    @app.view(Callback.ADD_MODAL)
    async def on_add_submitted(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any
    ) -> None:
        form = read_add_form(view.get("state", {}).get("values", {}))
        meta = AddModalMeta.load(view.get("private_metadata"))
        try:
            text = clean_item_text(form.text)
        except UserFacingError as error:
            await ack(response_action="errors", errors={Block.ADD_TEXT: str(error)[:150]})
            return
        base = actor_from_body(body)
        actor = Actor(
            workspace=base.workspace,
            enterprise_id=base.enterprise_id,
            user_id=base.user_id,
            channel_id=meta.channel,
            channel_name=meta.channel_name,
        )
        try:
            if meta.item_id is not None:
                item, team = await services.capture.update(
                    actor,
                    meta.item_id,
                    text,
                    quadrant=form.quadrant,
                    principles=form.principles or None,
                )
                await ack(
                    response_action="update",
                    view=logged_view("Updated", "✅ Updated for", team.name, item),
                )
                return
            captured = await services.capture.add(
                actor,
                text,
                source=Source.MESSAGE_SHORTCUT if meta.message_ts else Source.MODAL,
                message_ts=meta.message_ts,
                permalink=meta.permalink,
                quadrant=form.quadrant,
                principles=form.principles or None,
                team_id=form.team_id or meta.team_id,
            )
        except UserFacingError as error:
            await ack(response_action="errors", errors={Block.ADD_TEXT: str(error)[:150]})
            return
        item = captured.item
        if not captured.created:
            pending = {
                "text": text,
                "quadrant": form.quadrant.value if form.quadrant else None,
                "principles": [p.value for p in form.principles],
            }
            label = Quadrant(item.quadrant).label
            await ack(
                response_action="update",
                view=build_already_logged(
                    item_id=item.id, label=label, permalink=item.permalink, pending=pending
                ),
            )
            return
        await ack(
            response_action="update",
            view=logged_view("Logged", "✅ Logged for", captured.team.name, item),
        )
        if meta.from_home and actor.user_id:
            # The tab the person came from shows the new item (after the ack: not urgent).
            home = await services.home.view_for(actor.workspace, actor.user_id)
            await client.views_publish(user_id=actor.user_id, view=home)

    @app.action(Action.UPDATE_EXISTING)
    async def on_update_existing(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
    ) -> None:
        await ack()
        view = body.get("view") or {}
        try:
            pending = json.loads(view.get("private_metadata") or "{}")
            item_id = int(action.get("value", ""))
            raw_quadrant = pending.get("quadrant")
            quadrant = Quadrant(raw_quadrant) if raw_quadrant else None
            principles = tuple(Principle(p) for p in pending.get("principles") or [])
            item, team = await services.capture.update(
                actor_from_body(body),
                item_id,
                str(pending.get("text") or ""),
                quadrant=quadrant,
                principles=principles or None,
            )
            result = logged_view("Updated", "✅ Updated for", team.name, item)
        except (ValueError, TypeError):
            result = build_notice_modal("Already logged", "That form is out of date; log it again.")
        except UserFacingError as error:
            result = build_notice_modal("Already logged", str(error))
        await client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=result)

    @app.view(Callback.SETUP_MODAL)
    async def on_setup_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_setup_form(view.get("state", {}).get("values", {}))
        try:
            team_id = int(json.loads(view.get("private_metadata") or "{}").get("team_id"))
        except (ValueError, TypeError, AttributeError):
            await ack(
                response_action="errors", errors={Block.SETUP_NAME: "This form is out of date."}
            )
            return
        try:
            team = await services.setup.save(actor_from_body(body), team_id, form)
        except SetupRejected as rejected:
            await ack(response_action="errors", errors=rejected.errors)
            return
        except UserFacingError as error:
            await ack(response_action="errors", errors={Block.SETUP_NAME: str(error)[:150]})
            return
        await ack(
            response_action="update",
            view=build_notice_modal(
                "Team setup",
                f"✅ Saved. {escape_mrkdwn(team.name)}'s digest goes to <#{team.home_channel}>.",
            ),
        )

    @app.action(Action.OPEN_ADD)
    async def on_open_add(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
    ) -> None:
        await ack()
        value = str(action.get("value") or "")
        await open_add_modal(
            services,
            client,
            actor_from_body(body),
            body["trigger_id"],
            team_id=int(value) if value.isdigit() else None,
            channel_team=False,
            from_home=True,
        )

    @app.action(Action.OPEN_SETUP)
    async def on_open_setup(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
    ) -> None:
        await ack()
        value = str(action.get("value") or "")
        await open_setup_modal(
            services,
            client,
            actor_from_body(body),
            body["trigger_id"],
            team_id=int(value) if value.isdigit() else None,
        )
