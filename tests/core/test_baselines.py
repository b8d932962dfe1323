"""Baseline grammar, measurements in the baseline's unit, and met / missed / unknown."""

from __future__ import annotations

import pytest

from core.baselines import (
    BASELINE_EXAMPLE,
    Baseline,
    BaselineSyntaxError,
    Measurement,
    Op,
    StatusKind,
    baseline_status,
    format_number,
    parse_baseline,
    parse_measurement,
)
from core.model import Principle

R, L, S, E = Principle.RELIABILITY, Principle.LATENCY, Principle.SECURITY, Principle.EFFICIENCY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reliability availability >= 99.9%", Baseline(R, "availability", Op.GE, 99.9, "%")),
        ("latency checkout-p99 <= 300ms", Baseline(L, "checkout-p99", Op.LE, 300, "ms")),
        ("security open-critical-cves <= 0", Baseline(S, "open-critical-cves", Op.LE, 0, "")),
        ("latency checkout-p99 <= 300 ms", Baseline(L, "checkout-p99", Op.LE, 300, "ms")),
        ("latency p99<=0.3s", Baseline(L, "p99", Op.LE, 0.3, "s")),
        ("Reliability  uptime ≥ 99.95 %", Baseline(R, "uptime", Op.GE, 99.95, "%")),
        ("latency p50 ≤ 80ms", Baseline(L, "p50", Op.LE, 80, "ms")),
        ("efficiency cost-per-req < 0.02 USD", Baseline(E, "cost-per-req", Op.LT, 0.02, "USD")),
        ("reliability success-rate > 99 percent", Baseline(R, "success-rate", Op.GT, 99, "%")),
        ("reliability mttr <= 2h", Baseline(R, "mttr", Op.LE, 2, "h")),
        ("reliability mttr <= 30 mins", Baseline(R, "mttr", Op.LE, 30, "min")),
        ("security patch-lag => 0", Baseline(S, "patch-lag", Op.GE, 0, "")),
    ],
)
def test_parse_baseline(text: str, expected: Baseline) -> None:
    assert parse_baseline(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "needs a principle"),
        ("   ", "needs a principle"),
        ("relability availability >= 99.9%", "`relability` isn't a principle"),
        ("availability >= 99.9%", "`availability` isn't a principle"),
        ("reliability availability 99.9%", "needs a comparison"),
        ("reliability >= 99.9%", "needs an indicator"),
        ("reliability availability == 99.9%", "`==` can't be"),
        ("reliability availability = 99.9%", "`=` can't be"),
        ("reliability availability >= high", "one number"),
        ("reliability availability >= 99.9% 99.8%", "one number"),
        ("reliability checkout latency <= 300ms", "single word"),
        ("reliability availability >=", "one number"),
        ("reliability -avail >= 99", "isn't a usable indicator"),
    ],
)
def test_parse_baseline_rejects_with_example(text: str, problem: str) -> None:
    with pytest.raises(BaselineSyntaxError) as caught:
        parse_baseline(text)
    message = str(caught.value)
    assert problem in message
    assert f"`{BASELINE_EXAMPLE}`" in message
    assert isinstance(caught.value, ValueError)
    # the example itself parses
    assert parse_baseline(caught.value.example).principle is Principle.RELIABILITY


def test_unknown_principle_message_lists_principles() -> None:
    with pytest.raises(BaselineSyntaxError, match="security, reliability, usability"):
        parse_baseline("speed p99 <= 3ms")


@pytest.mark.parametrize(
    ("baseline", "described"),
    [
        (Baseline(R, "availability", Op.GE, 99.9, "%"), "availability ≥ 99.9%"),
        (Baseline(L, "checkout-p99", Op.LE, 300, "ms"), "checkout p99 ≤ 300 ms"),
        (Baseline(S, "open-critical-cves", Op.LE, 0, ""), "open critical cves ≤ 0"),
        (Baseline(E, "cost", Op.LT, 12.5, "kEUR"), "cost < 12.5 kEUR"),
    ],
)
def test_describe_and_command_roundtrip(baseline: Baseline, described: str) -> None:
    assert baseline.describe() == described
    assert parse_baseline(baseline.command()) == baseline


AVAILABILITY = Baseline(R, "availability", Op.GE, 99.9, "%")
CHECKOUT = Baseline(L, "checkout-p99", Op.LE, 300, "ms")
CVES = Baseline(S, "open-critical-cves", Op.LE, 0, "")
MTTR_MIN = Baseline(R, "mttr", Op.LE, 30, "min")


