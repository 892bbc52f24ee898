"""The one filter that guards every admin router and every admin button (re-checked on each press)."""

from __future__ import annotations

from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.repositories.admins import is_admin


class IsAdmin(BaseFilter):
    async def __call__(self, event: Message | CallbackQuery, settings: Settings,
                       db: async_sessionmaker[AsyncSession]) -> bool:
        user = event.from_user
        if user is None:
            return False
        async with db() as session:
            return await is_admin(session, settings.admin_ids, user.id)
