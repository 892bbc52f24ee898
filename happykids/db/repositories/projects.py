"""Projects, children, consent and applications: every query a parent runs is scoped by their own id.

`lock` is how the service makes "count the places, then insert" one step: an UPDATE of the project's row.
On PostgreSQL it takes the row lock (what `SELECT … FOR UPDATE` would) until the transaction ends, so a second
application to the same project waits, then reads the first one's committed insert (READ COMMITTED gives every
statement a fresh snapshot). On SQLite, which has no FOR UPDATE, the same UPDATE takes the database's single
write lock before anything is read; the driver runs earlier SELECTs outside the transaction, so no stale
snapshot is kept. One statement that works on both is simpler than two code paths, and its counter is the
arrival order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Application, Child, Consent, Parent, Project
from happykids.domain.projects import ACTIVE, HOLDS_PLACE, ApplicationStatus, ProjectStatus

# -- projects --------------------------------------------------------------------------------------------

def add_project(session: AsyncSession, **fields: Any) -> Project:
    project = Project(created_at=utcnow(), arrivals=0, **fields)
    session.add(project)
    return project


async def get(session: AsyncSession, project_id: int, *, fresh: bool = False) -> Project | None:
    return await session.get(Project, project_id, populate_existing=fresh)


async def lock(session: AsyncSession, project_id: int, *, arrival: bool = False) -> int | None:
    """Take the project's lock for the rest of the transaction (see the module's docstring). `arrival`: count
    one more arrival and return its number; else return the current count. None: no such project."""
    step = 1 if arrival else 0
    result = await session.execute(update(Project).where(Project.id == project_id)
                                   .values(arrivals=Project.arrivals + step))
    if _rowcount(result) != 1:
        return None
    return int(await session.scalar(select(Project.arrivals).where(Project.id == project_id)) or 0)


async def open_projects(session: AsyncSession, now: datetime) -> list[Project]:
    """Published projects still taking applications, soonest first (date TBA last)."""
    query = (select(Project)
             .where(Project.status == ProjectStatus.PUBLISHED,
                    (Project.deadline.is_(None)) | (Project.deadline > now),
                    (Project.starts_at.is_(None)) | (Project.starts_at > now))
             .order_by(Project.starts_at.is_(None), Project.starts_at, Project.id))
    return list((await session.scalars(query)).all())


async def all_projects(session: AsyncSession, limit: int = 30) -> list[Project]:
    """For the director: newest first, any status."""
    return list((await session.scalars(select(Project).order_by(Project.id.desc()).limit(limit))).all())


async def set_status(session: AsyncSession, project_id: int, status: ProjectStatus, *,
                     reason: str | None = None) -> None:
    values: dict[str, Any] = {"status": status.value}
    if status is ProjectStatus.PUBLISHED:
        values["published_at"] = func.coalesce(Project.published_at, utcnow())
    if status is ProjectStatus.CANCELLED:
        values["cancel_reason"] = reason
    await session.execute(update(Project).where(Project.id == project_id).values(**values))


async def counts(session: AsyncSession, project_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Applications by status, per project: {project_id: {status: count}}."""
    ids = list(project_ids)
    if not ids:
        return {}
    query = (select(Application.project_id, Application.status, func.count())
             .where(Application.project_id.in_(ids)).group_by(Application.project_id, Application.status))
    result: dict[int, dict[str, int]] = {i: {} for i in ids}
    for project_id, status, count in (await session.execute(query)).all():
        result[project_id][status] = int(count)
    return result


async def taken_places(session: AsyncSession, project_id: int) -> int:
    """Places held: applied and approved, and a waiting one's place offered to it (services/project_offers.py)."""
    offered = (Application.status == ApplicationStatus.WAITING) & Application.offer_until.is_not(None)
    query = (select(func.count()).select_from(Application)
             .where(Application.project_id == project_id, Application.status.in_(list(HOLDS_PLACE)) | offered))
    return int(await session.scalar(query) or 0)


# -- children and consent (always one parent's own) ------------------------------------------------------

