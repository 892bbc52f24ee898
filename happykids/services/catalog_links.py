"""The link matrix from the director's panel: for one group, every period x children combination with its
payment link and amount, gaps included; set, replace, price or remove the link of one combination.

Plain functions on an AsyncSession (no aiogram); the rows are read and written by the repositories.
They flush but never commit: the caller commits the change together with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import CatalogGroup, CatalogPeriod, ChildrenOption, PaymentLink
from happykids.db.repositories import catalog_items, payment_links
from happykids.domain.catalog import check_amount
from happykids.domain.catalog_edit import CatalogEditError, parse_amount, parse_url

__all__ = [
    "Combo", "LinkMatrix", "get_combo", "get_link", "link_matrix", "parse_amount", "parse_url", "remove_link",
    "set_link_amount", "set_link_url",
]


@dataclass(slots=True)
class LinkMatrix:
    """Every period x children combination of one group, with its link (or None: a gap)."""

    group: CatalogGroup
    periods: list[CatalogPeriod]
    children: list[ChildrenOption]
    links: dict[tuple[int, int], PaymentLink]

    def link(self, period_id: int, children_id: int) -> PaymentLink | None:
        return self.links.get((period_id, children_id))

    @property
    def gaps(self) -> int:
        return sum(1 for p in self.periods for c in self.children if (p.id, c.id) not in self.links)


async def link_matrix(session: AsyncSession, group_id: int) -> LinkMatrix | None:
    group = await catalog_items.get_group(session, group_id)
    if group is None:
        return None
    links = await payment_links.of_group(session, group_id)
    return LinkMatrix(group=group, periods=await catalog_items.list_periods(session),
                      children=await catalog_items.list_children(session),
                      links={(row.period_id, row.children_id): row for row in links})


@dataclass(frozen=True, slots=True)
class Combo:
    group: CatalogGroup
    period: CatalogPeriod
    children: ChildrenOption

    @property
    def label(self) -> str:
        return f"{self.group.title} · {self.period.title} · {self.children.title}"


async def get_combo(session: AsyncSession, group_id: int, period_id: int, children_id: int) -> Combo | None:
    """The combination, or None when any part of it was deleted meanwhile."""
    group = await catalog_items.get_group(session, group_id)
    period = await catalog_items.get_period(session, period_id)
    children = await catalog_items.get_children(session, children_id)
    if group is None or period is None or children is None:
        return None
    return Combo(group, period, children)


async def get_link(session: AsyncSession, combo: Combo) -> PaymentLink | None:
    return await payment_links.get(session, combo.group.id, combo.period.id, combo.children.id)


async def set_link_url(session: AsyncSession, combo: Combo, url: str) -> str | None:
    """Set or replace the link; returns the old URL (None if there was a gap)."""
    url = parse_url(url)
    link = await get_link(session, combo)
    if link is None:
        await payment_links.add(session, combo.group.id, combo.period.id, combo.children.id, url)
        return None
    old = link.url
    await payment_links.set_url(session, link, url)
    return old


async def set_link_amount(session: AsyncSession, combo: Combo, amount: int | None) -> int | None:
    """Returns the old amount. An amount lives on a link, so there must be one."""
    link = await get_link(session, combo)
    if link is None:
        raise CatalogEditError("Сначала укажите ссылку на оплату, потом сумму.")
    old = link.amount
    await payment_links.set_amount(session, link, check_amount(amount))
    return old


async def remove_link(session: AsyncSession, combo: Combo) -> str | None:
    """Returns the removed URL (None if there was nothing to remove)."""
    link = await get_link(session, combo)
    if link is None:
        return None
    url = link.url
    await payment_links.remove(session, link)
    return url
