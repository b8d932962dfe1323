"""Tokens and the signing secret never reach a log line, even at DEBUG with errors."""

from __future__ import annotations

import io
import logging

from bot.logs import configure_logging
from tests.conftest import BOT_TOKEN
from tests.support.signing import SIGNING_SECRET, post_signed, slash_command_body


async def test_debug_logs_of_a_full_request_carry_no_secret(running, slack, http):
    stream = io.StringIO()
    configure_logging("DEBUG", "text", secrets=[BOT_TOKEN, SIGNING_SECRET], stream=stream)
    try:
        slack.script("auth.test", status=500, body={"ok": False, "error": "fatal_error"})
        body = slash_command_body(
            "add patch CVE-2026-0001 on the bastions today", response_url=slack.response_url()
        )
        await post_signed(http, running.url + "/slack/events", body)
        await post_signed(http, running.url + "/slack/events", body, secret="forged")
        logging.getLogger("probe").error("token in a message: %s", BOT_TOKEN)
        try:
            raise RuntimeError(f"boom with {SIGNING_SECRET}")
        except RuntimeError:
            logging.getLogger("probe").exception("failure")
    finally:
        logging.getLogger().handlers.clear()
    output = stream.getvalue()
    assert output, "something was logged"
    assert "[redacted]" in output
    assert BOT_TOKEN not in output
    assert SIGNING_SECRET not in output
    assert "xoxb-" not in output.replace("xoxb-[redacted]", "")
