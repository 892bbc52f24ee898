"""What the Prometheus gauges read at each scrape (app/metrics.py): a few grouped COUNTs on indexed columns.

Each returns {label values: count}, the shape `Metrics.register_gauge` takes; a combination with no rows is
simply absent (Prometheus then shows no series, not a stale number).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Broadcast, BroadcastDelivery, OutboxTask
from happykids.domain.broadcasts import ACTIVE, BroadcastStatus
from happykids.domain.outbox import TaskStatus

WAITING = (TaskStatus.PENDING.value, TaskStatus.FAILED.value)  # done tasks are history, not backlog


async def outbox_backlog(session: AsyncSession) -> dict[tuple[str, ...], float]:
    """Pending and failed outbox tasks by (kind, status); uses ix_outbox_status_due."""
    query = (select(OutboxTask.kind, OutboxTask.status, func.count())
             .where(OutboxTask.status.in_(WAITING)).group_by(OutboxTask.kind, OutboxTask.status))
    return {(kind, status): count for kind, status, count in (await session.execute(query)).all()}


async def tasks_due(session: AsyncSession) -> dict[tuple[str, ...], float]:
    """Pending tasks whose time has come, by kind: what the workers should be doing right now."""
    query = (select(OutboxTask.kind, func.count())
             .where(OutboxTask.status == TaskStatus.PENDING.value, OutboxTask.due_at <= utcnow())
             .group_by(OutboxTask.kind))
    return {(kind,): count for kind, count in (await session.execute(query)).all()}


async def latest_broadcast(session: AsyncSession) -> dict[tuple[str, ...], float]:
    """The newest confirmed broadcast's deliveries by status: its progress while it runs, its result after."""
    latest = (select(func.max(Broadcast.id)).where(Broadcast.status != BroadcastStatus.DRAFT.value)
              .scalar_subquery())
    query = (select(BroadcastDelivery.status, func.count()).where(BroadcastDelivery.broadcast_id == latest)
             .group_by(BroadcastDelivery.status))
    return {(status,): count for status, count in (await session.execute(query)).all()}


async def broadcasts_sending(session: AsyncSession) -> float:
    query = select(func.count()).select_from(Broadcast).where(Broadcast.status.in_([s.value for s in ACTIVE]))
    return float(await session.scalar(query) or 0)
