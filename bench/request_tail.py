"""Where an `add`'s time goes inside `infrawork serve` under load (a diagnosis, not a benchmark).

    .venv/bin/python bench/request_tail.py [--database sqlite|postgres] [--concurrency 16 64]
                                           [--reps 2] [--seconds 4]

Starts the fake Web API and `infrawork serve` (the CLI's own command, run by this script with
probes added in the serving process: ``request_tail.py --serve …``), drives it with
request_path.py's closed loop, and prints, for the requests after the warm-up:

* each request's time by stage: middleware → Bolt → listener → the writer's queue → its batch →
  ack → Bolt's ack poll, at the median and for the slowest 1 %, and how many requests waited
  for a team or model lookup;
* the batches: rows, aiosqlite thread hops while each was open (its own and any concurrent
  read's), ms until BEGIN done / rows written (batches through the engine) / committed;
* garbage-collector passes per generation (CPU ms), and event-loop stalls (how late a 2 ms
  sleeper wakes).

The probes wrap functions in the serving process and cost CPU themselves: compare runs of this
script with each other (e.g. two checkouts with ``PYTHONPATH=<checkout>``), not with the
numbers of request_path.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAGES = (
    ("start", "dispatch", "middleware"),
    ("dispatch", "listener", "Bolt to listener"),
    ("listener", "enqueued", "listener to writer"),
    ("enqueued", "batch", "writer queue"),
    ("batch", "stored", "batch"),
    ("stored", "ack", "to ack"),
    ("ack", "dispatched", "Bolt's ack poll"),
    ("dispatched", "end", "response"),
)
STAMPS = ("start", "dispatch", "listener", "enqueued", "batch", "stored", "ack", "dispatched")
STAMPS += ("end", "lookups")


# -- the serving process -----------------------------------------------------------------------
def serve_with_probes(argv: list[str]) -> int:
    """`infrawork serve` with timing probes; writes what they saw to $REQUEST_TAIL_OUT at exit."""
    import atexit

    now = time.perf_counter
    wall = time.time() - now()  # perf_counter → wall clock, to match the driver's marks
    seen: dict[str, list[Any]] = {"gc": [], "stalls": [], "batches": [], "requests": []}
    current: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
        "request_tail", default=None
    )

    gc_started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.thread_time()
        else:
            cpu_ms = (time.thread_time() - gc_started[0]) * 1000
            seen["gc"].append((wall + now(), info["generation"], cpu_ms))

    gc.callbacks.append(on_gc)

    def stamp(name: str) -> None:
        record = current.get()
        if record is not None:
            record[name] = now()

    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck

    import bot.http as http
    import bot.verbs.add  # registers the verb
    from bot.services.capture import CaptureService
    from bot.verbs import REGISTRY
    from storage.item_writer import ItemWriter

    observe = http.observe_slack_requests

    @web.middleware
    async def timed(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path != http.SLACK_EVENTS_PATH:
            return await observe(request, handler)
        record = {"start": now()}
        token = current.set(record)
        try:
            return await observe(request, handler)
        finally:
            record["end"] = now()
            current.reset(token)
            # Tuples of floats: the collector stops tracking them, so the probes' own records
            # do not feed the passes being measured.
            seen["requests"].append(tuple(record.get(k, -1.0) for k in STAMPS))

    http.observe_slack_requests = timed  # type: ignore[assignment]

    dispatch = AsyncApp.async_dispatch

    async def timed_dispatch(self: AsyncApp, req: Any) -> Any:
        stamp("dispatch")
        try:
            return await dispatch(self, req)
        finally:
            stamp("dispatched")

    AsyncApp.async_dispatch = timed_dispatch  # type: ignore[method-assign]

    ack = AsyncAck.__call__

    async def timed_ack(self: AsyncAck, *args: Any, **kwargs: Any) -> Any:
        stamp("ack")
        return await ack(self, *args, **kwargs)

    AsyncAck.__call__ = timed_ack  # type: ignore[method-assign]

    verb = REGISTRY["add"]
    handler = verb.handler

    async def timed_handler(req: Any) -> None:
        stamp("listener")
        await handler(req)

    object.__setattr__(verb, "handler", timed_handler)

    def count_waits(name: str) -> None:
        """Wrap CaptureService.<name>: a capture that waits in it for more than a loop turn
        waited for a team or model lookup."""
        method = getattr(CaptureService, name)

        async def timed(self: CaptureService, *args: Any, **kwargs: Any) -> Any:
            started = now()
            try:
                return await method(self, *args, **kwargs)
            finally:
                record = current.get()
                if record is not None and now() - started > 0.002:
                    record["lookups"] = record.get("lookups", 0) + 1

        setattr(CaptureService, name, timed)

    count_waits("_team")
    if hasattr(CaptureService, "_model"):  # the team's model, looked up the same way
        count_waits("_model")

    from storage.uow import UnitOfWork

    enter_uow = UnitOfWork.__aenter__

    async def counted_uow(self: UnitOfWork) -> UnitOfWork:
        # Checkouts before the lookups were shared read in the request itself.
        record = current.get()
        if record is not None:
            record["lookups"] = record.get("lookups", 0) + 1
        return await enter_uow(self)

    UnitOfWork.__aenter__ = counted_uow  # type: ignore[method-assign]

    add = ItemWriter.add
    batch_started: dict[int, float] = {}

    async def timed_add(self: ItemWriter, values: Any, **kwargs: Any) -> Any:
        stamp("enqueued")
        record = current.get()
        try:
            return await add(self, values, **kwargs)
        finally:
            if record is not None:
                started = batch_started.pop(id(values), None)
                if started is not None:
                    record["batch"] = started
                record["stored"] = now()

    ItemWriter.add = timed_add  # type: ignore[method-assign]

    hops = [0]
    with contextlib.suppress(ImportError):
        import aiosqlite.core

        execute = aiosqlite.core.Connection._execute

        async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            hops[0] += 1
            return await execute(self, fn, *args, **kwargs)

        aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]

    transaction = ItemWriter._transaction

    async def timed_transaction(self: ItemWriter, batch: list[Any]) -> Any:
        started = now()
        for pending in batch:
            batch_started[id(pending.values)] = started
        marks = {"begun": -1.0, "written": -1.0}
        write = self._write

        async def timed_write(conn: Any, rows: list[Any]) -> Any:
            marks["begun"] = now() - started
            try:
                return await write(conn, rows)
            finally:
                marks["written"] = now() - started

        self._write = timed_write  # type: ignore[method-assign]
        hops_before = hops[0]
        try:
            return await transaction(self, batch)
        finally:
            del self._write
            seen["batches"].append(
                (
                    wall + started,
                    len(batch),
                    hops[0] - hops_before,
                    marks["begun"],
                    marks["written"],
                    now() - started,
                )
            )

    ItemWriter._transaction = timed_transaction  # type: ignore[method-assign]

    async def stall_probe() -> None:
        while True:
            before = now()
            await asyncio.sleep(0.002)
            late = now() - before - 0.002
            if late > 0.003:
                seen["stalls"].append((wall + before, late * 1000))

    import bot.runtime

    start_http = bot.runtime.Runtime.start_http

    async def start_http_and_probe(self: Any, *args: Any, **kwargs: Any) -> None:
        asyncio.get_running_loop().create_task(stall_probe())
        await start_http(self, *args, **kwargs)

    bot.runtime.Runtime.start_http = start_http_and_probe  # type: ignore[method-assign]

    def dump() -> None:
        seen["requests"] = [
            {
                k: (v + wall if k != "lookups" and v >= 0 else v)
                for k, v in zip(STAMPS, r, strict=True)
            }
            for r in seen["requests"]
        ]
        Path(os.environ["REQUEST_TAIL_OUT"]).write_text(json.dumps(seen))

    atexit.register(dump)

    from bot.cli import main

    return main(argv)


# -- the driver --------------------------------------------------------------------------------
def pct(values: Sequence[float], q: float) -> float:
    from bench.common import percentile

    return percentile(values, q)


def report(seen: dict[str, Any], since: float, until: float) -> str:
    from bench.common import markdown_table

    requests = [
        r
        for r in seen["requests"]
        if since <= r["start"] <= until and all(r[k] >= 0 for k in STAMPS if k != "lookups")
    ]
    requests.sort(key=lambda r: r["end"] - r["start"])
    slowest = requests[-max(1, len(requests) // 100) :]
    middle = len(requests) // 2
    median_band = requests[max(0, middle - len(slowest) // 2) : middle + len(slowest) // 2 + 1]

    def ms(r: dict[str, float], a: str, b: str) -> float:
        return (r[b] - r[a]) * 1000

    rows: list[tuple[Any, ...]] = [
        ("server total", *_spread([ms(r, "start", "end") for r in requests]), "", "")
    ]
    for a, b, name in STAGES:
        values = [ms(r, a, b) for r in requests]
        rows.append(
            (
                name,
                *_spread(values),
                statistics.mean(ms(r, a, b) for r in median_band),
                statistics.mean(ms(r, a, b) for r in slowest),
            )
        )
    waited = sum(1 for r in requests if r.get("lookups", -1) > 0)
    waited_slow = sum(1 for r in slowest if r.get("lookups", -1) > 0)
    batches = [b[1:] for b in seen["batches"] if since <= b[0] <= until]
    engine = [b for b in batches if b[2] >= 0]
    gc_rows = []
    for generation in (0, 1, 2):
        passes = [g[2] for g in seen["gc"] if g[1] == generation and since <= g[0] <= until]
        gc_rows.append((generation, len(passes), sum(passes), max(passes) if passes else 0.0))
    stalls = [s[1] for s in seen["stalls"] if since <= s[0] <= until]
    out = [
        f"{len(requests)} requests after the warm-up, {until - since:.1f} s of load.",
        "",
        markdown_table(
            ["stage (ms)", "p50", "p90", "p99", "max", "median 1 % mean", "slowest 1 % mean"], rows
        ),
        "",
        "Requests that read a team or model themselves or waited for its lookup: "
        f"{waited} ({waited_slow} of the slowest {len(slowest)}).",
        "",
        markdown_table(
            ["batches", "count", "p50", "p90", "p99", "max"],
            [
                ("rows", len(batches), *_spread([b[0] for b in batches])),
                ("aiosqlite calls while open", len(batches), *_spread([b[1] for b in batches])),
                # Only a batch through the engine has these marks: a SQLite batch of plain
                # items is written on the loop's thread in one go (storage/item_writer.py).
                (
                    "through the engine: ms to BEGIN done",
                    len(engine),
                    *_spread([b[2] * 1000 for b in engine]),
                ),
                (
                    "through the engine: ms to rows written",
                    len(engine),
                    *_spread([b[3] * 1000 for b in engine]),
                ),
                ("ms to committed", len(batches), *_spread([b[4] * 1000 for b in batches])),
            ],
        ),
        "",
        markdown_table(["gc generation", "passes", "CPU ms", "longest ms"], gc_rows),
        "",
        f"Event-loop stalls > 3 ms past a 2 ms sleep: {len(stalls)}, "
        f"p50 {pct(stalls, 50):.1f} ms, max {max(stalls, default=0):.1f} ms, "
        f"{sum(stalls):,.0f} ms in all.",
    ]
    return "\n".join(out)


def _spread(values: Sequence[float]) -> tuple[float, float, float, float]:
    return (pct(values, 50), pct(values, 90), pct(values, 99), max(values, default=0.0))


async def drive(args: argparse.Namespace) -> int:
    import aiohttp

    from bench.common import (
        Latency,
        Proc,
        bench_database,
        free_port,
        server_env,
        start_fake_slack,
        wait_port,
        workdir,
    )
    from bench.request_path import Bodies, load

    with workdir("request-tail") as tmp_name:
        tmp = Path(tmp_name)
        out_path = tmp / "probes.json"
        async with contextlib.AsyncExitStack() as stack:
            fake = await start_fake_slack(stack, tmp)
            url = await stack.enter_async_context(
                bench_database(args.database, tmp, label="request_tail", migrate=False)
            )
            port = free_port()
            proc = Proc(
                "infrawork",
                [sys.executable, __file__, "--serve", "serve", "--port", str(port)],
                {**server_env(url, fake.api_url), "REQUEST_TAIL_OUT": str(out_path)},
                tmp,
            )
            stack.callback(proc.stop)
            await wait_port(port, proc)
            session = await stack.enter_async_context(
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(args.concurrency)))
            )
            target = f"http://127.0.0.1:{port}/slack/events"
            bodies = Bodies(fake.api_url.replace("/api/", "/response/r1"))
            await load(session, target, bodies, 8, 2.0)  # warm-up: teams, pools, caches
            print(f"{args.database}, load average {os.getloadavg()[0]:.2f} before")
            windows: list[tuple[int, float, float]] = []
            for level in args.concurrency:
                since = time.time()
                for rep in range(args.reps):
                    run = await load(session, target, bodies, level, args.seconds)
                    lat = Latency.of(run.latencies)
                    print(
                        f"c={level} run {rep + 1}: client p50 {lat.p50:.1f} p99 {lat.p99:.1f} "
                        f"ms, {run.rps:.0f} req/s"
                    )
                windows.append((level, since, time.time()))
            proc.stop()  # the probes write what they saw at exit
            notes = [
                line
                for line in proc.log_path.read_text(errors="replace").splitlines()
                if " WARNING " in line or " ERROR " in line or "failed" in line
            ]
        seen = json.loads(out_path.read_text())
    if notes:
        print(f"\nThe server logged {len(notes)} warnings or failures; the first ones:")
        print("\n".join(notes[:10]))
    for level, since, until in windows:
        print(f"\n## concurrency {level}\n")
        print(report(seen, since, until))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        return serve_with_probes(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=4.0)
    return asyncio.run(drive(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
