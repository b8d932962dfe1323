"""What Slack's request URL refuses: unsigned, forged, stale, malformed, and bad input."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import func, select

from storage.tables import WorkItem
from tests.support.signing import post_signed, slash_command_body


async def _count(runtime) -> int:
    async with runtime.db.read() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(WorkItem)))


async def test_unsigned_request_is_refused(running, http):
    body = slash_command_body("add patch the thing")
    async with http.post(
        running.url + "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as r:
        assert r.status == 401
    assert await _count(running) == 0


async def test_wrongly_signed_request_is_refused(running, http):
    status, _ = await post_signed(
        http,
        running.url + "/slack/events",
        slash_command_body("add patch the thing"),
        secret="not-it",
    )
    assert status == 401
    assert await _count(running) == 0


async def test_stale_request_is_refused(running, http):
    status, _ = await post_signed(
        http,
        running.url + "/slack/events",
        slash_command_body("add patch the thing"),
        timestamp=int(time.time()) - 6 * 60,
    )
    assert status == 401
    assert await _count(running) == 0


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
        ('{"type": "event_callback"}', "application/json"),
        ("command=%2Finfrawork&text=add+x", "application/x-www-form-urlencoded"),
        ("[1, 2, 3]", "application/json"),
        ('payload={"type":"block_actions"}', "application/x-www-form-urlencoded"),
    ],
)
async def test_signed_but_malformed_body_is_400(running, http, body, content_type):
    status, text = await post_signed(
        http, running.url + "/slack/events", body, content_type=content_type
    )
    assert status == 400, text
    assert await _count(running) == 0


async def test_unsigned_and_malformed_is_still_401(running, http):
    async with http.post(
        running.url + "/slack/events", data="{broken", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 401


async def _ask(running, http, slack, text):
    started = time.monotonic()
    status, raw = await post_signed(
        http,
        running.url + "/slack/events",
        slash_command_body(text, response_url=slack.response_url()),
    )
    assert time.monotonic() - started < 3.0
    assert status == 200, raw
    return json.loads(raw)


async def test_empty_add_gets_guidance_and_stores_nothing(running, http, slack):
    # `add` with nothing after it opens the add modal (DESIGN); invisible text gets guidance.
    for n, text in enumerate(("add", "add    "), start=1):
        status, raw = await post_signed(
            http,
            running.url + "/slack/events",
            slash_command_body(text, response_url=slack.response_url()),
        )
        assert status == 200 and raw == ""
        await slack.wait_for("views.open", n)
    answer = await _ask(running, http, slack, "add \u200b")
    assert answer["response_type"] == "ephemeral"
    assert "/infrawork add" in answer["text"]
    assert await _count(running) == 0


async def test_overlong_text_is_refused_clearly(running, http, slack):
    answer = await _ask(running, http, slack, "add " + "x" * 5000)
    assert "5,000 characters" in answer["text"]
    assert await _count(running) == 0


async def test_unicode_emoji_sql_and_markup_are_stored_verbatim(running, http, slack):
    texts = [
        "ugh prod-db-3 disk at 97% again 🙃 — ünïcödé",
        "'; DROP TABLE work_items; -- and fix the backup job",
        "<script>alert(1)</script> escape the dashboard titles & links",
    ]
    for text in texts:
        # Slack escapes &, < and > in slash command text.
        sent = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        answer = await _ask(running, http, slack, "add " + sent)
        assert "Logged" in json.dumps(answer, ensure_ascii=False)
        assert "<script>" not in json.dumps(answer["blocks"])  # rendered escaped
    async with running.db.read() as uow:
        stored = [i.text for i in (await uow.session.scalars(select(WorkItem))).all()]
    assert sorted(stored) == sorted(texts)


async def test_unknown_verb_gets_help(running, http, slack):
    answer = await _ask(running, http, slack, "frobnicate the cluster")
    assert "frobnicate" in answer["text"] or "frobnicate" in json.dumps(answer["blocks"])
    assert "/infrawork add" in json.dumps(answer["blocks"])
    assert await _count(running) == 0


async def test_server_keeps_serving_after_bad_input(running, http, slack):
    await asyncio.gather(
        *[
            post_signed(
                http, running.url + "/slack/events", "{bad", content_type="application/json"
            )
            for _ in range(5)
        ]
    )
    answer = await _ask(running, http, slack, "add bump the alert threshold on disk usage")
    assert "Logged" in answer["text"]
    async with http.get(running.url + "/healthz") as r:
        assert r.status == 200
        assert (await r.json())["database"] == "ok"
