"""The weekly digest as data: built from already-aggregated counts, ready for any renderer.

Team-level only: nothing here knows who logged what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.advice import Advice, Theme, advice_for, repeated_themes
from core.baselines import Baseline, BaselineStatus, Measurement, StatusKind, baseline_status
from core.model import Principle, Quadrant
from core.phase import PhaseThresholds, PhaseVerdict, QuadrantCounts, phase_of
from core.schedule import IsoWeek

__all__ = [
    "SPARK_BARS",
    "SPARK_EMPTY",
    "Digest",
    "MixRow",
    "NotableItem",
    "WeekShare",
    "build_digest",
    "format_change",
    "sparkline",
    "weeks_needed",
]

SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_EMPTY = "·"
"""A week with no items in the sparkline (neither 0% nor 100% forced: unknown)."""

TREND_WEEKS = 8
NOTABLE_PER_QUADRANT = 5
THEME_MIN_COUNT = 3


@dataclass(frozen=True, slots=True)
class NotableItem:
    """An item worth naming in the digest thread (the caller picks which)."""

    id: str | int
    text: str
    quadrant: Quadrant
    permalink: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MixRow:
    """One quadrant's line in this week's mix."""

    quadrant: Quadrant
    count: int
    share: float | None
    change: int
    """Count this week minus count last week."""

    @property
    def change_text(self) -> str:
        return format_change(self.change)


@dataclass(frozen=True, slots=True)
class WeekShare:
    """Forced share of one week; ``forced_share`` is ``None`` when nothing was logged."""

    week: IsoWeek
    forced: int
    total: int

    @property
    def forced_share(self) -> float | None:
        return self.forced / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything one weekly digest says, for one team and ISO week."""

    team_name: str
    channel_id: str
    week: IsoWeek
    this_week: QuadrantCounts
    last_week: QuadrantCounts
    mix: tuple[MixRow, ...]
    trend: tuple[WeekShare, ...]
    """Forced share per week, oldest first, ending with ``week``."""
    verdict: PhaseVerdict
    baselines: tuple[BaselineStatus, ...]
    """One per principle that has a baseline, in principle order."""
    without_baseline: tuple[Principle, ...]
    advice: Advice
    notable: Mapping[Quadrant, tuple[NotableItem, ...]] = field(default_factory=dict)
    themes: tuple[Theme, ...] = ()
    channel_name: str | None = None
    measurement_window: str = "this week"
    """How the baselines' measurement window is said: "no measurement this week"."""

    @property
    def sparkline(self) -> str:
        return sparkline(w.forced_share for w in self.trend)

    @property
    def total(self) -> int:
        return self.this_week.total

    @property
    def channel_ref(self) -> str:
        """``#platform`` when the name is known, else ``<#C123>`` (Slack renders it)."""
        return f"#{self.channel_name}" if self.channel_name else f"<#{self.channel_id}>"

    @property
    def missed(self) -> tuple[BaselineStatus, ...]:
        return tuple(s for s in self.baselines if s.missed)

    @property
    def baselines_by_urgency(self) -> tuple[BaselineStatus, ...]:
        """Missed first, then met, then unknown; principle order within each."""
        rank = {StatusKind.MISSED: 0, StatusKind.MET: 1, StatusKind.UNKNOWN: 2}
        return tuple(sorted(self.baselines, key=lambda s: rank[s.kind]))

    @property
    def notable_count(self) -> int:
        return sum(len(items) for items in self.notable.values())


def format_change(delta: int) -> str:
    """``+3``, ``±0``, ``−1`` (a real minus sign)."""
    if delta > 0:
        return f"+{delta}"
    if delta < 0:
        return f"−{-delta}"
    return "±0"


def sparkline(shares: Iterable[float | None]) -> str:
    """One bar per share on an absolute 0–100% scale; ``·`` for a week with no items."""
    bars: list[str] = []
    for share in shares:
        if share is None:
            bars.append(SPARK_EMPTY)
        else:
            clamped = min(max(float(share), 0.0), 1.0)
            bars.append(SPARK_BARS[min(int(clamped * len(SPARK_BARS)), len(SPARK_BARS) - 1)])
    return "".join(bars)


