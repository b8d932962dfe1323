"""The HTTP face of the bot: Slack's request URL, health, and the routes beside them."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.payloads import MalformedPayload, check_body
from bot.services.container import Services

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_TIMEOUT_SECONDS = 2.0

APP_KEY = web.AppKey("bolt_app", AsyncApp)
SERVICES_KEY = web.AppKey("services", Services)


def build_web_app(app: AsyncApp, services: Services) -> web.Application:
    """The aiohttp application serving Slack and the operational endpoints."""
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[APP_KEY] = app
    web_app[SERVICES_KEY] = services
    secret = services.settings.secret("slack_signing_secret")
    verifier = SignatureVerifier(secret) if secret else None

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.text()
        if verifier is not None and not verifier.is_valid_request(body, dict(request.headers)):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            check_body(bolt_request.body)
        except (ValueError, TypeError, AttributeError) as error:
            reason = str(error) if isinstance(error, MalformedPayload) else "malformed body"
            return web.json_response({"error": reason}, status=400)
        bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(services.db.ping(), HEALTH_TIMEOUT_SECONDS)
        except Exception as error:  # any failure means "not healthy"; say which dependency
            log.warning("health check: database unavailable: %s", type(error).__name__)
            return web.json_response(
                {"status": "unavailable", "database": f"down ({type(error).__name__})"},
                status=503,
            )
        return web.json_response({"status": "ok", "database": "ok"})

    web_app.router.add_post(SLACK_EVENTS_PATH, slack_events)
    web_app.router.add_get("/healthz", healthz)
    return web_app
