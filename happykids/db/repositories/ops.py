"""What the operator's tools read from the database: a ping, the archive queue's head, row counts for backups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import Base
from happykids.db.models import OutboxTask, ReceiptFile
from happykids.domain.outbox import ReceiptTask, TaskStatus


@dataclass(frozen=True, slots=True)
class ArchiveQueue:
    waiting: int
    oldest: datetime | None
    last_error: str | None  # of the oldest pending task (the one the queue waits on)


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def archive_queue(session: AsyncSession) -> ArchiveQueue:
    pending = (OutboxTask.kind == ReceiptTask.ARCHIVE.value, OutboxTask.status == TaskStatus.PENDING.value)
    waiting = int(await session.scalar(select(func.count()).select_from(OutboxTask).where(*pending)) or 0)
    head = await session.scalar(select(OutboxTask).where(*pending).order_by(OutboxTask.id).limit(1))
    if head is None:
        return ArchiveQueue(waiting, None, None)
    return ArchiveQueue(waiting, head.created_at, head.last_error)


async def table_counts(session: AsyncSession) -> dict[str, int]:
    """Rows in every table of the schema (the manifest of a backup lists them)."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = int(await session.scalar(select(func.count()).select_from(table)) or 0)
    return counts


async def receipt_file_paths(session: AsyncSession) -> list[str]:
    """Where the receipts' files were saved, as the database records it."""
    return list((await session.scalars(select(ReceiptFile.file_path).order_by(ReceiptFile.id))).all())
