"""DST nights in many zones: every ISO week gets exactly one due digest time, never zero (a
spring-forward gap, even one that pushes the time past Sunday midnight into the next ISO week),
never two (a fall-back repeated hour)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.schedule import IsoWeek, due_digest, next_digest_at, scheduled_at

MONDAY, TUESDAY, FRIDAY, SATURDAY, SUNDAY = 0, 1, 4, 5, 6
STEP = timedelta(minutes=15)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Night:
    """A DST transition night and a team whose digest time falls into its gap or repeat."""

    zone: str
    day: date
    """The local date of the team's digest on that night."""
    weekday: int
    at: time
    due: datetime
    """When that digest is due (UTC): the end of a gap, or the first of two occurrences."""
    local: tuple[date, time]
    """The local wall-clock of ``due`` (what the team sees)."""
    repeat: datetime | None = None
    """The second occurrence of ``at`` on a fall-back night (never a second due time)."""

    @property
    def week(self) -> IsoWeek:
        return IsoWeek.of(self.day)


NIGHTS = [
    # spring forward: the local time does not exist and becomes the end of the gap
    pytest.param(
        Night(
            "Europe/London",
            date(2026, 3, 29),
            SUNDAY,
            time(1, 30),
            utc(2026, 3, 29, 1),
            (date(2026, 3, 29), time(2, 0)),
        ),
        id="london-spring-sun-0130",
    ),
    pytest.param(
        Night(
            "America/New_York",
            date(2026, 3, 8),
            SUNDAY,
            time(2, 30),
            utc(2026, 3, 8, 7),
            (date(2026, 3, 8), time(3, 0)),
        ),
        id="new-york-spring-sun-0230",
    ),
    pytest.param(
        Night(
            "Australia/Sydney",
            date(2026, 10, 4),
            SUNDAY,
            time(2, 30),
            utc(2026, 10, 3, 16),
            (date(2026, 10, 4), time(3, 0)),
        ),
        id="sydney-spring-sun-0230",
    ),
    pytest.param(  # Santiago springs forward at midnight: Sunday 00:00 → 01:00
        Night(
            "America/Santiago",
            date(2026, 9, 6),
            SUNDAY,
            time(0, 30),
            utc(2026, 9, 6, 4),
            (date(2026, 9, 6), time(1, 0)),
        ),
        id="santiago-spring-sun-0030",
    ),
    pytest.param(  # Tehran switched on 1 Farvardin, whatever the weekday: a Monday in 2021
        Night(
            "Asia/Tehran",
            date(2021, 3, 22),
            MONDAY,
            time(0, 30),
            utc(2021, 3, 21, 20, 30),
            (date(2021, 3, 22), time(1, 0)),
        ),
        id="tehran-spring-mon-0030",
    ),
    pytest.param(  # the gap spans Saturday midnight: the digest moves to Sunday, same ISO week
        Night(
            "America/Nuuk",
            date(2024, 3, 30),
            SATURDAY,
            time(23, 30),
            utc(2024, 3, 31, 1),
            (date(2024, 3, 31), time(0, 0)),
        ),
        id="nuuk-spring-sat-2330-to-sunday",
    ),
    pytest.param(  # the gap spans Sunday midnight: the digest moves into the next ISO week
        Night(
            "Africa/Algiers",
            date(1971, 4, 25),
            SUNDAY,
            time(23, 30),
            utc(1971, 4, 25, 23),
            (date(1971, 4, 26), time(0, 0)),
        ),
        id="algiers-1971-spring-sun-2330-to-next-week",
    ),
    pytest.param(  # Samoa skipped Friday 2011-12-30 altogether
        Night(
            "Pacific/Apia",
            date(2011, 12, 30),
            FRIDAY,
            time(9, 0),
            utc(2011, 12, 30, 10),
            (date(2011, 12, 31), time(0, 0)),
        ),
        id="apia-2011-skipped-friday",
    ),
    # fall back: the local time happens twice; the first occurrence is the one due time
    pytest.param(
        Night(
            "Europe/London",
            date(2026, 10, 25),
            SUNDAY,
            time(1, 30),
            utc(2026, 10, 25, 0, 30),
            (date(2026, 10, 25), time(1, 30)),
            repeat=utc(2026, 10, 25, 1, 30),
        ),
        id="london-fall-sun-0130",
    ),
    pytest.param(
        Night(
            "America/New_York",
            date(2026, 11, 1),
            SUNDAY,
            time(1, 30),
            utc(2026, 11, 1, 5, 30),
            (date(2026, 11, 1), time(1, 30)),
            repeat=utc(2026, 11, 1, 6, 30),
        ),
        id="new-york-fall-sun-0130",
    ),
    pytest.param(
        Night(
            "Australia/Sydney",
            date(2026, 4, 5),
            SUNDAY,
            time(2, 30),
            utc(2026, 4, 4, 15, 30),
            (date(2026, 4, 5), time(2, 30)),
            repeat=utc(2026, 4, 4, 16, 30),
        ),
        id="sydney-fall-sun-0230",
    ),
    pytest.param(  # Santiago falls back at Sunday 00:00 into Saturday 23:00
        Night(
            "America/Santiago",
            date(2026, 4, 4),
            SATURDAY,
            time(23, 30),
            utc(2026, 4, 5, 2, 30),
            (date(2026, 4, 4), time(23, 30)),
            repeat=utc(2026, 4, 5, 3, 30),
        ),
        id="santiago-fall-sat-2330",
    ),
    pytest.param(  # Tehran fell back on a Tuesday at midnight
        Night(
            "Asia/Tehran",
            date(2021, 9, 21),
            TUESDAY,
            time(23, 30),
            utc(2021, 9, 21, 19),
            (date(2021, 9, 21), time(23, 30)),
            repeat=utc(2021, 9, 21, 20),
        ),
        id="tehran-fall-tue-2330",
    ),
]


