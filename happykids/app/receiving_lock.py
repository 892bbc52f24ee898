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

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from happykids.app.first_contact import StartupError
from happykids.db.repositories.handled_updates import give_back_receiving_lock, take_receiving_lock


@asynccontextmanager
async def receiving_lock(engine: AsyncEngine, *, webhook: bool) -> AsyncIterator[None]:
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as connection:
        if not await take_receiving_lock(connection, shared=webhook):
            raise StartupError(_refusal(webhook))
        try:
            yield
        finally:
            try:
                await give_back_receiving_lock(connection, shared=webhook)
            except Exception:  # noqa: BLE001 - never hand the pool a connection that may still hold it
                await connection.invalidate()


def _refusal(webhook: bool) -> str:
    if webhook:
        return ("На этой базе PostgreSQL уже работает копия бота с long polling: остановите её (или перезапустите "
                "с вебхуком) — копии с вебхуком и long polling вместе не работают.")
    return ("На этой базе PostgreSQL уже работает другая копия бота. С long polling бот работает только в одной "
            "копии (Telegram отдаёт обновления одному получателю): остановите её или запустите все копии с "
            "вебхуком (WEBHOOK_URL и WEBHOOK_SECRET).")
