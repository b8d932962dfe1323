"""The `infrawork` command line: serve, db upgrade, classify, export, demo."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.settings import Settings


def _settings() -> Settings:
    return Settings()


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(
        settings.log_level,
        settings.log_format,
        secrets=[
            s
            for s in (
                settings.secret("slack_bot_token"),
                settings.secret("slack_signing_secret"),
                settings.secret("slack_app_token"),
                settings.secret("slack_client_secret"),
                settings.secret("token_encryption_key"),
            )
            if s
        ],
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.gc_policy import freeze_what_lives, tune_collector
    from bot.runtime import Runtime, serve_forever
    from bot.socket_mode import SocketModeRefused

    settings = _settings()
    _configure_logging(settings)
    if args.socket:
        if not settings.slack_app_token:
            print(
                "SLACK_APP_TOKEN is not set: Socket Mode needs the app-level token (xapp-…) "
                "with the connections:write scope (Basic Information → App-Level Tokens).",
                file=sys.stderr,
            )
            return 2
        if not (settings.slack_bot_token or settings.oauth_enabled):
            print(
                "SLACK_BOT_TOKEN is not set: Socket Mode needs the bot token (xoxb-…) too.",
                file=sys.stderr,
            )
            return 2
    elif not settings.slack_signing_secret:
        print(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests.",
            file=sys.stderr,
        )
        return 2

    async def main() -> None:
        await serve_forever(
            Runtime(settings, socket_mode=args.socket), port=args.port, ready=freeze_what_lives
        )

    # What is loaded by now (modules, settings: ~100k objects) lives as long as the process.
    # Freezing it keeps it out of the collector's full passes, which otherwise stopped the
    # event loop for 50-70 ms a few times a minute under load (bench/RESULTS.md, request path);
    # what the server builds at start is frozen once it is up (``ready``), and the young
    # generation is collected less often (bot/gc_policy.py).
    freeze_what_lives()
    tune_collector()

    try:
        asyncio.run(main())
    except SocketModeRefused as error:
        print(str(error), file=sys.stderr)
        return 2
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from storage.uow import Database

    settings = _settings()

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(main())
    print("database schema is up to date")
    return 0


def _read_jsonl(stream: TextIO) -> Any:
    """(line number, text, when it was logged or None, problem or None) per non-blank line. When a
    line carries ``logged_at`` or ``created_at`` (ISO 8601, as ``infrawork export`` writes it), its
    dates are read against that time rather than now."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            yield number, None, None, "expected an object with a string 'text'"
            continue
        stamp = record.get("logged_at") or record.get("created_at")
        if stamp is None:
            yield number, text, None, None
            continue
        try:
            logged_at = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        except ValueError:
            problem = f"logged_at/created_at is not an ISO 8601 time: {str(stamp)[:40]!r}"
            yield number, None, None, problem
            continue
        if logged_at.tzinfo is None:
            logged_at = logged_at.replace(tzinfo=UTC)
        yield number, text, logged_at, None


def cmd_classify(args: argparse.Namespace) -> int:
    from core.classify import classify

    model = _team_model(args.team) if args.team is not None else None
    now = datetime.now(UTC)
    if args.jsonl is None:
        if not args.text:
            print("give the text to classify, or --jsonl FILE|-", file=sys.stderr)
            return 2
        result = classify(" ".join(args.text), logged_at=now, team=model)
        print(
            f"{result.quadrant.label}  ({result.quadrant.value}, "
            f"confidence {result.confidence:.2f})"
        )
        if result.principles:
            print("serves: " + ", ".join(p.value for p in result.principles))
        for signal in result.signals:
            print(f"  why: {signal.explain()}")
        return 0
    stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")  # noqa: SIM115
    status = 0
    try:
        out = sys.stdout
        for number, text, logged_at, problem in _read_jsonl(stream):
            if text is None:
                print(f"line {number}: {problem}", file=sys.stderr)
                out.write(json.dumps({"error": problem}) + "\n")
                status = 1
                continue
            result = classify(text, logged_at=logged_at or now, team=model)
            out.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    finally:
        if stream is not sys.stdin:
            stream.close()
    return status


