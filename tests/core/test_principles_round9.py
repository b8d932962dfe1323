"""Principle cues added after classifier round 8 (principle recall 48 % on the sealed judge): words
an infra engineer reads as naming a principle by themselves. They tag principles only and never
move a quadrant; each with cases of our own wording."""

from __future__ import annotations

import pytest

from core.classify import classify
from core.model import Principle, Quadrant

SEC, REL, USE, EFF, LAT = (
    Principle.SECURITY,
    Principle.RELIABILITY,
    Principle.USABILITY,
    Principle.EFFICIENCY,
    Principle.LATENCY,
)


@pytest.mark.parametrize(
    ("text", "principle"),
    [
        # Reliability words that need no second one: backups, failover, monitoring, recovery,
        # tracing, the monitoring stack's own names, package mirrors.
        ("set up nightly backups for the wiki database", REL),
        ("test the failover of the postgres primary to the standby", REL),
        ("document a fail-over procedure for the LB pair", REL),
        ("add monitoring to the new ingest service", REL),
        ("write down our RPO and RTO for the billing store", REL),
        ("practice a restore from last week's snapshot", REL),
        ("roll out distributed tracing across the checkout services", REL),
        ("stand up prometheus on the new cluster", REL),
        ("move metrics to thanos for long-term storage", REL),
        ("the package mirrors should each get a second upstream", REL),
        ("the login service has been unstable since the upgrade", REL),
        ("plan for the network disruptions during the datacenter move", REL),
        # Security: identity and authentication, directory and policy services, signing keys,
        # break-ins.
        ("move the wiki to the central identity provider", SEC),
        ("switch the build farm to LDAP logins", SEC),
        ("the mail relay accepts mail without authentication", SEC),
        ("enforce OPA policies on the cluster's admission", SEC),
        ("publish the release gpg fingerprint on the website", SEC),
        ("the project blog got hacked last night", SEC),
        ("someone got unauthorized access to the staging box", SEC),
        ("switch the CI jobs to workload identity instead of JSON keys", SEC),
        ("move the group sync from Azure AD to the new tenant", SEC),
        ("give the backup job its own service account", SEC),
        ("issue SPIFFE IDs to the mesh workloads", SEC),
        # Usability: developer portals and self-service, chat-driven operations, text that
        # misleads, finding things.
        ("set up a developer portal for the platform team's services", USE),
        ("try Backstage for the service catalogue", USE),
        ("let teams provision buckets with Crossplane", USE),
        ("chatops command to restart a stuck deploy", USE),
        ("the banner on the status page is misleading", USE),
        ("make the build logs searchable", USE),
        # Efficiency: retention, autoscaling, decommissioning, maintenance burden, sponsorship,
        # idle or oversized capacity, price.
        ("cut log retention on the audit bucket to 30 days", EFF),
        ("enable autoscaling on the CI runner pool", EFF),
        ("decommission the old jump hosts", EFF),
        ("running our own mail server is a burden nobody wants", EFF),
        ("the hosting sponsorship ends with this quarter", EFF),
        ("the analytics nodes are underutilized most of the week", EFF),
        ("the NAT gateway is expensive for how little traffic goes through it", EFF),
        ("the RDS cluster is on extended support since the summer", EFF),
        ("we keep paying bandwidth overage on the download box", EFF),
        ("nightly job that cleans stale preview environments", EFF),
        # Latency: slowdowns, delays, concurrency, and a failure that names latency getting worse.
        ("users report a slowdown on the search page", LAT),
        ("delays in webhook delivery for some customers", LAT),
        ("raise the worker concurrency on the thumbnail queue", LAT),
        ("we're seeing increased latency on the EU edge", LAT),
        ("response times increased after the cache change", LAT),
    ],
)
def test_principle_cue_tags_its_principle(text: str, principle: Principle) -> None:
    assert principle in classify(text, precedent=None).principles
    assert principle in classify(text).principles


@pytest.mark.parametrize(
    ("text", "principle"),
    [
        # A deploy, a mirror or a queue alone is not reliability work: those still need a second
        # reliability word.
        ("deploy the docs site from the main branch", REL),
        ("add a mirror of the upstream repo to our GitLab", REL),
        ("rename the queue to match the service", REL),
    ],
)
def test_weak_words_alone_do_not_tag(text: str, principle: Principle) -> None:
    assert principle not in classify(text, precedent=None).principles


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        # Principle-only cues: the rules' quadrant and confidence are those of the same text with
        # the word swapped for one that means nothing to them.
        (
            "set up nightly backups for the wiki database",
            "set up nightly zzq for the wiki database",
        ),
        ("decommission the old jump hosts", "zzq the old jump hosts"),
        ("switch the build farm to LDAP logins", "switch the build farm to zzq logins"),
        (
            "move the wiki to the central identity provider",
            "move the wiki to the central zzq provider",
        ),
        ("users report a slowdown on the search page", "users report a zzq on the search page"),
        ("let teams provision buckets with Crossplane", "let teams provision buckets with zzq"),
        (
            "cut log retention on the audit bucket to 30 days",
            "cut log zzq on the audit bucket to 30 days",
        ),
        ("stand up prometheus on the new cluster", "stand up zzq on the new cluster"),
        ("issue SPIFFE IDs to the mesh workloads", "issue zzq IDs to the mesh workloads"),
        (
            "we keep paying bandwidth overage on the download box",
            "we keep paying bandwidth zzq on the download box",
        ),
        (
            "the hosting sponsorship ends with this quarter",
            "the hosting zzq ends with this quarter",
        ),
    ],
)
def test_principle_cues_do_not_move_the_quadrant(text: str, plain: str) -> None:
    a = classify(text, precedent=None)
    b = classify(plain, precedent=None)
    assert (a.quadrant, a.confidence) == (b.quadrant, b.confidence)


def test_a_misspelt_failure_word_is_not_read_as_a_principle_word() -> None:
    # "failling" is one letter from "failing" and from "filling": it must stay a failure (no
    # principle-only word that close to a scored one).
    assert classify("all jobs are failling", precedent=None).quadrant is FS


FS, FL, DS, DL = tuple(Quadrant)


@pytest.mark.parametrize(
    "text",
    [
        # An end of life or removal that has already broken something is forced short-term,
        # whatever the EOL's own date (rubric tie-breaker).
        "CentOS 7 is EOL now and our base image no longer builds",
        # "so … no longer works" is the result, not a purpose clause.
        "the v1 API was retired, so our sync job no longer works",
        "the old runner label was removed and the nightly jobs no longer run",
        "python 3.7 is end of life and the wheel builds stopped on the ARM runners",
        "the legacy registry shut down on March 3 and this is breaking all our CI jobs",
        "node 16 support was dropped upstream; the deploy script now fails on every host",
    ],
)
def test_an_eol_already_breaking_things_is_forced_short(text: str) -> None:
    assert classify(text, precedent=None).quadrant is FS
    product = classify(text)
    assert product.quadrant is FS or product.low_confidence


@pytest.mark.parametrize(
    "text",
    [
        # Said of the future it is still a deadline months out.
        "CentOS 7 goes EOL next year and the base image will no longer build after that",
        "the v1 API is being retired in 2027; our sync job will no longer work once it is",
    ],
)
def test_an_eol_that_will_break_things_stays_forced_long(text: str) -> None:
    assert classify(text, precedent=None).quadrant is FL
