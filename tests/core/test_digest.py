"""The digest model: mix, changes, sparkline, phase, baselines, advice, notable items, themes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.advice import MAX_TEXTS, Theme, advice_for, repeated_themes
from core.baselines import Baseline, Measurement, Op, StatusKind, baseline_status
from core.digest import (
    SPARK_EMPTY,
    Digest,
    NotableItem,
    build_digest,
    format_change,
    sparkline,
    weeks_needed,
)
from core.model import Phase, Principle, Quadrant
from core.phase import PhaseThresholds, QuadrantCounts, phase_of
from core.schedule import IsoWeek

FS, FL, DS, DL = (
    Quadrant.FORCED_SHORT,
    Quadrant.FORCED_LONG,
    Quadrant.DISCRETIONARY_SHORT,
    Quadrant.DISCRETIONARY_LONG,
)
REL, LAT, SEC = Principle.RELIABILITY, Principle.LATENCY, Principle.SECURITY
W47 = IsoWeek(2026, 47)

AVAILABILITY = Baseline(REL, "availability", Op.GE, 99.9, "%")
CHECKOUT = Baseline(LAT, "checkout-p99", Op.LE, 300, "ms")
CVES = Baseline(SEC, "open-critical-cves", Op.LE, 0, "")

# The sketch in DESIGN.md: this week 9/3/4/1, last week 6/3/5/2.
SKETCH_WEEKS = {
    W47: QuadrantCounts(9, 3, 4, 1),
    W47.minus(1): QuadrantCounts(6, 3, 5, 2),
    W47.minus(2): QuadrantCounts(7, 2, 1, 0),
    W47.minus(3): QuadrantCounts(5, 2, 1, 0),
    W47.minus(4): QuadrantCounts(3, 1, 2, 2),
    W47.minus(5): QuadrantCounts(2, 0, 3, 3),
    # W47.minus(6) missing: nothing logged that week
    W47.minus(7): QuadrantCounts(0, 0, 2, 2),
}


def sketch_digest(**overrides: object) -> Digest:
    args: dict[str, object] = {
        "team_name": "Platform",
        "channel_id": "C0PLATFORM",
        "channel_name": "platform",
        "week": W47,
        "weekly_counts": SKETCH_WEEKS,
        "baselines": [AVAILABILITY, CHECKOUT, CVES],
        "measurements": {REL: Measurement(99.86), LAT: 280.0},
        "forced_texts": [
            "Disk full on db-3",
            "disk full again on kafka-2",
            "Disks full on ci",
            "Page: disk full on db-7",
            "Renew cert for api",
        ],
    }
    args.update(overrides)
    return build_digest(**args)  # type: ignore[arg-type]


def test_mix_counts_shares_and_changes_in_fixed_order() -> None:
    digest = sketch_digest()
    assert [row.quadrant for row in digest.mix] == [FS, FL, DS, DL]
    rows = {row.quadrant: row for row in digest.mix}
    assert [rows[q].count for q in Quadrant] == [9, 3, 4, 1]
    assert rows[FS].share == pytest.approx(9 / 17)
    assert [rows[q].change_text for q in Quadrant] == ["+3", "±0", "−1", "−1"]
    assert digest.total == 17


def test_trend_oldest_first_with_empty_weeks_and_sparkline() -> None:
    digest = sketch_digest()
    trend = digest.trend
    assert [w.week for w in trend] == [W47.minus(i) for i in range(7, -1, -1)]
    assert trend[-1].forced_share == pytest.approx(12 / 17)
    assert trend[1].forced_share is None  # week 6 back: no items
    # 0/4, none, 2/8, 4/8, 7/8, 9/10, 9/16, 12/17 on an absolute 0–100% scale
    assert digest.sparkline == "▁" + SPARK_EMPTY + "▃▅██▅▆"


@pytest.mark.parametrize(
    ("shares", "line"),
    [
        ([0.0, 0.124, 0.125, 0.5, 0.874, 0.875, 1.0], "▁▁▂▅▇██"),
        ([None, 0.3, None], "·▃·"),
        ([1.5, -0.2], "█▁"),  # clamped
        ([], ""),
    ],
)
def test_sparkline_absolute_scale(shares: list[float | None], line: str) -> None:
    assert sparkline(shares) == line


@pytest.mark.parametrize(("delta", "text"), [(3, "+3"), (0, "±0"), (-1, "−1"), (-12, "−12")])
def test_format_change(delta: int, text: str) -> None:
    assert format_change(delta) == text


def test_phase_uses_trailing_window_and_previous_window() -> None:
    digest = sketch_digest()
    verdict = digest.verdict
    window = QuadrantCounts.sum([SKETCH_WEEKS[W47.minus(i)] for i in range(4)])
    assert verdict.window == window
    assert verdict.phase is Phase.FIREFIGHTING
    # 37 of 51 forced now; the window a week earlier (weeks −4..−1) had 25 of 36
    assert verdict.reasons[0].text() == (
        "73% of the last 4 weeks' work was forced (your line: 50%), up from 69%"
    )


def test_thresholds_change_the_window_and_line() -> None:
    digest = sketch_digest(thresholds=PhaseThresholds(forced_share=0.8, window_weeks=2))
    verdict = digest.verdict
    assert verdict.window.total == 17 + 16
    assert verdict.phase is Phase.PRINCIPLES
    assert verdict.reasons[0].text().startswith("64% of the last 2 weeks' work")


def test_baselines_met_missed_unknown_and_without() -> None:
    digest = sketch_digest()
    statuses = digest.baselines
    assert [s.principle for s in statuses] == [SEC, REL, LAT]  # principle order
    assert [s.kind for s in statuses] == [StatusKind.UNKNOWN, StatusKind.MISSED, StatusKind.MET]
    assert statuses[1].summary() == "99.86% ✗ missed by 0.04 pt"
    assert digest.without_baseline == (Principle.USABILITY, Principle.EFFICIENCY)
    assert digest.missed == (statuses[1],)


def test_firefighting_advice_cites_repeated_theme() -> None:
    digest = sketch_digest()
    advice = digest.advice
    assert advice.phase is Phase.FIREFIGHTING
    assert advice.theme == Theme("disk full", 4)
    assert "dig out by investing in operational excellence" in advice.text
    assert "shed and defer forced work" in advice.text
    assert "“disk full” was logged 4 times in 4 weeks" in advice.text
    assert "hire" in advice.text


def test_firefighting_advice_without_theme() -> None:
    advice = sketch_digest(forced_texts=[]).advice
    assert advice.theme is None
    assert "leveraged fixes that reduce future forced work" in advice.text


def test_investment_advice() -> None:
    weeks = {W47: QuadrantCounts(1, 0, 3, 4)}
    digest = sketch_digest(weekly_counts=weeks, baselines=[], measurements={})
    assert digest.verdict.phase is Phase.INVESTMENT
    text = digest.advice.text
    for words in ("discover", "prioritise", "validate", "baseline set"):
        assert words in text
    assert digest.baselines == ()
    assert digest.without_baseline == tuple(Principle)


def test_principles_advice_names_the_missed_principle_first() -> None:
    weeks = {W47: QuadrantCounts(1, 0, 3, 4)}
    digest = sketch_digest(weekly_counts=weeks, measurements={REL: 99.5, LAT: 450, SEC: 0})
    advice = digest.advice
    assert digest.verdict.phase is Phase.PRINCIPLES
    assert advice.focus == (REL, LAT)
    assert "reliability missed its line (availability ≥ 99.9%, measured 99.5%)" in advice.text
    assert "reliability work comes first (then latency)" in advice.text


def test_principles_advice_when_all_met_asks_for_unknown_measurements() -> None:
    weeks = {W47: QuadrantCounts(1, 0, 3, 4)}
    digest = sketch_digest(weekly_counts=weeks, measurements={REL: 99.95, LAT: 250})
    text = digest.advice.text
    assert "every measured baseline is met" in text
    assert "record a measurement for security" in text
    assert "consider a baseline for usability, efficiency" in text


def test_no_items_no_phase_and_no_firefighting_claim() -> None:
    digest = sketch_digest(weekly_counts={}, forced_texts=[])
    assert digest.verdict.phase is None
    assert digest.total == 0
    assert all(row.share is None and row.change_text == "±0" for row in digest.mix)
    assert digest.sparkline == SPARK_EMPTY * 8
    assert digest.advice.phase is None
    assert "/infrawork add" in digest.advice.text


def test_counts_after_the_digest_week_are_ignored_and_year_boundary_works() -> None:
    week = IsoWeek(2027, 1)
    weeks = {
        week: QuadrantCounts(1, 0, 1, 0),
        IsoWeek(2026, 53): QuadrantCounts(0, 0, 5, 0),
        IsoWeek(2027, 2): QuadrantCounts(100, 0, 0, 0),
    }
    digest = sketch_digest(week=week, weekly_counts=weeks)
    assert [w.week for w in digest.trend][-2:] == [IsoWeek(2026, 53), week]
    assert digest.last_week == QuadrantCounts(0, 0, 5, 0)
    assert digest.verdict.window.total == 7


def test_notable_items_grouped_limited_in_caller_order() -> None:
    at = datetime(2026, 11, 18, tzinfo=UTC)
    items = [NotableItem(i, f"page {i}", FS, f"https://x.slack.com/p{i}", at) for i in range(9)]
    items.append(NotableItem("d1", "Streaming ingest", DL))
    digest = sketch_digest(notable=items)
    notable = digest.notable
    assert [i.id for i in notable[FS]] == [0, 1, 2, 3, 4]
    assert [i.id for i in notable[DL]] == ["d1"]
    assert FL not in notable and DS not in notable
    assert digest.notable_count == 6
    assert len(sketch_digest(notable=items, notable_per_quadrant=2).notable[FS]) == 2


def test_accepts_mapping_counts_with_wire_ids() -> None:
    digest = sketch_digest(weekly_counts={W47: {"forced_short": 2, "discretionary_long": 2}})
    assert digest.this_week == QuadrantCounts(2, 0, 0, 2)


def test_two_baselines_for_one_principle_is_an_error() -> None:
    with pytest.raises(ValueError, match="two baselines for reliability"):
        sketch_digest(baselines=[AVAILABILITY, Baseline(REL, "mttr", Op.LE, 30, "min")])


def test_channel_ref() -> None:
    assert sketch_digest().channel_ref == "#platform"
    assert sketch_digest(channel_name=None).channel_ref == "<#C0PLATFORM>"


def test_weeks_needed() -> None:
    assert weeks_needed() == 8
    assert weeks_needed(PhaseThresholds(window_weeks=12)) == 13
    assert weeks_needed(PhaseThresholds(window_weeks=4), trend_weeks=1) == 5


# --- repeated themes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "themes"),
    [
        (
            ["Disk full on db-3", "disk full again on kafka-2", "Disks full on ci", "disk full!"],
            (Theme("disk full", 4),),
        ),
        (  # ids, URLs and hashes don't make a theme; a phrase counts once per item
            [
                "INC-1234 checkout outage https://status.example.com/1",
                "INC-1240 checkout outage checkout outage",
                "inc-1301 checkout outage deadbeefcafe",
            ],
            (Theme("checkout outage", 3),),
        ),
        (["fix the issue in prod"] * 5, ()),  # generic words alone are no theme
        (["disk full", "disk full", "cert expired"], ()),  # below the minimum count
        (
            ["renew tls cert api", "renew tls cert admin", "tls cert expired", "tls cert rotate"],
            (Theme("tls cert", 4), Theme("renew tls cert", 2)),
        ),
        ([], ()),
    ],
)
def test_repeated_themes(texts: list[str], themes: tuple[Theme, ...]) -> None:
    min_count = 2 if any(t.count == 2 for t in themes) else 3
    assert repeated_themes(texts, min_count=min_count) == themes


def test_repeated_themes_bounded_on_huge_input() -> None:
    texts = [f"disk full on host-{i} " + "x" * 10_000 for i in range(3 * MAX_TEXTS)]
    themes = repeated_themes(texts)
    assert themes == (Theme("disk full", MAX_TEXTS),)  # only the first MAX_TEXTS are read


def test_advice_for_no_phase_names_how_to_start() -> None:
    advice = advice_for(phase_of(QuadrantCounts()))
    assert advice.phase is None
    assert "/infrawork add" in advice.text


def test_advice_for_principles_with_status_list() -> None:
    verdict = phase_of(QuadrantCounts(0, 0, 1, 1), {REL})
    advice = advice_for(verdict, [baseline_status(AVAILABILITY, 98.0)])
    assert advice.focus == (REL,)
    assert "reliability work comes first" in advice.text
