"""Contacts section: the agency's contacts shown in /help, when a link is missing and after mistakes."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.ui.callbacks import AdminMenu, ContactsEdit, Section
from happykids.handlers.admin.panel import InputStep, record
from happykids.ui.view import ask, ask_again, finish_input, show
from happykids.ui.states import AdminInput
from happykids.ui.keyboards.admin import keyboard, menu_button
from happykids.db.repositories.catalog import CONTACTS_KEY, get_setting, set_setting
from happykids.domain.catalog_edit import CatalogEditError, clean_contacts
from happykids.texts.defaults import admin as t
from happykids.texts.service import Markup, fill

router = Router(name="admin.contacts")
router.message.filter(F.chat.type == "private")


async def contacts_screen(event: CallbackQuery | Message, session: AsyncSession) -> None:
    contacts = await get_setting(session, CONTACTS_KEY)
    text = fill(t.CONTACTS, {"contacts": contacts or Markup(t.CONTACTS_EMPTY)})
    await show(event, text, keyboard([(t.BTN_EDIT, ContactsEdit())], [menu_button()]))


@router.callback_query(AdminMenu.filter(F.section == Section.CONTACTS))
async def open_contacts(callback: CallbackQuery, session: AsyncSession) -> None:
    await callback.answer()
    await contacts_screen(callback, session)


@router.callback_query(ContactsEdit.filter())
async def edit(callback: CallbackQuery, admin_state: FSMContext) -> None:
    await ask(callback, admin_state, AdminInput.contacts, t.ASK_CONTACTS, AdminMenu(section=Section.CONTACTS))


@router.message(InputStep(AdminInput.contacts), F.text, ~F.text.startswith("/"))
async def typed(message: Message, admin_state: FSMContext, session: AsyncSession) -> None:
    try:
        contacts = clean_contacts(message.text)
    except CatalogEditError as exc:
        return await ask_again(message, admin_state, escape(str(exc), quote=False))
    old = await get_setting(session, CONTACTS_KEY)
    if contacts != old:
        await set_setting(session, CONTACTS_KEY, contacts)
        await record(session, message.from_user, "contacts.set", "контакты", old or None, contacts)
        await session.commit()
    await finish_input(message, admin_state)
    await message.answer(t.CONTACTS_SAVED)
    await contacts_screen(message, session)
