"""The `happykids` command: run the bot, the offline demo, catalog import/export, database upgrade."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from happykids.cli import ops
from happykids.config import ConfigError, Settings, load_settings
from happykids.db.errors import MigrationFailed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="happykids", description="Happy Kids agency Telegram bot.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="start the bot (long polling); needs BOT_TOKEN")
    demo = sub.add_parser("demo", help="the whole bot offline in this terminal: no token, no network")
    demo.add_argument("--data-dir", type=Path, help="where the demo keeps its data (default: DATA_DIR/demo)")
    demo.add_argument("--admin", action="store_true", help="chat as the director instead of a parent")

    catalog = sub.add_parser("catalog", help="import or export the catalog (groups, periods, links)")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    imp = catalog_sub.add_parser("import", help="replace the catalog with a YAML file")
    imp.add_argument("path", type=Path)
    catalog_sub.add_parser("export", help="print the current catalog as YAML")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply schema migrations (run and demo do this themselves)")
    ops.add_commands(sub)  # health, backup, restore (cli/ops.py)

    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if (code := ops.run(args, settings)) is not None:
            return code
        if args.command == "run":
            return _run(settings)
        if args.command == "demo":
            from happykids.demo.terminal import run_demo

            return asyncio.run(run_demo(settings, data_dir=args.data_dir, as_admin=args.admin))
        if args.command == "catalog":
            from happykids.cli import catalog as catalog_cli

            if args.catalog_command == "import":
                return asyncio.run(catalog_cli.import_catalog(settings, args.path))
            return asyncio.run(catalog_cli.export_catalog(settings))
        if args.command == "db":
            from happykids.db.migrate import upgrade

            settings.data_dir.mkdir(parents=True, exist_ok=True)
            upgrade(settings.resolved_database_url)
            print("Database is up to date.")
            return 0
    except (ConfigError, MigrationFailed) as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


def _run(settings: Settings) -> int:
    token = settings.require_token()  # before the slow aiogram import: a missing token answers at once

    from happykids.app import build_app, run_polling
    from happykids.app.first_contact import StartupError
    from happykids.app.instance_lock import AlreadyRunning, InstanceLock
    from happykids.app.logging_setup import setup_logging_from

    setup_logging_from(settings)  # LOG_LEVEL, LOG_FORMAT, secrets hidden
    try:
        with InstanceLock(settings.data_dir):
            async def go() -> None:
                await run_polling(await build_app(settings, token=token))

            asyncio.run(go())
    except AlreadyRunning as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 3
    except StartupError as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
