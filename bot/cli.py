"""The `infrawork` command line: serve, db upgrade, classify, export, demo."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections.abc import Sequence
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
    from bot.runtime import Runtime, serve_forever

    settings = _settings()
    _configure_logging(settings)
    if args.socket:
        print(
            "Socket Mode is not available yet; run HTTP mode (without --socket).", file=sys.stderr
        )
        return 2
    if not settings.slack_signing_secret:
        print(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests.",
            file=sys.stderr,
        )
        return 2

    async def main() -> None:
        await serve_forever(Runtime(settings), port=args.port)

    asyncio.run(main())
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
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            yield number, None
            continue
        yield number, text


def cmd_classify(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

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
        for number, text in _read_jsonl(stream):
            if text is None:
                print(f'line {number}: expected {{"text": "..."}}', file=sys.stderr)
                out.write(json.dumps({"error": "expected an object with a string 'text'"}) + "\n")
                status = 1
                continue
            result = classify(text, logged_at=now, team=model)
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


def cmd_demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.demo import render_mix, seed_demo, weekly_mix
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
    classify.add_argument("--jsonl", metavar="FILE|-", help='read {"text": ...} lines')
    classify.add_argument("--team", type=int, help="use this team's corrections")
    classify.set_defaults(func=cmd_classify)

    export = sub.add_parser("export", help="print every item")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--workspace", help="only this workspace's items")
    export.set_defaults(func=cmd_export)

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
