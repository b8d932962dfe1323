"""Group commit for captured work items: concurrent captures share one transaction.

Every capture used to be a transaction of its own (BEGIN, member upsert, INSERT, COMMIT through
the ORM), and SQLite admits one writer at a time: under 16–64 concurrent `/infrawork add`
requests the writers queued behind each other and a committed add cost ~8 ms of CPU
(bench/RESULTS.md, "Request path"). Here callers enqueue their row and wait; one task per
process drains whatever is queued (at most ``max_batch`` rows), writes the member touches and
the items with a few Core statements in one transaction, commits, and only then answers each
caller. A caller therefore still returns only after its item is committed.

Per item, exactly as with one transaction each:

* an item tied to a Slack message is stored at most once per (workspace, channel, message_ts):
  the unique constraint decides (INSERT … ON CONFLICT DO NOTHING), also against other replicas
  and against a twin in the same batch; the losers get the existing row with ``created=False``;
* an item with a ``deadline`` (time.monotonic()) that has passed when its batch is written is not
  stored, and its caller gets :class:`DeadlinePassed`;
* if the batch fails (a constraint, a team deleted meanwhile, a deadlock between replicas), it is
  rolled back and every item is written again in a transaction of its own, so one bad row fails
  only its own capture. Only a failed COMMIT is not retried (it may have been applied): each of
  its callers gets the error, as before.

On a SQLite file, a batch of plain items (no message) is written on the event loop's own thread
through a connection of the writer's (:class:`_InlineSqlite`), not through aiosqlite: there a
batch was five or more hops to aiosqlite's thread and back (BEGIN, the member touches, the next
id, the rows, COMMIT, the pool's reset), each a wake-up of both threads, a handover of the GIL
and a loop turn while the batch held the write lock, and the write path cost about half of an
add's CPU in `infrawork serve` (bench/RESULTS.md, "Request path"). The statements themselves
take tens of microseconds: SQLite is in WAL mode with ``synchronous=NORMAL``, so a COMMIT
writes to the WAL without waiting for the disk, and the connection never checkpoints itself
(a checkpoint syncs the file); the writer has it done on a thread of its own instead. It never
waits for a lock on the loop's thread: the process's writer gate means no other writer of ours
holds SQLite's lock, and if another process does, the batch goes the aiosqlite way, which waits
in SQLite's busy handler as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, insert, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.compiler import Compiled

from storage.tables import TeamMember, WorkItem
from storage.writer_gate import WriterGate

log = logging.getLogger(__name__)

MAX_BATCH = 64
"""Rows per transaction: enough to absorb a burst, small enough to keep one batch short."""

CHECKPOINT_EVERY = 100
"""Inline SQLite commits between two background WAL checkpoints. A batch of five adds writes
about ten pages to the WAL (the table, its indexes, team_members: 1,942 pages after 200 such
commits), so the WAL stays near SQLite's own autocheckpoint of 1,000 pages."""

_ITEMS: Table = WorkItem.__table__  # type: ignore[assignment]
_MEMBERS: Table = TeamMember.__table__  # type: ignore[assignment]
_MESSAGE_KEY = ("workspace", "channel", "message_ts")
_SEQUENCE_EXISTS_SQL = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"


class DeadlinePassed(Exception):
    """The item's deadline passed before its batch was written; nothing was stored for it."""


class _CommitFailed(Exception):
    """COMMIT raised: whether the batch was stored is unknown, so it is not written again."""

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__name__)
        self.error = error


@dataclass(frozen=True, slots=True)
class MemberTouch:
    """``user_id`` used ``team_id`` at ``seen_at`` (the team_members upsert)."""

    team_id: int
    user_id: str
    workspace: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class StoredItem:
    row: dict[str, Any]
    """Every column of the stored (or, with ``created=False``, the existing) work item."""
    created: bool


@dataclass(slots=True)
class _Pending:
    values: dict[str, Any]
    member: MemberTouch | None
    deadline: float | None
    future: asyncio.Future[StoredItem] = field(repr=False)

    @property
    def message_key(self) -> tuple[Any, ...] | None:
        if self.values.get("message_ts") is None:
            return None
        return tuple(self.values[column] for column in _MESSAGE_KEY)


