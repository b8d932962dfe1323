"""Starting and stopping the whole process: database, Bolt app, HTTP server, background tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import create_app
from bot.clock import Clock, SystemClock
from bot.http import build_web_app
from bot.services.container import Services
from bot.settings import Settings
from bot.slack_client import make_web_client
from storage.uow import Database

log = logging.getLogger(__name__)

BackgroundTask = Callable[["Runtime"], Coroutine[Any, Any, None]]


class Runtime:
    """One running infrawork process (or one replica of it)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        client: AsyncWebClient | None = None,
    ) -> None:
        self.settings = settings
        self.db = Database(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        self.services = Services(settings=settings, db=self.db, clock=clock or SystemClock())
        self.client = client or make_web_client(settings)
        self.app = create_app(self.services, self.client)
        self.web_app = build_web_app(self.app, self.services)
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def prepare(self) -> None:
        """Bring the schema up to date (safe when replicas start together)."""
        await self.db.upgrade()

    async def start_http(self, host: str | None = None, port: int | None = None) -> None:
        """Serve HTTP on ``port`` (0 picks a free one; see ``self.port``)."""
        self._runner = web.AppRunner(self.web_app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            host if host is not None else self.settings.host,
            port if port is not None else self.settings.port,
        )
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("infrawork listening on port %s", self.port)

    def spawn(self, task: BackgroundTask, name: str) -> None:
        """Run ``task(self)`` beside the server until stop()."""
        self._tasks.append(asyncio.create_task(task(self), name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("background task %s failed while stopping", task.get_name())
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.db.dispose()
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()


async def serve_forever(runtime: Runtime, *, port: int | None = None) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await runtime.prepare()
    await runtime.start_http(port=port)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runtime.stop()
