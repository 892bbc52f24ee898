"""SQLite statements make fewer trips to aiosqlite's thread, and transactions behave as before (db/sqlite_hops.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import text

from happykids.db.engine import create_engine


def test_a_write_and_its_commit_take_two_trips_to_the_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    trips: list[str] = []
    queued = aiosqlite.core.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(getattr(fn, "func", fn), "__name__", repr(fn)))
        return await queued(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)

    async def scenario() -> tuple[list[str], list[int]]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        try:
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE t (n INTEGER)"))
            trips.clear()
            async with engine.begin() as connection:  # cursor, close and the pool's rollback stay on the loop
                await connection.execute(text("INSERT INTO t VALUES (1)"))
            written = list(trips)
            async with engine.connect() as connection:  # a real rollback still goes to the thread and undoes
                await connection.execute(text("INSERT INTO t VALUES (2)"))
                await connection.rollback()
            async with engine.connect() as connection:
                rows = [n for (n,) in await connection.execute(text("SELECT n FROM t"))]
            return written, rows
        finally:
            await engine.dispose()

    written, rows = asyncio.run(scenario())
    assert written == ["execute", "commit"]
    assert rows == [1]
