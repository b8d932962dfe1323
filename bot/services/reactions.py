"""Incident reactions: an incident emoji on a team's message logs that message as forced work.

The event names only the channel and the message ts, so the message is fetched from Slack
(``conversations.history``, or ``conversations.replies`` for a thread reply). Each message is
logged at most once: the work_items unique constraint on (workspace, channel, message_ts) decides
between racing deliveries, and only the delivery that created the item acknowledges it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.ids import CAPTURED_REACTION, DEFAULT_INCIDENT_EMOJIS, AckMode
from bot.services.capture import MAX_ITEM_CHARS, Captured, CaptureService
from bot.services.context import Actor
from bot.services.errors import UserFacingError
from bot.text.slack_text import plain_from_slack, truncate
from core.model import Quadrant, Source
from storage.tables import Team
from storage.uow import Database

log = logging.getLogger(__name__)

UNREADABLE_ERRORS = frozenset(
    {"not_in_channel", "channel_not_found", "missing_scope", "access_denied", "is_archived"}
)
"""Web API errors meaning "the bot cannot read this channel" (not a transient failure)."""


class Outcome(StrEnum):
    IGNORED = "ignored"
    """Not an incident emoji of a team, or not a message: nothing to do."""
    LOGGED = "logged"
    ALREADY_LOGGED = "already_logged"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    """The message had nothing to log (no text, no attachment, no file name)."""


@dataclass(frozen=True, slots=True)
class Reaction:
    """The parts of a ``reaction_added`` event that matter, parsed once."""

    workspace: str
    enterprise_id: str | None
    user_id: str | None
    emoji: str
    channel: str
    ts: str

    @classmethod
    def from_event(cls, body: dict[str, Any], event: dict[str, Any]) -> Reaction | None:
        """None unless the reaction is on a message (files and file comments are not logged)."""
        item = event.get("item") or {}
        if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
            return None
        workspace = body.get("team_id") or event.get("item_user_team") or ""
        if not workspace:
            return None
        return cls(
            workspace=str(workspace),
            enterprise_id=body.get("enterprise_id") or None,
            user_id=event.get("user"),
            # Skin tones arrive as "thumbsup::skin-tone-2"; the emoji is the part before.
            emoji=str(event.get("reaction", "")).split("::", 1)[0],
            channel=str(item["channel"]),
            ts=str(item["ts"]),
        )


@dataclass(slots=True)
class ReactionResult:
    outcome: Outcome
    reaction: Reaction | None = None
    team: Team | None = None
    captured: Captured | None = None
    thread_ts: str | None = None
    tell_unreadable: bool = False
    """True the first time this channel turned out unreadable: the reacting person is told."""


class ReactionCapture:
    def __init__(self, db: Database, clock: Clock, capture: CaptureService) -> None:
        self.db = db
        self.clock = clock
        self.capture = capture

    async def capture_reaction(
        self, client: AsyncWebClient, body: dict[str, Any], event: dict[str, Any]
    ) -> ReactionResult:
        """Log the reacted-to message once, committed before this returns."""
        reaction = Reaction.from_event(body, event)
        if reaction is None:
            return ReactionResult(Outcome.IGNORED)
        async with self.db.read() as uow:
            team = await uow.teams.for_channel(reaction.workspace, reaction.channel)
            if team is None or reaction.emoji not in incident_emojis(team):
                return ReactionResult(Outcome.IGNORED, reaction)
            existing = await uow.items.by_message(reaction.workspace, reaction.channel, reaction.ts)
        self.capture.teams.remember(team)  # just read: the capture below needs no lookup
        if existing is not None:
            # Another person's reaction, or a re-delivery: no Web API call, no second ack.
            return ReactionResult(Outcome.ALREADY_LOGGED, reaction, team)
        try:
            message = await fetch_message(client, reaction.channel, reaction.ts)
        except SlackApiError as error:
            code = slack_error(error)
            if code not in UNREADABLE_ERRORS:
                raise
            first = await self._remember_unreadable(team, reaction.channel, True)
            return ReactionResult(Outcome.UNREADABLE, reaction, team, tell_unreadable=first)
        if team.unreadable_channels and reaction.channel in team.unreadable_channels:
            await self._remember_unreadable(team, reaction.channel, False)
        text = message_text(message) if message is not None else ""
        if not text:
            return ReactionResult(Outcome.EMPTY, reaction, team)
        permalink = await get_permalink(client, reaction.channel, reaction.ts)
        actor = Actor(
            workspace=reaction.workspace,
            enterprise_id=reaction.enterprise_id,
            user_id=reaction.user_id,
            channel_id=reaction.channel,
        )
        try:
            captured = await self.capture.add(
                actor,
                text,
                source=Source.REACTION,
                message_ts=reaction.ts,
                permalink=permalink,
                team_id=team.id,
                incident_reaction=True,
            )
        except UserFacingError:
            return ReactionResult(Outcome.EMPTY, reaction, team)
        assert message is not None
        return ReactionResult(
            Outcome.LOGGED if captured.created else Outcome.ALREADY_LOGGED,
            reaction,
            team,
            captured,
            thread_ts=message.get("thread_ts") or reaction.ts,
        )

    async def _remember_unreadable(self, team: Team, channel: str, unreadable: bool) -> bool:
        """Record (or forget) that ``channel`` is unreadable; True if this changed anything."""
        async with self.db.uow() as uow:
            fresh = await uow.teams.get_for_update(team.workspace, team.id)
            if fresh is None:
                return False
            channels = list(fresh.unreadable_channels or [])
            if (channel in channels) == unreadable:
                return False
            fresh.unreadable_channels = (
                [*channels, channel] if unreadable else [c for c in channels if c != channel]
            )
            fresh.updated_at = self.clock.now()
            await uow.commit()
        return True

    async def acknowledge(self, client: AsyncWebClient, result: ReactionResult) -> None:
        """After the capture is committed: say so in the channel the way the team chose.

        Only the delivery that created the item does this, so a message gets one ✅ however many
        people react and however often Slack retries.
        """
        reaction, team, captured = result.reaction, result.team, result.captured
        if result.outcome is Outcome.UNREADABLE and result.tell_unreadable:
            assert reaction is not None and team is not None
            await tell_unreadable(client, team, reaction)
            return
        if result.outcome is not Outcome.LOGGED or reaction is None or team is None:
            return
        assert captured is not None
        mode = team.ack_mode if team.ack_mode in AckMode._value2member_map_ else AckMode.REACTION
        try:
            if mode == AckMode.REACTION:
                await client.reactions_add(
                    channel=reaction.channel, timestamp=reaction.ts, name=CAPTURED_REACTION
                )
            elif mode == AckMode.THREAD:
                quadrant, item_id = Quadrant(captured.row["quadrant"]), captured.row["id"]
                await client.chat_postMessage(
                    channel=reaction.channel,
                    thread_ts=result.thread_ts or reaction.ts,
                    text=f"Logged for {team.name} as {quadrant.label} (item #{item_id}).",
                    unfurl_links=False,
                )
        except SlackApiError as error:
            # The item is stored; a missing ✅ is cosmetic (already_reacted, no permission).
            log.warning(
                "could not acknowledge item %s: %s",
                captured.row["id"],
                slack_error(error),
            )


def incident_emojis(team: Team) -> set[str]:
    return set(team.incident_emojis or DEFAULT_INCIDENT_EMOJIS)


async def fetch_message(client: AsyncWebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """The message at ``ts``: from the channel's history, or from its thread for a reply.

    ``conversations.history`` never returns thread replies, so when the newest message at or
    before ``ts`` is not the one asked for, the message is looked up with ``conversations.replies``
    (whose ``ts`` may be any message of the thread).
    """
    history = await client.conversations_history(
        channel=channel, latest=ts, inclusive=True, limit=1
    )
    for message in history.get("messages") or []:
        if message.get("ts") == ts:
            return dict(message)
    replies = await client.conversations_replies(
        channel=channel, ts=ts, latest=ts, inclusive=True, limit=1
    )
    for message in replies.get("messages") or []:
        if message.get("ts") == ts:
            return dict(message)
    return None


def message_text(message: dict[str, Any]) -> str:
    """What to log for a message: its text, else its attachments' text, else its files' names."""
    parts = [message.get("text") or ""]
    if not parts[0].strip():
        for attachment in message.get("attachments") or []:
            parts.append(
                attachment.get("fallback")
                or attachment.get("text")
                or attachment.get("title")
                or ""
            )
        for file in message.get("files") or []:
            parts.append(file.get("title") or file.get("name") or "")
    text = plain_from_slack(" ".join(p for p in parts if p))
    return truncate(text, MAX_ITEM_CHARS)


async def get_permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    """The message's permalink, or None (the item is still worth keeping without one)."""
    try:
        answer = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        log.warning("no permalink for a message: %s", slack_error(error))
        return None
    link = answer.get("permalink")
    return str(link) if link else None


