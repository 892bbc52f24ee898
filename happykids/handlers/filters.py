"""The one filter that guards every admin router and every admin button (re-checked on each press).

ADMIN_IDS come from the settings; admins added in the panel from the admin cache, which is reloaded as
soon as the list changes (services/caches.py), so checking costs no query on a parent's press.
"""

from __future__ import annotations

from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.services.caches import AdminCache


class IsAdmin(BaseFilter):
    async def __call__(self, event: Message | CallbackQuery, settings: Settings, session: AsyncSession,
                       admin_cache: AdminCache) -> bool:
        user = event.from_user
        if user is None:
            return False
        return user.id in settings.admin_ids or user.id in await admin_cache.get(session)
