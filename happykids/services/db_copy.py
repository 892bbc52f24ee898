"""`happykids db copy-to-postgres`: the agency's SQLite database copied into an empty PostgreSQL database, the
step from one process on SQLite to several replicas (docs/operations.md).

The source is never written to: a consistent snapshot is taken with SQLite's backup API into a temporary
folder (safe even while something reads it), and if that snapshot's schema is older than this version's it is
the snapshot that is upgraded. The target must be empty (no tables at all), so nothing anyone wrote there can
be overwritten or mixed in; it is migrated to the head revision, then every table of `Base.metadata` is copied
in dependency order within one transaction, the id sequences are moved past the copied ids, and the row counts
of every table are compared before the commit. A failure rolls the rows back and drops the schema it created,
so the target is empty again and the command can simply be run once more.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from happykids.db.engine import create_engine
from happykids.db.migrate import alembic_config, current_revision, head_revision, upgrade_async
from happykids.db.repositories import copying
from happykids.db.snapshot import copy_database, has_tables
from happykids.domain.wording import count_of

BATCH = 1000  # rows per INSERT: few round trips, bounded memory
CONNECT_TIMEOUT = 10


class CopyRefused(Exception):
    """The copy cannot be made or did not complete; the message is one Russian sentence for the operator."""


@dataclass(frozen=True)
class CopyReport:
    target: str  # host:port/dbname, without the password
    rows: dict[str, int]  # table -> rows copied (equal in both databases)
    database_url: str  # what DATABASE_URL should say, the password as ***

    def summary(self) -> str:
        tables = count_of(len(self.rows), "таблица", "таблицы", "таблиц")
        rows = count_of(sum(self.rows.values()), "строка", "строки", "строк")
        return (f"База скопирована в PostgreSQL {self.target}: {tables}, {rows}; в каждой таблице строк столько же, "
                "сколько в исходной базе, а сама она не изменилась.\nДальше: впишите в .env "
                f"DATABASE_URL={self.database_url} (пароль вместо ***, если он есть) и запустите бота "
                "(docs/operations.md, «Когда переходить на PostgreSQL и несколько копий»).")


def postgres_url(url: str) -> str:
    """The target as SQLAlchemy's asyncpg URL; postgresql:// and postgres:// (as psql takes them) are accepted."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("postgresql+asyncpg", "postgresql", "postgres"):
        raise CopyRefused("Копировать можно только в PostgreSQL: укажите адрес вида "
                          "postgresql+asyncpg://user:password@host/dbname.")
    return f"postgresql+asyncpg://{rest}"


def shown(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


async def copy_to_postgres(source: Path, target_url: str) -> CopyReport:
    target_url = postgres_url(target_url)
    if not await asyncio.to_thread(source.is_file):
        raise CopyRefused(f"Базы SQLite {source} нет: укажите файл базы (--from) или DATA_DIR, где она лежит.")
    if not await asyncio.to_thread(has_tables, source):
        raise CopyRefused(f"В {source} нет таблиц бота: это не база Happy Kids, копировать из неё нечего.")
    target = create_async_engine(target_url, connect_args={"timeout": CONNECT_TIMEOUT})
    try:
        await _refuse_unless_empty(target, target_url)
        with tempfile.TemporaryDirectory(prefix="happykids-copy-") as scratch:
            snapshot = Path(scratch) / "snapshot.sqlite3"
            await asyncio.to_thread(copy_database, source, snapshot)  # reads the source, never writes it
            snapshot_url = f"sqlite+aiosqlite:///{snapshot}"
            if await current_revision(snapshot_url) != head_revision():
                await asyncio.to_thread(_upgrade_snapshot, snapshot_url)
            await upgrade_async(target_url)  # an empty target: a plain upgrade to head, no backup to take
            reader = create_engine(snapshot_url)
            try:
                rows = await _copy_all(reader, target)
            except BaseException:
                await _drop_created_schema(target)
                raise
            finally:
                await reader.dispose()
    finally:
        await target.dispose()
    return CopyReport(shown(target_url), rows, make_url(target_url).render_as_string(hide_password=True))


def _upgrade_snapshot(url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")  # the temporary snapshot only: nobody needs a backup of it


async def _refuse_unless_empty(target: AsyncEngine, url: str) -> None:
    try:
        async with target.connect() as conn:
            existing = await copying.table_names(conn)
    except (DBAPIError, OSError, TimeoutError) as exc:
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CopyRefused(f"Не удаётся подключиться к PostgreSQL {shown(url)} ({reason}): проверьте адрес, "
                          "пользователя и пароль и что база создана (createdb).") from None
    if existing:
        listed = ", ".join(existing[:3]) + (" …" if len(existing) > 3 else "")
        raise CopyRefused(f"В базе {shown(url)} уже есть таблицы ({listed}), а копировать можно только в пустую, "
                          "чтобы ничего не перезаписать: создайте новую базу (createdb) и укажите её.")


async def _copy_all(reader: AsyncEngine, target: AsyncEngine) -> dict[str, int]:
    rows: dict[str, int] = {}
    async with reader.connect() as src, target.begin() as dst:
        await copying.empty_tables(dst)  # the target was empty before its migration: only seed rows are here
        for table in copying.tables():
            try:
                async for batch in copying.read_rows(src, table, BATCH):
                    await copying.insert_rows(dst, table, batch)
            except SQLAlchemyError as exc:
                raise CopyRefused(_failed(table.name, exc)) from exc
        await copying.reset_sequences(dst)
        for table in copying.tables():
            rows[table.name] = await _same_count(src, dst, table)
    return rows


async def _same_count(src: AsyncConnection, dst: AsyncConnection, table: Table) -> int:
    expected, copied = await copying.count_rows(src, table), await copying.count_rows(dst, table)
    if expected != copied:
        raise CopyRefused(f"В таблице {table.name} после копирования {copied} строк вместо {expected}: копирование "
                          "отменено, база назначения снова пуста, исходная не тронута.")
    return copied


def _failed(table: str, exc: SQLAlchemyError) -> str:
    reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return (f"Таблицу {table} скопировать не удалось ({reason}): копирование отменено, база назначения снова "
            "пуста, исходная не тронута.")


async def _drop_created_schema(target: AsyncEngine) -> None:
    """The rows were rolled back with the transaction; the tables the migration made go too."""
    try:
        async with target.begin() as conn:
            await copying.drop_everything(conn)
    except SQLAlchemyError as exc:
        raise CopyRefused(f"Копирование не удалось, и убрать созданные таблицы из базы назначения тоже не вышло "
                          f"({exc.__class__.__name__}): удалите эту базу (dropdb), создайте заново и повторите."
                          ) from exc
