"""Find time expressions in a work item and resolve how far away they are.

"by Friday", "tomorrow", "in 6 months", "Q3", "before March", "2026-12-01", "Jan 1" — resolved
against the moment the item was logged. Without that moment, relative phrases still resolve and
calendar phrases (months, quarters, years) count as a far-off horizon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

SHORT_HORIZON_DAYS = 14
"""The rubric's line between short- and long-term: roughly two weeks."""
HISTORY_DAYS = 30
"""A calendar date further back than this before the item was logged names history (a release,
an EOL that came and went, an old incident), not a deadline: it is left out, so the item's other
words decide ("Node 16 is deprecated since September 2023" is forced long-term work, as an
undated deprecation is; "on 30 May 2020 the API started failing" is short-term, as an undated
failure is). Read as a deadline, it would say "overdue, due within a day"."""


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A time expression found in the text.

    ``days`` is how far in the future it lies (0 for now/already happening); ``None`` when it names
    a calendar point that cannot be placed without knowing when the item was logged (then it is
    taken as far off). ``past`` marks mentions of when something started ("since noon", "2h ago"),
    which say the problem is ongoing rather than naming a deadline.
    """

    evidence: str
    days: float | None
    past: bool = False

    @property
    def short(self) -> bool:
        return self.past or (self.days is not None and self.days <= SHORT_HORIZON_DAYS)

    def meaning(self) -> str:
        """Plain words for the explanation, e.g. "due within a week"."""
        if self.past:
            return "already happening"
        d = self.days
        if d is None:
            return "a date months out"
        if d <= 1.5:
            return "due within a day"
        if d <= 7.5:
            return "due within a week"
        if d <= SHORT_HORIZON_DAYS + 1:
            return "due within two weeks"
        if d < 60:
            return f"due in ~{round(d / 7)} weeks"
        if d < 730:
            return f"due in ~{round(d / 30.4)} months"
        return f"due in ~{round(d / 365)} years"


_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "few": 3,
    "a few": 3,
    "couple": 2,
    "a couple": 2,
    "a couple of": 2,
    "several": 4,
}

# Unit → days. Keyed by the first letters the unit pattern captures.
_UNIT_DAYS = {
    "min": 1 / 1440,
    "m": 1 / 1440,
    "h": 1 / 24,
    "hr": 1 / 24,
    "hour": 1 / 24,
    "d": 1.0,
    "day": 1.0,
    "night": 1.0,
    "w": 7.0,
    "wk": 7.0,
    "week": 7.0,
    "sprint": 14.0,
    "mo": 30.4,
    "mon": 30.4,
    "month": 30.4,
    "q": 91.0,
    "quarter": 91.0,
    "y": 365.0,
    "yr": 365.0,
    "year": 365.0,
}

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = {
    "mon": MO,
    "tue": TU,
    "wed": WE,
    "thu": TH,
    "fri": FR,
    "sat": SA,
    "sun": SU,
}
_SEASON_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}

_NUM = r"(?P<num>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?|several)"  # noqa: E501
_UNIT = (
    r"(?P<unit>min(?:ute)?s?|m|h(?:ou)?rs?|hours?|h|d(?:ays?)?|nights?|w(?:ee)?ks?|weeks?|w"
    r"|sprints?|mo(?:nth)?s?|months?|q(?:uarters?)?|y(?:ea)?rs?|years?|y)"
)
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_PREP = r"(?P<prep>by|before|until|till|til|in|on|for|due|end\s+of|early|mid|late|after|from|starting|around|next|this)"  # noqa: E501

_MONTH_WORDS = """jan january feb february mar march apr april may jun june jul july aug august
sep sept september oct october nov november dec december"""
_WEEKDAY_WORDS = """monday mondays monday's tuesday tue tues tuesdays tuesday's wednesday
wednesdays wednesday's thursday thu thur thurs thursdays thursday's friday fri fridays friday's
saturday saturdays saturday's sunday sundays sunday's"""
_UNIT_WORDS = """min mins minute minutes h hr hrs hour hours d day days night nights w wk wks week
weeks sprint sprints mo mos month months q quarter quarters y yr yrs year years"""
_WORD_WORDS = """today tonight tomorrow tmrw tmr now morning afternoon evening eod eow cob eom eoq
eoy year-end week weekend month quarter half year sprint midnight noon overnight"""

# One small pattern per family of expressions, each run only when one of its trigger words is in
# the text: far cheaper than one big alternation over every item.
_FAMILIES: tuple[tuple[str, str, str], ...] = (
    # 2026-12-01
    ("iso", "#year", r"(?P<iso>\b(?P<iy>20\d\d)-(?P<im>[01]?\d)-(?P<id>[0-3]?\d)\b)"),
    # in 6 months / within 12 months / 36h / 60 days left / 10 min ago
    (
        "rel",
        _UNIT_WORDS + " #unit",
        r"(?P<rel>\b(?:in|within|next|over\s+the\s+next|over|for)\s+"
        r"(?:~|about\s+|around\s+|approx\.?\s+|roughly\s+)?"
        rf"{_NUM}\s*-?\s*{_UNIT}\b(?P<ago>\s+ago)?)"
        r"|(?P<rel2>(?<![\w.])~?(?P<num2>\d+(?:\.\d+)?)\s*-?\s*"
        r"(?P<unit2>min(?:ute)?s?|h(?:ou)?rs?|hours?|h|d(?:ays?)?|w(?:ee)?ks?|weeks?"
        r"|mo(?:nth)?s?|months?|y(?:ea)?rs?|years?)\b"
        r"(?P<tail>\s+(?:ago|left|away|out|from\s+now|to\s+go|remaining))?)",
    ),
    # 30 Sep / 1st of March / (before) March / by Sept 30 / Jan 1 / in May 2027
    (
        "month",
        _MONTH_WORDS,
        r"(?P<dm>\b(?P<dmday>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?"
        + _MONTH.replace("month>", "dmmonth>")
        + r"(?:\s+(?P<dmyear>20\d\d))?\b)"
        + r"|(?P<md>(?:\b"
        + _PREP.replace("prep>", "mprep>")
        + r"\s+(?:the\s+)?(?:end\s+of\s+|start\s+of\s+|beginning\s+of\s+)?)?\b"
        + _MONTH
        + r"(?:\s+(?P<mday>[0-3]?\d)(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<myear>20\d\d))?\b)",
    ),
    # by Friday / next tue / friday's launch (but not Black Friday)
    (
        "weekday",
        _WEEKDAY_WORDS,
        r"(?P<wd>(?<!black\s)(?<!cyber\s)"
        r"(?:\b(?P<wdprep>by|before|until|till|on|this|next|due|for)\s+)?"
        r"\b(?P<wday>mon(?=day)|tue(?=s)|tue\b|wed(?=nesday)|thu(?=rs)|thu\b|fri\b|fri(?=day)"
        r"|sat(?=urday)|sun(?=day))[a-z]*(?:'s)?\b)",
    ),
    # Q3 / by Q2 2027 / H2
    (
        "quarter",
        "q1 q2 q3 q4 h1 h2",
        r"(?P<qtr>(?:\b(?P<qprep>by|before|in|for|until|end\s+of|start\s+of|early|late|mid"
        r"|next|around|during)\s+)?\b(?P<q>q[1-4]|h[12])"
        r"(?:\s*(?:fy|cy)?'?(?P<qyear>20\d\d|\d\d))?\b)",
    ),
    (
        "fiscal",
        "fiscal fy calendar #fy",
        r"(?P<fy>\b(?:next|this|the\s+next)\s+(?:fiscal\s+year|fy|calendar\s+year)\b"
        r"|\bfy\s?'?(?P<fyyear>\d\d)\b)",
    ),
    # by summer / this winter
    (
        "season",
        "spring summer fall autumn winter",
        r"(?P<season>\b(?P<sprep>by|before|until|in|this|next|over\s+the|end\s+of|over)\s+"
        r"(?:the\s+)?(?P<sname>spring|summer|fall|autumn|winter)(?:\s+(?:of\s+)?(?P<syear>20\d\d))?\b)",
    ),
    ("year", "#year", r"(?P<year>\b(?P<yprep>by|before|in|until|during)\s+(?P<yval>20\d\d)\b)"),
    (
        "word",
        _WORD_WORDS,
        r"(?P<word>\b(?:today|tonight|tomorrow|tmrw|tmr|right\s+now"
        r"|this\s+(?:morning|afternoon|evening)|eod|eow|cob"
        r"|end\s+of\s+(?:the\s+)?(?:day|week|month|quarter|year|sprint)|eom|eoq|eoy|year-end"
        r"|(?:this|next|coming)\s+(?:week|weekend|month|quarter|half|year|sprint)"
        r"|later\s+this\s+(?:year|month|quarter|half)|early\s+next\s+year"
        r"|midnight|noon|overnight)\b)",
    ),
    # months away / a few weeks out / several years from now (no number, but clearly not soon)
    (
        "vague",
        "weeks months years",
        r"(?P<vague>(?<!\d\s)\b(?:(?:a\s+few|several|some|many|a\s+couple\s+of|couple\s+of)\s+)?"
        r"(?P<vunit>weeks|months|years)\s+(?:away|out|off|from\s+now|left|to\s+go)\b)",
    ),
    # since 09:12 / since yesterday (ongoing)
    (
        "since",
        "since",
        r"(?P<since>\bsince\s+(?:\d{1,2}:\d\d|\d{1,2}\s*(?:am|pm)|noon|midnight|yesterday"
        r"|this\s+morning|last\s+night|the\s+\w+|[a-z]+day|\d+\s*(?:min|h)))",
    ),
)


class _Family:
    __slots__ = ("digits", "regex", "triggers")

    def __init__(self, triggers: str, pattern: str) -> None:
        words = triggers.split()
        self.digits = frozenset(w for w in words if w.startswith("#"))
        self.triggers = frozenset(w for w in words if not w.startswith("#"))
        self.regex = re.compile(pattern, re.IGNORECASE)


_COMPILED = tuple(_Family(triggers, pattern) for _, triggers, pattern in _FAMILIES)
_YEAR_TOKEN = re.compile(r"20\d\d$")
_UNIT_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:h|hr|hrs|d|w|wk|wks|m|mo|mos|min|mins|y|yr|yrs)$")
_FY_TOKEN = re.compile(r"fy\d\d$")
_ANY_TRIGGER: frozenset[str] = frozenset().union(*(f.triggers for f in _COMPILED))
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?(?:-[a-z]+)?")


_WORD_DAYS = {
    "today": 0.3,
    "tonight": 0.3,
    "tomorrow": 1.0,
    "tmrw": 1.0,
    "tmr": 1.0,
    "right now": 0.0,
    "this morning": 0.0,
    "this afternoon": 0.1,
    "this evening": 0.2,
    "eod": 0.3,
    "cob": 0.3,
    "midnight": 0.5,
    "noon": 0.3,
    "overnight": 0.5,
    "end of day": 0.3,
    "end of the day": 0.3,
    "eow": 4.0,
    "end of week": 4.0,
    "end of the week": 4.0,
    "this week": 4.0,
    "this weekend": 5.0,
    "coming week": 7.0,
    "next week": 9.0,
    "end of sprint": 10.0,
    "end of the sprint": 10.0,
    "this sprint": 10.0,
    "next sprint": 21.0,
    "coming weekend": 5.0,
    "end of month": 20.0,
    "end of the month": 20.0,
    "eom": 20.0,
    "this month": 20.0,
    "next month": 40.0,
    "coming month": 30.0,
    "later this month": 20.0,
    "this quarter": 60.0,
    "end of quarter": 60.0,
    "end of the quarter": 60.0,
    "eoq": 60.0,
    "later this quarter": 60.0,
    "next quarter": 120.0,
    "coming quarter": 120.0,
    "this half": 120.0,
    "later this half": 120.0,
    "next half": 250.0,
    "coming half": 250.0,
    "this year": 180.0,
    "end of year": 180.0,
    "end of the year": 180.0,
    "eoy": 180.0,
    "year-end": 180.0,
    "later this year": 180.0,
    "next year": 365.0,
    "coming year": 365.0,
    "early next year": 300.0,
}
_ANCHORED_WORDS = frozenset(
    {"end of month", "end of the month", "eom", "this month", "later this month", "end of year"}
)
_WS = re.compile(r"\s+")


def find_times(
    text: str,
    logged_at: datetime | None,
    tokens: Sequence[str] | None = None,
    dates: Iterable[int] | None = None,
) -> list[TimeMention]:
    """Every time expression in ``text``, resolved against ``logged_at`` when given.

    ``tokens`` (the lower-cased words of ``text``, if the caller has them) saves tokenising again;
    ``dates`` (the positions of the tokens for which :func:`may_be_date` holds, if the caller
    found them while reading the words) saves looking at every word again.
    """
    words = tokens if tokens is not None else _TOKEN_RE.findall(text.lower())
    numbers: dict[str, set[str]] = {}
    triggered: set[str] | frozenset[str]
    if dates is not None:
        triggered = {words[i] for i in dates if words[i] in _ANY_TRIGGER}
        for i in dates:
            w = words[i]
            if w[0] in _DIGITS_AND_F and (i == 0 or words[i - 1] not in _ID_PREFIXES):
                kind = _number_kind(w)
                if kind:
                    numbers.setdefault(kind, set()).add(w)
    else:
        triggered = _ANY_TRIGGER.intersection(words)
        # Numbers that may be dates: "2026-12-01", "36h", "FY27". Most items have none, which
        # one search in C tells without looking at every word.
        if _MAYBE_NUMBER.search(text) is not None:
            previous = ""
            for w in words:
                # The year inside "CVE-2026-1234" or "INC-2024-17" is part of an id, not a date.
                if w[0] in _DIGITS_AND_F and previous not in _ID_PREFIXES:
                    kind = _number_kind(w)
                    if kind:
                        numbers.setdefault(kind, set()).add(w)
                previous = w
    if not triggered and not numbers:
        return []
    today = logged_at.date() if logged_at is not None else None
    lowered = text.lower()
    spans: set[tuple[int, int]] = set()
    found: list[TimeMention] = []
    wanted: dict[int, set[str]] = {}
    for word in triggered:
        for index in _FAMILIES_OF[word]:
            wanted.setdefault(index, set()).add(word)
    for flag, found_numbers in numbers.items():
        for index in _FAMILIES_OF[flag]:
            wanted.setdefault(index, set()).update(found_numbers)
    for index in sorted(wanted):
        family = _COMPILED[index]
        anchors = wanted[index]
        # Sorted: a set's order changes between processes, and ties ("today" vs "tonight") are
        # settled by the order mentions are found in.
        for m in _anchored(family.regex, text, lowered, sorted(anchors)):
            span = m.span()
            if span in spans:
                continue
            spans.add(span)
            mention = _resolve(m, today)
            if mention is not None:
                found.append(mention)
    return found


_DIGITS_AND_F = frozenset("0123456789f")
_MAYBE_NUMBER = re.compile(r"\d")
_ID_PREFIXES = frozenset({"cve", "ghsa", "inc", "sev", "pd", "jira", "ops", "infra", "plat"})
_FAMILIES_OF: dict[str, tuple[int, ...]] = {}
for _index, _family in enumerate(_COMPILED):
    for _word in _family.triggers | _family.digits:
        _FAMILIES_OF[_word] = (*_FAMILIES_OF.get(_word, ()), _index)


def may_be_date(word: str) -> bool:
    """Whether a lower-cased word can anchor a time expression: a trigger word ("friday", "q3")
    or a number shaped like a year, a duration or a fiscal year ("2026", "36h", "fy27")."""
    return word in _ANY_TRIGGER or (word[0] in _DIGITS_AND_F and bool(_number_kind(word)))


def _squash(s: str) -> str:
    """Runs of whitespace as one space (most phrases have none to squash)."""
    if "  " in s or "\n" in s or "\t" in s:
        return _WS.sub(" ", s)
    return s


def _number_kind(word: str) -> str:
    m = _NUMBER_KIND.match(word)
    return "" if m is None else _NUMBER_KINDS[m.lastindex or 0]


# _YEAR_TOKEN, _UNIT_TOKEN and _FY_TOKEN tried in that order in one match; the group says which.
_NUMBER_KIND = re.compile(f"({_YEAR_TOKEN.pattern})|({_UNIT_TOKEN.pattern})|({_FY_TOKEN.pattern})")
_NUMBER_KINDS = ("", "#year", "#unit", "#fy")


def _anchored(
    regex: re.Pattern[str], text: str, lowered: str, words: Iterable[str]
) -> Iterator[re.Match[str]]:
    """Matches of ``regex`` that cover one of ``words``, tried only near where those words are.

    Scanning every position with a pattern that opens with optional prepositions is slow; the
    trigger word is known, so try it and the few words just before it that can lead a time
    expression ("by the end of March", "in ~6 weeks").
    """
    for word in words:
        at = lowered.find(word)
        while at >= 0:
            end = at + len(word)
            if (at == 0 or not lowered[at - 1].isalnum()) and (
                end == len(lowered) or not lowered[end].isalnum()
            ):
                starts = [at]
                q = at
                for _ in range(4):
                    space = lowered.rfind(" ", 0, q - 1)
                    first = space + 1
                    while first < q and not lowered[first].isalnum():
                        first += 1  # "(for Q3", "~6": start at the word, not the bracket
                    lead = lowered[first : q - 1]
                    if not lead or (lead not in _LEADERS and not lead[0].isdigit()):
                        break
                    starts.append(first)
                    if space < 0:
                        break
                    q = space + 1
                for start in reversed(starts):
                    m = regex.match(text, start)
                    if m is not None and m.end() > at:
                        yield m
                        break
            at = lowered.find(word, end)


# Words that can open a time expression before its trigger word.
_LEADER_WORDS = """by before until till til in on for due end the of early mid late after from
starting around next this within over about approx approx. roughly start beginning coming later a
an few couple several one two three four five six seven eight nine ten eleven twelve since during
right"""
_LEADERS = frozenset(_LEADER_WORDS.split())


def _num(raw: str) -> float:
    raw = _squash(raw.lower())
    if raw in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[raw])
    try:
        return float(raw)
    except ValueError:
        return 1.0


def _unit_days(raw: str) -> float | None:
    u = raw.lower()
    for key in ("min", "hour", "hr", "night", "day", "week", "wk", "sprint", "month", "mon"):
        if u.startswith(key):
            return _UNIT_DAYS[key]
    for key in ("quarter", "year", "yr", "mo", "h", "d", "w", "q", "y", "m"):
        if u.startswith(key):
            return _UNIT_DAYS[key]
    return None


def _resolve(m: re.Match[str], today: date | None) -> TimeMention | None:
    ev = _squash(m.group(0).strip())
    # Each family's alternatives are named groups that close last, so the last group names the
    # kind of expression without building a dict of every group.
    kind = m.lastgroup

    def g(name: str) -> str:
        return m.group(name) or ""

    if kind == "iso":
        return _absolute(ev, today, int(g("iy")), int(g("im")), int(g("id")))
    if kind == "rel":
        unit = _unit_days(g("unit"))
        if unit is None:
            return None
        days = _num(g("num")) * unit
        if g("ago"):
            return TimeMention(ev, 0.0, past=True)
        if ev.lower().startswith("for "):
            # "for 6 nights", "for 10m": how long something has been going on.
            return TimeMention(ev, 0.0, past=True)
        return TimeMention(ev, days)
    if kind == "rel2":
        unit = _unit_days(g("unit2"))
        if unit is None:
            return None
        tail = (g("tail") or "").strip().lower()
        if tail == "ago":
            return TimeMention(ev, 0.0, past=True)
        if not tail and unit >= 7:
            # A bare "40 days" / "3 weeks" is a duration or a size, not a deadline.
            return None
        if not tail and unit < 1:
            # "expires 36h" style; short either way.
            return TimeMention(ev, float(g("num2")) * unit)
        if not tail:
            return None
        return TimeMention(ev, float(g("num2")) * unit)
    if kind == "dm":
        month = _MONTHS[g("dmmonth")[:3].lower()]
        year = int(g("dmyear")) if g("dmyear") else None
        if _after_past_verb(m) and _happened(today, month, int(g("dmday")), year):
            return None  # "was released on 3 March": when it happened, not a deadline
        return _month_day(ev, today, month, int(g("dmday")), year, prep="on")
    if kind == "md":
        return _month_mention(m, ev, today)
    if kind == "wd":
        return _weekday(ev, today, g("wday").lower(), (g("wdprep") or "").lower())
    if kind == "qtr":
        return _quarter(ev, today, g("q").lower(), g("qyear"), (g("qprep") or "").lower())
    if kind == "fy":
        return TimeMention(ev, 365.0 if today is None else 300.0)
    if kind == "season":
        return _season(ev, today, g("sname").lower(), int(g("syear")) if g("syear") else None)
    if kind == "year":
        year = int(g("yval"))
        if today is not None and year == today.year:
            # "in 2026", written in 2026: by the end of it.
            return _absolute(ev, today, year, 12, 31)
        return _absolute(ev, today, year, 1, 1)
    if kind == "word":
        key = _squash(g("word").lower())
        if key == "asap":
            return None  # urgency word, not a date (tie-breaker 1)
        if key == "today" and _describes_present(m):
            return None
        known = _WORD_DAYS.get(key)
        if known is None:
            return None
        days = known
        if today is not None and key in _ANCHORED_WORDS:
            if "month" in key or key == "eom":
                nxt = (today + relativedelta(months=1)).replace(day=1)
                days = float((nxt - today).days)
            else:
                days = float((date(today.year, 12, 31) - today).days)
        return TimeMention(ev, days)
    if kind == "vague":
        return TimeMention(ev, _VAGUE_DAYS[g("vunit").lower()])
    if kind == "since":
        return TimeMention(ev, 0.0, past=True)
    return None


_VAGUE_DAYS = {"weeks": 21.0, "months": 90.0, "years": 365.0}


def _describes_present(m: re.Match[str]) -> bool:
    """ "(we keep 30 today)", "as of today": the state of things now, not a due date."""
    before = m.string[max(0, m.start() - 40) : m.start()]
    after = m.string[m.end() : m.end() + 2]
    if before.rstrip().endswith(("as of", "as at")):
        return True
    return before.rfind("(") > before.rfind(")") and after.lstrip().startswith(")")


def _absolute(ev: str, today: date | None, y: int, mo: int, d: int) -> TimeMention | None:
    try:
        target = date(y, mo, d)
    except ValueError:
        return None
    if today is None:
        return TimeMention(ev, None)
    delta = (target - today).days
    if delta < -HISTORY_DAYS:
        return None
    if delta < -1:
        return TimeMention(ev, 0.0, past=True)
    return TimeMention(ev, float(max(delta, 0)))


def _month_day(
    ev: str, today: date | None, month: int, day: int, year: int | None, prep: str
) -> TimeMention | None:
    if today is None:
        return TimeMention(ev, None)
    y = year if year is not None else today.year
    try:
        target = date(y, month, day)
    except ValueError:
        return None
    if year is None and (target - today).days < -7:
        # "Jan 1" written in November means next January.
        target = date(y + 1, month, min(day, 28) if month == 2 else day)
    delta = (target - today).days
    if delta < 0:
        since = prep in ("since", "from")
        if delta < -HISTORY_DAYS and not since:
            return None
        return TimeMention(ev, 0.0, past=since)
    return TimeMention(ev, float(delta))


_MAY_OK_PREPS = frozenset({"by", "before", "until", "till", "til", "in", "end of", "early", "mid"})


def _month_mention(m: re.Match[str], ev: str, today: date | None) -> TimeMention | None:
    raw_month = m.group("month").lower()
    prep = _squash((m.group("mprep") or "").lower())
    mday = m.group("mday")
    if raw_month == "may" and not mday and prep not in _MAY_OK_PREPS:
        return None  # the modal verb "may", not the month
    if raw_month in ("mar", "march") and not mday and not prep:
        return None  # "march" as a verb; a month here nearly always has a preposition
    if not prep and not mday:
        # A bare month word ("Sept") with no preposition: still a calendar point.
        pass
    month = _MONTHS[raw_month[:3]]
    year = int(m.group("myear")) if m.group("myear") else None
    if (
        prep in _PAST_PREPS
        and _after_past_verb(m)
        and _happened(today, month, int(mday) if mday else 1, year)
    ):
        return None  # "went EOL in June": when it happened, not a deadline
    lower = ev.lower()
    if mday:
        return _month_day(ev, today, month, int(mday), year, prep)
    if today is None:
        return TimeMention(ev, None)
    y = year if year is not None else today.year
    start = date(y, month, 1)
    end = start + relativedelta(months=1) - timedelta(days=1)
    if year is None and end < today:
        start, end = date(y + 1, month, 1), date(y + 1, month, 1) + relativedelta(months=1, days=-1)
    if prep in ("by", "before", "until", "till", "til") and "end of" not in lower:
        target = start
    elif "end of" in lower or prep in ("late", "end of"):
        target = end
    elif prep == "mid":
        target = start.replace(day=15)
    else:
        # "in March": sometime during the month; if that month is now, its end is the deadline.
        target = start if start > today else end
    delta = (target - today).days
    if (end - today).days < -HISTORY_DAYS:
        return None  # "in April 2023", written in 2026
    return TimeMention(ev, float(max(delta, 0)))


# A month named after a verb in the past tense ("went EOL in June", "was deprecated in March",
# "reached end of life on 30 April") says when something happened. Read as the next June, it
# would be a deadline months ahead; it is history (see HISTORY_DAYS), however recent, and the
# verb says what happened. Only a point in time: "was extended until March", "was moved to June"
# and "was due by May" still name what lies ahead.
_PAST_PREPS = frozenset({"", "in", "on", "early", "mid", "late", "end of"})
_PAST_WORDS = frozenset(
    {
        *("was", "were", "wasn't", "weren't", "went", "became", "broke", "began", "fell", "froze"),
        *("got", "had", "did", "didn't", "came", "hit", "ran", "left", "took", "made", "shut"),
        *("been", "ago", "last"),
    }
)
# Words that make what follows future or present: "will be retired in June", "is going to be
# removed in May", "goes EOL in April", "scheduled for June".
_NOT_PAST = frozenset(
    {
        *("will", "'ll", "shall", "would", "should", "must", "may", "might", "can", "could"),
        *("to", "be", "is", "are", "am", "being", "going", "gonna", "plan", "plans", "until"),
        *("goes", "reaches", "hits", "ends", "expires", "becomes", "retires", "starts", "begins"),
        *("scheduled", "planned", "expected", "slated", "targeted", "proposed", "intended"),
        *("supposed", "rescheduled", "postponed", "delayed", "deferred", "pushed", "moved"),
        *("extended", "needed", "required", "due", "set", "then", "when", "if", "by", "before"),
        *("get", "gets", "getting", "than"),
    }
)
_NOT_VERBS = frozenset({"embed", "hundred", "kindred", "sacred", "naked", "wicked", "red", "bed"})
_CLAUSE_ENDS = re.compile(r"[.;:!?\n(),]")


def _after_past_verb(m: re.Match[str]) -> bool:
    """Whether a verb in the past tense leads up to the time expression ``m`` in its clause,
    within six words: "went EOL in", "was deprecated in", "reached end of life on"."""
    start = m.start()
    before = m.string[max(0, start - 60) : start].lower()
    # Words as split by spaces: cheaper than tokenising, and a word with a quote or a bracket
    # stuck to it only makes the answer "no past tense", as before this reading.
    clause = _CLAUSE_ENDS.split(before)[-1]
    words = clause.split()[-6:]
    if "ed " not in clause and _PAST_WORDS.isdisjoint(words):
        return False  # most often: two checks in C say so
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w in _NOT_PAST:
            return False
        if w in _PAST_WORDS or (
            w[-2:] == "ed" and len(w) >= 5 and w[-3] != "e" and w not in _NOT_VERBS
        ):
            # "was deprecated", "has been retired": past; "is deprecated", "will be officially
            # closed", "to be retired": not.
            j = i - 1
            while j >= 0 and words[j].endswith("ly"):
                j -= 1
            return j < 0 or words[j] not in _NOT_PAST
    return False


def _happened(today: date | None, month: int, day: int, year: int | None) -> bool:
    """Whether the month (and day) can lie in the past: without a log time or a year, always; a
    year or a log time places it, and a date still ahead is no history."""
    if year is None or today is None:
        return True
    try:
        return date(year, month, max(1, min(day, 28))) <= today
    except ValueError:
        return False


def _weekday(ev: str, today: date | None, wday: str, prep: str) -> TimeMention | None:
    wd = _WEEKDAYS[wday[:3]]
    if today is None:
        return TimeMention(ev, 10.0 if prep == "next" else 4.0)
    target = today + relativedelta(weekday=wd(+1))
    if prep == "next" and (target - today).days < 3:
        target += timedelta(days=7)
    return TimeMention(ev, float((target - today).days))


def _quarter(
    ev: str, today: date | None, q: str, qyear: str | None, prep: str
) -> TimeMention | None:
    if q.startswith("h") or q.endswith("h"):
        half = int(q[1] if q.startswith("h") else q[0])
        first_month = 1 if half == 1 else 7
        months = 6
    else:
        first_month = 1 + 3 * (int(q[1]) - 1)
        months = 3
    if today is None:
        return TimeMention(ev, None)
    y = today.year
    if qyear:
        y = int(qyear) if len(qyear) == 4 else 2000 + int(qyear)
    start = date(y, first_month, 1)
    end = start + relativedelta(months=months) - timedelta(days=1)
    if not qyear and end < today:
        start, end = (
            date(y + 1, first_month, 1),
            date(y + 1, first_month, 1) + relativedelta(months=months, days=-1),
        )
    if (end - today).days < -HISTORY_DAYS:
        return None  # "Q3 2024", written in 2026
    target = start if start > today and prep not in ("end of", "late") else end
    return TimeMention(ev, float(max((target - today).days, 0)))


def _season(ev: str, today: date | None, name: str, year: int | None = None) -> TimeMention | None:
    """ "by summer": the next one that has not ended; "by spring 2026": that year's."""
    if today is None:
        return TimeMention(ev, None)
    month = _SEASON_MONTH[name]
    if year is not None:
        start = date(year, month, 1)
        if (start + relativedelta(months=3) - today).days < -HISTORY_DAYS:
            return None  # "spring 2024", written in 2026
        return TimeMention(ev, float(max((start - today).days, 0)))
    start = date(today.year, month, 1)
    if start + relativedelta(months=3) < today:
        start = date(today.year + 1, month, 1)
    return TimeMention(ev, float(max((start - today).days, 0)))
