"""Broadcasts and their delivery rows, and the audience queries that decide who a broadcast goes to.

Every status change of a delivery is a conditional UPDATE or a single-row write, so the sender, the stop
button and a restart never disagree about who got the message (see workers/broadcasts.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Broadcast, BroadcastDelivery, CatalogGroup, FunnelEvent, Parent, Receipt
from happykids.domain.broadcasts import ACTIVE, BroadcastStatus, DeliveryStatus
from happykids.domain.receipts import ReceiptStatus

# --- audiences ----------------------------------------------------------------------------------------


async def all_parent_ids(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Parent.user_id))).all())


async def group_parent_ids(session: AsyncSession, group_code: str) -> set[int]:
    """Parents who chose the group in the dialog or sent a receipt for it."""
    chose = select(FunnelEvent.user_id).where(FunnelEvent.group_code == group_code).distinct()
    paid = select(Receipt.user_id).where(Receipt.group_code == group_code).distinct()
    return set((await session.scalars(chose)).all()) | set((await session.scalars(paid)).all())


async def paid_parent_ids(session: AsyncSession, start: datetime, end: datetime) -> set[int]:
    """Parents with a pending or approved receipt received in [start, end) (UTC)."""
    query = select(Receipt.user_id).where(
        Receipt.status.in_((ReceiptStatus.PENDING, ReceiptStatus.APPROVED)), Receipt.created_at >= start,
        Receipt.created_at < end).distinct()
    return set((await session.scalars(query)).all())


async def blocked_parent_ids(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Parent.user_id).where(Parent.blocked.is_(True)))).all())


async def count_blocked(session: AsyncSession, user_ids: list[int]) -> int:
    """How many of these parents are known to have blocked the bot."""
    if not user_ids:
        return 0
    query = select(func.count()).select_from(Parent).where(Parent.user_id.in_(user_ids), Parent.blocked.is_(True))
    return int(await session.scalar(query) or 0)


async def group_title(session: AsyncSession, code: str) -> str | None:
    return await session.scalar(select(CatalogGroup.title).where(CatalogGroup.code == code))


async def group_code(session: AsyncSession, group_id: int) -> str | None:
    return await session.scalar(select(CatalogGroup.code).where(CatalogGroup.id == group_id))


async def group_choices(session: AsyncSession) -> list[tuple[int, str, str]]:
    """Catalog groups (hidden ones too: their parents still exist) as (id, code, title)."""
    rows = (await session.execute(select(CatalogGroup.id, CatalogGroup.code, CatalogGroup.title)
                                  .order_by(CatalogGroup.position, CatalogGroup.id))).all()
    return [(group_id, code, title) for group_id, code, title in rows]


# --- broadcasts -----------------------------------------------------------------------------------------

async def add(session: AsyncSession, *, created_by: int, text: str, photo_file_id: str | None, audience: str,
              progress_chat_id: int | None, progress_message_id: int | None, button_text: str | None = None,
              button_url: str | None = None) -> Broadcast:
    """A new broadcast, queued for the sender ("sending"); flushed, so it has its id."""
    broadcast = Broadcast(created_by=created_by, text=text, photo_file_id=photo_file_id, audience=audience,
                          button_text=button_text, button_url=button_url,
                          status=BroadcastStatus.SENDING, progress_chat_id=progress_chat_id,
                          progress_message_id=progress_message_id)
    session.add(broadcast)
    await session.flush()
    return broadcast


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def status_of(session: AsyncSession, broadcast_id: int) -> str | None:
    return await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))


async def recent(session: AsyncSession, limit: int) -> list[Broadcast]:
    return list((await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))).all())


async def active_ids(session: AsyncSession) -> set[int]:
    """Broadcasts the sender still has to finish (or resume)."""
    return set((await session.scalars(select(Broadcast.id).where(Broadcast.status.in_(ACTIVE)))).all())


async def mark_stopping(session: AsyncSession, broadcast_id: int) -> bool:
    """"sending" -> "stopping", only if it is still sending (two presses at once stop it once)."""
    result = await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id,
                                                           Broadcast.status == BroadcastStatus.SENDING)
                                   .values(status=BroadcastStatus.STOPPING))
    return _rowcount(result) == 1


async def set_status(session: AsyncSession, broadcast_id: int, status: BroadcastStatus) -> None:
    values: dict[str, Any] = {"status": status}
    if status in (BroadcastStatus.DONE, BroadcastStatus.STOPPED):
        values["finished_at"] = utcnow()
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(**values))


async def set_progress_message(session: AsyncSession, broadcast_id: int, message_id: int | None) -> None:
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                          .values(progress_message_id=message_id))


# --- deliveries -----------------------------------------------------------------------------------------

async def add_deliveries(session: AsyncSession, broadcast_id: int, user_ids: list[int],
                         blocked: set[int]) -> dict[str, int]:
    """One row per recipient; those known to have blocked the bot are "blocked" at once. Returns the tally
    by status."""
    rows = [
        {"broadcast_id": broadcast_id, "user_id": uid,
         "status": DeliveryStatus.BLOCKED if uid in blocked else DeliveryStatus.PENDING, "attempts": 0,
         "error": "blocked the bot earlier" if uid in blocked else None}
        for uid in user_ids
    ]
    if rows:
        await session.execute(insert(BroadcastDelivery), rows)
    return dict(Counter(str(row["status"]) for row in rows))


async def status_counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    rows = (await session.execute(
        select(BroadcastDelivery.status, func.count()).where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.status))).all()
    return dict(rows)


async def cancel_pending(session: AsyncSession, broadcast_id: int) -> int:
    """Every row still pending becomes "cancelled" (never sent, by this run or after a restart)."""
    result = await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, error="stopped by an admin"))
    return _rowcount(result)


async def pending_deliveries(session: AsyncSession, broadcast_id: int) -> list[tuple[int, int]]:
    """(delivery id, user id) of the rows still to send, in the order they were made."""
    rows = (await session.execute(
        select(BroadcastDelivery.id, BroadcastDelivery.user_id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.PENDING)
        .order_by(BroadcastDelivery.id))).all()
    return [(delivery_id, user_id) for delivery_id, user_id in rows]


async def count_sending(session: AsyncSession, broadcast_id: int) -> int:
    query = select(func.count()).select_from(BroadcastDelivery).where(
        BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.SENDING)
    return int(await session.scalar(query) or 0)


async def sending_to_unknown(session: AsyncSession, broadcast_id: int, error: str) -> None:
    """Rows left "sending" by a crash: they may have arrived, so they are never resent."""
    await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.SENDING)
        .values(status=DeliveryStatus.UNKNOWN, error=error))


async def claim_delivery(session: AsyncSession, delivery_id: int) -> int | None:
    """pending -> sending, counting the attempt; the attempts so far, or None if the row is not pending
    any more (cancelled by a stop, or taken by someone else)."""
    claimed = await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.id == delivery_id, BroadcastDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, attempts=BroadcastDelivery.attempts + 1)
        .returning(BroadcastDelivery.attempts))
    attempts: int | None = claimed.scalar()
    return attempts


async def set_delivery(session: AsyncSession, delivery_id: int, status: DeliveryStatus,
                       error: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": error}
    if status is DeliveryStatus.SENT:
        values["sent_at"] = utcnow()
    await session.execute(update(BroadcastDelivery).where(BroadcastDelivery.id == delivery_id).values(**values))


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed (SQLAlchemy types `execute` as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
