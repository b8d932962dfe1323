"""The classifier against the labelling rubric: quadrants, hard pairs, signals, confidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.classify import CLASSIFIER_VERSION, classify
from core.model import LOW_CONFIDENCE, Axis, CaptureContext, Principle, Quadrant, Source

FS, FL = Quadrant.FORCED_SHORT, Quadrant.FORCED_LONG
DS, DL = Quadrant.DISCRETIONARY_SHORT, Quadrant.DISCRETIONARY_LONG


# Several phrasings per quadrant: terse tracker titles, chatty Slack lines, alert text.
QUADRANT_CASES = [
    (FS, "ugh prod-db-3 disk at 97% again 🙃"),
    (FS, "[FIRING:2] KubeNodeNotReady ip-10-0-3-17 (prod)"),
    (FS, "checkout is down for everyone since 14:05, rolling back the deploy"),
    (FS, "Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday"),
    (FS, "the api cert expired an hour ago and mobile clients can't connect"),
    (FS, "someone committed the stripe secret key to a public repo, rotate it now"),
    (FS, "kafka consumer lag is 3M and climbing, orders are hours behind"),
    (FL, "Upgrade etcd to 3.5 before EOL"),
    (FL, "SOC 2 type II audit window opens in Q3: collect change-management evidence"),
    (FL, "Ubuntu 20.04 standard support ends in April, rebuild the base AMIs on 24.04"),
    (FL, "Docker Hub contract renewal in 8 months, decide whether to self-host a registry"),
    (FL, "forecast says we outgrow the redis cluster before the holiday peak"),
    (FL, "AWS is deprecating gp2 in our region, move the volumes to gp3 this half"),
    (DS, "add --dry-run to the cleanup script"),
    (DS, "typo in the runbook: it's kubectl, not kubctl"),
    (DS, "bump the healthcheck timeout from 2s to 5s"),
    (DS, "grafana: add a p99 panel to the ingress board"),
    (DS, "better error message when the deploy token is missing"),
    (DS, "delete the unattached EBS volumes in the sandbox account"),
    (DL, "build a self-service platform for provisioning databases"),
    (DL, "replace the nightly batch export with CDC streaming"),
    (DL, "break the monolith's billing module out into its own service"),
    (DL, "adopt GitOps with ArgoCD for every cluster"),
    (DL, "multi-region active-active for the checkout path"),
]


@pytest.mark.parametrize(("expected", "text"), QUADRANT_CASES)
def test_quadrant(expected: Quadrant, text: str) -> None:
    assert classify(text).quadrant is expected


# Hard pairs: the same verb, a different driver.
HARD_PAIRS = [
    ("migrate the orders db to postgres 16 before EOL in March", FL),
    ("migrate the event ingestion to a streaming pipeline", DL),
    ("URGENT: can we get dark mode on the deploy dashboard?", DS),
    ("urgent pls: the deploy button colour is confusing", DS),
    ("URGENT (for Q3 planning): node 18 EOL, bump every lambda runtime", FL),
    ("rewrite the terraform stacks, the pinned provider stops working against the API in Q2", FL),
    ("rewrite the deploy tool in Go so it stops being a bash maze", DL),
    ("migrate the on-call runbook from the wiki into the repo", DS),
    ("from last week's outage: bump the dns updater retries from 1 to 3", DS),
    ("postmortem action item: remove the single point of failure in the auth path", DL),
    (
        "we keep getting paged for disk full, build auto-expanding volumes so that page goes away",
        DL,
    ),
    ("automate cert issuance everywhere so expiries stop being incidents", DL),
    ("the wildcard cert expires tomorrow", FS),
    ("the SAML signing cert rolls over in 6 months, every SP needs new metadata", FL),
    ("print a deprecation warning when someone sets legacy_subnets", DS),
    ("provider turns off the v1 webhook API at midnight tonight, switch our integration", FS),
]


@pytest.mark.parametrize(("text", "expected"), HARD_PAIRS)
def test_hard_pairs(text: str, expected: Quadrant) -> None:
    assert classify(text).quadrant is expected


def test_loose_urgency_is_not_evidence() -> None:
    plain = classify("make the deploy dashboard legend readable")
    shouted = classify("URGENT!!! P0 ASAP critical: make the deploy dashboard legend readable")
    assert plain.quadrant is shouted.quadrant is DS


# Each signal family, with the axis it should push and words it should name.
SIGNAL_CASES = [
    ("patch CVE-2025-0001 in nginx", "CVE", Axis.FORCED),
    ("the vpn auth bypass is actively exploited", "auth bypass", Axis.FORCED),
    ("aws key leaked in a gist", "leaked", Axis.FORCED),
    ("postgres 12 EOL", "EOL", Axis.FORCED),
    ("PCI DSS assessment next year", "PCI DSS", Axis.FORCED),
    ("the PagerDuty contract is up for renewal", "contract", Axis.FORCED),
    ("sev1: payments 503ing", "sev1", Axis.FORCED),
    ("ci runners all stuck in queued", "stuck", Axis.FORCED),
    ("postmortem action item: add an alert for replica lag", "postmortem", Axis.DISCRETIONARY),
    ("nice to have: colour the prod context red", "nice to have", Axis.DISCRETIONARY),
    ("cert renewals fail quietly, fix by Friday", "by Friday", Axis.SHORT),
    ("move off the colo before the lease ends in ~9 months", "in ~9 months", Axis.LONG),
    ("self-service postgres for every team", "self-service", Axis.LONG),
    ("fix the typo in the README", "typo", Axis.SHORT),
]


@pytest.mark.parametrize(("text", "evidence", "effect"), SIGNAL_CASES)
def test_signal_names_its_evidence(text: str, evidence: str, effect: Axis) -> None:
    signals = classify(text).signals
    assert any(s.evidence == evidence and s.effect == effect for s in signals), [
        s.explain() for s in signals
    ]


def test_the_design_example_explains_itself() -> None:
    c = classify("Patch OpenSSL CVE-2026-1234 on all edge hosts by Friday")
    assert c.quadrant is FS
    assert c.principles[0] is Principle.SECURITY
    why = c.rationale()
    assert "\u201cCVE\u201d \u2192 security exposure \u2192 forced" in why
    assert "\u201cby Friday\u201d \u2192 due within a week \u2192 short-term" in why


def test_deciding_signals_are_few_ordered_and_exclude_principles() -> None:
    c = classify("sev2: api 503s since 09:12, the TLS cert expired and pods are crashlooping")
    deciding = [s for s in c.signals if s.effect not in {p.value for p in Principle}]
    assert 1 <= len(deciding) <= 4
    weights = [s.weight for s in deciding]
    assert weights == sorted(weights, reverse=True)
    principle_signals = [s for s in c.signals if s.effect in {p.value for p in Principle}]
    assert principle_signals
    for s in principle_signals:
        assert s.explain() not in c.rationale()


PRINCIPLE_CASES = [
    ("rotate the leaked api token", Principle.SECURITY),
    ("add a replica so the db survives an AZ outage", Principle.RELIABILITY),
    ("write a runbook and better docs for onboarding", Principle.USABILITY),
    ("cut the S3 storage cost by deleting old snapshots", Principle.EFFICIENCY),
    ("p99 latency on search is too slow", Principle.LATENCY),
]


@pytest.mark.parametrize(("text", "principle"), PRINCIPLE_CASES)
def test_principles_are_tagged_with_their_own_signal(text: str, principle: Principle) -> None:
    c = classify(text)
    assert principle in c.principles
    assert any(s.effect == principle.value for s in c.signals)


def test_principles_are_ordered_by_strength_and_stable() -> None:
    text = "leaked TLS private key on the public bucket; the outage page is also slow"
    first = classify(text).principles
    assert first[0] is Principle.SECURITY
    assert all(classify(text).principles == first for _ in range(3))


def test_no_principle_when_the_text_names_none() -> None:
    assert classify("misc").principles == ()


@pytest.mark.parametrize("text", ["look into the thing", "misc", "stuff for bob", "", "   ", "?"])
def test_vague_text_has_low_confidence(text: str) -> None:
    c = classify(text)
    assert c.confidence < LOW_CONFIDENCE
    assert c.low_confidence


@pytest.mark.parametrize(
    "text",
    [
        "INC-4471 sev1: EU customers getting 503s from the edge LB since 09:12 UTC",
        "add a 5s connect timeout to the healthcheck script",
        "python 3.8 EOL - bump the 40 services still on it this half",
    ],
)
def test_clear_text_has_high_confidence(text: str) -> None:
    assert classify(text).confidence >= 0.7


def test_confidence_is_a_probability() -> None:
    for _, text in QUADRANT_CASES:
        assert 0.0 <= classify(text).confidence <= 1.0


def test_incident_reaction_forces_the_item() -> None:
    text = "can someone look at the grafana legend colours"
    assert classify(text).quadrant is DS
    ctx = CaptureContext(source=Source.REACTION, incident_reaction=True)
    c = classify(text, context=ctx)
    assert c.quadrant is FS
    assert any(s.evidence == "incident reaction" and s.effect == Axis.FORCED for s in c.signals)


def test_incident_reaction_keeps_a_long_horizon_the_text_states() -> None:
    ctx = CaptureContext(source=Source.REACTION, incident_reaction=True)
    text = "plan the datacenter exit before the lease ends in 10 months"
    assert classify(text, context=ctx).quadrant is FL


# An incident reaction means it is being handled now: forced AND short-term, whatever the words
# would otherwise say about the horizon, unless the text itself names a far deadline.
INCIDENT_REACTION_CASES = [
    ("rewrite the billing service", FS),
    ("postgres 11 EOL, upgrade everything", FS),
    ("SOC2 audit evidence collection", FS),
    ("forecast: redis runs out of memory at current growth", FS),
    ("add a retry to the dns updater", FS),
    ("node 18 EOL next quarter", FL),
    ("the SAML signing cert rotates in 6 months, update the SP metadata", FL),
    ("move off vsphere, the renewal is months away", FL),
    ("migrate off the vendor before the contract ends in Q3", FL),
]


@pytest.mark.parametrize(("text", "expected"), INCIDENT_REACTION_CASES)
def test_incident_reaction_is_short_term_unless_a_far_deadline_is_stated(
    text: str, expected: Quadrant
) -> None:
    ctx = CaptureContext(source=Source.REACTION, incident_reaction=True)
    c = classify(text, context=ctx)
    assert c.quadrant is expected
    assert c.signals[0].evidence == "incident reaction"


# "drop" is a deprecation only when what is dropped is support, an API or a version or named
# feature; a present-progressive failure description is breakage happening now.
DROP_CASES = [
    ("the load balancer is dropping connections", FS),
    ("the edge router is dropping packets", FS),
    ("envoy is dropping requests under load", FS),
    ("pods dropping out of the pool every few minutes", FS),
    ("haproxy drops TLS connections since the reload", FS),
    ("kafka is dropping 30% of messages", FS),
    ("k8s 1.25 drops PodSecurityPolicy, rewrite our policies as kyverno", FL),
    ("terraform drops python 3.8, bump the CI images", FL),
    ("the provider drops support for the v1 API next year", FL),
    ("istio 1.22 dropped the v1alpha3 API, convert our manifests", FL),
    ("drop the log level on the ingress from debug to info", DS),
]


@pytest.mark.parametrize(("text", "expected"), DROP_CASES)
def test_drop_is_a_deprecation_only_with_a_support_api_or_version_object(
    text: str, expected: Quadrant
) -> None:
    assert classify(text).quadrant is expected


def test_incident_channel_leans_forced() -> None:
    text = "api feels slow"
    plain = classify(text)
    leaning = classify(text, context=CaptureContext(incident_channel=True))
    assert plain.quadrant.forced is False
    assert leaning.quadrant is FS


def test_malformed_and_huge_input_do_not_raise() -> None:
    for text in ["\u0130stanbul \u2019s db", "\x00\x01", "🔥" * 50, "word " * 5000]:
        c = classify(text)
        assert c.quadrant in Quadrant


def test_typos_are_tolerated() -> None:
    assert classify("the prod certifcate expird this morning").quadrant is FS
    assert classify("vulnerabilty in the base image, patch it").quadrant.forced


def test_version_is_exported() -> None:
    assert isinstance(CLASSIFIER_VERSION, str) and CLASSIFIER_VERSION


DEV_SET = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "workitems-dev.jsonl"


@pytest.mark.skipif(not DEV_SET.exists(), reason="dev set not present")
def test_coarse_accuracy_floor_on_the_dev_set() -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text().splitlines() if line.strip()]
    right = sum(classify(r["text"]).quadrant.value == r["quadrant"] for r in rows)
    assert right / len(rows) >= 0.85
