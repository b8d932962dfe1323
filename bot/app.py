"""The app factory: a Bolt AsyncApp wired to explicit settings, clients and services."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.capture import build_notice
from bot.listeners import actions, commands, events, lifecycle, shortcuts, views
from bot.oauth import build_oauth_settings
from bot.services.container import Services
from bot.services.errors import AnswerTooLate, UserFacingError

log = logging.getLogger(__name__)

TOO_LATE = "infrawork was too slow to answer just now, so nothing was saved. Please send it again."
SORRY = "Sorry, something went wrong on infrawork's side. Nothing you sent was lost; try again."


def create_app(services: Services, client: AsyncWebClient) -> AsyncApp:
    """A Bolt app for ``services``: every Web API call goes through ``client``.

    The bot token travels inside ``client`` and the signing secret comes from
    ``services.settings``; Bolt never falls back to reading the environment itself.
    """
    settings = services.settings
    oauth: dict[str, Any] = {}
    if services.installations is not None:
        # Multi-workspace: Bolt authorizes each request from the installation store. Bot tokens
        # only (infrawork asks for no user scopes): one find_bot read per request, where the
        # default reads the installation and, for anyone but the installer, again for that user.
        oauth = {
            "installation_store": services.installations,
            "installation_store_bot_only": True,
            "oauth_settings": build_oauth_settings(
                settings, services.installations, services.db.engine
            ),
        }
    app = AsyncApp(
        client=client,
        **oauth,
        signing_secret=settings.secret("slack_signing_secret") or "",
        request_verification_enabled=settings.slack_signing_secret is not None,
        # Listeners commit before they ack; the ack must not wait for follow-up Web API calls.
        process_before_response=False,
        logger=logging.getLogger("bot.bolt"),
    )
    for surface in (commands, actions):
        surface.register(app, services)
    for capture_surface in (shortcuts, events, views):
        capture_surface.register(app, services)
    lifecycle.register(app, services)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
        if isinstance(error, UserFacingError):
            message = str(error)
        elif isinstance(error, AnswerTooLate):
            log.warning("answered too late for Slack; rolled back: %s", error)
            message = TOO_LATE
        else:
            log.exception("unhandled error in a listener", exc_info=error)
            message = SORRY
        if respond is not None and body.get("response_url"):
            await respond(response_type="ephemeral", text=message, blocks=build_notice(message))

    return app
