"""The add modal, its "already logged" notice and the setup modal: pure builders and readers.

Every input's action_id is :data:`bot.ids.INPUT_ACTION`; inputs are told apart by block_id, so a
submitted view's state reads back as ``values[block_id]["value"]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    ConversationSelectElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.ids import COMMAND, INPUT_ACTION, AckMode, Action, Callback
from bot.ids import Block as BlockId
from bot.text.slack_text import escape_mrkdwn, truncate
from core.model import Classification, Principle, Quadrant

AUTO = "auto"
"""The quadrant option that lets infrawork decide."""
TEXT_MAX = 3000
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ACK_LABELS = {
    AckMode.REACTION: "React ✅ on the message",
    AckMode.THREAD: "Reply in the message's thread",
    AckMode.SILENT: "Stay silent",
}


@dataclass(frozen=True, slots=True)
class AddModalMeta:
    """What the add modal carries between opening and submission (``private_metadata``)."""

    channel: str | None = None
    channel_name: str | None = None
    message_ts: str | None = None
    permalink: str | None = None
    team_id: int | None = None
    item_id: int | None = None
    """Set when the message is already logged: submitting updates that item."""
    from_home: bool | None = None
    """Opened from the App Home tab, which is published again after the submission."""

    def dump(self) -> str:
        data = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str | None) -> AddModalMeta:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return cls(**{k: data.get(k) for k in cls.__slots__})


@dataclass(frozen=True, slots=True)
class TeamChoice:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AddForm:
    """A submitted add modal, read back (not yet validated)."""

    text: str
    quadrant: Quadrant | None
    principles: tuple[Principle, ...]
    team_id: int | None


def quadrant_choices(proposal: Quadrant | None = None) -> list[Option]:
    auto = "Let infrawork decide"
    if proposal is not None:
        auto += f" (looks like {proposal.label})"
    return [Option(value=AUTO, label=truncate(auto, 75))] + [
        Option(value=q.value, label=q.label) for q in Quadrant
    ]


def principle_options() -> list[Option]:
    return [Option(value=p.value, label=p.value.capitalize()) for p in Principle]


def build_add_modal(
    meta: AddModalMeta,
    *,
    text: str = "",
    proposal: Classification | None = None,
    teams: Sequence[TeamChoice] = (),
    existing_label: str | None = None,
) -> View:
    """The add modal. ``teams`` with more than one entry adds a team picker.

    With a ``proposal`` (the shortcut's prefilled message) the quadrant offers "let infrawork
    decide" naming the proposed quadrant, and the proposed principles are preselected. With
    ``existing_label`` the message is already logged and submitting updates that item.
    """
    blocks: list[Block] = []
    if existing_label:
        blocks.append(
            SectionBlock(
                text=f"ℹ️ This message is already logged: {existing_label}. "
                "Submitting updates that item instead of logging it twice."
            )
        )
    blocks.append(
        InputBlock(
            block_id=BlockId.ADD_TEXT,
            label="What did you work on?",
            element=PlainTextInputElement(
                action_id=INPUT_ACTION,
                multiline=True,
                max_length=TEXT_MAX,
                initial_value=truncate(text, TEXT_MAX) if text else None,
                placeholder="Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday",
            ),
        )
    )
    if proposal is not None:
        why = " · ".join(s.explain() for s in proposal.signals[:3]) or "no strong signal"
        blocks.append(
            ContextBlock(
                block_id=BlockId.ADD_PROPOSAL,
                elements=[
                    MarkdownTextObject(
                        text=truncate(
                            f"Proposed: *{proposal.quadrant.label}* — why: {escape_mrkdwn(why)}",
                            1900,
                        )
                    )
                ],
            )
        )
    choices = quadrant_choices(proposal.quadrant if proposal is not None else None)
    blocks.append(
        InputBlock(
            block_id=BlockId.ADD_QUADRANT,
            label="Quadrant",
            optional=True,
            element=StaticSelectElement(
                action_id=INPUT_ACTION,
                placeholder="Let infrawork decide",
                options=choices,
                initial_option=choices[0],
            ),
        )
    )
    options = principle_options()
    preselected = [o for o in options if proposal and o.value in proposal.principles]
    blocks.append(
        InputBlock(
            block_id=BlockId.ADD_PRINCIPLES,
            label="Serves",
            optional=True,
            hint="Leave empty and infrawork picks from the text.",
            element=StaticMultiSelectElement(
                action_id=INPUT_ACTION,
                placeholder="Principles",
                options=options,
                initial_options=preselected or None,
            ),
        )
    )
    if len(teams) > 1:
        team_options = [Option(value=str(t.id), label=truncate(t.name, 75)) for t in teams[:100]]
        initial = next(
            (o for o in team_options if meta.team_id is not None and o.value == str(meta.team_id)),
            team_options[0],
        )
        blocks.append(
            InputBlock(
                block_id=BlockId.ADD_TEAM,
                label="Team",
                element=StaticSelectElement(
                    action_id=INPUT_ACTION, options=team_options, initial_option=initial
                ),
            )
        )
    return View(
        type="modal",
        callback_id=Callback.ADD_MODAL,
        title="Log infra work",
        submit="Update" if existing_label else "Log it",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def read_add_form(values: dict[str, Any]) -> AddForm:
    """The add modal's submitted state (``view.state.values``)."""
    text = str(_value(values, BlockId.ADD_TEXT).get("value") or "")
    raw_quadrant = str(
        (_value(values, BlockId.ADD_QUADRANT).get("selected_option") or {}).get("value")
    )
    quadrant = Quadrant(raw_quadrant) if raw_quadrant in Quadrant._value2member_map_ else None
    selected = _value(values, BlockId.ADD_PRINCIPLES).get("selected_options") or []
    principles = tuple(
        Principle(o["value"]) for o in selected if o.get("value") in Principle._value2member_map_
    )
    raw_team = (_value(values, BlockId.ADD_TEAM).get("selected_option") or {}).get("value")
    team_id = int(raw_team) if raw_team and str(raw_team).isdigit() else None
    return AddForm(text=text, quadrant=quadrant, principles=principles, team_id=team_id)


def build_already_logged(
    *, item_id: int, label: str, permalink: str | None, pending: dict[str, Any]
) -> View:
    """What a second submission of an already logged message sees: the item, and an offer.

    ``pending`` (the submitted text/quadrant/principles) rides in private_metadata so the
    "Update it" button can apply it.
    """
    where = f" (<{permalink}|the message>)" if permalink else ""
    return View(
        type="modal",
        callback_id=Callback.ALREADY_LOGGED,
        title="Already logged",
        close="Keep it as is",
        private_metadata=truncate(json.dumps(pending, separators=(",", ":")), 3000),
        blocks=[
            SectionBlock(
                text=f"This message{where} is already logged as item #{item_id}: {label}. "
                "I didn't log it twice."
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Update it with what I entered",
                        action_id=Action.UPDATE_EXISTING,
                        value=str(item_id),
                        style="primary",
                    )
                ]
            ),
        ],
    )


