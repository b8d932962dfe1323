"""ISO weeks, local bounds, DST-safe digest times and the catch-up rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.schedule import IsoWeek, due_digest, local_instant, next_digest_at, scheduled_at


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Clock:
    """A controllable clock: the tests move it, the code under test only sees ``now``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


# --- IsoWeek -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 16), IsoWeek(2026, 47)),
        (date(2026, 11, 22), IsoWeek(2026, 47)),
        (date(2026, 11, 23), IsoWeek(2026, 48)),
        (date(2026, 12, 31), IsoWeek(2026, 53)),  # 2026 has 53 ISO weeks
        (date(2027, 1, 3), IsoWeek(2026, 53)),  # January days in the previous ISO year
        (date(2027, 1, 4), IsoWeek(2027, 1)),
        (date(2025, 12, 29), IsoWeek(2026, 1)),  # week 1 starts in December
        (date(2024, 12, 30), IsoWeek(2025, 1)),
        (date(2021, 1, 1), IsoWeek(2020, 53)),
    ],
)
def test_iso_week_of(day: date, expected: IsoWeek) -> None:
    assert IsoWeek.of(day) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-W47", IsoWeek(2026, 47)),
        ("2026W47", IsoWeek(2026, 47)),
        ("2026-w05", IsoWeek(2026, 5)),
        (" 2020-W53 ", IsoWeek(2020, 53)),
    ],
)
def test_iso_week_parse(text: str, expected: IsoWeek) -> None:
    assert IsoWeek.parse(text) == expected


@pytest.mark.parametrize("text", ["", "2026-47", "W47", "2026-W", "26-W47", "2026-W0", "2025-W53"])
def test_iso_week_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        IsoWeek.parse(text)


def test_iso_week_rejects_week_53_in_52_week_year() -> None:
    with pytest.raises(ValueError, match="no ISO week 53 in 2025"):
        IsoWeek(2025, 53)


def test_iso_week_str_roundtrip() -> None:
    assert str(IsoWeek(2026, 47)) == "2026-W47"
    assert str(IsoWeek(2027, 1)) == "2027-W01"
    assert IsoWeek.parse(str(IsoWeek(2027, 1))) == IsoWeek(2027, 1)


