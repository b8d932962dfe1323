"""The unit of work: one transaction per use case, with the repositories bound to it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.baselines import ApiTokenRepository, BaselineRepository, MeasurementRepository
from storage.digests import DigestRepository
from storage.engine import SQLITE_BUSY_TIMEOUT_MS, is_sqlite, make_engine, ping, session_factories
from storage.item_writer import ItemWriter
from storage.repositories import (
    CorrectionRepository,
    ItemRepository,
    TeamRepository,
    WorkspaceRepository,
)
from storage.writer_gate import WriterGate


class UnitOfWork:
    """``async with db.uow() as uow: …; await uow.commit()`` — uncommitted work is rolled back."""

    session: AsyncSession

    def __init__(
        self, factory: async_sessionmaker[AsyncSession], gate: WriterGate | None = None
    ) -> None:
        self._factory = factory
        self._gate = gate
        self._entered = False

    async def __aenter__(self) -> UnitOfWork:
        if self._gate is not None:
            self._entered = await self._gate.enter()
        self.session = self._factory()
        self.workspaces = WorkspaceRepository(self.session)
        self.teams = TeamRepository(self.session)
        self.items = ItemRepository(self.session)
        self.corrections = CorrectionRepository(self.session)
        self.baselines = BaselineRepository(self.session)
        self.measurements = MeasurementRepository(self.session)
        self.api_tokens = ApiTokenRepository(self.session)
        self.digests = DigestRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, without expiring loaded objects, so
        # results stay readable after the unit of work ends.
        try:
            await self.session.close()
        finally:
            if self._gate is not None:
                self._gate.leave(self._entered)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class Database:
    """The process's database: one engine, writer and reader units of work."""

    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._writer, self._reader = session_factories(self.engine)
        # SQLite: this process's writers queue here rather than in SQLite's busy handler.
        self._gate = WriterGate(SQLITE_BUSY_TIMEOUT_MS / 1000) if is_sqlite(url) else None
        # Captured items: concurrent captures share one transaction (storage/item_writer.py).
        self.item_writer = ItemWriter(self.engine, self._gate)

    def uow(self) -> UnitOfWork:
        """A unit of work that may write."""
        return UnitOfWork(self._writer, self._gate)

    def read(self) -> UnitOfWork:
        """A unit of work for reads only (never takes SQLite's write lock)."""
        return UnitOfWork(self._reader)

    async def ping(self) -> None:
        await ping(self.engine)

    async def upgrade(self) -> None:
        from storage.migrate import upgrade

        await upgrade(self.engine)

    async def dispose(self) -> None:
        await self.item_writer.close()
        await self.engine.dispose()
