"""Which replica sends a broadcast (the claim on db/models/broadcast.py:Broadcast; workers/leases.py).

Broadcasts go out one after another, across replicas too: only the oldest active one may be claimed, and only
when nobody holds it (or its holder's lease ran out), so two replicas never send two broadcasts at once (each
paces itself under Telegram's limit, together they would exceed it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Broadcast
from happykids.domain.broadcasts import ACTIVE


async def claim_next(session: AsyncSession, owner: str, until: datetime) -> tuple[int, str | None] | None:
    """Claim the oldest active broadcast if it is free: (its id, the previous claimant or None) — a previous
    claimant means it was started before (by a replica that died or stopped) and is resumed. None: no active
    broadcast, or another replica is sending it. The caller commits."""
    row = (await session.execute(select(Broadcast.id, Broadcast.claimed_by).where(Broadcast.status.in_(ACTIVE))
                                 .order_by(Broadcast.id).limit(1))).first()
    if row is None:
        return None
    broadcast_id, previous = row
    # Conditional: of two replicas at once, the second re-reads the row after the first commits and finds it taken.
    taken = await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status.in_(ACTIVE),
                                or_(Broadcast.claimed_until.is_(None), Broadcast.claimed_until < utcnow()))
        .values(claimed_by=owner, claimed_until=until))
    return (broadcast_id, previous) if _rowcount(taken) == 1 else None


async def renew(session: AsyncSession, broadcast_id: int, owner: str, until: datetime) -> bool:
    """Extend the lease; False if another replica took the broadcast over (this one must stop sending)."""
    return _rowcount(await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.claimed_by == owner,
                                Broadcast.claimed_until.is_not(None))
        .values(claimed_until=until))) == 1


async def release(session: AsyncSession, broadcast_id: int | None, owner: str | None) -> bool:
    """Let go (finished, or a graceful stop): the claimant stays recorded, the lease ends now. `owner` None and
    `broadcast_id` None: every claim (at start on SQLite, where a claim found can only be a dead process's)."""
    query = update(Broadcast).where(Broadcast.claimed_until.is_not(None))
    if broadcast_id is not None:
        query = query.where(Broadcast.id == broadcast_id)
    if owner is not None:
        query = query.where(Broadcast.claimed_by == owner)
    return _rowcount(await session.execute(query.values(claimed_until=None))) > 0


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
