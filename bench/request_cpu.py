"""Server CPU per request: what one signed `/infrawork add` costs the serving process.

    .venv/bin/python bench/request_cpu.py [--quick] [--database sqlite|postgres|both]
                                          [--requests N] [--rounds R] [--concurrency C]

The same processes as bench/request_path.py (the real `infrawork serve` per backend, the bare
Bolt app that only acks, the fake Web API), but instead of a timed load each round sends exactly
N requests at concurrency C to each target in turn (order rotated every round) and reads the
serving process's CPU time (user + system, /proc/<pid>/stat) before and after. CPU time is far
less sensitive to other work on a shared machine than latency or requests/s, so this is the
number to compare across commits (run it from each checkout with ``PYTHONPATH=<checkout>``).
Every 200 answer must be a new committed row (checked per round).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    backends_from,
    common_args,
    finish,
    machine_line,
    markdown_table,
    median,
    signed_headers,
    workdir,
)
from bench.request_path import Bodies, Profile, start_servers


def cpu_split(pid: int) -> tuple[float, float, int]:
    """(user s, system s, context switches) of every thread of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if "ctxt_switches:" in line:  # voluntary and nonvoluntary
                switches += int(line.split()[1])
    return int(fields[11]) / tick, int(fields[12]) / tick, switches


async def send(
    session: aiohttp.ClientSession, url: str, bodies: Bodies, n: int, concurrency: int
) -> dict[int, int]:
    """Exactly ``n`` requests, ``concurrency`` at a time; the count of each status."""
    statuses: dict[int, int] = {}
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            body = bodies.next()
            async with session.post(url, data=body.encode(), headers=signed_headers(body)) as r:
                await r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


async def bench(args: object) -> int:
    quick = bool(getattr(args, "quick", False))
    backends = backends_from(str(getattr(args, "database", "both")))
    n = int(getattr(args, "requests", 0) or (500 if quick else 2000))
    rounds = int(getattr(args, "rounds", 0) or (3 if quick else 5))
    concurrency = int(getattr(args, "concurrency", 0) or 16)
    profile_dir = getattr(args, "profile", None)
    # Every server under py-spy, the bare Bolt app too.
    profile = Profile(profile_dir, 500, nonblocking=True, bare_bolt=True) if profile_dir else None
    problems: list[str] = []

    with workdir("request-cpu") as tmp_name:
        async with contextlib.AsyncExitStack() as stack:
            tmp = Path(tmp_name)
            servers = await start_servers(stack, tmp, backends, "request_cpu", profile=profile)
            targets, counters = servers.targets, servers.counters
            session = await stack.enter_async_context(
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
            )
            bodies = Bodies(servers.response_url)

            for target in targets:  # warm up: teams, pools, caches
                await send(session, target.url, bodies, n // 2, concurrency)

            per_request: dict[str, list[float]] = {t.name: [] for t in targets}
            walls: dict[str, list[float]] = {t.name: [] for t in targets}
            system: dict[str, list[float]] = {t.name: [] for t in targets}
            switches: dict[str, list[float]] = {t.name: [] for t in targets}
            for round_ in range(rounds):
                order = targets[round_ % len(targets) :] + targets[: round_ % len(targets)]
                for target in order:
                    counter = counters.get(target.name)
                    before_rows = await counter.count() if counter else 0
                    await asyncio.sleep(0.3)  # let background work of the last round settle
                    split0 = cpu_split(target.proc.pid)
                    cpu0, t0 = target.proc.cpu_seconds(), time.perf_counter()
                    statuses = await send(session, target.url, bodies, n, concurrency)
                    wall = time.perf_counter() - t0
                    await asyncio.sleep(0.3)
                    cpu1 = target.proc.cpu_seconds()
                    split1 = cpu_split(target.proc.pid)
                    system[target.name].append((split1[1] - split0[1]) / n * 1000)
                    switches[target.name].append((split1[2] - split0[2]) / n)
                    ok = statuses.get(200, 0)
                    if ok != n:
                        problems.append(f"{target.name}: answers {statuses}")
                    if counter is not None:
                        new = await counter.count() - before_rows
                        if new != ok:
                            problems.append(f"{target.name}: {ok} acked adds, {new} new items")
                    per_request[target.name].append((cpu1 - cpu0) / n * 1000)
                    walls[target.name].append(wall)
                print(f"  round {round_ + 1}/{rounds} done", file=sys.stderr)

    bare = median(per_request["bare Bolt"])
    rows = []
    for target in targets:
        values = per_request[target.name]
        rows.append(
            (
                target.name,
                f"{median(values):.3f}",
                " ".join(f"{v:.3f}" for v in values),
                f"{median(values) / bare:.2f}",
                f"{median(system[target.name]):.3f}",
                f"{median(switches[target.name]):.1f}",
                f"{n / median(walls[target.name]):,.0f}",
            )
        )
    print(machine_line())
    print(f"{n} requests per round at concurrency {concurrency}, {rounds} rounds, medians.\n")
    print(
        markdown_table(
            [
                "target",
                "CPU ms per request",
                "each round",
                "× bare Bolt",
                "of it system ms",
                "context switches",
                "req/s (orientation)",
            ],
            rows,
        )
    )
    return finish(problems)


def main() -> None:
    parser = common_args(__doc__ or "")
    parser.add_argument("--requests", type=int, default=0, help="requests per round")
    parser.add_argument("--rounds", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=0, help="default 16")
    parser.add_argument("--profile", metavar="DIR", help="py-spy collapsed stacks of each server")
    sys.exit(asyncio.run(bench(parser.parse_args())))


if __name__ == "__main__":
    main()
