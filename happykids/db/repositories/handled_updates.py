"""Handled Telegram update ids (db/models/handled_update.py): record one, ask about one, prune old ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import HandledUpdate


async def record_handled(session: AsyncSession, update_id: int) -> None:
    """In the update's own transaction: the id is there exactly when its work is."""
    await session.execute(insert(HandledUpdate).values(update_id=update_id, handled_at=utcnow()))


async def was_handled(session: AsyncSession, update_id: int) -> bool:
    found = await session.scalar(select(HandledUpdate.update_id).where(HandledUpdate.update_id == update_id))
    return found is not None


async def highest_handled(session: AsyncSession) -> int:
    """The newest recorded id (0 if none): an update above it cannot have been handled before."""
    return int(await session.scalar(select(func.max(HandledUpdate.update_id))) or 0)


async def prune_handled(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
