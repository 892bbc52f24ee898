"""The director's versions of the texts (text_overrides); the defaults live in the code (texts/defaults)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import TextOverride


async def all_overrides(session: AsyncSession) -> dict[str, str]:
    return {row.key: row.value for row in (await session.scalars(select(TextOverride))).all()}


async def set_override(session: AsyncSession, key: str, value: str, user_id: int | None) -> None:
    await session.merge(TextOverride(key=key, value=value, updated_by=user_id))


async def delete_override(session: AsyncSession, key: str) -> None:
    await session.execute(delete(TextOverride).where(TextOverride.key == key))
