"""The labelled-examples model: what it learns, how it scores, how classify() uses it."""

from __future__ import annotations

import math
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from core.classify import classify
from core.model import LOW_CONFIDENCE, CaptureContext, Quadrant
from core.precedent import RULES_WEIGHT, SHIPPED, Precedent, data_digest, features, load, train
from core.signals import read

FS, FL, DS, DL = tuple(Quadrant)
ROOT = Path(__file__).resolve().parents[2]


def _toy() -> Precedent:
    """A model that has seen "zorblax" only in long-term chosen work."""
    examples = [
        ("zorblax for the metrics store", DL),
        ("native zorblax in the queue", DL),
        ("zorblax for tenants", DL),
        ("fix the typo in the runbook", DS),
        ("typo in alert text", DS),
        ("disk full on db-3", FS),
        ("etcd 3.4 end of life migration", FL),
    ]
    return train([(read(t)[1], q) for t, q in examples])


def _reference_scores(model: Precedent, tokens: list[str]) -> list[float]:
    """The model's per-quadrant scores the slow way, from the features and stored weights."""
    scores = list(model._bias)
    for f in features(tokens):
        w = model._weights.get(f)
        if w is not None:
            for k in range(4):
                scores[k] += w[k]
    return scores


def test_features_drop_stopwords_and_numbers_and_keep_repeats() -> None:
    tokens = ["upgrade", "the", "etcd", "etcd", "to", "3", "5", "before", "eol", "500s"]
    assert features(tokens) == ["upgrade", "etcd", "etcd", "eol"]


def test_training_learns_words_and_is_deterministic() -> None:
    a, b = _toy(), _toy()
    assert a.to_json() == b.to_json()
    probs = a.probs(read("zorblax")[1])
    assert max(range(4), key=probs.__getitem__) == 3  # discretionary_long
    assert a.size == 7


@pytest.mark.parametrize(
    "text",
    [
        "Sharding support",
        "fix typo in the sharding docs before Friday",
        "the the the",
        "",
        "Upgrade etcd to 3.5 before EOL",
    ],
)
@pytest.mark.parametrize(
    "rules",
    [
        (0.25, 0.25, 0.25, 0.25),
        (0.7, 0.1, 0.1, 0.1),
        (0.05, 0.05, 0.45, 0.45),
        (0.0, 1.0, 0.0, 0.0),  # certainty rounds to 0.0 and 1.0: no log(0)
    ],
)
def test_shares_are_the_tempered_rules_belief_times_the_examples(
    text: str, rules: tuple[float, float, float, float]
) -> None:
    model = SHIPPED
    assert model is not None
    tokens = read(text)[1]
    e = [math.exp(s) for s in _reference_scores(model, tokens)]
    belief = [max(r, 1e-9) ** RULES_WEIGHT for r in rules]
    product = [x * y for x, y in zip(e, belief, strict=True)]
    expected = [p / sum(product) for p in product]
    got = model.shares(tokens, rules)
    assert got == pytest.approx(expected, rel=1e-9)
    best, share = model.decide(tokens, rules)
    assert best == max(range(4), key=expected.__getitem__)
    assert share == pytest.approx(round(expected[best], 4), abs=1e-4)


def test_a_horizon_the_rules_are_sure_of_survives_the_examples() -> None:
    # The rules are unsure whether fixing quiet renewal failures is forced, but sure "by Friday"
    # is short-term; the examples, which know "renewals" from long-term work, only weigh in on
    # the first question.
    c = classify("cert renewals fail quietly, fix by Friday")
    assert not c.quadrant.long_term


def test_json_round_trip_keeps_the_model(tmp_path: Path) -> None:
    model = _toy()
    path = tmp_path / "m.json"
    path.write_text(model.to_json(), encoding="utf-8")
    again = load(path)
    assert again is not None
    assert again.to_json() == model.to_json()
    tokens = read("zorblax support")[1]
    assert again.probs(tokens) == pytest.approx(model.probs(tokens), abs=1e-3)
    assert load(tmp_path / "missing.json") is None


def test_the_shipped_model_is_trained_on_the_data_in_the_repo() -> None:
    # Retraining is bench/train_precedent.py --check (run by bench/run-all); here the cheap half:
    # the shipped file names the data it came from, so changing the data without retraining fails.
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from train_precedent import examples
    finally:
        sys.path.remove(str(ROOT / "bench"))
    items = examples()
    assert SHIPPED is not None
    assert SHIPPED.size == len(items)
    assert SHIPPED.data_sha256 == data_digest(f"{t}\t{q.value}" for t, q, _ in items)


def test_the_shipped_model_never_saw_the_dev_set() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from train_precedent import MEASURED, TUNED
    finally:
        sys.path.remove(str(ROOT / "bench"))
    names = (*TUNED, *MEASURED)
    assert not any("dev" in name or "sealed8" in name for name in names)


def test_examples_decide_an_item_the_rules_are_unsure_of_and_say_why() -> None:
    toy = _toy()
    alone = classify("Zorblax please", precedent=None)
    assert alone.low_confidence  # no cue: the rules have little to go on
    c = classify("Zorblax please", precedent=toy)
    assert c.quadrant is DL
    lead = c.signals[0]
    assert lead.evidence == "zorblax"
    assert lead.meaning == "like 3 labelled examples of this kind of work"
    assert lead.effect == DL.label
    assert "zorblax" in c.rationale()
    assert not c.team_decided


def test_examples_never_touch_an_item_the_rules_are_sure_of() -> None:
    # A model that files everything with "cve" as discretionary long-term work cannot move a
    # confident rules answer: it is only asked below LOW_CONFIDENCE.
    contrary = train([(read(t)[1], DL) for t in ["cve in openssl", "cve patch", "cve scanner"]])
    sure = classify("CVE-2024-3094 in xz is being exploited, patch now", precedent=None)
    assert sure.confidence >= LOW_CONFIDENCE
    assert classify("CVE-2024-3094 in xz is being exploited, patch now", precedent=contrary) == sure


def test_examples_are_not_asked_in_an_incident_context() -> None:
    toy = _toy()
    ctx = CaptureContext(incident_channel=True)
    assert classify("sharding slow", context=ctx, precedent=toy) == classify(
        "sharding slow", context=ctx, precedent=None
    )


def test_a_teams_corrections_still_overrule_the_examples() -> None:
    from core.learning import Correction, TeamModel

    team = TeamModel.from_corrections([Correction(f"zorblax work {i}", FL) for i in range(5)])
    c = classify("Zorblax please", precedent=_toy(), team=team)
    assert c.quadrant is FL
    assert c.team_decided
    assert "your team filed" in c.signals[0].meaning


def test_the_examples_confidence_is_their_share_through_its_calibration_map() -> None:
    from core.classify import calibrated_share

    grid = [calibrated_share(i / 1000) for i in range(1001)]
    assert all(0.0 <= a <= b <= 1.0 for a, b in pairwise(grid))
    toy = _toy()
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from train_precedent import raw_shares
    finally:
        sys.path.remove(str(ROOT / "bench"))
    with raw_shares():
        share = classify("Zorblax please", precedent=toy).confidence
    assert classify("Zorblax please", precedent=toy).confidence == pytest.approx(
        calibrated_share(share), abs=2e-4
    )
