"""/admin and the main menu. Non-admins never get here (IsAdmin on the parent router), so for them
/admin falls through to the unknown-command answer and reveals nothing."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from happykids.handlers.admin.panel import InputStep
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, Section
from happykids.ui.commands import CommandMenus
from happykids.ui.keyboards.admin import main_menu
from happykids.ui.states import AdminInput
from happykids.ui.view import ask_again, show

router = Router(name="admin.menu")
router.message.filter(F.chat.type == "private")

TYPED_INPUTS = [s for s in AdminInput.__all_states__ if s is not AdminInput.catalog_file]

# Included after every other admin router: answers menu sections nobody handles (yet).
fallback_router = Router(name="admin.menu_fallback")
fallback_router.message.filter(F.chat.type == "private")


@router.message(Command("admin"))
async def cmd_admin(message: Message, admin_state: FSMContext, bot: Bot, texts: Texts,
                    command_menus: CommandMenus) -> None:
    if await admin_state.get_state() is not None or await admin_state.get_data():  # reads are cheaper than writes
        await admin_state.clear()
    await message.answer(texts.fixed("panel.menu"), reply_markup=main_menu(texts))
    await command_menus.ensure_admin(bot, texts, message.chat.id)


@router.message(F.text.startswith("/"))
async def other_command(message: Message, admin_state: FSMContext) -> None:
    """/start, /help…: the admin left the panel, so stop waiting for input (her next text is not a title),
    then let the command reach its own handler."""
    if await admin_state.get_state() is not None:
        await admin_state.set_state(None)
    raise SkipHandler


@router.callback_query(AdminMenu.filter(F.section == Section.MAIN))
async def open_menu(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer()
    await show(callback, texts.fixed("panel.menu"), main_menu(texts))


# «Чеки» is handled by the receipts review router, outside the admin tree and after it: leave it alone.
@fallback_router.callback_query(AdminMenu.filter(F.section != Section.RECEIPTS))
async def section_not_ready(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer(texts.fixed("panel.section_soon"))


@fallback_router.message(InputStep(*TYPED_INPUTS), ~F.text.startswith("/"))
async def not_text(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    """A photo or a sticker where the panel waits for typed text: ask again, and keep it away from the
    receipt intake (an admin's photo here is not a payment)."""
    await ask_again(message, admin_state, texts, texts.fixed("panel.send_text"))
