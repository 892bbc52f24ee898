"""Funnel events for the statistics: only user id, step, group code and time are read.

(Recording an event is `parents.record_event`, next to the parent it belongs to.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import FunnelEvent

EventRow = tuple[int, str, str | None, datetime]  # user id, kind, group code, at (naive UTC)
_COLUMNS = (FunnelEvent.user_id, FunnelEvent.kind, FunnelEvent.group_code, FunnelEvent.at)


async def events_between(session: AsyncSession, since: datetime | None, until: datetime) -> list[EventRow]:
    """Events with since <= at < until (since None: from the beginning)."""
    query = select(*_COLUMNS).where(FunnelEvent.at < until)
    if since is not None:
        query = query.where(FunnelEvent.at >= since)
    return [(user_id, kind, code, at) for user_id, kind, code, at in (await session.execute(query)).all()]


async def earlier_group_choices(session: AsyncSession, since: datetime, until: datetime) -> list[EventRow]:
    """Events before `since` that carry a group code, of the parents active in [since, until): they tell
    which group a later event without a code belongs to."""
    in_period = select(FunnelEvent.user_id).where(FunnelEvent.at >= since, FunnelEvent.at < until)
    query = select(*_COLUMNS).where(
        FunnelEvent.at < since, FunnelEvent.group_code.is_not(None), FunnelEvent.user_id.in_(in_period))
    return [(user_id, kind, code, at) for user_id, kind, code, at in (await session.execute(query)).all()]
