"""The deployment files keep their promises: a small non-root image with an exec-form health
check, a compose file whose settings infrawork actually reads, and a Socket Mode manifest in step
with manifest.yml. (No Docker engine here: these read the files; the health check runs for real.)"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BUILD_TOOLS = ("gcc", "build-essential", "make ", "g++", "libpq-dev", "python3-dev")


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    result: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            result.append([])
        result[-1].append((instruction.upper(), arguments.strip()))
    return result


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value)
    return value


def test_image_is_multi_stage_slim_and_free_of_build_tools():
    all_stages = stages()
    assert len(all_stages) >= 2, "build in one stage, run from another"
    for stage in all_stages:
        base = stage[0][1].split()[0]
        assert base.endswith("-slim") or "-slim-" in base, base
    final = all_stages[-1]
    assert any(i == "COPY" and a.startswith("--from=") for i, a in final)
    for instruction, arguments in final:
        if instruction == "RUN":
            assert not any(tool in arguments for tool in BUILD_TOOLS), arguments


def test_image_runs_as_a_user_in_exec_form_with_a_health_check():
    final = stages()[-1]
    users = [a for i, a in final if i == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    (cmd,) = [a for i, a in final if i == "CMD"]
    assert exec_form(cmd)[:2] == ["infrawork", "serve"]
    (healthcheck,) = [a for i, a in final if i == "HEALTHCHECK"]
    options, _, command = healthcheck.partition("CMD ")
    assert "--timeout=" in options and "--interval=" in options
    assert exec_form(command) == ["python", "-m", "bot.healthcheck"]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_starts_infrawork_after_a_healthy_postgres():
    services = compose()["services"]
    db, app = services["db"], services["infrawork"]
    assert db["image"].startswith("postgres:")
    assert "healthcheck" in db and "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_compose_sets_only_variables_infrawork_reads():
    known = {name.upper() for name in Settings.model_fields}
    environment = compose()["services"]["infrawork"]["environment"]
    assert set(environment) <= known, set(environment) - known


def test_socket_manifest_matches_the_http_one_without_urls():
    http = yaml.safe_load((ROOT / "manifest.yml").read_text())
    sock = yaml.safe_load((ROOT / "manifest.socket.yml").read_text())
    assert sock["settings"]["socket_mode_enabled"] is True
    assert "example.com" not in (ROOT / "manifest.socket.yml").read_text()
    assert [c["command"] for c in sock["features"]["slash_commands"]] == [
        c["command"] for c in http["features"]["slash_commands"]
    ]
    assert sock["features"]["shortcuts"] == http["features"]["shortcuts"]
    assert sock["oauth_config"]["scopes"] == http["oauth_config"]["scopes"]
    assert (
        sock["settings"]["event_subscriptions"]["bot_events"]
        == http["settings"]["event_subscriptions"]["bot_events"]
    )
    assert sock["settings"]["interactivity"]["is_enabled"] is True


async def run_healthcheck(port: int) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.healthcheck",
        cwd=ROOT,
        env={**os.environ, "PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), 30)


async def test_the_healthcheck_command_follows_healthz(running):
    assert await run_healthcheck(running.port) == 0
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        free_port = unused.getsockname()[1]
    assert await run_healthcheck(free_port) == 1
