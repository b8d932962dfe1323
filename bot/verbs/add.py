"""`/infrawork add <text>`: log an item and show its quadrant, why, and the controls."""

from __future__ import annotations

from bot.blocks.capture import build_confirmation, confirmation_text
from bot.services.capture import Captured
from bot.text.slack_text import plain_from_slack
from bot.verbs import VerbRequest, verb


def render_captured(captured: Captured) -> dict[str, object]:
    """The ephemeral answer for a captured item (used by every capture surface)."""
    row, result = captured.row, captured.classification
    from core.model import Quadrant

    quadrant = Quadrant(row["quadrant"])
    blocks = build_confirmation(
        item_id=row["id"],
        team_name=captured.team.name,
        text=row["text"],
        quadrant=quadrant,
        principles=row["principles"],
        why=[s.explain() for s in result.signals if s.effect in _AXES],
        ask_to_pick=row["classified_by"] != "person" and result.low_confidence,
        decided_by_person=row["classified_by"] == "person",
    )
    return {"text": confirmation_text(captured.team.name, quadrant), "blocks": blocks}


_AXES = {"forced", "discretionary", "short-term", "long-term"}


@verb("add", "add <what you worked on>", "log a work item for this channel's team", order=10)
async def add(req: VerbRequest) -> None:
    text = plain_from_slack(req.args)
    if not text:
        await req.ack(
            response_type="ephemeral",
            text="What did you work on? Try `/infrawork add Patch OpenSSL CVE-2026-1234 on all "
            "edge hosts by Friday`.",
        )
        return
    captured = await req.services.capture.add(req.actor, text)
    await req.ack(response_type="ephemeral", **render_captured(captured))