@pytest.mark.parametrize(
    ("text", "baseline", "value"),
    [
        ("99.86", AVAILABILITY, 99.86),
        ("99.86%", AVAILABILITY, 99.86),
        (" 99.86 % ", AVAILABILITY, 99.86),
        ("280ms", CHECKOUT, 280),
        ("280", CHECKOUT, 280),
        ("0.3s", CHECKOUT, 300),
        ("0.1 s", CHECKOUT, 100),
        ("1.5min", CHECKOUT, 90_000),
        ("2", CVES, 2),
        ("1h", MTTR_MIN, 60),
        ("90s", MTTR_MIN, 1.5),
    ],
)
def test_parse_measurement_converts_to_baseline_unit(
    text: str, baseline: Baseline, value: float
) -> None:
    assert parse_measurement(text, baseline) == value


@pytest.mark.parametrize(
    ("text", "baseline", "problem"),
    [
        ("", AVAILABILITY, "isn't a measurement"),
        ("high", AVAILABILITY, "isn't a measurement"),
        ("99.9 99.8", AVAILABILITY, "isn't a measurement"),
        ("280ms", AVAILABILITY, "is in ms, but availability ≥ 99.9% is measured in %"),
        ("99%", CHECKOUT, "is in %"),
        ("3 things", CVES, "measured without a unit"),
    ],
)
def test_parse_measurement_rejects_with_example(
    text: str, baseline: Baseline, problem: str
) -> None:
    with pytest.raises(BaselineSyntaxError) as caught:
        parse_measurement(text, baseline)
    assert problem in str(caught.value)
    assert caught.value.example in str(caught.value)
    # the example is a valid measurement for that baseline
    parse_measurement(caught.value.example, baseline)


@pytest.mark.parametrize(
    ("baseline", "value", "kind", "summary"),
    [
        (AVAILABILITY, 99.86, StatusKind.MISSED, "99.86% ✗ missed by 0.04 pt"),
        (AVAILABILITY, 99.9, StatusKind.MET, "99.9% ✓ met"),
        (AVAILABILITY, 99.95, StatusKind.MET, "99.95% ✓ met"),
        (CHECKOUT, 280, StatusKind.MET, "280 ms ✓ met"),
        (CHECKOUT, 320, StatusKind.MISSED, "320 ms ✗ missed by 20 ms"),
        (CHECKOUT, 300, StatusKind.MET, "300 ms ✓ met"),
        (CVES, 0, StatusKind.MET, "0 ✓ met"),
        (CVES, 3, StatusKind.MISSED, "3 ✗ missed by 3"),
        (
            Baseline(L, "p99", Op.LT, 300, "ms"),
            300,
            StatusKind.MISSED,
            "300 ms ✗ missed (needs < target)",
        ),
        (
            Baseline(R, "uptime", Op.GT, 99, "%"),
            98.5,
            StatusKind.MISSED,
            "98.5% ✗ missed by 0.5 pt",
        ),
    ],
)
def test_baseline_status(baseline: Baseline, value: float, kind: StatusKind, summary: str) -> None:
    status = baseline_status(baseline, Measurement(value))
    assert status.kind is kind
    assert status.principle is baseline.principle
    assert status.summary() == summary
    # a bare float works the same
    assert baseline_status(baseline, value) == status


def test_missed_shortfall_is_in_the_baselines_unit() -> None:
    status = baseline_status(AVAILABILITY, 99.86)
    assert status.shortfall == pytest.approx(0.04)
    assert status.shortfall_text() == "0.04 pt"
    measured = parse_measurement("0.32s", CHECKOUT)
    assert baseline_status(CHECKOUT, measured).shortfall_text() == "20 ms"


def test_converted_measurement_on_the_target_is_met_not_missed_by_zero() -> None:
    edge = Baseline(L, "p50", Op.LE, 100, "ms")
    assert baseline_status(edge, parse_measurement("0.1s", edge)).met


@pytest.mark.parametrize(
    ("baseline", "measurement", "summary"),
    [
        (AVAILABILITY, None, "— unknown (no measurement this week)"),
        (None, None, "— unknown (no baseline yet)"),
        (None, 99.99, "— unknown (no baseline yet)"),
        (AVAILABILITY, float("nan"), "— unknown (no measurement this week)"),
    ],
)
def test_unknown_is_never_green(
    baseline: Baseline | None, measurement: float | None, summary: str
) -> None:
    status = baseline_status(baseline, measurement, principle=R)
    assert status.kind is StatusKind.UNKNOWN
    assert not status.met and not status.missed
    assert status.summary() == summary
    assert "✓" not in status.summary()
    assert status.principle is R


def test_unknown_window_wording() -> None:
    status = baseline_status(AVAILABILITY, None)
    assert status.summary("in the last 4 weeks") == "— unknown (no measurement in the last 4 weeks)"


@pytest.mark.parametrize(
    ("value", "text"),
    [(99.9, "99.9"), (300.0, "300"), (0.04000000000000625, "0.04"), (-2.5, "-2.5"), (0, "0")],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
