"""`infrawork demo`: a demo team with a few weeks of realistic work, no Slack needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.services.capture import CaptureService
from bot.services.context import Actor
from bot.services.digest import DigestService, current_digest_week
from bot.services.learning import TeamModels
from bot.text.digest import render_digest_text
from core.baselines import parse_baseline
from core.model import Quadrant, Source
from core.phase import format_percent
from core.schedule import IsoWeek
from storage.tables import Team
from storage.uow import Database

DEMO_WORKSPACE = "TDEMO00000"
DEMO_CHANNEL = "CDEMOPLATFORM"
DEMO_CHANNEL_NAME = "platform-demo"
DEMO_USERS = ("UDEMO0001", "UDEMO0002", "UDEMO0003")

# (days ago, text). Written for the demo; a platform team sliding into firefighting.
DEMO_ITEMS: tuple[tuple[int, str], ...] = (
    (34, "write the ADR for moving service-to-service auth to mTLS via the mesh"),
    (33, "add p95 panels to the ingress dashboard, the current ones only show averages"),
    (32, "postgres 12 EOL in February: plan the upgrade of all 14 clusters to 16"),
    (31, "docs: how to request a new kafka topic without pinging us"),
    (30, "build a self-service portal for preview environments"),
    (29, "bump the terraform aws provider, v4 is deprecated and stops working in Q2"),
    (27, "sev2: staging deploys stuck, argo can't reach the git server"),
    (26, "raise the alert threshold on node memory, it pages on every batch run"),
    (24, "replace the nightly cron backups with continuous WAL archiving to object storage"),
    (23, "disk full on build-runner-4 again, CI queue backing up"),
    (22, "SOC 2 audit in March: access reviews and change-management evidence for every cluster"),
    (21, "tidy up the 40 unused IAM roles left over from the old pipeline"),
    (20, "PagerDuty: api-gateway 5xx rate above 2% for 10 minutes"),
    (19, "rotate the datadog API key that was committed to the infra repo this morning"),
    (18, "add a --dry-run flag to the cluster bootstrap script"),
    (
        17,
        "capacity: holiday forecast is 2.5x, grow the redis cluster and node pools by November",
    ),
    (16, "disk full on the prometheus volume, scrapes failing since 03:00"),
    (15, "cert for grafana.internal expired an hour ago, everyone gets TLS errors"),
    (13, "incident: checkout latency p99 at 6s, db connection pool exhausted"),
    (12, "migrate CI runners off the vendor's legacy images before they are removed on the 30th"),
    (11, "follow-up from the checkout incident: add a connection pool saturation alert"),
    (10, "CVE-2026-3141 in our nginx ingress is being exploited in the wild, patch all clusters"),
    (9, "disk full on kafka-broker-2, producers timing out"),
    (8, "outage: eu-west DNS resolution failing for internal services"),
    (7, "vendor contract for the log platform ends in 9 months, plan the exit to self-hosted loki"),
    (6, "sev1: payments API returning 503s after the node pool upgrade, rolling back"),
    (5, "disk full on build-runner-2, builds failing across the org"),
    (5, "improve the error message when kubectl context is missing in the deploy CLI"),
    (4, "oncall got paged 14 times overnight for flapping etcd leader elections"),
    (3, "leaked GitHub token in a public gist, revoke and rotate now"),
    (3, "redis memory at 98%, evictions hitting the session store"),
    (2, "build auto-expanding volumes plus retention policies so disk-full pages go away"),
    (2, "rollback the broken terraform apply that deleted the staging NAT gateway"),
    (1, "page: certificate for api.example.com expires in 2 days and renewal failed"),
    (1, "typo in the runbook for failing over the primary database"),
    (0, "sev2: login latency p99 above 3s since the 10:00 deploy"),
)


@dataclass
class _At:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


async def seed_demo(db: Database, now: datetime) -> Team:
    """Replace the demo workspace's data with a fresh demo team whose work ends at ``now``."""
    async with db.uow() as uow:
        await uow.session.execute(delete(Team).where(Team.workspace == DEMO_WORKSPACE))
        await uow.commit()
    clock = _At(now)
    capture = CaptureService(db, clock, TeamModels())
    team: Team | None = None
    for index, (days_ago, text) in enumerate(DEMO_ITEMS):
        clock.moment = now - timedelta(days=days_ago, hours=index % 7)
        actor = Actor(
            workspace=DEMO_WORKSPACE,
            user_id=DEMO_USERS[index % len(DEMO_USERS)],
            channel_id=DEMO_CHANNEL,
            channel_name=DEMO_CHANNEL_NAME,
        )
        captured = await capture.add(actor, text, source=Source.SLASH_COMMAND)
        team = captured.team
    assert team is not None
    await _seed_baselines(db, team, now)
    return team


