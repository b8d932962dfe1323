"""Rules added after the first sealed set was measured (classifier round 6): general fixes, each
with cases of our own wording."""

from __future__ import annotations

import pytest

from core.classify import classify
from core.model import Quadrant
from core.signals import read

FS, FL, DS, DL = tuple(Quadrant)


@pytest.mark.parametrize(
    ("word", "not_meaning"),
    [
        ("reached", "an active security exposure"),  # one letter from "breached"
        ("headline", "a hard deadline"),
        ("throughout", "latency"),  # "throughput"
        ("complaint", "a compliance obligation"),
        ("contact", "a contract or vendor deadline"),
        ("protection", "forecast demand outgrowing capacity"),  # "projection"
        ("pending", "efficiency"),
        ("watching", "a security patch"),
        ("protections", "forecast demand outgrowing capacity"),  # plurals too
        ("contacts", "a contract or vendor deadline"),
        ("outrages", "an outage"),
    ],
)
def test_real_words_are_not_read_as_typos_of_cue_words(word: str, not_meaning: str) -> None:
    hits, *_ = read(f"the {word} of the week")
    assert not_meaning not in [h.cue.meaning for h in hits]


@pytest.mark.parametrize("word", ["deploymnet", "certficate", "dashabords", "exausted"])
def test_real_typos_still_match(word: str) -> None:
    hits, *_ = read(word)
    assert hits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A ticket id's number is no server error; the requirement is the driver.
        ("[OPS-502] Hosting provider is requiring us to move to the new object store API", FL),
        ("[OPS-502] api gateway returning 502s since the deploy", FS),
        # An EOL that was reached is a passed deadline, not an exposure.
        ("Move the build hosts to Alma as CentOS 7 reached its end of life", FL),
        # A secret made public is an exposure to deal with now.
        ("Rotate the grafana admin password: it was published in a public repository", FS),
        ("db credentials committed to git in the infra repo, rotate them", FS),
        # A provider closing what we run on sets the terms.
        ("Hosting provider closing down the AMS2 region; move our nodes out", FL),
    ],
)
def test_round6_rule(text: str, expected: Quadrant) -> None:
    assert classify(text, precedent=None).quadrant is expected
    product = classify(text)
    assert product.quadrant is expected or product.low_confidence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A rate limit that was hit is resources exhausted now; adding one is a tweak.
        ("registry pulls failing: rate limit exceeded", FS),
        ("ci: docker hub pull rate limit reached again", FS),
        ("add a rate limit to the login endpoint", DS),
        # Downtime somebody planned is a maintenance window, not an outage.
        ("planned downtime for the db upgrade saturday", DS),
        ("scheduled maintenance on the kafka brokers tonight", DS),
        ("api is down for everyone since the deploy", FS),
        # Zero downtime is the goal of a migration, not an outage in it.
        ("move the orders database to aurora with near-zero downtime to cut costs", DL),
    ],
)
def test_rate_limits_hit_and_planned_downtime(text: str, expected: Quadrant) -> None:
    assert classify(text, precedent=None).quadrant is expected


@pytest.mark.parametrize(
    "text",
    [
        "gitlab-02 running out of disk space",
        "builder-7 disk space issues again",
        "etcdserver: mvcc: database space exceeded",
        "Disk Space Warning went off on the ci runners",
    ],
)
def test_disk_space_running_out_is_forced_now(text: str) -> None:
    assert classify(text, precedent=None).quadrant is FS


def test_a_hostnames_org_is_not_a_campaign_across_the_org() -> None:
    hits, *_ = read("hydra.nixos.org queue stuck")
    assert "a broad campaign" not in [h.cue.meaning for h in hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A container's memory limit is a knob to turn, not a hard limit ahead...
        ("increase memory limits for the cache pods", DS),
        ("Bumped up memory limit because pods were restarting due to OOM under high stress", DS),
        # ...unless it is being hit.
        ("ingest workers keep hitting the memory limit and restarting, ingestion stalled", FS),
        ("pods OOMKilled, prod api down", FS),
    ],
)
def test_memory_limits_are_a_knob_unless_they_are_being_hit(text: str, expected: Quadrant) -> None:
    assert classify(text, precedent=None).quadrant is expected
