"""On PostgreSQL, which copies of the bot may receive updates: one long-polling copy alone, or any number of
webhook copies, never both.

Why: Telegram gives getUpdates to one caller at a time (a second gets 409 Conflict, and the two take turns
losing), and a polling copy deletes the webhook that the other copies serve (they put it back, and around it
goes). SQLite has its own lock on DATA_DIR (app/instance_lock.py); replicas share a PostgreSQL database, so the
lock is there: a session-level advisory lock on a connection of its own, held for the process's life, exclusive
for polling and shared for the webhook. PostgreSQL drops it with the connection, also when a copy is killed -9.
A copy that cannot take it stops at start-up with one sentence (StartupError), before it touches the webhook.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Integer, func, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from happykids.app.first_contact import StartupError

log = logging.getLogger(__name__)
# Two int4 keys: PostgreSQL keeps them apart from the one-bigint keys of the chats' locks (db/unit_of_work.py).
LOCK_KEYS = (0x484B, 0x5250)


@asynccontextmanager
async def receiving_lock(engine: AsyncEngine, *, webhook: bool) -> AsyncIterator[None]:
    if engine.dialect.name != "postgresql":
        yield
        return
    keys = [literal(key, Integer) for key in LOCK_KEYS]
    async with engine.connect() as connection:
        outside = await connection.execution_options(isolation_level="AUTOCOMMIT")
        take = func.pg_try_advisory_lock_shared if webhook else func.pg_try_advisory_lock
        if not await outside.scalar(select(take(*keys))):
            raise StartupError(_refusal(webhook))
        try:
            yield
        finally:
            give_back = func.pg_advisory_unlock_shared if webhook else func.pg_advisory_unlock
            try:
                await outside.scalar(select(give_back(*keys)))
            except Exception:  # noqa: BLE001 - never hand the pool a connection that may still hold it
                await connection.invalidate()


def _refusal(webhook: bool) -> str:
    if webhook:
        return ("На этой базе PostgreSQL уже работает копия бота с long polling: остановите её (или перезапустите "
                "с вебхуком) — копии с вебхуком и long polling вместе не работают.")
    return ("На этой базе PostgreSQL уже работает другая копия бота. С long polling бот работает только в одной "
            "копии (Telegram отдаёт обновления одному получателю): остановите её или запустите все копии с "
            "вебхуком (WEBHOOK_URL и WEBHOOK_SECRET).")
