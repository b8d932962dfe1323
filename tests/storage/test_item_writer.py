"""Group commit of captured items: what each caller is promised holds for every item of a batch.

Real database (SQLite, or PostgreSQL with TEST_DATABASE_URL); no timings.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from storage.item_writer import DeadlinePassed, ItemWriter, MemberTouch
from storage.tables import Team, TeamMember, WorkItem
from storage.uow import Database

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
WS = "T1"


async def _team(db: Database, channel: str = "C1") -> Team:
    async with db.uow() as uow:
        team = await uow.teams.create_once(
            {
                "workspace": WS,
                "name": f"#{channel}",
                "home_channel": channel,
                "incident_channels": [],
                "incident_emojis": [],
                "ack_mode": "reaction",
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        await uow.commit()
    return team


def _values(team_id: int, text: str, message_ts: str | None = None, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "workspace": WS,
        "team_id": team_id,
        "text": text,
        "quadrant": "forced_short",
        "confidence": 0.9,
        "principles": ["resilience"],
        "rationale": "why",
        "signals": ["a signal"],
        "source": "reaction" if message_ts else "slash_command",
        "channel": "C1",
        "message_ts": message_ts,
        "permalink": None,
        "created_by": "U1",
        "created_at": NOW,
        "updated_at": NOW,
        "status": "open",
        "classified_by": "rules",
    }
    values.update(over)
    return values


async def _rows(db: Database) -> list[WorkItem]:
    async with db.read() as uow:
        return list(await uow.items.all_in_workspace(WS))


class Commits:
    """Counts the transactions committed on ``db``'s engine and by ``writer`` (default: the
    database's) on its own SQLite connection."""

    def __init__(self, db: Database, writer: ItemWriter | None = None) -> None:
        self._writer = writer or db.item_writer
        self._inline_before = self._writer.inline_commits
        self._engine_count = 0
        event.listen(db.engine.sync_engine, "commit", self._on_commit)

    def _on_commit(self, _conn: Any) -> None:
        self._engine_count += 1

    @property
    def count(self) -> int:
        return self._engine_count + self._writer.inline_commits - self._inline_before


async def test_concurrent_adds_share_a_transaction_and_are_committed_on_return(db: Database):
    team = await _team(db)
    commits = Commits(db)

    async def add_and_look(n: int) -> bool:
        stored = await db.item_writer.add(_values(team.id, f"item {n}"))
        # Returned means committed: another connection sees it at once.
        async with db.read() as uow:
            return await uow.items.get(WS, stored.row["id"]) is not None

    seen = await asyncio.gather(*(add_and_look(n) for n in range(20)))

    assert all(seen)
    assert sorted(r.text for r in await _rows(db)) == sorted(f"item {n}" for n in range(20))
    assert 1 <= commits.count < 20  # shared transactions, not one each


async def test_each_caller_gets_its_own_row(db: Database):
    team = await _team(db)
    results = await asyncio.gather(
        *(db.item_writer.add(_values(team.id, f"item {n}")) for n in range(10))
    )
    assert [r.row["text"] for r in results] == [f"item {n}" for n in range(10)]
    assert all(r.created for r in results)
    assert len({r.row["id"] for r in results}) == 10
    stored = {row.id: row.text for row in await _rows(db)}
    assert {r.row["id"]: r.row["text"] for r in results} == stored
    first = results[0].row
    assert first["principles"] == ["resilience"] and first["created_at"] == NOW


async def test_the_writer_stores_each_column_as_sqlalchemy_does(db: Database):
    """On SQLite the writer hands its rows to the driver itself: every stored value (timestamps,
    JSON lists, floats, NULLs) must be what SQLAlchemy's own insert stores."""
    team = await _team(db)
    later = NOW + timedelta(microseconds=123456)
    values = _values(team.id, "Patch é 🚀", principles=["a", "b"], created_at=later)
    stored = await db.item_writer.add(dict(values), member=MemberTouch(team.id, "U7", WS, later))
    async with db.uow() as uow:
        orm = await uow.items.add(dict(values))
        uow.session.add(TeamMember(team_id=team.id, user_id="U8", workspace=WS, last_seen_at=later))
        await uow.commit()
    async with db.engine.connect() as conn:
        raw = {
            row[0]: row[1:] for row in (await conn.execute(text("SELECT * FROM work_items"))).all()
        }
        members = {
            row[1]: (row[0], row[2], row[3])
            for row in (await conn.execute(text("SELECT * FROM team_members"))).all()
        }
    assert raw[stored.row["id"]] == raw[orm.id]
    assert members["U7"] == members["U8"]
    async with db.read() as uow:
        item = await uow.items.get(WS, stored.row["id"])
    assert item is not None
    assert (item.text, item.principles, item.created_at, item.done_at) == (
        "Patch é 🚀",
        ["a", "b"],
        later,
        None,
    )


