"""Request path: signed `/infrawork add` against the real server and against a bare Bolt app.

    .venv/bin/python bench/request_path.py [--quick] [--database sqlite|postgres|both]

One run starts, as separate processes on 127.0.0.1: the recording fake Web API, a bare Bolt app
that only acks `/infrawork` (Bolt's own aiohttp adapter, signature verification on, the same
``process_before_response`` as infrawork), and `infrawork serve` on each backend. This process is
the load generator: a closed loop of N workers (N = concurrency 1, 16, 64) posting signed slash
commands for a fixed time per run, targets interleaved and their order rotated each repetition.
Reported numbers are medians over the repetitions.

Correctness, checked on every run (exit status 1 otherwise): every acked `add` is a new row in
`work_items` (the count grows by at least the number of 200 answers), no answer other than 200 or
Bolt's 404 for "not acked within 3 s", and a sequential probe sees the item in the database the
moment its ack arrives (committed before the ack). Overload is reported, not failed: answers
slower than Slack's 3 s, Bolt's 404s, and items committed for requests answered too late.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import (
    BIN,
    PYTHON,
    ROOT,
    FakeSlackProc,
    Latency,
    Proc,
    backends_from,
    bench_database,
    common_args,
    finish,
    free_port,
    log_errors,
    machine_line,
    markdown_table,
    median,
    server_env,
    signed_headers,
    start_fake_slack,
    wait_port,
    workdir,
)
from tests.support.signing import slash_command_body

LEVELS = (1, 16, 64)
CHANNELS = 16
USERS = 40
TEXTS = (
    "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday",
    "Paged: disk full on db-7, cleared old WAL segments",
    "Upgrade Postgres 12 before end of life in March",
    "Better error message when deploys fail on a missing secret",
    "Migrate the batch billing pipeline to streaming",
    "Tweak the p99 latency alert threshold for checkout",
    "Incident: API gateway 502s after the load balancer change",
    "Plan capacity for next year's traffic growth",
    "Write the runbook for rotating the Kafka certificates",
    "Automate the weekly restore test of the backups",
    "Add retries to the flaky artifact upload step",
    "SOC 2 evidence collection for the access reviews",
)


@dataclass
class Target:
    name: str
    url: str
    proc: Proc
    database_url: str | None = None
    """The database an infrawork target writes to (None for bare Bolt)."""


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    failed: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


class Bodies:
    """Distinct slash-command bodies across a few channels (teams) and people."""

    def __init__(self, response_url: str) -> None:
        self._n = itertools.count()
        self.response_url = response_url

    def next(self) -> str:
        n = next(self._n)
        channel = n % CHANNELS
        return slash_command_body(
            f"add {TEXTS[n % len(TEXTS)]} (#{n})",
            channel_id=f"C{channel:04d}",
            channel_name=f"team-{channel}",
            user_id=f"U{n % USERS:04d}",
            response_url=self.response_url,
            trigger_id=f"t.{n}",
        )


async def load(
    session: aiohttp.ClientSession, url: str, bodies: Bodies, concurrency: int, seconds: float
) -> Run:
    """A closed loop: ``concurrency`` workers post back to back for ``seconds``."""
    run = Run()
    start = time.perf_counter()
    deadline = start + seconds
    last_done = start

    async def worker() -> None:
        nonlocal last_done
        while time.perf_counter() < deadline:
            body = bodies.next()
            t0 = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=signed_headers(body)) as r:
                await r.read()
                status = r.status
            t1 = time.perf_counter()
            run.latencies.append(t1 - t0)
            last_done = max(last_done, t1)
            run.statuses[status] += 1
            if status == 200:
                run.ok += 1
            else:
                run.failed += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.elapsed = last_done - start
    return run


class ItemCounter:
    """Counts work_items from this (load generator) process, outside the timed part."""

    def __init__(self, url: str) -> None:
        from storage.engine import make_engine

        self.engine = make_engine(url)

    async def count(self) -> int:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM work_items"))).scalar_one())

    async def close(self) -> None:
        await self.engine.dispose()


async def probe_commit_before_ack(
    session: aiohttp.ClientSession, target: Target, counter: ItemCounter, bodies: Bodies, n: int
) -> list[str]:
    """Sequential adds: the row must be readable the moment the ack arrives."""
    problems = []
    for _ in range(n):
        before = await counter.count()
        body = bodies.next()
        async with session.post(target.url, data=body.encode(), headers=signed_headers(body)) as r:
            await r.read()
            status = r.status
        after = await counter.count()
        if status != 200 or after != before + 1:
            problems.append(f"{target.name}: ack {status}, items {before} → {after}")
    return problems


@dataclass(frozen=True)
class Profile:
    """Run servers under py-spy, collapsed stacks to ``<dir>/<process name>.txt``."""

    dir: str
    rate: int
    nonblocking: bool = False
    bare_bolt: bool = False
    """Profile the bare Bolt app too (the infrawork servers always are)."""

    def wraps(self, name: str) -> bool:
        return name != "bare-bolt" or self.bare_bolt

    def argv(self, name: str, argv: list[str]) -> list[str]:
        # py-spy does not create the folder: without it, it profiles, then writes nothing.
        Path(self.dir).mkdir(parents=True, exist_ok=True)
        return [
            str(BIN / "py-spy"),
            "record",
            "--format",
            "raw",
            "--rate",
            str(self.rate),
            "--subprocesses",
            *(["--nonblocking"] if self.nonblocking else []),
            "-o",
            str(Path(self.dir).absolute() / f"{name}.txt"),
            "--",
            *argv,
        ]


@dataclass
class Servers:
    """The processes of a request benchmark, all serving; stopped by the exit stack."""

    fake: FakeSlackProc
    targets: list[Target]
    """The bare Bolt app first, then `infrawork serve` per backend in the order given."""
    counters: dict[str, ItemCounter]
    """Committed-row counters of the infrawork targets, by target name."""

    @property
    def response_url(self) -> str:
        return self.fake.api_url.replace("/api/", "/response/r1")


async def start_servers(
    stack: contextlib.AsyncExitStack,
    tmp: Path,
    backends: list[str],
    label: str,
    *,
    process_before_response: bool = False,
    profile: Profile | None = None,
) -> Servers:
    """Start the fake Web API, the bare Bolt app and one `infrawork serve` per backend on a
    fresh database (``label`` names it); return once every target's port answers."""
    fake = await start_fake_slack(stack, tmp)

    def start(name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        wrapped = profile is not None and profile.wraps(name)
        if profile is not None and wrapped:
            argv = profile.argv(name, argv)
        proc = Proc(name, argv, env or {}, tmp)
        if wrapped:
            proc.stop_signal = signal.SIGINT  # py-spy writes its output on SIGINT
        stack.callback(proc.stop)
        return proc

    servers = [PYTHON, str(ROOT / "bench/servers.py")]
    pbr = ["--process-before-response"] if process_before_response else []
    ports: list[int] = []
    targets: list[Target] = []
    bolt_port = free_port()
    bolt_argv = [*servers, "bare-bolt", "--port", str(bolt_port), "--api-url", fake.api_url, *pbr]
    bolt = start("bare-bolt", bolt_argv)
    targets.append(Target("bare Bolt", f"http://127.0.0.1:{bolt_port}/slack/events", bolt))
    ports.append(bolt_port)
    for backend in backends:
        url = await stack.enter_async_context(
            bench_database(backend, tmp, label=label, migrate=False)
        )
        port = free_port()
        argv = [str(BIN / "infrawork"), "serve", "--port", str(port)]
        if process_before_response:
            argv = [*servers, "infrawork", "--port", str(port), *pbr]
        proc = start(f"infrawork-{backend}", argv, server_env(url, fake.api_url))
        targets.append(
            Target(f"infrawork ({backend})", f"http://127.0.0.1:{port}/slack/events", proc, url)
        )
        ports.append(port)
    for port, target in zip(ports, targets, strict=True):
        await wait_port(port, target.proc)

    counters: dict[str, ItemCounter] = {}
    for target in targets:
        if target.database_url is not None:
            counter = ItemCounter(target.database_url)
            stack.push_async_callback(counter.close)
            counters[target.name] = counter
    return Servers(fake, targets, counters)


async def bench(args: object) -> int:
    quick = bool(getattr(args, "quick", False))
    backends = backends_from(str(getattr(args, "database", "both")))
    reps = int(getattr(args, "reps", 0) or (2 if quick else 5))
    seconds = float(getattr(args, "seconds", 0) or (1.0 if quick else 4.0))
    pbr = bool(getattr(args, "process_before_response", False))
    profile_dir = getattr(args, "profile", None)
    profile = Profile(profile_dir, 250) if profile_dir else None  # the infrawork servers only
    problems: list[str] = []
    warnings: list[str] = []

    with workdir("request-path") as tmp_name:
        async with contextlib.AsyncExitStack() as stack:
            tmp = Path(tmp_name)
            servers = await start_servers(
                stack, tmp, backends, "request_path", process_before_response=pbr, profile=profile
            )
            targets, counters = servers.targets, servers.counters
            session = await stack.enter_async_context(
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(LEVELS)))
            )
            response_url = servers.response_url

            bodies = Bodies(response_url)
            # Warm up: create every channel's team, fill pools and caches.
            for target in targets:
                warm = await load(session, target.url, bodies, 8, 0.5 if quick else 2.0)
                if warm.failed:
                    problems.append(f"{target.name}: {warm.failed} failed warm-up requests")

            runs: dict[tuple[str, int], list[Run]] = {}
            for rep in range(reps):
                for level in LEVELS:
                    order = targets[rep % len(targets) :] + targets[: rep % len(targets)]
                    for target in order:
                        counter = counters.get(target.name)
                        before = await counter.count() if counter else 0
                        run = await load(session, target.url, bodies, level, seconds)
                        runs.setdefault((target.name, level), []).append(run)
                        unexpected = {
                            code: n for code, n in run.statuses.items() if code not in (200, 404)
                        }
                        if unexpected:
                            problems.append(f"{target.name} c={level}: answers {unexpected}")
                        if run.statuses[404]:
                            # Bolt answers 404 when a listener has not acked within 3 s.
                            warnings.append(
                                f"{target.name} c={level}: {run.statuses[404]} requests not acked "
                                "within Bolt's 3 s (answered 404)"
                            )
                        if counter is not None:
                            after = await counter.count()
                            if after - before < run.ok:
                                problems.append(
                                    f"{target.name} c={level}: {run.ok} acked adds but only "
                                    f"{after - before} new items"
                                )
                            elif after - before > run.ok:
                                warnings.append(
                                    f"{target.name} c={level}: {after - before - run.ok} items "
                                    "committed for requests that were not acked in time"
                                )
                    print(f"  rep {rep + 1}/{reps} c={level} done", file=sys.stderr)

            for target in targets:
                counter = counters.get(target.name)
                if counter is not None:
                    problems += await probe_commit_before_ack(
                        session, target, counter, bodies, 10 if quick else 50
                    )

            fake_calls = await servers.fake.calls()
            if problems:
                print(log_errors([t.proc for t in targets]) or "(no errors in the servers' logs)")
            rss = {t.name: t.proc.peak_rss_mb() for t in targets}
            cpu = {t.name: t.proc.cpu_seconds() for t in targets}

    print(report(targets, runs, rss, cpu, fake_calls, reps, seconds, quick, pbr))
    return finish(problems, warnings)


