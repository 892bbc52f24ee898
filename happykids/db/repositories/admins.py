"""Who may use the admin side: ADMIN_IDS from the environment plus admins added from the panel."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Admin, AuditEntry


async def panel_admin_ids(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(Admin.user_id))).all())


async def is_admin(session: AsyncSession, env_admins: list[int], user_id: int) -> bool:
    return user_id in env_admins or (await session.get(Admin, user_id)) is not None


async def all_admin_ids(session: AsyncSession, env_admins: list[int]) -> list[int]:
    return sorted(set(env_admins) | await panel_admin_ids(session))


async def audit(session: AsyncSession, actor_id: int | None, actor_name: str, action: str, target: str = "",
                old: str | None = None, new: str | None = None) -> None:
    """Record a change made from the panel (who, what, old -> new); the caller commits with the change."""
    session.add(AuditEntry(actor_id=actor_id, actor_name=actor_name, action=action, target=target,
                           old_value=old, new_value=new))
