"""What every benchmark shares: processes, databases, percentiles, signed requests, tables.

Benchmarks are scripts (``.venv/bin/python bench/<name>.py [--quick]``); this module puts the
repository root on ``sys.path`` so they can import the project and its test support (the
recording fake Web API and Slack's request signing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.signing import SIGNING_SECRET, sign  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
BOT_TOKEN = "xoxb-bench-0000"  # a fake token for the fake Slack
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgres")

__all__ = [
    "BACKENDS",
    "BOT_TOKEN",
    "PYTHON",
    "ROOT",
    "SIGNING_SECRET",
    "Latency",
    "Proc",
    "Server",
    "backends_from",
    "bench_database",
    "common_args",
    "free_port",
    "machine_line",
    "markdown_table",
    "percentile",
    "postgres_reachable",
    "sign",
    "wait_port",
]


# -- statistics ------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) of ``values`` by linear interpolation between ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Latency:
    """Percentiles of one run, in milliseconds."""

    p50: float
    p95: float
    p99: float
    max: float
    count: int

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = [s * 1000 for s in seconds]
        return cls(
            p50=percentile(ms, 50),
            p95=percentile(ms, 95),
            p99=percentile(ms, 99),
            max=max(ms) if ms else math.nan,
            count=len(ms),
        )


def median(values: Iterable[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


# -- output ----------------------------------------------------------------------------------
def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return "—"
            return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_line() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def common_args(description: str, *, default_backends: str = "both") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI: under a minute)")
    parser.add_argument(
        "--database",
        default=default_backends,
        choices=("sqlite", "postgres", "both"),
        help="which backend(s) to measure (postgres: $BENCH_POSTGRES_URL or local 127.0.0.1)",
    )
    return parser


def backends_from(choice: str) -> list[str]:
    """The backends to run; PostgreSQL is skipped (with a note) when 'both' and it is down."""
    wanted = list(BACKENDS) if choice == "both" else [choice]
    if "postgres" in wanted and not postgres_reachable():
        if choice == "postgres":
            raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
        print(f"note: PostgreSQL not reachable at {POSTGRES_ADMIN_URL}; measuring SQLite only")
        wanted.remove("postgres")
    return wanted


# -- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_port(port: int, proc: Proc | None = None, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(
                f"{proc.name} exited with {proc.popen.returncode}:\n{proc.log_tail()}"
            )
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on port {port}") from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


class Proc:
    """A child process whose output goes to a log file and whose peak RSS we can read."""

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.stop_signal = signal.SIGTERM
        self.log_path = cwd / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            list(argv),
            env={**os.environ, **env},
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def status_kib(self, field: str) -> int | None:
        """A ``/proc/<pid>/status`` field in KiB (VmHWM = peak resident set size)."""
        try:
            text = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return None

    def peak_rss_mb(self) -> float:
        kib = self.status_kib("VmHWM")
        return kib / 1024 if kib is not None else math.nan

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.popen.poll() is None:
            self.popen.send_signal(self.stop_signal)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()
        return self.popen.returncode


def workdir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=f"infrawork-bench-{prefix}-")


# -- databases -------------------------------------------------------------------------------
def postgres_reachable() -> bool:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_ADMIN_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


@contextlib.asynccontextmanager
async def bench_database(
    backend: str, directory: Path, *, label: str = "bench", migrate: bool = True
) -> AsyncIterator[str]:
    """A fresh, empty (migrated) database URL, removed afterwards.

    SQLite: a file in ``directory``. PostgreSQL: a database of its own on the local server.
    """
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from tests.support.databases import create_postgres_database, drop_postgres_database

    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / (label + '.db')}"
    else:
        url = await create_postgres_database(POSTGRES_ADMIN_URL, f"infrawork_{label}")
    try:
        if migrate:
            engine = make_engine(url)
            try:
                await upgrade(engine)
            finally:
                await engine.dispose()
        yield url
    finally:
        if backend != "sqlite":
            await drop_postgres_database(POSTGRES_ADMIN_URL, url)


async def count_rows(url: str, table: str) -> int:
    from sqlalchemy import text

    from storage.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await engine.dispose()


def server_env(database_url: str, api_url: str) -> dict[str, str]:
    """The environment `infrawork serve` gets: fake Slack, loopback only, no scheduler.

    Logging stays at its default (INFO), as deployed.
    """
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "SCHEDULER_ENABLED": "false",
    }


def signed_headers(body: str, content_type: str | None = None) -> dict[str, str]:
    if content_type is None:
        content_type = (
            "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
        )
    return {"Content-Type": content_type, **sign(body)}


# -- the processes under test ----------------------------------------------------------------
@dataclass
class FakeSlackProc:
    proc: Proc
    port: int
    api_url: str

    async def calls(self) -> dict[str, int]:
        """Web API calls the fake has recorded so far, per method."""
        import aiohttp

        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{self.port}/bench/calls") as r,
        ):
            return dict(await r.json())


async def start_fake_slack(
    stack: contextlib.AsyncExitStack, tmp: Path, *extra: str
) -> FakeSlackProc:
    """The recording fake Web API in a process of its own (bench/servers.py fake-slack)."""
    import aiohttp

    port = free_port()
    proc = Proc(
        "fake-slack",
        [PYTHON, str(ROOT / "bench/servers.py"), "fake-slack", "--port", str(port), *extra],
        {},
        tmp,
    )
    stack.callback(proc.stop)
    await wait_port(port, proc)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/bench/api-url") as r,
    ):
        api_url = str((await r.json())["api_url"])
    return FakeSlackProc(proc, port, api_url)


@dataclass
class Server:
    name: str
    proc: Proc
    port: int
    database_url: str | None = None

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


async def start_infrawork(
    stack: contextlib.AsyncExitStack,
    tmp: Path,
    backend: str,
    api_url: str,
    *,
    label: str,
    argv: Sequence[str] | None = None,
) -> Server:
    """`infrawork serve --port N` on a fresh database of ``backend`` (it migrates it itself)."""
    url = await stack.enter_async_context(bench_database(backend, tmp, label=label, migrate=False))
    port = free_port()
    proc = Proc(
        f"infrawork-{backend}",
        [*(argv or [str(BIN / "infrawork"), "serve"]), "--port", str(port)],
        server_env(url, api_url),
        tmp,
    )
    stack.callback(proc.stop)
    await wait_port(port, proc)
    return Server(f"infrawork ({backend})", proc, port, url)


def log_errors(procs: Sequence[Proc], lines: int = 40) -> str:
    """The end of each process's log from its first error on (a traceback, an ERROR line), for a
    failed check: the logs live in a temporary directory that is gone once the benchmark ends."""
    out = []
    for proc in procs:
        text = proc.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        first = next(
            (i for i, line in enumerate(text) if "Traceback" in line or " ERROR " in line), None
        )
        if first is not None:
            out.append(f"--- {proc.log_path.name}, from line {first + 1}:")
            out += text[first : first + lines]
    return "\n".join(out)


def finish(problems: Sequence[str], warnings: Sequence[str] = ()) -> int:
    """Print overload warnings and correctness problems; the exit code fails only on problems."""
    if warnings:
        print("\nOVERLOAD (reported, not a failed check):")
        for warning in warnings:
            print(f"- {warning}")
    if problems:
        print("\nCORRECTNESS PROBLEMS:")
        for problem in problems:
            print(f"- {problem}")
        return 1
    return 0