def _team_model(team_id: int) -> Any:
    from bot.services.learning import TeamModels
    from storage.uow import Database

    settings = _settings()

    async def main() -> Any:
        db = Database(settings.database_url)
        try:
            async with db.read() as uow:
                teams = [t for t in await uow.teams.all() if t.id == team_id]
                if not teams:
                    raise SystemExit(f"no team with id {team_id}")
                return await TeamModels().for_team(uow, teams[0])
        finally:
            await db.dispose()

    return asyncio.run(main())


def cmd_export(args: argparse.Namespace) -> int:
    from bot.services.export import EXPORT_FIELDS, export_records
    from storage.uow import Database

    settings = _settings()

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            out = sys.stdout
            writer = None
            if args.format == "csv":
                writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
                writer.writeheader()
            async for record in export_records(db, args.workspace):
                if writer is not None:
                    writer.writerow({**record, "principles": ",".join(record["principles"])})
                else:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            await db.dispose()

    asyncio.run(main())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.services.importer import import_items, read_csv, read_jsonl
    from storage.uow import Database

    settings = _settings()
    reader = read_csv if args.format == "csv" else read_jsonl
    stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8", newline="")  # noqa: SIM115

    async def main() -> Any:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await import_items(db, reader(stream), SystemClock())
        finally:
            await db.dispose()

    try:
        report = asyncio.run(main())
    finally:
        if stream is not sys.stdin:
            stream.close()
    unit = "line" if args.format == "jsonl" else "row"
    for number, reason in report.errors:
        print(f"{unit} {number}: {reason}", file=sys.stderr)
    for team in report.teams_created:
        print(f"created team {team} (set its home channel with /infrawork setup)", file=sys.stderr)
    print(
        f"imported {report.created} item(s), {report.skipped} already present, "
        f"{len(report.errors)} left out"
    )
    return 1 if report.errors else 0


