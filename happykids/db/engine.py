"""Engine and session factory. SQLite gets WAL and a busy timeout so the bot and the CLI can share it, and
fewer hand-offs to aiosqlite's thread per statement (db/sqlite_hops.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from happykids.db.change_tracking import BOARD, VersionBoard
from happykids.db.sqlite_hops import fewer_thread_hops

DEFAULT_POOL_SIZE = 60  # PostgreSQL, one copy of the bot: 50 updates in flight and 10 for the jobs and tools


def create_engine(url: str, pool_size: int | None = None) -> AsyncEngine:
    """`pool_size`: PostgreSQL's connections for this process (DATABASE_POOL_SIZE); SQLite ignores it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per update in flight, plus the background jobs and the CLI's short sessions: never
        # cap the pool, or a burst would wait on connections instead of on the database (they are cheap here).
        on_file = bool(parsed.database) and parsed.database != ":memory:"
        connect_args: dict[str, object] = {"timeout": 30}
        if on_file:  # SQLAlchemy's default for a file database, stated: db/sqlite_hops.py relies on it
            connect_args["check_same_thread"] = False
        engine = create_async_engine(url, connect_args=connect_args, pool_size=updates_in_flight(url) + 10,
                                     max_overflow=-1)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if on_file:
            event.listen(engine.sync_engine, "connect", _fewer_thread_hops)
        return engine
    # One connection per update in flight (one unit of work each) plus a few for the background jobs.
    return create_async_engine(url, pool_pre_ping=True, pool_size=pool_size or DEFAULT_POOL_SIZE, max_overflow=10)


def updates_in_flight(url: str, pool_size: int | None = None) -> int:
    """How many updates the bot handles at once. SQLite has one writer: more in flight only queue on its
    lock and stretch every parent's wait. A server database takes many at once, and the handlers mostly wait
    on round trips, so throughput grows with concurrency up to the pool (each update holds one connection),
    less the 10 kept for the background jobs."""
    return 10 if make_url(url).get_backend_name() == "sqlite" else (pool_size or DEFAULT_POOL_SIZE) - 10


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 256 KiB of page cache per connection instead of SQLite's 2 MB: the pool keeps one connection per update in
    # flight plus the jobs' (~20), each filling its own cache, and any commit by another connection makes it
    # stale anyway (WAL), so the big caches mostly held memory (~5 MB less after 3,000 parents); pages come from
    # the OS cache instead.
    cursor.execute("PRAGMA cache_size=-256")
    cursor.close()


def _fewer_thread_hops(dbapi_connection: DBAPIConnection, _record: object) -> None:
    fewer_thread_hops(dbapi_connection)


def create_session_factory(engine: AsyncEngine, versions: VersionBoard | None = None
                           ) -> async_sessionmaker[AsyncSession]:
    """`versions`: the app's board, told after each commit what reference data changed (db/change_tracking.py)."""
    return async_sessionmaker(engine, expire_on_commit=False, info={BOARD: versions} if versions else None)
