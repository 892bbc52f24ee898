"""Run Alembic migrations from code, so `happykids run` and `happykids demo` bring the schema up to date.

Most starts find the schema already current. Asking Alembic costs an import of Alembic, a second engine and
its env.py on every start (a third of the bot's extra cold start over a bare aiogram bot), so the current
revision is read with one query first and Alembic runs only when there is something to apply.

An upgrade is safe to start on the agency's only copy of its payment records: before a migration touches a
SQLite database that already has a schema, a copy is taken through SQLite's online backup API into
<database folder>/backups/ and the log says where. If a migration fails, that copy is put back, so the database
is exactly as it was and the previous version of the bot can keep running on it; `MigrationFailed` says so in
one sentence. PostgreSQL runs the whole upgrade in one transaction (transactional DDL), so a failure there
leaves the old schema by itself; take a pg_dump before upgrading (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from happykids.db.errors import MigrationFailed
from happykids.db.snapshot import copy_database, put_back, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*['"]?([\w]+)['"]?""", re.M)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config  # only when a migration really runs (see the module's docstring)

    cfg = Config(stdout=sys.stdout)  # today's stdout: alembic's default is the one at its first import
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str) -> None:
    """`happykids db upgrade`: the same safe upgrade as at start-up, from synchronous code."""
    asyncio.run(upgrade_async(database_url))


def _alembic_upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    """The newest revision in migrations/versions: the one no other revision names as its parent."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"])
        if found.get("down_revision", "None") != "None":
            parents.add(found["down_revision"])
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


async def current_revision(database_url: str) -> str | None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except DBAPIError:  # no alembic_version table yet: a new database
        return None
    finally:
        await engine.dispose()


async def upgrade_async(database_url: str) -> None:
    current, head = await current_revision(database_url), head_revision()
    if current == head:
        return
    # Alembic's env.py runs its own event loop for the async driver, so keep it off ours.
    await asyncio.to_thread(_safe_upgrade, database_url, current, head)


def _safe_upgrade(database_url: str, current: str | None, head: str) -> None:
    database = sqlite_path(database_url)
    copy = None
    if current is not None and database is not None:
        stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
        copy = database.parent / "backups" / f"before-upgrade-{current}-to-{head}-{stamp}.sqlite3"
        copy_database(database, copy)
        log.warning("Схема базы обновляется с %s до %s; копия базы до обновления — %s", current, head, copy)
    elif current is not None:
        log.warning("Схема базы обновляется с %s до %s; базу на сервере бот сам не копирует, поэтому перед "
                    "обновлениями делайте pg_dump", current, head)
    try:
        _alembic_upgrade(database_url)
    except Exception as exc:  # whatever broke, the old database is put back and the reason told (re-raised)
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        if copy is not None and database is not None:
            put_back(copy, database)
            raise MigrationFailed(
                f"Обновить базу со схемы {current} до {head} не удалось ({reason}); база возвращена в точности "
                f"такой, какой была (копия: {copy}), и прежняя версия бота может работать с ней дальше."
            ) from exc
        if current is not None:
            raise MigrationFailed(
                f"Обновить базу со схемы {current} до {head} не удалось ({reason}); база сама отменила "
                "обновление, и прежняя версия бота может работать с ней дальше."
            ) from exc
        raise MigrationFailed(f"Не удалось создать схему базы ({reason}): проверьте DATABASE_URL и что база пуста "
                              "и в неё можно писать.") from exc
