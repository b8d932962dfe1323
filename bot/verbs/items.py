"""`/infrawork list`, `done <id>` and `undo`: the team's items, newest first, and fixing them."""

from __future__ import annotations

import re

from bot.blocks.capture import build_notice
from bot.blocks.items import build_list_page, page_value
from bot.ids import COMMAND
from bot.services.items import PAGE_SIZE, BadListArguments, ListPage, ListQuery
from bot.text.slack_text import escape_mrkdwn, truncate
from bot.verbs import REGISTRY, VerbRequest, verb
from bot.verbs.help import build_help

LIST_USAGE = "list [quadrant] [--week YYYY-Www | --weeks N]"


def usage_help(name: str, problem: str) -> dict[str, object]:
    """The answer to malformed arguments: what was wrong, then the help."""
    usage = REGISTRY[name].usage if name in REGISTRY else name
    intro = f"{problem}\nUsage: `{COMMAND} {usage}`"
    return {"response_type": "ephemeral", "text": problem, "blocks": build_help(intro)}


def render_page(page: ListPage) -> dict[str, object]:
    """A list page as a message: the items and Previous/Next buttons carrying the query."""
    q = page.query

    def value(offset: int) -> str:
        return page_value(
            team_id=page.team.id,
            quadrant=q.quadrant.value if q.quadrant else None,
            week=q.week,
            weeks=q.weeks,
            offset=offset,
        )

    blocks = build_list_page(
        team_name=page.team.name,
        description=q.describe(),
        items=page.items,
        total=page.total,
        offset=q.offset,
        previous_value=value(max(0, q.offset - PAGE_SIZE)) if page.has_previous else None,
        next_value=value(q.offset + len(page.items)) if page.has_next else None,
    )
    return {"text": f"{page.team.name}: {page.total} item(s)", "blocks": blocks}


@verb("list", LIST_USAGE, "the team's items, newest first (filter by quadrant or weeks)", order=20)
async def list_items(req: VerbRequest) -> None:
    try:
        query = ListQuery.parse(req.args)
    except BadListArguments as error:
        await req.ack(**usage_help("list", str(error)))
        return
    page = await req.services.items.list_page(req.actor, query)
    await req.ack(response_type="ephemeral", **render_page(page))


@verb("done", "done <id>", "mark an item done (ids are in `list`)", order=30)
async def done(req: VerbRequest) -> None:
    match = re.fullmatch(r"#?(\d{1,12})", req.args.strip())
    if match is None:
        await req.ack(**usage_help("done", "Which item? Give its number, e.g. `done 12`."))
        return
    item = await req.services.capture.mark_done(req.actor, int(match.group(1)))
    text = f"✔️ Marked #{item.id} done: {escape_mrkdwn(truncate(item.text, 200))}"
    await req.ack(response_type="ephemeral", text=text, blocks=build_notice(text))


@verb("undo", "undo", "remove the last item you logged", order=35)
async def undo(req: VerbRequest) -> None:
    if req.args.strip():
        await req.ack(**usage_help("undo", "`undo` takes nothing after it."))
        return
    item = await req.services.capture.undo(req.actor)
    text = f"↩️ Removed your last item (#{item.id}): {escape_mrkdwn(truncate(item.text, 200))}"
    await req.ack(response_type="ephemeral", text=text, blocks=build_notice(text))