async def has_consent(session: AsyncSession, parent_id: int) -> bool:
    return await session.get(Consent, parent_id) is not None


async def give_consent(session: AsyncSession, parent_id: int) -> None:
    if await session.get(Consent, parent_id) is None:
        session.add(Consent(parent_id=parent_id, given_at=utcnow()))


async def children_of(session: AsyncSession, parent_id: int) -> list[Child]:
    query = select(Child).where(Child.parent_id == parent_id).order_by(Child.id)
    return list((await session.scalars(query)).all())


async def child_of(session: AsyncSession, parent_id: int, child_id: int) -> Child | None:
    return await session.scalar(select(Child).where(Child.id == child_id, Child.parent_id == parent_id))


async def find_or_add_child(session: AsyncSession, parent_id: int, name: str, birth_date: date) -> Child:
    query = select(Child).where(Child.parent_id == parent_id, Child.name == name, Child.birth_date == birth_date)
    child = await session.scalar(query)
    if child is None:
        child = Child(parent_id=parent_id, name=name, birth_date=birth_date, created_at=utcnow())
        session.add(child)
        await session.flush()
    return child


# -- applications ----------------------------------------------------------------------------------------

async def application_of_child(session: AsyncSession, project_id: int, child_id: int) -> Application | None:
    query = select(Application).where(Application.project_id == project_id, Application.child_id == child_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def application_for_parent(session: AsyncSession, parent_id: int, application_id: int) -> Application | None:
    query = select(Application).where(Application.id == application_id, Application.parent_id == parent_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def application(session: AsyncSession, application_id: int) -> Application | None:
    """For the director (any family): re-read, it may have changed since this session saw it."""
    return await session.get(Application, application_id, populate_existing=True)


def add_application(session: AsyncSession, *, project_id: int, child_id: int, parent_id: int,
                    status: ApplicationStatus, position: int) -> Application:
    row = Application(project_id=project_id, child_id=child_id, parent_id=parent_id, status=status.value,
                      position=position, created_at=utcnow())
    session.add(row)
    return row


async def parent_applications(session: AsyncSession, parent_id: int,
                              project_id: int) -> list[tuple[Application, Child]]:
    query = (select(Application, Child).join(Child, Child.id == Application.child_id)
             .where(Application.parent_id == parent_id, Application.project_id == project_id)
             .order_by(Application.position))
    return [(a, c) for a, c in (await session.execute(query.execution_options(populate_existing=True))).all()]


async def project_applications(session: AsyncSession, project_id: int) -> list[tuple[Application, Child]]:
    """For the director: every application of the project, in arrival order."""
    query = (select(Application, Child).join(Child, Child.id == Application.child_id)
             .where(Application.project_id == project_id).order_by(Application.position))
    return [(a, c) for a, c in (await session.execute(query.execution_options(populate_existing=True))).all()]


async def waiting_rank(session: AsyncSession, project_id: int, position: int) -> int:
    """1 for the first on the waiting list."""
    query = (select(func.count()).select_from(Application)
             .where(Application.project_id == project_id, Application.status == ApplicationStatus.WAITING,
                    Application.position <= position))
    return int(await session.scalar(query) or 0)


async def active_applications(session: AsyncSession, project_id: int) -> list[Application]:
    query = (select(Application)
             .where(Application.project_id == project_id, Application.status.in_(list(ACTIVE)))
             .order_by(Application.position))
    return list((await session.scalars(query)).all())


async def parent_names(session: AsyncSession, parent_ids: Iterable[int]) -> dict[int, str]:
    """«Анна Петрова @anna» for each parent id, for the director's list of applications."""
    ids = sorted(set(parent_ids))
    if not ids:
        return {}
    query = select(Parent.user_id, Parent.first_name, Parent.last_name, Parent.username).where(Parent.user_id.in_(ids))
    return {user_id: " ".join(x for x in (first, last, f"@{username}" if username else None) if x)
            for user_id, first, last, username in (await session.execute(query)).all()}


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE changed (SQLAlchemy types `execute` as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
