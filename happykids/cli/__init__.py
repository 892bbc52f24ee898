"""The `happykids` command: run the bot, the offline demo, catalog import/export, database upgrade.

Every subcommand is registered by one function in REGISTRARS (a new one: a module with `register(sub)` that
adds its parser and `set_defaults(handler=...)`, plus one line here). Everything it prints is in Russian, like
the rest of what people read; the settings are loaded once, and a bad one is one sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from happykids.cli import db_copy, ops
from happykids.cli.commands import register_catalog, register_db, register_demo, register_run
from happykids.cli.parser import Parser, Registrar
from happykids.config import ConfigError, load_settings
from happykids.db.errors import MigrationFailed

REGISTRARS: list[Registrar] = [
    register_run,
    register_demo,
    register_catalog,
    register_db,
    ops.register,  # health, backup, restore
    db_copy.register,  # db copy-to-postgres (after register_db: it adds an action to `db`)
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="happykids", description="Telegram-бот модельного агентства Happy Kids.",
                    epilog="Подробнее о любой команде: happykids КОМАНДА --help")
    sub = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА", title="команды")
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args, load_settings()))
    except (ConfigError, MigrationFailed) as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
