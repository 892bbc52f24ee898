"""The SQL of `happykids db copy-to-postgres` (services/db_copy.py): whole tables, read and written generically.

Everything goes by `Base.metadata`, so a table added later is copied without a change here. Functions take a
connection, not a session: the copy is bulk work on two databases at once, with no ORM objects in between.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Integer, Table, delete, func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from happykids.db.base import Base

ALEMBIC_TABLE = "alembic_version"


def tables() -> list[Table]:
    """Every table of the bot, parents before the tables that refer to them."""
    import happykids.db.models  # noqa: F401 - importing the models fills Base.metadata

    return list(Base.metadata.sorted_tables)


async def table_names(conn: AsyncConnection) -> list[str]:
    def names(sync: Connection) -> list[str]:
        return sorted(inspect(sync).get_table_names())

    return await conn.run_sync(names)


async def read_rows(conn: AsyncConnection, table: Table, batch: int) -> AsyncIterator[list[dict[str, Any]]]:
    """The table's rows in primary-key order, `batch` at a time (streamed: a big table is never all in memory)."""
    result = await conn.stream(select(table).order_by(*table.primary_key.columns))
    async for part in result.partitions(batch):
        yield [dict(row._mapping) for row in part]  # noqa: SLF001 - SQLAlchemy's public row-as-dict API


async def insert_rows(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    await conn.execute(insert(table), rows)


async def empty_tables(conn: AsyncConnection) -> None:
    """Delete every row, children first: what the migrations themselves put in (a fresh target's seed rows)."""
    for table in reversed(tables()):
        await conn.execute(delete(table))


async def count_rows(conn: AsyncConnection, table: Table) -> int:
    return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def reset_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL's id sequences continue after the highest copied id (rows were inserted with their ids)."""
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer) or keys[0].autoincrement is False:
            continue
        column = keys[0].name
        sequence = await conn.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                     {"table": table.name, "column": column})
        if sequence is None:  # an integer key without a sequence (the singleton archive_status row)
            continue
        highest = await conn.scalar(select(func.max(table.c[column])))
        await conn.execute(text("SELECT setval(CAST(:sequence AS regclass), :next, false)"),
                           {"sequence": sequence, "next": int(highest or 0) + 1})


async def drop_everything(conn: AsyncConnection) -> None:
    """Undo a failed copy into a database that was empty before: the bot's tables and Alembic's mark go."""
    await conn.run_sync(Base.metadata.drop_all)
    await conn.execute(text(f"DROP TABLE IF EXISTS {ALEMBIC_TABLE}"))
