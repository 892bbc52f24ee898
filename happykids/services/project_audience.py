"""Who may apply to a project: everyone, or the parents who paid for one of its groups; and the children's age
on the project's date (an optional range). The parent's list and «Записаться» ask here, and so does the
announcement, so the three never disagree.

"Paid for a group": a pending or approved receipt for it (a parent who has just paid is not turned away while
the director has not looked at the receipt yet).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Project
from happykids.db.repositories import project_admin as repo
from happykids.domain.clock import to_local
from happykids.domain.projects import ACTIVE, Audience, age_fits, age_on


def group_codes(project: Project) -> list[str]:
    return [code for code in (project.audience_groups or "").split(",") if code]


def for_groups(project: Project) -> bool:
    return project.audience == Audience.GROUPS and bool(group_codes(project))


async def may_apply(session: AsyncSession, project: Project, parent_id: int) -> bool:
    """Is the parent among those the project is for (its groups)? The age is checked per child."""
    if not for_groups(project):
        return True
    return bool(await repo.parents_who_paid_for(session, group_codes(project), parent_id))


async def for_parent(session: AsyncSession, projects: list[Project], parent_id: int) -> list[Project]:
    """The projects of the list this parent may apply to."""
    return [p for p in projects if await may_apply(session, p, parent_id)]


def age_day(project: Project, today: date) -> date:
    """The age counts on the project's date (today while the date is to be announced)."""
    return to_local(project.starts_at).date() if project.starts_at else today


def child_fits(project: Project, birth: date, today: date) -> bool:
    return age_fits(age_on(birth, age_day(project, today)), project.age_min, project.age_max)


async def recipients(session: AsyncSession, project: Project, now: datetime) -> list[int]:
    """Who the announcement goes to: the project's audience, without the parents whose every known child is
    outside the age range (parents whose children we do not know yet get it: the card tells the ages), and
    without those who have applied already."""
    if for_groups(project):
        audience = await repo.parents_who_paid_for(session, group_codes(project))
    else:
        audience = await repo.all_parent_ids(session)
    audience -= await repo.parents_with_applications(session, project.id, [s.value for s in ACTIVE])
    if project.age_min is not None or project.age_max is not None:
        today = to_local(now).date()
        known = await repo.birth_dates(session, audience)
        audience = {p for p in audience
                    if not known.get(p) or any(child_fits(project, birth, today) for birth in known[p])}
    return sorted(audience)
