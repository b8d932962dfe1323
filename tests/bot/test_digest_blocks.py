"""The digest's Block Kit and terminal renderings: content, Slack's limits, mrkdwn escaping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks.digest import (
    build_digest_blocks,
    build_digest_thread_blocks,
    digest_fallback_text,
)
from bot.text.digest import render_digest_text
from core.baselines import Baseline, Measurement, Op
from core.digest import Digest, NotableItem, build_digest
from core.model import Principle, Quadrant
from core.phase import PhaseThresholds, QuadrantCounts
from core.schedule import IsoWeek

W47 = IsoWeek(2026, 47)
REL, LAT, SEC = Principle.RELIABILITY, Principle.LATENCY, Principle.SECURITY
AVAILABILITY = Baseline(REL, "availability", Op.GE, 99.9, "%")
CHECKOUT = Baseline(LAT, "checkout-p99", Op.LE, 300, "ms")
CVES = Baseline(SEC, "open-critical-cves", Op.LE, 0, "")
AT = datetime(2026, 11, 18, 10, tzinfo=UTC)


def digest(**overrides: Any) -> Digest:
    args: dict[str, Any] = {
        "team_name": "Platform",
        "channel_id": "C0PLATFORM",
        "channel_name": "platform",
        "week": W47,
        "weekly_counts": {
            W47: QuadrantCounts(9, 3, 4, 1),
            W47.minus(1): QuadrantCounts(6, 3, 5, 2),
            W47.minus(2): QuadrantCounts(5, 2, 2, 1),
            W47.minus(3): QuadrantCounts(4, 1, 3, 1),
        },
        "baselines": [AVAILABILITY, CHECKOUT, CVES],
        "measurements": {REL: Measurement(99.86), LAT: 280.0},
        "forced_texts": ["disk full on db-1", "disk full on db-2", "disk full on db-3"],
        "notable": [
            NotableItem(
                1,
                "Disk full on db-3 & <!channel>",
                Quadrant.FORCED_SHORT,
                "https://acme.slack.com/archives/C1/p1",
                AT,
            ),
            NotableItem(2, "Streaming ingest design", Quadrant.DISCRETIONARY_LONG),
        ],
    }
    args.update(overrides)
    return build_digest(**args)


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    """Serialise through slack_sdk, which validates Slack's limits on the way."""
    return [b.to_dict() for b in blocks]