def report(
    targets: list[Target],
    runs: dict[tuple[str, int], list[Run]],
    rss: dict[str, float],
    cpu: dict[str, float],
    fake_calls: dict[str, int],
    reps: int,
    seconds: float,
    quick: bool,
    pbr: bool,
) -> str:
    def stat(name: str, level: int) -> tuple[float, float, float, float, int, int]:
        rs = runs[(name, level)]
        lat = [Latency.of(r.latencies) for r in rs]
        return (
            median(x.p50 for x in lat),
            median(x.p95 for x in lat),
            median(x.p99 for x in lat),
            median(r.rps for r in rs),
            sum(r.ok for r in rs),
            sum(1 for r in rs for t in r.latencies if t > 3.0),
        )

    out = [
        f"Machine: {machine_line()}. Mode: {'quick' if quick else 'full'}; {reps} repetitions × "
        f"{seconds:g} s per run, medians shown; process_before_response={pbr}.",
        "",
        markdown_table(
            ["target", "concurrency", "p50 ms", "p95 ms", "p99 ms", "req/s", "acked", "> 3 s"],
            [(t.name, level, *stat(t.name, level)) for level in LEVELS for t in targets],
        ),
        "",
    ]
    bolt = targets[0].name
    rows = []
    for target in targets[1:]:
        for level in LEVELS:
            _, _, p99, rps, _, _ = stat(target.name, level)
            _, _, bp99, brps, _, _ = stat(bolt, level)
            p99_ratio = p99 / bp99 if bp99 else float("nan")
            rps_ratio = rps / brps if brps else float("nan")
            rows.append(
                (
                    target.name,
                    level,
                    p99_ratio,
                    "✓" if p99_ratio <= 2 else "✗",
                    rps_ratio,
                    "✓" if rps_ratio >= 0.5 else "✗",
                )
            )
    out += [
        markdown_table(
            ["vs bare Bolt", "concurrency", "p99 ratio", "≤ 2×", "throughput ratio", "≥ 0.5×"],
            rows,
        ),
        "",
        markdown_table(
            ["process", "peak RSS MB", "< 150 MB", "CPU s"],
            [
                (t.name, rss[t.name], "✓" if rss[t.name] < 150 else "✗", cpu[t.name])
                for t in targets
            ],
        ),
        "",
        f"Fake Web API calls during the run: {json.dumps(fake_calls, sort_keys=True)}",
    ]
    return "\n".join(out)


def main() -> int:
    parser = common_args(__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=0, help="repetitions (default 2 quick, 5 full)")
    parser.add_argument("--seconds", type=float, default=0, help="seconds per run")
    parser.add_argument(
        "--process-before-response",
        action="store_true",
        help="experiment: run both apps with Bolt's process_before_response=True (infrawork "
        "then runs through bench/servers.py, which flips the setting)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run each infrawork server under py-spy and write collapsed stacks to DIR",
    )
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
