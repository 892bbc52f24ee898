"""Payment links: one URL (and maybe an amount) per group x period x children combination.

Functions flush but never commit: the caller commits the change together with its audit entry.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import PaymentLink
from happykids.domain.catalog import CatalogKind

_COLUMN = {CatalogKind.GROUP: PaymentLink.group_id, CatalogKind.PERIOD: PaymentLink.period_id,
           CatalogKind.CHILDREN: PaymentLink.children_id}


async def of_group(session: AsyncSession, group_id: int) -> list[PaymentLink]:
    return list((await session.scalars(select(PaymentLink).where(PaymentLink.group_id == group_id))).all())


async def get(session: AsyncSession, group_id: int, period_id: int, children_id: int) -> PaymentLink | None:
    return await session.scalar(select(PaymentLink).where(
        PaymentLink.group_id == group_id, PaymentLink.period_id == period_id,
        PaymentLink.children_id == children_id,
    ))


async def count_for(session: AsyncSession, kind: CatalogKind, item_id: int) -> int:
    """Links that go away with the item."""
    return int(await session.scalar(select(func.count()).where(_COLUMN[kind] == item_id)) or 0)


async def delete_for(session: AsyncSession, kind: CatalogKind, item_id: int) -> None:
    # Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with PRAGMA foreign_keys.
    await session.execute(delete(PaymentLink).where(_COLUMN[kind] == item_id))


async def add(session: AsyncSession, group_id: int, period_id: int, children_id: int, url: str) -> PaymentLink:
    link = PaymentLink(group_id=group_id, period_id=period_id, children_id=children_id, url=url)
    session.add(link)
    await session.flush()
    return link


async def set_url(session: AsyncSession, link: PaymentLink, url: str) -> None:
    link.url = url
    await session.flush()


async def set_amount(session: AsyncSession, link: PaymentLink, amount: int | None) -> None:
    link.amount = amount
    await session.flush()


async def remove(session: AsyncSession, link: PaymentLink) -> None:
    await session.delete(link)
    await session.flush()
