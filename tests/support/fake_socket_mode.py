"""A fake of Slack's Socket Mode WebSocket server on a loopback port.

The app under test gets its ws:// URL from the fake Web API's ``apps.connections.open`` (scripted
by the test), connects with slack_sdk's real aiohttp Socket Mode client, receives ``hello`` and
then whatever envelopes the test sends, in the format Slack documents
(https://api.slack.com/apis/socket-mode): ``{"envelope_id", "type", "payload",
"accepts_response_payload"}``; its acks ``{"envelope_id", "payload"?}`` are recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web


class FakeSocketMode:
    """``async with FakeSocketMode() as sm:`` then script ``apps.connections.open`` → ``sm.url``."""

    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections: list[web.WebSocketResponse] = []
        self.connects = 0
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> FakeSocketMode:
        app = web.Application()
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self.connections):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link?ticket=test"

    def connections_open_answer(self) -> dict[str, Any]:
        """The body ``apps.connections.open`` answers with."""
        return {"ok": True, "url": self.url}

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections.append(ws)
        self.connects += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0001"},
            }
        )
        await self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    data = json.loads(message.data)
                    if "envelope_id" in data:
                        self.acks[data["envelope_id"]] = data
                        await self._notify()
        finally:
            self.connections.remove(ws)
            await self._notify()
        return ws

    async def _wait(self, predicate: Any, timeout: float) -> None:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(enough(), timeout)

    async def wait_connected(self, timeout: float = 10.0) -> None:
        await self._wait(lambda: bool(self.connections), timeout)

    async def wait_disconnected(self, timeout: float = 10.0) -> None:
        await self._wait(lambda: not self.connections, timeout)

    async def send(
        self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = True
    ) -> str:
        """Deliver one envelope on the live connection; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids):04d}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = 0
            envelope["retry_reason"] = ""
        await self.connections[-1].send_json(envelope)
        return envelope_id

    async def ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The app's acknowledgement of ``envelope_id`` (waits for it)."""
        await self._wait(lambda: envelope_id in self.acks, timeout)
        return self.acks[envelope_id]