class ItemWriter:
    """The process's queue of captured items for one database (see the module docstring)."""

    def __init__(
        self,
        engine: AsyncEngine,
        gate: WriterGate | None = None,
        *,
        max_batch: int = MAX_BATCH,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._gate = gate
        self._max_batch = max_batch
        self._monotonic = monotonic
        self._queue: list[_Pending] = []
        self._drainer: asyncio.Task[None] | None = None
        module: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._sqlite = engine.dialect.name == "sqlite"
        self._top_id_sql = (
            text(
                f"SELECT max(coalesce((SELECT max(id) FROM {_ITEMS.name}), 0), "
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = :table), 0))"
            )
            .compile(dialect=engine.dialect)
            .string
        )  # one "?": the table
        self._has_sequence: bool | None = None  # SQLite: does sqlite_sequence exist yet?
        self._insert_many = insert(_ITEMS)
        self._blank_row: dict[str, Any] = dict.fromkeys(_ITEMS.c.keys())
        self._insert_plain = insert(_ITEMS).returning(*_ITEMS.c, sort_by_parameter_order=True)
        self._insert_once = (
            module.insert(_ITEMS)
            .on_conflict_do_nothing(index_elements=list(_MESSAGE_KEY))
            .returning(*_ITEMS.c)
        )
        touch = module.insert(_MEMBERS)
        self._touch = touch.on_conflict_do_update(
            index_elements=["team_id", "user_id"],
            set_={"last_seen_at": touch.excluded.last_seen_at},
        )
        if self._sqlite:
            # SQLite's plain rows and member touches go to the driver as one executemany each
            # (see _DriverStatement); SQLAlchemy compiles them and converts their values.
            self._driver_items = _DriverStatement(self._insert_many, _ITEMS, engine)
            self._driver_touch = _DriverStatement(self._touch, _MEMBERS, engine)
        self._inline = _InlineSqlite.for_engine(engine)
        self._checkpoint: asyncio.Task[None] | None = None
        self.inline_commits = 0
        """Batches committed on the loop's thread (see the module docstring)."""

    async def add(
        self,
        values: dict[str, Any],
        *,
        member: MemberTouch | None = None,
        deadline: float | None = None,
    ) -> StoredItem:
        """Store one work item (and touch its member), committed before this returns.

        ``values`` are the item's columns without ``id``; with a ``message_ts`` the item is
        stored at most once for its message. ``deadline`` (a time.monotonic() value) makes a
        write that would start after it raise :class:`DeadlinePassed` instead.
        """
        future: asyncio.Future[StoredItem] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(values, member, deadline, future))
        if self._drainer is None or self._drainer.done():
            # A context of its own: the drainer serves many requests, not the first one's.
            self._drainer = asyncio.get_running_loop().create_task(
                self._drain(), context=contextvars.Context()
            )
        return await future

    async def close(self) -> None:
        """Wait until everything queued so far is written, then let go of the writer's own
        SQLite connections (a later add opens them again)."""
        while self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        if self._inline is not None:
            self._inline.close()

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            # A caller that gave up (cancelled) before its batch started stores nothing.
            batch = [p for p in batch if not p.future.done()]
            if not batch:
                continue
            try:
                await self._write_batch(batch)
            except Exception as error:  # a bug here: fail the batch, keep serving the queue
                log.exception("writing a batch of %d items failed", len(batch))
                for pending in batch:
                    _settle(pending, error)
            except BaseException:  # cancelled (shutdown): nobody may wait forever
                for pending in batch + self._queue:
                    if not pending.future.done():
                        pending.future.cancel()
                self._queue.clear()
                raise

    async def _write_batch(self, batch: list[_Pending]) -> None:
        try:
            results = await self._transaction(batch)
        except _CommitFailed as failed:
            # The COMMIT itself failed: it may have been applied, so writing the items again
            # could store them twice. Their callers get the error, as with one transaction each.
            for pending in batch:
                _settle(pending, failed.error)
            return
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0], error)
                return
            # No parameters in the log: they are people's work items.
            log.info(
                "a batch of %d items failed (%s); writing them one by one",
                len(batch),
                type(error).__name__,
            )
            for pending in batch:
                if pending.future.done():
                    continue
                try:
                    single = await self._transaction([pending])
                except _CommitFailed as single_failed:
                    _settle(pending, single_failed.error)
                except Exception as single_error:
                    _settle(pending, single_error)
                else:
                    _settle(pending, single[0])
            return
        for pending, result in zip(batch, results, strict=True):
            _settle(pending, result)

    async def _transaction(self, batch: list[_Pending]) -> list[StoredItem | Exception]:
        """Write ``batch`` in one transaction; a result (or DeadlinePassed) per item, in order.

        Raises what the statements raised (nothing was committed), or _CommitFailed.
        """
        entered = await self._gate.enter() if self._gate is not None else False
        try:
            if (
                self._inline is not None
                and (entered or self._gate is None)
                and all(pending.message_key is None for pending in batch)
            ):
                inline = self._inline_transaction(self._inline, batch)
                if inline is not None:
                    return inline
                # Another process holds SQLite's write lock: wait for it the aiosqlite way.
            async with self._engine.connect() as conn:
                transaction = await conn.begin()  # BEGIN IMMEDIATE on SQLite (engine.py)
                try:
                    results = await self._write(conn, batch)
                except BaseException:
                    await transaction.rollback()
                    raise
                try:
                    await transaction.commit()
                except Exception as error:
                    # Its state is unknown too: the connection is not handed out again.
                    with contextlib.suppress(Exception):
                        await conn.invalidate()
                    raise _CommitFailed(error) from error
                return results
        finally:
            if self._gate is not None:
                self._gate.leave(entered)

    def _inline_transaction(
        self, inline: _InlineSqlite, batch: list[_Pending]
    ) -> list[StoredItem | Exception] | None:
        """:meth:`_transaction` for plain items on the loop's thread; None (nothing done) when
        another process holds SQLite's write lock."""
        conn = inline.begin()
        if conn is None:
            return None
        try:
            results, live = self._live(batch)
            if live:
                rows = _member_rows([batch[i].member for i in live])
                if rows:
                    inline.executemany(self._driver_touch.sql, self._driver_touch.parameters(rows))
                if self._has_sequence is None:
                    self._has_sequence = bool(inline.rows(_SEQUENCE_EXISTS_SQL, ()))
                top = int(inline.rows(*self._top_id_query())[0][0])
                self._numbered(batch, live, top, results)
                written = [r.row for r in results if isinstance(r, StoredItem)]
                inline.executemany(self._driver_items.sql, self._driver_items.parameters(written))
        except BaseException:
            inline.rollback()
            raise
        try:
            inline.commit()
        except Exception as error:
            raise _CommitFailed(error) from error
        self.inline_commits += 1
        if self.inline_commits % CHECKPOINT_EVERY == 0 and (
            self._checkpoint is None or self._checkpoint.done()
        ):
            self._checkpoint = asyncio.get_running_loop().create_task(
                asyncio.to_thread(inline.checkpoint), context=contextvars.Context()
            )
        return _complete(results)

    def _live(self, batch: list[_Pending]) -> tuple[list[StoredItem | Exception | None], list[int]]:
        """The batch's results so far (DeadlinePassed for each item whose deadline passed) and
        the indexes of the items still to write."""
        now = self._monotonic()
        results: list[StoredItem | Exception | None] = [None] * len(batch)
        live: list[int] = []
        for index, pending in enumerate(batch):
            if pending.deadline is not None and now > pending.deadline:
                results[index] = DeadlinePassed("the deadline passed before the item was written")
            else:
                live.append(index)
        return results, live

    def _numbered(
        self,
        batch: list[_Pending],
        plain: list[int],
        top: int,
        results: list[StoredItem | Exception | None],
    ) -> None:
        """Every column of each plain item, numbered from past ``top``, into ``results``.

        SQLAlchemy inserts row by row on SQLite to return ids in order (a thread hop each
        through aiosqlite). The batch's transaction holds SQLite's write lock (BEGIN
        IMMEDIATE), so the next ids are known: past every id handed out so far, what SQLite
        itself would assign; one executemany then writes them all.
        """
        for n, index in enumerate(plain):
            row = {**self._blank_row, **batch[index].values, "id": top + 1 + n}
            results[index] = StoredItem(row, created=True)

    async def _write(
        self, conn: AsyncConnection, batch: list[_Pending]
    ) -> list[StoredItem | Exception]:
        results, live = self._live(batch)
        if not live:
            return _complete(results)

        await self._touch_members(conn, [batch[i].member for i in live])

        plain = [i for i in live if batch[i].message_key is None]
        if plain and self._sqlite:
            self._numbered(batch, plain, await self._top_sqlite_id(conn), results)
            written = [r.row for i in plain if isinstance(r := results[i], StoredItem)]
            await self._driver_items.executemany(conn, written)
        elif plain:
            rows = await conn.execute(self._insert_plain, [batch[i].values for i in plain])
            for index, row in zip(plain, rows.mappings().all(), strict=True):
                results[index] = StoredItem(dict(row), created=True)

        # Message-bound: the first of each message in the batch inserts, twins share its fate.
        first: dict[tuple[Any, ...], int] = {}
        for index in live:
            key = batch[index].message_key
            if key is not None:
                first.setdefault(key, index)
        if first:
            keys = sorted(first)  # one lock order for every replica
            inserted = await conn.execute(self._insert_once, [batch[first[k]].values for k in keys])
            stored: dict[tuple[Any, ...], StoredItem] = {}
            for row in inserted.mappings().all():
                stored[tuple(row[c] for c in _MESSAGE_KEY)] = StoredItem(dict(row), created=True)
            missing = [k for k in keys if k not in stored]
            for row in await _existing(conn, missing):
                stored[tuple(row[c] for c in _MESSAGE_KEY)] = StoredItem(dict(row), created=False)
            for index in live:
                key = batch[index].message_key
                if key is None:
                    continue
                found = stored.get(key)
                if found is None:  # the existing item was deleted between our two statements
                    results[index] = LookupError("the message's item was removed meanwhile")
                elif index == first[key]:
                    results[index] = found
                else:
                    results[index] = StoredItem(found.row, created=False)
        return _complete(results)

    async def _top_sqlite_id(self, conn: AsyncConnection) -> int:
        """The largest id SQLite has handed out for work items, deleted ones included.

        work_items is AUTOINCREMENT (storage/tables.py: a deleted item's id is never reused),
        so SQLite's next id is past both max(id) and the table's sqlite_sequence entry.
        """
        # Straight to the driver: one aiosqlite thread hop (through SQLAlchemy four: cursor,
        # execute, fetch, close), and on a busy event loop every hop waits for a loop turn
        # while the batch holds the write lock.
        if self._has_sequence is None:
            self._has_sequence = bool(await _driver_call(conn, _SEQUENCE_EXISTS_SQL, ()))
        rows = await _driver_call(conn, *self._top_id_query())
        assert rows is not None
        return int(rows[0][0])

    def _top_id_query(self) -> tuple[str, tuple[Any, ...]]:
        """The statement (and its parameters) for :meth:`_top_sqlite_id`, once it is known
        whether sqlite_sequence exists (a database from before AUTOINCREMENT has none)."""
        if self._has_sequence:
            return self._top_id_sql, (_ITEMS.name,)
        return f"SELECT coalesce(max(id), 0) FROM {_ITEMS.name}", ()

    async def _touch_members(
        self, conn: AsyncConnection, touches: Sequence[MemberTouch | None]
    ) -> None:
        rows = _member_rows(touches)
        if not rows:
            return
        if self._sqlite:
            await self._driver_touch.executemany(conn, rows)
        else:
            await conn.execute(self._touch, rows)


