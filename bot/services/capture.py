"""Logging work items: classify, store once, change quadrant, undo, mark done."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.metrics import Metrics
from bot.services.context import Actor
from bot.services.deadline import current_deadline
from bot.services.errors import AnswerTooLate, InvalidInput, NotFound
from bot.services.learning import TeamModels
from bot.services.refresh import Lookups
from bot.services.teams import NoTeamHere, TeamDirectory, create_channel_team
from core.classify import classify
from core.learning import TeamModel
from core.model import (
    CaptureContext,
    Classification,
    ItemStatus,
    Principle,
    Quadrant,
    Source,
)
from storage.item_writer import DeadlinePassed, MemberTouch
from storage.tables import Team, WorkItem
from storage.uow import Database, UnitOfWork

MAX_ITEM_CHARS = 3000
"""Longer texts are refused rather than cut: a work item is a line, not a document."""


@dataclass(frozen=True, slots=True)
class Captured:
    row: Mapping[str, Any]
    """Every column of the stored (or, when not ``created``, the existing) work item."""
    team: Team
    classification: Classification
    created: bool = True

    @property
    def item(self) -> WorkItem:
        """The item as a (detached) ORM object, built on use: the slash command's answer reads
        :attr:`row` and skips it (SQLAlchemy's instrumented construction costs ~40 µs an add)."""
        return WorkItem(**self.row)


def clean_item_text(text: str) -> str:
    """The text to store, or InvalidInput with a friendly reason."""
    text = text.strip()
    if not any(_visible(ch) for ch in text):
        raise InvalidInput(
            "Tell me what the work is, e.g. `/infrawork add Patch OpenSSL CVE-2026-1234 on all "
            "edge hosts by Friday`."
        )
    if len(text) > MAX_ITEM_CHARS:
        raise InvalidInput(
            f"That's {len(text):,} characters; a work item is at most {MAX_ITEM_CHARS:,}. "
            "Give it a one-line title and link the details."
        )
    return text


class CaptureService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        models: TeamModels,
        metrics: Metrics | None = None,
        teams: TeamDirectory | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.models = models
        self.metrics = metrics
        self.teams = teams if teams is not None else TeamDirectory()
        self.lookups = Lookups()
        """Team and model lookups in flight (bot/services/refresh.py)."""

    async def add(
        self,
        actor: Actor,
        text: str,
        *,
        source: Source = Source.SLASH_COMMAND,
        message_ts: str | None = None,
        permalink: str | None = None,
        quadrant: Quadrant | None = None,
        principles: tuple[Principle, ...] | None = None,
        team_id: int | None = None,
        incident_reaction: bool = False,
    ) -> Captured:
        """Classify and store one item, committed before this returns.

        With ``message_ts`` the item is tied to that Slack message and stored at most once:
        a second capture of the same message returns the existing item with ``created=False``.
        """
        text = clean_item_text(text)
        now = self.clock.now()
        # Not tied to a message, nothing could recognise a retry of this capture: if Slack has
        # already told the person it failed, it must not be stored (checked by the writer).
        deadline = current_deadline() if message_ts is None else None
        for attempt in range(2):
            team, cached = await self._team(actor, team_id, now)
            context = CaptureContext(
                source=source,
                incident_channel=actor.channel_id in (team.incident_channels or []),
                incident_reaction=incident_reaction,
            )
            model = await self._model(team)
            result = classify(text, context=context, logged_at=now, team=model)
            chosen = quadrant or result.quadrant
            values = {
                "workspace": actor.workspace,
                "team_id": team.id,
                "text": text,
                "quadrant": chosen.value,
                "confidence": 1.0 if quadrant else result.confidence,
                "principles": [p.value for p in (principles or result.principles)],
                "rationale": result.rationale(),
                "signals": [s.explain() for s in result.signals],
                "source": source.value,
                "channel": actor.channel_id,
                "message_ts": message_ts,
                "permalink": permalink,
                "created_by": actor.user_id,
                "created_at": now,
                "updated_at": now,
                "status": ItemStatus.OPEN.value,
                "classified_by": "person" if quadrant else _decided_by(result),
            }
            touch = None
            if actor.user_id and self.teams.needs_touch(actor.workspace, actor.user_id, team.id):
                touch = MemberTouch(team.id, actor.user_id, actor.workspace, now)
            try:
                stored = await self.db.item_writer.add(values, member=touch, deadline=deadline)
            except DeadlinePassed:
                raise AnswerTooLate("the capture finished after Slack stopped waiting") from None
            except IntegrityError:
                if not cached or attempt:
                    raise
                # The remembered team was deleted meanwhile (another replica, a purge): look
                # the channel's team up again.
                self.teams.forget_all()
                continue
            break
        if touch is not None:
            self.teams.touched(actor.workspace, touch.user_id, team.id)
        if stored.created and self.metrics is not None:
            self.metrics.item_captured(source.value, chosen.value)
        return Captured(stored.row, team, result, created=stored.created)

    async def _team(self, actor: Actor, team_id: int | None, now: datetime) -> tuple[Team, bool]:
        """The capture's team, and whether it came from this process's memory.

        The channel's team (created on its first use there), the team ``team_id``, or in a
        direct message the team the person used most recently.
        """
        workspace = actor.workspace
        if team_id is not None:
            team = self.teams.by_id(workspace, team_id)
            if team is not None:
                return team, True
            async with self.db.read() as uow:
                team = await uow.teams.get(workspace, team_id)
            if team is None:
                raise NotFound("That team no longer exists here.")
            self.teams.remember(team)
            return team, False
        if actor.in_direct_message or actor.channel_id is None:
            async with self.db.read() as uow:
                teams = await uow.teams.of_member(workspace, actor.user_id or "")
            if not teams:
                raise NoTeamHere()
            return teams[0], False
        channel = actor.channel_id
        team = self.teams.by_channel(workspace, channel)
        generation = self.teams.generation
        key = ("channel team", workspace, channel, generation)
        if team is not None:
            if self.teams.channel_due(workspace, channel):
                recheck = partial(self._recheck_channel, workspace, channel, generation)
                self.lookups.ahead(key, recheck)
            return team, True
        # Concurrent captures in the channel share one lookup (and create the team only once).
        # The lookup they join may be the background recheck, started before the remembered team
        # expired, which finds no team when the channel's was moved or deleted meanwhile.
        found: Team | None = await self.lookups.once(
            key, lambda: self._channel_team(actor, now, generation)
        )
        if found is None:
            found = await self._channel_team(actor, now, generation)
        return found, False

    async def _channel_team(self, actor: Actor, now: datetime, generation: int) -> Team:
        """The channel's team, created on its first use there, remembered for the recheck."""
        assert actor.channel_id is not None
        async with self.db.read() as uow:
            team = await uow.teams.for_channel(actor.workspace, actor.channel_id)
        if team is None:
            async with self.db.uow() as uow:
                team = await create_channel_team(uow, actor, now)
                await uow.commit()
        self.teams.remember(team, actor.channel_id, generation=generation)
        return team

    async def _recheck_channel(self, workspace: str, channel: str, generation: int) -> Team | None:
        """Look the channel's team up again before the remembered one expires (background).
        Captures that find the remembered team expired meanwhile join this lookup and get its
        answer; None (moved or deleted on another replica) sends them to :meth:`_channel_team`."""
        async with self.db.read() as uow:
            team = await uow.teams.for_channel(workspace, channel)
        if team is None:
            self.teams.forget_channel(workspace, channel, generation=generation)
        else:
            self.teams.remember(team, channel, generation=generation)
        return team

    async def _model(self, team: Team) -> TeamModel | None:
        """The team's learned model: checked at most every recheck interval, in the background
        shortly before it expires, and by one lookup when concurrent captures find it expired."""
        key = ("team model", team.id, self.models.generation)
        fresh, model = self.models.recent(team.id)
        if fresh:
            if self.models.due(team.id):
                self.lookups.ahead(key, lambda: self._check_model(team, force=True))
            return model
        return await self.lookups.once(key, lambda: self._check_model(team, force=False))

    async def _check_model(self, team: Team, *, force: bool) -> TeamModel | None:
        async with self.db.read() as uow:
            if force:
                return await self.models.refresh(uow, team)
            return await self.models.for_team(uow, team)

    async def change_quadrant(
        self, actor: Actor, item_id: int, quadrant: Quadrant
    ) -> tuple[WorkItem, Team]:
        """A person's correction: update the item and keep it as a lesson for the team."""
        now = self.clock.now()
        async with self.db.uow() as uow:
            item = await uow.items.get(actor.workspace, item_id)
            if item is None:
                raise NotFound("That item is gone (undone or deleted).")
            if item.quadrant != quadrant.value:
                await _correct(uow, actor, item, quadrant, item.text, now)
                item.updated_at = now
                self.models.forget(item.team_id)
            team = await uow.teams.get(actor.workspace, item.team_id)
            assert team is not None  # items cascade with their team
            await uow.commit()
        return item, team

    async def undo(self, actor: Actor, item_id: int | None = None) -> WorkItem:
        """Remove an item the actor logged (by default their most recent one)."""
        async with self.db.uow() as uow:
            if item_id is None:
                item = await uow.items.last_by_user(actor.workspace, actor.user_id or "")
                if item is None:
                    raise NotFound("You haven't logged anything to undo.")
            else:
                item = await uow.items.get(actor.workspace, item_id)
                if item is None:
                    raise NotFound("That item is already gone.")
            await uow.items.delete(item)
            await uow.commit()
        return item

    async def update(
        self,
        actor: Actor,
        item_id: int,
        text: str,
        *,
        quadrant: Quadrant | None = None,
        principles: tuple[Principle, ...] | None = None,
    ) -> tuple[WorkItem, Team]:
        """Rewrite a logged item (the "already logged — update it" path of the modal).

        A quadrant the person picks that differs from the stored one is kept as a correction,
        exactly like the change-quadrant control; without one the new text is classified again.
        """
        text = clean_item_text(text)
        now = self.clock.now()
        async with self.db.uow() as uow:
            item = await uow.items.get(actor.workspace, item_id)
            if item is None:
                raise NotFound("That item is gone (undone or deleted).")
            team = await uow.teams.get(actor.workspace, item.team_id)
            assert team is not None  # items cascade with their team
            if quadrant is None and text != item.text:
                model = await self.models.for_team(uow, team)
                context = CaptureContext(source=Source(item.source))
                result = classify(text, context=context, logged_at=item.created_at, team=model)
                if item.classified_by != "person":
                    item.quadrant = result.quadrant.value
                    item.confidence = result.confidence
                    item.rationale = result.rationale()
                    item.signals = [sig.explain() for sig in result.signals]
                    item.classified_by = _decided_by(result)
                if principles is None:
                    principles = result.principles
            if quadrant is not None and quadrant.value != item.quadrant:
                await _correct(uow, actor, item, quadrant, text, now)
                self.models.forget(item.team_id)
            item.text = text
            if principles:
                item.principles = [p.value for p in principles]
            item.updated_at = now
            await uow.commit()
        return item, team

    async def mark_done(self, actor: Actor, item_id: int) -> WorkItem:
        now = self.clock.now()
        async with self.db.uow() as uow:
            item = await uow.items.get(actor.workspace, item_id)
            if item is None:
                raise NotFound(f"There is no item #{item_id} in this workspace.")
            item.status = ItemStatus.DONE.value
            item.done_at = now
            item.updated_at = now
            await uow.commit()
        return item


async def _correct(
    uow: UnitOfWork, actor: Actor, item: WorkItem, quadrant: Quadrant, text: str, now: datetime
) -> None:
    """A person moved ``item`` to ``quadrant``: keep it as a lesson for the team's classifier."""
    await uow.corrections.add(
        {
            "workspace": actor.workspace,
            "team_id": item.team_id,
            "item_id": item.id,
            "text": text,
            "from_quadrant": item.quadrant,
            "to_quadrant": quadrant.value,
            "corrected_by": actor.user_id,
            "created_at": now,
        }
    )
    item.quadrant = quadrant.value
    item.confidence = 1.0
    item.classified_by = "person"


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) not in {"Cf", "Cc", "Zs"}


def _decided_by(result: Classification) -> str:
    return "team" if result.team_decided else "rules"
