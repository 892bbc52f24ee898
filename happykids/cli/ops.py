"""`happykids health | backup | restore`: the operator's commands for keeping the bot running for years.

Registered in cli/__init__.py with one line (`ops.add_commands(sub)`); each command sets `ops_command`, which
`main` runs. Every failure is one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

from happykids.config import Settings

# The services are imported inside each command: `happykids run` and `--help` do not pay for them.


def add_commands(sub: argparse._SubParsersAction) -> None:  # argparse's own type, private in name only
    health = sub.add_parser("health", help="is the running bot healthy? exit 0, or 1 with one sentence")
    health.add_argument("--json", action="store_true", help="print the whole report as JSON")
    health.set_defaults(ops_command=_health)

    backup = sub.add_parser("backup", help="write one consistent archive of the database, receipts, catalog, texts")
    backup.add_argument("path", type=Path, nargs="?",
                        help="archive file or directory (default: DATA_DIR/backups/happykids-backup-<time>.tar.gz)")
    backup.set_defaults(ops_command=_backup)

    restore = sub.add_parser("restore", help="restore a backup into an empty DATA_DIR")
    restore.add_argument("path", type=Path, help="the .tar.gz written by `happykids backup`")
    restore.set_defaults(ops_command=_restore)


def run(args: argparse.Namespace, settings: Settings) -> int | None:
    """The command's exit code, or None when the command is not one of these."""
    command: Callable[[argparse.Namespace, Settings], int] | None = getattr(args, "ops_command", None)
    return command(args, settings) if command else None


def _health(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.services.health import check_health

    report = asyncio.run(check_health(settings))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(report.sentence(), file=sys.stdout if report.healthy else sys.stderr)
    return 0 if report.healthy else 1


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.services.backup import BackupError, create_backup, target_path

    try:
        result = asyncio.run(create_backup(settings, target_path(settings, args.path)))
    except BackupError as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"happykids: {_os_error(exc)}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.services.backup import BackupError, restore_backup

    try:
        result = asyncio.run(restore_backup(settings, args.path))
    except BackupError as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"happykids: {_os_error(exc)}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _os_error(exc: OSError) -> str:
    """`Permission denied: /var/lib/happykids` and the like, with the usual cause."""
    where = f": {exc.filename}" if exc.filename else ""
    hint = " (run the command as the bot's user, e.g. sudo -u happykids)" if isinstance(exc, PermissionError) else ""
    return f"{exc.strerror or exc}{where}{hint}."
