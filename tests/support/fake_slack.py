"""A recording fake of Slack's Web API (and response_url endpoint) on a loopback port.

Only Slack is faked: the app under test talks to it over real HTTP through slack_sdk, exactly as
it would talk to slack.com. Tests read what was called and script failures (429, 5xx, errors).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    when: Callable[[dict[str, Any]], bool] | None = None
    """Only calls whose arguments match (e.g. only thread replies); others pass it by."""


class FakeSlack:
    """``async with FakeSlack() as slack:`` then point SLACK_API_URL at ``slack.api_url``."""

    def __init__(self, *, team_id: str = "T0001", bot_user_id: str = "UBOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        """Bodies POSTed to response_url endpoints, in order."""
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        """Channel id → messages (conversations.history answers from here; newest last)."""
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """(channel, thread_ts) → thread messages, parent first."""
        self.unreadable: set[str] = set()
        """Channels the bot is not in: history/replies answer not_in_channel."""
        self.unpostable: set[str] = set()
        """Channels chat.postMessage answers not_in_channel for."""
        self.users: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        """Token → team id, for multi-workspace tests (auth.test answers with it)."""
        self.oauth_access: dict[str, Any] | None = None
        self.per_channel_interval: float | None = None
        """When set, chat.postMessage to the same channel faster than this gets a 429."""
        self._last_post: dict[str, float] = {}
        self._scripted: dict[str, deque[Scripted]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._changed = asyncio.Condition()

    # -- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk GETs some read methods
        app.router.add_post("/response/{key}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"{self.base_url}/response/{key}"

    # -- scripting -------------------------------------------------------------------------
    def script(
        self,
        method: str,
        *,
        status: int = 200,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """The next ``times`` calls to ``method`` get this answer instead of the default.

        With ``when``, only calls whose arguments it accepts (``lambda args: "thread_ts" in
        args`` scripts thread replies only).
        """
        for _ in range(times):
            self._scripted[method].append(Scripted(status, body, headers or {}, when))

    def rate_limit(
        self,
        method: str,
        retry_after: int = 1,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.script(
            method,
            status=429,
            body={"ok": False, "error": "ratelimited"},
            headers={"Retry-After": str(retry_after)},
            times=times,
            when=when,
        )

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U_AUTHOR",
        thread_ts: str | None = None,
        ts: str | None = None,
    ) -> str:
        """Put a message in the fake's channel history (or a thread); returns its ts."""
        ts = ts or self._next_ts()
        message = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
            thread = self.replies.setdefault((channel, thread_ts), [])
            if not thread:
                parent = next((m for m in self.messages[channel] if m["ts"] == thread_ts), None)
                if parent is not None:
                    thread.append(parent)
            thread.append(message)
        else:
            self.messages[channel].append(message)
        return ts

    # -- reading ---------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait (without sleeping blindly) until ``method`` was called ``count`` times."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.calls_to(method)

    async def wait_for_responses(
        self, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.responses) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.responses

    # -- handlers --------------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ts):06d}"

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        await self._notify()
        return web.json_response({"ok": True})

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.content_type == "application/json" and raw:
            args = json.loads(raw)
        else:
            args = dict(parse_qsl(raw, keep_blank_values=True))
        if request.query:
            # slack_sdk sends some methods' arguments in the query string (GET, or POST params).
            args = {**dict(request.query), **args}
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        self.calls.append(Call(method, args, token))
        await self._notify()
        scripted = self._scripted.get(method)
        answer = next((a for a in scripted or () if a.when is None or a.when(args)), None)
        if scripted and answer is not None:
            scripted.remove(answer)
            return web.json_response(
                answer.body or {"ok": answer.status < 400},
                status=answer.status,
                headers=answer.headers,
            )
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        body = handler(args, token) if handler else {"ok": True}
        if isinstance(body, web.Response):
            return body
        return web.json_response(body)

    def _team_for(self, token: str | None) -> str:
        return self.tokens.get(token or "", self.team_id)

    def _m_auth_test(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test",
            "user": "infrawork",
            "team_id": self._team_for(token),
            "user_id": self.bot_user_id,
            "bot_id": "BBOT",
        }

    def _m_chat_postMessage(self, args: dict[str, Any], token: str | None) -> Any:
        channel = args.get("channel", "")
        if channel in self.unpostable:
            return {"ok": False, "error": "not_in_channel"}
        if self.per_channel_interval is not None:
            now = time.monotonic()
            last = self._last_post.get(channel)
            if last is not None and now - last < self.per_channel_interval:
                retry = max(1, int(self.per_channel_interval - (now - last) + 0.999))
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(retry)},
                )
            self._last_post[channel] = now
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": _json_arg(args.get("blocks")),
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if args.get("metadata"):
            message["metadata"] = _json_arg(args["metadata"])
        self.messages[channel].append(message)
        if args.get("thread_ts"):  # conversations.replies finds it, like Slack
            thread = self.replies.setdefault((channel, args["thread_ts"]), [])
            if not thread:
                parent = next(
                    (m for m in self.messages[channel] if m["ts"] == args["thread_ts"]), None
                )
                if parent is not None:
                    thread.append(parent)
            thread.append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_getPermalink(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel, ts = args.get("channel", ""), str(args.get("message_ts", ""))
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _m_conversations_history(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = args.get("channel", "")
        if channel in self.unreadable:
            return {"ok": False, "error": "not_in_channel"}
        latest = args.get("latest")
        messages = [
            m
            for m in self.messages.get(channel, [])
            if latest is None
            or (
                float(m["ts"]) <= float(latest)
                if args.get("inclusive") in (True, "true", "1", 1)
                else float(m["ts"]) < float(latest)
            )
        ]
        limit = int(args.get("limit", 100))
        return {"ok": True, "messages": list(reversed(messages))[:limit], "has_more": False}

    def _m_conversations_replies(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = args.get("channel", "")
        if channel in self.unreadable:
            return {"ok": False, "error": "not_in_channel"}
        ts = args.get("ts", "")
        thread = self.replies.get((channel, ts), [])
        if not thread:
            # Like Slack: the ts of a reply inside a thread also finds that thread.
            thread = next(
                (
                    t
                    for (c, _), t in self.replies.items()
                    if c == channel and ts in {m["ts"] for m in t}
                ),
                [],
            )
        latest = args.get("latest")
        if latest is not None and args.get("inclusive") in (True, "true", "1", 1):
            thread = [m for m in thread if m["ts"] == latest] or thread
        return {"ok": True, "messages": thread[: int(args.get("limit", 100))]}

    def _m_users_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        if user is None:
            user = {"id": args.get("user"), "tz": "Europe/Berlin", "tz_offset": 3600}
        return {"ok": True, "user": user}

    def _m_views_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {
            "ok": True,
            "view": {"id": f"V{next(self._ts)}", **(_json_arg(args.get("view")) or {})},
        }

    _m_views_push = _m_views_open
    _m_views_update = _m_views_open
    _m_views_publish = _m_views_open

    def _m_oauth_v2_access(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self.oauth_access or {"ok": False, "error": "invalid_code"}


def _json_arg(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
