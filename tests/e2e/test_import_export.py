"""`infrawork export` → `infrawork import` reproduces every item, on SQLite and PostgreSQL, and
moves a database between the two; importing twice adds nothing; bad rows are named, not stored."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services.container import Services
from bot.services.context import Actor
from bot.settings import Settings
from core.model import Principle, Quadrant, Source
from storage.tables import Team, WorkItem
from storage.uow import Database
from tests.support.databases import (
    backend_url,
    create_postgres_database,
    drop_postgres_database,
    is_postgres,
)

ROOT = Path(__file__).resolve().parents[2]


async def cli(*args: str, database_url: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run the real `infrawork` command line against ``database_url``."""
    env = {**os.environ, "DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def _postgres_database() -> str:
    server = backend_url()
    assert server is not None
    return await create_postgres_database(server, "infrawork_import")


async def _drop_postgres_database(url: str) -> None:
    server = backend_url()
    assert server is not None
    await drop_postgres_database(server, url)


@pytest.fixture
async def target_url(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the suite's backend (the importer migrates it)."""
    if is_postgres():
        url = await _postgres_database()
        yield url
        await _drop_postgres_database(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"


async def seed(database_url: str, clock) -> int:
    """Items with every field in use, awkward text for CSV, two workspaces; returns the count."""
    db = Database(database_url)
    services = Services(settings=Settings(_env_file=None), db=db, clock=clock)  # type: ignore[call-arg]
    platform = Actor("T0001", "U0001", channel_id="C0PLATFORM", channel_name="platform")
    storage_team = Actor("T0001", "U0002", channel_id="C0STORAGE", channel_name="storage")
    other = Actor("T0002", "U0009", channel_id="C0OTHER", channel_name="platform")
    texts = [
        (platform, "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday", {}),
        (platform, 'Rewrite the deploy tool, "v2", in Go; phase 1, 2 and 3', {}),
        (
            platform,
            "disk full on db-7\nagain — ünïcödé ✅",
            {
                "source": Source.REACTION,
                "message_ts": "1700000001.000100",
                "permalink": "https://test.slack.com/archives/C0PLATFORM/p1700000001000100",
            },
        ),
        (
            storage_team,
            "Better error messages for the backup CLI",
            {"quadrant": Quadrant.DISCRETIONARY_SHORT, "principles": (Principle.USABILITY,)},
        ),
        (other, "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday", {}),
    ]
    try:
        for number, (actor, item_text, options) in enumerate(texts):
            clock.advance(hours=number + 1, microseconds=123_457)
            captured = await services.capture.add(actor, item_text, **options)
            if number == 1:
                await services.capture.mark_done(actor, captured.item.id)
    finally:
        await db.dispose()
    return len(texts)


def comparable(jsonl: str) -> list[dict]:
    """Export records without the row id (the target numbers its own rows)."""
    records = [json.loads(line) for line in jsonl.splitlines() if line.strip()]
    for record in records:
        record.pop("id")
    return records


async def count_items(url: str) -> int:
    db = Database(url)
    try:
        async with db.read() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(WorkItem)) or 0)
    finally:
        await db.dispose()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_export_then_import_reproduces_every_item(database_url, target_url, clock, fmt):
    seeded = await seed(database_url, clock)
    status, original, _ = await cli("export", "--format", "jsonl", database_url=database_url)
    assert status == 0 and len(comparable(original)) == seeded
    status, dump, _ = await cli("export", "--format", fmt, database_url=database_url)
    assert status == 0

    status, out, err = await cli(
        "import", "--format", fmt, "-", database_url=target_url, stdin=dump.encode()
    )
    assert status == 0, err
    assert f"imported {seeded} item(s), 0 already present, 0 left out" in out

    status, again, _ = await cli("export", "--format", "jsonl", database_url=target_url)
    assert comparable(again) == comparable(original)

    # Importing the same file again adds nothing.
    status, out, _ = await cli(
        "import", "--format", fmt, "-", database_url=target_url, stdin=dump.encode()
    )
    assert status == 0 and f"imported 0 item(s), {seeded} already present" in out
    assert await count_items(target_url) == seeded


async def test_import_recreates_teams_in_their_channel(database_url, target_url, clock):
    await seed(database_url, clock)
    _, dump, _ = await cli("export", database_url=database_url)
    await cli("import", "-", database_url=target_url, stdin=dump.encode())
    db = Database(target_url)
    try:
        async with db.read() as uow:
            teams = (await uow.session.scalars(select(Team).order_by(Team.id))).all()
    finally:
        await db.dispose()
    assert sorted((t.workspace, t.name, t.home_channel) for t in teams) == [
        ("T0001", "#platform", "C0PLATFORM"),
        ("T0001", "#storage", "C0STORAGE"),
        ("T0002", "#platform", "C0OTHER"),
    ]


async def test_bad_records_are_named_and_the_rest_imported(target_url):
    good = {
        "id": 1,
        "workspace": "T0001",
        "team": "#platform",
        "text": "Rotate the CA before it expires next quarter",
        "quadrant": "forced_long",
        "principles": ["security"],
        "source": "slash_command",
        "channel": "C0PLATFORM",
        "message_ts": None,
        "permalink": None,
        "created_by": "U0001",
        "created_at": "2026-11-20T10:00:00.250000+00:00",
        "confidence": 0.8,
        "rationale": "why",
        "status": "open",
    }
    lines = [
        json.dumps(good),
        "not json",
        json.dumps({**good, "quadrant": "urgent"}),
        json.dumps({**good, "text": ""}),
        json.dumps({**good, "created_at": "last tuesday", "text": "other"}),
    ]
    status, out, err = await cli(
        "import", "-", database_url=target_url, stdin="\n".join(lines).encode()
    )
    assert status == 1
    assert "imported 1 item(s), 0 already present, 4 left out" in out
    assert "line 2: not a JSON object" in err
    assert "line 3: 'quadrant' is 'urgent'; expected one of forced_short" in err
    assert "line 4: 'text' is missing" in err
    assert "line 5: 'created_at' is not an ISO 8601 time" in err
    assert await count_items(target_url) == 1


async def test_a_csv_without_the_exports_header_is_refused(target_url):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["text"], ["something"]])
    status, _out, err = await cli(
        "import", "--format", "csv", "-", database_url=target_url, stdin=buffer.getvalue().encode()
    )
    assert status == 1 and "row 1: the CSV header lacks workspace" in err
    assert await count_items(target_url) == 0


@pytest.mark.skipif(not is_postgres(), reason="needs TEST_DATABASE_URL=postgresql+asyncpg://…")
async def test_moving_from_sqlite_to_postgres_and_back(tmp_path, clock):
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'laptop.db'}"
    await cli("db", "upgrade", database_url=sqlite_url)
    seeded = await seed(sqlite_url, clock)
    _, original, _ = await cli("export", database_url=sqlite_url)

    pg_url = await _postgres_database()
    try:
        status, _out, err = await cli("import", "-", database_url=pg_url, stdin=original.encode())
        assert status == 0, err
        _, on_postgres, _ = await cli("export", database_url=pg_url)
        assert comparable(on_postgres) == comparable(original)

        back_url = f"sqlite+aiosqlite:///{tmp_path / 'back.db'}"
        await cli("import", "-", database_url=back_url, stdin=on_postgres.encode())
        _, back, _ = await cli("export", database_url=back_url)
        assert comparable(back) == comparable(original)
        assert len(comparable(back)) == seeded
    finally:
        await _drop_postgres_database(pg_url)
