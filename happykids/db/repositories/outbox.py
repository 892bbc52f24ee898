"""The durable outbox: work committed together with the change that needs it, done later by a worker.

A task being run is claimed by one worker (`claimed_by`, lease until `claimed_until`; workers/leases.py), so
replicas sharing the database run each task once; the writes that end a task name the claimant.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, func, or_, select, update
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


async def claim_heads(session: AsyncSession, kinds: Collection[str], owner: str, now: datetime,
                      until: datetime) -> list[OutboxTask]:
    """Claim the oldest pending task of each of `kinds` that is due and not claimed by anyone (or whose
    claimant's lease ran out): one statement; rows another replica is claiming this very moment are skipped
    (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer and ignores it). The caller commits."""
    oldest = (select(func.min(OutboxTask.id)).where(OutboxTask.status == TaskStatus.PENDING)
              .group_by(OutboxTask.kind))
    free = (select(OutboxTask.id)
            .where(OutboxTask.id.in_(oldest), OutboxTask.kind.in_(list(kinds)), OutboxTask.due_at <= now,
                   or_(OutboxTask.claimed_until.is_(None), OutboxTask.claimed_until < now))
            .with_for_update(skip_locked=True))
    claimed = await session.scalars(
        update(OutboxTask).where(OutboxTask.id.in_(free)).values(claimed_by=owner, claimed_until=until)
        .returning(OutboxTask).execution_options(synchronize_session=False))
    return list(claimed.all())


async def renew_claim(session: AsyncSession, task_id: int, owner: str, until: datetime) -> bool:
    """Extend the lease; False if the task is not ours any more (another replica took it over)."""
    return _rowcount(await session.execute(
        update(OutboxTask).where(OutboxTask.id == task_id, OutboxTask.claimed_by == owner,
                                 OutboxTask.status == TaskStatus.PENDING).values(claimed_until=until))) == 1


async def release_claims(session: AsyncSession, owner: str | None = None) -> int:
    """Let go of the claims of `owner` (a graceful stop), or of everyone (at start on SQLite, where a claim
    found can only be a dead process's)."""
    query = update(OutboxTask).where(OutboxTask.status == TaskStatus.PENDING, OutboxTask.claimed_until.is_not(None))
    if owner is not None:
        query = query.where(OutboxTask.claimed_by == owner)
    return _rowcount(await session.execute(query.values(claimed_until=None)))


def _mine(task_id: int, owner: str | None) -> list[Any]:
    where = [OutboxTask.id == task_id]
    return where if owner is None else [*where, OutboxTask.claimed_by == owner]


async def mark_done(session: AsyncSession, task_id: int, owner: str | None = None) -> bool:
    """False (nothing written) if `owner` lost the task to another replica meanwhile."""
    return _rowcount(await session.execute(
        update(OutboxTask).where(*_mine(task_id, owner))
        .values(status=TaskStatus.DONE, done_at=utcnow(), last_error=None, claimed_until=None))) == 1


async def mark_retry(session: AsyncSession, task_id: int, attempts: int, due_at: datetime, error: str,
                     owner: str | None = None) -> bool:
    return _rowcount(await session.execute(
        update(OutboxTask).where(*_mine(task_id, owner))
        .values(attempts=attempts, due_at=due_at, last_error=error[:2000], claimed_until=None))) == 1


async def mark_failed(session: AsyncSession, task_id: int, attempts: int, error: str,
                      owner: str | None = None) -> bool:
    return _rowcount(await session.execute(
        update(OutboxTask).where(*_mine(task_id, owner))
        .values(status=TaskStatus.FAILED, attempts=attempts, done_at=utcnow(), last_error=error[:2000],
                claimed_until=None))) == 1


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
