"""Observability end to end: /metrics counters move with real signed requests and Web API calls;
JSON logs carry the request id and never a token."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re

import pytest
from slack_sdk.errors import SlackApiError

from bot.logs import configure_logging
from bot.metrics import surface_of
from bot.scheduler import scheduler_for
from tests.conftest import BOT_TOKEN
from tests.support.signing import SIGNING_SECRET, post_signed, sign, slash_command_body

OPENSSL = "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday"


async def scrape(http, runtime) -> dict[str, float]:
    """The runtime's /metrics as {"name{labels}": value} (labels as Prometheus prints them)."""
    async with http.get(runtime.url + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        body = await response.text()
    samples = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


async def test_requests_latency_and_items_are_counted(running, slack, http):
    before = await scrape(http, running)
    assert 'infrawork_requests_total{outcome="ok",surface="command"}' not in before

    body = slash_command_body(f"add {OPENSSL}", response_url=slack.response_url())
    status, _ = await post_signed(http, running.url + "/slack/events", body)
    assert status == 200
    status, _ = await post_signed(http, running.url + "/slack/events", body, secret="wrong")
    assert status == 401

    after = await scrape(http, running)
    assert after['infrawork_requests_total{outcome="ok",surface="command"}'] == 1
    assert after['infrawork_requests_total{outcome="rejected",surface="command"}'] == 1
    assert after['infrawork_ack_seconds_count{surface="command"}'] == 2
    assert 0 < after['infrawork_ack_seconds_sum{surface="command"}'] < 3
    assert after['infrawork_ack_seconds_bucket{le="3.0",surface="command"}'] == 2
    key = 'infrawork_items_captured_total{quadrant="forced_short",source="slash_command"}'
    assert after[key] == 1


async def test_slack_api_errors_and_retries_are_counted(running, slack, http):
    # Bolt's own auth.test for the request goes through the same retry handlers.
    slack.script("auth.test", status=503, body={"ok": False, "error": "service_unavailable"})
    body = slash_command_body("help", response_url=slack.response_url())
    status, _ = await post_signed(http, running.url + "/slack/events", body)
    assert status == 200
    slack.unpostable.add("C0GONE")
    with pytest.raises(SlackApiError):
        await running.client.chat_postMessage(channel="C0GONE", text="hello")

    samples = await scrape(http, running)
    assert (
        samples['infrawork_slack_api_retries_total{method="auth.test",reason="server_error"}'] == 1
    )
    assert samples['infrawork_slack_api_errors_total{error="http_503",method="auth.test"}'] == 1
    key = 'infrawork_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"}'
    assert samples[key] == 1


async def test_scheduled_digests_are_counted_posted_or_failed(running, slack, http, clock):
    for channel, name in (("C0PLATFORM", "platform"), ("C0GONE", "gone")):
        body = slash_command_body(
            f"add {OPENSSL}",
            channel_id=channel,
            channel_name=name,
            response_url=slack.response_url(),
        )
        status, _ = await post_signed(http, running.url + "/slack/events", body)
        assert status == 200
    slack.unpostable.add("C0GONE")

    report = await scheduler_for(running).tick(clock.now())  # Monday 09:30: the week is due

    assert (len(report.posted), len(report.failed)) == (1, 1)
    samples = await scrape(http, running)
    assert samples['infrawork_digests_total{outcome="posted"}'] == 1
    assert samples['infrawork_digests_total{outcome="failed"}'] == 1
    key = 'infrawork_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"}'
    assert samples[key] >= 1


@pytest.fixture
def json_logs():
    """The process's logging as `serve` sets it up with LOG_FORMAT=json, into a buffer."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("DEBUG", "json", secrets=[BOT_TOKEN, SIGNING_SECRET], stream=stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


async def test_json_logs_carry_the_request_id_and_no_token(running, slack, http, json_logs):
    body = slash_command_body(f"add {OPENSSL}", response_url=slack.response_url())
    headers = sign(body)
    async with http.post(
        running.url + "/slack/events",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    ) as response:
        assert response.status == 200
        request_id = response.headers["X-Request-Id"]
    stamp = f"{headers['X-Slack-Request-Timestamp']}:{headers['X-Slack-Signature']}"
    assert request_id == hashlib.sha256(stamp.encode()).hexdigest()[:16]
    # Outside any request there is no id (and a token in a message is still redacted).
    logging.getLogger("bot.test").info("after the request (token %s)", BOT_TOKEN)

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    tagged = [line for line in lines if line.get("request_id") == request_id]
    # Bolt's dispatch and the listener it runs as a separate task both log under the id.
    assert {"bot.bolt"} <= {line["logger"] for line in tagged}
    assert any("listener" in line["message"].lower() for line in tagged), tagged
    assert {"ts", "level", "logger", "message"} <= set(tagged[0])
    assert not any("request_id" in line for line in lines if line["logger"] == "bot.test")
    output = json_logs.getvalue()
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output
    assert re.search(r"xoxb-\[redacted\]", output)


async def test_an_oversized_body_is_refused_and_counted(running, http):
    status, _ = await post_signed(
        http, running.url + "/slack/events", "payload=" + "x" * (2 * 1024 * 1024)
    )
    assert status == 413
    samples = await scrape(http, running)
    assert samples['infrawork_requests_total{outcome="bad_request",surface="unknown"}'] == 1


@pytest.mark.parametrize(
    ("body", "surface"),
    [
        ({"command": "/infrawork", "text": "add x"}, "command"),
        ({"type": "block_actions", "actions": []}, "action"),
        ({"type": "view_submission", "view": {}}, "view_submission"),
        ({"type": "message_action", "callback_id": "log_infra_work"}, "shortcut"),
        ({"type": "shortcut", "callback_id": "x"}, "shortcut"),
        ({"type": "event_callback", "event": {"type": "reaction_added"}}, "reaction_added"),
        ({"type": "event_callback", "event": {"type": "app_uninstalled"}}, "app_uninstalled"),
        ({"type": "url_verification", "challenge": "c"}, "url_verification"),
        ({}, "unknown"),
    ],
)
def test_surface_labels(body, surface):
    assert surface_of(body) == surface
