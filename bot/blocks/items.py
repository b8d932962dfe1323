"""A team's items as Block Kit: list pages with Previous/Next, one-line item summaries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ids import Action
from bot.ids import Block as BlockId
from bot.text.slack_text import escape_mrkdwn, link, truncate
from core.model import Quadrant

if TYPE_CHECKING:
    from storage.tables import WorkItem

ITEM_TEXT_CHARS = 200


def item_line(item: WorkItem) -> str:
    """``#12 · Forced · short · Patch OpenSSL… (link) · Nov 23 · ✔ done``"""
    known = item.quadrant in Quadrant._value2member_map_
    quadrant = Quadrant(item.quadrant).short_label if known else item.quadrant
    text = truncate(item.text.replace("\n", " "), ITEM_TEXT_CHARS)
    body = link(item.permalink, text) if item.permalink else escape_mrkdwn(text)
    parts = [f"`#{item.id}`", f"*{quadrant}*", body, f"{item.created_at:%b} {item.created_at.day}"]
    if item.status == "done":
        parts.append("✔ done")
    return " · ".join(parts)


def page_value(
    *, team_id: int, quadrant: str | None, week: str | None, weeks: int | None, offset: int
) -> str:
    """A list page's state as a button value (well under Slack's 2,000 characters)."""
    data = {"t": team_id, "q": quadrant, "w": week, "n": weeks, "o": offset}
    return json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"))


def read_page_value(value: str) -> dict[str, Any]:
    """The state a page button carries; {} when it is not ours or malformed."""
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("t"), int) else {}


def build_list_page(
    *,
    team_name: str,
    description: str,
    items: Sequence[WorkItem],
    total: int,
    offset: int,
    previous_value: str | None,
    next_value: str | None,
) -> list[Block]:
    """One page of a team's items, newest first, with Previous/Next when there is more."""
    head = f"*{escape_mrkdwn(team_name)}* — {escape_mrkdwn(description)}"
    if not items:
        return [
            SectionBlock(
                text=f"{head}\nNothing logged here yet. Try `/infrawork add <what you worked on>`."
            )
        ]
    shown = f"{offset + 1}–{offset + len(items)} of {total}"
    blocks: list[Block] = [SectionBlock(text=f"{head} ({shown}, newest first)")]
    for item in items:
        blocks.append(SectionBlock(text=truncate(item_line(item), 3000)))
    buttons = []
    if previous_value is not None:
        buttons.append(
            ButtonElement(
                text="◀ Previous", action_id=f"{Action.LIST_PAGE}:prev", value=previous_value
            )
        )
    if next_value is not None:
        buttons.append(
            ButtonElement(text="Next ▶", action_id=f"{Action.LIST_PAGE}:next", value=next_value)
        )
    if buttons:
        blocks.append(ActionsBlock(block_id=BlockId.LIST_NAV, elements=buttons))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="`/infrawork done <id>` marks one done · "
                    "`/infrawork list forced_short --weeks 4` filters"
                )
            ]
        )
    )
    return blocks
