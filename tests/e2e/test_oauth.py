"""Multi-workspace install: Bolt's OAuth flow against the fake `oauth.v2.access`, tokens
encrypted at rest, each workspace seeing only its own data, uninstall stopping the work."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import func, select

from bot.oauth import DEFAULT_BOT_SCOPES
from bot.runtime import Runtime
from bot.scheduler import workspace_clients
from storage.tables import Base, WorkItem, Workspace, slack_bots, slack_installations
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack
from tests.support.signing import event_body, post_signed, slash_command_body

ROOT_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret-0123456789"
TOKENS = {"T0001": "xoxb-1-one-0000000000000000", "T0002": "xoxb-2-two-0000000000000000"}


def oauth_answer(team_id: str) -> dict:
    return {
        "ok": True,
        "app_id": "A0001",
        "authed_user": {"id": "U_INSTALLER"},
        "scope": ",".join(DEFAULT_BOT_SCOPES),
        "token_type": "bot",
        "access_token": TOKENS[team_id],
        "bot_user_id": "UBOT",
        "team": {"id": team_id, "name": f"Workspace {team_id}"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


@pytest.fixture
async def oauth_runtime(database_url, slack, clock) -> AsyncIterator[Runtime]:
    settings = make_settings(
        database_url,
        slack,
        slack_bot_token=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        token_encryption_key=Fernet.generate_key().decode(),
    )
    slack.tokens.update({token: team for team, token in TOKENS.items()})
    runtime = Runtime(settings, clock=clock)
    await runtime.prepare()
    await runtime.start_http(host="127.0.0.1", port=0)
    yield runtime
    await runtime.stop()


async def install(http, runtime: Runtime, slack: FakeSlack, team_id: str) -> str:
    """Walk the browser through /slack/install and the redirect; returns the success page."""
    async with http.get(runtime.url + "/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    assert "Add to Slack" in page
    authorize_url = unescape(
        re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', page).group(1)
    )
    query = parse_qs(urlparse(authorize_url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == set(DEFAULT_BOT_SCOPES)
    slack.oauth_access = oauth_answer(team_id)
    callback = f"{runtime.url}/slack/oauth_redirect?code=code-{team_id}&state={query['state'][0]}"
    async with http.get(callback, headers={"Cookie": cookie}) as response:
        assert response.status == 200, await response.text()
        return await response.text()


async def command(http, runtime: Runtime, slack: FakeSlack, text: str, team_id: str) -> dict:
    body = slash_command_body(
        text,
        team_id=team_id,
        channel_id=f"C{team_id}",
        channel_name=f"infra-{team_id.lower()}",
        response_url=slack.response_url(),
    )
    status, raw = await post_signed(http, runtime.url + "/slack/events", body)
    assert status == 200
    return json.loads(raw) if raw.startswith("{") else {"raw": raw}


async def until_inactive(runtime: Runtime, workspace: str, timeout: float = 5.0) -> None:
    """Event listeners run after Slack's ack: wait (bounded) for the uninstall to land."""

    async def inactive() -> None:
        while True:
            async with runtime.db.read() as uow:
                if not await uow.workspaces.is_active(workspace):
                    return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(inactive(), timeout)


async def items(runtime: Runtime) -> list[WorkItem]:
    async with runtime.db.read() as uow:
        return list((await uow.session.scalars(select(WorkItem).order_by(WorkItem.id))).all())


def test_default_scopes_are_the_manifests():
    manifest = yaml.safe_load((ROOT_DIR / "manifest.yml").read_text())
    assert set(DEFAULT_BOT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])


async def test_install_stores_an_encrypted_installation(oauth_runtime, slack, http):
    page = await install(http, oauth_runtime, slack, "T0001")

    assert "Thank you" in page or "success" in page.lower()
    (access,) = slack.calls_to("oauth.v2.access")
    assert access.args["code"] == "code-T0001"
    # slack_sdk sends the client credentials as HTTP Basic auth.
    credentials = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert access.token == f"Basic {credentials}"
    async with oauth_runtime.db.engine.connect() as conn:
        rows = (await conn.execute(select(slack_installations))).mappings().all()
        bots = (await conn.execute(select(slack_bots))).mappings().all()
    assert [r["team_id"] for r in rows] == ["T0001"] and [b["team_id"] for b in bots] == ["T0001"]
    for stored in (rows[0]["bot_token"], bots[0]["bot_token"]):
        assert stored.startswith("fernet:") and TOKENS["T0001"] not in stored
    # Bolt reads it back decrypted.
    bot = await oauth_runtime.services.installations.async_find_bot(
        enterprise_id=None, team_id="T0001"
    )
    assert bot.bot_token == TOKENS["T0001"]
    async with http.get(oauth_runtime.url + "/healthz") as response:
        assert await response.json() == {"status": "ok", "database": "ok", "installations": "ok"}


