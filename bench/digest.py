"""Digest: the time to build one team's digest from the database, against team and table size.

    .venv/bin/python bench/digest.py [--quick] [--database sqlite|postgres|both] [--explain]

Seeds a fresh database with bulk inserts (executemany on SQLite, COPY on PostgreSQL; never
through the HTTP path; then ANALYZE, and VACUUM on PostgreSQL, as autovacuum would), then times
``DigestService.build`` — the real read the scheduler does (weekly counts over the trend window,
baselines, latest measurements, notable items, forced texts; one read unit of work) — for:

* ``spread`` teams: N items over the last two years (≈ N/104 in the digest's week);
* ``recent`` teams: N items all inside the 8-week trend window (the worst case: every item is
  in the aggregates);

first in a table holding only those teams, then again after 1,000 other teams × 1,000 items
(1M more rows) were added, and for some of those 1,000-item teams. A digest's cost should follow
the items in its window and not the table's size. Each time is the median of several builds
after one warm-up build; ``--explain`` prints each query's plan (EXPLAIN ANALYZE on PostgreSQL,
EXPLAIN QUERY PLAN on SQLite) for the largest team.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    backends_from,
    bench_database,
    common_args,
    machine_line,
    markdown_table,
    median,
    workdir,
)

QUICK_FILLER_TEAMS = 50
"""Quick mode's other teams (× 1,000 items); full mode has 1,000 of them."""
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday: the digest reports week 2026-W47
WORKSPACE = "T0BENCH"
QUADRANTS = ("forced_short", "forced_long", "discretionary_short", "discretionary_long")
TEXTS = (
    "Paged: disk full on db-{n}",
    "Patch CVE-2026-{n} on the edge hosts",
    "Upgrade Postgres before end of life ({n})",
    "Better error message for deploy failure {n}",
    "Migrate batch job {n} to streaming",
    "Tweak alert threshold {n}",
)
ITEM_COLUMNS = (
    "workspace",
    "team_id",
    "text",
    "quadrant",
    "confidence",
    "principles",
    "rationale",
    "signals",
    "source",
    "channel",
    "message_ts",
    "permalink",
    "created_by",
    "created_at",
    "updated_at",
    "status",
    "done_at",
    "classified_by",
)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class TeamShape:
    name: str
    items: int
    weeks: int
    """Items are spread uniformly over the ``weeks`` weeks ending with the digest's week."""
    team_id: int = 0