@pytest.mark.parametrize(
    ("week", "start", "end"),
    [
        (IsoWeek(2026, 47), date(2026, 11, 16), date(2026, 11, 22)),
        (IsoWeek(2026, 53), date(2026, 12, 28), date(2027, 1, 3)),
        (IsoWeek(2026, 1), date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_iso_week_start_end(week: IsoWeek, start: date, end: date) -> None:
    assert week.start() == start
    assert week.end() == end
    assert start.weekday() == 0 and end.weekday() == 6


@pytest.mark.parametrize(
    ("week", "previous", "following"),
    [
        (IsoWeek(2026, 47), IsoWeek(2026, 46), IsoWeek(2026, 48)),
        (IsoWeek(2026, 53), IsoWeek(2026, 52), IsoWeek(2027, 1)),
        (IsoWeek(2027, 1), IsoWeek(2026, 53), IsoWeek(2027, 2)),
        (IsoWeek(2026, 1), IsoWeek(2025, 52), IsoWeek(2026, 2)),  # 2025 has 52 weeks
    ],
)
def test_iso_week_neighbours(week: IsoWeek, previous: IsoWeek, following: IsoWeek) -> None:
    assert week.previous() == previous
    assert week.next() == following
    assert previous.next() == week


def test_iso_week_minus_and_ordering() -> None:
    week = IsoWeek(2027, 2)
    assert week.minus(0) == week
    assert week.minus(2) == IsoWeek(2026, 53)
    assert week.minus(7) == IsoWeek(2026, 48)
    assert week.minus(-1) == IsoWeek(2027, 3)
    assert IsoWeek(2026, 53) < IsoWeek(2027, 1) < IsoWeek(2027, 2)
    assert IsoWeek(2026, 47).weeks_until(IsoWeek(2027, 1)) == 7
    assert sorted([IsoWeek(2027, 1), IsoWeek(2026, 9), IsoWeek(2026, 53)]) == [
        IsoWeek(2026, 9),
        IsoWeek(2026, 53),
        IsoWeek(2027, 1),
    ]


@pytest.mark.parametrize(
    ("week", "label"),
    [
        (IsoWeek(2026, 47), "week 47 (Nov 16–22)"),
        (IsoWeek(2026, 49), "week 49 (Nov 30–Dec 6)"),
        (IsoWeek(2026, 53), "week 53 (Dec 28–Jan 3)"),
        (IsoWeek(2026, 1), "week 1 (Dec 29–Jan 4)"),
    ],
)
def test_iso_week_label(week: IsoWeek, label: str) -> None:
    assert week.label() == label


@pytest.mark.parametrize(
    ("tz", "start", "end"),
    [
        ("UTC", utc(2026, 11, 16), utc(2026, 11, 23)),
        ("Europe/Berlin", utc(2026, 11, 15, 23), utc(2026, 11, 22, 23)),
        ("Pacific/Tongatapu", utc(2026, 11, 15, 11), utc(2026, 11, 22, 11)),  # UTC+13
        ("Pacific/Honolulu", utc(2026, 11, 16, 10), utc(2026, 11, 23, 10)),  # UTC−10
    ],
)
def test_iso_week_bounds(tz: str, start: datetime, end: datetime) -> None:
    lo, hi = IsoWeek(2026, 47).bounds(tz)
    assert (lo, hi) == (start, end)
    assert lo.tzinfo is UTC and hi.tzinfo is UTC


def test_bounds_across_dst_week_are_not_seven_times_24_hours() -> None:
    # The week of 2026-03-23 in Berlin contains the spring-forward Sunday (March 29).
    lo, hi = IsoWeek(2026, 13).bounds(ZoneInfo("Europe/Berlin"))
    assert lo == utc(2026, 3, 22, 23)
    assert hi == utc(2026, 3, 29, 22)
    assert hi - lo == timedelta(days=7, hours=-1)


def test_containing_uses_the_team_calendar() -> None:
    # Sunday 20:00 UTC is already Monday in Tonga and still Sunday in Honolulu.
    now = utc(2026, 11, 22, 20)
    assert IsoWeek.containing(now, "Pacific/Tongatapu") == IsoWeek(2026, 48)
    assert IsoWeek.containing(now, "UTC") == IsoWeek(2026, 47)
    assert IsoWeek.containing(now, "Pacific/Honolulu") == IsoWeek(2026, 47)


# --- local_instant: DST -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected"),
    [
        # ordinary
        ("Europe/Berlin", date(2026, 11, 20), time(9, 0), utc(2026, 11, 20, 8)),
        # spring forward: 02:00→03:00 local; 02:30 doesn't exist → 03:00 local
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1)),
        ("Europe/Berlin", date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1)),
        ("Europe/Berlin", date(2026, 3, 29), time(3, 0), utc(2026, 3, 29, 1)),
        ("Europe/Berlin", date(2026, 3, 29), time(1, 59), utc(2026, 3, 29, 0, 59)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7)),
        # fall back: 03:00→02:00 local (Berlin), 02:00→01:00 (New York); first occurrence
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2026, 11, 1), time(2, 30), utc(2026, 11, 1, 7, 30)),
    ],
)
def test_local_instant(tz: str, day: date, at: time, expected: datetime) -> None:
    assert local_instant(day, at, tz) == expected


def test_local_instant_nonexistent_time_is_next_valid_instant() -> None:
    got = local_instant(date(2026, 3, 8), time(2, 30), "America/New_York")
    local = got.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (3, 0)
    # one second earlier is still standard time, i.e. before the gap closed
    earlier = (got - timedelta(seconds=1)).astimezone(ZoneInfo("America/New_York"))
    assert (earlier.hour, earlier.minute) == (1, 59)


# --- next_digest_at ---------------------------------------------------------------------------

FRIDAY, MONDAY, SUNDAY = 4, 0, 6


