"""The receipt archive's state (one row, created by the migration) and its queue in the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import ArchiveStatus, OutboxTask
from happykids.db.models.archive import SINGLETON_ID
from happykids.db.repositories.outbox import pending_count
from happykids.domain.outbox import ReceiptTask, TaskStatus


async def status(session: AsyncSession) -> ArchiveStatus | None:
    return await session.get(ArchiveStatus, SINGLETON_ID, populate_existing=True)


async def _set(session: AsyncSession, **values: Any) -> None:
    result = await session.execute(update(ArchiveStatus).where(ArchiveStatus.id == SINGLETON_ID).values(**values))
    if not _rowcount(result):  # a database made without the migrations (metadata.create_all in a tool)
        session.add(ArchiveStatus(id=SINGLETON_ID, **{"backend": "", **values}))


async def record_backend(session: AsyncSession, backend: str) -> None:
    await _set(session, backend=backend)


async def record_upload(session: AsyncSession, backend: str, at: datetime | None = None) -> None:
    """A file reached the archive: it works, so the last error and what the admins were told are history."""
    await _set(session, backend=backend, last_upload_at=at or utcnow(), last_error=None, last_error_kind=None,
               last_error_at=None, told_admins=None)


async def record_login_ok(session: AsyncSession, backend: str) -> None:
    await _set(session, backend=backend, login_checked_at=utcnow(), last_error=None, last_error_kind=None,
               last_error_at=None, told_admins=None)


async def record_error(session: AsyncSession, backend: str, kind: str, error: str, *, login_check: bool = False
                       ) -> None:
    values: dict[str, Any] = {"backend": backend, "last_error": error[:2000], "last_error_kind": kind,
                              "last_error_at": utcnow()}
    if login_check:
        values["login_checked_at"] = utcnow()
    await _set(session, **values)


async def record_told(session: AsyncSession, error: str) -> None:
    await _set(session, told_admins=error[:2000])


async def backlog(session: AsyncSession) -> int:
    """Receipts waiting for the archive: its pending tasks in the outbox."""
    return await pending_count(session, ReceiptTask.ARCHIVE)


async def hurry_pending(session: AsyncSession) -> int:
    """Make the waiting archive tasks due now (MEGA works again: no need to sit out the back-off)."""
    result = await session.execute(
        update(OutboxTask).where(OutboxTask.kind == ReceiptTask.ARCHIVE, OutboxTask.status == TaskStatus.PENDING,
                                 OutboxTask.due_at > utcnow())
        .values(due_at=utcnow())
    )
    return _rowcount(result)


def _rowcount(result: Result[Any]) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