class _DriverStatement:
    """An INSERT of every column of ``table``, executed by the database driver itself.

    Through SQLAlchemy's aiosqlite adapter each statement is four hops to aiosqlite's thread
    (cursor, execute, fetch, close), and each hop costs both threads a wake-up and, on a busy
    event loop, a loop turn while the batch holds SQLite's write lock. Here the statement is
    SQLAlchemy's own compilation and every value goes through its column type's bind processor
    (what SQLAlchemy itself stores: UTC timestamps, JSON text), and the rows reach the driver
    connection of the same SQLAlchemy transaction in one ``executemany``: one hop. Driver
    errors are raised as SQLAlchemy's (an IntegrityError stays an IntegrityError).
    """

    def __init__(self, statement: Any, table: Table, engine: AsyncEngine) -> None:
        dialect = engine.dialect
        keys = [column.key for column in table.c]
        compiled: Compiled = statement.compile(dialect=dialect, column_keys=keys)
        self.sql = compiled.string
        order = compiled.positiontup or []  # type: ignore[attr-defined]
        # The dialect's own implementation of each type (SQLite's DATETIME format, its JSON),
        # as SQLAlchemy uses when it executes a statement.
        processors = {
            column.key: column.type.dialect_impl(dialect).bind_processor(dialect)
            for column in table.c
        }
        self._columns = [(name, processors.get(name)) for name in order]

    def parameters(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The driver's parameters of each row."""
        columns = self._columns
        return [
            tuple(
                row.get(name) if process is None else process(row.get(name))
                for name, process in columns
            )
            for row in rows
        ]

    async def executemany(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        await _driver_call(conn, self.sql, self.parameters(rows), many=True)


class _InlineSqlite:
    """The item writer's own connection to a SQLite file, used on the event loop's thread.

    Every call is a few SQLite statements on rows already in memory: no await, no thread, no
    lock wait (``busy_timeout`` 0: :meth:`begin` answers None at once when another process
    writes). It never checkpoints on its own (``wal_autocheckpoint`` 0): :meth:`checkpoint`
    does, from another thread, on a connection of its own. Errors are SQLAlchemy's, as from
    the engine.
    """

    def __init__(self, path: str, dialect: Any) -> None:
        self._path = path
        self._dialect = dialect
        self._conn: sqlite3.Connection | None = None
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoint_lock = threading.Lock()

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> _InlineSqlite | None:
        """One for a SQLite file; None for PostgreSQL, an in-memory database or a URI."""
        url = engine.url
        if engine.dialect.name != "sqlite":
            return None
        path = url.database or ""
        if path in ("", ":memory:") or path.startswith("file:") or url.query.get("uri"):
            return None
        return cls(path, engine.dialect)

    def begin(self) -> sqlite3.Connection | None:
        """BEGIN IMMEDIATE on the writer's connection, or None if SQLite's write lock is taken."""
        conn = self._conn
        try:
            if conn is None:
                conn = self._conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return None
            raise self._wrapped("BEGIN IMMEDIATE", error) from error
        except sqlite3.Error as error:
            raise self._wrapped("BEGIN IMMEDIATE", error) from error
        return conn

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, timeout=0, isolation_level=None)
        # As every connection of the engine (storage/engine.py), but never waiting for a lock
        # and never checkpointing on the loop's thread.
        for pragma in (
            "journal_mode=WAL",
            "busy_timeout=0",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            "wal_autocheckpoint=0",
        ):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def executemany(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        assert self._conn is not None
        try:
            self._conn.executemany(sql, params)
        except sqlite3.Error as error:
            raise self._wrapped(sql, error) from error

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """The rows of one query in the open transaction."""
        assert self._conn is not None
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._wrapped(sql, error) from error

    def rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                self.close()  # its state is unknown: start again with a new connection

    def commit(self) -> None:
        """COMMIT; if that fails the connection is dropped (whether it applied is unknown)."""
        assert self._conn is not None
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            self.close()
            raise self._wrapped("COMMIT", error) from error

    def checkpoint(self) -> None:
        """A passive WAL checkpoint (never blocks a writer or a reader); run it on a thread."""
        with self._checkpoint_lock:
            try:
                if self._checkpointer is None:
                    self._checkpointer = sqlite3.connect(
                        self._path, timeout=0, isolation_level=None, check_same_thread=False
                    )
                self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as error:  # the next one, or any engine commit, catches up
                log.warning("WAL checkpoint failed: %s", type(error).__name__)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        with self._checkpoint_lock:
            checkpointer, self._checkpointer = self._checkpointer, None
            if checkpointer is not None:
                with contextlib.suppress(sqlite3.Error):
                    checkpointer.close()

    def _wrapped(self, sql: str, error: sqlite3.Error) -> Exception:
        return DBAPIError.instance(
            sql, None, error, sqlite3.Error, hide_parameters=True, dialect=self._dialect
        )


async def _driver_call(
    conn: AsyncConnection, sql: str, params: Any, *, many: bool = False
) -> list[Any] | None:
    """Run ``sql`` on the aiosqlite connection under ``conn`` (its transaction): one hop. Its
    rows, or with ``many`` (one execution per parameter set) nothing."""
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    try:
        if many:
            await driver.executemany(sql, params)
            return None
        return list(await driver.execute_fetchall(sql, params))
    except sqlite3.Error as error:
        raise DBAPIError.instance(
            sql, None, error, sqlite3.Error, hide_parameters=True, dialect=conn.dialect
        ) from error


def _member_rows(touches: Sequence[MemberTouch | None]) -> list[dict[str, Any]]:
    """The team_members upsert's rows: each member once, at its latest time, in one lock order
    (an upsert may not touch a row twice)."""
    latest: dict[tuple[int, str], MemberTouch] = {}
    for touch in touches:
        if touch is None:
            continue
        key = (touch.team_id, touch.user_id)
        if key not in latest or latest[key].seen_at < touch.seen_at:
            latest[key] = touch
    return [
        {
            "team_id": t.team_id,
            "user_id": t.user_id,
            "workspace": t.workspace,
            "last_seen_at": t.seen_at,
        }
        for _, t in sorted(latest.items())
    ]


async def _existing(conn: AsyncConnection, keys: list[tuple[Any, ...]]) -> list[Any]:
    if not keys:
        return []
    conditions = [
        and_(*(_ITEMS.c[column] == value for column, value in zip(_MESSAGE_KEY, key, strict=True)))
        for key in keys
    ]
    result = await conn.execute(select(_ITEMS).where(or_(*conditions)))
    return list(result.mappings().all())


def _complete(results: list[StoredItem | Exception | None]) -> list[StoredItem | Exception]:
    complete = [r for r in results if r is not None]
    assert len(complete) == len(results), "every item of a batch has an outcome"
    return complete


def _settle(pending: _Pending, outcome: StoredItem | Exception) -> None:
    if pending.future.done():
        return
    if isinstance(outcome, Exception):
        pending.future.set_exception(outcome)
    else:
        pending.future.set_result(outcome)
