"""A freed place is offered, for a set time, to the first on the waiting list: «✅ Иду» takes it, «✖️ Не смогу»
or silence until the deadline passes it to the next.

The offered place is held from the moment of the offer (db/repositories/projects.taken_places counts it), so
nobody who applies meanwhile gets it and the project is never oversold. Everything runs under the project's
lock (services/projects.py), and the expiry is an outbox task due at the offer's end, recorded with the offer:
a restart or kill -9 in between still passes the place on. The window is one setting (`project_offer_hours`,
default 12 h), so the expiry tasks fall due in the order they are made, as the outbox runs one kind in order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Application, Project
from happykids.db.repositories import outbox
from happykids.db.repositories import project_parent as extra
from happykids.db.repositories import projects as repo
from happykids.db.repositories.catalog import get_setting
from happykids.domain.projects import HOLDS_PLACE, ApplicationStatus, ProjectError, ProjectTask, free_places

OFFER_HOURS_KEY = "project_offer_hours"
DEFAULT_OFFER_HOURS = 12
TELL_OFFER = "project.offer"  # outbox kinds (workers/project_tasks.py runs them)
EXPIRE_OFFER = "project.offer_expire"


def holds_place(application: Application) -> bool:
    """Applied, approved, or waiting with a place offered to it."""
    return application.status in HOLDS_PLACE or (
        application.status == ApplicationStatus.WAITING and application.offer_until is not None)


def is_offered(application: Application, now: datetime) -> bool:
    return (application.status == ApplicationStatus.WAITING and application.offer_until is not None
            and application.offer_until > now)


async def withdraw(session: AsyncSession, application: Application) -> None:
    """The offer ends another way (accepted, declined, cancelled, decided by the director): its expiry task has
    nothing left to do."""
    if application.offer_until is not None:
        application.offer_until = None
        await outbox.mark_pending_done(session, f"project-offer:{application.id}", EXPIRE_OFFER)


async def window(session: AsyncSession) -> timedelta:
    raw = await get_setting(session, OFFER_HOURS_KEY, str(DEFAULT_OFFER_HOURS))
    hours = int(raw) if raw.isdigit() and 0 < int(raw) <= 24 * 7 else DEFAULT_OFFER_HOURS
    return timedelta(hours=hours)


async def offer_freed(session: AsyncSession, project: Project, now: datetime) -> list[Application]:
    """Offer every free place to the next on the waiting list (the caller holds the project's lock). Each offer
    is told by an outbox task and ends by another, due when its time is up."""
    taken = await repo.taken_places(session, project.id)
    count = free_places(project.places, taken, await extra.unoffered_count(session, project.id))
    if count <= 0:
        return []
    until = now + await window(session)
    offered = await extra.first_unoffered(session, project.id, count)
    for application in offered:
        application.offer_until = until
        subject, payload = f"project-offer:{application.id}", {"application_id": application.id}
        outbox.enqueue(session, TELL_OFFER, subject, payload)
        outbox.enqueue(session, EXPIRE_OFFER, subject, payload, due_at=until)
    await session.flush()
    return offered


async def _offered_under_lock(session: AsyncSession, parent_id: int, application_id: int,
                              now: datetime) -> tuple[Application, Project]:
    found = await repo.application_for_parent(session, parent_id, application_id)
    if found is None:
        raise ProjectError("projects.err_offer_gone")
    await repo.lock(session, found.project_id)
    project = await repo.get(session, found.project_id, fresh=True)
    application = await repo.application_for_parent(session, parent_id, application_id)
    if project is None or application is None or not is_offered(application, now):
        raise ProjectError("projects.err_offer_gone")
    return application, project


async def accept(session: AsyncSession, parent_id: int, application_id: int, now: datetime) -> Application:
    """«✅ Иду»: the offered place becomes theirs (applied: the director decides as for anyone)."""
    application, _ = await _offered_under_lock(session, parent_id, application_id, now)
    await withdraw(session, application)
    application.status = ApplicationStatus.APPLIED.value
    await session.flush()
    return application


async def decline(session: AsyncSession, parent_id: int, application_id: int, now: datetime) -> list[Application]:
    """«✖️ Не смогу»: the application is cancelled and the place offered to the next; returns the new offers."""
    application, project = await _offered_under_lock(session, parent_id, application_id, now)
    await withdraw(session, application)
    application.status = ApplicationStatus.CANCELLED.value
    await session.flush()
    return await offer_freed(session, project, now)


async def expire(session: AsyncSession, now: datetime) -> int:
    """Every offer whose time is up: cancelled, the parent told, the place offered to the next. Returns how many
    ended. Safe to run twice: an offer accepted, declined or ended meanwhile is left alone."""
    ended = 0
    for stale in await extra.expired_offers(session, now):
        await repo.lock(session, stale.project_id)
        project = await repo.get(session, stale.project_id, fresh=True)
        application = await repo.application(session, stale.id)
        if project is None or application is None or application.offer_until is None or is_offered(application, now) \
                or application.status != ApplicationStatus.WAITING:
            continue
        application.status, application.offer_until = ApplicationStatus.CANCELLED.value, None
        child = await repo.child_of(session, application.parent_id, application.child_id)
        outbox.enqueue(session, ProjectTask.TELL_PARENT, f"project-parent:{application.parent_id}",
                       {"parent_id": application.parent_id, "key": "projects.offer_expired",
                        "values": {"project": project.title, "child": child.name if child else ""}})
        await session.flush()
        await offer_freed(session, project, now)
        ended += 1
    return ended
