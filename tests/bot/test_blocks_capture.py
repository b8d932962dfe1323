"""Pure builders and parsers of the capture surfaces: modals, list pages, App Home, arguments."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.blocks.home import TeamPanel, build_home
from bot.blocks.items import build_list_page, item_line, page_value, read_page_value
from bot.blocks.modals import (
    AddModalMeta,
    SetupForm,
    SetupValues,
    TeamChoice,
    build_add_modal,
    build_already_logged,
    build_setup_modal,
    read_add_form,
    read_setup_form,
)
from bot.services.items import BadListArguments, ListQuery
from bot.services.reactions import Reaction, message_text
from bot.services.setup import SetupRejected, parse_emojis, validate
from core.classify import classify
from core.model import Principle, Quadrant

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def fake_item(n: int, text: str = "patch the thing", **kw: object) -> SimpleNamespace:
    values = {
        "id": n,
        "text": text,
        "quadrant": "forced_short",
        "principles": ["security"],
        "permalink": None,
        "status": "open",
        "created_at": NOW,
    }
    values.update(kw)
    return SimpleNamespace(**values)


def test_add_modal_prefilled_with_a_proposal_and_teams():
    proposal = classify("Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday")
    meta = AddModalMeta(channel="C1", message_ts="1.2", permalink="https://x/p12", team_id=2)
    view = build_add_modal(
        meta,
        text="x" * 5000,
        proposal=proposal,
        teams=[TeamChoice(1, "#a"), TeamChoice(2, "#b")],
    ).to_dict()
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert len(blocks["add_text"]["element"]["initial_value"]) == 3000
    assert "looks like Forced · short-term" in json.dumps(view, ensure_ascii=False)
    assert blocks["add_team"]["element"]["initial_option"]["value"] == "2"
    assert [o["value"] for o in blocks["add_principles"]["element"]["initial_options"]] == [
        "security"
    ]
    assert AddModalMeta.load(view["private_metadata"]) == meta


@pytest.mark.parametrize("raw", [None, "", "not json", "[1]", '{"bogus": 1}'])
def test_add_modal_meta_survives_garbage(raw):
    assert AddModalMeta.load(raw) == AddModalMeta()


def test_add_form_reads_back_what_the_modal_submits():
    values = {
        "add_text": {"value": {"value": "write the runbook"}},
        "add_quadrant": {"value": {"selected_option": {"value": "forced_long"}}},
        "add_principles": {
            "value": {"selected_options": [{"value": "reliability"}, {"value": "nonsense"}]}
        },
        "add_team": {"value": {"selected_option": {"value": "7"}}},
    }
    form = read_add_form(values)
    assert form.text == "write the runbook"
    assert form.quadrant is Quadrant.FORCED_LONG
    assert form.principles == (Principle.RELIABILITY,)
    assert form.team_id == 7
    auto = read_add_form({"add_quadrant": {"value": {"selected_option": {"value": "auto"}}}})
    assert auto.quadrant is None and auto.text == "" and auto.team_id is None


def test_already_logged_notice_keeps_the_pending_values():
    view = build_already_logged(
        item_id=3, label="Forced · short-term", permalink=None, pending={"text": "y" * 4000}
    ).to_dict()
    assert len(view["private_metadata"]) <= 3000
    [button] = view["blocks"][1]["elements"]
    assert button["action_id"] == "update_existing_item" and button["value"] == "3"


def test_setup_modal_round_trip():
    current = SetupValues(
        name="#platform",
        home_channel="C1",
        incident_channels=("C2",),
        incident_emojis=("fire",),
        timezone="Europe/Berlin",
    )
    view = build_setup_modal(5, current).to_dict()
    assert json.loads(view["private_metadata"]) == {"team_id": 5}
    assert len(view["blocks"]) <= 100
    values = {}
    for block in view["blocks"]:
        element = block.get("element")
        if element is None:
            continue
        state = {
            "plain_text_input": {"value": element.get("initial_value")},
            "conversations_select": {"selected_conversation": element.get("initial_conversation")},
            "multi_conversations_select": {
                "selected_conversations": element.get("initial_conversations")
            },
            "static_select": {"selected_option": element.get("initial_option")},
            "timepicker": {"selected_time": element.get("initial_time")},
            "number_input": {"value": element.get("initial_value")},
        }[element["type"]]
        values[block["block_id"]] = {"value": state}
    settings = validate(read_setup_form(values))
    assert settings.name == "#platform" and settings.incident_channels == ["C2"]
    assert settings.incident_emojis == ["fire"] and settings.timezone == "Europe/Berlin"
    assert (settings.digest_weekday, settings.digest_time) == (0, "09:00")
    assert (settings.forced_threshold, settings.window_weeks) == (0.5, 4)


@pytest.mark.parametrize(
    "text,expected",
    [
        (":fire: :sos:", ["fire", "sos"]),
        ("fire,sos , fire", ["fire", "sos"]),
        (":thumbsup::skin-tone-2:", ["thumbsup"]),
        ("  ", []),
        (":Rotating_Light:", ["rotating_light"]),
    ],
)
def test_parse_emojis(text, expected):
    assert parse_emojis(text) == expected


def test_setup_validation_names_each_bad_field():
    form = SetupForm(
        name="x" * 81,
        home_channel="D123",
        incident_channels=tuple(f"C{n}" for n in range(21)),
        incident_emojis="fire",
        ack_mode="shout",
        digest_weekday="7",
        digest_time="9am",
        timezone="Nowhere/Special",
        forced_percent="fifty",
        window_weeks="27",
    )
    with pytest.raises(SetupRejected) as rejected:
        validate(form)
    assert set(rejected.value.errors) == {
        "setup_name",
        "setup_home",
        "setup_incident_channels",
        "setup_ack",
        "setup_weekday",
        "setup_time",
        "setup_timezone",
        "setup_threshold",
        "setup_window",
    }


@pytest.mark.parametrize(
    "args,expected",
    [
        ("", ListQuery()),
        ("forced_short", ListQuery(quadrant=Quadrant.FORCED_SHORT)),
        ("DL --weeks 3", ListQuery(quadrant=Quadrant.DISCRETIONARY_LONG, weeks=3)),
        ("--week 2026-w47", ListQuery(week="2026-W47")),
        ("--weeks=12 forced-long", ListQuery(quadrant=Quadrant.FORCED_LONG, weeks=12)),
    ],
)
def test_list_arguments(args, expected):
    assert ListQuery.parse(args) == expected


@pytest.mark.parametrize(
    "args",
    ["--weeks", "--weeks 0", "--weeks 53", "--week 2026-W54", "--week", "fs fl", "hello", "--x"],
)
def test_bad_list_arguments(args):
    with pytest.raises(BadListArguments):
        ListQuery.parse(args)


def test_list_page_stays_within_block_kit_limits_and_escapes():
    long = "<!channel> & " + "y" * 5000
    page = [fake_item(n, long, permalink="https://x.slack.com/p|1>") for n in range(10)]
    blocks = [
        b.to_dict()
        for b in build_list_page(
            team_name="#a&b",
            description="all items",
            items=page,
            total=25,
            offset=10,
            previous_value=page_value(team_id=1, quadrant=None, week=None, weeks=None, offset=0),
            next_value=page_value(
                team_id=1, quadrant="forced_short", week=None, weeks=2, offset=20
            ),
        )
    ]
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    rendered = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in rendered and "&lt;!channel&gt;" in rendered
    assert "#a&amp;b" in rendered and "11–20 of 25" in rendered
    buttons = blocks[-2]["elements"]
    assert [read_page_value(b["value"]).get("o") for b in buttons] == [0, 20]
    assert read_page_value("garbage") == {} and read_page_value('{"t": "1"}') == {}


def test_item_line_marks_done_items():
    line = item_line(fake_item(4, status="done", quadrant="discretionary_long"))
    assert line.startswith("`#4` · *Discr. · long*") and line.endswith("✔ done")


def test_home_for_many_teams_stays_small():
    panels = [
        TeamPanel(
            team_id=n,
            name=f"#team{n}",
            home_channel=f"C{n}",
            week_label="week 48 (Nov 23–29)",
            mix={"forced_short": 3, "discretionary_long": 1},
            recent=[fake_item(m, "z" * 400) for m in range(5)],
        )
        for n in range(5)
    ]
    view = build_home(panels, total_teams=9).to_dict()
    assert len(view["blocks"]) <= 100
    rendered = json.dumps(view, ensure_ascii=False)
    assert "Forced · short *3* (75%)" in rendered
    assert "5 most recently used teams of 9" in rendered


@pytest.mark.parametrize(
    "message,expected",
    [
        ({"text": "db &lt;primary&gt; is down <@U1|ann>"}, "db <primary> is down @ann"),
        (
            {"text": "", "attachments": [{"fallback": "PagerDuty: disk full"}]},
            "PagerDuty: disk full",
        ),
        ({"text": " ", "files": [{"title": "grafana.png"}]}, "grafana.png"),
        ({}, ""),
    ],
)
def test_message_text(message, expected):
    assert message_text(message) == expected


def test_reaction_parsing():
    body = {"team_id": "T1"}
    event = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "fire::skin-tone-3",
        "item": {"type": "message", "channel": "C1", "ts": "1.2"},
    }
    reaction = Reaction.from_event(body, event)
    assert reaction is not None and reaction.emoji == "fire" and reaction.workspace == "T1"
    assert Reaction.from_event(body, {**event, "item": {"type": "file", "file": "F1"}}) is None
    assert Reaction.from_event({}, event) is None


def _confirmation_via_models(
    item_id, team_name, text, quadrant, principles, why, ask_to_pick, decided_by_person, headline
):
    """The confirmation built with slack_sdk's block models (how it was built before)."""
    from slack_sdk.models.blocks import (
        ActionsBlock,
        ButtonElement,
        ContextBlock,
        MarkdownTextObject,
        Option,
        SectionBlock,
        StaticSelectElement,
    )

    from bot.blocks.capture import controls_block_id, serves_phrase
    from bot.ids import Action
    from bot.text.slack_text import escape_mrkdwn, truncate

    summary = (
        f"{headline} {escape_mrkdwn(team_name)} as *{quadrant.label}*{serves_phrase(principles)}"
        f"\n>{escape_mrkdwn(truncate(text, 280))}"
    )
    blocks = [SectionBlock(block_id=f"item:{item_id}", text=summary)]
    if decided_by_person:
        reason = "you picked this quadrant"
    elif why:
        reason = " · ".join(escape_mrkdwn(w) for w in why)
    else:
        reason = "no strong signal in the text"
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=truncate(f"why: {reason}", 2000))])
    )
    undo = ButtonElement(text="Undo", action_id=Action.UNDO, value=str(item_id))
    if ask_to_pick:
        blocks.append(SectionBlock(text="I'm not sure about this one. Which is it?"))
        elements = [
            ButtonElement(
                text=q.label,
                action_id=f"{Action.PICK_QUADRANT}:{q.value}",
                value=q.value,
                style="primary" if q is quadrant else None,
            )
            for q in Quadrant
        ]
    else:
        options = [Option(value=q.value, label=q.label) for q in Quadrant]
        elements = [
            StaticSelectElement(
                action_id=Action.CHANGE_QUADRANT,
                placeholder="Change quadrant",
                options=options,
                initial_option=next(o for o in options if o.value == quadrant.value),
            )
        ]
    blocks.append(ActionsBlock(block_id=controls_block_id(item_id), elements=[*elements, undo]))
    return [b.to_dict() for b in blocks]