async def test_the_id_of_a_deleted_item_is_never_handed_out_again(db: Database):
    """Buttons on older messages carry item ids: after an undo they must not reach a new item."""
    team = await _team(db)
    first = await db.item_writer.add(_values(team.id, "kept"))
    newest = await db.item_writer.add(_values(team.id, "undone"))
    async with db.uow() as uow:
        item = await uow.items.get(WS, newest.row["id"])
        assert item is not None
        await uow.items.delete(item)
        await uow.commit()
    batched = await asyncio.gather(
        *(db.item_writer.add(_values(team.id, f"later {n}")) for n in range(3))
    )
    async with db.uow() as uow:  # the unit of work's own insert, outside the writer
        single = await uow.items.add(_values(team.id, "single"))
        await uow.commit()
    later = [r.row["id"] for r in batched] + [single.id]
    assert min(later) > newest.row["id"] > first.row["id"]
    assert len(set(later)) == 4


async def test_one_message_in_one_batch_is_stored_once(db: Database):
    team = await _team(db)
    results = await asyncio.gather(
        *(db.item_writer.add(_values(team.id, "disk full", message_ts="1.0001")) for _ in range(5)),
        *(db.item_writer.add(_values(team.id, f"other {n}")) for n in range(3)),
    )
    same = results[:5]
    assert sum(r.created for r in same) == 1
    assert len({r.row["id"] for r in same}) == 1
    assert all(r.created for r in results[5:])
    assert len([r for r in await _rows(db) if r.message_ts == "1.0001"]) == 1


async def test_a_message_already_stored_returns_the_existing_item(db: Database):
    team = await _team(db)
    first = await db.item_writer.add(_values(team.id, "disk full", message_ts="1.0001"))
    again = await asyncio.gather(
        db.item_writer.add(_values(team.id, "disk full (retry)", message_ts="1.0001")),
        db.item_writer.add(_values(team.id, "another message", message_ts="1.0002")),
    )
    assert first.created
    assert not again[0].created
    assert again[0].row["id"] == first.row["id"]
    assert again[0].row["text"] == "disk full"
    assert again[1].created
    assert len(await _rows(db)) == 2


async def test_two_processes_capturing_one_message_store_it_once(database_url: str):
    replicas = [Database(database_url) for _ in range(2)]
    try:
        team = await _team(replicas[0])
        results = await asyncio.gather(
            *(
                db.item_writer.add(_values(team.id, f"disk full {n}", message_ts="1.0001"))
                for n in range(4)
                for db in replicas
            )
        )
        rows = await _rows(replicas[0])
    finally:
        for db in replicas:
            await db.dispose()
    assert sum(r.created for r in results) == 1
    assert len({r.row["id"] for r in results}) == 1
    assert len(rows) == 1


async def test_two_processes_adding_at_once_each_get_their_own_rows(database_url: str):
    replicas = [Database(database_url) for _ in range(2)]
    try:
        team = await _team(replicas[0])
        results = await asyncio.gather(
            *(
                db.item_writer.add(_values(team.id, f"replica {r} item {n}"))
                for n in range(12)
                for r, db in enumerate(replicas)
            )
        )
        stored = {row.id: row.text for row in await _rows(replicas[0])}
    finally:
        for db in replicas:
            await db.dispose()
    assert len(stored) == 24
    assert {r.row["id"]: r.row["text"] for r in results} == stored


async def test_a_passed_deadline_stores_only_that_item(db: Database):
    team = await _team(db)
    results = await asyncio.gather(
        db.item_writer.add(_values(team.id, "late"), deadline=time.monotonic() - 1),
        db.item_writer.add(_values(team.id, "in time"), deadline=time.monotonic() + 60),
        db.item_writer.add(_values(team.id, "no deadline")),
        return_exceptions=True,
    )
    assert isinstance(results[0], DeadlinePassed)
    assert sorted(r.text for r in await _rows(db)) == ["in time", "no deadline"]


