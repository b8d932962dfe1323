"""Principle baselines: the slash-command grammar, measurements in the baseline's unit, and
whether a baseline is met, missed or unknown.

Grammar: ``<principle> <indicator> <op> <target>[unit]``, e.g. ``reliability availability >=
99.9%``, ``latency checkout-p99 <= 300ms``, ``security open-critical-cves <= 0``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.model import Principle

__all__ = [
    "BASELINE_EXAMPLE",
    "MEASUREMENT_EXAMPLE",
    "Baseline",
    "BaselineStatus",
    "BaselineSyntaxError",
    "Measurement",
    "Op",
    "StatusKind",
    "baseline_status",
    "format_number",
    "format_value",
    "parse_baseline",
    "parse_measurement",
]

BASELINE_EXAMPLE = "reliability availability >= 99.9%"
"""The example every baseline syntax error shows."""

MEASUREMENT_EXAMPLE = "99.86%"


class BaselineSyntaxError(ValueError):
    """Input that isn't a baseline (or measurement); the message says how to write it right."""

    def __init__(self, problem: str, example: str = BASELINE_EXAMPLE) -> None:
        self.problem = problem
        self.example = example
        super().__init__(f"{problem} Write it like `{example}`.")


class Op(StrEnum):
    """How a measurement compares with the target; the value is the ASCII spelling."""

    GE = ">="
    LE = "<="
    GT = ">"
    LT = "<"

    @property
    def symbol(self) -> str:
        """Display form: ≥ ≤ > <."""
        return {Op.GE: "≥", Op.LE: "≤", Op.GT: ">", Op.LT: "<"}[self]

    @property
    def higher_is_better(self) -> bool:
        return self in (Op.GE, Op.GT)

    def holds(self, value: float, target: float) -> bool:
        """Whether ``value`` meets ``target`` under this comparison."""
        compare: dict[Op, Callable[[float, float], bool]] = {
            Op.GE: lambda a, b: a >= b,
            Op.LE: lambda a, b: a <= b,
            Op.GT: lambda a, b: a > b,
            Op.LT: lambda a, b: a < b,
        }
        return compare[self](value, target)


_OP_SPELLINGS = {">=": Op.GE, "=>": Op.GE, "≥": Op.GE, "<=": Op.LE, "=<": Op.LE, "≤": Op.LE}
_OP_SPELLINGS |= {">": Op.GT, "<": Op.LT}

# Units that convert into each other: factor to the family's base unit.
_TIME_UNITS = {
    "ms": 1.0,
    "s": 1000.0,
    "sec": 1000.0,
    "secs": 1000.0,
    "min": 60_000.0,
    "mins": 60_000.0,
    "h": 3_600_000.0,
    "hr": 3_600_000.0,
    "hrs": 3_600_000.0,
}
_CANONICAL_TIME = {"sec": "s", "secs": "s", "mins": "min", "hr": "h", "hrs": "h"}
_PERCENT_SPELLINGS = {"%", "pct", "percent"}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_UNIT = r"[^\s\d.+-][^\s]{0,15}"
_BASELINE_RE = re.compile(
    rf"^\s*(?P<principle>\S+)\s+(?P<indicator>[^\s<>=≥≤]+)\s*"
    rf"(?P<op>>=|<=|=>|=<|≥|≤|>|<|==|=|!=)\s*"
    rf"(?P<target>{_NUMBER})\s*(?P<unit>{_UNIT})?\s*$"
)
_MEASUREMENT_RE = re.compile(rf"^\s*(?P<value>{_NUMBER})\s*(?P<unit>{_UNIT})?\s*$")
_INDICATOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,63}$")


def _canonical_unit(unit: str) -> str:
    lowered = unit.lower()
    if lowered in _PERCENT_SPELLINGS:
        return "%"
    if lowered in _TIME_UNITS:
        return _CANONICAL_TIME.get(lowered, lowered)
    return unit


def format_number(value: float) -> str:
    """A number without float noise or trailing zeros: 99.9, 300, 0.04."""
    if not math.isfinite(value):
        return str(value)
    rounded = round(value, 6)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.6f}".rstrip("0").rstrip(".")


