"""Catalog items one at a time, by kind (groups, periods, children options): what the panel edits.

The whole-catalog operations (load for the dialog, replace from a file, export) are in `catalog.py`.
Functions flush but never commit: the caller commits the change together with its audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import CatalogGroup, CatalogPeriod, ChildrenOption, FunnelEvent, Receipt
from happykids.domain.catalog import CatalogKind

CatalogRow = CatalogGroup | CatalogPeriod | ChildrenOption
Row = TypeVar("Row", CatalogGroup, CatalogPeriod, ChildrenOption)
CatalogModel = type[CatalogGroup] | type[CatalogPeriod] | type[ChildrenOption]
MODELS: dict[CatalogKind, CatalogModel] = {
    CatalogKind.GROUP: CatalogGroup, CatalogKind.PERIOD: CatalogPeriod, CatalogKind.CHILDREN: ChildrenOption,
}


async def _ordered(session: AsyncSession, model: type[Row]) -> list[Row]:
    return list((await session.scalars(select(model).order_by(model.position, model.id))).all())


async def list_items(session: AsyncSession, kind: CatalogKind) -> list[CatalogRow]:
    """The items of one kind in the order parents see them."""
    if kind is CatalogKind.GROUP:
        return list(await _ordered(session, CatalogGroup))
    if kind is CatalogKind.PERIOD:
        return list(await _ordered(session, CatalogPeriod))
    return list(await _ordered(session, ChildrenOption))


async def list_periods(session: AsyncSession) -> list[CatalogPeriod]:
    return await _ordered(session, CatalogPeriod)


async def list_children(session: AsyncSession) -> list[ChildrenOption]:
    return await _ordered(session, ChildrenOption)


async def get_item(session: AsyncSession, kind: CatalogKind, item_id: int) -> CatalogRow | None:
    return await session.get(MODELS[kind], item_id)


async def get_group(session: AsyncSession, group_id: int) -> CatalogGroup | None:
    return await session.get(CatalogGroup, group_id)


async def get_period(session: AsyncSession, period_id: int) -> CatalogPeriod | None:
    return await session.get(CatalogPeriod, period_id)


async def get_children(session: AsyncSession, children_id: int) -> ChildrenOption | None:
    return await session.get(ChildrenOption, children_id)


async def children_by_count(session: AsyncSession, count: int) -> ChildrenOption | None:
    return await session.scalar(select(ChildrenOption).where(ChildrenOption.count == count))


async def next_position(session: AsyncSession, kind: CatalogKind) -> int:
    """The place after the last item of the kind."""
    model = MODELS[kind]
    return int(await session.scalar(select(func.coalesce(func.max(model.position), -1))) or 0) + 1


async def codes_in_use(session: AsyncSession, kind: CatalogKind) -> set[str]:
    """Codes a new group or period must not take. Receipts and funnel events keep the group code: reusing
    an old code would mix its history into the new group's, so those count as taken too."""
    if kind is CatalogKind.CHILDREN:
        return set()
    model = CatalogGroup if kind is CatalogKind.GROUP else CatalogPeriod
    taken = set((await session.scalars(select(model.code))).all())
    if kind is CatalogKind.GROUP:
        taken |= {c for c in (await session.scalars(select(Receipt.group_code).distinct())).all() if c}
        taken |= {c for c in (await session.scalars(select(FunnelEvent.group_code).distinct())).all() if c}
    return {code for code in taken if code}


async def add_coded(session: AsyncSession, kind: CatalogKind, code: str, title: str,
                    position: int) -> CatalogGroup | CatalogPeriod:
    """A new visible group or period."""
    item = (CatalogGroup if kind is CatalogKind.GROUP else CatalogPeriod)(
        code=code, title=title, position=position, hidden=False)
    session.add(item)
    await session.flush()
    return item


async def add_children(session: AsyncSession, count: int, title: str, position: int) -> ChildrenOption:
    item = ChildrenOption(count=count, title=title, position=position, hidden=False)
    session.add(item)
    await session.flush()
    return item


async def receipts_with_group(session: AsyncSession, group_code: str) -> int:
    """Receipts naming the group by its code (periods and children are copied into a receipt as titles)."""
    return int(await session.scalar(select(func.count()).select_from(Receipt)
                                    .where(Receipt.group_code == group_code)) or 0)


async def delete_item(session: AsyncSession, item: CatalogRow) -> None:
    """Delete the row; its payment links must be deleted first (see payment_links.delete_for)."""
    await session.delete(item)
    await session.flush()


async def set_title(session: AsyncSession, item: CatalogRow, title: str) -> None:
    item.title = title
    await session.flush()


async def set_hidden(session: AsyncSession, item: CatalogRow, hidden: bool) -> None:
    item.hidden = hidden
    await session.flush()


async def renumber(session: AsyncSession, items: Sequence[CatalogRow]) -> None:
    """Store `items` in this order (positions 0, 1, 2…): positions may have gaps or ties after imports."""
    for position, item in enumerate(items):
        item.position = position
    await session.flush()
