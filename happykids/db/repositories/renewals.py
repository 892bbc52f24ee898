"""Paid periods (who has paid until when, per group) and the payment links given to parents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import CatalogPeriod, PaidPeriod, Parent, PaymentOffer, Receipt


async def record_offer(session: AsyncSession, user_id: int, group_code: str, period_code: str,
                       children_count: int) -> PaymentOffer:
    offer = PaymentOffer(user_id=user_id, group_code=group_code, period_code=period_code,
                         children_count=children_count, issued_at=utcnow())
    session.add(offer)
    await session.flush()
    return offer


async def get_offer(session: AsyncSession, offer_id: int) -> PaymentOffer | None:
    return await session.get(PaymentOffer, offer_id)


async def last_offer(session: AsyncSession, user_id: int, group_code: str | None,
                     before: datetime | None = None) -> PaymentOffer | None:
    """The parent's latest link (for that group), given before `before`."""
    query = select(PaymentOffer).where(PaymentOffer.user_id == user_id)
    if group_code is not None:
        query = query.where(PaymentOffer.group_code == group_code)
    if before is not None:
        query = query.where(PaymentOffer.issued_at <= before)
    return await session.scalar(query.order_by(PaymentOffer.issued_at.desc(), PaymentOffer.id.desc()).limit(1))


async def newer_offer_exists(session: AsyncSession, offer: PaymentOffer) -> bool:
    query = select(PaymentOffer.id).where(PaymentOffer.user_id == offer.user_id, PaymentOffer.id > offer.id)
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
    return await session.scalar(select(CatalogPeriod.code).where(CatalogPeriod.title == title).limit(1))


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
