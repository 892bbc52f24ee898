"""The director's hands on a project's list: move an application between the list and the waiting list with
one tap, and the numbers on the card (applied, approved, paid, places left).

A move to the list takes a place, so it runs after `repo.lock` like every other change that counts places
(services/projects.py): two taps at once never put more children on the list than there are places. A move
to the waiting list frees a place and leaves it free: she moved someone out to give the place to someone
else, who is one more tap away (the waiting list keeps its arrival order). The parent is told either way,
through the outbox, committed with the move.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Application, Project
from happykids.db.repositories import project_parent
from happykids.db.repositories import projects as repo
from happykids.domain.projects import HOLDS_PLACE, ApplicationStatus, FeeKind, ProjectError, places_left
from happykids.services import projects as service
from happykids.services.projects import Notice


async def move(session: AsyncSession, application_id: int, to_list: bool, admin_id: int | None) -> Application:
    """To the list (status "applied", if a place is free) or to the waiting list; raises ProjectError."""
    found = await repo.application(session, application_id)
    if found is None:
        raise ProjectError("projects.err_not_active")
    await repo.lock(session, found.project_id)
    project = await repo.get(session, found.project_id, fresh=True)
    application = await repo.application(session, application_id)
    if project is None or application is None:
        raise ProjectError("projects.err_not_active")
    status = ApplicationStatus(application.status)
    if to_list:
        if status is not ApplicationStatus.WAITING:
            raise ProjectError("projects.err_not_active")
        left = places_left(project.places, await repo.taken_places(session, project.id))
        if left is not None and left <= 0:
            raise ProjectError("projects.err_no_places")
        application.status, key = ApplicationStatus.APPLIED.value, "projects.moved_up"
    else:
        if status not in HOLDS_PLACE:
            raise ProjectError("projects.err_not_active")
        application.status, key = ApplicationStatus.WAITING.value, "projects.moved_to_waiting"
    application.decided_at, application.decided_by = utcnow(), admin_id
    await session.flush()
    child = await repo.child_of(session, application.parent_id, application.child_id)
    values: dict[str, str | int] = {"project": project.title, "child": child.name if child else ""}
    if not to_list:
        values["rank"] = await repo.waiting_rank(session, project.id, application.position)
    service.record_notices(session, [Notice(application.parent_id, key, values)])
    return application


async def paid_application_ids(session: AsyncSession, project: Project) -> set[int]:
    """The applications whose project fee is paid (the director approved its receipt: services/project_payments.py)."""
    return await project_parent.paid_ids(session, project.id)


@dataclass(frozen=True, slots=True)
class CardNumbers:
    applied: int
    approved: int
    waiting: int
    paid: int | None  # None: the project is free (nothing to pay)
    places_left: int | None  # None: unlimited


async def card_numbers(session: AsyncSession, project: Project) -> CardNumbers:
    core = (await service.numbers(session, [project]))[project.id]
    paid = len(await paid_application_ids(session, project)) if project.fee_kind == FeeKind.PAID else None
    return CardNumbers(core.applied, core.approved, core.waiting, paid, core.places_left)