@pytest.mark.parametrize("quadrant", list(Quadrant))
@pytest.mark.parametrize(
    ("ask_to_pick", "decided_by_person", "why", "headline"),
    [
        (False, False, ["deadline *Friday*", "CVE <x>"], "✅ Logged for"),
        (True, False, [], "✅ Logged for"),
        (False, True, ["ignored"], "✅ Updated for"),
        (True, False, ["w" * 3000], "✅ Logged for"),
    ],
)
def test_confirmation_dicts_equal_the_slack_sdk_models(
    quadrant, ask_to_pick, decided_by_person, why, headline
):
    from bot.blocks.capture import build_confirmation

    args = {
        "item_id": 42,
        "team_name": "#plat_form <&>",
        "text": "Patch *OpenSSL* <!here> & " + "x" * 400,
        "quadrant": quadrant,
        "principles": ["security", "resilience"],
        "why": why,
        "ask_to_pick": ask_to_pick,
        "decided_by_person": decided_by_person,
        "headline": headline,
    }
    built = build_confirmation(**args)
    assert json.loads(json.dumps(built)) == _confirmation_via_models(**args)
    # The shared static parts are not changed by building another confirmation.
    again = build_confirmation(**{**args, "item_id": 7})
    assert json.loads(json.dumps(built)) == _confirmation_via_models(**args)
    assert again[-1]["block_id"] == "controls:7"


def test_plain_text_drops_every_control_character_but_newline_and_tab():
    from bot.text.slack_text import _CONTROL, plain_from_slack

    every = "".join(map(chr, range(0x2100)))
    kept = plain_from_slack(f"x{every}x")
    assert not set(kept) & _CONTROL
    assert "\n" in kept and "\t" not in kept  # tabs are spaces once runs of blanks collapse
    assert len(_CONTROL) == 31 and "\x7f" in _CONTROL
