"""Socket Mode: the same Bolt app, fed over Slack's WebSocket instead of a public request URL.

Bolt's ``AsyncSocketModeHandler`` (on slack_sdk's aiohttp client) receives envelopes and acks
them with the listener's response; this wrapper adds what HTTP mode gets from its middleware (a
request id for the logs, request and ack-latency metrics), reports the connection's state to
/healthz and /metrics, and lets shutdown wait for envelopes already being handled.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import (
    run_async_bolt_app,
    send_async_response,
)
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import request_id
from bot.metrics import Metrics, outcome_of, surface_of

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_SECONDS = 10.0
"""How long shutdown waits for envelopes already received before closing the socket."""


class SocketNotConnected(ConnectionError):
    pass


class SocketModeRefused(RuntimeError):
    """Slack refused to open a Socket Mode connection (a wrong or revoked app-level token)."""


class _ObservedHandler(AsyncSocketModeHandler):
    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        web_client: AsyncWebClient,
        metrics: Metrics,
        ping_interval: float,
    ) -> None:
        super().__init__(
            app,
            app_token=app_token,
            web_client=web_client,
            logger=logging.getLogger("bot.socket_mode"),
            ping_interval=ping_interval,
        )
        self.metrics = metrics
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        self.in_flight += 1
        self.idle.clear()
        token = request_id.set(str(req.envelope_id)[:36])
        status = 500
        surface = surface_of(req.payload if isinstance(req.payload, dict) else {})
        try:
            bolt_response = await run_async_bolt_app(self.app, req)
            status = bolt_response.status
            await send_async_response(client, req, bolt_response, started)
        finally:
            self.metrics.request(surface, outcome_of(status), time.perf_counter() - started)
            request_id.reset(token)
            self.in_flight -= 1
            if self.in_flight == 0:
                self.idle.set()


class SocketModeConnection:
    """A Socket Mode connection for a Bolt app (``apps.connections.open`` goes to SLACK_API_URL)."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        *,
        client: AsyncWebClient,
        metrics: Metrics,
        ping_interval: float = 10.0,
    ) -> None:
        self._handler = _ObservedHandler(app, app_token, client, metrics, ping_interval)
        self._metrics = metrics

    @property
    def client(self) -> SocketModeClient:
        return self._handler.client

    async def is_connected(self) -> bool:
        connected = await self._handler.client.is_connected()
        self._metrics.socket_connected.set(1 if connected else 0)
        return connected

    async def start(self) -> None:
        """Open the WebSocket (slack_sdk reconnects on its own from then on).

        A token Slack refuses fails here at once (SocketModeRefused) instead of being retried
        forever; an unreachable Slack is retried by slack_sdk as usual.
        """
        client = self._handler.client
        try:
            client.wss_uri = await client.issue_new_wss_url()
        except SlackApiError as error:
            reason = error.response.get("error") if error.response is not None else None
            raise SocketModeRefused(
                f"Slack refused SLACK_APP_TOKEN ({reason or 'unknown error'}): it must be an "
                "app-level token (xapp-…) with the connections:write scope, and Socket Mode must "
                "be enabled for the app (manifest.socket.yml does that)"
            ) from None
        except Exception:  # Slack unreachable: connect_async() keeps retrying
            log.warning("could not reach Slack to open Socket Mode; retrying", exc_info=True)
        await self._handler.connect_async()  # type: ignore[no-untyped-call]
        self._metrics.socket_connected.set(1)
        log.info("Socket Mode connected")

    async def probe(self) -> None:
        """For /healthz: raise unless the WebSocket is up."""
        if not await self.is_connected():
            raise SocketNotConnected("Socket Mode WebSocket is not connected")

    async def stop(self) -> None:
        """Stop taking envelopes, let those in flight finish (bounded), then close the socket."""
        client = self._handler.client
        client.auto_reconnect_enabled = False
        # Stop reading (and reconnecting) but keep the socket open so in-flight acks still go out;
        # Slack redelivers anything we never acked to another connection.
        for task in (client.current_session_monitor, client.message_receiver):
            if task is not None:
                task.cancel()
        try:
            await asyncio.wait_for(self._handler.idle.wait(), DRAIN_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning(
                "Socket Mode: %d envelope(s) still in flight at shutdown", self._handler.in_flight
            )
        await self._handler.close_async()  # type: ignore[no-untyped-call]
        self._metrics.socket_connected.set(0)
        log.info("Socket Mode closed")
