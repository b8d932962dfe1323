"""Principle baselines: set one, record a measurement, list where each stands, and the team's
bearer token for machines that push measurements."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.ids import COMMAND
from bot.services.context import Actor
from bot.services.errors import InvalidInput
from bot.services.teams import team_for
from core.baselines import (
    MEASUREMENT_EXAMPLE,
    Baseline,
    BaselineStatus,
    BaselineSyntaxError,
    Op,
    baseline_status,
    format_number,
    parse_baseline,
    parse_measurement,
)
from core.model import Principle
from core.schedule import IsoWeek
from storage.tables import BaselineRow, Team
from storage.uow import Database

TOKEN_PREFIX = "iwk_"
MAX_ABS_VALUE = 1e12
"""Measurements beyond this are typos or garbage, not an indicator's value."""
MAX_FUTURE = timedelta(minutes=5)
"""Clock skew we tolerate on a pushed ``measured_at``."""
MAX_PAST = timedelta(days=366)
MAX_BATCH = 100

SET_EXAMPLE = f"{COMMAND} baseline set reliability availability >= 99.9%"
RECORD_EXAMPLE = f"{COMMAND} baseline record reliability {MEASUREMENT_EXAMPLE}"


def to_baseline(row: BaselineRow) -> Baseline:
    """The domain baseline for a stored row."""
    return Baseline(Principle(row.principle), row.indicator, Op(row.op), row.target, row.unit)


