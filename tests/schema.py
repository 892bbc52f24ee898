"""A SQLite database already at the newest schema, for tests that only need one to start from.

Why: running every Alembic migration on an empty file costs about half a second (twice that on a busy CI
machine), and hundreds of tests each begin with an empty database: that was minutes of a full run spent on the
same work. The migrations now run once per test process into a template file, and each test gets a copy of
it: the same file the migrations produce, so the bot finds its schema current and goes on as on any
second start. The migrations themselves stay tested: tests/unit/test_migrate.py runs them, and every test that
starts the real `happykids` process on a fresh DATA_DIR migrates there as an operator's first start does.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from happykids.db.migrate import upgrade
from happykids.db.snapshot import copy_database

_lock = threading.Lock()
_template: Path | None = None


def _migrated_template() -> Path:
    """The template of this process, migrated on first use (blocking: run it in a thread)."""
    global _template  # noqa: PLW0603 - one template per test process, made on first use
    with _lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="happykids-schema-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            migrated = folder / "migrated.sqlite3"
            upgrade(f"sqlite+aiosqlite:///{migrated}")  # the bot's own upgrade, as on a first start
            template = folder / "template.sqlite3"
            copy_database(migrated, template)  # one self-contained file (no -wal beside it) to copy from
            _template = template
        return _template


async def migrated_sqlite(target: Path) -> None:
    """Put a database with the newest schema at `target` (a new file): what the migrations leave in an empty one."""
    template = await asyncio.to_thread(_migrated_template)
    target.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(shutil.copyfile, template, target)


async def migrated_sqlite_url(folder: Path, name: str = "db.sqlite3") -> str:
    """The URL of a new database in `folder` with the newest schema."""
    await migrated_sqlite(folder / name)
    return f"sqlite+aiosqlite:///{folder / name}"
