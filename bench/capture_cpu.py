"""CPU per `CaptureService.add`, in-process: what one committed capture costs this process.

    .venv/bin/python bench/capture_cpu.py [--quick] [--database sqlite|postgres|both]

No HTTP, no Bolt: N workers (concurrency 1, 16, 64) call ``CaptureService.add`` back to back on
a fresh database (16 channels, 40 people, the request-path benchmark's texts) and the process's
CPU time (``time.process_time()``: every thread, so aiosqlite's too; PostgreSQL's own CPU is
not in it) is divided by the items stored. Median of the repetitions. Run it against another
commit with ``PYTHONPATH=<that checkout>`` to compare. Correctness: every call's item is
counted in the table afterwards (exit 1 otherwise).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    backends_from,
    bench_database,
    common_args,
    finish,
    machine_line,
    markdown_table,
    median,
    workdir,
)
from bench.request_path import CHANNELS, LEVELS, TEXTS, USERS


async def measure(backend: str, directory: Path, per_level: int, reps: int) -> list[list[object]]:
    from sqlalchemy import func, select

    from bot.clock import SystemClock
    from bot.services.capture import CaptureService
    from bot.services.context import Actor
    from bot.services.learning import TeamModels
    from storage.tables import WorkItem
    from storage.uow import Database

    rows: list[list[object]] = []
    async with bench_database(backend, directory, label="capture_cpu") as url:
        db = Database(url)
        try:
            capture = CaptureService(db, SystemClock(), TeamModels())
            actors = [
                Actor("T0BENCH", f"U{u:04d}", channel_id=f"C{c:04d}", channel_name=f"team-{c}")
                for u, c in zip(range(USERS), itertools.cycle(range(CHANNELS)), strict=False)
            ]
            calls = itertools.count()

            async def worker(n: int) -> None:
                for _ in range(n):
                    i = next(calls)
                    await capture.add(actors[i % len(actors)], TEXTS[i % len(TEXTS)])

            await asyncio.gather(*(worker(8) for _ in range(CHANNELS)))  # teams, pools, caches
            for level in LEVELS:
                cpu_ms: list[float] = []
                per_s: list[float] = []
                for _ in range(reps):
                    each = max(1, per_level // level)
                    cpu, wall = time.process_time(), time.perf_counter()
                    await asyncio.gather(*(worker(each) for _ in range(level)))
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    cpu_ms.append(1000 * cpu / (each * level))
                    per_s.append(each * level / wall)
                rows.append([backend, level, round(median(cpu_ms), 2), round(median(per_s))])
            async with db.read() as uow:
                stored = await uow.session.scalar(select(func.count()).select_from(WorkItem))
            expected = next(calls)
            if stored != expected:
                raise SystemExit(f"{backend}: {expected} adds but {stored} items stored")
        finally:
            await db.dispose()
    return rows


async def main() -> int:
    parser = common_args(__doc__ or "")
    parser.add_argument("--reps", type=int, default=0, help="repetitions (default 2 quick, 5)")
    args = parser.parse_args()
    per_level = 200 if args.quick else 1000
    reps = args.reps or (2 if args.quick else 5)
    rows: list[list[object]] = []
    with workdir("capture_cpu") as tmp:
        for backend in backends_from(args.database):
            rows += await measure(backend, Path(tmp), per_level, reps)
    print(f"Machine: {machine_line()}. {per_level} adds per level, median of {reps}.\n")
    print(markdown_table(["backend", "concurrency", "CPU ms per add", "adds/s"], rows))
    return finish([])


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
