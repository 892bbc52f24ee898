"""Catalog items changed from the director's panel: add, rename, hide, reorder and delete groups, periods
and children options.

Plain functions on an AsyncSession (no aiogram), so the panel stays thin and the rules are unit-tested.
The typed input is checked by domain/catalog_edit.py, the rows are read and written by the repositories.
They flush but never commit: the caller commits the change together with its audit entry.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import CatalogGroup, CatalogPeriod, ChildrenOption
from happykids.db.repositories import catalog_items as rows
from happykids.db.repositories import payment_links
from happykids.db.repositories.catalog_items import CatalogRow
from happykids.domain.catalog import CatalogKind
from happykids.domain.catalog_edit import (
    CatalogEditError,
    ItemGone,
    ItemInUse,
    check_children_count,
    check_unique_title,
    children_title,
    clean_title,
    pick_code,
)

__all__ = [
    "CatalogRow", "add_children", "add_item", "code_of", "delete_item", "free_code", "get_item", "links_count",
    "list_items", "move_item", "position_of", "receipts_count", "rename_item", "set_hidden",
]

list_items = rows.list_items
get_item = rows.get_item


def code_of(item: CatalogRow) -> str:
    """The item's stable key as the catalog file writes it: the code, or the children count."""
    return str(item.count) if isinstance(item, ChildrenOption) else item.code


async def _require(session: AsyncSession, kind: CatalogKind, item_id: int) -> CatalogRow:
    item = await rows.get_item(session, kind, item_id)
    if item is None:
        raise ItemGone()
    return item


async def free_code(session: AsyncSession, kind: CatalogKind, title: str) -> str:
    return pick_code(kind, title, await rows.codes_in_use(session, kind))


async def add_item(session: AsyncSession, kind: CatalogKind, title: str) -> CatalogGroup | CatalogPeriod:
    """A new group or period at the end of the list, with a generated code."""
    if kind is CatalogKind.CHILDREN:
        raise CatalogEditError("Для количества детей укажите число.")
    title = check_unique_title(clean_title(title), [item.title for item in await rows.list_items(session, kind)])
    return await rows.add_coded(session, kind, await free_code(session, kind, title), title,
                                await rows.next_position(session, kind))


async def add_children(session: AsyncSession, count: int, title: str | None = None) -> ChildrenOption:
    check_children_count(count)
    if await rows.children_by_count(session, count) is not None:
        raise CatalogEditError(f"Вариант «{children_title(count)}» уже есть.")
    title = check_unique_title(clean_title(title or children_title(count)),
                               [item.title for item in await rows.list_items(session, CatalogKind.CHILDREN)])
    return await rows.add_children(session, count, title, await rows.next_position(session, CatalogKind.CHILDREN))


async def rename_item(session: AsyncSession, kind: CatalogKind, item_id: int, title: str) -> tuple[str, str]:
    """Returns (old title, new title)."""
    item = await _require(session, kind, item_id)
    old, new = item.title, clean_title(title)
    check_unique_title(new, [other.title for other in await rows.list_items(session, kind) if other.id != item_id])
    await rows.set_title(session, item, new)
    return old, new


async def set_hidden(session: AsyncSession, kind: CatalogKind, item_id: int, hidden: bool) -> CatalogRow:
    item = await _require(session, kind, item_id)
    await rows.set_hidden(session, item, hidden)
    return item


async def move_item(session: AsyncSession, kind: CatalogKind, item_id: int, delta: int) -> bool:
    """Swap the item with its neighbour (delta -1 = up, +1 = down); False when it is already at the edge."""
    items = await rows.list_items(session, kind)
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise ItemGone()
    target = index + delta
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    await rows.renumber(session, items)
    return True


async def position_of(session: AsyncSession, kind: CatalogKind, item_id: int) -> tuple[int, int]:
    """(1-based place, total) of the item in its list."""
    ids = [item.id for item in await rows.list_items(session, kind)]
    return (ids.index(item_id) + 1 if item_id in ids else 0), len(ids)


async def links_count(session: AsyncSession, kind: CatalogKind, item_id: int) -> int:
    return await payment_links.count_for(session, kind, item_id)


async def receipts_count(session: AsyncSession, kind: CatalogKind, item: CatalogRow) -> int:
    """Receipts referring to the item. Only groups are referred to by code; periods and children are
    copied into the receipt as titles, so deleting them leaves receipts intact."""
    if kind is not CatalogKind.GROUP or not isinstance(item, CatalogGroup):
        return 0
    return await rows.receipts_with_group(session, item.code)


async def delete_item(session: AsyncSession, kind: CatalogKind, item_id: int) -> tuple[str, int]:
    """Delete the item and its links; returns (title, links deleted). Refuses items receipts refer to."""
    item = await _require(session, kind, item_id)
    receipts = await receipts_count(session, kind, item)
    if receipts:
        raise ItemInUse(receipts)
    links = await payment_links.count_for(session, kind, item_id)
    await payment_links.delete_for(session, kind, item_id)
    title = item.title
    await rows.delete_item(session, item)
    return title, links

