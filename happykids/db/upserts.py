"""`insert_for(dialect, table)`: the INSERT that can say ON CONFLICT, in the dialect of the database in use.

Why it exists: the repositories and the dialog-state storage add rows "unless already there" with the dialect's
own insert() (PostgreSQL's or SQLite's; SQLAlchemy's generic one has no ON CONFLICT). Importing
`sqlalchemy.dialects.postgresql` loads the dialect module of every PostgreSQL driver SQLAlchemy knows (asyncpg,
psycopg, psycopg2, pg8000 and the rest, ~25 modules, ~50 ms of CPU), which a bot on SQLite paid at every start and
never used. So PostgreSQL's is imported here, in one place, the first time a PostgreSQL statement is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.sqlite import insert as sqlite_insert

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def insert_for(dialect: str, table: Any) -> PostgresInsert | SqliteInsert:
    """INSERT INTO ``table`` (a mapped class or a Table) for ``dialect`` ("postgresql" or "sqlite")."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # only on PostgreSQL (the module's docstring)

        return insert(table)
    return sqlite_insert(table)
