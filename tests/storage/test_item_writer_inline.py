"""The item writer's SQLite batches on the event loop's thread (storage/item_writer.py).

A SQLite file only: PostgreSQL and in-memory databases always go through the engine. Real
database, no timings.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import make_url

from storage import item_writer
from storage.engine import make_engine
from storage.item_writer import ItemWriter, MemberTouch, _InlineSqlite
from storage.uow import Database
from tests.storage.test_item_writer import WS, _rows, _team, _values


@pytest.fixture
def sqlite_file(database_url: str) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("the writer's own connection is for a SQLite file")
    database = make_url(database_url).database
    assert database is not None
    return Path(database)


async def test_plain_items_commit_on_the_writers_connection(db: Database, sqlite_file: Path):
    team = await _team(db)
    before = db.item_writer.inline_commits
    stored = await asyncio.gather(
        *(
            db.item_writer.add(
                _values(team.id, f"item {n}"),
                member=MemberTouch(team.id, "U1", WS, team.created_at),
            )
            for n in range(5)
        )
    )
    assert db.item_writer.inline_commits > before
    # Committed on return: a connection of another kind (the sqlite3 module) sees every row.
    with sqlite3.connect(sqlite_file) as other:
        ids = {row[0] for row in other.execute("SELECT id FROM work_items")}
        members = other.execute("SELECT user_id FROM team_members").fetchall()
    assert ids == {s.row["id"] for s in stored}
    assert members == [("U1",)]


async def test_message_bound_items_go_through_the_engine(db: Database, sqlite_file: Path):
    team = await _team(db)
    before = db.item_writer.inline_commits
    first, again = await asyncio.gather(
        db.item_writer.add(_values(team.id, "disk full", message_ts="1.0001")),
        db.item_writer.add(_values(team.id, "disk full (retry)", message_ts="1.0001")),
    )
    assert db.item_writer.inline_commits == before
    assert first.created and not again.created
    assert [r.text for r in await _rows(db)] == ["disk full"]


async def test_another_process_writing_makes_a_batch_wait_without_blocking_the_loop(
    db: Database, sqlite_file: Path
):
    team = await _team(db)
    other = sqlite3.connect(sqlite_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock
    try:
        before = db.item_writer.inline_commits
        adding = asyncio.create_task(db.item_writer.add(_values(team.id, "while locked")))
        # The loop keeps running: the writer did not wait for the lock on the loop's thread.
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 20
        assert not adding.done()
    finally:
        other.execute("COMMIT")
        other.close()
    stored = await asyncio.wait_for(adding, 10)
    assert stored.created
    assert db.item_writer.inline_commits == before  # it went the aiosqlite way
    assert [r.text for r in await _rows(db)] == ["while locked"]
    # The next batch is inline again.
    await db.item_writer.add(_values(team.id, "after"))
    assert db.item_writer.inline_commits == before + 1


async def test_the_wal_is_checkpointed_off_the_loop(
    db: Database, sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
):
    team = await _team(db)
    monkeypatch.setattr(item_writer, "CHECKPOINT_EVERY", 2)
    inline = db.item_writer._inline
    assert inline is not None
    on_loop: list[bool] = []
    real = inline.checkpoint

    def checkpoint() -> None:
        on_loop.append(not _off_loop())
        real()

    inline.checkpoint = checkpoint  # type: ignore[method-assign]
    for n in range(8):
        await db.item_writer.add(_values(team.id, f"item {n}"))
        await asyncio.sleep(0.01)  # let a running checkpoint finish (one at a time)
    await db.item_writer.close()
    assert len(on_loop) >= 2
    assert not any(on_loop)


def _off_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


async def test_close_lets_go_and_a_later_add_opens_again(db: Database, sqlite_file: Path):
    team = await _team(db)
    await db.item_writer.add(_values(team.id, "one"))
    await db.item_writer.close()
    await db.item_writer.add(_values(team.id, "two"))
    assert sorted(r.text for r in await _rows(db)) == ["one", "two"]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite://",
        "sqlite+aiosqlite:///:memory:",
        "sqlite+aiosqlite:///file:infrawork-uri-test.db?uri=true",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
    ],
)
async def test_only_a_sqlite_file_gets_the_writers_own_connection(url: str, tmp_path: Path):
    engine = make_engine(url)
    try:
        assert _InlineSqlite.for_engine(engine) is None
        assert ItemWriter(engine)._inline is None
    finally:
        await engine.dispose()
    file_engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        assert _InlineSqlite.for_engine(file_engine) is not None
    finally:
        await file_engine.dispose()
