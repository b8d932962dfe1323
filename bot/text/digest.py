"""The weekly digest as plain text for a terminal (`infrawork digest --print`, `infrawork demo`)."""

from __future__ import annotations

import textwrap

from core.digest import Digest
from core.model import Quadrant
from core.phase import format_percent

__all__ = ["render_digest_text"]

WIDTH = 100
_LABEL = 18  # width of the row labels ("this week", "vs last week")
_COLUMN = 17


def _where(digest: Digest) -> str:
    return f"#{digest.channel_name}" if digest.channel_name else digest.team_name


def _wrap(text: str, first: str, indent: int) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _mix_lines(digest: Digest) -> list[str]:
    header = " " * _LABEL + "".join(q.short_label.ljust(_COLUMN) for q in Quadrant)
    counts, changes = "   this week".ljust(_LABEL), "   vs last week".ljust(_LABEL)
    for row in digest.mix:
        share = f"  ({format_percent(row.share)})" if row.share is not None else ""
        counts += f"{row.count}{share}".ljust(_COLUMN)
        changes += row.change_text.ljust(_COLUMN)
    forced = digest.this_week.forced_share
    now = f"  {format_percent(forced)} this week" if forced is not None else "  nothing logged"
    trend = f"   forced share, {len(digest.trend)} weeks: {digest.sparkline}{now}"
    return [header.rstrip(), counts.rstrip(), changes.rstrip(), trend]


def _baseline_lines(digest: Digest) -> list[str]:
    label = "Baselines   "
    rows = []
    for status in digest.baselines_by_urgency:
        assert status.baseline is not None and status.principle is not None
        rows.append(
            (
                status.principle.value,
                status.baseline.describe(),
                status.summary(digest.measurement_window),
            )
        )
    principle_w = max((len(r[0]) for r in rows), default=0) + 2
    describe_w = max((len(r[1]) for r in rows), default=0) + 3
    lines = [
        f"{principle.ljust(principle_w)}{described.ljust(describe_w)}{summary}"
        for principle, described, summary in rows
    ]
    if digest.without_baseline:
        names = " · ".join(p.value for p in digest.without_baseline)
        lines.append(f"{names} — no baseline yet (`/infrawork baseline set …`)")
    return [(label if i == 0 else " " * len(label)) + line for i, line in enumerate(lines)]


def _notable_lines(digest: Digest) -> list[str]:
    if not digest.notable_count:
        return []
    lines = ["", "Notable items"]
    for quadrant in Quadrant:
        items = digest.notable.get(quadrant, ())
        if not items:
            continue
        lines.append(f"  {quadrant.label} — {digest.this_week[quadrant]} this week")
        for item in items:
            text = " ".join(item.text.split())
            if len(text) > 120:
                text = text[:119].rstrip() + "…"
            when = f" ({item.created_at:%b} {item.created_at.day})" if item.created_at else ""
            link = f" {item.permalink}" if item.permalink else ""
            lines.append(f"    • {text}{when}{link}")
    return lines


def render_digest_text(digest: Digest) -> str:
    """The digest as the DESIGN.md sketch shows it, plus the notable items at the end."""
    verdict = digest.verdict
    lines = [f"Infra work — {_where(digest)} — {digest.week.label()}"]
    head = f"{verdict.mark} {verdict.label}: "
    lines += _wrap(verdict.explain() + ".", head, len(head) + 1)
    lines += _mix_lines(digest)
    lines += _baseline_lines(digest)
    lines += _wrap(digest.advice.text, "What the essay suggests: ", 0)
    lines += _notable_lines(digest)
    return "\n".join(lines) + "\n"
