"""The durable outbox: work committed together with the change that needs it, done later by a worker."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import OutboxTask
from happykids.domain.outbox import TaskStatus


def enqueue(session: AsyncSession, kind: str, subject: str | None = None, payload: dict[str, Any] | None = None,
            due_at: datetime | None = None) -> OutboxTask:
    """Add a task to the caller's transaction: it exists exactly when the caller's change commits."""
    task = OutboxTask(kind=kind, subject=subject, payload=json.dumps(payload or {}, ensure_ascii=False),
                      due_at=due_at or utcnow(), created_at=utcnow())
    session.add(task)
    return task


async def postpone_pending(session: AsyncSession, subject: str, due_at: datetime) -> int:
    """Move the subject's pending tasks to `due_at` (an album part arrived: wait for the rest)."""
    result = await session.execute(
        update(OutboxTask).where(OutboxTask.subject == subject, OutboxTask.status == TaskStatus.PENDING)
        .values(due_at=due_at)
    )
    return _rowcount(result)


async def pending_kinds(session: AsyncSession, subject: str) -> set[str]:
    """Kinds of the subject's tasks still waiting."""
    query = select(OutboxTask.kind).where(OutboxTask.subject == subject, OutboxTask.status == TaskStatus.PENDING)
    return set((await session.scalars(query)).all())


async def mark_pending_done(session: AsyncSession, subject: str, kind: str) -> None:
    """The work of the subject's pending `kind` task was done another way (e.g. the handler did it itself)."""
    await session.execute(update(OutboxTask).where(
        OutboxTask.subject == subject, OutboxTask.kind == kind, OutboxTask.status == TaskStatus.PENDING,
    ).values(status=TaskStatus.DONE, done_at=utcnow()))


async def heads(session: AsyncSession) -> list[OutboxTask]:
    """The oldest pending task of every kind: tasks of one kind run strictly in the order they were made."""
    oldest = (select(func.min(OutboxTask.id)).where(OutboxTask.status == TaskStatus.PENDING)
              .group_by(OutboxTask.kind))
    return list((await session.scalars(select(OutboxTask).where(OutboxTask.id.in_(oldest)))).all())


async def mark_done(session: AsyncSession, task_id: int) -> None:
    await session.execute(update(OutboxTask).where(OutboxTask.id == task_id)
                          .values(status=TaskStatus.DONE, done_at=utcnow(), last_error=None))


async def mark_retry(session: AsyncSession, task_id: int, attempts: int, due_at: datetime, error: str) -> None:
    await session.execute(update(OutboxTask).where(OutboxTask.id == task_id)
                          .values(attempts=attempts, due_at=due_at, last_error=error[:2000]))


async def mark_failed(session: AsyncSession, task_id: int, attempts: int, error: str) -> None:
    await session.execute(update(OutboxTask).where(OutboxTask.id == task_id)
                          .values(status=TaskStatus.FAILED, attempts=attempts, done_at=utcnow(),
                                  last_error=error[:2000]))


async def forget_done(session: AsyncSession, older_than: timedelta) -> int:
    result = await session.execute(
        delete(OutboxTask).where(OutboxTask.status == TaskStatus.DONE, OutboxTask.done_at < utcnow() - older_than)
    )
    return _rowcount(result)


async def pending_count(session: AsyncSession, kind: str | None = None) -> int:
    query = select(func.count()).select_from(OutboxTask).where(OutboxTask.status == TaskStatus.PENDING)
    if kind:
        query = query.where(OutboxTask.kind == kind)
    return int(await session.scalar(query) or 0)


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed (SQLAlchemy types `execute` as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
