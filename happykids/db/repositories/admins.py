"""Who may use the admin side: ADMIN_IDS from the environment plus admins added from the panel."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Admin


async def panel_admin_ids(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Admin.user_id))).all())


async def is_admin(session: AsyncSession, env_admins: list[int], user_id: int) -> bool:
    return user_id in env_admins or (await session.get(Admin, user_id)) is not None


async def all_admin_ids(session: AsyncSession, env_admins: list[int]) -> list[int]:
    return sorted(set(env_admins) | await panel_admin_ids(session))


async def panel_admins(session: AsyncSession) -> list[Admin]:
    """Admins added from the panel, in the order they were added."""
    return list((await session.scalars(select(Admin).order_by(Admin.added_at))).all())


async def get_admin(session: AsyncSession, user_id: int) -> Admin | None:
    return await session.get(Admin, user_id)


async def add_admin(session: AsyncSession, user_id: int, name: str, added_by: int) -> None:
    """`name`: the name seen when added, or "" to keep looking it up (the person may write to the bot later)."""
    session.add(Admin(user_id=user_id, name=name, added_by=added_by))


async def remove_admin(session: AsyncSession, admin: Admin) -> None:
    await session.delete(admin)
