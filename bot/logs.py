"""Logging setup: text or JSON lines, and a filter that keeps secrets out of every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from typing import TextIO

_TOKEN = re.compile(r"\b(xox[abeprs]|xapp)-[0-9A-Za-z-]+")

request_id: ContextVar[str | None] = ContextVar("infrawork_request_id", default=None)
"""The id of the Slack request being handled; set by the HTTP/Socket Mode edge, read by logs."""


class StampRequestId(logging.Filter):
    """Puts the current request id (if any) on every record as ``record.request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class RedactSecrets(logging.Filter):
    """Replaces Slack tokens and the configured secrets in a record's rendered message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        text = _TOKEN.sub(lambda m: f"{m.group(1)}-[redacted]", text)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Route every logger through one handler (stderr by default) that never prints a secret."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(StampRequestId())
    handler.addFilter(RedactSecrets(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # slack_sdk logs full request bodies at DEBUG; keep it above that even when we debug.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, root.level))
