"""Engine and session factory. SQLite gets WAL and a busy timeout so the bot and the CLI can share it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A handler holds its session while FSM storage and middlewares open their own: never cap the pool,
        # or many parents at once would wait on each other (SQLite connections are cheap).
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=40, max_overflow=-1)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Polling handles at most app.MAX_CONCURRENT_UPDATES at once, each using up to three connections.
    return create_async_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=80)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
