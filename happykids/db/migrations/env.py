"""Alembic environment for the async engine (SQLite by default, PostgreSQL via asyncpg)."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from happykids.db.engine import create_engine
from happykids.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:  # happykids.db.migrate always sets it from the settings
        raise RuntimeError("sqlalchemy.url is not set: run migrations through happykids.db.migrate")
    return url


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:  # also after a failed migration: db/migrate.py then puts the old database back
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