def unreadable_notice(team: Team, reaction: Reaction) -> str:
    return (
        f":{reaction.emoji}: on a message in <#{reaction.channel}> would log it as incident work "
        f"for {team.name}, but I can't read that channel, so nothing was logged. Invite me with "
        f"`/invite @infrawork` in <#{reaction.channel}> and react again. (I'll only say this once.)"
    )


async def tell_unreadable(client: AsyncWebClient, team: Team, reaction: Reaction) -> None:
    """Tell the reacting person once, where they can see it: in that channel, else the home."""
    text = unreadable_notice(team, reaction)
    if reaction.user_id:
        try:
            await client.chat_postEphemeral(
                channel=reaction.channel, user=reaction.user_id, text=text
            )
            return
        except SlackApiError as error:
            log.info("ephemeral in an unreadable channel failed: %s", slack_error(error))
    try:
        who = f"<@{reaction.user_id}>: " if reaction.user_id else ""
        await client.chat_postMessage(channel=team.home_channel, text=who + text)
    except SlackApiError as error:
        log.warning(
            "could not tell team %s about an unreadable channel: %s",
            team.id,
            slack_error(error),
        )


def slack_error(error: SlackApiError) -> str:
    """The Web API's error code (``not_in_channel`` …), or the HTTP status when there is none."""
    data = error.response.data
    if isinstance(data, dict):
        return str(data.get("error", ""))
    return f"http_{error.response.status_code}"
