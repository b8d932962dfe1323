"""`/infrawork baseline set|record|list` end to end, over signed requests into the real app."""

from __future__ import annotations

import json

import aiohttp
from sqlalchemy import select

from bot.runtime import Runtime
from storage.tables import BaselineRow, Measurement
from tests.support.fake_slack import FakeSlack
from tests.support.signing import post_signed, slash_command_body


async def command(
    http: aiohttp.ClientSession, runtime: Runtime, slack: FakeSlack, text: str, **kw: str
) -> dict:
    # Slack escapes &, < and > in a slash command's text, as here.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = slash_command_body(escaped, response_url=slack.response_url(), **kw)
    status, raw = await post_signed(http, runtime.url + "/slack/events", body)
    assert status == 200, raw
    answer = json.loads(raw)
    assert answer["response_type"] == "ephemeral"
    return answer


def said(answer: dict) -> str:
    return answer.get("text", "") + json.dumps(answer.get("blocks", []), ensure_ascii=False)


async def stored(runtime: Runtime) -> tuple[list[BaselineRow], list[Measurement]]:
    async with runtime.db.read() as uow:
        baselines = (await uow.session.scalars(select(BaselineRow))).all()
        measurements = (await uow.session.scalars(select(Measurement))).all()
    return list(baselines), list(measurements)


async def test_set_replace_record_and_list(running, slack, http):
    answer = await command(http, running, slack, "baseline set reliability availability >= 99.9%")
    assert "reliability" in said(answer) and "availability ≥ 99.9%" in said(answer)
    await command(http, running, slack, "baseline set latency checkout-p99 <= 300ms")

    replaced = await command(
        http, running, slack, "baseline set reliability availability >= 99.95%"
    )
    assert "replaces availability ≥ 99.9%" in said(replaced)
    baselines, _ = await stored(running)
    assert sorted((b.principle, b.indicator, b.op, b.target, b.unit) for b in baselines) == [
        ("latency", "checkout-p99", "<=", 300.0, "ms"),
        ("reliability", "availability", ">=", 99.95, "%"),
    ]

    missed = await command(http, running, slack, "baseline record reliability 99.86%")
    assert "✗ missed by 0.09 pt" in said(missed)
    met = await command(http, running, slack, "baseline record latency 0.28s")
    assert "280 ms" in said(met) and "✓ met" in said(met)
    _, measurements = await stored(running)
    assert sorted((m.principle, m.value, m.source) for m in measurements) == [
        ("latency", 280.0, "slash_command"),
        ("reliability", 99.86, "slash_command"),
    ]

    listing = said(await command(http, running, slack, "baseline list"))
    assert "availability ≥ 99.95%" in listing and "99.86% ✗ missed by 0.09 pt" in listing
    assert "checkout p99 ≤ 300 ms" in listing and "280 ms ✓ met" in listing
    for principle in ("security", "usability", "efficiency"):
        assert f"*{principle}* — no baseline yet" in listing


async def test_unknown_when_nothing_measured_this_week(running, slack, http, clock):
    await command(http, running, slack, "baseline set security open-critical-cves <= 0")
    await command(http, running, slack, "baseline record security 0")
    clock.advance(days=7)
    listing = said(await command(http, running, slack, "baseline list"))
    assert "unknown (no measurement this week)" in listing
    assert "✓" not in listing  # an old measurement is never shown as green


async def test_malformed_input_gets_an_example_and_stores_nothing(running, slack, http):
    cases = {
        "baseline set reliabilty availability >= 99.9%": "isn't a principle",
        "baseline set reliability availability 99.9": "needs a comparison",
        "baseline set reliability >= 99.9%": "needs an indicator",
        "baseline set": "needs a principle, an indicator",
    }
    for text, problem in cases.items():
        answer = said(await command(http, running, slack, text))
        assert problem in answer, (text, answer)
        assert "/infrawork baseline set reliability availability >= 99.9%" in answer

    no_baseline = said(await command(http, running, slack, "baseline record latency 280ms"))
    assert "no baseline for latency" in no_baseline
    assert "/infrawork baseline set latency checkout-p99 <= 300ms" in no_baseline

    await command(http, running, slack, "baseline set latency checkout-p99 <= 300ms")
    for text, problem in {
        "baseline record latency 99%": "is in %",
        "baseline record latency fast": "isn't a measurement",
        "baseline record latency": "needs a principle and a value",
        "baseline record speed 3ms": "isn't a principle",
        "baseline record latency 9999999999999ms": "out of range",
    }.items():
        answer = said(await command(http, running, slack, text))
        assert problem in answer, (text, answer)
        assert "Write it like `/infrawork baseline record" in answer, answer

    unknown = said(await command(http, running, slack, "baseline frobnicate"))
    assert "baseline set" in unknown and "baseline record" in unknown

    baselines, measurements = await stored(running)
    assert [b.principle for b in baselines] == ["latency"]
    assert measurements == []


async def test_baselines_are_per_workspace(running, slack, http):
    await command(http, running, slack, "baseline set latency checkout-p99 <= 300ms")
    other = said(await command(http, running, slack, "baseline list", team_id="T0002"))
    assert "checkout" not in other and "*latency* — no baseline yet" in other
    answer = said(
        await command(http, running, slack, "baseline record latency 280ms", team_id="T0002")
    )
    assert "no baseline for latency" in answer
