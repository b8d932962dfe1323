"""Socket Mode end to end: the real slack_sdk WebSocket client against a fake Socket Mode server.

The fake Web API hands out the fake server's ws:// URL from ``apps.connections.open``; envelopes
go through Bolt's AsyncSocketModeHandler to the same listeners as HTTP mode.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from bot.runtime import Runtime, serve_forever
from storage.tables import WorkItem
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack
from tests.support.fake_socket_mode import FakeSocketMode
from tests.support.signing import slash_command_body

APP_TOKEN = "xapp-1-A0001-0000-test"  # a fake app-level token for the fake Slack
OPENSSL = "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday"
ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 120.0
"""An upper bound, not a wait: a child that dies fails the test at once; one that starts is
used as soon as it connects. Interpreter start, imports and migrations took ~13 s with the
2 shared cores busy, so a tight bound (it was 30 s) fails on a loaded machine, not on a bug."""
OWN_SETTINGS = ("SLACK_", "DATABASE_URL", "DB_", "TOKEN_ENCRYPTION_KEY", "LOG_", "SCHEDULER_")
"""Prefixes of bot.settings.Settings' variables (plus HOST and PORT, matched whole)."""


def child_env(**settings: str) -> dict[str, str]:
    """The child's environment: this process's, minus every infrawork setting, plus ``settings``.

    An inherited LOG_LEVEL=warning (or SLACK_CLIENT_ID, …) would change what the child does and
    logs; so would a developer's .env, which is why the child runs in a scratch directory.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(OWN_SETTINGS) and k.upper() not in ("HOST", "PORT")
    }
    return {**env, "PYTHONPATH": str(ROOT), **settings}


def serve_env(database_url: str, slack: FakeSlack, app_token: str, **more: str) -> dict[str, str]:
    """:func:`child_env` for ``infrawork serve --socket`` against the fake Web API, on a free port
    and without the scheduler, plus ``more``."""
    return child_env(
        SLACK_APP_TOKEN=app_token,
        SLACK_BOT_TOKEN="xoxb-test-0000",
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
        SCHEDULER_ENABLED="false",
        HOST="127.0.0.1",
        PORT="0",
        **more,
    )


async def spawn_serve_socket(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """``infrawork serve --socket`` as a child process in ``cwd`` (a scratch directory: no stray
    .env), its log on a stderr pipe."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        "--socket",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def started_or_exited(
    server: FakeSocketMode, process: asyncio.subprocess.Process, log: asyncio.Task[bytes]
) -> None:
    """Wait until the child has connected to the fake Socket Mode server; fail at once (with its
    log) if it exits first."""
    connected = asyncio.ensure_future(server.wait_connected(timeout=STARTUP_TIMEOUT))
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({connected, exited}, return_when=asyncio.FIRST_COMPLETED)
    if connected.done():
        exited.cancel()
        connected.result()  # a TimeoutError if it neither connected nor exited in time
        return
    connected.cancel()
    pytest.fail(f"serve --socket exited ({process.returncode}) before connecting:\n{await log}")


def command_payload(text: str, **kwargs: str) -> dict[str, str]:
    return dict(parse_qsl(slash_command_body(text, **kwargs)))


@pytest.fixture
async def socket_server(slack):
    async with FakeSocketMode() as server:
        slack.script("apps.connections.open", body=server.connections_open_answer(), times=20)
        yield server


@pytest.fixture
async def socket_runtime(database_url, slack, clock, socket_server):
    """infrawork serving over Socket Mode via serve_forever (what `serve --socket` runs)."""
    settings = make_settings(
        database_url,
        slack,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=None,
        host="127.0.0.1",
    )
    runtime = Runtime(settings, clock=clock, socket_mode=True)
    ran = asyncio.Event()

    async def probe(rt: Runtime) -> None:
        ran.set()
        await asyncio.Event().wait()

    runtime.add_background(probe, "probe")
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_forever(runtime, port=0, stop=stop))
    await socket_server.wait_connected()
    runtime.background_ran = ran  # type: ignore[attr-defined]
    yield runtime
    stop.set()
    await asyncio.wait_for(serving, 15)


