"""Which of the essay's phases a team is in, and why, from its trailing work mix and baselines."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from core.baselines import BaselineStatus
from core.model import Phase, Principle, Quadrant

__all__ = [
    "PHASE_MARKS",
    "PhaseThresholds",
    "PhaseVerdict",
    "QuadrantCounts",
    "Reason",
    "ReasonCode",
    "format_percent",
    "phase_of",
]

PHASE_MARKS: Mapping[Phase | None, str] = {
    Phase.FIREFIGHTING: "🔥",
    Phase.INVESTMENT: "🌱",
    Phase.PRINCIPLES: "🧭",
    None: "❔",
}
"""A one-character mark per phase for renderers; ``None`` is "no phase yet" (no work logged)."""

MAX_WINDOW_WEEKS = 26


@dataclass(frozen=True, slots=True)
class PhaseThresholds:
    """A team's phase settings: the forced-share line and the trailing window, in weeks."""

    forced_share: float = 0.5
    window_weeks: int = 4

    def __post_init__(self) -> None:
        share = self.forced_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise ValueError(
                f"forced_share must be a fraction above 0 and at most 1 (e.g. 0.5), got {share!r}"
            )
        weeks = self.window_weeks
        if isinstance(weeks, bool) or not isinstance(weeks, int):
            raise ValueError(f"window_weeks must be a whole number of weeks, got {weeks!r}")
        if not 1 <= weeks <= MAX_WINDOW_WEEKS:
            raise ValueError(f"window_weeks must be 1 to {MAX_WINDOW_WEEKS}, got {weeks}")


@dataclass(frozen=True, slots=True)
class QuadrantCounts:
    """How many items fell in each quadrant (over a week or a window)."""

    forced_short: int = 0
    forced_long: int = 0
    discretionary_short: int = 0
    discretionary_long: int = 0

    def __post_init__(self) -> None:
        for quadrant in Quadrant:
            count = getattr(self, quadrant.value)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"{quadrant.value} count must be a whole number ≥ 0: {count!r}")

    @classmethod
    def of(
        cls, counts: QuadrantCounts | Mapping[Quadrant, int] | Mapping[str, int]
    ) -> QuadrantCounts:
        """From a mapping keyed by :class:`Quadrant` or its wire id; missing quadrants are 0."""
        if isinstance(counts, QuadrantCounts):
            return counts
        values: dict[str, int] = {}
        for key, count in counts.items():
            values[Quadrant(key).value] = count
        return cls(**values)

    def __getitem__(self, quadrant: Quadrant) -> int:
        return int(getattr(self, Quadrant(quadrant).value))

    def __iter__(self) -> Iterator[tuple[Quadrant, int]]:
        """``(quadrant, count)`` in the fixed quadrant order."""
        for quadrant in Quadrant:
            yield quadrant, self[quadrant]

    def __add__(self, other: QuadrantCounts) -> QuadrantCounts:
        return QuadrantCounts(**{q.value: self[q] + other[q] for q in Quadrant})

    @property
    def total(self) -> int:
        return sum(count for _, count in self)

    @property
    def forced(self) -> int:
        return self.forced_short + self.forced_long

    @property
    def discretionary(self) -> int:
        return self.discretionary_short + self.discretionary_long

    def share(self, quadrant: Quadrant) -> float | None:
        """The quadrant's fraction of all items, or ``None`` when there are none."""
        return self[quadrant] / self.total if self.total else None

    @property
    def forced_share(self) -> float | None:
        """Forced items as a fraction of all items, or ``None`` when there are none."""
        return self.forced / self.total if self.total else None

    @staticmethod
    def sum(counts: Sequence[QuadrantCounts]) -> QuadrantCounts:
        total = QuadrantCounts()
        for one in counts:
            total = total + one
        return total