def hash_token(token: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _syntax(error: BaselineSyntaxError, command: str) -> InvalidInput:
    return InvalidInput(f"{error.problem} Write it like `{command} {error.example}`.")


@dataclass(frozen=True, slots=True)
class BaselineSet:
    team: Team
    baseline: Baseline
    previous: Baseline | None


@dataclass(frozen=True, slots=True)
class Recorded:
    team: Team
    status: BaselineStatus


@dataclass(frozen=True, slots=True)
class Overview:
    team: Team
    week: IsoWeek
    statuses: tuple[BaselineStatus, ...]
    """One per principle, in principle order (unknown with no baseline)."""


@dataclass(frozen=True, slots=True)
class NewToken:
    team: Team
    token: str
    revoked: int


@dataclass(frozen=True, slots=True)
class PushedMeasurement:
    """One measurement from the API, not yet checked against the team's baselines."""

    principle: Principle
    value: float | str
    measured_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredMeasurement:
    principle: Principle
    value: float
    unit: str
    measured_at: datetime
    status: BaselineStatus


class MeasurementRejected(Exception):
    """A pushed batch that cannot be stored; ``reasons`` say which entry and why."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


class BaselineService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def set(self, actor: Actor, text: str) -> BaselineSet:
        """Set (or replace) the team's baseline from ``<principle> <indicator> <op> <target>``."""
        try:
            baseline = parse_baseline(text)
        except BaselineSyntaxError as error:
            raise _syntax(error, f"{COMMAND} baseline set") from None
        now = self.clock.now()
        async with self.db.uow() as uow:
            team = await team_for(uow, actor, self.clock)
            _, previous = await uow.baselines.put(
                workspace=team.workspace,
                team_id=team.id,
                principle=baseline.principle.value,
                indicator=baseline.indicator,
                op=baseline.op.value,
                target=baseline.target,
                unit=baseline.unit,
                user_id=actor.user_id,
                now=now,
            )
            await uow.commit()
        return BaselineSet(team, baseline, to_baseline(previous) if previous else None)

    async def record(self, actor: Actor, text: str) -> Recorded:
        """Record ``<principle> <value>`` against the team's baseline for that principle."""
        words = (text or "").split(None, 1)
        if len(words) < 2:
            raise InvalidInput(
                f"A measurement needs a principle and a value. Write it like `{RECORD_EXAMPLE}`."
            )
        principle = _principle(words[0], RECORD_EXAMPLE)
        now = self.clock.now()
        async with self.db.uow() as uow:
            team = await team_for(uow, actor, self.clock)
            row = await uow.baselines.get(team.workspace, team.id, principle.value)
            if row is None:
                raise InvalidInput(
                    f"{team.name} has no baseline for {principle.value} yet, so I can't tell "
                    f"what a value means. Set one first, like `{COMMAND} baseline set "
                    f"{_example_baseline(principle)}`."
                )
            baseline = to_baseline(row)
            try:
                value = parse_measurement(words[1], baseline)
            except BaselineSyntaxError as error:
                raise _syntax(error, f"{COMMAND} baseline record {principle.value}") from None
            try:
                _check_value(value)
            except InvalidInput as error:
                example = format_number(baseline.target) + baseline.unit
                raise InvalidInput(
                    f"{error} Write it like `{COMMAND} baseline record {principle.value} "
                    f"{example}`."
                ) from None
            await uow.measurements.add_many(
                [
                    {
                        "workspace": team.workspace,
                        "team_id": team.id,
                        "principle": principle.value,
                        "value": value,
                        "measured_at": now,
                        "source": "slash_command",
                        "created_by": actor.user_id,
                        "created_at": now,
                    }
                ]
            )
            await uow.commit()
        return Recorded(team, baseline_status(baseline, value))

    async def overview(self, actor: Actor) -> Overview:
        """Each principle's baseline and its latest measurement this week (team's timezone)."""
        async with self.db.uow() as uow:
            team = await team_for(uow, actor, self.clock)
            week = IsoWeek.containing(self.clock.now(), _zone(team))
            since, until = week.bounds(_zone(team))
            rows = {
                r.principle: to_baseline(r)
                for r in await uow.baselines.for_team(team.workspace, team.id)
            }
            latest = await uow.measurements.latest(team.workspace, team.id, since, until)
            await uow.commit()
        statuses = tuple(
            baseline_status(
                rows.get(p.value),
                latest[p.value].value if p.value in latest else None,
                principle=p,
            )
            for p in Principle
        )
        return Overview(team, week, statuses)

    async def create_token(self, actor: Actor) -> NewToken:
        """A new measurement token for the team; any older one stops working."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.db.uow() as uow:
            team = await team_for(uow, actor, self.clock)
            revoked = await uow.api_tokens.rotate(
                workspace=team.workspace,
                team_id=team.id,
                token_hash=hash_token(token),
                user_id=actor.user_id,
                now=now,
            )
            await uow.commit()
        return NewToken(team, token, revoked)

    async def team_for_token(self, token: str) -> Team | None:
        if not token:
            return None
        async with self.db.read() as uow:
            return await uow.api_tokens.team_for(hash_token(token))

    async def push(self, team: Team, entries: list[PushedMeasurement]) -> list[StoredMeasurement]:
        """Store pushed measurements for ``team``: every one valid, or none stored.

        A principle needs a baseline first: the baseline defines the value's unit, so a value
        without one could not be read (and would be misread once a baseline is set).
        """
        if not entries:
            raise MeasurementRejected(["no measurements given"])
        if len(entries) > MAX_BATCH:
            raise MeasurementRejected([f"at most {MAX_BATCH} measurements per request"])
        now = self.clock.now()
        async with self.db.uow() as uow:
            baselines = {
                r.principle: to_baseline(r)
                for r in await uow.baselines.for_team(team.workspace, team.id)
            }
            reasons: list[str] = []
            stored: list[StoredMeasurement] = []
            for index, entry in enumerate(entries):
                where = f"measurements[{index}]" if len(entries) > 1 else "measurement"
                baseline = baselines.get(entry.principle.value)
                if baseline is None:
                    reasons.append(
                        f"{where}: no baseline for {entry.principle.value} yet; set one in Slack "
                        f"with `{COMMAND} baseline set {_example_baseline(entry.principle)}`"
                    )
                    continue
                try:
                    value = _read_value(entry.value, baseline)
                    _check_value(value)
                except (BaselineSyntaxError, InvalidInput) as error:
                    problem = error.problem if isinstance(error, BaselineSyntaxError) else error
                    reasons.append(f"{where}: {problem}")
                    continue
                measured_at = entry.measured_at or now
                if measured_at > now + MAX_FUTURE:
                    reasons.append(f"{where}: measured_at is in the future")
                    continue
                if measured_at < now - MAX_PAST:
                    reasons.append(f"{where}: measured_at is more than a year ago")
                    continue
                stored.append(
                    StoredMeasurement(
                        entry.principle,
                        value,
                        baseline.unit,
                        measured_at,
                        baseline_status(baseline, value),
                    )
                )
            if reasons:
                raise MeasurementRejected(reasons)
            await uow.measurements.add_many(
                [
                    {
                        "workspace": team.workspace,
                        "team_id": team.id,
                        "principle": m.principle.value,
                        "value": m.value,
                        "measured_at": m.measured_at,
                        "source": "api",
                        "created_by": None,
                        "created_at": now,
                    }
                    for m in stored
                ]
            )
            await uow.commit()
        return stored


def _zone(team: Team) -> str:
    from core.schedule import to_zone

    try:
        to_zone(team.timezone or "UTC")
    except ValueError:
        return "UTC"
    return team.timezone or "UTC"


def _principle(word: str, example: str) -> Principle:
    try:
        return Principle(word.lower())
    except ValueError:
        names = ", ".join(p.value for p in Principle)
        raise InvalidInput(
            f"`{word[:40]}` isn't a principle; use one of {names}. Write it like `{example}`."
        ) from None


def _read_value(value: float | str, baseline: Baseline) -> float:
    if isinstance(value, str):
        return parse_measurement(value, baseline)
    return float(value)


def _check_value(value: float) -> None:
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        raise InvalidInput(
            f"{format_number(value)} is out of range for a measurement "
            f"(at most {MAX_ABS_VALUE:,.0f} either way)."
        )


_EXAMPLES = {
    Principle.SECURITY: "security open-critical-cves <= 0",
    Principle.RELIABILITY: "reliability availability >= 99.9%",
    Principle.USABILITY: "usability deploy-success-rate >= 95%",
    Principle.EFFICIENCY: "efficiency cost-per-request <= 0.02",
    Principle.LATENCY: "latency checkout-p99 <= 300ms",
}


def _example_baseline(principle: Principle) -> str:
    return _EXAMPLES[principle]
