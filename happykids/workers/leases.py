"""Claims with a lease: how a background job runs once when several replicas of the bot share one database.

A replica takes a piece of work (an outbox task, a broadcast, the day's backup) by writing its owner id and a
lease end (`claimed_until`) in a conditional UPDATE or INSERT: only one writer wins, on PostgreSQL (row locks,
`FOR UPDATE SKIP LOCKED`) and on SQLite (one writer at a time) alike. While it works it renews the lease every
LEASE_SECONDS / 3; a replica killed in the middle stops renewing, and another takes the work over when the lease
has run out. Every write that ends the work names the owner, so a replica that lost its lease (stalled longer
than the lease) cannot overwrite what its successor did: it notices and stops.

On SQLite there is only ever one bot process (app/instance_lock.py), so a claim found at start belongs to a
process that died: it is released at once instead of waiting for the lease (`sole_process`).

Clocks: leases compare the replicas' own UTC clocks; keep them synchronised (NTP), a skew of a few seconds is
far below the lease.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.base import utcnow

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0  # module-level so tests can let a killed replica's lease run out quickly


def new_owner() -> str:
    """An id for one worker of one process: host, pid and a random part (two hubs in one process differ)."""
    return f"{socket.gethostname()[:32]}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def lease_end(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(seconds=LEASE_SECONDS)


def sole_process(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """True when this process is the only bot on its database (SQLite), so any claim found belongs to the dead."""
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"


async def keep_lease(renew: Callable[[], Awaitable[bool]]) -> None:
    """Renew a lease every LEASE_SECONDS / 3 until cancelled; return when it was lost (another replica took the
    work over), so the caller stops. A failed renewal (the database briefly away) is tried again next time."""
    while True:
        await asyncio.sleep(LEASE_SECONDS / 3)
        try:
            if not await renew():
                return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the lease may still be ours; the next round tells
            log.warning("Не удалось продлить захват фоновой задачи (%s), попробую снова", exc)