def format_percent(fraction: float, *, against: float | None = None) -> str:
    """``0.7059`` → ``"71%"`` (half up).

    With ``against`` (a line the fraction is compared with), one decimal is shown when whole
    percents would hide which side of the line it is on (49.6% vs a 50% line).
    """
    whole = Decimal(str(fraction * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if against is not None and (fraction >= against) != (float(whole) / 100 >= against):
        # Round toward the side of the line the fraction is really on.
        rounding = ROUND_FLOOR if fraction < against else ROUND_CEILING
        precise = Decimal(str(fraction * 100)).quantize(Decimal("0.1"), rounding=rounding)
        return f"{precise}%"
    return f"{whole}%"


class ReasonCode(StrEnum):
    FORCED_AT_OR_ABOVE_LINE = "forced_at_or_above_line"
    FORCED_BELOW_LINE = "forced_below_line"
    NO_ITEMS = "no_items"
    NO_BASELINES = "no_baselines"
    BASELINES_SET = "baselines_set"
    BASELINES_MISSED = "baselines_missed"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a phase verdict, as data; :meth:`text` says it in words."""

    code: ReasonCode
    window_weeks: int
    forced_share: float | None = None
    line: float | None = None
    forced: int = 0
    total: int = 0
    previous_share: float | None = None
    principles: tuple[Principle, ...] = ()

    def text(self) -> str:
        """E.g. "71% of the last 4 weeks' work was forced (your line: 50%), up from 64%"."""
        window = "this week's" if self.window_weeks == 1 else f"the last {self.window_weeks} weeks'"
        names = ", ".join(p.value for p in self.principles)
        if self.code in (ReasonCode.FORCED_AT_OR_ABOVE_LINE, ReasonCode.FORCED_BELOW_LINE):
            assert self.forced_share is not None and self.line is not None
            share = format_percent(self.forced_share, against=self.line)
            text = f"{share} of {window} work was forced (your line: {format_percent(self.line)})"
            return text + self._trend()
        if self.code is ReasonCode.NO_ITEMS:
            span = "this week" if self.window_weeks == 1 else f"the last {self.window_weeks} weeks"
            return f"no work was logged in {span}, so there is no mix to judge yet"
        if self.code is ReasonCode.NO_BASELINES:
            return "no principle has a baseline yet"
        if self.code is ReasonCode.BASELINES_SET:
            return f"baselines are set for {names}"
        return f"missed baseline: {names}"

    def _trend(self) -> str:
        if self.previous_share is None or self.forced_share is None:
            return ""
        now = format_percent(self.forced_share)
        before = format_percent(self.previous_share)
        if now == before:
            return f", same as the {self.window_weeks} weeks before"
        direction = "up" if self.forced_share > self.previous_share else "down"
        return f", {direction} from {before}"


@dataclass(frozen=True, slots=True)
class PhaseVerdict:
    """The phase and the reasons for it. ``phase`` is ``None`` when no work was logged."""

    phase: Phase | None
    reasons: tuple[Reason, ...]
    thresholds: PhaseThresholds = field(default_factory=PhaseThresholds)
    window: QuadrantCounts = field(default_factory=QuadrantCounts)

    @property
    def forced_share(self) -> float | None:
        return self.window.forced_share

    @property
    def label(self) -> str:
        """``"Firefighting"``, or ``"No phase yet"``."""
        return self.phase.label if self.phase is not None else "No phase yet"

    @property
    def mark(self) -> str:
        return PHASE_MARKS[self.phase]

    def explain(self) -> str:
        """The reasons as one sentence-ish line, first reason first."""
        return "; ".join(reason.text() for reason in self.reasons)

    def headline(self) -> str:
        """E.g. "🔥 Firefighting: 71% of the last 4 weeks' work was forced (your line: 50%)"."""
        text = f"{self.mark} {self.label}"
        return f"{text}: {self.explain()}" if self.reasons else text


def phase_of(
    window_mix: QuadrantCounts | Mapping[Quadrant, int],
    baselines_set: Collection[Principle] = (),
    statuses: Sequence[BaselineStatus] = (),
    thresholds: PhaseThresholds | None = None,
    *,
    previous_window_mix: QuadrantCounts | Mapping[Quadrant, int] | None = None,
) -> PhaseVerdict:
    """The essay's phase for a team.

    ``window_mix`` counts the trailing ``thresholds.window_weeks`` weeks. Forced share at or
    above the line → Firefighting; otherwise there is discretionary budget: Investment while no
    principle has a baseline, Principles once some do. With no items at all there is no phase.
    ``statuses`` only add reasons (missed baselines); ``previous_window_mix`` (the window one
    week earlier) adds "up from 64%".
    """
    thresholds = thresholds or PhaseThresholds()
    mix = QuadrantCounts.of(window_mix)
    weeks = thresholds.window_weeks
    principles = tuple(p for p in Principle if p in set(baselines_set))
    previous = QuadrantCounts.of(previous_window_mix) if previous_window_mix is not None else None

    if mix.total == 0:
        return PhaseVerdict(None, (Reason(ReasonCode.NO_ITEMS, weeks),), thresholds, mix)

    share = mix.forced / mix.total
    at_or_above = share >= thresholds.forced_share
    share_reason = Reason(
        ReasonCode.FORCED_AT_OR_ABOVE_LINE if at_or_above else ReasonCode.FORCED_BELOW_LINE,
        weeks,
        forced_share=share,
        line=thresholds.forced_share,
        forced=mix.forced,
        total=mix.total,
        previous_share=previous.forced_share if previous is not None else None,
    )
    missed = tuple(p for p in Principle if any(s.missed and s.principle is p for s in statuses))
    missed_reason = (
        (Reason(ReasonCode.BASELINES_MISSED, weeks, principles=missed),) if missed else ()
    )

    if at_or_above:
        return PhaseVerdict(Phase.FIREFIGHTING, (share_reason,), thresholds, mix)
    if not principles:
        reasons = (share_reason, Reason(ReasonCode.NO_BASELINES, weeks))
        return PhaseVerdict(Phase.INVESTMENT, reasons, thresholds, mix)
    reasons = (share_reason, Reason(ReasonCode.BASELINES_SET, weeks, principles=principles))
    return PhaseVerdict(Phase.PRINCIPLES, reasons + missed_reason, thresholds, mix)
