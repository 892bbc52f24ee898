"""Database servers some tests use (this machine kind runs PostgreSQL and Redis on 127.0.0.1).

On a developer's machine with only Python they may be absent: those tests are skipped with the reason.
CI sets HAPPYKIDS_REQUIRE_SERVICES=1 (and starts the servers), so there a missing server fails the run.

`pg_schema_url` is a fresh database already at the newest schema, for tests that only need one to start from:
running the migrations on PostgreSQL costs seconds, so they run once per test process into a template database
and each test's database is created from it (CREATE DATABASE ... TEMPLATE, a file copy on the server).
`pg_url` stays empty, for the tests of the migrations and of copying into an empty database.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from happykids.db.migrate import upgrade

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def require_server(name: str, port: int) -> None:
    if _reachable(port):
        return
    message = f"{name} is not running on 127.0.0.1:{port}"
    if os.environ.get("HAPPYKIDS_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _pg(name: str) -> str:
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
async def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    require_server("PostgreSQL", 5432)
    name = f"hk_test_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    yield _pg(name)
    await _admin(f'DROP DATABASE "{name}" WITH (FORCE)')


class _SchemaTemplate:
    """This test process's migrated template database, made on first use and dropped at the session's end."""

    def __init__(self) -> None:
        self.name: str | None = None
        self._lock = threading.Lock()

    def get(self) -> str:
        """Blocking (the migrations run here the first time): call it in a thread."""
        with self._lock:
            if self.name is None:
                name = f"hk_template_{uuid.uuid4().hex[:10]}"
                asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
                upgrade(_pg(name))  # the bot's own upgrade; its engine is disposed: nobody stays connected
                self.name = name
            return self.name


_template = _SchemaTemplate()


@pytest.fixture(scope="session")
def _pg_template_dropped() -> Iterator[None]:
    yield
    if _template.name is not None:
        asyncio.run(_admin(f'DROP DATABASE "{_template.name}" WITH (FORCE)'))


@pytest.fixture
async def pg_schema_url(_pg_template_dropped):
    """A fresh PostgreSQL database at the newest schema (a copy of the migrated template), dropped afterwards."""
    require_server("PostgreSQL", 5432)
    template = await asyncio.to_thread(_template.get)
    name = f"hk_test_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _pg(name)
    await _admin(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def redis_server() -> None:
    require_server("Redis", 6379)
