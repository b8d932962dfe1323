"""Rules added after classifier round 8, from the matcher's reading of words and grouped
cross-validation's out-of-fold errors: general fixes, each with cases of our own wording."""

from __future__ import annotations

import pytest

from core.model import Quadrant
from core.signals import find_cues
from tests.support.reading import reads_as

FS, FL, DS, DL = tuple(Quadrant)


def _meanings(text: str) -> set[str]:
    hits, _ = find_cues(text)
    return {h.cue.meaning for h in hits}


@pytest.mark.parametrize(
    ("text", "not_read_as"),
    [
        ("make the log shipper non-blocking", "something is stuck"),
        ("a non-trivial refactor of the build scheduler", "a small, scoped change"),
        ("use non-expiring tokens for the CI bot", "something is expiring"),
        ("plan a no-downtime migration of the database", "an outage"),
        ("move the non-prod clusters to spot instances", "production"),
        ("patch the non-security findings from the scan", "security"),
    ],
)
def test_a_hyphenated_non_or_no_word_does_not_mean_its_second_part(
    text: str, not_read_as: str
) -> None:
    assert not_read_as not in _meanings(text)


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        # A lexicon entry of its own keeps its meaning.
        ("the payments service is non-compliant with PCI DSS 4.0", "a compliance obligation"),
        # "no-downtime" is the phrase "no downtime": a larger piece of work done carefully.
        ("plan a no-downtime migration of the database", "a larger piece of work"),
        # Other hyphenated words still take the meaning of a part that has one.
        ("the exporter got oom-killed twice", "processes crashing"),
        # The word without "non-" is what it was.
        ("the deploy is blocking on a stuck lock", "something is stuck"),
    ],
)
def test_hyphenated_words_that_keep_a_meaning(text: str, read_as: str) -> None:
    assert read_as in _meanings(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the log shipper non-blocking", DS),
        ("use non-expiring tokens for the CI bot", DS),
        ("plan a no-downtime migration of the database to the new cluster", DL),
        ("non-trivial rework of the deploy pipeline", DL),
        # Not negated: what it was.
        ("the log shipper is blocking on a full disk", FS),
        ("the CI bot's token is expiring tomorrow", FS),
    ],
)
def test_non_and_no_words_classify(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    ("text", "not_read_as", "read_as"),
    [
        # Words that looked like a failure or an exposure and are not.
        ("the two helm charts are copy-pasted", "an active security exposure", ""),
        ("this patch retries the mirror check twice", "a security patch", ""),
        ("is the grafana database being backed up offsite?", "failing in production now", ""),
        ("add appropriate timeouts for the health check", "latency degraded now", ""),
        ("the api workers leak memory", "an active security exposure", "processes leaking memory"),
        ("planned outage on Saturday to move the NFS server", "an outage", "planned maintenance"),
        ("the outage is necessary to move it to the new rack", "an outage", "planned maintenance"),
        # A follow-up names the class of trouble it is for.
        ("diagnose similar incidents faster", "an incident", ""),
        ("to catch future outages earlier", "an outage", ""),
        ("to mitigate future OOM kills", "an emergency response", ""),
    ],
)
def test_words_read_in_their_sense(text: str, not_read_as: str, read_as: str) -> None:
    meanings = _meanings(text)
    assert not_read_as not in meanings
    assert not read_as or read_as in meanings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Discretionary short-term work written next to the failure it follows.
        ("the two helm charts are copy-pasted, pull them into one chart with per-env values", DS),
        ("is the grafana database being backed up offsite?", DS),
        ("planned outage on Saturday to move the NFS server to new hardware", DS),
        ("add a dashboard panel for queue depth to catch future outages earlier", DS),
        ("to mitigate future OOM kills, raise the worker memory limits", DS),
        # The failure itself is still forced short-term.
        ("the queue is backed up and consumers are hours behind", FS),
        ("unplanned outage of the login service, users can't sign in", FS),
        ("we pasted the prod API key in a public channel, rotate it now", FS),
        ("the pgbouncer pool is exhausted, to mitigate we are restarting the pods now", FS),
        ("the api workers leak memory under load and crash every few hours", FS),
        ("apply the vendor patch for CVE-2026-1234 on all bastions today", FS),
    ],
)
def test_follow_ups_next_to_a_failure(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    ("text", "not_read_as"),
    [
        # A page or screen that shows errors is the work's object, not errors happening.
        ("the login failure screen should say what to do next", "things are failing"),
        # A scanner for vulnerabilities is tooling, not a known vulnerability.
        ("add container image vulnerability scanning to CI", "a known vulnerability"),
        # What something does from now on is not something happening now.
        ("the team now uses GitHub Actions", "happening now"),
        ("the platform team now runs it in their cluster", "happening now"),
    ],
)
def test_objects_and_states_are_not_events(text: str, not_read_as: str) -> None:
    assert not_read_as not in _meanings(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("improve the error page shown during outages", DS),
        ("add container image vulnerability scanning to the CI pipeline", DS),
        ("the error page is all anyone sees, the site is down", FS),
        ("critical vulnerability in the base image, patch it today", FS),
        ("the status page is down now", FS),
    ],
)
def test_error_pages_and_scanners(text: str, expected: Quadrant) -> None:
    reads_as(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Leftovers to clean up are not stale data.
        ("delete the 40 stale branches in the infra repo", DS),
        ("recreate the runners with fresh tokens instead of reusing stale ones", DS),
        # Stale data served now is.
        ("the CDN is serving stale data to customers", FS),
    ],
)
def test_stale_leftovers(text: str, expected: Quadrant) -> None:
    assert "data at risk right now" not in _meanings(text) or expected is FS
    reads_as(text, expected)
