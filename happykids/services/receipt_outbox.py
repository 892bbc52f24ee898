"""The durable intent of a receipt change: outbox tasks recorded in the caller's transaction.

A handler commits the receipt (or the decision) and these tasks together, so after kill -9 the work is
still on record and the outbox worker (workers/receipt_tasks.py) does it after the restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import outbox
from happykids.db.repositories.receipts import subject_of
from happykids.domain.outbox import MessageKind, ReceiptTask
from happykids.services.message_intents import tell_once


def enqueue_intake(session: AsyncSession, receipt_id: int, *, due_at: datetime | None = None,
                   ack_due_at: datetime | None = None) -> None:
    """The follow-up of a new receipt. The parent's "получили" is a task too: the handler sends it at once
    and marks it done (see acknowledge); if the process dies first, the task sends it after the restart."""
    subject = subject_of(receipt_id)
    payload = {"receipt_id": receipt_id}
    outbox.enqueue(session, ReceiptTask.ACK_PARENT, subject, payload, ack_due_at or due_at)
    outbox.enqueue(session, ReceiptTask.NOTIFY_ADMINS, subject, payload, due_at)
    outbox.enqueue(session, ReceiptTask.ARCHIVE, subject, payload, due_at)


async def acknowledge(session: AsyncSession, commit: Callable[[], Awaitable[None]], receipt_id: int, chat_id: int,
                      send: Callable[[], Awaitable[Message]]) -> None:
    """The handler says "получили" itself, at most once (services/message_intents.py): the intent is committed
    before the call; the result and the end of the safety-net task are staged for the caller's commit. After a
    crash before that commit the task finds the intent and does not say it again."""
    await tell_once(session, commit, MessageKind.RECEIVED, receipt_id, chat_id, send)
    await outbox.mark_pending_done(session, subject_of(receipt_id), ReceiptTask.ACK_PARENT)


def enqueue_decision(session: AsyncSession, receipt_id: int) -> None:
    """After a decision: update every admin's copy and tell the parent."""
    subject, payload = subject_of(receipt_id), {"receipt_id": receipt_id}
    outbox.enqueue(session, ReceiptTask.SHOW_DECISION, subject, payload)
    outbox.enqueue(session, ReceiptTask.TELL_PARENT, subject, payload)


def enqueue_show_decision(session: AsyncSession, receipt_id: int) -> None:
    """Bring every copy to the decision again (a card that missed it was pressed)."""
    outbox.enqueue(session, ReceiptTask.SHOW_DECISION, subject_of(receipt_id), {"receipt_id": receipt_id})
