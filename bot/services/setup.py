"""Team setup: what the setup modal shows, and validating and saving what it submits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from bot.blocks.modals import SetupForm, SetupValues
from bot.clock import Clock
from bot.ids import CAPTURED_REACTION, DEFAULT_INCIDENT_EMOJIS, AckMode, Block
from bot.services.context import Actor
from bot.services.errors import NotFound, UserFacingError
from bot.services.teams import TEAM_NAME_MAX, TeamDirectory, team_for
from core.schedule import to_zone
from storage.tables import Team
from storage.uow import Database

DEFAULT_DIGEST_TIME = "09:00"
MAX_EMOJIS = 20
MAX_INCIDENT_CHANNELS = 20
_EMOJI = re.compile(r"^[a-z0-9_+\-']{1,100}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SetupRejected(UserFacingError):
    """The setup modal's input has errors: ``errors`` maps block ids to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """A validated setup form."""

    name: str
    home_channel: str
    incident_channels: list[str]
    incident_emojis: list[str]
    ack_mode: str
    digest_weekday: int
    digest_time: str
    timezone: str
    forced_threshold: float
    window_weeks: int


def parse_emojis(text: str) -> list[str]:
    """``":fire: sos, rotating_light"`` → ["fire", "sos", "rotating_light"], each once."""
    names: list[str] = []
    for raw in re.split(r"[\s,]+", text.strip()):
        name = raw.strip().strip(":").split("::", 1)[0].lower()
        if name and name not in names:
            names.append(name)
    return names


def validate(form: SetupForm) -> TeamSettings:
    """The settings in ``form``, or SetupRejected naming each field that is wrong and why."""
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors[Block.SETUP_NAME] = "Give the team a name."
    elif len(name) > TEAM_NAME_MAX:
        errors[Block.SETUP_NAME] = f"At most {TEAM_NAME_MAX} characters."
    if not form.home_channel:
        errors[Block.SETUP_HOME] = "Pick the channel the digest goes to."
    elif form.home_channel.startswith(("D", "U", "W")):
        errors[Block.SETUP_HOME] = "Pick a channel, not a person or a direct message."
    if len(form.incident_channels) > MAX_INCIDENT_CHANNELS:
        errors[Block.SETUP_INCIDENT_CHANNELS] = f"At most {MAX_INCIDENT_CHANNELS} channels."
    emojis = parse_emojis(form.incident_emojis)
    bad = [e for e in emojis if not _EMOJI.match(e)]
    if bad:
        errors[Block.SETUP_EMOJIS] = (
            f"`{bad[0][:30]}` is not an emoji name; write them like :fire:."
        )
    elif not emojis:
        errors[Block.SETUP_EMOJIS] = "Name at least one emoji, e.g. :rotating_light:."
    elif len(emojis) > MAX_EMOJIS:
        errors[Block.SETUP_EMOJIS] = f"At most {MAX_EMOJIS} emojis."
    elif CAPTURED_REACTION in emojis:
        errors[Block.SETUP_EMOJIS] = (
            f":{CAPTURED_REACTION}: is how infrawork marks a logged message; pick another."
        )
    if form.ack_mode not in AckMode._value2member_map_:
        errors[Block.SETUP_ACK] = "Pick how a logged message is acknowledged."
    weekday = form.digest_weekday
    if weekday is None or not weekday.isdigit() or not 0 <= int(weekday) <= 6:
        errors[Block.SETUP_WEEKDAY] = "Pick a day."
    if not form.digest_time or not _TIME.match(form.digest_time):
        errors[Block.SETUP_TIME] = "Pick a time, like 09:00."
    timezone = form.timezone.strip()
    try:
        to_zone(timezone)
    except ValueError:
        errors[Block.SETUP_TIMEZONE] = (
            f"`{timezone[:40]}` is not a timezone I know; use a name like Europe/Berlin."
        )
    percent = _integer(form.forced_percent)
    if percent is None or not 1 <= percent <= 99:
        errors[Block.SETUP_THRESHOLD] = "A whole percentage from 1 to 99."
    window = _integer(form.window_weeks)
    if window is None or not 1 <= window <= 26:
        errors[Block.SETUP_WINDOW] = "A whole number of weeks from 1 to 26."
    if errors:
        raise SetupRejected(errors)
    assert form.home_channel and form.ack_mode and weekday and form.digest_time
    assert percent is not None and window is not None
    incident = [c for c in dict.fromkeys(form.incident_channels) if c != form.home_channel]
    return TeamSettings(
        name=name,
        home_channel=form.home_channel,
        incident_channels=incident,
        incident_emojis=emojis,
        ack_mode=form.ack_mode,
        digest_weekday=int(weekday),
        digest_time=form.digest_time,
        timezone=timezone,
        forced_threshold=percent / 100,
        window_weeks=window,
    )


