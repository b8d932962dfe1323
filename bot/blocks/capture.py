"""The ephemeral confirmation of a logged item, with the controls to correct it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, Option, SectionBlock

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


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


# The confirmation answers every capture, so it is built as the wire dicts directly: through
# slack_sdk's block models it was ~15 % of an `add`'s CPU (bench/RESULTS.md, "Request path").
# The parts that never change are built once; tests/bot/test_blocks_capture.py checks the
# output equals the slack_sdk models' to_dict().
_OPTIONS = {q: {"text": _plain(q.label), "value": q.value} for q in Quadrant}
_OPTION_LIST = [_OPTIONS[q] for q in Quadrant]
_PLACEHOLDER = _plain("Change quadrant")
_UNDO_TEXT = _plain("Undo")
_NOT_SURE = {
    "type": "section",
    "text": {"type": "mrkdwn", "text": "I'm not sure about this one. Which is it?"},
}


def _pick_button(q: Quadrant, chosen: Quadrant) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": f"{Action.PICK_QUADRANT}:{q.value}",
        "text": _OPTIONS[q]["text"],
        "value": q.value,
    }
    if q is chosen:
        button["style"] = "primary"
    return button


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
) -> list[dict[str, Any]]:
    """The answer to a capture: where it went, its quadrant, why, and the controls to change it.

    When ``ask_to_pick`` (the classifier was unsure) the four quadrants are offered as buttons
    instead of a silent guess.
    """
    team = escape_mrkdwn(team_name)
    summary = (
        f"{headline} {team} as *{quadrant.label}*{serves_phrase(principles)}\n"
        f">{escape_mrkdwn(truncate(text, 280))}"
    )
    if decided_by_person:
        reason = "you picked this quadrant"
    elif why:
        reason = " · ".join(escape_mrkdwn(w) for w in why)
    else:
        reason = "no strong signal in the text"
    undo = {"type": "button", "action_id": Action.UNDO, "text": _UNDO_TEXT, "value": str(item_id)}
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": f"item:{item_id}",
            "text": {"type": "mrkdwn", "text": truncate(summary, 3000)},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": truncate(f"why: {reason}", 2000)}],
        },
    ]
    if ask_to_pick:
        blocks.append(_NOT_SURE)
        elements = [_pick_button(q, quadrant) for q in Quadrant]
    else:
        elements = [
            {
                "type": "static_select",
                "action_id": Action.CHANGE_QUADRANT,
                "placeholder": _PLACEHOLDER,
                "options": _OPTION_LIST,
                "initial_option": _OPTIONS[quadrant],
            }
        ]
    blocks.append(
        {"type": "actions", "block_id": controls_block_id(item_id), "elements": [*elements, undo]}
    )
    return blocks


def confirmation_text(team_name: str, quadrant: Quadrant) -> str:
    """Notification fallback for the confirmation."""
    return f"Logged for {team_name} as {quadrant.label}"


def build_notice(text: str) -> list[Block]:
    """A one-section answer (errors, help lines, removals)."""
    return [SectionBlock(text=truncate(text, 3000))]