# (baseline, measurements as (day of the reported week, value)): one missed, one met, and one
# without a measurement, so the demo digest shows all three honestly.
DEMO_BASELINES: tuple[tuple[str, tuple[tuple[int, float], ...]], ...] = (
    ("reliability availability >= 99.9%", ((1, 99.93), (4, 99.86))),
    ("latency checkout-p99 <= 300ms", ((2, 310.0), (5, 280.0))),
    ("security open-critical-cves <= 0", ()),
)


async def _seed_baselines(db: Database, team: Team, now: datetime) -> None:
    """The demo team's baselines, with measurements inside the week its digest reports."""
    week = current_digest_week(team, now)
    start, _ = week.bounds(team.timezone or "UTC")
    async with db.uow() as uow:
        for text, measurements in DEMO_BASELINES:
            baseline = parse_baseline(text)
            await uow.baselines.put(
                workspace=team.workspace,
                team_id=team.id,
                principle=baseline.principle.value,
                indicator=baseline.indicator,
                op=baseline.op.value,
                target=baseline.target,
                unit=baseline.unit,
                user_id=DEMO_USERS[0],
                now=now,
            )
            await uow.measurements.add_many(
                [
                    {
                        "workspace": team.workspace,
                        "team_id": team.id,
                        "principle": baseline.principle.value,
                        "value": value,
                        "measured_at": start + timedelta(days=day, hours=10),
                        "source": "import",
                        "created_by": None,
                        "created_at": now,
                    }
                    for day, value in measurements
                ]
            )
        await uow.commit()


async def demo_digest(db: Database, team: Team, now: datetime) -> str:
    """The demo team's full digest as the terminal shows it (the week it would post now)."""
    digests = DigestService(db, _At(now))
    digest = await digests.build(team, current_digest_week(team, now))
    return render_digest_text(digest)


async def weekly_mix(
    db: Database, team: Team, now: datetime, weeks: int
) -> list[tuple[IsoWeek, dict[str, int]]]:
    """Counts per quadrant for each of the last ``weeks`` ISO weeks (team's timezone), oldest
    first, the current week so far last."""
    tz = team.timezone or "UTC"
    current = IsoWeek.containing(now, tz)
    mixes = []
    async with db.read() as uow:
        for back in range(weeks - 1, -1, -1):
            week = current.minus(back)
            since, until = week.bounds(tz)
            mixes.append((week, await uow.items.mix(team.workspace, team.id, since, until)))
    return mixes


def render_mix(team_name: str, mixes: list[tuple[IsoWeek, dict[str, int]]]) -> str:
    """A plain-text table of the weekly mix by quadrant."""
    header = f"{'':<26}" + "".join(f"{q.short_label:>17}" for q in Quadrant) + f"{'forced':>9}"
    lines = [f"Infra work — {team_name} — mix by quadrant, last {len(mixes)} weeks", header]
    for index, (week, mix) in enumerate(mixes):
        total = sum(mix.values())
        label = week.label() + (" so far" if index == len(mixes) - 1 else "")
        cells = "".join(
            f"{mix.get(q.value, 0):>9} ({_pct(mix.get(q.value, 0), total):>4})" for q in Quadrant
        )
        forced = mix.get(Quadrant.FORCED_SHORT.value, 0) + mix.get(Quadrant.FORCED_LONG.value, 0)
        lines.append(f"{label:<26}{cells}{_pct(forced, total):>9}")
    return "\n".join(lines)


def _pct(part: int, total: int) -> str:
    # Rounded exactly as the digest rounds, so the table and the digest agree.
    return format_percent(part / total) if total else "—"
