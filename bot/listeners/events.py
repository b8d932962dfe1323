"""Events API: incident reactions (`reaction_added`) and the App Home tab (`app_home_opened`)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services.container import Services


def register(app: AsyncApp, services: Services) -> None:
    @app.event("reaction_added")
    async def on_reaction_added(
        ack: Any, body: dict[str, Any], event: dict[str, Any], client: Any
    ) -> None:
        # The capture is committed before the 200 goes back (see _ack_after_processing); a
        # re-delivery or a racing second delivery finds the item and does nothing.
        result = await services.reactions.capture_reaction(client, body, event)
        await ack()
        await services.reactions.acknowledge(client, result)

    _ack_after_processing(app)

    @app.event("app_home_opened")
    async def on_app_home_opened(event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        workspace = str(body.get("team_id") or "")
        view = await services.home.view_for(workspace, event["user"])
        await client.views_publish(user_id=event["user"], view=view)


def _ack_after_processing(app: AsyncApp) -> None:
    """Let the listener just registered call ack() itself instead of Bolt acking on arrival.

    Bolt acknowledges Events API requests before running the listener. For a capture that would
    answer 200 for data not yet stored; instead the listener stores, then acks. If storing takes
    longer than Slack's 3 s, Slack retries, and the retry finds the item (unique per message).
    """
    listener = app._async_listeners[-1]  # Bolt has no public switch for this per listener
    listener.auto_acknowledgement = False
