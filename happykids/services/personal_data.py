"""/mydata: what the bot keeps about a parent and their children, and deleting it on request (the children's
personal data law: the consent can be withdrawn, and then the data goes).

Deleting removes the children (with the extra answers and the photo id), their applications and the consent.
Active applications are cancelled first under each project's lock, so a place they held is offered to the
next on the waiting list as after any cancellation. Receipts stay: they are the agency's accounting records; a
project fee's receipt loses the child's name and its tie to the application (db/repositories/project_parent.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Application, Child, Consent, Parent, Project
from happykids.db.repositories import project_parent as extra
from happykids.db.repositories import projects as repo
from happykids.domain.projects import ACTIVE, ApplicationStatus
from happykids.services import project_offers as offers
from happykids.services.projects import Notice, move_up


@dataclass(slots=True)
class Stored:
    """Everything stored about one parent (services/personal_data.py gathers it)."""

    parent: Parent | None
    consent: Consent | None
    children: list[Child]
    applications: list[tuple[Application, Child, Project]]
    receipts: tuple[int, int, int]  # sent, approved, approved sum


async def gather(session: AsyncSession, parent_id: int) -> Stored:
    return Stored(parent=await extra.parent_row(session, parent_id), consent=await extra.consent_of(session, parent_id),
                  children=await repo.children_of(session, parent_id),
                  applications=await extra.applications_with_projects(session, parent_id),
                  receipts=await extra.receipts_summary(session, parent_id))


async def delete(session: AsyncSession, parent_id: int) -> tuple[int, list[Notice]]:
    """Withdraw the consent and delete the children's data; returns (children deleted, notices of places
    offered to others). The caller commits, then wakes the outbox when there are notices."""
    notices: list[Notice] = []
    for application, _, _ in await extra.applications_with_projects(session, parent_id):
        if application.status not in ACTIVE:
            continue
        await repo.lock(session, application.project_id)
        project = await repo.get(session, application.project_id, fresh=True)
        current = await repo.application_for_parent(session, parent_id, application.id)
        if project is None or current is None or current.status not in ACTIVE:
            continue
        held = offers.holds_place(current)
        await offers.withdraw(session, current)
        current.status = ApplicationStatus.CANCELLED.value
        await session.flush()
        if held:
            notices += await move_up(session, project)
    deleted = await extra.forget_children(session, parent_id)
    await session.flush()
    return deleted, notices
