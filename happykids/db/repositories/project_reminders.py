"""Queries of the projects' day-before reminder (services/project_reminders.py): who holds a place in a project
that starts soon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Application, Project
from happykids.domain.projects import HOLDS_PLACE, ProjectStatus


async def places_in_projects_starting(session: AsyncSession, since: datetime, until: datetime
                                      ) -> list[tuple[int, int, int, datetime]]:
    """(application id, parent id, project id, start) of every place held in a project that is not cancelled
    and starts in [since, until)."""
    query = (select(Application.id, Application.parent_id, Project.id, Project.starts_at)
             .join(Project, Project.id == Application.project_id)
             .where(Project.status.in_([ProjectStatus.PUBLISHED.value, ProjectStatus.CLOSED.value]),
                    Project.starts_at >= since, Project.starts_at < until,
                    Application.status.in_([status.value for status in HOLDS_PLACE]))
             .order_by(Application.id))
    return [(int(a), int(p), int(j), s) for a, p, j, s in (await session.execute(query)).all() if s is not None]
