"""Copies of a SQLite database taken with SQLite's online backup API, safe while the bot writes to it.

A plain file copy of a WAL database can miss the pages still in the -wal file or catch a page half-written; the
backup API (the standard library's `sqlite3.Connection.backup`) reads one consistent snapshot under a read
lock that never blocks the bot's writers. Used by `happykids backup`, by the copy taken before a schema
upgrade (db/migrate.py) and, in the other direction, to put that copy back if the upgrade fails.

Blocking calls: run them in a thread (`asyncio.to_thread`) from async code.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import make_url

BUSY_TIMEOUT_SECONDS = 30.0


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory ones."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of `source` into a new file `target` (written beside, then renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as src, \
            closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)  # all pages in one step: one snapshot, whatever the bot commits meanwhile
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    partial.replace(target)


def forget_inbox(database: Path) -> None:
    """Empty the polling inbox of a copy (app/polling.py): the updates in flight when it was taken were handled
    by the running bot afterwards and confirmed to Telegram, so a bot started on the copy must not handle them
    again (a restored backup would repeat a press the director made after it)."""
    with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)) as conn:
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'update_inbox'"
                        ).fetchone()[0]:
            with conn:
                conn.execute("DELETE FROM update_inbox")


def put_back(copy: Path, database: Path) -> None:
    """Overwrite `database` with the content of `copy` through the backup API (correct for a WAL database)."""
    with closing(sqlite3.connect(copy, timeout=BUSY_TIMEOUT_SECONDS)) as src, \
            closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)) as dst:
        src.backup(dst)


def has_tables(database: Path) -> bool:
    if not database.exists() or database.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def move_receipt_files(database: Path, data_dir: Path) -> int:
    """Point every receipt file at `data_dir`/receipts/<month>/<name> (after a restore into another DATA_DIR).

    The bot stores where it saved each file; the last two parts of that path are the month folder and the file
    name under DATA_DIR/receipts, wherever DATA_DIR was."""
    moved = 0
    with closing(sqlite3.connect(database)) as conn, conn:
        rows = conn.execute("SELECT id, file_path FROM receipt_files").fetchall()
        for row_id, old in rows:
            parts = PurePosixPath(Path(old).as_posix()).parts
            new = str(data_dir.resolve() / "receipts" / Path(*parts[-2:]))
            if new != old:
                conn.execute("UPDATE receipt_files SET file_path = ? WHERE id = ?", (new, row_id))
                moved += 1
    return moved
