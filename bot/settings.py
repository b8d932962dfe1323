"""Process configuration read from the environment (and `.env`), never at import time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///infrawork.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    """Everything the process reads from its environment.

    Secrets are `SecretStr` so they never print in a repr, a log line or a traceback.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_scopes: str | None = None
    """Comma-separated bot scopes for the OAuth install; defaults to those manifest.yml asks for."""
    slack_redirect_uri: str | None = None
    """The OAuth redirect URL (https://…/slack/oauth_redirect) when the app lists several."""
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    token_encryption_key: SecretStr | None = None
    """Fernet key; when set, OAuth tokens are encrypted at rest."""
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    scheduler_enabled: bool = True
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base_url + method name, so the base must end with a slash.
        return value if value.endswith("/") else value + "/"

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    def secret(self, name: str) -> str | None:
        """The plain value of a secret setting, for the one place that needs it."""
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else None
