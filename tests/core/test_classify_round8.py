"""Rules added after classifier round 7, from grouped cross-validation's out-of-fold errors:
general fixes, each with cases of our own wording."""

from __future__ import annotations

import pytest

from core.classify import classify
from core.model import Quadrant
from core.signals import read
from tests.support.reading import reads_as

FS, FL, DS, DL = tuple(Quadrant)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Setting up a watch: the failure named is the condition watched for, not an event now.
        ("add Grafana alarms for high 5xx rates on the API", DS),
        ("we should get paged when the ingest workers are down", DS),
        ("add a probe that notifies us if the registry is unreachable", DS),
        ("cron on the bastion to check if the VPN tunnel is down", DS),
        # The failure itself, with no watch set up, is still forced.
        ("the ingest workers are down", FS),
        ("registry is unreachable from the build nodes", FS),
    ],
)
def test_watching_for_a_condition_is_not_the_condition(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        # A job or service that should have run and did not is broken now.
        "the nightly restic backup didn't run on db-2",
        "artifact mirror hasn't synced since Tuesday",
        "the worker autoscaler did not scale out this morning",
        "ingress controller doesn't respond on port 443",
        "p99 latency increased to 4s on the checkout API after the node pool change",
    ],
)
def test_something_that_did_not_run_is_forced_now(text: str) -> None:
    reads_as(text, FS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Watched for or written down for later, it is a condition, not this failure.
        ("alert us when the artifact mirror hasn't synced in a day", DS),
        ("write a runbook for when the mirror hasn't synced in a day", DS),
    ],
)
def test_not_running_as_a_condition_is_not_broken_now(text: str, expected: Quadrant) -> None:
    assert classify(text, precedent=None).quadrant is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A purpose clause on a local fix keeps it short-term.
        ("correct the pagination logic to prevent looping on empty pages", DS),
        ("cap the worker queue size to prevent OOM kills", DS),
        ("add logrotate for the nginx access logs to prevent the disk filling up", DS),
        # What builds something lasting is long-term by its own words.
        ("build a self-service certificate platform to eliminate manual renewals", DL),
        ("automate node OS upgrades so we never fall behind on patches again", DL),
    ],
)
def test_a_purpose_clause_does_not_make_a_fix_long_term(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A temporary measure against something pressing is part of the reaction to it.
        ("ingress 4.3 breaks websockets; pin the chart to 4.2 for now", FS),
        ("registry pulls are failing, mirror the base images for the time being", FS),
        # Said of a small chosen change, it stays a small chosen change.
        ("hide the beta dashboards for now, nobody uses them", DS),
    ],
)
def test_for_now_is_a_temporary_measure(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        # Inflections of long-term scope words the lexicon had only in one form.
        "dockerize the legacy billing app and run it on the shared cluster",
        "we re-architected the ingest path around a queue per tenant",
        "get the reporting service containerized so it can leave the old VM",
        # Centralising (logs, auth, secrets) consolidates many systems into one.
        "centralize the app logs of all teams in one Loki",
        "centralised secrets for the deploy pipelines instead of per-repo variables",
    ],
)
def test_more_long_term_scope_words(text: str) -> None:
    reads_as(text, DL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # What the work prepares for is a condition, not an event now.
        ("print the last deploy id in case of a failed rollout", DS),
        ("document how to restore the vault snapshot in the event of data loss", DS),
        ("export the grafana dashboards weekly in case the instance crashes", DS),
        # Without it the failure is the failure.
        ("the grafana instance crashes on every restart", FS),
    ],
)
def test_in_case_of_is_a_condition(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        # A provider announcing a removal, in more of the ways it is said.
        "the hosted runner pool will be decommissioned next year, move our jobs to the new pool",
        "heads-up: the legacy artifact bucket is going to be deleted next quarter",
        "TLS 1.1 is going to be disabled on the vendor's API gateway later this year",
    ],
)
def test_more_ways_to_announce_a_removal(text: str) -> None:
    reads_as(text, FL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A research spike is a task, not a latency spike.
        ("research spike on moving CI caches to R2", DL),
        ("CPU spike on db-1 is making checkout time out", FS),
        # A limit someone sets is a knob, not a hard limit ahead.
        ("cap upload size: add a 50MB limit on the artifacts endpoint", DS),
        # A backlog of a queue is trouble now; the backlog of work is not.
        ("a backlog of webhook deliveries built up after the broker restart", FS),
        ("put the dashboard rename on the backlog, low priority", DS),
    ],
)
def test_spike_limit_and_backlog_in_their_usual_sense(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    ("text", "forced"),
    [
        # A git commit and a monthly price are not an outside party's terms.
        ("run the integration suite on every commit instead of nightly", False),
        ("right-size the staging RDS instance, it costs $400/mo for nothing", False),
        # A spend commitment and a growth rate still are.
        ("the Datadog committed spend ends next year; decide whether to renew the contract", True),
        ("logs volume grows 2 TB per month, the cluster is full by spring", True),
    ],
)
def test_commit_and_per_month_in_their_usual_sense(text: str, forced: bool) -> None:
    assert classify(text, precedent=None).quadrant.forced is forced
    product = classify(text)
    assert product.quadrant.forced is forced or product.low_confidence


@pytest.mark.parametrize("word", ["build", "building", "develop"])
def test_building_says_nothing_of_a_forced_items_horizon(word: str) -> None:
    # In forced items "build" is mostly a CI build that fails (26 short-term to 5 long-term out of
    # fold); for chosen work it still says long-term.
    hits, *_ = read(f"the {word} of the week")
    cue = next(h.cue for h in hits if h.cue.meaning == "building something new")
    assert cue.hz_forced == 0.0
    assert cue.hz_disc > 0