def cmd_workspace_purge(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.services.workspaces import WorkspaceService
    from storage.uow import Database

    if not args.yes:
        print(
            f"This deletes every team, item, baseline, digest and installation of workspace "
            f"{args.team_id}. Run again with --yes to do it.",
            file=sys.stderr,
        )
        return 2
    settings = _settings()

    async def main() -> dict[str, int]:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await WorkspaceService(db, SystemClock()).purge(args.team_id)
        finally:
            await db.dispose()

    deleted = asyncio.run(main())
    rows = ", ".join(f"{table} {count}" for table, count in deleted.items() if count)
    print(f"purged workspace {args.team_id}: {rows or 'nothing was stored for it'}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from bot.scheduler import Scheduler, workspace_clients
    from bot.services.container import Services
    from bot.services.digest import Outcome, current_digest_week
    from bot.slack_client import make_web_client
    from bot.text.digest import render_digest_text
    from core.schedule import IsoWeek
    from storage.uow import Database

    settings = _settings()
    try:
        week = IsoWeek.parse(args.week) if args.week else None
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    if args.post and not (settings.slack_bot_token or settings.oauth_enabled):
        print(
            "--post needs SLACK_BOT_TOKEN (or the OAuth settings) to reach Slack.", file=sys.stderr
        )
        return 2

    async def main() -> int:
        db = Database(settings.database_url)
        services = Services(settings=settings, db=db)
        client = make_web_client(settings) if settings.slack_bot_token else None
        try:
            await db.upgrade()
            now = datetime.now(UTC)
            teams = await services.digests.teams()
            if args.team is not None:
                teams = [t for t in teams if t.id == args.team]
                if not teams:
                    print(f"no team with id {args.team}", file=sys.stderr)
                    return 1
            if not args.post:
                for team in teams:
                    digest = await services.digests.build(
                        team, week or current_digest_week(team, now)
                    )
                    print(render_digest_text(digest))
                return 0
            installations = getattr(services, "installations", None)
            scheduler = Scheduler(
                db, services.digests, workspace_clients(settings, installations, client)
            )
            status = 0
            for result in await scheduler.post_now(teams, week, now):
                where = f"team {result.team_id} {result.week}"
                if result.outcome is Outcome.POSTED:
                    print(f"{where}: posted to {result.channel} (ts {result.ts})")
                    reply = result.reply
                    if reply is not None and reply.outcome is Outcome.FAILED:
                        then = (
                            f"retried from {reply.retry_at.isoformat()} by `infrawork serve`"
                            if reply.retry_at
                            else "not retried"
                        )
                        print(f"{where}: {reply.error}; {then}")
                elif result.outcome is Outcome.SKIPPED:
                    print(
                        f"{where}: not posted ({result.error or 'already posted or in progress'})"
                    )
                else:
                    print(f"{where}: failed: {result.error} (recorded; retried later)")
                    status = 1
            return status
        finally:
            if client is not None and client.session is not None:
                await client.session.close()
            await db.dispose()

    return asyncio.run(main())


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import demo_digest, render_mix, seed_demo, weekly_mix
    from storage.uow import Database

    settings = _settings()

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            now = datetime.now(UTC)
            team = await seed_demo(db, now)
            print(f"Seeded demo team {team.name} (id {team.id}) in {db.url}\n")
            print(render_mix(team.name, await weekly_mix(db, team, now, weeks=5)))
            print()
            print(await demo_digest(db, team, now), end="")
        finally:
            await db.dispose()

    asyncio.run(main())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infrawork",
        description="Sort your infra team's work into the essay's quadrants, from Slack.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot (HTTP mode, or --socket)")
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default $PORT or 3000)")
    serve.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db)

    classify = sub.add_parser("classify", help="classify text into a quadrant")
    classify.add_argument("text", nargs="*", help="the work item's text")
    classify.add_argument(
        "--jsonl",
        metavar="FILE|-",
        help='read {"text": ...} lines; a line\'s "logged_at" or "created_at" anchors its dates',
    )
    classify.add_argument("--team", type=int, help="use this team's corrections")
    classify.set_defaults(func=cmd_classify)

    export = sub.add_parser("export", help="print every item")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--workspace", help="only this workspace's items")
    export.set_defaults(func=cmd_export)

    importer = sub.add_parser("import", help="load items from an export (JSONL or CSV)")
    importer.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    importer.add_argument(
        "file", metavar="FILE|-", help="an `infrawork export` file, or - for stdin"
    )
    importer.set_defaults(func=cmd_import)

    workspace = sub.add_parser("workspace", help="manage the Slack workspaces served")
    workspace_sub = workspace.add_subparsers(dest="workspace_command", required=True)
    purge = workspace_sub.add_parser("purge", help="delete all of a workspace's data")
    purge.add_argument("team_id", help="the Slack workspace id (T…)")
    purge.add_argument("--yes", action="store_true", help="really delete")
    purge.set_defaults(func=cmd_workspace_purge)

    digest = sub.add_parser("digest", help="render (or post) the weekly digest")
    which = digest.add_mutually_exclusive_group()
    which.add_argument("--team", type=int, help="only this team (by id)")
    which.add_argument("--all", action="store_true", help="every team (the default)")
    how = digest.add_mutually_exclusive_group()
    how.add_argument("--print", action="store_true", help="print it as text (the default)")
    how.add_argument("--post", action="store_true", help="post it now, once per team and week")
    digest.add_argument("--week", metavar="YYYY-Www", help="the week to report (default: now's)")
    digest.set_defaults(func=cmd_digest)

    demo = sub.add_parser("demo", help="seed a demo team and print its week (no Slack needed)")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
