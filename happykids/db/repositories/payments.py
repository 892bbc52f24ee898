"""Receipts as the director's payment records: totals, one month, search by parent, the export.

The receipt lifecycle (intake, decisions, review copies) is in `receipts.py`; this module only reads.
Times are naive UTC, as stored; callers convert local months into UTC bounds first.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Receipt
from happykids.domain.receipts import ReceiptStatus


async def status_counts(session: AsyncSession) -> dict[str, int]:
    """How many receipts have each status."""
    rows = (await session.execute(select(Receipt.status, func.count()).group_by(Receipt.status))).all()
    return {status: int(count) for status, count in rows}


async def approved_between(session: AsyncSession, start: datetime, end: datetime) -> tuple[int, int]:
    """(count, sum of amounts) of approved receipts sent in [start, end)."""
    count, total = (await session.execute(
        select(func.count(), func.coalesce(func.sum(Receipt.amount), 0))
        .where(Receipt.status == ReceiptStatus.APPROVED.value, Receipt.created_at >= start,
               Receipt.created_at < end))).one()
    return int(count or 0), int(total or 0)


async def receipts_between(session: AsyncSession, start: datetime | None = None,
                           end: datetime | None = None) -> list[Receipt]:
    """Every receipt (or those sent in [start, end)), oldest first."""
    query = select(Receipt).order_by(Receipt.created_at, Receipt.id)
    if start is not None and end is not None:
        query = query.where(Receipt.created_at >= start, Receipt.created_at < end)
    return list((await session.scalars(query)).all())


async def receipt_times(session: AsyncSession) -> list[datetime]:
    """When each receipt was sent (to list the months that have any)."""
    return list((await session.scalars(select(Receipt.created_at))).all())


async def sender_names(session: AsyncSession) -> list[tuple[int, str, str | None]]:
    """Distinct (user id, name, username) as written into receipts: a parent may have changed them since."""
    query = select(Receipt.user_id, Receipt.parent_name, Receipt.username).distinct()
    return [(user_id, name, username) for user_id, name, username in (await session.execute(query)).all()]


async def counts_by_sender(session: AsyncSession, user_ids: Collection[int]) -> dict[int, int]:
    query = (select(Receipt.user_id, func.count()).where(Receipt.user_id.in_(user_ids))
             .group_by(Receipt.user_id))
    return {user_id: int(count) for user_id, count in (await session.execute(query)).all()}


async def latest_by_sender(session: AsyncSession, user_ids: Collection[int]) -> dict[int, datetime]:
    """When each of them sent their newest receipt."""
    query = (select(Receipt.user_id, func.max(Receipt.created_at)).where(Receipt.user_id.in_(user_ids))
             .group_by(Receipt.user_id))
    return dict((await session.execute(query)).all())


async def newest_of(session: AsyncSession, user_id: int, limit: int) -> list[Receipt]:
    """A parent's receipts, newest first."""
    query = (select(Receipt).where(Receipt.user_id == user_id)
             .order_by(Receipt.created_at.desc(), Receipt.id.desc()).limit(limit))
    return list((await session.scalars(query)).all())


async def approved_by_method(session: AsyncSession, start: datetime | None,
                             end: datetime) -> dict[str, tuple[int, int]]:
    """How approved payments sent in [start, end) were paid: method -> (count, sum of amounts). Issue #13."""
    query = (select(Receipt.method, func.count(), func.coalesce(func.sum(Receipt.amount), 0))
             .where(Receipt.status == ReceiptStatus.APPROVED.value, Receipt.created_at < end)
             .group_by(Receipt.method))
    if start is not None:
        query = query.where(Receipt.created_at >= start)
    return {method: (int(count or 0), int(total or 0)) for method, count, total in (await session.execute(query)).all()}