def build_notice_modal(title: str, text: str) -> View:
    """A modal with one paragraph (a result, or why the modal can't do its job here)."""
    return View(
        type="modal",
        title=truncate(title, 24),
        close="Close",
        blocks=[SectionBlock(text=truncate(text, 3000))],
    )


# -- setup ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetupValues:
    """The team settings the setup modal shows and edits."""

    name: str
    home_channel: str
    incident_channels: tuple[str, ...] = ()
    incident_emojis: tuple[str, ...] = ()
    ack_mode: str = AckMode.REACTION.value
    digest_weekday: int = 0
    digest_time: str = "09:00"
    timezone: str = "UTC"
    forced_percent: int = 50
    window_weeks: int = 4


@dataclass(frozen=True, slots=True)
class SetupForm:
    """A submitted setup modal, raw (validation happens in the setup service)."""

    name: str
    home_channel: str | None
    incident_channels: tuple[str, ...]
    incident_emojis: str
    ack_mode: str | None
    digest_weekday: str | None
    digest_time: str | None
    timezone: str
    forced_percent: str | None
    window_weeks: str | None


def build_setup_modal(team_id: int, current: SetupValues) -> View:
    ack_options = [Option(value=m.value, label=label) for m, label in ACK_LABELS.items()]
    weekday_options = [Option(value=str(i), label=d) for i, d in enumerate(WEEKDAYS)]
    channels_only = ConversationFilter(include=["public", "private"], exclude_bot_users=True)
    blocks: list[Block] = [
        InputBlock(
            block_id=BlockId.SETUP_NAME,
            label="Team name",
            element=PlainTextInputElement(
                action_id=INPUT_ACTION, initial_value=current.name, max_length=80
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_HOME,
            label="Home channel (gets the weekly digest)",
            element=ConversationSelectElement(
                action_id=INPUT_ACTION,
                initial_conversation=current.home_channel,
                filter=channels_only,
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_INCIDENT_CHANNELS,
            label="Incident channels",
            optional=True,
            hint="An incident emoji on a message there (or in the home channel) logs it as "
            "forced work. Invite @infrawork to each so it can read them.",
            element=ConversationMultiSelectElement(
                action_id=INPUT_ACTION,
                initial_conversations=list(current.incident_channels) or None,
                filter=channels_only,
                max_selected_items=20,
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_EMOJIS,
            label="Incident emojis",
            hint="Emoji names separated by spaces or commas, e.g. :rotating_light: :fire: :sos:",
            element=PlainTextInputElement(
                action_id=INPUT_ACTION,
                initial_value=" ".join(f":{e}:" for e in current.incident_emojis),
                max_length=500,
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_ACK,
            label="When an emoji logs a message",
            element=StaticSelectElement(
                action_id=INPUT_ACTION,
                options=ack_options,
                initial_option=next(
                    (o for o in ack_options if o.value == current.ack_mode), ack_options[0]
                ),
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_WEEKDAY,
            label="Digest day",
            element=StaticSelectElement(
                action_id=INPUT_ACTION,
                options=weekday_options,
                initial_option=weekday_options[current.digest_weekday % 7],
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_TIME,
            label="Digest time",
            element=TimePickerElement(action_id=INPUT_ACTION, initial_time=current.digest_time),
        ),
        InputBlock(
            block_id=BlockId.SETUP_TIMEZONE,
            label="Timezone",
            hint="An IANA name such as Europe/Berlin or America/New_York.",
            element=PlainTextInputElement(
                action_id=INPUT_ACTION, initial_value=current.timezone, max_length=64
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_THRESHOLD,
            label="Firefighting line: forced share (%)",
            hint="At or above this share of forced work over the window, the team is "
            "firefighting (Google SRE draws the line at 50%).",
            element=NumberInputElement(
                action_id=INPUT_ACTION,
                is_decimal_allowed=False,
                initial_value=str(current.forced_percent),
                min_value="1",
                max_value="99",
            ),
        ),
        InputBlock(
            block_id=BlockId.SETUP_WINDOW,
            label="Window (weeks)",
            element=NumberInputElement(
                action_id=INPUT_ACTION,
                is_decimal_allowed=False,
                initial_value=str(current.window_weeks),
                min_value="1",
                max_value="26",
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Machines can push baseline measurements too: get a team API token "
                    f"with `{COMMAND} token`."
                )
            ]
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.SETUP_MODAL,
        title="Team setup",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"team_id": team_id}),
        blocks=blocks,
    )


def read_setup_form(values: dict[str, Any]) -> SetupForm:
    def plain(block: str) -> str:
        return str(_value(values, block).get("value") or "").strip()

    def option(block: str) -> str | None:
        selected = _value(values, block).get("selected_option") or {}
        return selected.get("value")

    return SetupForm(
        name=plain(BlockId.SETUP_NAME),
        home_channel=_value(values, BlockId.SETUP_HOME).get("selected_conversation"),
        incident_channels=tuple(
            _value(values, BlockId.SETUP_INCIDENT_CHANNELS).get("selected_conversations") or ()
        ),
        incident_emojis=plain(BlockId.SETUP_EMOJIS),
        ack_mode=option(BlockId.SETUP_ACK),
        digest_weekday=option(BlockId.SETUP_WEEKDAY),
        digest_time=_value(values, BlockId.SETUP_TIME).get("selected_time"),
        timezone=plain(BlockId.SETUP_TIMEZONE),
        forced_percent=plain(BlockId.SETUP_THRESHOLD) or None,
        window_weeks=plain(BlockId.SETUP_WINDOW) or None,
    )


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(INPUT_ACTION) or {}
