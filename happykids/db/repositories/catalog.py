"""Catalog persistence: load it as domain objects, replace it from a spec, export it back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import CatalogGroup, CatalogPeriod, ChildrenOption, PaymentLink, Setting
from happykids.domain.catalog import Catalog, Link, Option
from happykids.domain.catalog_yaml import CatalogSpec, ChildrenItem, CodedItem
from happykids.domain.renewals import effective_length

CONTACTS_KEY = "contacts"
Row = TypeVar("Row", CatalogGroup, CatalogPeriod, ChildrenOption)


async def get_setting(session: AsyncSession, key: str, default: str = "") -> str:
    row = await session.get(Setting, key)
    return row.value if row else default


async def set_setting(session: AsyncSession, key: str, value: str) -> None:
    await session.merge(Setting(key=key, value=value))


async def load_catalog(session: AsyncSession) -> Catalog:
    groups = (await session.scalars(select(CatalogGroup).order_by(CatalogGroup.position, CatalogGroup.id))).all()
    periods = (await session.scalars(select(CatalogPeriod).order_by(CatalogPeriod.position, CatalogPeriod.id))).all()
    children = (await session.scalars(
        select(ChildrenOption).order_by(ChildrenOption.position, ChildrenOption.id))).all()
    by_group = {g.id: g.code for g in groups}
    by_period = {p.id: p.code for p in periods}
    by_children = {c.id: c.count for c in children}
    links = [
        Link(by_group[row.group_id], by_period[row.period_id], by_children[row.children_id], row.url, row.amount)
        for row in (await session.scalars(select(PaymentLink).order_by(PaymentLink.id))).all()
    ]
    return Catalog(
        contacts=await get_setting(session, CONTACTS_KEY),
        groups=[Option(g.id, g.code, g.title, g.hidden) for g in groups],
        periods=[Option(p.id, p.code, p.title, p.hidden) for p in periods],
        children=[Option(c.id, str(c.count), c.title, c.hidden) for c in children],
        links=links,
    )


async def replace_catalog(session: AsyncSession, spec: CatalogSpec) -> None:
    """Make the database hold exactly `spec`, hidden marks included. Rows keep their ids when their code
    stays, so buttons the parents already have keep working after a re-import. The caller commits (all or
    nothing)."""
    groups = await _sync(session, CatalogGroup, "code", spec.groups)
    periods = await _sync(session, CatalogPeriod, "code", spec.periods)
    children = await _sync(session, ChildrenOption, "count", spec.children)

    await session.execute(delete(PaymentLink))
    for link in spec.links:
        session.add(
            PaymentLink(
                group_id=groups[link.group].id, period_id=periods[link.period].id,
                children_id=children[link.children].id, url=link.url, amount=link.amount,
            )
        )
    await set_setting(session, CONTACTS_KEY, spec.contacts)
    await session.flush()


async def _sync(session: AsyncSession, model: type[Row], key: str,
                items: Sequence[CodedItem | ChildrenItem]) -> dict[Any, Row]:
    """Rows of `model` matched to `items` by `key` (code, or count for children): matching rows are
    updated in place, new ones added, the rest deleted."""
    existing: dict[Any, Row] = {getattr(row, key): row for row in (await session.scalars(select(model))).all()}
    result: dict[Any, Row] = {}
    for position, item in enumerate(items):
        value = getattr(item, key)
        row = existing.pop(value, None) or model(**{key: value})
        row.title, row.position, row.hidden = item.title, position, item.hidden
        if isinstance(row, CatalogPeriod) and isinstance(item, CodedItem):  # renewals: how long a payment lasts
            row.months, row.days = item.months, item.days
        session.add(row)
        result[value] = row
    for row in existing.values():
        await session.delete(row)
    await session.flush()
    return result


async def export_spec(session: AsyncSession) -> CatalogSpec:
    catalog = await load_catalog(session)
    lengths = {row.code: (row.months, row.days) for row in (await session.scalars(select(CatalogPeriod))).all()}
    return CatalogSpec(
        contacts=catalog.contacts,
        groups=[CodedItem(g.key, g.title, g.hidden) for g in catalog.groups],
        periods=[CodedItem(p.key, p.title, p.hidden, length.months, length.days) for p in catalog.periods
                 for length in [effective_length(p.title, *lengths.get(p.key, (None, None)))]],
        children=[ChildrenItem(int(c.key), c.title, c.hidden) for c in catalog.children],
        links=list(catalog.links),
    )


async def group_titles(session: AsyncSession) -> dict[str, str]:
    """Group code -> title, in catalog order (hidden groups included: history still names them)."""
    rows = (await session.execute(select(CatalogGroup.code, CatalogGroup.title)
                                  .order_by(CatalogGroup.position, CatalogGroup.id))).all()
    return dict(rows)


async def catalog_is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(CatalogGroup.id).limit(1))) is None
