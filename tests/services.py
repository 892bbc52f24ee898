"""Database servers some tests use (this machine kind runs PostgreSQL and Redis on 127.0.0.1).

On a developer's machine with only Python they may be absent: those tests are skipped with the reason.
CI sets HAPPYKIDS_REQUIRE_SERVICES=1 (and starts the servers), so there a missing server fails the run.
"""

from __future__ import annotations

import os
import socket
import uuid

import asyncpg
import pytest

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


@pytest.fixture
async def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    require_server("PostgreSQL", 5432)
    name = f"hk_test_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture
def redis_server() -> None:
    require_server("Redis", 6379)
