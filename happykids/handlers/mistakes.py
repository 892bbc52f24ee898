"""Anything typed or sent where the dialog expects a button: escalate gently, then show the step again."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.domain.mistakes import MistakeLevel, escalate
from happykids.handlers.payment import start_dialog
from happykids.services.caches import CatalogCache
from happykids.texts.service import Texts
from happykids.ui.dialog_screens import render
from happykids.ui.states import CHOOSING, PaymentDialog
from happykids.ui.view import commit_before_showing, show_step

router = Router(name="mistakes")
router.message.filter(F.chat.type == "private")

LEVEL_TEXT = {
    MistakeLevel.ERROR: "dialog.mistake",
    MistakeLevel.INSTRUCTION: "dialog.mistake_instruction",
    MistakeLevel.CONTACTS: "dialog.mistake_contacts",
}


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message, texts: Texts) -> None:
    await message.answer(await texts.get("common.unknown_command"))


@router.message(StateFilter(*CHOOSING))
async def typed_instead_of_button(message: Message, state: FSMContext, session: AsyncSession, texts: Texts,
                                  bot: Bot, catalog_cache: CatalogCache) -> None:
    data = await state.get_data()
    mistakes = int(data.get("mistakes", 0)) + 1
    await state.update_data(mistakes=mistakes)
    catalog = await catalog_cache.get(session)
    await commit_before_showing()  # the count decides the next answer: it must not lag behind what was said
    await message.answer(await texts.get(LEVEL_TEXT[escalate(mistakes)], contacts=catalog.contacts))
    screen = await render(await state.get_state(), await state.get_data(), catalog, texts)
    await show_step(bot, message.chat.id, state, screen)


@router.message(StateFilter(PaymentDialog.link))
async def after_link(message: Message, texts: Texts) -> None:
    await message.answer(await texts.get("dialog.after_link_hint"))


@router.message()
async def no_dialog_yet(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot,
                        catalog_cache: CatalogCache) -> None:
    """Someone wrote before /start (or their state was lost): greet them and open the dialog."""
    await start_dialog(message, state, session, texts, bot, catalog_cache)