def weeks_needed(thresholds: PhaseThresholds | None = None, trend_weeks: int = TREND_WEEKS) -> int:
    """How many weeks of counts (ending with the digest week) :func:`build_digest` uses.

    The trend, and the phase window plus the window one week earlier (for "up from 64%").
    """
    window = (thresholds or PhaseThresholds()).window_weeks
    return max(trend_weeks, window + 1, 2)


def build_digest(
    *,
    team_name: str,
    channel_id: str,
    week: IsoWeek,
    weekly_counts: Mapping[IsoWeek, QuadrantCounts | Mapping[Quadrant, int]],
    baselines: Sequence[Baseline] = (),
    measurements: Mapping[Principle, Measurement | float | None] | None = None,
    thresholds: PhaseThresholds | None = None,
    notable: Sequence[NotableItem] = (),
    forced_texts: Sequence[str] = (),
    channel_name: str | None = None,
    measurement_window: str = "this week",
    trend_weeks: int = TREND_WEEKS,
    notable_per_quadrant: int = NOTABLE_PER_QUADRANT,
) -> Digest:
    """The digest for ``team`` and ``week``, from aggregated inputs.

    ``weekly_counts`` maps each ISO week (in the team's timezone) to its per-quadrant item
    counts; weeks that are missing count as empty, weeks after ``week`` are ignored. It should
    cover the :func:`weeks_needed` weeks ending with ``week``.
    ``measurements`` is the latest measurement per principle within the measurement window
    (``None`` or absent: unknown). ``notable`` items are shown in the caller's order, at most
    ``notable_per_quadrant`` per quadrant. ``forced_texts`` are the texts of the forced items in
    the phase window, mined for a repeated theme.
    """
    thresholds = thresholds or PhaseThresholds()
    if trend_weeks < 1:
        raise ValueError("trend_weeks must be at least 1")
    counts = {w: QuadrantCounts.of(c) for w, c in weekly_counts.items()}

    def at(offset: int) -> QuadrantCounts:
        return counts.get(week.minus(offset), QuadrantCounts())

    this_week, last_week = at(0), at(1)
    mix = tuple(
        MixRow(q, this_week[q], this_week.share(q), this_week[q] - last_week[q]) for q in Quadrant
    )
    trend = tuple(
        WeekShare(week.minus(i), at(i).forced, at(i).total) for i in reversed(range(trend_weeks))
    )
    n = thresholds.window_weeks
    window = QuadrantCounts.sum([at(i) for i in range(n)])
    previous_window = QuadrantCounts.sum([at(i) for i in range(1, n + 1)])

    by_principle: dict[Principle, Baseline] = {}
    for baseline in baselines:
        if baseline.principle in by_principle:
            raise ValueError(f"two baselines for {baseline.principle.value}; a team sets one")
        by_principle[baseline.principle] = baseline
    measured = measurements or {}
    statuses = tuple(
        baseline_status(by_principle[p], measured.get(p)) for p in Principle if p in by_principle
    )
    without = tuple(p for p in Principle if p not in by_principle)

    verdict = phase_of(
        window,
        by_principle.keys(),
        statuses,
        thresholds,
        previous_window_mix=previous_window,
    )
    themes = repeated_themes(forced_texts, min_count=THEME_MIN_COUNT) if forced_texts else ()
    advice = advice_for(verdict, statuses, themes, principles_without_baseline=without)

    grouped: dict[Quadrant, list[NotableItem]] = {q: [] for q in Quadrant}
    for item in notable:
        bucket = grouped[Quadrant(item.quadrant)]
        if len(bucket) < notable_per_quadrant:
            bucket.append(item)
    notable_by_quadrant = {q: tuple(items) for q, items in grouped.items() if items}

    return Digest(
        team_name=team_name,
        channel_id=channel_id,
        week=week,
        this_week=this_week,
        last_week=last_week,
        mix=mix,
        trend=trend,
        verdict=verdict,
        baselines=statuses,
        without_baseline=without,
        advice=advice,
        notable=notable_by_quadrant,
        themes=themes,
        channel_name=channel_name,
        measurement_window=measurement_window,
    )
