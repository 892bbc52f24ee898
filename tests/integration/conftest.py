"""Database servers for the integration tests.

On a developer's machine with only Python they may be absent: those tests are skipped with the reason.
CI sets HAPPYKIDS_REQUIRE_SERVICES=1 (and starts the servers), so there a missing server fails the run.
"""

from __future__ import annotations

import os
import socket

import pytest


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
def postgres_server() -> None:
    require_server("PostgreSQL", 5432)


@pytest.fixture
def redis_server() -> None:
    require_server("Redis", 6379)
