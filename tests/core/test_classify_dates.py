"""Relative dates resolved against when the item was logged decide short- vs long-term."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.classify import classify
from core.classify_dates import find_times, may_be_date
from core.model import Axis, Quadrant
from core.signals import read

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday in November
LATE_FEB = datetime(2027, 2, 24, 9, 0, tzinfo=UTC)
MID_AUG = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("phrase", "logged_at", "low", "high"),
    [
        ("by Friday", MONDAY, 4, 4),
        ("tomorrow", MONDAY, 1, 1),
        ("in 36h", MONDAY, 1.4, 1.6),
        ("in 6 months", MONDAY, 170, 190),
        ("within 12 months", None, 350, 380),
        ("before March", MONDAY, 95, 100),
        ("before March", LATE_FEB, 4, 6),
        ("Q3", MONDAY, 210, 225),
        ("by Q3", MID_AUG, 40, 60),
        ("2026-12-01", MONDAY, 8, 8),
        ("Jan 1", MONDAY, 39, 39),
        ("Sept 30", MONDAY, 300, 320),
        ("next week", None, 5, 14),
        ("next fiscal year", MONDAY, 200, 400),
        ("later this year", None, 60, 365),
        ("by summer", MONDAY, 185, 195),
        # A season with its year is that year's, not the next one's.
        ("by spring 2027", datetime(2025, 2, 27, tzinfo=UTC), 730, 740),
        ("by spring 2025", datetime(2025, 2, 27, tzinfo=UTC), 2, 2),
        ("by the summer of 2027", MONDAY, 185, 195),
    ],
)
def test_days_until(phrase: str, logged_at: datetime | None, low: float, high: float) -> None:
    (mention,) = find_times(f"do it {phrase} please", logged_at)
    assert mention.days is not None
    assert low <= mention.days <= high


@pytest.mark.parametrize("phrase", ["Q3", "before March", "in May", "2027-06-01", "by summer"])
def test_calendar_dates_without_a_log_time_count_as_far(phrase: str) -> None:
    (mention,) = find_times(f"migrate it {phrase}", None)
    assert mention.days is None and not mention.short


@pytest.mark.parametrize(
    "text", ["prod down since 09:12", "paged 10 min ago", "backups empty for 6 nights"]
)
def test_past_mentions_say_ongoing(text: str) -> None:
    assert any(t.past for t in find_times(text, MONDAY))


@pytest.mark.parametrize(
    "text",
    [
        "we may need more nodes",
        "march the pods through the rollout",
        "black friday capacity plan",
        "audit log retention goes to 400 days next year (we keep 30 today)",
        "a 40 days retention",
    ],
)
def test_words_that_are_not_deadlines(text: str) -> None:
    assert all(t.past or t.days is None or t.days > 14 for t in find_times(text, MONDAY))


def test_a_season_of_a_past_year_is_history() -> None:
    assert find_times("we meant to do it by spring 2024", MONDAY) == []


def test_by_friday_logged_on_a_monday_is_short() -> None:
    c = classify("rotate the vpn certificate by Friday, it expires then", logged_at=MONDAY)
    assert c.quadrant is Quadrant.FORCED_SHORT
    assert any(s.evidence == "by Friday" and s.effect == Axis.SHORT for s in c.signals)


def test_before_march_depends_on_when_it_was_logged() -> None:
    text = "the colo contract ends, we have to be out before March"
    assert classify(text, logged_at=MONDAY).quadrant is Quadrant.FORCED_LONG
    assert classify(text, logged_at=LATE_FEB).quadrant is Quadrant.FORCED_SHORT


def test_quarter_depends_on_when_it_was_logged() -> None:
    text = "vendor sunsets the v1 API at the end of Q3, migrate the integration"
    assert classify(text, logged_at=MID_AUG).quadrant is Quadrant.FORCED_LONG
    late_sept = datetime(2026, 9, 25, tzinfo=UTC)
    assert classify(text, logged_at=late_sept).quadrant is Quadrant.FORCED_SHORT


def test_relative_phrases_work_without_a_log_time() -> None:
    assert classify("the prod cert expires tomorrow").quadrant is Quadrant.FORCED_SHORT
    assert classify("the signing cert rolls over in 6 months").quadrant is Quadrant.FORCED_LONG


def test_nearest_stated_deadline_wins() -> None:
    c = classify(
        "CI vendor turns off the legacy API at midnight tonight; the rest of the migration by Q3",
        logged_at=MONDAY,
    )
    assert c.quadrant is Quadrant.FORCED_SHORT


@pytest.mark.parametrize(
    "text",
    [
        "do it by Friday please",
        "patch CVE-2026-1234 before 2026-12-01",
        "INC-2024 follow-up: retention to 36h, then FY27 budget",
        "the KubePodCrashLooping alert since 09:12, fix in 3 weeks",
        "2026 plan: in May, end of the quarter, or Q3",
        "nothing dated here",
    ],
)
def test_dates_found_while_reading_the_words_give_the_same_mentions(text: str) -> None:
    _, tokens, dates, *_ = read(text)
    assert find_times(text, MONDAY, tokens, dates) == find_times(text, MONDAY)
    assert bool(dates) == any(may_be_date(t) for t in tokens)


@pytest.mark.parametrize(
    "phrase",
    [
        "on 2017-11-03",
        "on March 1, 2023",
        "in April 2025",
        "by Q3 2024",
        "in 2023",
        "since March 2024 reached",  # a month with its year, written long after
    ],
)
def test_dates_long_before_the_log_time_are_history_not_deadlines(phrase: str) -> None:
    # Read as deadlines they would be "overdue, due within a day".
    assert [t for t in find_times(f"it happened {phrase}", MONDAY) if not t.past] == []


@pytest.mark.parametrize(
    ("phrase", "days"),
    [("on 2026-11-20", 0.0), ("on November 10, 2026", 0.0), ("in 2026", 38.0)],
)
def test_recent_dates_and_this_year_still_count(phrase: str, days: float) -> None:
    (mention,) = find_times(f"it is due {phrase}", MONDAY)
    assert mention.days == days


@pytest.mark.parametrize(
    ("text", "quadrant"),
    [
        # An end of life that came and went with nothing broken yet is forced long-term work
        # (the rubric's tie-breaker), whether or not the item says when it was.
        ("Node 16 is deprecated since September 2023", Quadrant.FORCED_LONG),
        ("Kubernetes 1.10 end of life: Upgrade by October 25th, 2019", Quadrant.FORCED_LONG),
        ("You will need to be compliant with PCI DSS 4.0 by March 31, 2025.", Quadrant.FORCED_LONG),
        # An old incident's date does not make it long-term.
        ("On 30th of May 2020 our API started failing for most customers", Quadrant.FORCED_SHORT),
    ],
)
def test_items_quoting_old_dates_read_as_they_would_undated(text: str, quadrant: Quadrant) -> None:
    assert classify(text, logged_at=MONDAY).quadrant is quadrant
    assert classify(text).quadrant is quadrant


LATE_NOV = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "Node 18 went EOL in June",
        "CentOS 7 was deprecated in March",
        "EOL was in November",
        "Ubuntu 20.04 reached end of life on 30 April",
        "the old API was retired in October and the sync no longer works",
        "the API was officially retired on November 20",
        "the old API retired last month and the sync no longer works",
        "our certificate expired on Nov 1",
        "support ended in early September",
        "the repo has been archived since 29 March",
        "it went read-only last June",
        "Python 3.9 deprecated in October",
    ],
)
def test_a_month_after_a_past_tense_verb_is_history(text: str) -> None:
    # Read as the next June, "went EOL in June" would be a deadline seven months ahead.
    assert find_times(text, LATE_NOV) == []
    assert find_times(text, None) == []


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Node 18 goes EOL in April", 125.0),
        ("Node 18 will be deprecated in March", 94.0),
        ("it is going to be removed in May", 155.0),
        ("Node 18 will hit EOL in June", 186.0),
        ("the repository will get deleted on June 1", 186.0),
        ("it will be officially closed on December 31", 34.0),
        ("the deadline was extended until March", 94.0),
        ("the cutover was moved to June", 186.0),
        ("we upgraded last year, the next one is in June", 186.0),
        ("we migrated in March, the next upgrade is in June", 186.0),
        ("it went EOL in June 2027", 186.0),  # a year still ahead is no history
    ],
)
def test_a_month_ahead_stays_a_deadline(text: str, days: float) -> None:
    assert [t.days for t in find_times(text, LATE_NOV) if not t.past] == [days]


@pytest.mark.parametrize(
    ("text", "quadrant"),
    [
        # An EOL passed with nothing broken is forced long-term (the rubric's tie-breaker), not
        # "due within days" because November is the month the item was written in.
        ("EOL was in November", Quadrant.FORCED_LONG),
        ("CentOS 8 went EOL in November, migrate the builders", Quadrant.FORCED_LONG),
        # Broken already: short-term, whenever it happened.
        ("the old API was retired in October and the sync no longer works", Quadrant.FORCED_SHORT),
        ("our certificate expired on Nov 1", Quadrant.FORCED_SHORT),
        # Still ahead, days away: short-term.
        ("Node 18 goes EOL in December", Quadrant.FORCED_SHORT),
    ],
)
def test_past_months_read_as_history_classify(text: str, quadrant: Quadrant) -> None:
    assert classify(text, logged_at=LATE_NOV).quadrant is quadrant
