"""Test databases: SQLite by default, PostgreSQL when TEST_DATABASE_URL names one.

SQLite: the schema is migrated once into a template file and copied for each test.
PostgreSQL: a database of its own per test session, migrated once, emptied between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.engine import make_engine
from storage.migrate import upgrade
from storage.tables import Base


def backend_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def is_postgres() -> bool:
    url = backend_url()
    return bool(url and url.startswith("postgresql"))


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def create_postgres_database(server_url: str, prefix: str) -> str:
    """A new, empty database on ``server_url``'s server; returns its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(server_url)
    try:
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(server_url: str, url: str) -> None:
    """Drop the database ``url`` names (connections to it are ended)."""
    admin = make_engine(server_url)
    try:
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            name = make_url(url).database
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


class TestDatabases:
    """Hands out an empty, migrated database URL per test."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pg_url: str | None = None
        self._template: Path | None = None

    async def setup(self) -> None:
        server = backend_url()
        if server and server.startswith("postgresql"):
            self.pg_url = await create_postgres_database(server, "infrawork_test")
            await _migrate(self.pg_url)
        else:
            self._template = self.workdir / "template.db"
            await _migrate(f"sqlite+aiosqlite:///{self._template}")

    async def fresh(self, directory: Path) -> str:
        if self.pg_url is not None:
            engine = make_engine(self.pg_url)
            try:
                async with engine.begin() as conn:
                    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                    await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            finally:
                await engine.dispose()
            return self.pg_url
        assert self._template is not None
        target = directory / "infrawork.db"
        shutil.copyfile(self._template, target)
        return f"sqlite+aiosqlite:///{target}"

    async def teardown(self) -> None:
        if self.pg_url is None:
            return
        server = backend_url()
        assert server is not None
        await drop_postgres_database(server, self.pg_url)
