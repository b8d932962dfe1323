"""Every identifier Slack sees from infrawork, in one place: command, callbacks, actions, emojis."""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/infrawork"

DEFAULT_INCIDENT_EMOJIS: tuple[str, ...] = ("rotating_light", "fire", "sos")
CAPTURED_REACTION = "white_check_mark"
"""The bot's own reaction that acknowledges a captured message (ack mode `reaction`)."""


class Callback(StrEnum):
    """callback_id of shortcuts and views."""

    LOG_INFRA_WORK = "log_infra_work"
    ADD_MODAL = "infrawork_add"
    SETUP_MODAL = "infrawork_setup"
    ALREADY_LOGGED = "infrawork_already_logged"
    """The notice a second submission of the same message gets, offering to update the item."""


class Action(StrEnum):
    """action_id of interactive elements."""

    CHANGE_QUADRANT = "change_quadrant"
    PICK_QUADRANT = "pick_quadrant"
    """One of the four buttons offered when the classifier is unsure (value: item id:quadrant)."""
    UNDO = "undo_item"
    OPEN_ADD = "open_add_modal"
    OPEN_SETUP = "open_setup_modal"
    UPDATE_EXISTING = "update_existing_item"
    LIST_PAGE = "list_page"


class Block(StrEnum):
    """block_id of inputs and sections we read back."""

    ITEM = "item"
    CONTROLS = "controls"
    ADD_TEXT = "add_text"
    ADD_QUADRANT = "add_quadrant"
    ADD_PRINCIPLES = "add_principles"
    ADD_TEAM = "add_team"
    ADD_PROPOSAL = "add_proposal"
    """Context line of the add modal: what infrawork proposes for the prefilled text."""
    SETUP_NAME = "setup_name"
    SETUP_HOME = "setup_home"
    SETUP_INCIDENT_CHANNELS = "setup_incident_channels"
    SETUP_EMOJIS = "setup_emojis"
    SETUP_ACK = "setup_ack"
    SETUP_WEEKDAY = "setup_weekday"
    SETUP_TIME = "setup_time"
    SETUP_TIMEZONE = "setup_timezone"
    SETUP_THRESHOLD = "setup_threshold"
    SETUP_WINDOW = "setup_window"
    LIST_NAV = "list_nav"
    HOME_TEAM = "home_team"
    """Prefix of a team's actions block on App Home (``home_team:<id>``)."""


INPUT_ACTION = "value"
"""action_id of every modal input element; inputs are told apart by their block_id."""


class AckMode(StrEnum):
    """How a reaction capture is acknowledged in the channel."""

    REACTION = "reaction"
    THREAD = "thread"
    SILENT = "silent"
