"""The scheduler's table: reminders waiting for their time, claimed by one worker, finished once.

The claim is a conditional UPDATE (scheduled -> sending), so of several workers (replicas) exactly one gets a
row; the meaning of each status is in domain/renewals.py (ReminderStatus), the use in workers/scheduler.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Reminder
from happykids.db.upserts import insert_for
from happykids.domain.renewals import ReminderStatus


async def schedule(session: AsyncSession, kind: str, key: str, chat_id: int, due_at: datetime,
                   payload: dict[str, Any] | None = None) -> bool:
    """Add a reminder in the caller's transaction; False if one with this key exists already and was not
    cancelled (a key is sent at most once; a cancelled one is scheduled again, e.g. a date corrected back)."""
    dialect = session.get_bind().dialect.name
    text = json.dumps(payload or {}, ensure_ascii=False)
    statement = insert_for(dialect, Reminder).values(
        kind=kind, key=key, chat_id=chat_id, due_at=due_at, status=ReminderStatus.SCHEDULED.value, attempts=0,
        payload=text, created_at=utcnow(),
    )
    result = await session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"status": ReminderStatus.SCHEDULED.value, "due_at": due_at, "payload": text,
                                      "note": None},
        where=Reminder.status == ReminderStatus.CANCELLED.value,
    ))
    return _rowcount(result) == 1


async def existing_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these keys have a reminder (in any status)."""
    if not keys:
        return set()
    return set((await session.scalars(select(Reminder.key).where(Reminder.key.in_(keys)))).all())


async def cancel(session: AsyncSession, keys: Sequence[str], note: str) -> int:
    """Withdraw the reminders with these keys that still wait."""
    if not keys:
        return 0
    result = await session.execute(update(Reminder).where(
        Reminder.key.in_(list(keys)), Reminder.status == ReminderStatus.SCHEDULED.value,
    ).values(status=ReminderStatus.CANCELLED.value, note=note))
    return _rowcount(result)


async def cancel_for(session: AsyncSession, chat_id: int, key_prefix: str, note: str) -> int:
    """Withdraw the chat's waiting reminders whose key starts with `key_prefix`."""
    result = await session.execute(update(Reminder).where(
        Reminder.chat_id == chat_id, Reminder.key.startswith(key_prefix, autoescape=True),
        Reminder.status == ReminderStatus.SCHEDULED.value,
    ).values(status=ReminderStatus.CANCELLED.value, note=note))
    return _rowcount(result)


async def due(session: AsyncSession, now: datetime, limit: int = 50) -> list[Reminder]:
    query = (select(Reminder).where(Reminder.status == ReminderStatus.SCHEDULED.value, Reminder.due_at <= now)
             .order_by(Reminder.due_at, Reminder.id).limit(limit))
    return list((await session.scalars(query.execution_options(populate_existing=True))).all())


async def next_due_at(session: AsyncSession) -> datetime | None:
    query = select(func.min(Reminder.due_at)).where(Reminder.status == ReminderStatus.SCHEDULED.value)
    return cast(datetime | None, await session.scalar(query))


async def claim(session: AsyncSession, reminder_id: int, now: datetime) -> bool:
    """Take the reminder for sending: True for exactly one caller (the intent is on record once committed)."""
    result = await session.execute(update(Reminder).where(
        Reminder.id == reminder_id, Reminder.status == ReminderStatus.SCHEDULED.value,
    ).values(status=ReminderStatus.SENDING.value, claimed_at=now, attempts=Reminder.attempts + 1))
    return _rowcount(result) == 1


async def finish(session: AsyncSession, reminder_id: int, status: ReminderStatus, note: str | None = None,
                 message_id: int | None = None) -> None:
    values: dict[str, Any] = {"status": status.value, "note": note}
    if status is ReminderStatus.SENT:
        values.update(sent_at=utcnow(), message_id=message_id)
    await session.execute(update(Reminder).where(Reminder.id == reminder_id).values(**values))


async def skip(session: AsyncSession, reminder_id: int, note: str) -> bool:
    """Not relevant any more: only a reminder that still waits (a concurrent claim wins)."""
    result = await session.execute(update(Reminder).where(
        Reminder.id == reminder_id, Reminder.status == ReminderStatus.SCHEDULED.value,
    ).values(status=ReminderStatus.SKIPPED.value, note=note))
    return _rowcount(result) == 1


async def release(session: AsyncSession, reminder_id: int, due_at: datetime, note: str) -> None:
    """Nothing went out for sure (Telegram refused, or no connection): back to waiting, to try again later."""
    await session.execute(update(Reminder).where(
        Reminder.id == reminder_id, Reminder.status == ReminderStatus.SENDING.value,
    ).values(status=ReminderStatus.SCHEDULED.value, due_at=due_at, claimed_at=None, note=note))


async def stale_sending(session: AsyncSession, claimed_before: datetime) -> list[Reminder]:
    """Claimed long ago and never finished: their process died between the claim and the result."""
    query = select(Reminder).where(Reminder.status == ReminderStatus.SENDING.value,
                                   Reminder.claimed_at < claimed_before)
    return list((await session.scalars(query)).all())


async def mark_uncertain(session: AsyncSession, reminder_id: int) -> None:
    await session.execute(update(Reminder).where(
        Reminder.id == reminder_id, Reminder.status == ReminderStatus.SENDING.value,
    ).values(status=ReminderStatus.UNCERTAIN.value, note="the process stopped while sending; not sent again"))


def _rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE changed (SQLAlchemy types `execute` as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
