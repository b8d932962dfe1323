"""`infrawork demo`, the README's first command: seeds a team and prints its weeks and digest."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.cli import main
from bot.demo import DEMO_ITEMS, DEMO_WORKSPACE
from storage.tables import Team, WorkItem
from storage.uow import Database


async def _counts(url: str) -> tuple[int, int]:
    db = Database(url)
    try:
        async with db.read() as uow:
            teams = await uow.session.scalar(
                select(func.count()).select_from(Team).where(Team.workspace == DEMO_WORKSPACE)
            )
            items = await uow.session.scalar(
                select(func.count())
                .select_from(WorkItem)
                .where(WorkItem.workspace == DEMO_WORKSPACE)
            )
        return int(teams or 0), int(items or 0)
    finally:
        await db.dispose()


def test_demo_prints_the_mix_and_the_full_digest(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "mix by quadrant, last 5 weeks" in out
    assert len(re.findall(r"^week \d+ \(", out, flags=re.M)) == 5
    assert re.search(r"Infra work — #platform-demo — week \d+ \(", out)
    assert re.search(r"(Firefighting|Investment|Principles)", out)
    assert "missed by" in out and "✓ met" in out and "unknown" in out
    assert "What the essay suggests" in out


def test_demo_can_run_again_without_duplicating(tmp_path, monkeypatch, capsys):
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0
    capsys.readouterr()
    assert asyncio.run(_counts(url)) == (1, len(DEMO_ITEMS))
