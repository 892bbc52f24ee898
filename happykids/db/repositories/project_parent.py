"""Queries of the parent's side of projects: offers of freed places, paid applications, project-fee receipts, and
everything stored about one parent (/mydata: show and delete). Every query a parent runs is scoped by their id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Application, Child, Consent, Parent, Project, Receipt
from happykids.domain.projects import ApplicationStatus
from happykids.domain.receipts import ReceiptStatus

# -- offers of a freed place -----------------------------------------------------------------------------


async def first_unoffered(session: AsyncSession, project_id: int, limit: int) -> list[Application]:
    """The first of the waiting list who have no offer yet, in arrival order."""
    query = (select(Application)
             .where(Application.project_id == project_id, Application.status == ApplicationStatus.WAITING,
                    Application.offer_until.is_(None))
             .order_by(Application.position).limit(limit))
    return list((await session.scalars(query)).all())


async def unoffered_count(session: AsyncSession, project_id: int) -> int:
    query = (select(func.count()).select_from(Application)
             .where(Application.project_id == project_id, Application.status == ApplicationStatus.WAITING,
                    Application.offer_until.is_(None)))
    return int(await session.scalar(query) or 0)


async def expired_offers(session: AsyncSession, now: datetime) -> list[Application]:
    """Offers whose time is up (any project): the expiry task sweeps them all, not only its own."""
    query = (select(Application)
             .where(Application.status == ApplicationStatus.WAITING, Application.offer_until.is_not(None),
                    Application.offer_until <= now)
             .order_by(Application.offer_until, Application.id))
    return list((await session.scalars(query.execution_options(populate_existing=True))).all())


# -- paid ------------------------------------------------------------------------------------------------

async def paid_counts(session: AsyncSession, project_ids: Iterable[int]) -> dict[int, int]:
    """Applications marked paid, per project (the «оплачено» number of the project's card)."""
    ids = list(project_ids)
    if not ids:
        return {}
    query = (select(Application.project_id, func.count()).where(Application.project_id.in_(ids),
                                                                Application.paid_at.is_not(None))
             .group_by(Application.project_id))
    result = dict.fromkeys(ids, 0)
    for project_id, count in (await session.execute(query)).all():
        result[project_id] = int(count)
    return result


async def paid_ids(session: AsyncSession, project_id: int) -> set[int]:
    """The project's applications marked paid."""
    query = select(Application.id).where(Application.project_id == project_id, Application.paid_at.is_not(None))
    return set((await session.scalars(query)).all())


async def mark_paid(session: AsyncSession, application_id: int, at: datetime) -> bool:
    """True if the application was not paid before (and still exists)."""
    result = await session.execute(update(Application)
                                   .where(Application.id == application_id, Application.paid_at.is_(None))
                                   .values(paid_at=at))
    return _rowcount(result) == 1


async def pending_receipt_of(session: AsyncSession, application_id: int) -> Receipt | None:
    query = (select(Receipt).where(Receipt.application_id == application_id,
                                   Receipt.status == ReceiptStatus.PENDING.value).order_by(Receipt.id.desc()))
    return await session.scalar(query.limit(1))


# -- what is stored about a parent (/mydata) -------------------------------------------------------------

async def parent_row(session: AsyncSession, parent_id: int) -> Parent | None:
    return await session.get(Parent, parent_id)


async def consent_of(session: AsyncSession, parent_id: int) -> Consent | None:
    return await session.get(Consent, parent_id, populate_existing=True)


async def applications_with_projects(session: AsyncSession,
                                     parent_id: int) -> list[tuple[Application, Child, Project]]:
    query = (select(Application, Child, Project).join(Child, Child.id == Application.child_id)
             .join(Project, Project.id == Application.project_id)
             .where(Application.parent_id == parent_id).order_by(Application.id))
    return [(a, c, p) for a, c, p in (await session.execute(query.execution_options(populate_existing=True))).all()]


async def receipts_summary(session: AsyncSession, parent_id: int) -> tuple[int, int, int]:
    """(receipts sent, of them approved, the approved sum in roubles)."""
    total = int(await session.scalar(select(func.count()).select_from(Receipt)
                                     .where(Receipt.user_id == parent_id)) or 0)
    approved, amount = (await session.execute(
        select(func.count(), func.coalesce(func.sum(Receipt.amount), 0))
        .where(Receipt.user_id == parent_id, Receipt.status == ReceiptStatus.APPROVED.value))).one()
    return total, int(approved or 0), int(amount or 0)


async def forget_children(session: AsyncSession, parent_id: int) -> int:
    """Delete the parent's children, their applications and the consent. Their project-fee receipts stay as the
    accounting records they are, without the child (name) or the application. Returns the children deleted."""
    await session.execute(update(Receipt).where(Receipt.user_id == parent_id, Receipt.project_id.is_not(None))
                          .values(children_title=None, application_id=None))
    await session.execute(delete(Application).where(Application.parent_id == parent_id))
    result = await session.execute(delete(Child).where(Child.parent_id == parent_id))
    await session.execute(delete(Consent).where(Consent.parent_id == parent_id))
    return _rowcount(result)


def _rowcount(result: Result[Any]) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
