"""`/infrawork help`: every verb with its usage, generated from the registry."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.ids import COMMAND
from bot.verbs import REGISTRY, VerbRequest, verb


def build_help(intro: str | None = None) -> list[Block]:
    lines = [
        f"• `{COMMAND} {v.usage}` — {v.summary}"
        for v in sorted(REGISTRY.values(), key=lambda v: (v.order, v.name))
    ]
    blocks: list[Block] = []
    if intro:
        blocks.append(SectionBlock(text=intro))
    blocks.append(
        SectionBlock(
            text="*infrawork* sorts your team's work into the essay's four "
            "quadrants.\n" + "\n".join(lines)
        )
    )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Quadrants: Forced · short-term, Forced · long-term, "
                    "Discretionary · short-term, Discretionary · long-term."
                )
            ]
        )
    )
    return blocks


@verb("help", "help", "show this help", order=99)
async def help_verb(req: VerbRequest) -> None:
    await req.ack(response_type="ephemeral", text="infrawork help", blocks=build_help())
