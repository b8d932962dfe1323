"""The Alembic migrations produce exactly the schema the tables declare, on either backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.tables import Base


async def test_migrations_match_the_declared_tables(db):
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_upgrade_is_idempotent(db):
    await db.upgrade()
    await db.upgrade()
    await db.ping()
