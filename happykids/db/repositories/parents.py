"""Parents who wrote to the bot and the funnel events they reach."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import FunnelEvent, Parent


async def touch_parent(session: AsyncSession, user_id: int, first_name: str, last_name: str | None,
                       username: str | None) -> None:
    """Create or refresh the parent's row; writing to us means they have not blocked the bot."""
    parent = await session.get(Parent, user_id)
    if parent is None:
        session.add(Parent(user_id=user_id, first_name=first_name, last_name=last_name, username=username))
    else:
        parent.first_name, parent.last_name, parent.username = first_name, last_name, username
        parent.blocked = False
        parent.last_seen = utcnow()


async def get_parent(session: AsyncSession, user_id: int) -> Parent | None:
    return await session.get(Parent, user_id)


async def find_by_username(session: AsyncSession, username: str) -> Parent | None:
    """The person who wrote to the bot as @username (Telegram usernames ignore case); None if nobody did."""
    query = select(Parent).where(func.lower(Parent.username) == username.lower()).order_by(Parent.last_seen.desc())
    return (await session.scalars(query.limit(1))).first()


async def all_names(session: AsyncSession) -> list[tuple[int, str, str | None, str | None]]:
    """(user id, first name, last name, username) of every parent, for the director's search."""
    query = select(Parent.user_id, Parent.first_name, Parent.last_name, Parent.username)
    return [(user_id, first, last, username) for user_id, first, last, username in (await session.execute(query)).all()]


async def mark_blocked(session: AsyncSession, user_id: int, blocked: bool = True) -> None:
    await session.execute(update(Parent).where(Parent.user_id == user_id).values(blocked=blocked))


async def record_event(session: AsyncSession, user_id: int, kind: str, group_code: str | None = None) -> None:
    """`kind`: a domain.reporting.FunnelStep (started, group, confirmed, link, receipt, approved)."""
    await record_events(session, user_id, [kind], group_code)


async def record_events(session: AsyncSession, user_id: int, kinds: Sequence[str],
                        group_code: str | None = None) -> None:
    """Several funnel steps reached at once, written as one INSERT statement (rows as parameters: a
    compiled statement SQLAlchemy caches, unlike .values(rows))."""
    rows = [{"user_id": user_id, "kind": kind, "group_code": group_code, "at": utcnow()} for kind in kinds]
    await session.execute(insert(cast(Table, FunnelEvent.__table__)), rows)


async def known_ids(session: AsyncSession, user_ids: Sequence[int]) -> set[int]:
    """Which of these people have written to the bot (only they can receive its messages)."""
    if not user_ids:
        return set()
    return set((await session.scalars(select(Parent.user_id).where(Parent.user_id.in_(user_ids)))).all())
