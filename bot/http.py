"""The HTTP face of the bot: Slack's request URL, health, and the routes beside them."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot.api import MEASUREMENTS_PATH, measurements_handler
from bot.logs import request_id
from bot.metrics import CONTENT_TYPE, outcome_of, surface_of
from bot.oauth import add_oauth_routes
from bot.payloads import MalformedPayload, check_body
from bot.services.container import Services
from bot.services.deadline import start_ack_clock, stop_ack_clock

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_TIMEOUT_SECONDS = 2.0

APP_KEY = web.AppKey("bolt_app", AsyncApp)
SERVICES_KEY = web.AppKey("services", Services)

SURFACE_KEY = web.RequestKey("infrawork_surface", str)
"""Where the Slack handler leaves the request's surface for observe_slack_requests."""

HealthProbe = Callable[[], Awaitable[None]]
"""Raises (or times out) when its dependency is down."""
HEALTH_PROBES_KEY = web.AppKey("health_probes", dict[str, HealthProbe])
"""Dependency name → probe; /healthz runs them all (the runtime adds e.g. the socket's)."""


def request_id_for(headers: dict[str, str] | object) -> str:
    """A short id for one Slack request: stable for its signature, else random."""
    get = getattr(headers, "get", None)
    timestamp = get("X-Slack-Request-Timestamp") if get else None
    signature = get("X-Slack-Signature") if get else None
    if timestamp and signature:
        return hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()[:16]
    return uuid.uuid4().hex[:16]


@web.middleware
async def observe_slack_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Around Slack's request URL: a request id for the logs, and the ack's latency and outcome."""
    if request.path != SLACK_EVENTS_PATH:
        return await handler(request)
    services = request.app[SERVICES_KEY]
    started = time.perf_counter()
    rid = request_id_for(request.headers)
    token = request_id.set(rid)
    clock = start_ack_clock()
    status = 500
    try:
        await request.read()  # too large: 413 here, counted below
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = rid
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        # The handler names the surface from the body it parses (parsed once per request).
        surface = request.get(SURFACE_KEY, "unknown")
        services.metrics.request(surface, outcome_of(status), time.perf_counter() - started)
        stop_ack_clock(clock)
        request_id.reset(token)


def build_web_app(
    app: AsyncApp, services: Services, *, slack_events: bool = True
) -> web.Application:
    """The aiohttp application serving Slack and the operational endpoints.

    ``slack_events=False`` (Socket Mode) leaves out Slack's request URL.
    """
    web_app = web.Application(client_max_size=1024 * 1024, middlewares=[observe_slack_requests])
    web_app[APP_KEY] = app
    web_app[SERVICES_KEY] = services
    probes: dict[str, HealthProbe] = {"database": services.db.ping}
    web_app[HEALTH_PROBES_KEY] = probes
    secret = services.settings.secret("slack_signing_secret")
    verifier = SignatureVerifier(secret) if secret else None

    async def slack_events_handler(request: web.Request) -> web.Response:
        body = await request.text()
        if verifier is not None and not verifier.is_valid_request(body, dict(request.headers)):
            with contextlib.suppress(Exception):  # the metrics label only
                request[SURFACE_KEY] = surface_of(parse_body(body, request.content_type))
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            request[SURFACE_KEY] = surface_of(bolt_request.body)
            check_body(bolt_request.body)
        except (ValueError, TypeError, AttributeError) as error:
            reason = str(error) if isinstance(error, MalformedPayload) else "malformed body"
            return web.json_response({"error": reason}, status=400)
        bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        async def check(name: str, probe: HealthProbe) -> tuple[str, str]:
            try:
                await asyncio.wait_for(probe(), HEALTH_TIMEOUT_SECONDS)
            except Exception as error:  # any failure means "not healthy"; say which dependency
                reason = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
                log.warning("health check: %s unavailable: %s", name, reason)
                return name, f"down ({reason})"
            return name, "ok"

        results = dict(await asyncio.gather(*(check(n, p) for n, p in probes.items())))
        healthy = all(v == "ok" for v in results.values())
        return web.json_response(
            {"status": "ok" if healthy else "unavailable", **results},
            status=200 if healthy else 503,
        )

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=services.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    if slack_events:
        web_app.router.add_post(SLACK_EVENTS_PATH, slack_events_handler)
    if app.oauth_flow is not None:
        # Browser pages guarded by the OAuth state, not the signing secret: both modes serve them.
        add_oauth_routes(web_app, app.oauth_flow)
    if services.installations is not None:
        probes["installations"] = services.installations.ping
    web_app.router.add_post(MEASUREMENTS_PATH, measurements_handler(services.baselines))
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    return web_app