@pytest.mark.parametrize(
    ("now", "tz", "weekday", "at", "expected"),
    [
        # Friday 16:00 Berlin (CET, UTC+1) = 15:00 UTC
        (utc(2026, 11, 20, 14, 59), "Europe/Berlin", FRIDAY, time(16), utc(2026, 11, 20, 15)),
        # exactly at the instant: "next" is strictly later → next week
        (utc(2026, 11, 20, 15), "Europe/Berlin", FRIDAY, time(16), utc(2026, 11, 27, 15)),
        (utc(2026, 11, 21, 0), "Europe/Berlin", FRIDAY, time(16), utc(2026, 11, 27, 15)),
        # across spring forward: Monday 09:00 NY, EST before and EDT after March 8
        (utc(2026, 3, 3, 15), "America/New_York", MONDAY, time(9), utc(2026, 3, 9, 13)),
        # Sunday 02:30 on the spring-forward day doesn't exist → 03:00 EDT
        (utc(2026, 3, 2), "America/New_York", SUNDAY, time(2, 30), utc(2026, 3, 8, 7)),
        # Sunday 02:30 on the Berlin fall-back day happens twice → first (CEST)
        (utc(2026, 10, 20), "Europe/Berlin", SUNDAY, time(2, 30), utc(2026, 10, 25, 0, 30)),
        # New York 01:30 on fall-back Sunday → first occurrence (EDT, UTC−4)
        (utc(2026, 10, 30), "America/New_York", SUNDAY, time(1, 30), utc(2026, 11, 1, 5, 30)),
        # Tonga (UTC+13): Monday 09:00 local is Sunday 20:00 UTC
        (utc(2026, 11, 22, 12), "Pacific/Tongatapu", MONDAY, time(9), utc(2026, 11, 22, 20)),
        # Auckland in summer (NZDT, UTC+13)
        (utc(2026, 11, 22, 12), "Pacific/Auckland", MONDAY, time(9), utc(2026, 11, 22, 20)),
        # Honolulu (UTC−10): Friday 17:00 local is Saturday 03:00 UTC
        (utc(2026, 11, 20, 12), "Pacific/Honolulu", FRIDAY, time(17), utc(2026, 11, 21, 3)),
        # across the ISO year boundary: from week 53 of 2026 to week 1 of 2027
        (utc(2027, 1, 2), "UTC", MONDAY, time(9), utc(2027, 1, 4, 9)),
        (utc(2026, 12, 31), "UTC", FRIDAY, time(9), utc(2027, 1, 1, 9)),
    ],
)
def test_next_digest_at(now: datetime, tz: str, weekday: int, at: time, expected: datetime) -> None:
    got = next_digest_at(now, tz, weekday, at)
    assert got == expected
    assert got.tzinfo is UTC
    assert got > now


def test_next_digest_at_accepts_zoneinfo_and_non_utc_now() -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert next_digest_at(now, ZoneInfo("Europe/Berlin"), FRIDAY, time(16)) == utc(2026, 11, 20, 15)


def test_next_digest_at_is_weekly_across_a_whole_year() -> None:
    # Stepping the clock through a year never skips or repeats a week, DST or not.
    tz, at = "Europe/Berlin", time(2, 30)
    now = utc(2026, 1, 1)
    seen: list[IsoWeek] = []
    for _ in range(60):
        now = next_digest_at(now, tz, SUNDAY, at)
        seen.append(IsoWeek.containing(now, tz))
    assert seen == [seen[0].plus(i) for i in range(60)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": datetime(2026, 11, 20, 12)}, "aware"),
        ({"weekday": 7}, "weekday"),
        ({"weekday": -1}, "weekday"),
        ({"tz": "Mars/Olympus_Mons"}, "unknown timezone"),
    ],
)
def test_next_digest_at_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "now": utc(2026, 11, 20),
        "tz": "UTC",
        "weekday": FRIDAY,
        "time": time(9),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        next_digest_at(**args)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        due_digest(**args)  # type: ignore[arg-type]


# --- due_digest: catch-up within the week, never for a past week ----------------------------


def test_due_digest_minute_by_minute_around_the_scheduled_time() -> None:
    clock = Clock(utc(2026, 11, 20, 14, 58))
    due = []
    for _ in range(4):
        due.append(due_digest(clock.now, "Europe/Berlin", FRIDAY, time(16)))
        clock.advance(minutes=1)
    assert due == [None, None, IsoWeek(2026, 47), IsoWeek(2026, 47)]


