"""Shared fixtures: a migrated database per test, the fake Slack Web API, a running infrawork."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.runtime import Runtime
from bot.settings import Settings
from storage.uow import Database
from tests.support.databases import TestDatabases
from tests.support.fake_slack import FakeSlack
from tests.support.signing import SIGNING_SECRET

BOT_TOKEN = "xoxb-test-0000"  # a fake token for the fake Slack


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.moment = now or datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    dbs = TestDatabases(tmp_path_factory.mktemp("db"))
    asyncio.run(dbs.setup())
    yield dbs
    asyncio.run(dbs.teardown())


@pytest.fixture
async def database_url(databases: TestDatabases, tmp_path: Path) -> str:
    return await databases.fresh(tmp_path)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def make_settings(database_url: str, slack: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "database_url": database_url,
        "scheduler_enabled": False,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def running(database_url: str, slack: FakeSlack, clock: FakeClock) -> AsyncIterator[Runtime]:
    """infrawork serving HTTP on a free port, talking to the fake Slack."""
    runtime = Runtime(make_settings(database_url, slack), clock=clock)
    await runtime.prepare()
    await runtime.start_http(host="127.0.0.1", port=0)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
