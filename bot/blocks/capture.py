"""The ephemeral confirmation of a logged item, with the controls to correct it."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot.ids import Action
from bot.text.slack_text import escape_mrkdwn, truncate
from core.model import Quadrant

CONTROLS_PREFIX = "controls:"


def quadrant_options() -> list[Option]:
    """The four quadrants as select options; the values are the wire ids."""
    return [Option(value=q.value, label=q.label) for q in Quadrant]


def controls_block_id(item_id: int) -> str:
    return f"{CONTROLS_PREFIX}{item_id}"


def item_id_from_block_id(block_id: str) -> int | None:
    """The item an interactive control belongs to, or None if the block is not ours."""
    if not block_id.startswith(CONTROLS_PREFIX):
        return None
    try:
        return int(block_id[len(CONTROLS_PREFIX) :])
    except ValueError:
        return None


def serves_phrase(principles: Sequence[str]) -> str:
    return f" — serves {', '.join(principles)}" if principles else ""


def build_confirmation(
    *,
    item_id: int,
    team_name: str,
    text: str,
    quadrant: Quadrant,
    principles: Sequence[str],
    why: Sequence[str],
    ask_to_pick: bool = False,
    decided_by_person: bool = False,
    headline: str = "✅ Logged for",
) -> list[Block]:
    """The answer to a capture: where it went, its quadrant, why, and the controls to change it.

    When ``ask_to_pick`` (the classifier was unsure) the four quadrants are offered as buttons
    instead of a silent guess.
    """
    team = escape_mrkdwn(team_name)
    summary = (
        f"{headline} {team} as *{quadrant.label}*{serves_phrase(principles)}\n"
        f">{escape_mrkdwn(truncate(text, 280))}"
    )
    blocks: list[Block] = [SectionBlock(block_id=f"item:{item_id}", text=summary)]
    if decided_by_person:
        reason = "you picked this quadrant"
    elif why:
        reason = " · ".join(escape_mrkdwn(w) for w in why)
    else:
        reason = "no strong signal in the text"
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=truncate(f"why: {reason}", 2000))])
    )
    if ask_to_pick:
        blocks.append(SectionBlock(text="I'm not sure about this one. Which is it?"))
        blocks.append(
            ActionsBlock(
                block_id=controls_block_id(item_id),
                elements=[
                    ButtonElement(
                        text=q.label,
                        action_id=f"{Action.PICK_QUADRANT}:{q.value}",
                        value=q.value,
                        style="primary" if q is quadrant else None,
                    )
                    for q in Quadrant
                ]
                + [ButtonElement(text="Undo", action_id=Action.UNDO, value=str(item_id))],
            )
        )
    else:
        options = quadrant_options()
        blocks.append(
            ActionsBlock(
                block_id=controls_block_id(item_id),
                elements=[
                    StaticSelectElement(
                        action_id=Action.CHANGE_QUADRANT,
                        placeholder="Change quadrant",
                        options=options,
                        initial_option=next(o for o in options if o.value == quadrant.value),
                    ),
                    ButtonElement(text="Undo", action_id=Action.UNDO, value=str(item_id)),
                ],
            )
        )
    return blocks


def confirmation_text(team_name: str, quadrant: Quadrant) -> str:
    """Notification fallback for the confirmation."""
    return f"Logged for {team_name} as {quadrant.label}"


def build_notice(text: str) -> list[Block]:
    """A one-section answer (errors, help lines, removals)."""
    return [SectionBlock(text=truncate(text, 3000))]
