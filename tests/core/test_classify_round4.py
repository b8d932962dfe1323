"""Rules added in round 4 (driven by real public items), one table per rule, our own phrasings."""

from __future__ import annotations

from itertools import pairwise

import pytest

from core.classify import calibrated, classify
from core.model import LOW_CONFIDENCE, Principle, Quadrant

FS, FL = Quadrant.FORCED_SHORT, Quadrant.FORCED_LONG
DS, DL = Quadrant.DISCRETIONARY_SHORT, Quadrant.DISCRETIONARY_LONG

# A removal tied to a named release is an upstream deadline, not an outage ...
VERSION_REMOVAL_CASES = [
    ("the batch/v1beta1 CronJob API is removed in 1.25, port our manifests", FL),
    ("flowschema v1beta2 unavailable from k8s 1.29 on; bump the apiVersion in the chart", FL),
    ("our helm chart still ships a PSP, which disappeared in kubernetes 1.25", FL),
    ("remove the legacy ingress annotations from kubernetes version 1.30 onwards", FL),
    # ... while something unavailable without a release named is still broken now.
    ("the api is unavailable since this morning, every call 503s", FS),
    ("grafana unavailable after the upgrade to 10.2, dashboards blank", FS),
]

# A document as the work's object: the words after "for"/"about" are its topic.
DOCUMENT_TOPIC_CASES = [
    ("add a note to the upgrade guide about the removal of the v1beta1 ingress API", DS),
    ("runbook for when the payments DB is down needs the new failover command", DS),
    ("the FAQ about leaked tokens still tells people to email security", DS),
    ("docs site is down for everyone", FS),
]

# High availability, leader election and horizontal scaling are architecture, not an outage.
HIGH_AVAILABILITY_CASES = [
    ("run the webhook controller with leader election so we can have two replicas", DL),
    ("high availability for the internal registry (currently one VM)", DL),
    ("make the scheduler horizontally scalable", DL),
    ("leader election failing on kube-controller-manager, nothing reconciles", FS),
]

# Renewing certificates is not renewing a contract; a renewal that is not happening is breakage.
CERTIFICATE_RENEWAL_CASES = [
    ("set up auto-renewal for the wildcard certs with cert-manager across all clusters", DL),
    ("the certbot timer is not renewing certs on edge-2", FS),
    ("the support contract renewal is in April, decide whether to keep the vendor", FL),
]

# "to avoid"/"to prevent" does not turn compelled work into chosen work unless the work builds
# something lasting; patching a named vulnerability is still the vulnerability.
PURPOSE_OF_COMPELLED_WORK_CASES = [
    ("bump the EKS clusters to 1.31 to avoid extended support fees after next quarter", FL),
    ("upgrade the nginx image for the fix to CVE-2026-1111 and prevent header injection", FS),
    ("build push-button DB upgrades so future EOL deadlines stop being fire drills", DL),
]

# Forecast words in a text that builds a tool describe what the tool handles.
FORECAST_TOOL_CASES = [
    ("build a headroom estimator that projects disk growth per cluster", DL),
    ("capacity planning tooling: weekly forecast report from prometheus, per team", DL),
    ("forecast says the kafka disks fill by March, add brokers", FL),
]

# Providers ending things in other words.
GOING_AWAY_CASES = [
    ("the free CI minutes for open-source orgs are no more from next month", FL),
    ("registry v1 endpoints will be shutdown soon, repoint the mirrors", FL),
    ("upcoming changes to the artifact store's retention policy: untagged images get deleted", FL),
]

# Scope words for chosen architecture that real trackers use.
SCOPE_CASES = [
    ("serve the public API from multiple regions with latency-based routing", DL),
    ("research options for replacing the hand-rolled service discovery", DL),
    ("add distributed tracing to the checkout and payments services", DL),
    ("add monitoring for error spikes on the login endpoint", DS),
]

# A date stated as a deadline ("before 31 March") is owed to someone.
STATED_DEADLINE_CASES = [
    ("move the status page to the new provider before 31 March", FL),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    VERSION_REMOVAL_CASES
    + DOCUMENT_TOPIC_CASES
    + HIGH_AVAILABILITY_CASES
    + CERTIFICATE_RENEWAL_CASES
    + PURPOSE_OF_COMPELLED_WORK_CASES
    + FORECAST_TOOL_CASES
    + GOING_AWAY_CASES
    + SCOPE_CASES
    + STATED_DEADLINE_CASES,
)
def test_round4_rule(text: str, expected: Quadrant) -> None:
    # The rule itself, without the labelled examples' second opinion...
    assert classify(text, precedent=None).quadrant is expected
    # ...and the product: the examples may move an item the rules are unsure of, but then the
    # person is asked, so a rule's answer is never overruled silently.
    product = classify(text)
    assert product.quadrant is expected or product.low_confidence


# Each principle has words of its own.
PRINCIPLE_WORD_CASES = [
    ("we're paying for three unused load balancers in the old account", Principle.EFFICIENCY),
    ("consolidate the two log shippers into one", Principle.EFFICIENCY),
    ("licensing for the APM agent doubles next year", Principle.EFFICIENCY),
    ("set a lifecycle policy on the backups bucket", Principle.EFFICIENCY),
    ("load test the new ingress before we switch traffic", Principle.LATENCY),
    ("consumer lag on the events topic keeps climbing", Principle.LATENCY),
    ("packet loss between the two datacenters", Principle.LATENCY),
    ("the queue worker is the bottleneck for exports", Principle.LATENCY),
    ("the old artifact registry is being shut down next year", Principle.RELIABILITY),
]


@pytest.mark.parametrize(("text", "principle"), PRINCIPLE_WORD_CASES)
def test_principle_words(text: str, principle: Principle) -> None:
    assert principle in classify(text).principles


@pytest.mark.parametrize(
    "text",
    [
        "add a PodDisruptionBudget for the zookeeper statefulset",
        "fix the broken link in the contributing guide",
    ],
)
def test_words_that_only_look_like_a_principle(text: str) -> None:
    got = classify(text).principles
    assert Principle.EFFICIENCY not in got  # a disruption budget is not money
    assert "broken link" not in text or Principle.RELIABILITY not in got


# Confidence is calibrated: a monotone map from the rules' raw score to how often they are right.
def test_calibration_is_monotone_and_a_probability() -> None:
    raws = [i / 200 for i in range(201)]
    mapped = [calibrated(r) for r in raws]
    assert all(0.0 <= m <= 1.0 for m in mapped)
    assert all(a <= b for a, b in pairwise(mapped))
    assert calibrated(1.0) < 1.0  # never certain


def test_classify_reports_the_calibrated_score() -> None:
    c = classify("prod is down for everyone, 503s on every request")
    assert c.confidence >= 0.9
    vague = classify("misc")
    assert vague.confidence < 0.6
    assert vague.low_confidence


@pytest.mark.parametrize(
    "text",
    [
        "tune the kafka retention",  # little for the rules to go on: they would ask
        "look into the thing bob mentioned",
    ],
)
def test_thin_evidence_asks_the_person(text: str) -> None:
    assert classify(text, precedent=None).confidence < LOW_CONFIDENCE


def test_labelled_examples_settle_thin_evidence_they_know() -> None:
    # "tune" is how the examples word small tweaks: discretionary, short-term, no need to ask.
    c = classify("tune the kafka retention")
    assert c.quadrant is Quadrant.DISCRETIONARY_SHORT
    assert not c.low_confidence
    # Words the examples have no view on leave the person to pick.
    assert classify("look into the thing bob mentioned").low_confidence
