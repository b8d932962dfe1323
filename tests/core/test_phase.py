"""The phase verdict: thresholds, the no-items case and reasons in data and words."""

from __future__ import annotations

import pytest

from core.baselines import Baseline, Op, baseline_status
from core.model import Phase, Principle, Quadrant
from core.phase import (
    PhaseThresholds,
    QuadrantCounts,
    ReasonCode,
    format_percent,
    phase_of,
)

FS, FL, DS, DL = (
    Quadrant.FORCED_SHORT,
    Quadrant.FORCED_LONG,
    Quadrant.DISCRETIONARY_SHORT,
    Quadrant.DISCRETIONARY_LONG,
)
REL, LAT = Principle.RELIABILITY, Principle.LATENCY


def mix(fs: int = 0, fl: int = 0, ds: int = 0, dl: int = 0) -> QuadrantCounts:
    return QuadrantCounts(fs, fl, ds, dl)


@pytest.mark.parametrize(
    ("window", "baselines", "thresholds", "phase"),
    [
        (mix(9, 3, 4, 1), (), PhaseThresholds(), Phase.FIREFIGHTING),
        (mix(9, 3, 4, 1), (REL,), PhaseThresholds(), Phase.FIREFIGHTING),  # baselines don't help
        (mix(2, 3, 4, 1), (), PhaseThresholds(), Phase.FIREFIGHTING),  # exactly 50% → at the line
        (mix(2, 2, 4, 1), (), PhaseThresholds(), Phase.INVESTMENT),  # 4/9 = 44%
        (mix(2, 2, 4, 1), (REL, LAT), PhaseThresholds(), Phase.PRINCIPLES),
        (mix(0, 0, 0, 5), (REL,), PhaseThresholds(), Phase.PRINCIPLES),
        (mix(5, 0, 0, 0), (REL,), PhaseThresholds(forced_share=1.0), Phase.FIREFIGHTING),
        (mix(4, 0, 1, 0), (), PhaseThresholds(forced_share=0.9), Phase.INVESTMENT),  # 80% < 90%
        (mix(1, 0, 3, 0), (), PhaseThresholds(forced_share=0.25), Phase.FIREFIGHTING),
    ],
)
def test_phase_of(
    window: QuadrantCounts,
    baselines: tuple[Principle, ...],
    thresholds: PhaseThresholds,
    phase: Phase,
) -> None:
    assert phase_of(window, baselines, thresholds=thresholds).phase is phase


def test_firefighting_reason_in_data_and_words() -> None:
    verdict = phase_of(mix(9, 3, 4, 1), previous_window_mix=mix(7, 0, 3, 1))
    assert verdict.phase is Phase.FIREFIGHTING
    (reason,) = verdict.reasons
    assert reason.code is ReasonCode.FORCED_AT_OR_ABOVE_LINE
    assert (reason.forced, reason.total, reason.window_weeks) == (12, 17, 4)
    assert reason.forced_share == pytest.approx(12 / 17)
    assert reason.line == 0.5
    assert reason.text() == (
        "71% of the last 4 weeks' work was forced (your line: 50%), up from 64%"
    )
    assert verdict.headline().startswith("🔥 Firefighting: 71% of the last 4 weeks'")


@pytest.mark.parametrize(
    ("previous", "trend"),
    [
        (mix(9, 0, 1, 0), ", down from 90%"),
        (mix(12, 0, 5, 0), ", same as the 4 weeks before"),
        (mix(), ""),  # nothing logged before: no trend claimed
        (None, ""),
    ],
)
def test_trend_wording(previous: QuadrantCounts | None, trend: str) -> None:
    verdict = phase_of(mix(9, 3, 4, 1), previous_window_mix=previous)
    assert verdict.reasons[0].text().endswith("(your line: 50%)" + trend)


def test_investment_says_no_baselines() -> None:
    verdict = phase_of(mix(1, 1, 5, 3), ())
    assert [r.code for r in verdict.reasons] == [
        ReasonCode.FORCED_BELOW_LINE,
        ReasonCode.NO_BASELINES,
    ]
    assert verdict.explain() == (
        "20% of the last 4 weeks' work was forced (your line: 50%); no principle has a baseline yet"
    )


