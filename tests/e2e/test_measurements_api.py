"""`POST /api/v1/measurements` end to end: a token made with `/infrawork token`, then real HTTP."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.runtime import Runtime
from storage.tables import ApiToken, Measurement
from tests.support.fake_slack import FakeSlack
from tests.support.signing import post_signed, slash_command_body

PATH = "/api/v1/measurements"


async def command(
    http: aiohttp.ClientSession, runtime: Runtime, slack: FakeSlack, text: str, **kw: str
) -> dict:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = slash_command_body(escaped, response_url=slack.response_url(), **kw)
    status, raw = await post_signed(http, runtime.url + "/slack/events", body)
    assert status == 200, raw
    return json.loads(raw)


async def new_token(http, runtime, slack, **kw: str) -> str:
    answer = await command(http, runtime, slack, "token", **kw)
    assert answer["response_type"] == "ephemeral"
    match = re.search(r"```(iwk_[A-Za-z0-9_-]+)```", answer["text"])
    assert match, answer["text"]
    return match.group(1)


async def push(
    http: aiohttp.ClientSession,
    runtime: Runtime,
    body: Any,
    token: str | None,
    *,
    raw: bytes | None = None,
) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body).encode()
    async with http.post(runtime.url + PATH, data=data, headers=headers) as response:
        text = await response.text()
        return response.status, (json.loads(text) if text.startswith("{") else {"raw": text})


async def measurements(runtime: Runtime) -> list[Measurement]:
    async with runtime.db.read() as uow:
        return list((await uow.session.scalars(select(Measurement))).all())


async def setup_team(http, runtime, slack, **kw: str) -> str:
    await command(http, runtime, slack, "baseline set reliability availability >= 99.9%", **kw)
    await command(http, runtime, slack, "baseline set latency checkout-p99 <= 300ms", **kw)
    return await new_token(http, runtime, slack, **kw)


async def test_token_is_shown_once_and_stored_hashed(running, slack, http):
    token = await new_token(http, running, slack)
    async with running.db.read() as uow:
        [row] = (await uow.session.scalars(select(ApiToken))).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([row.token_hash, row.created_by, row.workspace])
    assert row.revoked_at is None


async def test_a_single_measurement_and_a_batch_are_stored(running, slack, http, clock):
    token = await setup_team(http, running, slack)
    status, body = await push(http, running, {"principle": "reliability", "value": 99.86}, token)
    assert status == 201, body
    assert body["stored"] == 1
    assert body["measurements"][0]["status"] == "missed"
    assert body["measurements"][0]["display"] == "99.86%"

    status, body = await push(
        http,
        running,
        {
            "measurements": [
                {
                    "principle": "latency",
                    "value": "0.25s",
                    "measured_at": "2026-11-20T10:00:00+01:00",
                },
                {"principle": "reliability", "value": 99.95},
            ]
        },
        token,
    )
    assert status == 201, body
    assert [m["status"] for m in body["measurements"]] == ["met", "met"]
    stored = sorted(
        (m.principle, m.value, m.measured_at, m.source) for m in await measurements(running)
    )
    assert stored == [
        ("latency", 250.0, datetime(2026, 11, 20, 9, tzinfo=UTC), "api"),
        ("reliability", 99.86, clock.now(), "api"),
        ("reliability", 99.95, clock.now(), "api"),
    ]
    listing = json.dumps(await command(http, running, slack, "baseline list"), ensure_ascii=False)
    assert "99.95% ✓ met" in listing


async def test_wrong_or_missing_token_is_401(running, slack, http):
    token = await setup_team(http, running, slack)
    good = {"principle": "reliability", "value": 99.9}
    for attempt in (None, "", "iwk_not-a-real-token", token + "x"):
        status, body = await push(http, running, good, attempt)
        assert status == 401, (attempt, body)
    async with http.post(
        running.url + PATH, json=good, headers={"Authorization": f"Basic {token}"}
    ) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    # Rotating revokes the old token.
    rotated = await command(http, running, slack, "token")
    assert "previous token no longer works" in rotated["text"]
    assert (await push(http, running, good, token))[0] == 401
    assert await measurements(running) == []


async def test_bad_bodies_are_422_with_the_reason_and_nothing_partial(running, slack, http):
    token = await setup_team(http, running, slack)
    cases: list[tuple[Any, str]] = [
        ({"principle": "reliability"}, "value"),
        ({"principle": "speed", "value": 1}, "principle"),
        ({"principle": "reliability", "value": True}, "value"),
        (
            {"principle": "reliability", "value": 99.9, "measured_at": "2026-11-20T10:00:00"},
            "timezone",
        ),
        ({"principle": "reliability", "value": 99.9, "measured_at": "yesterday"}, "measured_at"),
        ({"principle": "reliability", "value": 99.9, "extra": 1}, "extra"),
        ({"principle": "reliability", "value": "fast"}, "isn't a measurement"),
        ({"principle": "latency", "value": "99%"}, "is in %"),
        ({"principle": "reliability", "value": 1e300}, "out of range"),
        ({"principle": "security", "value": 0}, "no baseline for security"),
        (
            {"principle": "reliability", "value": 99.9, "measured_at": "2030-01-01T00:00:00Z"},
            "future",
        ),
        ({"measurements": []}, "measurements"),
        ([1, 2], "dictionary"),
        (
            {
                "measurements": [
                    {"principle": "reliability", "value": 99.99},
                    {"principle": "latency", "value": "slow"},
                ]
            },
            "measurements[1]",
        ),
    ]
    for body, reason in cases:
        status, answer = await push(http, running, body, token)
        assert status == 422, (body, answer)
        assert reason in json.dumps(answer), (body, answer)
    status, answer = await push(http, running, None, token, raw=b"{not json")
    assert status == 422 and "not JSON" in answer["error"]
    status, answer = await push(
        http, running, None, token, raw=b'{"principle": "reliability", "value": NaN}'
    )
    assert status == 422
    assert await measurements(running) == [], "nothing partial is stored"


async def test_a_token_writes_only_to_its_own_team(running, slack, http):
    ours = await setup_team(http, running, slack)
    theirs = await setup_team(http, running, slack, team_id="T0002")
    assert (await push(http, running, {"principle": "latency", "value": 120}, ours))[0] == 201
    assert (await push(http, running, {"principle": "latency", "value": 900}, theirs))[0] == 201
    stored = {(m.workspace, m.value) for m in await measurements(running)}
    assert stored == {("T0001", 120.0), ("T0002", 900.0)}
    other = json.dumps(
        await command(http, running, slack, "baseline list", team_id="T0002"), ensure_ascii=False
    )
    assert "900 ms ✗ missed by 600 ms" in other and "120 ms" not in other

    # An uninstalled workspace's token stops working.
    async with running.db.uow() as uow:
        await uow.workspaces.set_active("T0002", False, datetime(2026, 11, 23, tzinfo=UTC))
        await uow.commit()
    assert (await push(http, running, {"principle": "latency", "value": 1}, theirs))[0] == 401
