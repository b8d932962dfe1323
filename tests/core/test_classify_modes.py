"""Failure modes fixed in round 2, one table per mode (our own phrasings, not dev-set sentences)."""

from __future__ import annotations

import pytest

from core.classify import classify
from core.model import Quadrant

FS, FL = Quadrant.FORCED_SHORT, Quadrant.FORCED_LONG
DS, DL = Quadrant.DISCRETIONARY_SHORT, Quadrant.DISCRETIONARY_LONG

# Incident words naming the kind of thing being changed are not evidence that it is broken now.
ARTIFACT_CASES = [
    ("the 'prod is down' runbook page has a broken link to the status dashboard", DS),
    ("add a 'rollback' button to the deploy page in the internal portal", DS),
    ("outage template in the incident doc is missing a timeline section", DS),
    ("make the CrashLoopBackOff alert include the last 20 log lines", DS),
    ("rename the p1-incidents channel to inc-p1 so it sorts with the others", DS),
    ("incident review AI: the pager escalation should go to the secondary after 10m", DS),
    ("tune the disk full alert", DS),
    # ... while an alert going off, or "alert" as a verb, still is.
    ("disk full alert fired on db-3", FS),
    ("prod is down, alert the on-call", FS),
    ("ransomware alert from EDR on a build agent, isolating it", FS),
    ("the KubeDeploymentReplicasMismatch alert flaps during every rollout, add a 15m for:", DS),
    ("raise the disk usage warning to 85%, it goes off every morning on the log volume", DS),
    ("silence the cert expiry warnings for the staging wildcard", DS),
    ("the OOMKilled alert for the batch namespace pages at night, make it a ticket instead", DS),
    ("OOMKilled pods in checkout every few minutes, orders failing", FS),
]

# A hyphenated word keeps its meaning: "scale-down" is not "down".
HYPHEN_CASES = [
    ("tune the HPA scale-down stabilisation window for the api", DS),
]

# Status-page incident wording.
STATUS_PAGE_CASES = [
    ("[Resolved] Increased latency for dashboard loads in EU", FS),
    ("Investigating - some customers unable to log in", FS),
    ("Degraded performance for hosted runners", FS),
    ("Partial outage: webhooks delayed", FS),
]

# Outside parties ending things, phrased without "EOL" or "deprecated".
VENDOR_EXIT_CASES = [
    ("Jenkins LTS line we run stops getting security updates in the spring, move to Actions", FL),
    ("IPv4 addresses start costing money in February, cut our public IPs or budget for it", FL),
    ("the free images are being pulled, mirror them into our registry before they disappear", FL),
]

# Regulation and critical-customer drivers named in other words.
DRIVER_CASES = [
    ("all S3 buckets need object lock for the SEC 17a-4 retention rule", FL),
    ("customer X threatens to churn tomorrow unless the SSO bug is fixed", FS),
    ("set up a weekly reminder in #infra for certificate expiry dates", DS),
]

# A purpose clause ("so spikes stop …") names what the work prevents, not what is broken now.
PURPOSE_CASES = [
    ("re-architect the ingestion path to be queue-based so spikes stop taking it down", DL),
    ("move the terraform backend config into a shared partial so people stop copy-pasting it", DS),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    ARTIFACT_CASES
    + HYPHEN_CASES
    + STATUS_PAGE_CASES
    + VENDOR_EXIT_CASES
    + DRIVER_CASES
    + PURPOSE_CASES,
)
def test_failure_mode(text: str, expected: Quadrant) -> None:
    # The rules themselves, without the labelled examples' second opinion...
    assert classify(text, precedent=None).quadrant is expected
    # ...and the product: the examples may move an item the rules are unsure of, but then the
    # person is asked. (Until the model was trained on public-train6, "the pager escalation should
    # go to the secondary after 10m" was a known exception: "secondary" was in one forced,
    # short-term example only.)
    product = classify(text)
    assert product.quadrant is expected or product.low_confidence
