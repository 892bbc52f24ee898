"""Queries of the director's side of projects that the core (projects.py) does not need: who a project is for
(parents who paid for its groups, their children's birth dates), whether it was announced, the approved
participants, the projects' funnel events, and saving an edited project.

Kept apart from db/repositories/projects.py so the parent's queries stay in one short module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Application, Broadcast, Child, FunnelEvent, Parent, Project, Receipt
from happykids.domain.receipts import ReceiptStatus


async def parents_who_paid_for(session: AsyncSession, group_codes: Iterable[str],
                               parent_id: int | None = None) -> set[int]:
    """Parents with a pending or approved receipt for one of the groups (optionally: is this one of them)."""
    codes = list(group_codes)
    if not codes:
        return set()
    query = select(Receipt.user_id).where(Receipt.group_code.in_(codes),
                                          Receipt.status.in_((ReceiptStatus.PENDING, ReceiptStatus.APPROVED)))
    if parent_id is not None:
        query = query.where(Receipt.user_id == parent_id)
    return set((await session.scalars(query.distinct())).all())


async def all_parent_ids(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Parent.user_id))).all())


async def birth_dates(session: AsyncSession, parent_ids: Iterable[int]) -> dict[int, list[date]]:
    """The children each of these parents named earlier (to skip an announcement nobody of theirs fits)."""
    ids = list(parent_ids)
    result: dict[int, list[date]] = {}
    if not ids:
        return result
    for parent_id, birth in (await session.execute(select(Child.parent_id, Child.birth_date)
                                                   .where(Child.parent_id.in_(ids)))).all():
        result.setdefault(parent_id, []).append(birth)
    return result


async def parents_with_applications(session: AsyncSession, project_id: int, statuses: Iterable[str]) -> set[int]:
    query = select(Application.parent_id).where(Application.project_id == project_id,
                                                Application.status.in_(list(statuses))).distinct()
    return set((await session.scalars(query)).all())


async def announcements(session: AsyncSession, audience_key: str) -> int:
    """How many broadcasts went to this audience key (a project's announcement: once is enough)."""
    return len((await session.scalars(select(Broadcast.id).where(Broadcast.audience == audience_key))).all())


async def update_project(session: AsyncSession, project_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(Project).where(Project.id == project_id).values(**values))


# -- the projects' funnel -------------------------------------------------------------------------------------

async def record_event(session: AsyncSession, parent_id: int, kind: str, project_id: int) -> None:
    """`kind`: a domain.projects.ProjectFunnelStep."""
    await session.execute(insert(FunnelEvent).values(user_id=parent_id, kind=kind, group_code=None,
                                                     project_id=project_id, at=utcnow()))


async def project_events(session: AsyncSession, kinds: Iterable[str], since: datetime | None,
                         until: datetime) -> list[tuple[int, int, str]]:
    """(project id, parent id, kind) of the projects' funnel events with since <= at < until."""
    query = select(FunnelEvent.project_id, FunnelEvent.user_id, FunnelEvent.kind).where(
        FunnelEvent.kind.in_(list(kinds)), FunnelEvent.project_id.is_not(None), FunnelEvent.at < until)
    if since is not None:
        query = query.where(FunnelEvent.at >= since)
    return [(int(p or 0), u, k) for p, u, k in (await session.execute(query)).all()]


async def titles(session: AsyncSession, project_ids: Iterable[int]) -> dict[int, str]:
    ids = list(project_ids)
    if not ids:
        return {}
    return dict((await session.execute(select(Project.id, Project.title).where(Project.id.in_(ids)))).all())