def _integer(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"-?\d{1,6}", raw) else None


class SetupService:
    def __init__(self, db: Database, clock: Clock, teams: TeamDirectory | None = None) -> None:
        self.db = db
        self.clock = clock
        self.teams = teams

    async def current(
        self, actor: Actor, *, team_id: int | None = None, user_timezone: str | None = None
    ) -> tuple[Team, SetupValues]:
        """The team to set up (by id, else the channel's, created on first use) and its values.

        A team never set up before proposes the person's Slack timezone, Monday 09:00.
        """
        async with self.db.uow() as uow:
            if team_id is not None:
                team = await uow.teams.get(actor.workspace, team_id)
                if team is None:
                    raise NotFound("That team no longer exists here.")
            else:
                team = await team_for(uow, actor, self.clock)
            await uow.commit()
        timezone = team.timezone or "UTC"
        if team.setup_by is None and user_timezone:
            try:
                to_zone(user_timezone)
                timezone = user_timezone
            except ValueError:
                pass
        values = SetupValues(
            name=team.name,
            home_channel=team.home_channel,
            incident_channels=tuple(team.incident_channels or ()),
            incident_emojis=tuple(team.incident_emojis or DEFAULT_INCIDENT_EMOJIS),
            ack_mode=team.ack_mode or AckMode.REACTION.value,
            digest_weekday=team.digest_weekday if team.setup_by else 0,
            digest_time=team.digest_time or DEFAULT_DIGEST_TIME,
            timezone=timezone,
            forced_percent=round((team.forced_threshold or 0.5) * 100),
            window_weeks=team.window_weeks or 4,
        )
        return team, values

    async def save(self, actor: Actor, team_id: int, form: SetupForm) -> Team:
        """Validate and store the team's settings; SetupRejected says what to fix."""
        settings = validate(form)
        now = self.clock.now()
        taken = SetupRejected(
            {Block.SETUP_HOME: "That channel is already another team's home; pick another."}
        )
        try:
            async with self.db.uow() as uow:
                team = await uow.teams.get(actor.workspace, team_id)
                if team is None:
                    raise NotFound("That team no longer exists here.")
                other = await uow.teams.by_home_channel(actor.workspace, settings.home_channel)
                if other is not None and other.id != team.id:
                    raise taken
                team.name = settings.name
                team.home_channel = settings.home_channel
                team.incident_channels = settings.incident_channels
                team.incident_emojis = settings.incident_emojis
                team.ack_mode = settings.ack_mode
                team.digest_weekday = settings.digest_weekday
                team.digest_time = settings.digest_time
                team.timezone = settings.timezone
                team.forced_threshold = settings.forced_threshold
                team.window_weeks = settings.window_weeks
                team.setup_by = actor.user_id
                team.updated_at = now
                await uow.commit()
        except IntegrityError:
            # Another team took the home channel between our check and our commit.
            raise taken from None
        if self.teams is not None:
            self.teams.forget_all()  # channels, incident channels, ack mode may have changed
        return team
