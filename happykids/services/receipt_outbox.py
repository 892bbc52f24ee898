"""The durable intent of a receipt change: outbox tasks recorded in the caller's transaction.

A handler commits the receipt (or the decision) and these tasks together, so after kill -9 the work is
still on record and the outbox worker (workers/receipt_tasks.py) does it after the restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import outbox
from happykids.db.repositories.receipts import subject_of
from happykids.domain.outbox import ReceiptTask


def enqueue_intake(session: AsyncSession, receipt_id: int, *, due_at: datetime | None = None,
                   ack_due_at: datetime | None = None) -> None:
    """The follow-up of a new receipt. The parent's "получили" is a task too: the handler sends it at once
    and marks it done (see ack_sent); if the process dies first, the task sends it after the restart."""
    subject = subject_of(receipt_id)
    payload = {"receipt_id": receipt_id}
    outbox.enqueue(session, ReceiptTask.ACK_PARENT, subject, payload, ack_due_at or due_at)
    outbox.enqueue(session, ReceiptTask.NOTIFY_ADMINS, subject, payload, due_at)
    outbox.enqueue(session, ReceiptTask.ARCHIVE, subject, payload, due_at)


async def ack_sent(session: AsyncSession, receipt_id: int) -> None:
    """The handler told the parent itself: the safety-net task has nothing left to do."""
    await outbox.mark_pending_done(session, subject_of(receipt_id), ReceiptTask.ACK_PARENT)


def enqueue_decision(session: AsyncSession, receipt_id: int) -> None:
    """After a decision: update every admin's copy and tell the parent."""
    subject, payload = subject_of(receipt_id), {"receipt_id": receipt_id}
    outbox.enqueue(session, ReceiptTask.SHOW_DECISION, subject, payload)
    outbox.enqueue(session, ReceiptTask.TELL_PARENT, subject, payload)
