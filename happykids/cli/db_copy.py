"""`happykids db copy-to-postgres АДРЕС`: the SQLite database copied into an empty PostgreSQL one (the move to
several replicas, docs/operations.md). The work is services/db_copy.py; here: the arguments, the bot that must
not be running on the source meanwhile, and one sentence or the summary.

`db` itself is registered by cli/commands.py; this module adds one more action to it (one line in REGISTRARS,
after `register_db`), so the copy's options and wording live together here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

from happykids.config import Settings

DESCRIPTION = """Копирует базу SQLite (по умолчанию — из DATA_DIR) в пустую базу PostgreSQL: создаёт в ней схему
последней версии, переносит все таблицы, сверяет число строк в каждой. Исходная база не меняется; непустую базу
назначения команда не трогает. Бот на время копирования должен быть остановлен.
Пример: happykids db copy-to-postgres postgresql+asyncpg://happykids:пароль@127.0.0.1:5432/happykids"""


def register(sub: Any) -> None:
    db = sub.choices["db"]
    actions = next(a for a in db._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001 - argparse
    copy = actions.add_parser("copy-to-postgres", help="перенести базу SQLite в пустую базу PostgreSQL",
                              description=DESCRIPTION)
    copy.add_argument("target", metavar="АДРЕС", help="адрес пустой базы PostgreSQL: "
                      "postgresql+asyncpg://user:password@host:5432/dbname")
    copy.add_argument("--from", dest="source", type=Path, metavar="ФАЙЛ",
                      help="файл базы SQLite (по умолчанию DATA_DIR/happykids.sqlite3)")
    copy.set_defaults(handler=_copy)


def _source(args: argparse.Namespace, settings: Settings) -> Path | None:
    if args.source is not None:
        return Path(args.source)
    from happykids.db.snapshot import sqlite_path  # SQLAlchemy's URL parser: not at every `happykids` start

    return sqlite_path(settings.resolved_database_url)  # None: DATABASE_URL already names PostgreSQL


def _copy(args: argparse.Namespace, settings: Settings) -> int:
    from happykids.app.instance_lock import AlreadyRunning, InstanceLock
    from happykids.services.db_copy import CopyRefused, copy_to_postgres

    source = _source(args, settings)
    if source is None:
        print("happykids: DATABASE_URL уже указывает на PostgreSQL, а копировать нужно из SQLite: укажите файл "
              "базы через --from.", file=sys.stderr)
        return 1
    # The bot's lock (it lives beside the database in its DATA_DIR): a running bot would go on writing to the
    # source after the copy, and a bot started meanwhile would too. Taken only where a bot has run (no new files).
    lock = InstanceLock(source.parent)
    try:
        with lock if lock.path.exists() else contextlib.nullcontext():
            report = asyncio.run(copy_to_postgres(source, args.target))
    except AlreadyRunning:
        print(f"happykids: с базой {source} ещё работает бот: остановите его и повторите, иначе то, что он запишет "
              "после копирования, в PostgreSQL не попадёт.", file=sys.stderr)
        return 1
    except CopyRefused as exc:
        print(f"happykids: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0