async def test_a_slash_command_over_the_socket_is_acked_and_stored(
    socket_runtime, socket_server, slack, http
):
    envelope_id = await socket_server.send(
        "slash_commands", command_payload(f"add {OPENSSL}", response_url=slack.response_url())
    )
    ack = await socket_server.ack(envelope_id)

    assert ack["envelope_id"] == envelope_id
    assert ack["payload"]["response_type"] == "ephemeral"
    rendered = json.dumps(ack["payload"]["blocks"], ensure_ascii=False)
    assert "Forced · short-term" in rendered
    async with socket_runtime.db.read() as uow:
        items = (await uow.session.scalars(select(WorkItem))).all()
    assert [(i.text, i.source, i.workspace) for i in items] == [(OPENSSL, "slash_command", "T0001")]
    # The connection was opened with the app-level token, through SLACK_API_URL.
    assert slack.calls_to("apps.connections.open")[0].token == APP_TOKEN


async def test_socket_mode_runs_background_tasks_and_reports_health(
    socket_runtime, socket_server, http
):
    await asyncio.wait_for(socket_runtime.background_ran.wait(), 5)

    async with http.get(socket_runtime.url + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok", "socket": "ok"}
    # No public request URL in Socket Mode: nothing there to forge requests against.
    async with http.post(socket_runtime.url + "/slack/events", data=b"{}") as response:
        assert response.status in (404, 405)

    envelope_id = await socket_server.send("slash_commands", command_payload("help"))
    await socket_server.ack(envelope_id)
    async with http.get(socket_runtime.url + "/metrics") as response:
        text = await response.text()
    assert 'infrawork_requests_total{outcome="ok",surface="command"} 1.0' in text
    assert "infrawork_socket_mode_connected 1.0" in text


async def test_health_says_the_socket_is_down(socket_runtime, socket_server, http):
    # Slack drops the connection and the next ones fail: /healthz answers 503 and says why.
    socket_runtime.socket.client.auto_reconnect_enabled = False
    for ws in list(socket_server.connections):
        await ws.close()
    await socket_server.wait_disconnected()
    async with http.get(socket_runtime.url + "/healthz") as response:
        body = await response.json()
    assert response.status == 503
    assert body["database"] == "ok"
    assert body["socket"].startswith("down")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
async def test_serve_socket_cli_shuts_down_gracefully_on_sigterm(
    database_url, slack, socket_server, tmp_path
):
    env = serve_env(database_url, slack, APP_TOKEN, LOG_FORMAT="json", LOG_LEVEL="INFO")
    process = await spawn_serve_socket(env, tmp_path)
    assert process.stderr is not None
    reading = asyncio.create_task(process.stderr.read())  # never let a full pipe block it
    try:
        await started_or_exited(socket_server, process, reading)
        envelope_id = await socket_server.send("slash_commands", command_payload(f"add {OPENSSL}"))
        ack = await socket_server.ack(envelope_id, timeout=30)
        assert ack["payload"]["response_type"] == "ephemeral"
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        stderr = await reading
    log = stderr.decode()
    assert process.returncode == 0, log
    await socket_server.wait_disconnected()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    messages = [line["message"] for line in lines]
    assert "shutting down" in messages and "Socket Mode closed" in messages, log
    assert "xapp-1" not in stderr.decode() and "xoxb-test" not in stderr.decode()


async def test_a_reinstalled_single_workspace_app_resumes_work(
    database_url, slack, clock, socket_server
):
    # An earlier app_uninstalled stopped work; the app was re-installed with a new bot token.
    settings = make_settings(
        database_url, slack, slack_app_token=APP_TOKEN, slack_signing_secret=None, host="127.0.0.1"
    )
    runtime = Runtime(settings, clock=clock, socket_mode=True)
    await runtime.services.workspaces.uninstalled(None, "T0001")
    assert not await runtime.services.workspaces.is_active("T0001")

    stop = asyncio.Event()
    serving = asyncio.create_task(serve_forever(runtime, port=0, stop=stop))
    try:
        await socket_server.wait_connected()
        assert await runtime.services.workspaces.is_active("T0001")
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)


async def test_serve_socket_with_a_refused_app_token_exits_with_the_reason(
    database_url, slack, tmp_path
):
    slack.script("apps.connections.open", body={"ok": False, "error": "invalid_auth"}, times=5)
    env = serve_env(database_url, slack, "xapp-1-revoked")
    process = await spawn_serve_socket(env, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_TIMEOUT)
    assert process.returncode == 2
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert len(slack.calls_to("apps.connections.open")) == 1
