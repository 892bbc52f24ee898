"""SQLite through aiosqlite with fewer trips to its thread: the calls that cannot block run on the event loop.

Why: aiosqlite runs every call on a connection in the connection's own thread, and each call is a hand-off
there and back (a queue put, a thread wake-up fighting the loop for the GIL, a future resolved through the
loop's self-pipe): about 0.1–0.3 ms of CPU each on the 2-core machine. SQLAlchemy's adapter makes four of them
per statement — `cursor()`, `execute()`, the cursor's `close()` and, returning the connection to the pool,
`rollback()` — so a parent's press (two statements and a commit) made eight, a visible share of its CPU in
benchmarks/press_speed.py (issue #8).

Creating a cursor and closing one never wait on the database (no lock, no I/O: a C object is made, a prepared
statement reset), and a rollback outside a transaction does nothing in Python's sqlite3 (it checks the same
flag first). So these run here, on the loop; `execute`, `fetch*`, `commit` and a real `rollback` still go to
the thread, where a busy database or a checkpoint may make them wait. The calls stay in order: SQLAlchemy
awaits each before the next, so the thread is idle for this connection whenever the loop touches it, and
SQLite's serialized mode guards the connection anyway. Needs `check_same_thread=False`, SQLAlchemy's default
for a file database (db/engine.py applies this only to one).
"""

from __future__ import annotations

from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager


class LoopSideCursor(aiosqlite.Cursor):
    async def close(self) -> None:
        self._cursor.close()


class LoopSideConnection(aiosqlite.Connection):
    @contextmanager  # as aiosqlite's own: awaitable, and an async context manager that closes the cursor
    async def cursor(self) -> aiosqlite.Cursor:
        return LoopSideCursor(self, self._conn.cursor())

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            await super().rollback()


def fewer_thread_hops(dbapi_connection: Any) -> None:
    """For a pool `connect` event: SQLAlchemy's adapter keeps the aiosqlite connection as `_connection`."""
    driver = getattr(dbapi_connection, "_connection", None)
    if type(driver) is aiosqlite.Connection:
        driver.__class__ = LoopSideConnection
