"""`/infrawork baseline set|record|list`: a team's line per principle and its measurements."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.ids import COMMAND
from bot.services.baselines import RECORD_EXAMPLE, SET_EXAMPLE, Overview
from bot.text.slack_text import plain_from_slack
from bot.verbs import VerbRequest, verb
from core.baselines import StatusKind

USAGE = (
    "*Baselines* — one line per principle, and measurements against it:\n"
    f"• `{SET_EXAMPLE}` (also `{COMMAND} baseline set latency checkout-p99 <= 300ms`)\n"
    f"• `{RECORD_EXAMPLE}`\n"
    f"• `{COMMAND} baseline list`"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_overview(overview: Overview) -> list[Block]:
    """Each principle: its baseline and where this week's latest measurement puts it."""
    lines = []
    for status in overview.statuses:
        assert status.principle is not None
        name = f"*{status.principle.value}*"
        if status.baseline is None:
            lines.append(f"• {name} — no baseline yet")
            continue
        verdict = (
            status.summary("this week")
            if status.kind is not StatusKind.UNKNOWN
            else status.verdict("this week")
        )
        lines.append(f"• {name} {_escape(status.baseline.describe())} — {_escape(verdict)}")
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Baselines of {_escape(overview.team.name)}* — "
                f"{overview.week.label()}\n" + "\n".join(lines)
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Set one: `{SET_EXAMPLE}` · record: `{RECORD_EXAMPLE}` · "
                    "no measurement this week means unknown, never green."
                )
            ]
        ),
    ]


@verb(
    "baseline",
    "baseline set|record|list …",
    "set a principle's baseline, record a measurement, or list where each stands",
    order=40,
)
async def baseline(req: VerbRequest) -> None:
    action, _, rest = plain_from_slack(req.args).strip().partition(" ")
    action = action.lower()
    services = req.services.baselines
    if action == "set":
        result = await services.set(req.actor, rest)
        replaced = (
            f" (replaces {_escape(result.previous.describe())})"
            if result.previous is not None and result.previous != result.baseline
            else ""
        )
        text = (
            f"✅ Baseline for *{result.baseline.principle.value}* in {_escape(result.team.name)}: "
            f"{_escape(result.baseline.describe())}{replaced}. Record measurements with "
            f"`{COMMAND} baseline record {result.baseline.principle.value} <value>`."
        )
        await req.ack(response_type="ephemeral", text=text)
    elif action == "record":
        recorded = await services.record(req.actor, rest)
        status = recorded.status
        assert status.baseline is not None and status.principle is not None
        text = (
            f"📏 Recorded {_escape(status.value_text())} for *{status.principle.value}* "
            f"({_escape(status.baseline.describe())}): {_escape(status.verdict())}."
        )
        await req.ack(response_type="ephemeral", text=text)
    elif action in ("list", "ls", ""):
        overview = await services.overview(req.actor)
        await req.ack(
            response_type="ephemeral",
            text=f"Baselines of {overview.team.name}",
            blocks=build_overview(overview),
        )
    else:
        await req.ack(
            response_type="ephemeral",
            text=f"I don't know `baseline {_escape(action[:30])}`.\n{USAGE}",
        )
