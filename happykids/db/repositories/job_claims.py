"""Once-per-run jobs shared by the replicas (db/models/job_claim.py): claim a run, finish it, forget old ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import JobClaim
from happykids.db.upserts import insert_for


async def claim(session: AsyncSession, key: str, owner: str, until: datetime) -> bool:
    """Take the run `key`: new, or left unfinished by an owner whose lease ran out. False when it is done or
    someone else holds it. The caller commits; of two replicas at once one wins (the other's INSERT waits for
    the first commit and then does nothing, or its conditional UPDATE finds the row taken)."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    added = await session.execute(insert_for(dialect, JobClaim).values(key=key, claimed_by=owner, claimed_until=until)
                                  .on_conflict_do_nothing(index_elements=[JobClaim.key]))
    if _rowcount(added) == 1:
        return True
    taken = await session.execute(
        update(JobClaim).where(JobClaim.key == key, JobClaim.done_at.is_(None),
                               or_(JobClaim.claimed_until < now, JobClaim.claimed_by == owner))
        .values(claimed_by=owner, claimed_until=until))
    return _rowcount(taken) == 1


async def is_done(session: AsyncSession, key: str) -> bool:
    return await session.scalar(select(JobClaim.done_at).where(JobClaim.key == key)) is not None


async def renew(session: AsyncSession, key: str, owner: str, until: datetime) -> bool:
    renewed = await session.execute(update(JobClaim).where(JobClaim.key == key, JobClaim.claimed_by == owner,
                                                           JobClaim.done_at.is_(None))
                                    .values(claimed_until=until))
    return _rowcount(renewed) == 1


async def finish(session: AsyncSession, key: str, owner: str) -> bool:
    done = await session.execute(update(JobClaim).where(JobClaim.key == key, JobClaim.claimed_by == owner)
                                 .values(done_at=utcnow()))
    return _rowcount(done) == 1


async def release(session: AsyncSession, key: str, owner: str) -> None:
    """Give an unfinished run back at once (it failed here): another replica, or the next try, may take it."""
    await session.execute(update(JobClaim).where(JobClaim.key == key, JobClaim.claimed_by == owner,
                                                 JobClaim.done_at.is_(None))
                          .values(claimed_until=utcnow()))


async def forget_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(JobClaim).where(JobClaim.claimed_until < before))


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
