"""`infrawork serve`'s garbage-collector settings (bot/gc_policy.py) and the hook that applies
the second freeze once the server is up."""

from __future__ import annotations

import asyncio
import gc

import aiohttp

from bot.gc_policy import YOUNG_THRESHOLD, freeze_what_lives, tune_collector
from bot.runtime import Runtime, serve_forever
from tests.conftest import make_settings


def test_only_the_young_generations_threshold_is_raised():
    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def test_what_lives_is_frozen_out_of_later_passes():
    frozen = gc.get_freeze_count()
    try:
        kept = [[n] for n in range(1000)]  # containers the collector tracks
        freeze_what_lives()
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()  # hand the test process's objects back to the collector


async def test_ready_is_called_once_the_server_answers(database_url, slack, clock):
    runtime = Runtime(make_settings(database_url, slack, host="127.0.0.1"), clock=clock)
    ready = asyncio.Event()
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_forever(runtime, port=0, stop=stop, ready=ready.set))
    try:
        await asyncio.wait_for(ready.wait(), 15)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{runtime.port}/healthz") as response,
        ):
            assert response.status == 200
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)
