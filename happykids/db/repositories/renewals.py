"""Paid periods (who has paid until when, per group), and the payment links given to parents (the funnel's "link"
events) for the gentle follow-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import CatalogPeriod, ChildrenOption, FunnelEvent, PaidPeriod, Parent, Receipt, Reminder
from happykids.domain.reporting import FunnelStep

FOLLOWUP_PREFIX = "followup:"  # + the link's funnel event id: the key of its one follow-up


async def links_without_followup(session: AsyncSession, since: datetime, limit: int = 500) -> list[FunnelEvent]:
    """Payment links given (funnel step "link") since `since` that have no follow-up reminder yet, oldest first."""
    key = literal(FOLLOWUP_PREFIX, String) + cast(FunnelEvent.id, String)
    scheduled = select(Reminder.id).where(Reminder.key == key).exists()
    query = (select(FunnelEvent).where(FunnelEvent.kind == FunnelStep.LINK, FunnelEvent.at >= since, ~scheduled)
             .order_by(FunnelEvent.id).limit(limit))
    return list((await session.scalars(query)).all())


async def newer_link_exists(session: AsyncSession, user_id: int, event_id: int) -> bool:
    query = select(FunnelEvent.id).where(FunnelEvent.user_id == user_id, FunnelEvent.kind == FunnelStep.LINK,
                                         FunnelEvent.id > event_id)
    return await session.scalar(query.limit(1)) is not None


async def receipt_since(session: AsyncSession, user_id: int, since: datetime) -> bool:
    """Did the parent send any receipt at or after `since`?"""
    query = select(Receipt.id).where(Receipt.user_id == user_id, Receipt.created_at >= since)
    return await session.scalar(query.limit(1)) is not None


async def period_length(session: AsyncSession, code: str) -> tuple[str, int | None, int | None] | None:
    """(title, months, days) of the catalog period with this code; None for an unknown code."""
    row = (await session.execute(select(CatalogPeriod.title, CatalogPeriod.months, CatalogPeriod.days)
                                 .where(CatalogPeriod.code == code))).first()
    return None if row is None else (row[0], row[1], row[2])


async def get_period(session: AsyncSession, period_id: int) -> CatalogPeriod | None:
    return await session.get(CatalogPeriod, period_id)


async def set_period_length(session: AsyncSession, period_id: int, months: int | None, days: int | None) -> None:
    await session.execute(update(CatalogPeriod).where(CatalogPeriod.id == period_id).values(months=months, days=days))


async def period_code_by_title(session: AsyncSession, title: str) -> str | None:
    """Titles are unique within the periods (the catalog refuses two equal buttons), so a receipt's title names one."""
    return await session.scalar(select(CatalogPeriod.code).where(CatalogPeriod.title == title).limit(1))


async def children_count_by_title(session: AsyncSession, title: str) -> int | None:
    return await session.scalar(select(ChildrenOption.count).where(ChildrenOption.title == title).limit(1))


async def get(session: AsyncSession, user_id: int, group_code: str) -> PaidPeriod | None:
    query = select(PaidPeriod).where(PaidPeriod.user_id == user_id, PaidPeriod.group_code == group_code)
    return await session.scalar(query.execution_options(populate_existing=True))


async def by_receipt(session: AsyncSession, receipt_id: int) -> PaidPeriod | None:
    return await session.scalar(select(PaidPeriod).where(PaidPeriod.receipt_id == receipt_id))


async def save(session: AsyncSession, user_id: int, group_code: str, paid_until: date, *,
               period_code: str | None, children_count: int | None, receipt_id: int | None) -> PaidPeriod:
    """Set the family's paid-until in the group (a new payment also ends «Мы больше не занимаемся»)."""
    row = await get(session, user_id, group_code)
    if row is None:
        row = PaidPeriod(user_id=user_id, group_code=group_code, paid_until=paid_until)
        session.add(row)
    row.paid_until, row.stopped_at, row.updated_at = paid_until, None, utcnow()
    row.period_code = period_code or row.period_code
    row.children_count = children_count or row.children_count
    row.receipt_id = receipt_id if receipt_id is not None else row.receipt_id
    await session.flush()
    return row


async def set_paid_until(session: AsyncSession, row_id: int, paid_until: date) -> None:
    await session.execute(update(PaidPeriod).where(PaidPeriod.id == row_id)
                          .values(paid_until=paid_until, updated_at=utcnow()))


async def stop(session: AsyncSession, user_id: int, group_code: str) -> bool:
    result = await session.execute(update(PaidPeriod).where(
        PaidPeriod.user_id == user_id, PaidPeriod.group_code == group_code, PaidPeriod.stopped_at.is_(None),
    ).values(stopped_at=utcnow()))
    return bool(getattr(result, "rowcount", 0))


async def ending(session: AsyncSession, until: date) -> list[tuple[PaidPeriod, Parent | None]]:
    """Families still with the agency whose paid period ends by `until` (overdue ones included), soonest first."""
    query = (select(PaidPeriod, Parent).outerjoin(Parent, Parent.user_id == PaidPeriod.user_id)
             .where(PaidPeriod.stopped_at.is_(None), PaidPeriod.paid_until <= until)
             .order_by(PaidPeriod.group_code, PaidPeriod.paid_until, PaidPeriod.id))
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def get_by_id(session: AsyncSession, row_id: int) -> PaidPeriod | None:
    return await session.get(PaidPeriod, row_id)
