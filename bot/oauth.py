"""Multi-workspace install: Bolt's OAuth flow on slack_sdk's SQLAlchemy stores in our database.

Active when ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set. Installations live in the
``slack_installations``/``slack_bots`` tables and OAuth states in ``slack_oauth_states``, all
created by our own Alembic migration. With ``TOKEN_ENCRYPTION_KEY`` (a Fernet key) every token is
encrypted before it is written and decrypted when Bolt reads it back.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage.tables import slack_bots, slack_installations, slack_oauth_states

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600

DEFAULT_BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "reactions:read",
    "reactions:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
)
"""The bot scopes manifest.yml asks for (tests/test_oauth.py keeps the two equal)."""

_ENCRYPTED = "fernet:"
"""Prefix of an encrypted value: rows written before a key was configured stay readable."""

_INSTALLATION_TOKENS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
_BOT_TOKENS = ("bot_token", "bot_refresh_token")

Installed = Callable[[str | None, str | None], Awaitable[None]]
"""Called with (enterprise_id, team_id) after an installation is saved."""


def bot_scopes(settings: Settings) -> list[str]:
    """SLACK_SCOPES (comma-separated) if given, else the scopes manifest.yml declares."""
    if settings.slack_scopes:
        return [s.strip() for s in settings.slack_scopes.split(",") if s.strip()]
    return list(DEFAULT_BOT_SCOPES)


class TokenCipher:
    """Fernet encryption of tokens at rest (``pip install 'infrawork[crypto]'``)."""

    def __init__(self, key: str) -> None:
        try:
            from cryptography.fernet import Fernet
        except ImportError as error:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "TOKEN_ENCRYPTION_KEY is set but the cryptography package is missing: "
                "pip install 'infrawork[crypto]'"
            ) from error
        try:
            self._fernet = Fernet(key.encode())
        except ValueError as error:
            raise ValueError(
                "TOKEN_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes); "
                'make one with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from error

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith(_ENCRYPTED):
            return value
        return _ENCRYPTED + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(_ENCRYPTED):
            return value
        return self._fernet.decrypt(value.removeprefix(_ENCRYPTED).encode()).decode()


class InstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's async SQLAlchemy store on our tables, with optional encryption at rest.

    Saving an installation calls ``on_installed`` so a re-install re-activates its workspace.
    """

    def __init__(
        self,
        client_id: str,
        engine: AsyncEngine,
        *,
        cipher: TokenCipher | None = None,
        on_installed: Installed | None = None,
    ) -> None:
        super().__init__(
            client_id=client_id,
            engine=engine,
            bots_table_name=slack_bots.name,
            installations_table_name=slack_installations.name,
        )
        # Use the migrated table definitions (token columns are wider than the library's, so
        # ciphertext fits) rather than the library's private copies.
        self.installations = slack_installations
        self.bots = slack_bots
        self.cipher = cipher
        self.on_installed = on_installed

    def _apply(self, entity: Any, fields: tuple[str, ...], encrypt: bool) -> Any:
        if self.cipher is None or entity is None:
            return entity
        entity = copy.copy(entity)
        convert = self.cipher.encrypt if encrypt else self.cipher.decrypt
        for name in fields:
            setattr(entity, name, convert(getattr(entity, name, None)))
        return entity

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(self._apply(installation, _INSTALLATION_TOKENS, encrypt=True))
        if self.on_installed is not None:
            await self.on_installed(installation.enterprise_id, installation.team_id)

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(self._apply(bot, _BOT_TOKENS, encrypt=True))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = await super().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._apply(bot, _BOT_TOKENS, encrypt=False)  # type: ignore[no-any-return]

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        installation = await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._apply(installation, _INSTALLATION_TOKENS, encrypt=False)  # type: ignore[no-any-return]

    async def ping(self) -> None:
        """Raise unless the installation table answers (for /healthz)."""
        async with self.engine.connect() as conn:
            await conn.execute(select(self.installations.c.id).limit(1))


class OAuthStateStore(AsyncSQLAlchemyOAuthStateStore):
    """slack_sdk's async SQLAlchemy state store on our migrated ``slack_oauth_states`` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            expiration_seconds=STATE_EXPIRATION_SECONDS,
            engine=engine,
            table_name=slack_oauth_states.name,
        )
        self.oauth_states = slack_oauth_states


def build_installation_store(
    settings: Settings, engine: AsyncEngine, on_installed: Installed | None = None
) -> InstallationStore | None:
    """The installation store in OAuth mode, else None (single-workspace mode)."""
    if not settings.oauth_enabled:
        return None
    key = settings.secret("token_encryption_key")
    return InstallationStore(
        settings.slack_client_id or "",
        engine,
        cipher=TokenCipher(key) if key else None,
        on_installed=on_installed,
    )


def build_oauth_settings(
    settings: Settings, store: InstallationStore, engine: AsyncEngine
) -> AsyncOAuthSettings:
    """Bolt's OAuth settings from ours: nothing falls back to reading the environment."""
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.secret("slack_client_secret"),
        scopes=bot_scopes(settings),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=OAuthStateStore(engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=logging.getLogger("bot.bolt.oauth"),
    )


def add_oauth_routes(web_app: web.Application, flow: AsyncOAuthFlow) -> None:
    """``GET /slack/install`` (the "Add to Slack" page) and ``GET /slack/oauth_redirect``."""

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def oauth_redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    web_app.router.add_get(INSTALL_PATH, install)
    web_app.router.add_get(REDIRECT_PATH, oauth_redirect)