@pytest.mark.parametrize("night", NIGHTS)
def test_the_nights_digest_time(night: Night) -> None:
    zone = ZoneInfo(night.zone)
    got = scheduled_at(night.week, zone, night.weekday, night.at)
    assert got == night.due
    local = got.astimezone(zone)
    assert (local.date(), local.time().replace(tzinfo=None)) == night.local
    if night.repeat is not None:  # the repeat really is the same wall clock, an hour later
        again = night.repeat.astimezone(zone)
        assert (again.date(), again.time().replace(tzinfo=None)) == night.local
        assert night.repeat - night.due == timedelta(hours=1)


@pytest.mark.parametrize("night", NIGHTS)
def test_next_digest_at_steps_through_the_night_one_week_at_a_time(night: Night) -> None:
    zone = ZoneInfo(night.zone)
    before = scheduled_at(night.week.previous(), zone, night.weekday, night.at)
    assert next_digest_at(before, zone, night.weekday, night.at) == night.due
    assert next_digest_at(night.due - timedelta(seconds=1), zone, night.weekday, night.at) == (
        night.due
    )
    after = next_digest_at(night.due, zone, night.weekday, night.at)
    assert after == scheduled_at(night.week.next(), zone, night.weekday, night.at)
    assert after - night.due > timedelta(days=6)  # never the repeated hour, never the same week
    if night.repeat is not None:
        assert next_digest_at(night.repeat, zone, night.weekday, night.at) == after


@pytest.mark.parametrize("night", NIGHTS)
def test_due_digest_gives_each_week_around_the_night_exactly_one_due_window(
    night: Night,
) -> None:
    zone = ZoneInfo(night.zone)
    # Tick every 15 minutes from the start of the week before to the end of the week after
    # (plus the exact instants that matter), like a scheduler would.
    start, _ = night.week.previous().bounds(zone)
    _, end = night.week.next().bounds(zone)
    ticks = {night.due, night.due - timedelta(seconds=1)}
    if night.repeat is not None:
        ticks.add(night.repeat)
    moment = start
    while moment < end:
        ticks.add(moment)
        moment += STEP
    seen = [(now, due_digest(now, zone, night.weekday, night.at)) for now in sorted(ticks)]

    windows: list[IsoWeek] = []  # the due weeks in order, one entry per contiguous window
    for _, week in seen:
        if week is not None and (not windows or windows[-1] != week):
            windows.append(week)
    assert windows == [night.week.previous(), night.week, night.week.next()]

    first_due = min(now for now, week in seen if week == night.week)
    assert first_due == night.due
    last_due = max(now for now, week in seen if week == night.week)
    assert last_due >= night.due + timedelta(hours=1)  # a window a scheduler cannot miss
    if night.repeat is not None:
        assert due_digest(night.repeat, zone, night.weekday, night.at) == night.week


def test_a_week_pushed_past_sunday_midnight_is_due_until_the_next_weeks_time() -> None:
    # Algiers, 1971-04-25: Sunday 23:00 → Monday 00:00. Week 16's Sunday 23:30 digest is due
    # from Monday 00:00 (week 17 there) and stays due all week until week 17's own Sunday.
    tz, at = "Africa/Algiers", time(23, 30)
    assert due_digest(utc(1971, 4, 25, 22, 59), tz, SUNDAY, at) is None
    assert due_digest(utc(1971, 4, 25, 23, 0), tz, SUNDAY, at) == IsoWeek(1971, 16)
    assert due_digest(utc(1971, 4, 28, 12), tz, SUNDAY, at) == IsoWeek(1971, 16)
    week17 = scheduled_at(IsoWeek(1971, 17), tz, SUNDAY, at)
    assert due_digest(week17 - timedelta(seconds=1), tz, SUNDAY, at) == IsoWeek(1971, 16)
    assert due_digest(week17, tz, SUNDAY, at) == IsoWeek(1971, 17)


@pytest.mark.parametrize(
    ("zone", "weekday", "at"),
    [
        ("Europe/London", SUNDAY, time(1, 30)),
        ("America/New_York", SUNDAY, time(2, 30)),
        ("Australia/Sydney", SUNDAY, time(2, 30)),
        ("America/Santiago", SATURDAY, time(23, 30)),
        ("America/Santiago", SUNDAY, time(0, 30)),
        ("America/Nuuk", SATURDAY, time(23, 30)),
    ],
)
def test_a_year_of_next_digest_at_hits_every_iso_week_once(
    zone: str, weekday: int, at: time
) -> None:
    now = utc(2025, 12, 28)
    weeks: list[IsoWeek | None] = []
    for _ in range(54):
        now = next_digest_at(now, zone, weekday, at)
        week = due_digest(now, zone, weekday, at)
        assert week is not None and scheduled_at(week, zone, weekday, at) == now
        weeks.append(week)
    first = weeks[0]
    assert first is not None
    assert weeks == [first.plus(i) for i in range(54)]
