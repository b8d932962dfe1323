"""The unit of work: one transaction per use case, with the repositories bound to it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.baselines import ApiTokenRepository, BaselineRepository, MeasurementRepository
from storage.digests import DigestRepository
from storage.engine import make_engine, ping, session_factories
from storage.repositories import (
    CorrectionRepository,
    ItemRepository,
    TeamRepository,
    WorkspaceRepository,
)


class UnitOfWork:
    """``async with db.uow() as uow: …; await uow.commit()`` — uncommitted work is rolled back."""

    session: AsyncSession

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory

    async def __aenter__(self) -> UnitOfWork:
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
        await self.session.close()

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

    def uow(self) -> UnitOfWork:
        """A unit of work that may write."""
        return UnitOfWork(self._writer)

    def read(self) -> UnitOfWork:
        """A unit of work for reads only (never takes SQLite's write lock)."""
        return UnitOfWork(self._reader)

    async def ping(self) -> None:
        await ping(self.engine)

    async def upgrade(self) -> None:
        from storage.migrate import upgrade

        await upgrade(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()
