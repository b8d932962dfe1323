"""Calendar math for the weekly digest: ISO weeks, their bounds in a team's timezone, and when a
digest is due.

Everything takes ``now`` as a parameter; nothing here reads the clock.

DST rules for a team's local digest time (e.g. Monday 09:00 Europe/Berlin):

* a local time that does not exist (inside a spring-forward gap, e.g. 02:30 on the last Sunday
  of March in Berlin) resolves to the first instant that does exist after it — the end of the
  gap (03:00 local);
* a local time that happens twice (fall back) resolves to its first occurrence.

Resolving a gap can move a week's digest time onto the next local day, and where a gap spans
Sunday midnight (e.g. Africa/Algiers on 1971-04-25, 23:00 → 00:00), into the next ISO week. That
week still gets its digest: it is due from that instant until the next week's own time has come
(see :func:`due_digest`), so every ISO week has exactly one due time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "IsoWeek",
    "due_digest",
    "local_instant",
    "next_digest_at",
    "scheduled_at",
    "to_zone",
]

_WEEK_RE = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


def to_zone(tz: str | tzinfo) -> tzinfo:
    """The timezone for an IANA name (``"Europe/Berlin"``) or a tzinfo passed through.

    Raises ``ValueError`` for an unknown name.
    """
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown timezone {tz!r}; use an IANA name such as 'Europe/Berlin'"
        ) from exc


@dataclass(frozen=True, order=True, slots=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday), e.g. ``IsoWeek(2026, 47)`` is "2026-W47"."""

    year: int
    week: int

    def __post_init__(self) -> None:
        # date.fromisocalendar rejects week 53 in 52-week years and out-of-range values.
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError as exc:
            raise ValueError(f"no ISO week {self.week} in {self.year}") from exc

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Parse ``"2026-W47"`` (also ``"2026W47"``, ``"2026-w47"``)."""
        match = _WEEK_RE.match(text)
        if match is None:
            raise ValueError(f"not an ISO week: {text!r}; write it like 2026-W47")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date | datetime) -> IsoWeek:
        """The ISO week containing ``day`` (a datetime is taken by its own wall-clock date)."""
        if isinstance(day, datetime):
            day = day.date()
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def containing(cls, now: datetime, tz: str | tzinfo) -> IsoWeek:
        """The ISO week that an aware instant falls in, on the calendar of ``tz``."""
        return cls.of(_require_aware(now).astimezone(to_zone(tz)).date())

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def start(self) -> date:
        """The Monday of this week."""
        return date.fromisocalendar(self.year, self.week, 1)

    def end(self) -> date:
        """The Sunday of this week."""
        return self.start() + timedelta(days=6)

    def day(self, weekday: int) -> date:
        """The date of ``weekday`` (0 = Monday … 6 = Sunday) in this week."""
        _check_weekday(weekday)
        return self.start() + timedelta(days=weekday)

    def next(self) -> IsoWeek:
        return self.plus(1)

    def previous(self) -> IsoWeek:
        return self.plus(-1)

    def minus(self, n: int) -> IsoWeek:
        """The week ``n`` weeks before this one."""
        return self.plus(-n)

    def plus(self, n: int) -> IsoWeek:
        """The week ``n`` weeks after this one."""
        return IsoWeek.of(self.start() + timedelta(weeks=n))

    def weeks_until(self, other: IsoWeek) -> int:
        """How many weeks from this week to ``other`` (negative if ``other`` is earlier)."""
        return (other.start() - self.start()).days // 7

    def bounds(self, tz: str | tzinfo) -> tuple[datetime, datetime]:
        """Aware UTC instants of local Monday 00:00 of this week and of the next week.

        A half-open interval ``[start, end)``: an item belongs to the week when
        ``start <= created_at < end``.
        """
        zone = to_zone(tz)
        return (
            local_instant(self.start(), time(0, 0), zone),
            local_instant(self.next().start(), time(0, 0), zone),
        )

    def label(self) -> str:
        """Human label, e.g. ``"week 47 (Nov 16–22)"`` or ``"week 1 (Dec 29–Jan 4)"``."""
        first, last = self.start(), self.end()
        if first.month == last.month:
            span = f"{first:%b} {first.day}–{last.day}"
        else:
            span = f"{first:%b} {first.day}–{last:%b} {last.day}"
        return f"week {self.week} ({span})"


def local_instant(day: date, at: time, tz: str | tzinfo) -> datetime:
    """The aware UTC instant of wall-clock ``day`` ``at`` in ``tz``, DST-safe.

    A wall-clock time inside a spring-forward gap becomes the end of the gap (the next instant
    that exists); one that happens twice in a fall-back becomes its first occurrence.
    """
    zone = to_zone(tz)
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == naive:
        return utc  # exists; for an ambiguous time fold=0 is the first occurrence
    # In a gap: fold=1 reads the wall time with the offset after the transition (the earlier
    # UTC instant), fold=0 with the offset before it (the later one). The transition lies
    # between them; find the first whole second that is already past it.
    before_offset = first.utcoffset()
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo_s, hi_s = sorted((math.floor(low.timestamp()), math.ceil(utc.timestamp())))
    while lo_s < hi_s:
        mid = (lo_s + hi_s) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == before_offset:
            lo_s = mid + 1
        else:
            hi_s = mid
    return datetime.fromtimestamp(lo_s, UTC)


def scheduled_at(week: IsoWeek, tz: str | tzinfo, weekday: int, at: time) -> datetime:
    """The aware UTC instant of a team's digest time in ``week`` (weekday 0 = Monday)."""
    return local_instant(week.day(weekday), at, tz)


def next_digest_at(now: datetime, tz: str | tzinfo, weekday: int, time: time) -> datetime:
    """The first scheduled digest instant strictly after ``now``, as an aware UTC datetime.

    ``weekday`` is 0 = Monday … 6 = Sunday; ``time`` is the team's local wall-clock time.
    """
    zone = to_zone(tz)
    now = _require_aware(now)
    week = IsoWeek.containing(now, zone)
    for candidate_week in (week.previous(), week, week.next(), week.plus(2)):
        candidate = scheduled_at(candidate_week, zone, weekday, time)
        if candidate > now:
            return candidate
    raise AssertionError(
        "unreachable: a scheduled instant exists in every week"
    )  # pragma: no cover


def due_digest(now: datetime, tz: str | tzinfo, weekday: int, time: time) -> IsoWeek | None:
    """The ISO week whose digest is due at ``now``, or ``None``.

    A week's digest is due from its scheduled instant (``now >= scheduled``) until the end of
    the local ISO week that instant falls in, or until a later week's digest is due, whichever
    comes first. Usually the instant falls in its own week: the team's current local week is
    due once its time has passed; a digest missed while the process was down is still due later
    in the same week, but never once the week is over (a past week's digest is not posted).
    When a spring-forward gap pushes a week's time past Sunday midnight, that week is due in
    the next one until the next week's own time. Either way each week has exactly one due
    window. The caller still checks whether the week's digest was already posted.
    """
    zone = to_zone(tz)
    now = _require_aware(now)
    week = IsoWeek.containing(now, zone)
    if now >= scheduled_at(week, zone, weekday, time):
        return week
    previous = week.previous()
    pushed = scheduled_at(previous, zone, weekday, time)
    if now >= pushed and IsoWeek.containing(pushed, zone) == week:
        return previous  # last week's time fell into this week (a gap across Sunday midnight)
    return None


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (e.g. datetime.now(UTC))")
    return now


def _check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
