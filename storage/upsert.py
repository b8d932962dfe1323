"""INSERT … ON CONFLICT DO NOTHING for both backends: the race-free way to create once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> int | None:
    """Insert a row unless one with the same ``conflict_columns`` exists.

    Returns the new row's primary key, or None when the row already existed. Concurrent callers
    (two replicas, two Slack retries) cannot both insert: the database's unique constraint decides.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*table.primary_key.columns)
    )
    result = await session.execute(stmt)
    row = result.first()
    return None if row is None else row[0]


async def upsert(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert a row, or update ``update_columns`` of the one with the same ``conflict_columns``.

    One statement (INSERT … ON CONFLICT DO UPDATE) on both backends.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={column: stmt.excluded[column] for column in update_columns},
    )
    await session.execute(stmt)
