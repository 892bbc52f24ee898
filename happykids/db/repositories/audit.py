"""The audit log: every change made from the panel (who, what, old -> new), and its pages for the journal."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import AuditEntry


async def add_entry(session: AsyncSession, actor_id: int | None, actor_name: str, action: str, target: str = "",
                    old: str | None = None, new: str | None = None) -> None:
    """Record a change made from the panel; the caller commits it together with the change."""
    session.add(AuditEntry(actor_id=actor_id, actor_name=actor_name, action=action, target=target,
                           old_value=old, new_value=new))


async def count_entries(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def entries_page(session: AsyncSession, offset: int, limit: int) -> list[AuditEntry]:
    """Entries newest first."""
    query = (select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
             .offset(offset).limit(limit))
    return list((await session.scalars(query)).all())
