"""A team's corrections change how similar items are classified, and the reason says so."""

from __future__ import annotations

from core.classify import classify
from core.learning import Correction, TeamModel, features
from core.model import Quadrant

VAULT_WORK = [
    "add a retry to the vault agent sidecar",
    "vault audit device logs should go to loki",
    "document how to unseal vault by hand",
    "bump the vault helm chart",
]


def _team(texts: list[str], quadrant: Quadrant) -> TeamModel:
    return TeamModel.from_corrections(Correction(t, quadrant) for t in texts)


def test_empty_model_changes_nothing() -> None:
    empty = TeamModel.from_corrections([])
    for text in ["add a timeout to the vault client", "prod is down", "SOC2 audit in Q3", "misc"]:
        assert classify(text, team=empty) == classify(text)


def test_unrelated_corrections_change_nothing() -> None:
    team = _team(VAULT_WORK, Quadrant.FORCED_LONG)
    text = "fix the typo in the kafka README"
    assert classify(text, team=team) == classify(text)


def test_corrections_move_similar_items() -> None:
    text = "add a metrics endpoint to the vault agent"
    assert classify(text).quadrant is Quadrant.DISCRETIONARY_SHORT
    team = _team(VAULT_WORK, Quadrant.FORCED_LONG)
    assert classify(text, team=team).quadrant is Quadrant.FORCED_LONG


def test_team_decided_is_set_only_when_the_corrections_decide() -> None:
    team = _team(VAULT_WORK, Quadrant.FORCED_LONG)
    assert classify("add a metrics endpoint to the vault agent", team=team).team_decided
    assert not classify("add a metrics endpoint to the vault agent").team_decided
    assert not classify("fix the typo in the kafka README", team=team).team_decided


def test_the_reason_names_the_teams_corrections() -> None:
    team = _team(VAULT_WORK, Quadrant.FORCED_LONG)
    c = classify("add a metrics endpoint to the vault agent", team=team)
    first = c.signals[0]
    assert first.evidence == "vault"
    assert first.meaning == "your team filed \u2018vault\u2019 work as Forced · long-term 4 times"
    assert "your team filed" in c.rationale()


def test_influence_grows_with_the_number_of_corrections() -> None:
    text = "add a metrics endpoint to the vault agent"
    one = _team(VAULT_WORK[:1], Quadrant.FORCED_LONG)
    many = _team(VAULT_WORK, Quadrant.FORCED_LONG)
    assert one.influence < many.influence
    vote_one = one.vote(text)
    vote_many = many.vote(text)
    assert vote_one is not None and vote_many is not None
    assert vote_many.scores[Quadrant.FORCED_LONG] > vote_one.scores[Quadrant.FORCED_LONG]


def test_a_single_correction_does_not_override_strong_evidence() -> None:
    team = _team(["prod vault is down"], Quadrant.DISCRETIONARY_LONG)
    c = classify("prod vault is down, every service failing secret fetch since 09:12", team=team)
    assert c.quadrant is Quadrant.FORCED_SHORT


def test_mixed_corrections_cancel_out() -> None:
    team = TeamModel.from_corrections(
        [Correction("vault thing one", q) for q in Quadrant]
        + [Correction("vault thing two", q) for q in Quadrant]
    )
    text = "add a metrics endpoint to the vault agent"
    assert classify(text, team=team).quadrant is classify(text).quadrant


def test_features_are_words_and_pairs_without_stopwords() -> None:
    assert features("Bump the Vault chart") == [
        "bump",
        "vault",
        "chart",
        "bump vault",
        "vault chart",
    ]


def test_building_from_hundreds_of_corrections_is_cheap() -> None:
    quadrants = list(Quadrant)
    many = [Correction(f"item {i} about system{i % 37}", quadrants[i % 4]) for i in range(500)]
    model = TeamModel.from_corrections(many)
    assert model.size == 500
    assert model.vote("something about system3") is not None