@pytest.mark.parametrize("bad", ["missing team", "no text"])
async def test_a_bad_row_fails_only_its_own_capture(db: Database, bad: str):
    team = await _team(db)
    broken = _values(team.id + 1000, "orphan") if bad == "missing team" else _values(team.id, None)
    results = await asyncio.gather(
        db.item_writer.add(_values(team.id, "good 1")),
        db.item_writer.add(broken),
        db.item_writer.add(_values(team.id, "good 2", message_ts="1.0001")),
        db.item_writer.add(_values(team.id, "good 3")),
        return_exceptions=True,
    )
    assert isinstance(results[1], IntegrityError)
    good = [r for i, r in enumerate(results) if i != 1]
    assert all(not isinstance(r, BaseException) and r.created for r in good)
    assert sorted(r.text for r in await _rows(db)) == ["good 1", "good 2", "good 3"]


async def test_a_member_of_a_missing_team_fails_only_its_own_capture(db: Database):
    team = await _team(db)
    ghost = MemberTouch(team.id + 1000, "U9", WS, NOW)
    results = await asyncio.gather(
        db.item_writer.add(_values(team.id, "good"), member=MemberTouch(team.id, "U1", WS, NOW)),
        db.item_writer.add(_values(team.id, "with a ghost member"), member=ghost),
        return_exceptions=True,
    )
    assert isinstance(results[1], IntegrityError)
    assert [r.text for r in await _rows(db)] == ["good"]


async def test_a_failed_commit_is_not_written_again(db: Database):
    team = await _team(db)
    failures = []

    def fail_first_commit(_conn: Any) -> None:
        if not failures:
            failures.append(True)
            raise RuntimeError("the COMMIT failed (was it applied?)")

    inline = db.item_writer._inline  # SQLite file: plain items commit on its own connection
    if inline is None:
        event.listen(db.engine.sync_engine, "commit", fail_first_commit)
    else:
        real_commit = inline.commit

        def commit() -> None:
            if failures:
                real_commit()
                return
            inline.rollback()  # the failed COMMIT, as SQLite would leave it: nothing applied
            fail_first_commit(None)

        inline.commit = commit  # type: ignore[method-assign]
    results = await asyncio.gather(
        *(db.item_writer.add(_values(team.id, f"item {n}")) for n in range(3)),
        return_exceptions=True,
    )
    if inline is None:
        event.remove(db.engine.sync_engine, "commit", fail_first_commit)

    # Every caller hears of the failure; none of them is written again in a transaction of its
    # own (if the COMMIT had been applied, that would store each item twice).
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await _rows(db) == []
    after = await db.item_writer.add(_values(team.id, "next"))
    assert after.created


async def test_members_touched_in_one_batch_keep_their_latest_time(db: Database):
    team = await _team(db)
    other = await _team(db, "C2")
    later = NOW + timedelta(minutes=5)
    await asyncio.gather(
        db.item_writer.add(_values(team.id, "a"), member=MemberTouch(team.id, "U1", WS, later)),
        db.item_writer.add(_values(team.id, "b"), member=MemberTouch(team.id, "U1", WS, NOW)),
        db.item_writer.add(_values(other.id, "c"), member=MemberTouch(other.id, "U1", WS, NOW)),
        db.item_writer.add(_values(team.id, "d"), member=MemberTouch(team.id, "U2", WS, NOW)),
    )
    async with db.read() as uow:
        rows = (
            await uow.session.execute(
                select(TeamMember.team_id, TeamMember.user_id, TeamMember.last_seen_at).order_by(
                    TeamMember.team_id, TeamMember.user_id
                )
            )
        ).all()
        teams_of_u1 = [t.id for t in await uow.teams.of_member(WS, "U1")]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (team.id, "U1", later),
        (team.id, "U2", NOW),
        (other.id, "U1", NOW),
    ]
    assert teams_of_u1 == [team.id, other.id]


async def test_a_caller_that_gave_up_before_its_batch_stores_nothing(db: Database):
    team = await _team(db)
    task = asyncio.create_task(db.item_writer.add(_values(team.id, "abandoned")))
    await asyncio.sleep(0)  # queued, its batch not started
    task.cancel()
    kept = await db.item_writer.add(_values(team.id, "kept"))
    assert task.cancelled()
    assert kept.created
    assert [r.text for r in await _rows(db)] == ["kept"]


async def test_batches_are_bounded(db: Database):
    team = await _team(db)
    writer = ItemWriter(db.engine, None, max_batch=4)
    commits = Commits(db, writer)
    await asyncio.gather(*(writer.add(_values(team.id, f"item {n}")) for n in range(10)))
    await writer.close()
    assert commits.count == 3  # 4 + 4 + 2
    async with db.read() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(WorkItem))
    assert count == 10