def test_principles_names_baselines_and_missed_ones_in_principle_order() -> None:
    availability = Baseline(REL, "availability", Op.GE, 99.9, "%")
    checkout = Baseline(LAT, "checkout-p99", Op.LE, 300, "ms")
    statuses = [baseline_status(checkout, 280), baseline_status(availability, 99.8)]
    verdict = phase_of(mix(1, 1, 5, 3), {LAT, REL}, statuses)
    assert verdict.phase is Phase.PRINCIPLES
    codes = [r.code for r in verdict.reasons]
    assert codes == [
        ReasonCode.FORCED_BELOW_LINE,
        ReasonCode.BASELINES_SET,
        ReasonCode.BASELINES_MISSED,
    ]
    assert verdict.reasons[1].principles == (REL, LAT)
    assert verdict.reasons[1].text() == "baselines are set for reliability, latency"
    assert verdict.reasons[2].principles == (REL,)
    assert verdict.reasons[2].text() == "missed baseline: reliability"


def test_no_items_claims_no_phase() -> None:
    verdict = phase_of(mix(), (REL,))
    assert verdict.phase is None
    assert verdict.label == "No phase yet"
    assert [r.code for r in verdict.reasons] == [ReasonCode.NO_ITEMS]
    assert "no work was logged in the last 4 weeks" in verdict.explain()
    assert "Firefighting" not in verdict.headline()
    assert verdict.forced_share is None


def test_window_weeks_in_words() -> None:
    one = phase_of(mix(3, 0, 1, 0), thresholds=PhaseThresholds(window_weeks=1))
    assert one.reasons[0].text().startswith("75% of this week's work was forced")
    six = phase_of(mix(3, 0, 1, 0), thresholds=PhaseThresholds(0.8, 6))
    assert six.phase is Phase.INVESTMENT
    assert six.reasons[0].text() == "75% of the last 6 weeks' work was forced (your line: 80%)"


def test_share_just_below_the_line_is_not_shown_as_the_line() -> None:
    verdict = phase_of(mix(4996, 0, 5004, 0))
    assert verdict.phase is Phase.INVESTMENT
    assert verdict.reasons[0].text().startswith("49.9% of the last 4 weeks")


def test_accepts_wire_id_mappings() -> None:
    verdict = phase_of({FS: 3, DL: 1})
    assert verdict.phase is Phase.FIREFIGHTING
    assert phase_of(QuadrantCounts.of({"forced_long": 1, "discretionary_short": 3})).phase is (
        Phase.INVESTMENT
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"forced_share": 0}, "forced_share"),
        ({"forced_share": -0.1}, "forced_share"),
        ({"forced_share": 1.5}, "forced_share"),
        ({"forced_share": 50}, "forced_share"),  # a percent where a fraction belongs
        ({"forced_share": True}, "forced_share"),
        ({"window_weeks": 0}, "window_weeks"),
        ({"window_weeks": 27}, "window_weeks"),
        ({"window_weeks": 2.5}, "window_weeks"),
    ],
)
def test_thresholds_validate(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PhaseThresholds(**kwargs)  # type: ignore[arg-type]


def test_thresholds_defaults_and_frozen() -> None:
    thresholds = PhaseThresholds()
    assert (thresholds.forced_share, thresholds.window_weeks) == (0.5, 4)
    with pytest.raises(AttributeError):
        thresholds.forced_share = 0.6  # type: ignore[misc]


def test_quadrant_counts() -> None:
    counts = QuadrantCounts.of({FS: 9, FL: 3, DS: 4, DL: 1})
    assert counts.total == 17
    assert counts.forced == 12 and counts.discretionary == 5
    assert counts[DS] == 4
    assert [q for q, _ in counts] == list(Quadrant)
    assert counts.share(FS) == pytest.approx(9 / 17)
    assert QuadrantCounts().share(FS) is None
    assert QuadrantCounts().forced_share is None
    assert counts + QuadrantCounts(1, 1, 1, 1) == QuadrantCounts(10, 4, 5, 2)
    assert QuadrantCounts.sum([counts, counts]).total == 34
    with pytest.raises(ValueError):
        QuadrantCounts(-1)
    with pytest.raises(ValueError):
        QuadrantCounts.of({"forced_soon": 1})


@pytest.mark.parametrize(
    ("fraction", "against", "text"),
    [
        (12 / 17, None, "71%"),
        (0.125, None, "13%"),
        (0.5, 0.5, "50%"),
        (0.4996, 0.5, "49.9%"),
        (0.4949, 0.5, "49%"),
        (1.0, None, "100%"),
        (0.0, None, "0%"),
    ],
)
def test_format_percent(fraction: float, against: float | None, text: str) -> None:
    assert format_percent(fraction, against=against) == text
