"""Message intents: a message about a receipt is on record before it is sent, and its result after.

The meaning (which messages may be sent again after a crash) is in domain/outbox.py; the use in
services/message_intents.py and ui/receipt_copies.py.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import MessageIntent
from happykids.db.upserts import insert_for
from happykids.domain.outbox import IntentStatus, MessageKind


async def get(session: AsyncSession, kind: MessageKind, receipt_id: int, chat_id: int) -> MessageIntent | None:
    query = select(MessageIntent).where(MessageIntent.kind == kind, MessageIntent.receipt_id == receipt_id,
                                        MessageIntent.chat_id == chat_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def begin(session: AsyncSession, kind: MessageKind, receipt_id: int, chat_id: int) -> bool:
    """Record that the message is about to be sent; False if it is on record already (sent, or being sent)."""
    dialect = session.get_bind().dialect.name
    result = await session.execute(insert_for(dialect, MessageIntent).values(
        kind=kind.value, receipt_id=receipt_id, chat_id=chat_id, status=IntentStatus.SENDING.value, attempts=1,
        updated_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["kind", "receipt_id", "chat_id"]))
    return _rowcount(result) == 1


async def again(session: AsyncSession, intent_id: int) -> None:
    """The message is being sent once more (a kind that may be repeated after a crash)."""
    await session.execute(update(MessageIntent).where(MessageIntent.id == intent_id)
                          .values(status=IntentStatus.SENDING.value, attempts=MessageIntent.attempts + 1,
                                  message_id=None, updated_at=utcnow()))


async def sent(session: AsyncSession, kind: MessageKind, receipt_id: int, chat_id: int, message_id: int) -> None:
    await session.execute(update(MessageIntent).where(
        MessageIntent.kind == kind, MessageIntent.receipt_id == receipt_id, MessageIntent.chat_id == chat_id,
    ).values(status=IntentStatus.SENT.value, message_id=message_id, updated_at=utcnow()))


async def withdraw(session: AsyncSession, kind: MessageKind, receipt_id: int, chat_id: int) -> None:
    """Telegram refused the message: nothing went out, so nothing is on record as maybe sent."""
    await session.execute(delete(MessageIntent).where(
        MessageIntent.kind == kind, MessageIntent.receipt_id == receipt_id, MessageIntent.chat_id == chat_id,
        MessageIntent.status == IntentStatus.SENDING.value,
    ))


def _rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE changed (SQLAlchemy types `execute` as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
