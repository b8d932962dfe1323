"""`/infrawork token`: the team's bearer token for `POST /api/v1/measurements` (shown once)."""

from __future__ import annotations

from bot.verbs import VerbRequest, verb

API_PATH = "/api/v1/measurements"


@verb(
    "token",
    "token",
    "create (or rotate) the team's token for pushing measurements",
    order=80,
)
async def token(req: VerbRequest) -> None:
    created = await req.services.baselines.create_token(req.actor)
    rotated = " The previous token no longer works." if created.revoked else ""
    text = (
        f"🔑 Measurement token for {created.team.name} — shown only this once, so copy it now:\n"
        f"```{created.token}```\n"
        f"Push measurements with `POST {API_PATH}`, header `Authorization: Bearer <token>`, "
        'body `{"principle": "reliability", "value": 99.95}` (optional `measured_at`, '
        f"ISO-8601 with offset).{rotated}"
    )
    await req.ack(response_type="ephemeral", text=text)
