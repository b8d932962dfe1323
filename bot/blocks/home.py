"""The App Home tab: per team, this week's mix by quadrant, recent items, add and setup buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.items import item_line
from bot.ids import COMMAND, Action
from bot.ids import Block as BlockId
from bot.text.slack_text import escape_mrkdwn, truncate
from core.model import Quadrant

if TYPE_CHECKING:
    from storage.tables import WorkItem

MAX_TEAMS = 5
"""Teams shown on the tab (most recently used first); keeps it far below 100 blocks."""


@dataclass(frozen=True, slots=True)
class TeamPanel:
    team_id: int
    name: str
    home_channel: str
    week_label: str
    mix: Mapping[str, int]
    recent: Sequence[WorkItem]
    phase: str | None = None
    """The phase and why (mrkdwn), as the digest says it."""
    baselines: str | None = None
    """Each principle's baseline status (mrkdwn), as the digest says it."""


def mix_line(mix: Mapping[str, int]) -> str:
    """``Forced · short 3 (50%) · Forced · long 1 (17%) …`` (all four, in the essay's order)."""
    total = sum(mix.values())
    parts = []
    for q in Quadrant:
        n = mix.get(q.value, 0)
        share = f" ({round(100 * n / total)}%)" if total else ""
        parts.append(f"{q.short_label} *{n}*{share}")
    return "   ".join(parts)


def build_home(panels: Sequence[TeamPanel], *, total_teams: int | None = None) -> View:
    total_teams = len(panels) if total_teams is None else total_teams
    blocks: list[Block] = [HeaderBlock(text="infrawork")]
    if not panels:
        blocks.append(
            SectionBlock(
                text="infrawork sorts your team's work into forced or discretionary, short- or "
                "long-term, and posts one digest a week.\nTo start, run "
                f"`{COMMAND} add <what you worked on>` in your team's channel: the first use there "
                "creates the team. Your team then shows up here."
            )
        )
        return View(type="home", blocks=blocks)
    for panel in panels[:MAX_TEAMS]:
        name = escape_mrkdwn(panel.name)
        blocks.append(DividerBlock())
        blocks.append(
            SectionBlock(
                text=f"*{name}* — <#{panel.home_channel}>\n*This week* ({panel.week_label})"
            )
        )
        if panel.phase:
            blocks.append(SectionBlock(text=truncate(panel.phase, 3000)))
        total = sum(panel.mix.values())
        if total:
            blocks.append(SectionBlock(text=mix_line(panel.mix)))
        else:
            blocks.append(SectionBlock(text="Nothing logged this week yet."))
        if panel.baselines:
            blocks.append(SectionBlock(text=truncate(panel.baselines, 3000)))
        if panel.recent:
            lines = "\n".join(f"• {item_line(item)}" for item in panel.recent)
            blocks.append(SectionBlock(text=truncate(f"*Recent*\n{lines}", 3000)))
        blocks.append(
            ActionsBlock(
                block_id=f"{BlockId.HOME_TEAM}:{panel.team_id}",
                elements=[
                    ButtonElement(
                        text="Log work",
                        action_id=Action.OPEN_ADD,
                        value=str(panel.team_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Setup", action_id=Action.OPEN_SETUP, value=str(panel.team_id)
                    ),
                ],
            )
        )
    if total_teams > len(panels[:MAX_TEAMS]):
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Showing your {MAX_TEAMS} most recently used teams of {total_teams}."
                    )
                ]
            )
        )
    return View(type="home", blocks=blocks)