def item_rows(
    team_id: int, n: int, weeks: int, week_end: datetime, seed: int
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    span = timedelta(weeks=weeks).total_seconds()
    for i in range(n):
        at = week_end - timedelta(seconds=rng.random() * span)
        yield (
            WORKSPACE,
            team_id,
            TEXTS[i % len(TEXTS)].format(n=i),
            QUADRANTS[rng.randrange(4)],
            0.8,
            ["reliability"],
            "bench",
            [],
            "slash_command",
            f"C{team_id:05d}",
            None,
            None,
            f"U{i % 50:03d}",
            at,
            at,
            "open",
            None,
            "rules",
        )


async def add_teams(url: str, shapes: list[TeamShape]) -> None:
    """Team rows through SQLAlchemy Core (few rows; column defaults applied)."""
    from sqlalchemy import insert, select

    from storage.engine import make_engine
    from storage.tables import Team, Workspace

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            if (await conn.execute(select(Workspace.id))).first() is None:
                await conn.execute(
                    insert(Workspace),
                    [{"id": WORKSPACE, "active": True, "created_at": NOW, "updated_at": NOW}],
                )
            await conn.execute(
                insert(Team),
                [
                    {
                        "workspace": WORKSPACE,
                        "name": f"#{s.name}",
                        "home_channel": f"CH{s.name}",
                        "incident_channels": [],
                        "incident_emojis": [],
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for s in shapes
                ],
            )
            ids = {row[0]: row[1] for row in await conn.execute(select(Team.home_channel, Team.id))}
        for s in shapes:
            s.team_id = ids[f"CH{s.name}"]
    finally:
        await engine.dispose()


async def add_items(backend: str, url: str, shapes: list[TeamShape], week_end: datetime) -> None:
    if backend == "sqlite":
        path = url.split("///", 1)[1]
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA synchronous=OFF")
            sql = (
                f"INSERT INTO work_items ({', '.join(ITEM_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in ITEM_COLUMNS)})"
            )
            for s in shapes:
                conn.executemany(
                    sql,
                    (
                        sqlite_row(r)
                        for r in item_rows(s.team_id, s.items, s.weeks, week_end, s.team_id)
                    ),
                )
            conn.commit()
            conn.execute("ANALYZE")
        finally:
            conn.close()
        return
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for s in shapes:
            await conn.copy_records_to_table(
                "work_items",
                columns=ITEM_COLUMNS,
                records=(
                    pg_row(r) for r in item_rows(s.team_id, s.items, s.weeks, week_end, s.team_id)
                ),
            )
        # Steady state: autovacuum would have run (PostgreSQL ≥ 13 vacuums insert-only tables
        # too), so index-only scans find the visibility map set.
        await conn.execute("VACUUM ANALYZE work_items")
    finally:
        await conn.close()


def sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # As SQLAlchemy stores them on SQLite: naive UTC "YYYY-MM-DD HH:MM:SS.ffffff", JSON text.
    return tuple(
        v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, datetime)
        else json.dumps(v)
        if isinstance(v, list)
        else v
        for v in row
    )


def pg_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(json.dumps(v) if isinstance(v, list) else v for v in row)


class Timer:
    """Per-statement timings (and the statements) through the engine's cursor events."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, Any, float]] = []
        self._started: float = 0.0
        sync = engine.sync_engine

        @event.listens_for(sync, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            self._started = time.perf_counter()

        @event.listens_for(sync, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            self.statements.append((statement, params, time.perf_counter() - self._started))


async def time_builds(url: str, shapes: list[TeamShape], repeats: int) -> dict[str, float]:
    """Median ms of DigestService.build per team (after one warm-up build)."""
    from bot.services.digest import DigestService, current_digest_week
    from storage.uow import Database

    db = Database(url)
    service = DigestService(db, FixedClock())  # type: ignore[arg-type]
    out = {}
    try:
        for s in shapes:
            team = await service.team(WORKSPACE, s.team_id)
            assert team is not None
            week = current_digest_week(team, NOW)
            await service.build(team, week)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                await service.build(team, week)
                times.append((time.perf_counter() - t0) * 1000)
            out[s.name] = median(times)
    finally:
        await db.dispose()
    return out


async def explain(backend: str, url: str, shape: TeamShape) -> str:
    """Each query of one build, its time, and its plan."""
    from sqlalchemy import text

    from bot.services.digest import DigestService, current_digest_week
    from storage.uow import Database

    db = Database(url)
    timer = Timer(db.engine)
    service = DigestService(db, FixedClock())  # type: ignore[arg-type]
    lines = [f"Queries of one build for team `{shape.name}` ({backend}):"]
    try:
        team = await service.team(WORKSPACE, shape.team_id)
        assert team is not None
        timer.statements.clear()
        await service.build(team, current_digest_week(team, NOW))
        captured = list(timer.statements)
        for statement, params, seconds in captured:
            if statement.strip().upper() in {"BEGIN", "COMMIT", "ROLLBACK"}:
                continue
            lines.append(f"\n-- {seconds * 1000:.1f} ms\n{statement}")
            prefix = "EXPLAIN ANALYZE " if backend == "postgres" else "EXPLAIN QUERY PLAN "
            async with db.engine.connect() as conn:
                result = await conn.exec_driver_sql(prefix + statement, params)
                rows = result.all()
            plan = [str(r[0]) if backend == "postgres" else str(r[-1]) for r in rows]
            lines += ["plan:", *("    " + p for p in plan)]
    finally:
        await db.dispose()
    _ = text
    return "\n".join(lines)


async def one_backend(backend: str, quick: bool, show_plan: bool) -> list[tuple[Any, ...]]:
    from bot.services.digest import current_digest_week  # noqa: F401  (import check)
    from core.schedule import IsoWeek

    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    filler_teams, filler_items = (QUICK_FILLER_TEAMS, 1_000) if quick else (1_000, 1_000)
    repeats = 3 if quick else 7
    week_end = IsoWeek.containing(NOW, "UTC").previous().bounds("UTC")[1]
    shapes = [TeamShape(f"spread-{n // 1000}k", n, 104) for n in sizes]
    shapes += [TeamShape(f"recent-{n // 1000}k", n, 8) for n in sizes]
    rows: list[tuple[Any, ...]] = []
    with workdir("digest") as tmp:
        async with bench_database(backend, Path(tmp), label="digest") as url:
            t0 = time.perf_counter()
            await add_teams(url, shapes)
            await add_items(backend, url, shapes, week_end)
            small_rows = sum(s.items for s in shapes)
            print(
                f"  {backend}: seeded {small_rows:,} items in {time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
            before = await time_builds(url, shapes, repeats)

            fillers = [TeamShape(f"filler-{i:04d}", filler_items, 104) for i in range(filler_teams)]
            t0 = time.perf_counter()
            await add_teams(url, fillers)
            await add_items(backend, url, fillers, week_end)
            big_rows = small_rows + filler_teams * filler_items
            print(
                f"  {backend}: seeded {filler_teams * filler_items:,} more items in "
                f"{time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
            sample = random.Random(1).sample(fillers, 10)
            after = await time_builds(url, shapes + sample, repeats)
            for s in shapes:
                window = s.items if s.weeks <= 8 else round(s.items * 8 / s.weeks)
                rows.append(
                    (
                        backend,
                        s.name,
                        s.items,
                        round(s.items / s.weeks),
                        window,
                        before[s.name],
                        after[s.name],
                    )
                )
            filler_ms = [after[s.name] for s in sample]
            rows.append(
                (
                    backend,
                    f"{filler_items // 1000}k-item teams (10 of {filler_teams:,})",
                    filler_items,
                    round(filler_items / 104),
                    round(filler_items * 8 / 104),
                    float("nan"),
                    median(filler_ms),
                )
            )
            rows.append((backend, "(rows in work_items)", "", "", "", small_rows, big_rows))
            if show_plan:
                print(
                    await explain(backend, url, max(shapes, key=lambda s: (s.weeks <= 8, s.items)))
                )
    return rows


async def bench(quick: bool, database: str, show_plan: bool) -> int:
    rows = []
    for backend in backends_from(database):
        rows += await one_backend(backend, quick, show_plan)
    print(
        f"Machine: {machine_line()}. Mode: {'quick' if quick else 'full'}; median of "
        f"{3 if quick else 7} builds after a warm-up; digest of week 2026-W47.\n"
    )
    print(
        markdown_table(
            [
                "backend",
                "team",
                "team's items",
                "≈ in the week",
                "≈ in 8-week window",
                "ms (table: these teams only)",
                f"ms (table: + {QUICK_FILLER_TEAMS if quick else 1000:,} teams × 1,000)",
            ],
            [(*r[:5], *(f"{v:,}" if isinstance(v, int) else v for v in r[5:])) for r in rows],
        )
    )
    return 0


def main() -> int:
    parser = common_args(__doc__.splitlines()[0])
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    return asyncio.run(bench(args.quick, args.database, args.explain))


if __name__ == "__main__":
    raise SystemExit(main())
