"""The polling inbox (db/models/handled_update.py InboxUpdate): keep a fetched batch, list what is unfinished,
drop what was handled.

`keep` ignores an id already kept: after a restart Telegram may send again the last batch, which polling
stored but had not confirmed yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import InboxUpdate
from happykids.db.upserts import insert_for

_INBOX = cast(Table, InboxUpdate.__table__)


async def keep(session: AsyncSession, updates: list[tuple[int, str]]) -> None:
    """Store (update_id, JSON) pairs; one INSERT for the whole batch."""
    if not updates:
        return
    dialect = session.get_bind().dialect.name
    now = utcnow()
    rows = [{"update_id": update_id, "payload": payload, "received_at": now} for update_id, payload in updates]
    # Rows as parameters, not .values(rows): SQLAlchemy caches the compiled statement only in this form.
    connection = await session.connection()  # Core on the connection: no ORM execute machinery per batch
    await connection.execute(insert_for(dialect, _INBOX).on_conflict_do_nothing(), rows)


async def drop(session: AsyncSession, update_ids: Iterable[int]) -> None:
    """Several times a second under load: a Core DELETE on the session's connection, without the ORM's bulk
    delete machinery (synchronize_session, ORM compile state), which cost more CPU than the statement."""
    ids = list(update_ids)
    if ids:
        connection = await session.connection()
        await connection.execute(delete(_INBOX).where(_INBOX.c.update_id.in_(ids)))


async def unfinished(session: AsyncSession) -> list[tuple[int, str]]:
    """Kept updates that never finished, oldest first: never handled, or handled up to a commit and then cut
    short (those have a HandledUpdate row; the middleware does not redo their work, it only shows the parent's
    screen again: handlers/redelivery.py)."""
    rows = await session.execute(select(InboxUpdate.update_id, InboxUpdate.payload).order_by(InboxUpdate.update_id))
    return [(int(update_id), payload) for update_id, payload in rows]


async def prune(session: AsyncSession, before: datetime) -> None:
    """Housekeeping: rows older than Telegram could matter. Not the rows of handled updates: one still in flight
    has its HandledUpdate row from its first commit and must stay until it finishes (`drop`)."""
    await session.execute(delete(InboxUpdate).where(InboxUpdate.received_at < before))
