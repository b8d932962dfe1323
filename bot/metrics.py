"""Prometheus metrics for one process: requests, ack latency, items, digests, Slack API health.

Every Runtime owns its own ``CollectorRegistry`` (never the global one), so tests can start many
runtimes in one process and each ``/metrics`` shows only its own counters.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

CONTENT_TYPE = CONTENT_TYPE_LATEST

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
"""Seconds; Slack gives up at 3 s, so the buckets are fine below it."""

_INTERACTION_SURFACES = {
    "block_actions": "action",
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
}


def surface_of(body: dict[str, Any]) -> str:
    """The Slack surface a parsed request body came from, as a low-cardinality label.

    ``command``, ``action``, ``view_submission``, ``shortcut``, the event's type for Events API
    callbacks (``reaction_added``, ``app_uninstalled`` …), or the envelope type otherwise.
    """
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        return str(event.get("type") or "event") if isinstance(event, dict) else "event"
    if isinstance(kind, str) and kind:
        return _INTERACTION_SURFACES.get(kind, kind)
    return "unknown"


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "rejected"
    if status < 500:
        return "bad_request"
    return "error"


def _api_method(url: str) -> str:
    """``chat.postMessage`` from ``https://slack.com/api/chat.postMessage``."""
    path = urlparse(url).path
    return path.rsplit("/", 1)[-1] or "unknown"


class Metrics:
    """The process's counters; services call the small methods, /metrics renders them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "infrawork_requests",
            "Slack requests handled, by surface and outcome.",
            ["surface", "outcome"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "infrawork_ack_seconds",
            "Time from receiving a Slack request to answering it (the ack), by surface.",
            ["surface"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.items = Counter(
            "infrawork_items_captured",
            "Work items stored, by source and quadrant.",
            ["source", "quadrant"],
            registry=r,
        )
        self.digests = Counter(
            "infrawork_digests",
            "Weekly digests, by outcome (posted or failed).",
            ["outcome"],
            registry=r,
        )
        self.slack_api_errors = Counter(
            "infrawork_slack_api_errors",
            "Slack Web API calls that failed (ok=false, HTTP error or connection error).",
            ["method", "error"],
            registry=r,
        )
        self.slack_api_retries = Counter(
            "infrawork_slack_api_retries",
            "Slack Web API calls retried, by method and reason.",
            ["method", "reason"],
            registry=r,
        )
        self.socket_connected = Gauge(
            "infrawork_socket_mode_connected",
            "1 while the Socket Mode WebSocket is connected (Socket Mode only).",
            registry=r,
        )
        # Labelled children looked up once per label set (this runs on every request).
        self._request_children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._item_children: dict[tuple[str, str], Any] = {}

    # -- the calls services make -------------------------------------------------------------
    def request(self, surface: str, outcome: str, seconds: float) -> None:
        children = self._request_children.get((surface, outcome))
        if children is None:
            children = (self.requests.labels(surface, outcome), self.ack_seconds.labels(surface))
            self._request_children[(surface, outcome)] = children
        children[0].inc()
        children[1].observe(seconds)

    def item_captured(self, source: str, quadrant: str) -> None:
        child = self._item_children.get((source, quadrant))
        if child is None:
            child = self._item_children[(source, quadrant)] = self.items.labels(source, quadrant)
        child.inc()

    def digest_posted(self) -> None:
        self.digests.labels("posted").inc()

    def digest_failed(self) -> None:
        self.digests.labels("failed").inc()

    def slack_api_error(self, method: str, error: str) -> None:
        self.slack_api_errors.labels(method, error).inc()

    def slack_api_retry(self, method: str, reason: str) -> None:
        self.slack_api_retries.labels(method, reason).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # -- slack_sdk retry handlers that report here ---------------------------------------------
    def observer(self) -> AsyncRetryHandler:
        """A retry handler that never retries but records every failed Web API response."""
        return _ErrorObserver(self)

    def counting(self, handler: AsyncRetryHandler, reason: str) -> AsyncRetryHandler:
        """``handler`` unchanged, except each retry it grants is counted under ``reason``."""
        return _CountingRetry(handler, self, reason)


class _ErrorObserver(AsyncRetryHandler):
    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = _api_method(request.url)
        if error is not None:
            self._metrics.slack_api_error(method, type(error).__name__)
        elif response is not None:
            body = response.body if isinstance(response.body, dict) else {}
            if response.status_code >= 400:
                self._metrics.slack_api_error(method, f"http_{response.status_code}")
            elif body.get("ok") is False:
                self._metrics.slack_api_error(method, str(body.get("error") or "unknown")[:64])
        return False


class _CountingRetry(AsyncRetryHandler):
    def __init__(self, inner: AsyncRetryHandler, metrics: Metrics, reason: str) -> None:
        super().__init__(
            max_retry_count=inner.max_retry_count, interval_calculator=inner.interval_calculator
        )
        self._inner = inner
        self._metrics = metrics
        self._reason = reason

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        retry = await self._inner.can_retry_async(
            state=state, request=request, response=response, error=error
        )
        if retry:
            self._metrics.slack_api_retry(_api_method(request.url), self._reason)
        return retry

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        await self._inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )
