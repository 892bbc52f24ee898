"""`happykids health | backup | restore`: the operator's commands for keeping the bot running for years.

Registered in cli/__init__.py with one line (`ops.register` in REGISTRARS); each command sets its `handler`,
which `main` runs. Every failure is one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from happykids.config import Settings
from happykids.domain.os_errors import os_reason

# The services are imported inside each command: `happykids run` and `--help` do not pay for them.


def register(sub: argparse._SubParsersAction) -> None:  # argparse's own type, private in name only
    health = sub.add_parser("health", help="здоров ли работающий бот: код 0, или 1 и одна фраза о причине",
                            description="Проверяет работающего бота: процесс жив, база отвечает, Telegram "
                                        "недавно отдавал обновления, очередь архива чеков не стоит, MEGA пускает. "
                                        "Код выхода 0 — всё хорошо; 1 — и одна фраза о том, что не так.")
    health.add_argument("--json", action="store_true", help="напечатать весь отчёт в JSON")
    health.set_defaults(handler=_health)

    backup = sub.add_parser("backup", help="резервная копия: база, чеки, каталог и тексты в одном архиве",
                            description="Пишет один согласованный архив, пока бот работает: базу (SQLite — "
                                        "через online backup API), файлы чеков, каталог, тексты и опись с "
                                        "количествами и контрольными суммами.")
    backup.add_argument("path", type=Path, nargs="?", metavar="ПУТЬ",
                        help="файл архива или папка (по умолчанию DATA_DIR/backups/happykids-backup-<время>.tar.gz)")
    backup.set_defaults(handler=_backup)

    restore = sub.add_parser("restore", help="восстановить резервную копию в пустой DATA_DIR",
                             description="Проверяет архив (контрольные суммы, опись) и восстанавливает его в "
                                         "пустой DATA_DIR; непустой не трогает.")
    restore.add_argument("path", type=Path, metavar="АРХИВ", help="файл .tar.gz, записанный happykids backup")
    restore.set_defaults(handler=_restore)


def _health(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.services.health import check_health

    report = asyncio.run(check_health(settings))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(report.sentence(), file=sys.stdout if report.healthy else sys.stderr)
    return 0 if report.healthy else 1


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.cli.commands import database_usable
    from happykids.services.backup import BackupError, create_backup, target_path

    database_usable(settings)
    return _carry_out(lambda: create_backup(settings, target_path(settings, args.path)), BackupError)


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.services.backup import BackupError, restore_backup

    return _carry_out(lambda: restore_backup(settings, args.path), BackupError)


def _carry_out(work: Callable[[], Coroutine[Any, Any, Any]], refused: type[Exception]) -> int:
    """Run a backup or a restore: its summary and 0, or one sentence and 1 (never a traceback)."""
    try:
        result = asyncio.run(work())
    except refused as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"happykids: {_os_error(exc)}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _os_error(exc: OSError) -> str:
    """«Нет доступа к /var/lib/happykids» and the like, with what to do about it."""
    where = f" ({exc.filename})" if exc.filename else ""
    if isinstance(exc, PermissionError):
        return f"Нет доступа{where}: запустите команду от пользователя бота, например sudo -u happykids."
    return f"Файл или папка недоступны{where}: {os_reason(exc)}, проверьте путь и место на диске."
