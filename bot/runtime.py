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
from bot.socket_mode import SocketModeConnection
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
        socket_mode: bool = False,
    ) -> None:
        self.settings = settings
        self.socket_mode = socket_mode
        self.db = Database(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        self.services = Services(settings=settings, db=self.db, clock=clock or SystemClock())
        self.client = client or make_web_client(settings, metrics=self.services.metrics)
        self.app = create_app(self.services, self.client)
        # In Socket Mode the HTTP port serves only /healthz and /metrics: with no signing secret
        # to check, a public /slack/events would accept forged requests.
        self.web_app = build_web_app(self.app, self.services, slack_events=not socket_mode)
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._background: list[tuple[BackgroundTask, str]] = []
        self._background_started = False
        self.socket: SocketModeConnection | None = None
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

    def add_background(self, task: BackgroundTask, name: str) -> None:
        """Register a task for :meth:`start_background` (before it runs)."""
        self._background.append((task, name))

    def background_tasks(self) -> list[tuple[BackgroundTask, str]]:
        """What runs beside the server in either mode: the digest scheduler (unless disabled)
        and whatever was registered with :meth:`add_background`."""
        tasks = list(self._background)
        if self.settings.scheduler_enabled:
            from bot.scheduler import run_scheduler

            tasks.insert(0, (run_scheduler, "digest-scheduler"))
        return tasks

    def start_background(self) -> None:
        """Spawn the background tasks, once; HTTP and Socket Mode serving both call this."""
        if self._background_started:
            return
        self._background_started = True
        for task, name in self.background_tasks():
            self.spawn(task, name)

    async def confirm_installation(self) -> None:
        """Single-workspace mode: a bot token Slack accepts means its workspace has the app
        (again, after an uninstall and re-install), so work for it resumes."""
        if self.services.installations is not None or not self.settings.slack_bot_token:
            return
        try:
            auth = await self.client.auth_test()
        except Exception as error:  # Slack unreachable or the token refused: serve anyway
            log.warning(
                "auth.test failed at start (%s); check SLACK_BOT_TOKEN", type(error).__name__
            )
            return
        team_id = auth.get("team_id")
        if team_id:
            await self.services.workspaces.installed(auth.get("enterprise_id"), str(team_id))

    async def start_socket(self) -> None:
        """Connect to Slack over Socket Mode (SLACK_APP_TOKEN); /healthz reports the socket."""
        from bot.http import HEALTH_PROBES_KEY

        app_token = self.settings.secret("slack_app_token")
        if not app_token:
            raise RuntimeError("Socket Mode needs SLACK_APP_TOKEN (an xapp- app-level token)")
        self.socket = SocketModeConnection(
            self.app, app_token, client=self.client, metrics=self.services.metrics
        )
        self.web_app[HEALTH_PROBES_KEY]["socket"] = self.socket.probe
        await self.socket.start()

    async def stop(self) -> None:
        """Stop taking requests, let in-flight ones finish, stop background tasks, close all."""
        if self.socket is not None:
            await self.socket.stop()
            self.socket = None
        if self._runner is not None:
            # aiohttp lets handlers already running finish before it closes connections.
            await self._runner.cleanup()
            self._runner = None
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
        await self.services.capture.lookups.wait()  # a team or model read still running
        await self.db.dispose()
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()


async def serve_forever(
    runtime: Runtime,
    *,
    port: int | None = None,
    stop: asyncio.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Run until SIGTERM or SIGINT (or ``stop`` is set), then shut down gracefully.

    HTTP mode serves Slack on /slack/events; Socket Mode (``runtime.socket_mode``) connects the
    WebSocket and serves only /healthz and /metrics over HTTP. Both start the background tasks.
    ``ready`` is called once everything has started (`infrawork serve`: bot/gc_policy.py).
    """
    import signal

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await runtime.prepare()
    try:
        await runtime.confirm_installation()
        await runtime.start_http(port=port)
        runtime.start_background()
        if runtime.socket_mode:
            await runtime.start_socket()
        if ready is not None:
            ready()
        await stop.wait()
    finally:
        log.info("shutting down")
        await runtime.stop()
