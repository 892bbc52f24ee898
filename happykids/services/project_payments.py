"""Project fees paid through the receipts machinery: the receipt of a paid project's application is taken in,
shown to the director and archived exactly like a class receipt (services/receipt_intake.py, the outbox), marked
with the project; her approval marks the application «оплачено».

A project receipt carries the project's title where a class receipt has the group, and the child's name where
it has the number of children, so the card, the archive and the payments export read naturally; `project_id`
and `application_id` tie it to the application (the latter is forgotten when the parent deletes their data).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Project, Receipt
from happykids.db.repositories import project_admin as funnel
from happykids.db.repositories import project_parent as extra
from happykids.db.repositories import projects as repo
from happykids.domain.projects import ACTIVE, FeeKind, ProjectFunnelStep
from happykids.domain.receipts import ChoiceSnapshot


@dataclass(frozen=True, slots=True)
class FeePayment:
    project_id: int
    application_id: int
    project: str
    child: str
    amount: int | None
    url: str | None

    def choice(self) -> ChoiceSnapshot:
        return ChoiceSnapshot(group_code=None, group=self.project, period="", children=self.child,
                              amount=self.amount, url=self.url)


def is_paid_project(project: Project) -> bool:
    return project.fee_kind == FeeKind.PAID and bool(project.fee_url)


async def payable(session: AsyncSession, parent_id: int, application_id: int) -> FeePayment | None:
    """The parent's own active application of a paid project (None: not theirs, not active, or free)."""
    application = await repo.application_for_parent(session, parent_id, application_id)
    if application is None or application.status not in ACTIVE:
        return None
    project = await repo.get(session, application.project_id)
    child = await repo.child_of(session, parent_id, application.child_id)
    if project is None or child is None or not is_paid_project(project):
        return None
    return FeePayment(project.id, application.id, project.title, child.name, project.fee_amount, project.fee_url)


def attach(receipt: Receipt, fee: FeePayment) -> None:
    receipt.project_id, receipt.application_id = fee.project_id, fee.application_id


async def on_approved(session: AsyncSession, receipt: Receipt) -> bool:
    """The director approved a receipt: if it is a project fee's, its application is paid now. True if so."""
    if receipt.application_id is None:
        return False
    paid = await extra.mark_paid(session, receipt.application_id, utcnow())
    application = await repo.application(session, receipt.application_id) if paid else None
    if application is not None:  # the projects' funnel: viewed -> applied -> approved -> paid
        await funnel.record_event(session, application.parent_id, ProjectFunnelStep.PAID, application.project_id)
    return paid


async def paid_counts(session: AsyncSession, project_ids: list[int]) -> dict[int, int]:
    """The «оплачено» number of each project's card."""
    return await extra.paid_counts(session, project_ids)