async def test_a_forged_state_installs_nothing(oauth_runtime, slack, http):
    slack.oauth_access = oauth_answer("T0001")
    url = oauth_runtime.url + "/slack/oauth_redirect?code=c&state=forged"
    async with http.get(url, headers={"Cookie": "slack-app-oauth-state=forged"}) as response:
        assert response.status in (400, 401)
    assert slack.calls_to("oauth.v2.access") == []
    assert (
        await oauth_runtime.services.installations.async_find_bot(
            enterprise_id=None, team_id="T0001"
        )
        is None
    )


async def test_two_workspaces_each_see_only_their_own_data(oauth_runtime, slack, http):
    await command(http, oauth_runtime, slack, "add rotate the TLS certs", "T0001")
    assert await items(oauth_runtime) == [], "not installed yet: nothing may be stored"

    await install(http, oauth_runtime, slack, "T0001")
    await install(http, oauth_runtime, slack, "T0002")
    await command(http, oauth_runtime, slack, "add rotate the TLS certs before expiry", "T0001")
    await command(http, oauth_runtime, slack, "add migrate CI runners off CentOS 7", "T0002")

    stored = await items(oauth_runtime)
    assert [(i.workspace, i.text) for i in stored] == [
        ("T0001", "rotate the TLS certs before expiry"),
        ("T0002", "migrate CI runners off CentOS 7"),
    ]
    # Each workspace's requests were authorized with its own bot token.
    tokens = {c.token for c in slack.calls_to("auth.test")}
    assert set(TOKENS.values()) <= tokens

    one = json.dumps(await command(http, oauth_runtime, slack, "list", "T0001"))
    two = json.dumps(await command(http, oauth_runtime, slack, "list", "T0002"))
    assert "TLS certs" in one and "CentOS" not in one
    assert "CentOS" in two and "TLS certs" not in two


async def test_uninstall_stops_work_for_that_workspace_only(oauth_runtime, slack, http):
    await install(http, oauth_runtime, slack, "T0001")
    await install(http, oauth_runtime, slack, "T0002")
    await command(http, oauth_runtime, slack, "add patch the kernel on the bastions", "T0001")
    await command(http, oauth_runtime, slack, "add patch the kernel on the runners", "T0002")

    status, _ = await post_signed(
        http,
        oauth_runtime.url + "/slack/events",
        event_body({"type": "app_uninstalled"}, team_id="T0001", event_id="EvUninstall"),
    )
    assert status == 200
    await until_inactive(oauth_runtime, "T0001")

    async with oauth_runtime.db.read() as uow:
        active = {w.id: w.active for w in (await uow.session.scalars(select(Workspace))).all()}
        scheduled = {t.workspace for t in await uow.teams.all()}
        teams = {t.workspace: t for t in await uow.teams.in_workspace("T0001")}
    assert active == {"T0001": False, "T0002": True}
    assert scheduled == {"T0002"}, "the scheduler only sees active workspaces"
    installations = oauth_runtime.services.installations
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0001") is None
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0002") is not None
    # Even a team the scheduler already holds gets no client for its workspace any more.
    client_for = workspace_clients(oauth_runtime.settings, installations, None)
    assert await client_for(teams["T0001"]) is None

    await command(http, oauth_runtime, slack, "add this must not be stored", "T0001")
    await command(http, oauth_runtime, slack, "add rotate the runner tokens", "T0002")
    texts = [i.text for i in await items(oauth_runtime)]
    assert "this must not be stored" not in texts and "rotate the runner tokens" in texts

    # A re-install re-activates the workspace, its data intact.
    await install(http, oauth_runtime, slack, "T0001")
    async with oauth_runtime.db.read() as uow:
        assert await uow.workspaces.is_active("T0001")
        assert {t.workspace for t in await uow.teams.all()} == {"T0001", "T0002"}


