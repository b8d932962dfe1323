"""`infrawork classify` is the same classifier as a capture: run as the real command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.services.capture import CaptureService
from bot.services.context import Actor
from bot.services.learning import TeamModels
from core.classify import classify
from core.model import Quadrant
from storage.uow import Database
from tests.e2e.test_import_export import cli

TEXTS = [
    "Upgrade etcd to 3.5 before EOL",
    "ugh prod-db-3 disk at 97% again",
    "migrate to a streaming pipeline for the events store",
    "add a runbook link to the disk alert",
]


def _lines(*records: dict[str, object]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


async def test_jsonl_gives_what_the_classifier_gives(database_url: str) -> None:
    status, out, err = await cli(
        "classify",
        "--jsonl",
        "-",
        database_url=database_url,
        stdin=_lines(*({"text": t} for t in TEXTS)),
    )
    assert status == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(TEXTS)
    for text, got in zip(TEXTS, results, strict=True):
        want = classify(text, logged_at=datetime.now(UTC)).as_json()
        assert got == want
        assert set(got) >= {"quadrant", "confidence", "principles", "signals"}
        assert got["signals"], "every answer says why"


async def test_a_bad_line_gets_an_error_line_and_the_rest_are_still_classified(
    database_url: str,
) -> None:
    stdin = b'{"text": "rotate the leaked deploy key now"}\nnot json\n{"txt": 1}\n\n' + _lines(
        {"text": "cert expires", "logged_at": "yesterday"}, {"text": TEXTS[0]}
    )
    status, out, err = await cli("classify", "--jsonl", "-", database_url=database_url, stdin=stdin)
    assert status == 1
    results = [json.loads(line) for line in out.splitlines()]
    assert [("error" in r) for r in results] == [False, True, True, True, False]
    assert results[0]["quadrant"] == Quadrant.FORCED_SHORT.value
    assert "line 2:" in err and "line 3:" in err and "line 5:" in err and "ISO 8601" in err


async def test_a_lines_logged_at_anchors_its_dates(database_url: str) -> None:
    text = "the VPN certificate expires on 2026-12-01, renew it"
    stdin = _lines(
        {"text": text, "logged_at": "2026-11-27T09:00:00Z"},
        {"text": text, "created_at": "2026-03-02T09:00:00+00:00"},
    )
    status, out, err = await cli("classify", "--jsonl", "-", database_url=database_url, stdin=stdin)
    assert status == 0, err
    soon, far = (json.loads(line) for line in out.splitlines())
    assert soon["quadrant"] == Quadrant.FORCED_SHORT.value
    assert far["quadrant"] == Quadrant.FORCED_LONG.value


async def test_team_applies_that_teams_corrections(database_url: str, clock) -> None:
    actor = Actor(workspace="T1", user_id="U1", channel_id="C1", channel_name="platform")
    text = "hermes queue consumer lag on the ledger topic"
    db = Database(database_url)
    try:
        capture = CaptureService(db, clock, TeamModels())
        first = await capture.add(actor, text)
        target = next(q for q in Quadrant if q is not first.classification.quadrant)
        for n in range(6):
            captured = await capture.add(actor, f"{text} {n}")
            await capture.change_quadrant(actor, captured.item.id, target)
        team_id = first.team.id
    finally:
        await db.dispose()
    stdin = _lines({"text": text})
    _, plain, _ = await cli("classify", "--jsonl", "-", database_url=database_url, stdin=stdin)
    status, taught, err = await cli(
        "classify", "--jsonl", "-", "--team", str(team_id), database_url=database_url, stdin=stdin
    )
    assert status == 0, err
    assert json.loads(plain)["quadrant"] == first.classification.quadrant.value
    result = json.loads(taught)
    assert result["quadrant"] == target.value
    assert any("your team" in s for s in result["signals"]), result["signals"]
