"""The schema: one declarative class per table, all keyed by the Slack workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Workspace(Base):
    """A Slack workspace (team_id) the app serves; uninstalling stops work for it."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Team(Base):
    """An infra team: a home channel in a workspace, with its digest and phase settings."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace", "home_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    home_channel: Mapped[str] = mapped_column(String(32))
    incident_channels: Mapped[list[str]] = mapped_column(default=list)
    incident_emojis: Mapped[list[str]] = mapped_column(default=list)
    ack_mode: Mapped[str] = mapped_column(String(16), default="reaction")
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    forced_threshold: Mapped[float] = mapped_column(Float, default=0.5)
    window_weeks: Mapped[int] = mapped_column(Integer, default=4)
    created_by: Mapped[str | None] = mapped_column(String(32))
    setup_by: Mapped[str | None] = mapped_column(String(32))
    unreadable_channels: Mapped[list[str]] = mapped_column(default=list)
    """Channels we already told the team we cannot read (so we say it once)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TeamMember(Base):
    """Someone who has used infrawork for a team; lets the modal offer the right teams."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    last_seen_at: Mapped[datetime]

    __table_args__ = (Index("ix_team_members_workspace_user", "workspace", "user_id"),)


class WorkItem(Base):
    """One logged piece of work with its classification."""

    __tablename__ = "work_items"
    __table_args__ = (
        # A Slack message is logged at most once per workspace, however it was captured.
        UniqueConstraint("workspace", "channel", "message_ts"),
        # Covering for the digest's weekly counts (quadrant, workspace read from the index, not
        # the rows): 100k items in the window counted in ~10 ms instead of ~90 (bench/digest.py).
        Index("ix_work_items_team_created", "team_id", "created_at", "quadrant", "workspace"),
        Index("ix_work_items_team_quadrant_created", "team_id", "quadrant", "created_at"),
        Index("ix_work_items_workspace_user_created", "workspace", "created_by", "created_at"),
        # Never reuse the id of a deleted item: buttons on older messages (lists, App Home)
        # carry item ids, and after an undo they must find nothing rather than someone's new
        # item. PostgreSQL's sequences never reuse ids; SQLite needs AUTOINCREMENT for that.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    quadrant: Mapped[str] = mapped_column(String(24))
    confidence: Mapped[float] = mapped_column(Float)
    principles: Mapped[list[str]] = mapped_column(default=list)
    rationale: Mapped[str] = mapped_column(Text, default="")
    signals: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8), default="open")
    done_at: Mapped[datetime | None]
    classified_by: Mapped[str] = mapped_column(String(16), default="rules")
    """`rules`, `team` (the team's corrections decided) or `person` (someone picked)."""


class Correction(Base):
    """A person changed an item's quadrant: a labelled example for the team's classifier."""

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("work_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    from_quadrant: Mapped[str] = mapped_column(String(24))
    to_quadrant: Mapped[str] = mapped_column(String(24))
    corrected_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class BaselineRow(Base):
    """A team's baseline for one principle: indicator, direction, target, unit."""

    __tablename__ = "baselines"
    __table_args__ = (UniqueConstraint("team_id", "principle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    principle: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(80))
    op: Mapped[str] = mapped_column(String(2))
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Measurement(Base):
    """One measured value of a principle's indicator."""

    __tablename__ = "measurements"
    __table_args__ = (
        Index("ix_measurements_team_principle_at", "team_id", "principle", "measured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    principle: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="slash_command")
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A team's bearer token for pushing measurements; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class DigestRun(Base):
    """The claim on one team's digest for one ISO week: posted at most once."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("team_id", "week"),
        Index("ix_digests_reply_status_next", "reply_status", "reply_next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="claimed")
    """`claimed` (someone is posting), `posted`, or `failed` (will be retried)."""
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime | None]
    reply_status: Mapped[str | None] = mapped_column(String(12))
    """The thread reply under the posted message: NULL until the message is posted, then
    `claimed` (someone is replying), `posted`, `failed` (will be retried) or `gave_up`."""
    reply_claimed_by: Mapped[str | None] = mapped_column(String(64))
    reply_claimed_at: Mapped[datetime | None]
    reply_attempts: Mapped[int] = mapped_column(Integer, default=0)
    reply_next_attempt_at: Mapped[datetime | None]
    reply_ts: Mapped[str | None] = mapped_column(String(32))
    reply_error: Mapped[str | None] = mapped_column(Text)


# Bolt's OAuth installation and state stores live in the same database, under the same migrations.
slack_installations = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
slack_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)

TOKEN_COLUMN_LENGTH = 512
"""Token columns are wider than the library's 200 characters: a Fernet-encrypted rotating token
(TOKEN_ENCRYPTION_KEY) is about 4/3 of its plaintext plus 80 characters."""
for _table in (slack_installations, slack_bots):
    for _column in _table.c:
        if _column.name.endswith("_token"):
            _column.type = String(TOKEN_COLUMN_LENGTH)
