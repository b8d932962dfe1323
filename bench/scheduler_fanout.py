"""Scheduler fan-out: 1,000 teams whose digests are due at the same minute.

    .venv/bin/python bench/scheduler_fanout.py [--quick] [--database sqlite|postgres|both]
                                               [--teams N] [--replicas R]

Seeds N teams (each its own home channel, Monday 09:00 UTC, 30 items in the reported week) with
bulk inserts, then runs the real ``bot.scheduler.Scheduler`` (R replicas ticking at once on the
same database, each its own claimant) at Monday 09:00:30 against the recording fake Web API in
its own process, which allows one message per second per channel (429 + Retry-After otherwise)
and answers every 20th chat.postMessage with a 429 on top. Digests whose post still failed
after the client's retries are recorded as failed with a retry time; catch-up passes (the clock
moved 6, 21 and 70 minutes on) retry them, as the running scheduler would.

Correctness (exit status 1 otherwise): every team has exactly one top-level message in its
channel (and its thread reply), the ``digests`` table has one ``posted`` row per team, and a
second pass posts nothing. Reported: the total time until every digest is posted, digests per
second, and the Web API calls (429s included).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import (
    BOT_TOKEN,
    backends_from,
    bench_database,
    common_args,
    finish,
    machine_line,
    markdown_table,
    start_fake_slack,
    workdir,
)
from bench.digest import TeamShape, add_items, add_teams

DUE = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)  # Monday, half a minute after 09:00 UTC
ITEMS_PER_TEAM = 30
INJECT_429_EVERY = 20
"""Every 20th chat.postMessage is answered 429 (5 %), on top of the per-channel limit."""
CATCH_UP = (timedelta(minutes=6), timedelta(minutes=21), timedelta(minutes=70))
"""Later passes (clock moved on, same posting day) that retry what failed, as the loop would."""


class FixedClock:
    def now(self) -> datetime:
        return DUE


async def fanout(
    backend: str, teams: int, replicas: int, concurrency: int
) -> tuple[tuple[object, ...], list[str]]:
    from sqlalchemy import text

    from bot.scheduler import Scheduler
    from bot.services.digest import DigestService
    from bot.settings import Settings
    from bot.slack_client import make_web_client
    from core.schedule import IsoWeek
    from storage.uow import Database

    problems: list[str] = []
    with workdir("scheduler") as tmp_name:
        tmp = Path(tmp_name)
        async with contextlib.AsyncExitStack() as stack:
            fake = await start_fake_slack(
                stack,
                tmp,
                "--per-channel-interval",
                "1",
                "--inject-429-every",
                str(INJECT_429_EVERY),
            )
            url = await stack.enter_async_context(bench_database(backend, tmp, label="fanout"))
            shapes = [TeamShape(f"t{i:04d}", ITEMS_PER_TEAM, 1) for i in range(teams)]
            week_end = IsoWeek.containing(DUE, "UTC").previous().bounds("UTC")[1]
            await add_teams(url, shapes)
            await add_items(backend, url, shapes, week_end)

            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                slack_bot_token=BOT_TOKEN,
                slack_api_url=fake.api_url,
                database_url=url,
            )
            schedulers = []
            for r in range(replicas):
                db = Database(url)
                stack.push_async_callback(db.dispose)
                client = make_web_client(settings)
                stack.push_async_callback(_close_client, client)

                async def client_for(team: object, client: object = client) -> object:
                    return client

                schedulers.append(
                    Scheduler(
                        db,
                        DigestService(db, FixedClock()),  # type: ignore[arg-type]
                        client_for,  # type: ignore[arg-type]
                        clock=FixedClock(),  # type: ignore[arg-type]
                        name=f"bench-replica-{r}",
                        concurrency=concurrency,
                    )
                )
            started = time.perf_counter()
            reports = await asyncio.gather(*(s.tick(DUE) for s in schedulers))
            elapsed = time.perf_counter() - started
            retried = []
            for later in CATCH_UP:
                passes = await asyncio.gather(*(s.tick(DUE + later) for s in schedulers))
                retried.append(sum(len(p.posted) for p in passes))
            again = await asyncio.gather(
                *(s.tick(DUE + CATCH_UP[-1] + timedelta(minutes=1)) for s in schedulers)
            )

            calls = await fake.calls()
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{fake.port}/bench/messages") as r,
            ):
                messages: dict[str, dict[str, int]] = await r.json()
            db = Database(url)
            try:
                async with db.engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            text(
                                "SELECT status, count(*), count(DISTINCT team_id) FROM digests "
                                "GROUP BY status"
                            )
                        )
                    ).all()
            finally:
                await db.dispose()

    by_status = {str(status): (int(n), int(distinct)) for status, n, distinct in rows}
    posted_rows = by_status.get("posted", (0, 0))
    posted = sum(len(rep.posted) for rep in reports)
    failed = sum(len(rep.failed) for rep in reports)
    caught_up = sum(retried)
    second = sum(len(rep.posted) for rep in again)
    channels = [f"CH{s.name}" for s in shapes]
    tops = [messages.get(c, {}).get("top", 0) for c in channels]
    threads = [messages.get(c, {}).get("thread", 0) for c in channels]
    post_calls = calls.get("chat.postMessage", 0)
    accepted = sum(tops) + sum(threads)
    if posted + caught_up != teams:
        problems.append(
            f"{backend}: {posted} + {caught_up} (catch-up) digests posted, expected {teams}"
        )
    if any(n != 1 for n in tops):
        wrong = sum(1 for n in tops if n != 1)
        problems.append(f"{backend}: {wrong} channels without exactly one digest message")
    if posted_rows != (teams, teams) or len(by_status) != 1:
        problems.append(f"{backend}: digests table {by_status}, expected {teams} posted rows")
    if second:
        problems.append(f"{backend}: the second pass posted {second} more digests")
    row = (
        backend,
        teams,
        replicas,
        concurrency,
        elapsed,
        posted / elapsed,
        posted,
        f"{failed} → {'/'.join(map(str, retried))}",
        f"{sum(tops)}/{teams}",
        f"{sum(threads)}/{teams}",
        post_calls,
        post_calls - accepted,
        posted_rows[0],
    )
    return row, problems


async def _close_client(client: object) -> None:
    session = getattr(client, "session", None)
    if session is not None and not session.closed:
        await session.close()


async def bench(quick: bool, database: str, teams: int, replicas: int, concurrency: int) -> int:
    teams = teams or (40 if quick else 1000)
    rows, problems = [], []
    for backend in backends_from(database):
        row, found = await fanout(backend, teams, replicas, concurrency)
        rows.append(row)
        problems += found
        print(f"  {backend}: {teams} teams done", file=sys.stderr)
    print(
        f"Machine: {machine_line()}. Mode: {'quick' if quick else 'full'}; fake Web API: 1 "
        f"message/s per channel, plus a 429 (Retry-After: 1) on every {INJECT_429_EVERY}th "
        f"chat.postMessage.\n"
    )
    print(
        markdown_table(
            [
                "backend",
                "teams due",
                "replicas",
                "concurrency",
                "first pass s",
                "digests/s",
                "posted in first pass",
                "failed → posted by catch-up passes",
                "digest messages",
                "thread replies",
                "chat.postMessage calls",
                "answered 429",
                "digests rows posted",
            ],
            rows,
        )
    )
    return finish(problems)


def main() -> int:
    parser = common_args(__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=0, help="teams due (default 40 quick, 1000)")
    parser.add_argument("--replicas", type=int, default=1, help="schedulers ticking at once")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="posts in flight per scheduler (default: its own)",
    )
    args = parser.parse_args()
    from bot.scheduler import DEFAULT_CONCURRENCY

    return asyncio.run(
        bench(
            args.quick,
            args.database,
            args.teams,
            args.replicas,
            args.concurrency or DEFAULT_CONCURRENCY,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
