"""The weekly digest as Block Kit: the channel message, its thread reply and the notification
text. Pure functions of a :class:`core.digest.Digest`; always within Slack's limits."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from core.digest import Digest, NotableItem
from core.model import Quadrant
from core.phase import format_percent

__all__ = [
    "MAX_BLOCKS",
    "build_digest_blocks",
    "build_digest_thread_blocks",
    "digest_fallback_text",
    "digest_header",
]

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
CONTEXT_ELEMENTS = 10
FALLBACK_CHARS = 300
ITEM_TEXT_CHARS = 200
"""How much of one item's text the thread shows; the rest is a click away."""

ELLIPSIS = "…"


# --- text helpers ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Text safe inside mrkdwn: only &, < and > are special to Slack."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters of plain text, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def _cut_escaped(text: str, limit: int) -> str:
    """Plain ``text`` escaped for mrkdwn in at most ``limit`` characters, never cutting an
    entity (``&amp;``) in half."""
    escaped = _escape(text)
    if len(escaped) <= limit:
        return escaped
    lo, hi = 0, min(len(text), limit)
    while lo < hi:  # the longest prefix whose escaped form leaves room for the ellipsis
        mid = (lo + hi + 1) // 2
        if len(_escape(text[:mid])) <= limit - 1:
            lo = mid
        else:
            hi = mid - 1
    return _escape(text[:lo].rstrip()) + ELLIPSIS


def _fit_mrkdwn(text: str, limit: int) -> str:
    """Already-built mrkdwn cut to ``limit``, backing off so no ``<…>`` or ``&…;`` is split."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    open_link, close_link = cut.rfind("<"), cut.rfind(">")
    if open_link > close_link:
        cut = cut[:open_link]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def _link(url: str | None, label: str, limit: int = ITEM_TEXT_CHARS) -> str:
    """``<url|label>`` with the label escaped, or the escaped label when there is no safe URL."""
    text = _cut_escaped(label, limit)
    if not url or not url.startswith(("https://", "http://")):
        return text
    safe_url = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{safe_url}|{text.replace('|', '¦')}>"


def _mrkdwn(text: str, limit: int = SECTION_CHARS) -> MarkdownTextObject:
    return MarkdownTextObject(text=_fit_mrkdwn(text, limit))


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_mrkdwn(text))


def _context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS]])


def _where(digest: Digest) -> str:
    """``#platform``, else the team's name: a header is plain text, ``<#C…>`` wouldn't render."""
    return f"#{digest.channel_name}" if digest.channel_name else digest.team_name


def digest_header(digest: Digest) -> str:
    """``Infra work — #platform — week 47 (Nov 16–22)``, at most 150 characters."""
    label = digest.week.label()
    room = HEADER_CHARS - len(f"Infra work —  — {label}")
    return f"Infra work — {_cut(_where(digest), max(room, 1))} — {label}"


# --- the channel message --------------------------------------------------------------------


def phase_text(digest: Digest) -> str:
    """The phase and why, e.g. "🔥 *Firefighting*: 71% of … was forced (your line: 50%)."."""
    verdict = digest.verdict
    return f"{verdict.mark} *{verdict.label}*: {_escape(verdict.explain())}."


def _mix_field(digest: Digest, quadrant: Quadrant) -> str:
    row = next(r for r in digest.mix if r.quadrant is quadrant)
    share = f" ({format_percent(row.share)})" if row.share is not None else ""
    return f"*{quadrant.short_label}*\n{row.count}{share} · {row.change_text} vs last week"