def format_value(value: float, unit: str) -> str:
    """A value with its unit as people write it: ``99.9%``, ``300 ms``, ``0``."""
    number = format_number(value)
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


@dataclass(frozen=True, slots=True)
class Baseline:
    """A team's line for one principle: ``indicator op target unit``."""

    principle: Principle
    indicator: str
    op: Op
    target: float
    unit: str = ""

    @property
    def indicator_label(self) -> str:
        """The indicator for reading: ``checkout-p99`` → ``checkout p99``."""
        return self.indicator.replace("-", " ").replace("_", " ")

    def describe(self) -> str:
        """E.g. ``availability ≥ 99.9%``, ``checkout p99 ≤ 300 ms``."""
        return f"{self.indicator_label} {self.op.symbol} {format_value(self.target, self.unit)}"

    def command(self) -> str:
        """The grammar form that parses back to this baseline."""
        unit = self.unit if self.unit == "%" else (f" {self.unit}" if self.unit else "")
        number = format_number(self.target)
        return f"{self.principle.value} {self.indicator} {self.op.value} {number}{unit}"


def parse_baseline(text: str) -> Baseline:
    """Parse ``<principle> <indicator> <op> <target>[unit]``.

    Raises :class:`BaselineSyntaxError` with an example of the right form.
    """
    if not text or not text.strip():
        raise BaselineSyntaxError(
            "A baseline needs a principle, an indicator, a comparison and a target."
        )
    match = _BASELINE_RE.match(text)
    if match is None:
        raise BaselineSyntaxError(_diagnose(text))
    principle_text = match.group("principle").lower()
    try:
        principle = Principle(principle_text)
    except ValueError:
        raise BaselineSyntaxError(
            f"`{match.group('principle')}` isn't a principle; use one of {_principle_list()}."
        ) from None
    op_text = match.group("op")
    if op_text not in _OP_SPELLINGS:
        raise BaselineSyntaxError(
            f"`{op_text}` can't be a baseline's comparison; use >=, <=, > or <."
        )
    indicator = match.group("indicator")
    if not _INDICATOR_RE.match(indicator):
        raise BaselineSyntaxError(
            f"`{indicator}` isn't a usable indicator name; use letters, digits and dashes "
            "(e.g. checkout-p99)."
        )
    target = float(match.group("target"))
    unit = _canonical_unit(match.group("unit") or "")
    return Baseline(principle, indicator, _OP_SPELLINGS[op_text], target, unit)


def _principle_list() -> str:
    return ", ".join(p.value for p in Principle)


def _diagnose(text: str) -> str:
    """Say what is wrong with input the grammar didn't match, as specifically as is cheap."""
    words = text.split()
    if words and words[0].lower() not in {p.value for p in Principle}:
        return f"`{words[0]}` isn't a principle; start with one of {_principle_list()}."
    if not any(op in text for op in _OP_SPELLINGS) and "=" not in text:
        return "A baseline needs a comparison (>=, <=, > or <) between indicator and target."
    if len(words) > 1 and words[1] in _OP_SPELLINGS:
        return "A baseline needs an indicator between the principle and the comparison."
    if len(words) < 3:
        return "A baseline needs a principle, an indicator, a comparison and a target."
    return (
        "That isn't a baseline: after the comparison comes one number with an optional unit, "
        "and the indicator is a single word."
    )


def parse_measurement(text: str, baseline: Baseline) -> float:
    """A measurement (``99.86``, ``99.86%``, ``280ms``, ``0.3s``) in the baseline's unit.

    A bare number is taken to be in the baseline's unit. Time units convert into each other;
    any other unit must be the baseline's own. Raises :class:`BaselineSyntaxError`.
    """
    example = format_number(baseline.target) + baseline.unit
    match = _MEASUREMENT_RE.match(text or "")
    if match is None:
        raise BaselineSyntaxError(
            f"`{(text or '').strip()}` isn't a measurement; give one number with an optional unit.",
            example,
        )
    value = float(match.group("value"))
    unit = _canonical_unit(match.group("unit") or "")
    if not unit or unit == baseline.unit:
        return value
    if unit in _TIME_UNITS and baseline.unit in _TIME_UNITS:
        # Round away float noise (0.1 s → 100.00000000000001 ms) so a target isn't "missed by 0".
        return round(value * _TIME_UNITS[unit] / _TIME_UNITS[baseline.unit], 9)
    wanted = f"in {baseline.unit}" if baseline.unit else "without a unit"
    raise BaselineSyntaxError(
        f"`{text.strip()}` is in {unit}, but {baseline.describe()} is measured {wanted}.",
        example,
    )


