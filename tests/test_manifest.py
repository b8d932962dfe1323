"""manifest.yml is valid for Slack and declares exactly what the app handles."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.ids import COMMAND, Callback
from bot.runtime import Runtime
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "data" / "slack-manifest.schema.1.0.0.json"
MANIFESTS = sorted(ROOT.glob("manifest*.yml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_matches_slacks_schema(path):
    if not SCHEMA.exists():
        pytest.skip("Slack's manifest schema is not beside this checkout (../shared/data)")
    jsonschema.validate(load(path), json.loads(SCHEMA.read_text()))


def _closure_values(func, depth: int = 0) -> tuple[str, list]:
    """(innermost matcher name, constants it closes over): Bolt wraps matchers in closures."""
    kind, values = func.__qualname__, []
    for cell in getattr(func, "__closure__", None) or ():
        value = cell.cell_contents
        if callable(value) and hasattr(value, "__closure__") and depth < 3:
            kind, inner = _closure_values(value, depth + 1)
            values.extend(inner)
        else:
            values.append(value)
    return kind, values


def _registered(runtime: Runtime) -> tuple[set[str], set[str], set[str]]:
    """(commands, shortcut callback ids, event types) the Bolt app has listeners for."""
    commands, callbacks, events = set(), set(), set()
    for listener in runtime.app._async_listeners:
        for matcher in listener.matchers:
            kind, values = _closure_values(matcher.func)
            names = {v for v in values if isinstance(v, str)}
            for v in values:
                if isinstance(v, dict) and isinstance(v.get("type"), str):
                    names.add(v["type"])
            if kind.startswith("command."):
                commands.update(names)
            elif kind.startswith(("shortcut.", "message_shortcut.", "global_shortcut.")):
                callbacks.update(names)
            elif kind.startswith("event."):
                events.update(names)
    return commands, callbacks, events


async def test_manifest_declares_every_registered_listener(database_url, slack):
    runtime = Runtime(make_settings(database_url, slack))
    try:
        commands, callbacks, events = _registered(runtime)
    finally:
        await runtime.stop()
    manifest = load(ROOT / "manifest.yml")
    declared_commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    declared_callbacks = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    declared_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert COMMAND in commands
    assert commands <= declared_commands
    assert callbacks <= declared_callbacks
    assert events <= declared_events
    assert Callback.LOG_INFRA_WORK in declared_callbacks
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_manifest_scopes_cover_what_the_app_calls():
    scopes = set(load(ROOT / "manifest.yml")["oauth_config"]["scopes"]["bot"])
    needed = {
        "commands",
        "chat:write",
        "chat:write.public",
        "reactions:read",
        "reactions:write",
        "channels:history",
        "groups:history",
        "users:read",
    }
    assert needed <= scopes