def all_texts(payload: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def assert_within_slack_limits(blocks: list[Block]) -> None:
    payload = dicts(blocks)
    assert 1 <= len(payload) <= 50
    for block in payload:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
            for element in block["elements"]:
                assert len(element["text"]) <= 3000


def mrkdwn_is_balanced(text: str) -> bool:
    """No raw < or > outside a link, and no & that isn't an entity."""
    depth = 0
    for ch in text:
        if ch == "<":
            if depth:
                return False
            depth = 1
        elif ch == ">":
            if not depth:
                return False
            depth = 0
    if depth:
        return False
    parts = text.split("&")[1:]
    return all(p.startswith(("amp;", "lt;", "gt;")) for p in parts)


# --- the channel message --------------------------------------------------------------------


def test_digest_blocks_content_and_shape() -> None:
    payload = dicts(build_digest_blocks(digest()))
    types = [b["type"] for b in payload]
    assert types[0] == "header"
    assert payload[0]["text"]["text"] == "Infra work — #platform — week 47 (Nov 16–22)"
    assert "divider" in types and "context" in types
    texts = "\n".join(all_texts(payload))
    assert "🔥 *Firefighting*: 63% of the last 4 weeks' work was forced (your line: 50%)" in texts
    assert "up from 60%" in texts
    mix = next(b for b in payload if b["type"] == "section" and "fields" in b)
    assert [f["text"] for f in mix["fields"]] == [
        "*Forced · short*\n9 (53%) · +3 vs last week",
        "*Forced · long*\n3 (18%) · ±0 vs last week",
        "*Discr. · short*\n4 (24%) · −1 vs last week",
        "*Discr. · long*\n1 (6%) · −1 vs last week",
    ]
    assert "Forced share, 8 weeks: `····▅▆▅▆` 71% this week" in texts
    assert "• *reliability* availability ≥ 99.9% — 99.86% ✗ missed by 0.04 pt" in texts
    assert "• *latency* checkout p99 ≤ 300 ms — 280 ms ✓ met" in texts
    assert "• *security* open critical cves ≤ 0 — unknown (no measurement this week)" in texts
    assert "usability · efficiency — no baseline yet" in texts
    assert "Dig out by investing in operational excellence" in texts
    assert "“disk full” was logged 3 times in 4 weeks" in texts
    assert "thread" in texts
    # missed comes before met and unknown
    assert texts.index("*reliability*") < texts.index("*latency*") < texts.index("*security*")


def test_header_without_channel_name_uses_team_and_links_channel_in_context() -> None:
    payload = dicts(build_digest_blocks(digest(channel_name=None)))
    assert payload[0]["text"]["text"] == "Infra work — Platform — week 47 (Nov 16–22)"
    assert "<#C0PLATFORM>" in "\n".join(all_texts(payload))


@pytest.mark.parametrize(
    ("overrides", "phrase"),
    [
        ({"weekly_counts": {W47: QuadrantCounts(1, 0, 3, 4)}, "baselines": []}, "🌱 *Investment*"),
        ({"weekly_counts": {W47: QuadrantCounts(1, 0, 3, 4)}}, "🧭 *Principles*"),
        ({"weekly_counts": {}}, "❔ *No phase yet*: no work was logged in the last 4 weeks"),
    ],
)
def test_phase_line_per_phase(overrides: dict[str, Any], phrase: str) -> None:
    texts = "\n".join(all_texts(dicts(build_digest_blocks(digest(**overrides)))))
    assert phrase in texts
    if "No phase" in phrase:
        assert "Firefighting" not in texts
        assert "nothing logged" in texts


def test_huge_inputs_stay_within_slack_limits() -> None:
    huge = "x&<>" * 5000
    items = [
        NotableItem(i, huge, q, f"https://acme.slack.com/archives/C1/p{i}|<evil>", AT)
        for i in range(400)
        for q in Quadrant
    ]
    big = digest(
        team_name=huge,
        channel_name="c" * 500,
        notable=items,
        notable_per_quadrant=10_000,
        forced_texts=[huge] * 5000,
        weekly_counts={W47: QuadrantCounts(10**9, 10**9, 10**9, 10**9)},
        thresholds=PhaseThresholds(window_weeks=26),
        trend_weeks=200,
    )
    for blocks in (build_digest_blocks(big), build_digest_thread_blocks(big)):
        assert_within_slack_limits(blocks)
        for text in all_texts(dicts(blocks)):
            assert mrkdwn_is_balanced(text), text[:200]
    header = dicts(build_digest_blocks(big))[0]["text"]["text"]
    assert header.startswith("Infra work — #ccc") and header.endswith("— week 47 (Nov 16–22)")
    assert "…" in header
    thread = "\n".join(all_texts(dicts(build_digest_thread_blocks(big))))
    assert "…and " in thread and " more" in thread
    assert len(digest_fallback_text(big)) <= 300


# --- the thread reply -----------------------------------------------------------------------


def test_thread_blocks_link_and_escape_items() -> None:
    payload = dicts(build_digest_thread_blocks(digest()))
    texts = "\n".join(all_texts(payload))
    assert "*Notable items — week 47 (Nov 16–22)*" in texts
    assert "*Forced · short-term* — 9 this week" in texts
    assert (
        "• <https://acme.slack.com/archives/C1/p1|Disk full on db-3 &amp; &lt;!channel&gt;>"
        " · Nov 18"
    ) in texts
    assert "• Streaming ingest design" in texts
    assert "<!channel>" not in texts
    assert "Forced · long-term" not in texts  # nothing notable there
    for text in all_texts(payload):
        assert mrkdwn_is_balanced(text)


@pytest.mark.parametrize(
    ("permalink", "expected"),
    [
        (None, "• plain &amp; simple"),
        ("javascript:alert(1)", "• plain &amp; simple"),  # not a web link: no link
        ("https://x.slack.com/a|b>c", "• <https://x.slack.com/a%7Cb%3Ec|plain &amp; simple>"),
    ],
)
def test_thread_link_safety(permalink: str | None, expected: str) -> None:
    item = NotableItem(1, "plain & simple", Quadrant.FORCED_LONG, permalink)
    texts = all_texts(dicts(build_digest_thread_blocks(digest(notable=[item]))))
    assert any(expected in t for t in texts)


def test_item_text_is_one_line_and_cut() -> None:
    item = NotableItem(1, "line one\nline two  " + "y" * 500, Quadrant.FORCED_LONG)
    texts = all_texts(dicts(build_digest_thread_blocks(digest(notable=[item]))))
    line = next(t for t in texts if "line one" in t).splitlines()[1]
    assert line.startswith("• line one line two yyy")
    assert line.endswith("…")
    assert len(line) <= 205


def test_thread_without_notable_items_says_so() -> None:
    texts = all_texts(dicts(build_digest_thread_blocks(digest(notable=[]))))
    assert any("Nothing notable" in t for t in texts)


# --- fallback text and terminal rendering -----------------------------------------------------


def test_fallback_text() -> None:
    text = digest_fallback_text(digest())
    assert text == (
        "Infra work — #platform — week 47 (Nov 16–22): Firefighting, 63% forced over 4 weeks "
        "(line 50%); missed baseline: reliability"
    )
    escaped = digest_fallback_text(digest(channel_name=None, team_name="R&D <core>"))
    assert "R&amp;D &lt;core&gt;" in escaped
    empty = digest_fallback_text(digest(weekly_counts={}))
    assert "No phase yet" in empty and "Firefighting" not in empty


def test_render_digest_text_follows_the_sketch() -> None:
    text = render_digest_text(digest())
    lines = text.splitlines()
    assert lines[0] == "Infra work — #platform — week 47 (Nov 16–22)"
    assert lines[1].startswith("🔥 Firefighting: 63% of the last 4 weeks' work was forced")
    assert "Forced · short" in lines[2] and "Discr. · long" in lines[2]
    assert lines[3].split() == [
        "this",
        "week",
        "9",
        "(53%)",
        "3",
        "(18%)",
        "4",
        "(24%)",
        "1",
        "(6%)",
    ]
    assert lines[4].split() == ["vs", "last", "week", "+3", "±0", "−1", "−1"]
    assert "forced share, 8 weeks: ····▅▆▅▆  71% this week" in lines[5]
    assert lines[6].startswith("Baselines   reliability")
    assert "99.86% ✗ missed by 0.04 pt" in lines[6]
    assert "280 ms ✓ met" in text
    assert "— unknown (no measurement this week)" in text
    assert "usability · efficiency — no baseline yet" in text
    assert "What the essay suggests: dig out" in text
    assert "Notable items" in text and "Disk full on db-3" in text
    # columns line up: each count starts where its quadrant label starts
    assert lines[3].index("9") == lines[2].index("Forced · short")
    assert lines[3].index("3  (18%)") == lines[2].index("Forced · long")
    assert all(len(line) <= 110 for line in lines if not line.startswith("    •"))


def test_render_digest_text_empty_window() -> None:
    text = render_digest_text(digest(weekly_counts={}, baselines=[], notable=[]))
    assert "❔ No phase yet: no work was logged in the last 4 weeks" in text
    assert "nothing logged" in text
    assert "Firefighting" not in text
    assert "Notable items" not in text
