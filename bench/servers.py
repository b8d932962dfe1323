"""Processes the benchmarks start beside `infrawork serve`: the fake Web API and a bare Bolt app.

    python bench/servers.py fake-slack --port N [--messages C0001=100] [--per-channel-interval 1]
                                           [--inject-429-every N]
    python bench/servers.py bare-bolt --port N --api-url URL [--process-before-response]
    python bench/servers.py infrawork --port N [--process-before-response]   (env as for serve)

Both serve on 127.0.0.1 until SIGTERM. The fake Slack also answers ``GET /bench/calls`` on the
same port with the number of calls per Web API method, so a benchmark can check what was called.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bench.common import BOT_TOKEN, SIGNING_SECRET  # noqa: E402
from bot.gc_policy import freeze_what_lives, tune_collector  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402


def message_ts(n: int) -> str:
    """The ts of the n-th message the fake is seeded with (``--messages``)."""
    return f"{1_800_000_000 + n}.000100"


async def _until_terminated() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


class InjectingFakeSlack(FakeSlack):
    """The fake, answering every n-th chat.postMessage with 429 Retry-After: 1."""

    inject_every: int | None = None
    _posts = 0

    async def _api(self, request: web.Request) -> web.Response:
        if self.inject_every and request.match_info["method"] == "chat.postMessage":
            self._posts += 1
            if self._posts % self.inject_every == 0:
                self.rate_limit("chat.postMessage", retry_after=1)
        return await super()._api(request)


async def fake_slack(args: argparse.Namespace) -> None:
    async with InjectingFakeSlack() as slack:
        slack.inject_every = args.inject_429_every
        slack.per_channel_interval = args.per_channel_interval
        for spec in args.messages or []:
            channel, _, count = spec.partition("=")
            for n in range(int(count)):
                slack.add_message(
                    channel,
                    f"Disk full on db-{n:03d}: writes failing, paging",
                    ts=message_ts(n),
                )

        async def calls(_: web.Request) -> web.Response:
            return web.json_response(dict(Counter(c.method for c in slack.calls)))

        # A second listener on the requested port, for the benchmark: the fake's own port is
        # OS-assigned, so it is reported through /bench/calls too.
        app = web.Application()
        app.router.add_get("/bench/calls", calls)

        async def api_url(_: web.Request) -> web.Response:
            return web.json_response({"api_url": slack.api_url})

        app.router.add_get("/bench/api-url", api_url)

        async def messages(_: web.Request) -> web.Response:
            """Per channel: top-level messages and thread replies the fake has accepted."""
            out = {
                channel: {
                    "top": sum(1 for m in msgs if not m.get("thread_ts")),
                    "thread": sum(1 for m in msgs if m.get("thread_ts")),
                }
                for channel, msgs in slack.messages.items()
            }
            return web.json_response(out)

        app.router.add_get("/bench/messages", messages)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port).start()
        try:
            await _until_terminated()
        finally:
            await runner.cleanup()


async def bare_bolt(args: argparse.Namespace) -> None:
    """A Bolt app that only acks `/infrawork`: Bolt's own aiohttp adapter, signature checked."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=args.api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=args.process_before_response,
    )

    @app.command("/infrawork")
    async def on_command(ack: object) -> None:
        await ack()  # type: ignore[operator]

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    freeze_what_lives()  # the same collector settings as `infrawork serve` (see main)
    try:
        await _until_terminated()
    finally:
        await runner.cleanup()


async def infrawork(args: argparse.Namespace) -> None:
    """`infrawork serve` as the CLI runs it, optionally with Bolt's process_before_response
    flipped (an experiment: the product's setting lives in bot/app.py)."""
    from bot.runtime import Runtime, serve_forever
    from bot.settings import Settings

    runtime = Runtime(Settings())
    if args.process_before_response:
        runtime.app._async_listener_runner.process_before_response = True
        runtime.app._process_before_response = True
    await serve_forever(runtime, port=args.port, ready=freeze_what_lives)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    fake = sub.add_parser("fake-slack")
    fake.add_argument("--port", type=int, required=True)
    fake.add_argument("--messages", action="append", metavar="CHANNEL=N")
    fake.add_argument("--per-channel-interval", type=float, default=None)
    fake.add_argument("--inject-429-every", type=int, default=None, metavar="N")
    bolt = sub.add_parser("bare-bolt")
    bolt.add_argument("--port", type=int, required=True)
    bolt.add_argument("--api-url", required=True)
    bolt.add_argument("--process-before-response", action="store_true")
    iw = sub.add_parser("infrawork")
    iw.add_argument("--port", type=int, required=True)
    iw.add_argument("--process-before-response", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.what in ("bare-bolt", "infrawork"):
        # Both apps under test get what `infrawork serve` does to the garbage collector
        # (bot/gc_policy.py): a freeze after imports and once serving, and the raised young
        # threshold, so the comparison is between the apps, not their collector settings.
        freeze_what_lives()
        tune_collector()
    run = {"fake-slack": fake_slack, "bare-bolt": bare_bolt, "infrawork": infrawork}[args.what]
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