def test_due_digest_catches_up_later_in_the_same_week() -> None:
    # Process down from Friday 14:00 UTC to Sunday 22:00 UTC; Berlin's week 47 ends at 23:00 UTC.
    clock = Clock(utc(2026, 11, 20, 14))
    assert due_digest(clock.now, "Europe/Berlin", FRIDAY, time(16)) is None
    clock.advance(days=2, hours=8)
    assert due_digest(clock.now, "Europe/Berlin", FRIDAY, time(16)) == IsoWeek(2026, 47)


def test_due_digest_never_for_last_week() -> None:
    # Down from Friday before the digest until Monday: week 47 is over, week 48 not yet due.
    clock = Clock(utc(2026, 11, 20, 14))
    clock.advance(days=3)  # Monday 15:00 Berlin of week 48
    assert due_digest(clock.now, "Europe/Berlin", FRIDAY, time(16)) is None
    clock.advance(days=4, hours=2)  # Friday 17:00 Berlin of week 48
    assert due_digest(clock.now, "Europe/Berlin", FRIDAY, time(16)) == IsoWeek(2026, 48)


@pytest.mark.parametrize(
    ("now", "tz", "weekday", "at", "expected"),
    [
        # Tonga: Monday 09:00 local = Sunday 20:00 UTC; due for ISO week 48 in Tonga
        (utc(2026, 11, 22, 19, 59), "Pacific/Tongatapu", MONDAY, time(9), None),
        (utc(2026, 11, 22, 20), "Pacific/Tongatapu", MONDAY, time(9), IsoWeek(2026, 48)),
        # Honolulu: Sunday 20:00 local = Monday 06:00 UTC, still week 47 there
        (utc(2026, 11, 23, 6), "Pacific/Honolulu", SUNDAY, time(20), IsoWeek(2026, 47)),
        (utc(2026, 11, 23, 9, 59), "Pacific/Honolulu", SUNDAY, time(20), IsoWeek(2026, 47)),
        # Honolulu's week 47 ends at Monday 10:00 UTC: no catch-up after that
        (utc(2026, 11, 23, 10), "Pacific/Honolulu", SUNDAY, time(20), None),
        # year boundary: week 53 of 2026 in UTC, then week 1 of 2027 on Monday
        (utc(2027, 1, 3, 23, 59), "UTC", MONDAY, time(9), IsoWeek(2026, 53)),
        (utc(2027, 1, 4, 8, 59), "UTC", MONDAY, time(9), None),
        (utc(2027, 1, 4, 9), "UTC", MONDAY, time(9), IsoWeek(2027, 1)),
        # spring forward Sunday 02:30 in New York → due from 03:00 EDT (07:00 UTC)
        (utc(2026, 3, 8, 6, 59), "America/New_York", SUNDAY, time(2, 30), None),
        (utc(2026, 3, 8, 7), "America/New_York", SUNDAY, time(2, 30), IsoWeek(2026, 10)),
        # fall back Sunday 01:30 in New York → due from the first 01:30 (EDT, 05:30 UTC)
        (utc(2026, 11, 1, 5, 29), "America/New_York", SUNDAY, time(1, 30), None),
        (utc(2026, 11, 1, 5, 30), "America/New_York", SUNDAY, time(1, 30), IsoWeek(2026, 44)),
    ],
)
def test_due_digest(
    now: datetime, tz: str, weekday: int, at: time, expected: IsoWeek | None
) -> None:
    assert due_digest(now, tz, weekday, at) == expected


def test_scheduled_at_matches_next_digest_at() -> None:
    week = IsoWeek(2026, 47)
    at = scheduled_at(week, "Europe/Berlin", FRIDAY, time(16))
    assert at == utc(2026, 11, 20, 15)
    assert next_digest_at(at - timedelta(seconds=1), "Europe/Berlin", FRIDAY, time(16)) == at
    assert due_digest(at, "Europe/Berlin", FRIDAY, time(16)) == week