async def test_revoked_bot_token_stops_work_like_an_uninstall(oauth_runtime, slack, http):
    await install(http, oauth_runtime, slack, "T0002")
    await post_signed(
        http,
        oauth_runtime.url + "/slack/events",
        event_body(
            {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
            team_id="T0002",
            event_id="EvRevoked",
        ),
    )
    await until_inactive(oauth_runtime, "T0002")
    installations = oauth_runtime.services.installations
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0002") is None


async def test_purge_deletes_every_row_of_the_workspace(oauth_runtime, slack, http):
    await install(http, oauth_runtime, slack, "T0001")
    await install(http, oauth_runtime, slack, "T0002")
    await command(http, oauth_runtime, slack, "add patch the kernel on the bastions", "T0001")
    await command(http, oauth_runtime, slack, "add patch the kernel on the runners", "T0002")

    deleted = await oauth_runtime.services.workspaces.purge("T0001")

    assert deleted["work_items"] == 1 and deleted["teams"] == 1
    assert deleted["slack_installations"] == 1 and deleted["slack_bots"] == 1
    assert [i.workspace for i in await items(oauth_runtime)] == ["T0002"]
    async with oauth_runtime.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            column = table.c.get("workspace")
            if column is None:
                column = table.c.get("team_id") if table.name.startswith("slack_") else None
            if column is None:
                continue
            left = await conn.scalar(
                select(func.count()).select_from(table).where(column == "T0001")
            )
            assert left == 0, table.name
        kept = (await conn.execute(select(slack_installations.c.team_id))).scalars().all()
    assert kept == ["T0002"]


async def test_long_rotating_tokens_fit_once_encrypted(oauth_runtime):
    # Rotating tokens (xoxe.xoxb-…, xoxe-1-…) are much longer than classic ones; encrypted they
    # grow by a third plus ~80 characters and must still fit the columns (PostgreSQL enforces it).
    long_token = "xoxe.xoxb-1-" + "A" * 200
    installation = Installation(
        app_id="A0001",
        enterprise_id=None,
        team_id="T0003",
        user_id="U_INSTALLER",
        bot_token=long_token,
        bot_id="BBOT",
        bot_user_id="UBOT",
        bot_refresh_token="xoxe-1-" + "B" * 200,
        bot_token_expires_in=43200,
        user_token="xoxe.xoxp-1-" + "C" * 200,
        user_refresh_token="xoxe-1-" + "D" * 200,
        user_token_expires_in=43200,
    )
    store = oauth_runtime.services.installations
    await store.async_save(installation)
    found = await store.async_find_installation(enterprise_id=None, team_id="T0003")
    assert found.bot_token == long_token
    assert found.user_refresh_token == "xoxe-1-" + "D" * 200
    async with oauth_runtime.db.engine.connect() as conn:
        stored = (await conn.execute(select(slack_installations.c.bot_token))).scalar_one()
    assert len(stored) <= slack_installations.c.bot_token.type.length


async def purge_cli(database_url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "workspace",
        "purge",
        *args,
        cwd=ROOT_DIR,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_workspace_purge_command_asks_for_yes(oauth_runtime, slack, http, database_url):
    await install(http, oauth_runtime, slack, "T0001")
    await command(http, oauth_runtime, slack, "add patch the kernel on the bastions", "T0001")

    status, _, err = await purge_cli(database_url, "T0001")
    assert status == 2 and "--yes" in err
    assert len(await items(oauth_runtime)) == 1

    status, out, _ = await purge_cli(database_url, "T0001", "--yes")
    assert status == 0
    assert "purged workspace T0001" in out and "work_items 1" in out
    assert await items(oauth_runtime) == []
    installations = oauth_runtime.services.installations
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0001") is None


async def test_socket_mode_serves_the_install_pages_too(database_url, slack, clock, http):
    settings = make_settings(
        database_url,
        slack,
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token="xapp-1-A0001-0000-test",
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    )
    runtime = Runtime(settings, clock=clock, socket_mode=True)
    try:
        await runtime.start_http(host="127.0.0.1", port=0)
        async with http.get(runtime.url + "/slack/install") as response:
            assert response.status == 200
            assert "Add to Slack" in await response.text()
        async with http.post(runtime.url + "/slack/events", data=b"{}") as response:
            assert response.status in (404, 405)
    finally:
        await runtime.stop()


async def test_each_request_reads_the_installation_store_once(oauth_runtime, slack, http):
    # infrawork uses bot tokens only: Bolt reads the bot (one query), not the installation and
    # then the requesting user's installation (two queries for anyone but the installer).
    await install(http, oauth_runtime, slack, "T0001")
    store = oauth_runtime.services.installations
    reads: list[str] = []
    find_bot, find_installation = store.async_find_bot, store.async_find_installation

    async def counted_find_bot(**kwargs):
        reads.append("bot")
        return await find_bot(**kwargs)

    async def counted_find_installation(**kwargs):
        reads.append("installation")
        return await find_installation(**kwargs)

    store.async_find_bot = counted_find_bot
    store.async_find_installation = counted_find_installation
    try:
        await command(http, oauth_runtime, slack, "add rotate the runner tokens", "T0001")
    finally:
        del store.async_find_bot, store.async_find_installation
    assert reads == ["bot"]
    assert [i.text for i in await items(oauth_runtime)] == ["rotate the runner tokens"]
