"""`POST /api/v1/measurements`: machines push principle measurements with a team's bearer token.

Body: ``{"principle": "reliability", "value": 99.95, "measured_at": "2026-11-20T10:00:00+01:00"}``
or a batch ``{"measurements": [ … ]}``. ``value`` is a number in the baseline's unit, or a string
with a unit (``"280ms"``, ``"0.3s"``, ``"99.95%"``). ``measured_at`` is ISO-8601 with an offset;
it defaults to now. All entries are stored, or none.

Answers: 201 with what was stored and each principle's status; 401 for a missing, unknown or
revoked token; 422 with the reasons for a body that cannot be stored (including a principle
without a baseline: the baseline defines the value's unit, so such a value could not be read).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
)

from bot.services.baselines import (
    MAX_BATCH,
    BaselineService,
    MeasurementRejected,
    PushedMeasurement,
    StoredMeasurement,
)
from core.baselines import format_value
from core.model import Principle

log = logging.getLogger(__name__)

MEASUREMENTS_PATH = "/api/v1/measurements"
MAX_BODY_BYTES = 64 * 1024


class MeasurementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principle: Principle
    value: StrictInt | StrictFloat | Annotated[str, Field(min_length=1, max_length=32)]
    measured_at: AwareDatetime | None = None


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measurements: list[MeasurementIn] = Field(min_length=1, max_length=MAX_BATCH)


def parse_body(data: Any) -> list[MeasurementIn]:
    """One measurement or a batch; raises ``ValidationError`` with the reasons."""
    if isinstance(data, dict) and "measurements" in data:
        return BatchIn.model_validate(data).measurements
    return [MeasurementIn.model_validate(data)]


def _problem(status: int, error: str, reasons: list[str] | None = None) -> web.Response:
    body: dict[str, Any] = {"error": error}
    if reasons:
        body["reasons"] = reasons
    headers = {"WWW-Authenticate": 'Bearer realm="infrawork"'} if status == 401 else None
    return web.json_response(body, status=status, headers=headers)


def _reasons(error: ValidationError) -> list[str]:
    reasons = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item.get("loc", ()))
        message = str(item.get("msg", "invalid"))
        reasons.append(f"{where}: {message}" if where else message)
    return reasons[:20]


def _stored(m: StoredMeasurement) -> dict[str, Any]:
    return {
        "principle": m.principle.value,
        "value": m.value,
        "unit": m.unit,
        "display": format_value(m.value, m.unit),
        "measured_at": m.measured_at.isoformat(),
        "status": m.status.kind.value,
    }


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def measurements_handler(
    baselines: BaselineService,
) -> Any:
    """The aiohttp handler for :data:`MEASUREMENTS_PATH`."""

    async def post_measurements(request: web.Request) -> web.Response:
        token = bearer_token(request)
        team = await baselines.team_for_token(token) if token else None
        if team is None:
            return _problem(401, "missing, unknown or revoked token")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")
        raw = await request.read()
        if len(raw) > MAX_BODY_BYTES:
            return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")
        try:
            data = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            return _problem(422, "the body is not JSON")
        try:
            body = parse_body(data)
        except ValidationError as error:
            return _problem(422, "invalid measurement", _reasons(error))
        entries = [
            PushedMeasurement(
                principle=m.principle,
                value=float(m.value) if not isinstance(m.value, str) else m.value,
                measured_at=m.measured_at if isinstance(m.measured_at, datetime) else None,
            )
            for m in body
        ]
        try:
            stored = await baselines.push(team, entries)
        except MeasurementRejected as rejected:
            return _problem(422, "nothing was stored", rejected.reasons)
        log.info("stored %s measurement(s) for team %s", len(stored), team.id)
        return web.json_response(
            {
                "stored": len(stored),
                "team": team.name,
                "measurements": [_stored(m) for m in stored],
            },
            status=201,
        )

    return post_measurements
