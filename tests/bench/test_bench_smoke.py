"""The benchmarks' own logic, kept working between benchmark runs (no timings asserted here)."""

from __future__ import annotations

from collections import Counter

from bench import common, reaction_storm, request_path, request_tail, scheduler_fanout, servers
from bench import digest as digest_bench


def test_percentiles_interpolate_between_ranks():
    assert common.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert common.percentile([5.0], 99) == 5.0
    assert common.percentile(list(map(float, range(101))), 99) == 99.0
    latency = common.Latency.of([0.001, 0.002, 0.003])
    assert (latency.p50, latency.max, latency.count) == (2.0, 3.0, 3)


def test_reaction_storm_is_a_thousand_deliveries_a_third_retries_each_after_its_original():
    sequence = reaction_storm.deliveries()
    assert len(sequence) == reaction_storm.DELIVERIES == 1000
    retries = [d for d in sequence if d.retry]
    assert len(retries) == 333
    first_seen: dict[str, int] = {}
    for position, delivery in enumerate(sequence):
        if not delivery.retry:
            first_seen[delivery.body] = position
        else:
            assert delivery.body in first_seen  # its original came earlier
    messages = Counter(body.split('"ts": "')[1][:16] for body in first_seen)
    assert len(messages) == reaction_storm.MESSAGES


def test_request_bodies_are_distinct_adds_across_channels():
    bodies = request_path.Bodies("http://127.0.0.1:9/response/r1")
    made = [bodies.next() for _ in range(40)]
    assert len(set(made)) == 40
    assert all("text=add+" in body for body in made)
    assert len({body.split("channel_id=")[1].split("&")[0] for body in made}) == 16


async def test_digest_bench_seeds_in_bulk_and_builds_from_the_database(database_url):
    shapes = [digest_bench.TeamShape("smoke", 300, 8)]
    week_end = digest_bench.NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    await digest_bench.add_teams(database_url, shapes)
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    await digest_bench.add_items(backend, database_url, shapes, week_end)
    assert await common.count_rows(database_url, "work_items") == 300
    times = await digest_bench.time_builds(database_url, shapes, repeats=1)
    assert set(times) == {"smoke"}


def test_servers_and_scheduler_bench_import():
    assert servers.message_ts(3) == "1800000003.000100"
    assert scheduler_fanout.INJECT_429_EVERY > 1


def test_request_tail_reports_only_the_requests_after_the_warm_up():
    def request(start: float, batch_wait: float, lookups: float = -1.0) -> dict[str, float]:
        marks = dict.fromkeys(request_tail.STAMPS, start)
        marks["batch"] = start + batch_wait
        for later in ("stored", "ack", "dispatched", "end"):
            marks[later] = start + batch_wait + 0.010
        marks["lookups"] = lookups
        return marks

    seen = {
        "requests": [request(5.0, 1.0, lookups=1)]  # warm-up: outside the window
        + [request(100.0 + n, 0.002 * n) for n in range(100)],
        "batches": [(50.0, 4, 15, 0.001, 0.004, 0.005), (150.0, 4, 15, 0.001, 0.004, 0.005)],
        "gc": [(150.0, 0, 1.5), (150.0, 2, 12.0)],
        "stalls": [(150.0, 4.0)],
    }
    text = request_tail.report(seen, 99.0, 300.0)
    assert text.startswith("100 requests after the warm-up")
    assert "or waited for its lookup: 0 (0 of the slowest 1)" in text
    assert "| rows | 1 |" in text
    assert "| 2 | 1 | 12.0 | 12.0 |" in text
