"""Last resort for updates no feature took: stray button presses and edited messages."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.handlers.payment import show_current
from happykids.services.caches import CatalogCache
from happykids.texts.service import Texts

router = Router(name="fallback")


@router.callback_query(F.message.chat.type == "private")
async def unknown_button(callback: CallbackQuery, state: FSMContext, session: AsyncSession, texts: Texts,
                         bot: Bot, catalog_cache: CatalogCache) -> None:
    """Data we never produced (forged, or from an old version of the bot): say so and show the step."""
    await show_current(callback, state, texts, bot, await catalog_cache.get(session), "dialog.stale_button")


@router.callback_query()
async def unknown_button_elsewhere(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer(await texts.plain("dialog.stale_button"))


@router.edited_message(F.chat.type == "private")
async def edited(message: Message, texts: Texts) -> None:
    await message.answer(await texts.get("common.edited_message"))