@dataclass(frozen=True, slots=True)
class Measurement:
    """One recorded value of a baseline's indicator, in the baseline's unit."""

    value: float
    measured_at: datetime | None = None


class StatusKind(StrEnum):
    MET = "met"
    MISSED = "missed"
    UNKNOWN = "unknown"

    @property
    def mark(self) -> str:
        return {StatusKind.MET: "✓", StatusKind.MISSED: "✗", StatusKind.UNKNOWN: "—"}[self]


@dataclass(frozen=True, slots=True)
class BaselineStatus:
    """How a principle stands against its baseline in a window.

    ``shortfall`` is how far a missed measurement is from the target, in the baseline's unit
    (0 when it sits exactly on a strict target). Unknown is never good news: it means no
    baseline or no measurement in the window.
    """

    kind: StatusKind
    principle: Principle | None
    baseline: Baseline | None = None
    value: float | None = None
    shortfall: float | None = None

    @property
    def met(self) -> bool:
        return self.kind is StatusKind.MET

    @property
    def missed(self) -> bool:
        return self.kind is StatusKind.MISSED

    def value_text(self) -> str:
        """The measured value with its unit, or ``—``."""
        if self.value is None or self.baseline is None:
            return "—"
        return format_value(self.value, self.baseline.unit)

    def shortfall_text(self) -> str:
        """``0.04 pt`` for percentages, ``20 ms``, ``2`` — empty unless missed."""
        if self.kind is not StatusKind.MISSED or self.shortfall is None or self.baseline is None:
            return ""
        unit = self.baseline.unit
        if unit == "%":
            return f"{format_number(self.shortfall)} pt"
        return format_value(self.shortfall, unit)

    def verdict(self, window: str = "this week") -> str:
        """``✗ missed by 0.04 pt``, ``✓ met``, ``— unknown (no measurement this week)``."""
        if self.kind is StatusKind.MET:
            return "✓ met"
        if self.kind is StatusKind.MISSED:
            by = self.shortfall_text()
            if self.shortfall:
                return f"✗ missed by {by}"
            assert self.baseline is not None
            return f"✗ missed (needs {self.baseline.op.symbol} target)"
        if self.baseline is None:
            return "— unknown (no baseline yet)"
        return f"— unknown (no measurement {window})"

    def summary(self, window: str = "this week") -> str:
        """``99.86% ✗ missed by 0.04 pt`` or ``— unknown (no measurement this week)``."""
        if self.kind is StatusKind.UNKNOWN:
            return self.verdict(window)
        return f"{self.value_text()} {self.verdict(window)}"


def baseline_status(
    baseline: Baseline | None,
    measurement: Measurement | float | None,
    *,
    principle: Principle | None = None,
) -> BaselineStatus:
    """Met, missed (and by how much) or unknown (no baseline, or no measurement in the window).

    ``principle`` only matters when there is no baseline, to say whose status it is.
    """
    owner = baseline.principle if baseline is not None else principle
    if baseline is None:
        return BaselineStatus(StatusKind.UNKNOWN, owner)
    if measurement is None:
        return BaselineStatus(StatusKind.UNKNOWN, owner, baseline)
    value = measurement.value if isinstance(measurement, Measurement) else float(measurement)
    if not math.isfinite(value):
        return BaselineStatus(StatusKind.UNKNOWN, owner, baseline)
    if baseline.op.holds(value, baseline.target):
        return BaselineStatus(StatusKind.MET, owner, baseline, value)
    shortfall = round(abs(baseline.target - value), 9)
    return BaselineStatus(StatusKind.MISSED, owner, baseline, value, shortfall)
