"""The director's decision on a receipt: one decision wins, everything that follows goes to the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Receipt
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.parents import record_event
from happykids.domain.receipts import AlreadyDecided, Decision, decide
from happykids.domain.reporting import FunnelStep
from happykids.services.receipt_outbox import enqueue_decision


@dataclass(frozen=True, slots=True)
class Outcome:
    won: bool  # this call made the decision
    receipt: Receipt | None  # as it is now (None: no such receipt)


async def decide_receipt(session: AsyncSession, receipt_id: int, decision: Decision, *, by_admin: bool,
                         admin_id: int, admin_name: str, reason: str | None = None) -> Outcome:
    """Record the decision and its follow-up tasks in the caller's transaction; the caller commits, then
    wakes the outbox. Raises NotAllowed for a non-admin. The conditional UPDATE makes concurrent presses
    safe: exactly one of them wins, the others get the receipt as the winner left it."""
    receipt = await repo.get(session, receipt_id)
    if receipt is None:
        return Outcome(False, None)
    try:
        status = decide(receipt.status, decision, by_admin=by_admin)
    except AlreadyDecided:
        return Outcome(False, receipt)
    won = await repo.decide(session, receipt_id, status, admin_id, admin_name, reason)
    if won:
        enqueue_decision(session, receipt_id)
        if decision is Decision.APPROVE:
            await record_event(session, receipt.user_id, FunnelStep.APPROVED, receipt.group_code)
    return Outcome(won, await repo.get(session, receipt_id, fresh=True))
