"""Several replicas on one PostgreSQL: migrations run once when they start together, pool
settings reach the engine, and the same Slack message captured by two replicas is stored once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from bot.services.container import Services
from bot.services.context import Actor
from bot.settings import Settings
from core.model import Source
from storage.engine import make_engine
from storage.tables import Base, WorkItem
from storage.uow import Database
from tests.support.databases import (
    backend_url,
    create_postgres_database,
    drop_postgres_database,
    is_postgres,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not is_postgres(),
    reason="replicas share PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://…",
)


@pytest.fixture
async def empty_postgres() -> AsyncIterator[str]:
    """A brand-new database with no schema at all."""
    server = backend_url()
    assert server is not None
    url = await create_postgres_database(server, "infrawork_replicas")
    try:
        yield url
    finally:
        await drop_postgres_database(server, url)


async def upgrade_in_a_process(url: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "db",
        "upgrade",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, err.decode()


async def test_three_replicas_migrating_at_once_all_succeed(empty_postgres):
    results = await asyncio.gather(*(upgrade_in_a_process(empty_postgres) for _ in range(3)))

    assert [status for status, _ in results] == [0, 0, 0], [err for _, err in results]
    engine = make_engine(empty_postgres)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert len(versions) == 1
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


async def test_pool_settings_reach_the_engine(database_url):
    db = Database(database_url, pool_size=7, max_overflow=3)
    try:
        assert db.engine.pool.size() == 7  # type: ignore[attr-defined]
        assert db.engine.pool._max_overflow == 3  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_two_replicas_capturing_one_message_store_one_item(database_url, clock):
    replicas = [Database(database_url) for _ in range(2)]
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    services = [Services(settings=settings, db=db, clock=clock) for db in replicas]
    actor = Actor("T0001", "U0001", channel_id="C0PLATFORM", channel_name="platform")
    try:
        results = await asyncio.gather(
            *(
                s.capture.add(
                    actor,
                    "disk full on db-7",
                    source=Source.REACTION,
                    message_ts="1700000000.000100",
                    incident_reaction=True,
                )
                for s in services * 3
            )
        )
        async with replicas[0].read() as uow:
            count = await uow.session.scalar(select(func.count()).select_from(WorkItem))
    finally:
        for db in replicas:
            await db.dispose()
    assert count == 1
    assert sum(r.created for r in results) == 1
    assert len({r.item.id for r in results}) == 1
