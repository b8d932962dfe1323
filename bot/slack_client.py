"""The Web API client every call goes through: base URL from settings, Slack-aware retries."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from bot.settings import Settings


def make_web_client(
    settings: Settings,
    token: str | None = None,
    *,
    max_retries: int = 3,
    metrics: Metrics | None = None,
) -> AsyncWebClient:
    """An AsyncWebClient aimed at ``SLACK_API_URL`` that honours 429 Retry-After and retries 5xx.

    With ``metrics``, every failed call is counted by method and error, and every retry by reason.
    """
    handlers: list[tuple[AsyncRetryHandler, str]] = [
        (AsyncConnectionErrorRetryHandler(max_retry_count=max_retries), "connection"),
        (AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries), "rate_limited"),
        (AsyncServerErrorRetryHandler(max_retry_count=max_retries), "server_error"),
    ]
    retry_handlers = [h for h, _ in handlers]
    if metrics is not None:
        retry_handlers = [metrics.observer()] + [metrics.counting(h, r) for h, r in handlers]
    return AsyncWebClient(
        token=token if token is not None else settings.secret("slack_bot_token"),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers,
    )