def _trend_text(digest: Digest) -> str:
    share = digest.this_week.forced_share
    now = f" {format_percent(share)} this week" if share is not None else " nothing logged"
    weeks = len(digest.trend)
    items = "item" if digest.total == 1 else "items"
    return (
        f"Forced share, {weeks} weeks: `{digest.sparkline}`{now} · "
        f"{digest.total} {items} logged this week"
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def baselines_text(digest: Digest) -> str:
    """Each principle's baseline status (missed first), then those without a baseline."""
    lines = ["*Baselines*"]
    for status in digest.baselines_by_urgency:
        assert status.baseline is not None and status.principle is not None
        summary = status.summary(digest.measurement_window).removeprefix("— ")
        lines.append(
            f"• *{status.principle.value}* {_escape(status.baseline.describe())} — "
            f"{_escape(summary)}"
        )
    if digest.without_baseline:
        names = " · ".join(p.value for p in digest.without_baseline)
        lines.append(f"• {names} — no baseline yet (`/infrawork baseline set …`)")
    return "\n".join(lines)


def build_digest_blocks(digest: Digest) -> list[Block]:
    """The digest message: header, phase and why, the 2×2 mix, trend, baselines, advice."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=digest_header(digest), emoji=True)),
        _section(phase_text(digest)),
        SectionBlock(
            fields=[_mrkdwn(_mix_field(digest, q), FIELD_CHARS) for q in Quadrant][:MAX_FIELDS]
        ),
        _context(_trend_text(digest)),
        DividerBlock(),
        _section(baselines_text(digest)),
        _section(f"*What the essay suggests*\n{_escape(_capitalised(digest.advice.text))}"),
    ]
    footer = ["Team-level view: nobody is ranked."]
    if digest.notable_count:
        footer.insert(0, "Notable items by quadrant are in the thread 🧵")
    if not digest.channel_name:
        footer.insert(0, f"{_cut_escaped(digest.team_name, 200)} · <#{digest.channel_id}>")
    blocks.append(_context(" · ".join(footer)))
    return blocks[:MAX_BLOCKS]


# --- the thread reply -----------------------------------------------------------------------


def _item_line(item: NotableItem) -> str:
    when = f" · {item.created_at:%b} {item.created_at.day}" if item.created_at else ""
    one_line = " ".join(item.text.split())
    return f"• {_link(item.permalink, one_line)}{when}"


def _quadrant_section(digest: Digest, quadrant: Quadrant, items: tuple[NotableItem, ...]) -> str:
    count = digest.this_week[quadrant]
    heading = f"*{quadrant.label}* — {count} this week"
    lines = [heading]
    used = len(heading)
    for shown, item in enumerate(items):
        line = _item_line(item)
        more = f"\n…and {len(items) - shown} more"
        if used + 1 + len(line) + len(more) > SECTION_CHARS:
            lines.append(more.strip())
            break
        lines.append(line)
        used += 1 + len(line)
    return "\n".join(lines)


def build_digest_thread_blocks(digest: Digest) -> list[Block]:
    """The thread reply under the digest: notable items per quadrant, linked to their messages."""
    blocks: list[Block] = [
        _section(f"*Notable items — {_escape(digest.week.label())}*"),
    ]
    shown = 0
    for quadrant in Quadrant:
        items = digest.notable.get(quadrant, ())
        if not items:
            continue
        if len(blocks) >= MAX_BLOCKS - 1:
            break
        blocks.append(_section(_quadrant_section(digest, quadrant, items)))
        shown += 1
    if shown == 0:
        blocks.append(_context("Nothing notable was logged this week."))
    return blocks[:MAX_BLOCKS]


# --- the notification -----------------------------------------------------------------------


def digest_fallback_text(digest: Digest) -> str:
    """The message's ``text``: what a notification or a screen reader shows."""
    verdict = digest.verdict
    share = verdict.forced_share
    if verdict.phase is None or share is None:
        summary = f"{verdict.label} — no work logged in the window"
    else:
        weeks = verdict.thresholds.window_weeks
        line = format_percent(verdict.thresholds.forced_share)
        forced = format_percent(share, against=verdict.thresholds.forced_share)
        summary = f"{verdict.label}, {forced} forced over {weeks} weeks (line {line})"
    missed = [s.principle.value for s in digest.missed if s.principle is not None]
    if missed:
        summary += f"; missed baseline: {', '.join(missed)}"
    text = f"Infra work — {_where(digest)} — {digest.week.label()}: {summary}"
    return _cut_escaped(text, FALLBACK_CHARS)
